/* _dexdesc.h: method descriptors built in C from a DEX's id tables, and the check of a build_csr adjacency, shared
 * by the _dexscan and _reach extensions (issue #19; one copy, included by both).
 *
 * Not a standalone header: each including file includes "_dexbytes.h" (rd16, rd32, uleb), <Python.h> and
 * <string.h> before it. Everything here is static: each extension gets its own copy of the code,
 * built from this one source. */
#ifndef APPWARDEN_DEXDESC_H
#define APPWARDEN_DEXDESC_H

typedef struct {
    const uint8_t *ptr; /* string bytes (MUTF-8, NUL excluded) */
    uint32_t len;
    uint8_t state; /* 0 = not resolved yet, 1 = ASCII, 2 = not ASCII */
} str_ref_t;

/* Locate string `sidx`: its bytes up to the NUL, and whether they are pure ASCII. 0 ok, -1 out of bounds.
 * One pass finds both, 8 bytes at a time where 8 bytes remain in the buffer (most strings are a few words long: a
 * memchr call and then a second pass for the high bits cost more): the lowest byte flagged by the zero-byte test
 * is the first NUL (its false positives lie only above a true zero), and the high bits of the bytes below it say
 * whether the string is ASCII. */
static int string_ref(const uint8_t *buf, size_t size, size_t s_off, uint32_t sidx, str_ref_t *out) {
    size_t pos = rd32(buf + s_off + (size_t)sidx * 4);
    uint32_t utf16;
    if (pos >= size || uleb(buf, size, &pos, &utf16)) return -1;
    const uint8_t *str = buf + pos;
    size_t avail = size - pos, i = 0, len;
    uint64_t high = 0; /* the high bits of the bytes before the NUL */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 8 <= avail; i += 8) {
        uint64_t w;
        memcpy(&w, str + i, 8);
        uint64_t z = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
        if (z) {
            unsigned nb = (unsigned)__builtin_ctzll(z) >> 3; /* bytes before the NUL in this word */
            if (nb) high |= w & (0x8080808080808080ull >> (64 - 8 * nb));
            len = i + nb;
            goto found;
        }
        high |= w & 0x8080808080808080ull;
    }
#endif
    for (; i < avail; i++) {
        if (!str[i]) {
            len = i;
            goto found;
        }
        high |= str[i] & 0x80;
    }
    return -1;
found:
    if (len > 0xffffffffu) return -1;
    out->ptr = str;
    out->len = (uint32_t)len;
    out->state = high ? 2 : 1;
    return 0;
}

typedef struct {
    const uint8_t *buf;
    size_t size;
    unsigned long s_off, s_size, t_off, t_size, p_off, p_size;
    str_ref_t *types; /* per type id, resolved on first use */
    /* validate's length of every string (s_size u32), or NULL: with it, a string is "located" by its length alone
     * (ptr NULL, state 1), for the checks that build nothing (method_descs without strings). Only set when
     * validate passed over this very buffer: string_ref would find each string, and the same length, then. */
    const uint32_t *lens;
    char msg[128];
} descs_t;

/* string_ref of string sidx (< s_size), or its length alone from d->lens (see descs_t). */
static inline int string_ref_d(const descs_t *d, uint32_t sidx, str_ref_t *out) {
    if (d->lens) {
        out->ptr = NULL;
        out->len = d->lens[sidx];
        out->state = 1;
        return 0;
    }
    return string_ref(d->buf, d->size, d->s_off, sidx, out);
}

static const str_ref_t *type_ref(descs_t *d, uint32_t tidx) {
    if (tidx >= d->t_size) {
        snprintf(d->msg, sizeof d->msg, "type index %u out of range", tidx);
        return NULL;
    }
    str_ref_t *t = &d->types[tidx];
    if (!t->state) {
        uint32_t sidx = rd32(d->buf + d->t_off + (size_t)tidx * 4);
        if (sidx >= d->s_size) {
            snprintf(d->msg, sizeof d->msg, "type %u string index out of range", tidx);
            return NULL;
        }
        if (string_ref_d(d, sidx, t)) {
            snprintf(d->msg, sizeof d->msg, "string %u data out of bounds", sidx);
            return NULL;
        }
    }
    return t;
}

