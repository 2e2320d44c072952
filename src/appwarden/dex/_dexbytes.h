/* _dexbytes.h: the little-endian and uleb128 reads every DEX kernel makes (_dexscan, _reach, screening/_flow; one
 * copy, included by each). Everything here is static inline / static: each extension gets its own copy of the code.
 * Needs <stdint.h> and <stddef.h>. */
#ifndef APPWARDEN_DEXBYTES_H
#define APPWARDEN_DEXBYTES_H

#include <stddef.h>
#include <stdint.h>

/* little-endian u16 / u32 at p (any alignment) */
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* read a uleb128 at *pos (< end) into *out, advancing *pos; 0 on success, -1 when it runs past end or over 5 bytes */
static int uleb(const uint8_t *buf, size_t end, size_t *pos, uint32_t *out) {
    uint32_t result = 0;
    int shift = 0;
    for (int i = 0; i < 5; i++) {
        if (*pos >= end) return -1;
        uint8_t b = buf[(*pos)++];
        result |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *out = result; return 0; }
        shift += 7;
    }
    return -1;
}

#endif