/* type_ref, or without a per-type cache (d->types NULL) resolved into *tmp. */
static const str_ref_t *type_ref_at(descs_t *d, uint32_t tidx, str_ref_t *tmp) {
    if (d->types) return type_ref(d, tidx);
    if (tidx >= d->t_size) {
        snprintf(d->msg, sizeof d->msg, "type index %u out of range", tidx);
        return NULL;
    }
    uint32_t sidx = rd32(d->buf + d->t_off + (size_t)tidx * 4);
    if (sidx >= d->s_size) {
        snprintf(d->msg, sizeof d->msg, "type %u string index out of range", tidx);
        return NULL;
    }
    if (string_ref_d(d, sidx, tmp)) {
        snprintf(d->msg, sizeof d->msg, "string %u data out of bounds", sidx);
        return NULL;
    }
    return tmp;
}

/* A growable byte buffer (descriptor bytes built in C). */
typedef struct {
    char *p;
    size_t len, cap;
} sbuf_t;

static int sb_reserve(sbuf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) {
        if (cap > ((size_t)-1) / 4) return -1;
        cap *= 2;
    }
    char *q = (char *)realloc(b->p, cap);
    if (!q) return -1;
    b->p = q;
    b->cap = cap;
    return 0;
}

static inline void sb_put(sbuf_t *b, const void *src, size_t n) { /* after sb_reserve */
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

/* The descriptor of method id i, checked exactly as method_descs checks it (same messages in d->msg): its length
 * and parameter count come off *budget when budget is not NULL; *cost gets them. With `out`, its bytes are written
 * there (out->len reset first): "Lcls;->name(params)ret", or from the name on when `from_name` (the part after the
 * first "->" when the class has none). Returns 1 when every string of what is built is pure ASCII, 0 when not, -1 on an error
 * (d->msg set; -2: out of memory). `i` must be below method_ids_size and the tables within the buffer. */
static int desc_build(descs_t *d, unsigned long m_off, uint32_t i, uint64_t *budget, uint64_t *cost, sbuf_t *out,
                      int from_name) {
    const uint8_t *mid = d->buf + m_off + (size_t)i * 8;
    uint32_t cls_idx = rd16(mid), proto_idx = rd16(mid + 2), name_idx = rd32(mid + 4);
    str_ref_t tmp_cls, tmp_ret, tmp_p; /* without a per-type cache (d->types NULL) */
    const str_ref_t *cls = type_ref_at(d, cls_idx, &tmp_cls);
    if (!cls) return -1;
    if (name_idx >= d->s_size) {
        snprintf(d->msg, sizeof d->msg, "method %u name index out of range", i);
        return -1;
    }
    str_ref_t name;
    if (string_ref_d(d, name_idx, &name)) {
        snprintf(d->msg, sizeof d->msg, "string %u data out of bounds", name_idx);
        return -1;
    }
    if (proto_idx >= d->p_size) {
        snprintf(d->msg, sizeof d->msg, "method %u proto index out of range", i);
        return -1;
    }
    const uint8_t *proto = d->buf + d->p_off + (size_t)proto_idx * 12;
    const str_ref_t *ret = type_ref_at(d, rd32(proto + 4), &tmp_ret);
    if (!ret) return -1;
    uint32_t params_off = rd32(proto + 8), n_params = 0;
    if (params_off) {
        if ((params_off & 3) || (uint64_t)params_off + 4 > d->size) {
            snprintf(d->msg, sizeof d->msg, "type_list offset %u out of bounds", params_off);
            return -1;
        }
        n_params = rd32(d->buf + params_off);
        if ((uint64_t)params_off + 4 + (uint64_t)n_params * 2 > d->size) {
            snprintf(d->msg, sizeof d->msg, "type_list at %u (%u entries) out of bounds", params_off, n_params);
            return -1;
        }
    }
    int ascii = (from_name || cls->state == 1) && name.state == 1 && ret->state == 1; /* of what is built */
    uint64_t total = (uint64_t)cls->len + 2 + name.len + 2 + ret->len;
    if (budget && total + n_params > *budget) { /* bounds the work too: each parameter costs at least 1 */
        snprintf(d->msg, sizeof d->msg, "method descriptors longer than 64 characters per byte of the file");
        return -1;
    }
    /* the first DESC_KEEP parameters resolved are kept for the build below (without a per-type cache they would be
     * resolved again: a string located twice) */
#define DESC_KEEP 16
    str_ref_t kept_p[DESC_KEEP];
    const str_ref_t *kept[DESC_KEEP];
    for (uint32_t k = 0; k < n_params; k++) {
        const str_ref_t *p = type_ref_at(d, rd16(d->buf + params_off + 4 + (size_t)k * 2),
                                         k < DESC_KEEP ? &kept_p[k] : &tmp_p);
        if (!p) return -1;
        if (k < DESC_KEEP) kept[k] = p;
        ascii &= p->state == 1;
        total += p->len;
    }
    if (budget) {
        if (total + n_params > *budget) {
            snprintf(d->msg, sizeof d->msg, "method descriptors longer than 64 characters per byte of the file");
            return -1;
        }
        *budget -= total + n_params;
    }
    if (cost) *cost = total + n_params;
    if (out) {
        out->len = 0;
        if (sb_reserve(out, (size_t)total)) return -2;
        if (!from_name) {
            sb_put(out, cls->ptr, cls->len);
            sb_put(out, "->", 2);
        }
        sb_put(out, name.ptr, name.len);
        sb_put(out, "(", 1);
        for (uint32_t k = 0; k < n_params; k++) { /* resolved above (the same result again without a cache) */
            const str_ref_t *p =
                k < DESC_KEEP ? kept[k] : type_ref_at(d, rd16(d->buf + params_off + 4 + (size_t)k * 2), &tmp_p);
            sb_put(out, p->ptr, p->len);
        }
        sb_put(out, ")", 1);
        sb_put(out, ret->ptr, ret->len);
    }
    return ascii;
#undef DESC_KEEP
}

/* Check the id tables' sizes against the buffer (method_descs' first messages); 0 ok, -1 with d->msg set. */
static int descs_tables_ok(descs_t *d, unsigned long m_off, unsigned long m_size) {
    if ((uint64_t)d->s_off + (uint64_t)d->s_size * 4 > d->size) snprintf(d->msg, sizeof d->msg, "string_ids out of bounds");
    else if ((uint64_t)d->t_off + (uint64_t)d->t_size * 4 > d->size)
        snprintf(d->msg, sizeof d->msg, "type_ids out of bounds");
    else if ((uint64_t)d->p_off + (uint64_t)d->p_size * 12 > d->size)
        snprintf(d->msg, sizeof d->msg, "proto_ids out of bounds");
    else if ((uint64_t)m_off + (uint64_t)m_size * 8 > d->size)
        snprintf(d->msg, sizeof d->msg, "method_ids out of bounds");
    return d->msg[0] ? -1 : 0;
}

/* The check of an adjacency from build_csr (offsets: n_nodes + 1 u32, targets: u32 node ids) that reverse_csr, bfs
 * and callers_within make before reading it: NULL when it is consistent (then *n_nodes is set), else the message of
 * the first check that fails, in this order. */
static const char *csr_error(const Py_buffer *ob, const Py_buffer *tb, size_t *n_nodes) {
    const uint8_t *off = (const uint8_t *)ob->buf, *tgt = (const uint8_t *)tb->buf;
    size_t n_targets = (size_t)tb->len / 4;
    if (ob->len % 4 || tb->len % 4) return "arrays must hold u32 values";
    if (ob->len < 4 || rd32(off) != 0 || rd32(off + ob->len - 4) != n_targets)
        return "offsets do not match the targets";
    size_t n = (size_t)ob->len / 4 - 1;
    for (size_t i = 0; i < n; i++)
        if (rd32(off + i * 4) > rd32(off + i * 4 + 4)) return "offsets are not sorted";
    for (size_t i = 0; i < n_targets; i++)
        if (rd32(tgt + i * 4) >= n) return "target out of range";
    *n_nodes = n;
    return NULL;
}

#endif /* APPWARDEN_DEXDESC_H */
