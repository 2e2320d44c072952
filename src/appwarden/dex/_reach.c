/* _reach: C kernels of the call graph's reachability stage (issue #19), beside those of _dexscan.
 *
 * Every kernel has a pure-Python twin of the same name in appwarden.dex.pywalk (same results, same ValueError
 * messages) that tests/dex/test_reach_kernels.py compares with it on fuzzed inputs; CallGraph uses the twins when
 * this extension is not built or APPWARDEN_DEX_BACKEND=python. Every index read from a buffer is checked against
 * that buffer's length (the inputs come from hostile DEX files).
 *
 *   walk          CallGraph.walk's BFS over node ids (the consent model's walk)
 *   invoked_pair  _dexscan.invoked_ids for the virtual/interface and the super opcodes in one pass
 *   class_numbers the app-wide class number of every type descriptor (hierarchy_all's type statuses)
 *   ids_ordered   whether type descriptors are strictly increasing str and method classes sorted (CallGraph._lookup)
 *   intern_all    _dexscan.intern_methods over every DEX at once, hashing each method from its parts' hashes
 *   hierarchy_all hierarchy_extras over every DEX at once (hierarchies across DEXes), sigs hashed from cached parts
 *   find_first    _dexscan.find_methods' first match for many (range, descriptor) queries of a DEX in one call
 *   u32_positions the positions of the u32 items equal to a value (method ids by name)
 *   dispatch_scan the types a method instantiates and the dispatch methods it invokes (async edges)
 *   u16_ranges    Python's bisect_left/right of many values over u16 items (classes' method id ranges)
 *   names_maybe   the methods whose name may be one of some names (the async edges' callback candidates)
 *   invoke_lists  invoked_pair and the invokes call_edges reads, in one pass over the records and events
 *   call_edges_from  call_edges from invoke_lists' invokes once the hierarchy maps exist
 *   async_asks    the async edges' (candidate class, callback spec) pairs per dispatching record
 *   async_callbacks  the async edges of those pairs: the candidates' app superclass chains and callback methods
 *   lookup_groups lookup_many's descriptors checked, split and grouped by their class's DEX
 *   reflect_scan  the records of some invokes that also invoke some methods, with their const-string ids
 *                 (the call graph's reflective edges)
 */
#define _GNU_SOURCE 1
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "_dexbytes.h" /* rd16, rd32, uleb */

#define NONE_ID 0xffffffffu


/* the u32 item i of a buffer in native order (arrays' buffers; any alignment) */
static inline uint32_t ld32(const uint8_t *p, size_t i) {
    uint32_t v;
    memcpy(&v, p + i * 4, 4);
    return v;
}

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- invoked_pair ---------------------------------------------------------------------------------------- */

static int is_virtual_op(uint32_t op) { return op == 0x6e || op == 0x74 || op == 0x72 || op == 0x78; }
static int is_super_op(uint32_t op) { return op == 0x6f || op == 0x75; }

#define EV_INVOKE_KIND 1u

/* invoked_pair(events, method_ids_size) -> (vids, sids)
 * _dexscan.invoked_ids(events, method_ids_size, ops) for the virtual/interface opcodes (vids) and for the super
 * opcodes (sids) in one pass: sorted distinct u32 method ids. ValueError as those two calls in that order: the
 * first virtual/interface event out of range, else the first super one. */
static PyObject *reach_invoked_pair(PyObject *self, PyObject *args) {
    Py_buffer ev;
    unsigned long long n_ids;
    if (!PyArg_ParseTuple(args, "y*K", &ev, &n_ids)) return NULL;
    PyObject *res = NULL, *vb = NULL, *sb = NULL;
    uint8_t *seen = NULL;
    uint32_t *ids = NULL;
    char msg[96];
    if (ev.len % 20) {
        PyErr_SetString(PyExc_ValueError, "events length is not a multiple of 20");
        goto done;
    }
    if (n_ids > 0xffffffffu) {
        PyErr_SetString(PyExc_ValueError, "too many method ids");
        goto done;
    }
    const uint8_t *base = (const uint8_t *)ev.buf;
    size_t n = (size_t)ev.len / 20, bad_v = (size_t)-1, bad_s = (size_t)-1;
    uint32_t bad_v_idx = 0, bad_s_idx = 0;
    /* bit 1: virtual/interface, bit 2: super; u32 lists when the flags would be far bigger than the events */
    int flags_ok = n_ids <= 64 * (uint64_t)n + 65536;
    size_t nv = 0, ns = 0;
    if (flags_ok) {
        seen = (uint8_t *)calloc(n_ids ? (size_t)n_ids : 1, 1);
        if (!seen) goto nomem;
    } else {
        ids = (uint32_t *)malloc((2 * n + 1) * 4);
        if (!ids) goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t k = rd32(base + i * 20);
        if (k >> 8 != EV_INVOKE_KIND) continue;
        uint32_t op = k & 0xff;
        int v = is_virtual_op(op), s = !v && is_super_op(op);
        if (!v && !s) continue;
        uint32_t idx = rd32(base + i * 20 + 8);
        if (idx >= n_ids) {
            if (v && bad_v == (size_t)-1) bad_v = i, bad_v_idx = idx;
            if (s && bad_s == (size_t)-1) bad_s = i, bad_s_idx = idx;
            continue;
        }
        if (flags_ok) seen[idx] |= v ? 1 : 2;
        else if (v) ids[nv++] = idx;
        else ids[n - 0 + ns++] = idx; /* super ids from position n on */
    }
    if (bad_v != (size_t)-1 || bad_s != (size_t)-1) {
        size_t i = bad_v != (size_t)-1 ? bad_v : bad_s;
        snprintf(msg, sizeof msg, "event %zu: method index %u out of range", i,
                 bad_v != (size_t)-1 ? bad_v_idx : bad_s_idx);
        PyErr_SetString(PyExc_ValueError, msg);
        goto done;
    }
    if (flags_ok) {
        for (size_t m = 0; m < n_ids; m++) nv += seen[m] & 1, ns += (seen[m] >> 1) & 1;
        vb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nv * 4));
        sb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(ns * 4));
        if (!vb || !sb) goto done;
        uint32_t *pv = (uint32_t *)PyBytes_AS_STRING(vb), *ps = (uint32_t *)PyBytes_AS_STRING(sb);
        for (size_t m = 0; m < n_ids; m++) {
            if (seen[m] & 1) *pv++ = (uint32_t)m;
            if (seen[m] & 2) *ps++ = (uint32_t)m;
        }
    } else {
        uint32_t *lists[2] = {ids, ids + n};
        size_t lens[2] = {nv, ns};
        PyObject **outs[2] = {&vb, &sb};
        for (int w = 0; w < 2; w++) {
            uint32_t *a = lists[w];
            size_t len = lens[w], u = 0;
            qsort(a, len, 4, u32_cmp);
            for (size_t i = 0; i < len; i++)
                if (!u || a[u - 1] != a[i]) a[u++] = a[i];
            *outs[w] = PyBytes_FromStringAndSize((const char *)a, (Py_ssize_t)(u * 4));
            if (!*outs[w]) goto done;
        }
    }
    res = PyTuple_Pack(2, vb, sb);
    goto done;
nomem:
    PyErr_NoMemory();
done:
    Py_XDECREF(vb);
    Py_XDECREF(sb);
    free(seen);
    free(ids);
    PyBuffer_Release(&ev);
    return res;
}

/* ---- class_numbers --------------------------------------------------------------------------------------- */

/* class_numbers(types, app, base[, defs, ci]) -> bytes
 * u32 per item of `types` (a list): NONE when app.get(item) is None, else base[ci] + cdi for app[item] ==
 * (ci, cdi) (CallGraph._hierarchy_all_args' type statuses). ValueError when a value is not such a pair of ints
 * with ci an index of `base` (a list of ints) or the number does not fit in u32 below NONE.
 * With `defs` (the class defs of DEX `ci`, 8 u32 each, of which the first is the class's type index) the caller
 * says no class is defined twice in the app, so that app[types[t]] == (ci, k) for the type t of def k: those
 * items get base[ci] + k without a lookup (a later def of the same type index wins), the others are looked up.
 * ValueError "class defs must be 8 u32 per class of a DEX of base" for a bad `defs` or `ci`. */
static PyObject *reach_class_numbers(PyObject *self, PyObject *args) {
    PyObject *types, *app, *base;
    Py_buffer defs = {0};
    Py_ssize_t dci = -1;
    if (!PyArg_ParseTuple(args, "O!O!O!|y*n", &PyList_Type, &types, &PyDict_Type, &app, &PyList_Type, &base, &defs,
                          &dci))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(types), nb = PyList_GET_SIZE(base);
    uint8_t *filled = NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 4);
    if (!out) goto fail;
    uint32_t *o = (uint32_t *)PyBytes_AS_STRING(out);
    if (defs.buf) {
        long long b = -1;
        if (defs.len % 32 == 0 && dci >= 0 && dci < nb) {
            b = PyLong_AsLongLong(PyList_GET_ITEM(base, dci));
            if (b == -1 && PyErr_Occurred()) goto fail;
        }
        if (b < 0 || b + (long long)(defs.len / 32) > (long long)NONE_ID) {
            PyErr_SetString(PyExc_ValueError, "class defs must be 8 u32 per class of a DEX of base");
            goto fail;
        }
        filled = (uint8_t *)calloc(n ? (size_t)n : 1, 1);
        if (!filled) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t k = 0; k < defs.len / 32; k++) {
            uint32_t t = ld32((const uint8_t *)defs.buf, (size_t)k * 8);
            if (t < (uint64_t)n) {
                o[t] = (uint32_t)(b + k);
                filled[t] = 1;
            }
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (filled && filled[i]) continue;
        PyObject *key = PyList_GET_ITEM(types, i);
        PyObject *w = PyDict_GetItemWithError(app, key);
        if (!w) {
            if (PyErr_Occurred()) goto fail;
            o[i] = NONE_ID;
            continue;
        }
        if (w == Py_None) {
            o[i] = NONE_ID;
            continue;
        }
        if (!PyTuple_Check(w) || PyTuple_GET_SIZE(w) != 2) goto bad;
        long long ci = PyLong_AsLongLong(PyTuple_GET_ITEM(w, 0));
        if (ci == -1 && PyErr_Occurred()) goto fail;
        long long cdi = PyLong_AsLongLong(PyTuple_GET_ITEM(w, 1));
        if (cdi == -1 && PyErr_Occurred()) goto fail;
        if (ci < 0 || ci >= nb || cdi < 0) goto bad;
        long long b = PyLong_AsLongLong(PyList_GET_ITEM(base, ci));
        if (b == -1 && PyErr_Occurred()) goto fail;
        if (b < 0 || b + cdi >= (long long)NONE_ID) goto bad;
        o[i] = (uint32_t)(b + cdi);
    }
    free(filled);
    if (defs.buf) PyBuffer_Release(&defs);
    return out;
bad:
    PyErr_SetString(PyExc_ValueError, "class map values must be (DEX number, class def index)");
fail:
    free(filled);
    if (defs.buf) PyBuffer_Release(&defs);
    Py_XDECREF(out);
    return NULL;
}

/* ---- ids_ordered ----------------------------------------------------------------------------------------- */

/* ids_ordered(types, method_class) -> bool
 * Whether every item of `types` (a list) is a str, each strictly below the next as Python compares them, and the
 * u16 items (native order) of `method_class` (a buffer) never decrease: what CallGraph._lookup's bisection needs (its twin is
 * CallGraph._is_ordered's test). ValueError for a buffer of odd length. */
static PyObject *reach_ids_ordered(PyObject *self, PyObject *args) {
    PyObject *types;
    Py_buffer mb;
    if (!PyArg_ParseTuple(args, "O!y*", &PyList_Type, &types, &mb)) return NULL;
    int ok = 1;
    if (mb.len % 2) {
        PyBuffer_Release(&mb);
        PyErr_SetString(PyExc_ValueError, "method classes must hold u16 values");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(types);
    for (Py_ssize_t i = 0; i < n && ok; i++)
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(types, i))) ok = 0;
    for (Py_ssize_t i = 1; i < n && ok; i++) {
        PyObject *a = PyList_GET_ITEM(types, i - 1), *b = PyList_GET_ITEM(types, i);
        if (PyUnicode_KIND(a) == PyUnicode_1BYTE_KIND && PyUnicode_KIND(b) == PyUnicode_1BYTE_KIND) {
            /* one byte per character: bytewise order is code point order */
            Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b);
            int c = memcmp(PyUnicode_1BYTE_DATA(a), PyUnicode_1BYTE_DATA(b), (size_t)(la < lb ? la : lb));
            ok = c < 0 || (c == 0 && la < lb);
        } else {
            int r = PyObject_RichCompareBool(a, b, Py_LT);
            if (r < 0) {
                PyBuffer_Release(&mb);
                return NULL;
            }
            ok = r;
        }
    }
    const uint8_t *p = (const uint8_t *)mb.buf;
    size_t nm = (size_t)mb.len / 2;
    for (size_t i = 1; i < nm && ok; i++) {
        uint16_t x, y; /* native order (an array("H")'s buffer) */
        memcpy(&x, p + 2 * i - 2, 2);
        memcpy(&y, p + 2 * i, 2);
        ok = x <= y;
    }
    PyBuffer_Release(&mb);
    return PyBool_FromLong(ok);
}

/* ---- intern_all ------------------------------------------------------------------------------------------ */

static inline uint32_t le32(const uint8_t *p) { return rd32(p); }
static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* A fast 64-bit hash of bytes (8 at a time, the length mixed in last: istr_resolve hashes a string word by word
 * while it looks for its end, with these same steps). Only used to bucket descriptors: results never depend on its
 * values, only on its being a function of the bytes. */
#define HB_SEED 0x9E3779B97F4A7C15ull
static inline uint64_t hb_word(uint64_t h, uint64_t w) {
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}
static inline uint64_t hb_final(uint64_t h, uint64_t tail, size_t n) { /* tail: the last n % 8 bytes, 0-padded */
    h = (h ^ tail ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}
static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = HB_SEED;
    size_t left = n;
    while (left >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = hb_word(h, w);
        p += 8;
        left -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, left);
    return hb_final(h, w, n);
}

#define SIG_SEED 0x5bd1e9955bd1e995ull /* hierarchy_all's sig hashes (and intern_all's hints of them) */

static inline uint64_t mix3(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t h = (a ^ 0x2545F4914F6CDD1Dull) * 0xff51afd7ed558ccdull;
    h = (h ^ (h >> 32) ^ b) * 0xc4ceb9fe1a85ec53ull;
    h = (h ^ (h >> 29) ^ c) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

typedef struct { /* a string of the DEX: its bytes up to the NUL */
    const uint8_t *ptr;
    uint32_t len;
    uint8_t state; /* 0 not resolved, 1 ASCII, 2 not ASCII, 3 out of bounds */
    uint8_t odd;   /* types: holds "->"; names: holds "(" */
    uint64_t hash;
} istr_t;

typedef struct { /* a method name string: an istr_t without its pointer (16 bytes: the table is indexed by string id,
                  * one per DEX string; the bytes are found again by istr_ptr for the few names compared) */
    uint64_t hash;
    uint32_t len;
    uint8_t state;
    uint8_t odd;
} iname_t;

typedef struct { /* a proto: "(params)ret" */
    uint8_t state;   /* 0 not resolved, 1 ASCII, 2 not ASCII, 3 a check fails */
    uint32_t len;    /* of ret and the params' descriptors (what desc_build adds up) */
    uint32_t n_params;
    uint32_t same;   /* intern_all: (DEX + 1) << 16 | proto of a proto whose bytes were found equal, 0 none */
    uint64_t hash;   /* of "(params)ret" */
} iproto_t;

typedef struct {
    Py_buffer view;
    int has_view;
    const uint8_t *buf;
    size_t size;
    unsigned long s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size;
    istr_t *types;
    iname_t *names;
    iproto_t *protos;
} idex_t;

/* string `sidx` (checked < s_size by the caller) resolved into *o: as _dexscan's string_ref (state 3 when it is
 * out of bounds), `odd` = the bytes hold `odd_what` ("->" when arrow, else "("), and their hash (hash_bytes).
 * On a little-endian host one pass of 8-byte words finds the NUL, the non-ASCII bytes, a byte of `odd_what` and
 * the hash at once (a string's bytes were read four times: memchr, the ASCII test, memmem, the hash); words are
 * read only inside the buffer, the last few bytes of the buffer one by one. */
static void istr_resolve(idex_t *x, uint32_t sidx, istr_t *o, int arrow) {
    size_t pos = rd32(x->buf + x->s_off + (size_t)sidx * 4), end = x->size;
    o->state = 3;
    if (pos >= end) return;
    int i;
    for (i = 0; i < 5; i++) { /* the uleb128 length in UTF-16 units, skipped */
        if (pos >= end) return;
        if (!(x->buf[pos++] & 0x80)) break;
    }
    if (i == 5) return;
    const uint8_t *str = x->buf + pos;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t probe = ones * (uint64_t)(arrow ? '>' : '('); /* "->" holds a '>' */
    size_t avail = end - pos, k = 0;
    uint64_t h = HB_SEED, acc = 0, seen = 0, w, tail;
    for (;; k += 8) {
        if (avail - k < 8) { /* the buffer's last bytes: the NUL must be among them */
            const uint8_t *nul = memchr(str + k, 0, avail - k);
            if (!nul) return;
            size_t t = (size_t)(nul - (str + k));
            tail = 0;
            memcpy(&tail, str + k, t);
            uint64_t rest = t ? ~0ull << (8 * t) : ~0ull; /* the bytes past the NUL, made 0xff */
            w = tail | rest;
            acc |= tail;
            uint64_t q = w ^ probe;
            seen |= (q - ones) & ~q & highs;
            k += t;
            break;
        }
        memcpy(&w, str + k, 8);
        uint64_t z = (w - ones) & ~w & highs; /* its lowest bit set: the first NUL (exact) */
        if (z) {
            size_t t = (size_t)__builtin_ctzll(z) >> 3;
            uint64_t keep = t ? ~0ull >> (64 - 8 * t) : 0;
            tail = w & keep;
            acc |= tail;
            uint64_t q = (tail | ~keep) ^ probe;
            seen |= (q - ones) & ~q & highs;
            k += t;
            break;
        }
        acc |= w;
        uint64_t q = w ^ probe;
        seen |= (q - ones) & ~q & highs;
        h = hb_word(h, w);
    }
    size_t len = k;
    if (len > 0xffffffffu) return;
    o->ptr = str;
    o->len = (uint32_t)len;
    o->state = (acc & highs) ? 2 : 1;
    o->odd = seen ? (arrow ? (len >= 2 && memmem(str, len, "->", 2) != NULL) : 1) : 0;
    o->hash = hb_final(h, tail, len);
#else
    const uint8_t *nul = memchr(str, 0, end - pos);
    if (!nul || (size_t)(nul - str) > 0xffffffffu) return;
    size_t len = (size_t)(nul - str), k = 0;
    uint8_t state = 1;
    for (; k < len; k++)
        if (str[k] & 0x80) {
            state = 2;
            break;
        }
    o->ptr = str;
    o->len = (uint32_t)len;
    o->state = state;
    o->odd = arrow ? (len >= 2 && memmem(str, len, "->", 2) != NULL) : (memchr(str, '(', len) != NULL);
    o->hash = hash_bytes(str, len);
#endif
}

static const istr_t *itype(idex_t *x, uint32_t t) { /* NULL when a check fails */
    if (t >= x->t_size) return NULL;
    istr_t *o = &x->types[t];
    if (!o->state) {
        uint32_t sidx = rd32(x->buf + x->t_off + (size_t)t * 4);
        if (sidx >= x->s_size) {
            o->state = 3;
            return NULL;
        }
        istr_resolve(x, sidx, o, 1);
    }
    return o->state == 3 ? NULL : o;
}

/* the bytes "(params)ret" of proto p (resolved: state 1 or 2) into *out (at least 2 + len bytes) */
static size_t iproto_bytes(idex_t *x, uint32_t p, uint8_t *out) {
    const uint8_t *proto = x->buf + x->p_off + (size_t)p * 12;
    uint32_t params_off = rd32(proto + 8), n = x->protos[p].n_params;
    size_t w = 0;
    out[w++] = '(';
    for (uint32_t k = 0; k < n; k++) {
        const istr_t *t = &x->types[le16(x->buf + params_off + 4 + (size_t)k * 2)];
        memcpy(out + w, t->ptr, t->len);
        w += t->len;
    }
    out[w++] = ')';
    const istr_t *r = &x->types[rd32(proto + 4)];
    memcpy(out + w, r->ptr, r->len);
    return w + r->len;
}

typedef struct {
    uint8_t *p;
    size_t cap;
} ibuf_t;

static int ibuf_reserve(ibuf_t *b, size_t n) {
    if (n <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n) cap *= 2;
    uint8_t *q = (uint8_t *)realloc(b->p, cap);
    if (!q) return -1;
    b->p = q;
    b->cap = cap;
    return 0;
}

/* resolve proto p: 0 ok, 1 a check fails, -1 out of memory */
static int iproto(idex_t *x, uint32_t p, ibuf_t *scratch) {
    iproto_t *o = &x->protos[p];
    if (o->state) return o->state == 3;
    o->state = 3;
    const uint8_t *proto = x->buf + x->p_off + (size_t)p * 12;
    const istr_t *ret = itype(x, rd32(proto + 4));
    if (!ret) return 1;
    uint32_t params_off = rd32(proto + 8), n = 0;
    if (params_off) {
        if ((params_off & 3) || (uint64_t)params_off + 4 > x->size) return 1;
        n = rd32(x->buf + params_off);
        if ((uint64_t)params_off + 4 + (uint64_t)n * 2 > x->size) return 1;
    }
    uint64_t len = ret->len;
    uint8_t state = ret->state;
    for (uint32_t k = 0; k < n; k++) {
        const istr_t *t = itype(x, le16(x->buf + params_off + 4 + (size_t)k * 2));
        if (!t) return 1;
        len += t->len;
        if (t->state != 1) state = 2;
    }
    if (len > 0xffffffffu - 2 || ibuf_reserve(scratch, (size_t)len + 2)) return len > 0xffffffffu - 2 ? 1 : -1;
    o->len = (uint32_t)len;
    o->n_params = n;
    o->state = state;
    o->hash = hash_bytes(scratch->p, iproto_bytes(x, p, scratch->p));
    return 0;
}

static const iname_t *iname(idex_t *x, uint32_t sidx) { /* NULL when a check fails */
    if (sidx >= x->s_size) return NULL;
    iname_t *o = &x->names[sidx];
    if (!o->state) {
        istr_t r;
        istr_resolve(x, sidx, &r, 0);
        o->state = r.state;
        if (r.state != 3) {
            o->hash = r.hash;
            o->len = r.len;
            o->odd = r.odd;
        }
    }
    return o->state == 3 ? NULL : o;
}

/* the first byte of string `sidx` (< s_size) of x, NULL when its offset or length is out of bounds */
static const uint8_t *istr_ptr(idex_t *x, uint32_t sidx) {
    size_t pos = rd32(x->buf + x->s_off + (size_t)sidx * 4);
    for (int i = 0; i < 5; i++) { /* the uleb128 length in UTF-16 units, skipped */
        if (pos >= x->size) return NULL;
        if (!(x->buf[pos++] & 0x80)) return x->buf + pos;
    }
    return NULL;
}

/* Pass 0 of intern_all for DEX x: the names of its method ids, its types and its protos resolved into the caches
 * in table order (string, type and proto ids ascending: the DEX's bytes read forward, where pass 1 would jump
 * through the string data in method order). Only a cache fill: it stops at the first failed check (which pass 1
 * reports if a method uses it) or once its work (the bytes resolved) passes pass 1's budget (pass 1 resolves the
 * rest as before). 0, -1 out of memory, -2 past the deadline (no error set). */
static int iprefill(idex_t *x, ibuf_t *scratch, double deadline) {
    uint64_t budget = (uint64_t)x->size * 64 + (1u << 20), work = 0;
    uint8_t *used = (uint8_t *)calloc(x->s_size / 8 + 1, 1);
    if (!used) return -1;
    for (size_t i = 0; i < x->m_size; i++) {
        uint32_t s = rd32(x->buf + x->m_off + i * 8 + 4);
        if (s < x->s_size) used[s >> 3] |= (uint8_t)(1u << (s & 7));
    }
    int r = 0;
    size_t n = x->s_size + x->t_size + x->p_size;
    for (size_t k = 0; k < n; k++) {
        uint64_t cost;
        if (k < x->s_size) {
            if (!(used[k >> 3] >> (k & 7) & 1)) continue;
            const iname_t *o = iname(x, (uint32_t)k);
            if (!o) break;
            cost = 1 + (uint64_t)o->len;
        } else if (k < x->s_size + x->t_size) {
            const istr_t *o = itype(x, (uint32_t)(k - x->s_size));
            if (!o) break;
            cost = 1 + (uint64_t)o->len;
        } else {
            uint32_t p = (uint32_t)(k - x->s_size - x->t_size);
            int got = iproto(x, p, scratch);
            if (got < 0) {
                r = -1;
                break;
            }
            if (got) break;
            cost = 1 + (uint64_t)x->protos[p].len + x->protos[p].n_params;
        }
        if (cost >= budget) break;
        budget -= cost;
        work += 1 + cost / 64;
        if (work >= 65536) {
            work = 0;
            if (deadline > 0 && mono_now() >= deadline) {
                r = -2;
                break;
            }
        }
    }
    free(used);
    return r;
}

/* intern_all(dexes, decodes[, deadline]) -> (maps, reps) | None
 * _dexscan.intern_methods over every DEX at once (dexes: the id tables of each, see dexids_t; decodes[k](method id)
 * gives the descriptor of a method id of DEX k that is not pure ASCII): maps[k] holds the node id (u32) of each
 * method id of DEX k, reps a (DEX number, method id) u32 pair per node - the same numbering (first seen over the
 * DEX files, one node per distinct descriptor string). Each method's hash is made of its class descriptor's, its
 * name's and its proto's (each computed once per DEX), so no descriptor is built but to compare two that hash
 * alike. None (the caller then runs intern_methods DEX by DEX, which raises its error) when one of method_descs'
 * checks fails in a DEX, or a class descriptor holds "->" or a name "(" (the parts would not follow from the
 * descriptor). TimeoutError past `deadline`; what a decode raises; TypeError when it gives no str.
 * With `hints` true, a third item: per DEX, bytes of a u64 per method id, the sig hash hierarchy_all would make of
 * it (0 when its name or proto is not ASCII), for hierarchy_all's `hints` (its twin gives None: they change no
 * result, they spare hierarchy_all the parts of every sig). */
static PyObject *reach_intern_all(PyObject *self, PyObject *args) {
    PyObject *dexes, *decodes;
    double deadline = 0;
    int want_hints = 0;
    if (!PyArg_ParseTuple(args, "O!O!|dp", &PyList_Type, &dexes, &PyList_Type, &decodes, &deadline, &want_hints))
        return NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    if (PyList_GET_SIZE(decodes) != n_dex) {
        PyErr_SetString(PyExc_ValueError, "one decode per DEX");
        return NULL;
    }
    idex_t *xs = (idex_t *)calloc((size_t)(n_dex ? n_dex : 1), sizeof(idex_t));
    PyObject *res = NULL, *maps = NULL, *other = NULL, *repb = NULL, *hint_list = NULL;
    uint32_t *slots = NULL, *reps = NULL;
    uint64_t *hh = NULL; /* hh: per method id of the DEX being numbered, its hash */
    iname_t *names = NULL; /* the names cache of the DEX being numbered (one buffer for all, cleared per DEX) */
    uint8_t *asc = NULL;               /* and whether its descriptor is ASCII */
    ibuf_t sa = {NULL, 0}, sb = {NULL, 0};
    int decline = 0;
    if (!xs) return PyErr_NoMemory();
    size_t total = 0;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        idex_t *x = &xs[k];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(dexes, k), "y*kkkkkkkk;id tables: (buf, 8 table offsets and sizes)",
                              &x->view, &x->s_off, &x->s_size, &x->t_off, &x->t_size, &x->p_off, &x->p_size,
                              &x->m_off, &x->m_size))
            goto done;
        x->has_view = 1;
        x->buf = (const uint8_t *)x->view.buf;
        x->size = (size_t)x->view.len;
        if ((uint64_t)x->s_off + (uint64_t)x->s_size * 4 > x->size || (uint64_t)x->t_off + (uint64_t)x->t_size * 4 > x->size ||
            (uint64_t)x->p_off + (uint64_t)x->p_size * 12 > x->size || (uint64_t)x->m_off + (uint64_t)x->m_size * 8 > x->size) {
            decline = 1;
            goto done;
        }
        total += x->m_size;
    }
    if (total >= 0x7fffffffu) {
        decline = 1;
        goto done;
    }
    size_t cap = 16;
    while (cap < 2 * total + 2) cap <<= 1;
    /* a slot: node + 1 below the slot count (n + 1 <= cap / 2), a tag of hash bits above it */
    const uint32_t idmask = cap > 0x80000000u ? 0xffffffffu : (uint32_t)(cap - 1);
    size_t max_m = 1, max_s = 1;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        if (xs[k].m_size > max_m) max_m = xs[k].m_size;
        if (xs[k].s_size > max_s) max_s = xs[k].s_size;
    }
    slots = (uint32_t *)calloc(cap, 4);
    /* the representatives, written in place in the result's bytes (then cut to the node count) */
    if ((repb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((2 * total + 2) * 4))) != NULL)
        reps = (uint32_t *)PyBytes_AS_STRING(repb);
    hh = (uint64_t *)malloc(max_m * 8);
    names = (iname_t *)malloc(max_s * sizeof(iname_t));
    asc = (uint8_t *)malloc(max_m);
    maps = PyList_New(n_dex);
    other = PyDict_New();
    if (want_hints && !(hint_list = PyList_New(n_dex))) goto done;
    if (!slots || !reps || !hh || !asc || !names) {
        PyErr_NoMemory();
        goto done;
    }
    if (!maps || !other) goto done;
    size_t n = 0;
    uint64_t work = 0;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        idex_t *x = &xs[k];
        x->types = (istr_t *)calloc(x->t_size ? x->t_size : 1, sizeof(istr_t));
        memset(names, 0, (x->s_size ? x->s_size : 1) * sizeof(iname_t));
        x->names = names;
        x->protos = (iproto_t *)calloc(x->p_size ? x->p_size : 1, sizeof(iproto_t));
        PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(x->m_size * 4));
        if (!x->types || !x->names || !x->protos) {
            Py_XDECREF(out);
            PyErr_NoMemory();
            goto done;
        }
        if (!out) goto done;
        PyList_SET_ITEM(maps, k, out);
        uint32_t *ids = (uint32_t *)PyBytes_AS_STRING(out);
        uint64_t *hint = NULL; /* the sig hash hierarchy_all's sig_hash gives each method id (0: not ASCII) */
        if (hint_list) {
            PyObject *hb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(x->m_size * 8));
            if (!hb) goto done;
            PyList_SET_ITEM(hint_list, k, hb);
            hint = (uint64_t *)PyBytes_AS_STRING(hb);
        }
        uint64_t budget = (uint64_t)x->size * 64 + (1u << 20);
        int pre = iprefill(x, &sa, deadline);
        if (pre) {
            if (pre == -1) PyErr_NoMemory();
            else PyErr_SetString(PyExc_TimeoutError, "deadline passed");
            goto done;
        }
        /* pass 1: every method checked (method_descs' checks: any failure declines) and hashed from its parts;
         * pass 2 numbers them in order, the table slot of a method a few ahead prefetched (the table is far
         * bigger than the caches) */
        for (size_t i = 0; i < x->m_size; i++) {
            const uint8_t *mid = x->buf + x->m_off + i * 8;
            const istr_t *cls = itype(x, le16(mid));
            const iname_t *name = NULL;
            uint32_t p = le16(mid + 2);
            if (cls) name = iname(x, rd32(mid + 4));
            int bad = !cls || !name || p >= x->p_size;
            if (!bad) {
                int r = iproto(x, p, &sa);
                if (r < 0) {
                    PyErr_NoMemory();
                    goto done;
                }
                bad = r;
            }
            if (bad || cls->odd || name->odd) {
                decline = 1;
                goto done;
            }
            const iproto_t *pr = &x->protos[p];
            uint64_t cost = (uint64_t)cls->len + 4 + name->len + pr->len + pr->n_params;
            if (cost > budget) {
                decline = 1;
                goto done;
            }
            budget -= cost;
            work += 1 + cost / 64;
            if (work >= 65536) {
                work = 0;
                if (deadline > 0 && mono_now() >= deadline) {
                    PyErr_SetString(PyExc_TimeoutError, "deadline passed");
                    goto done;
                }
            }
            asc[i] = cls->state == 1 && name->state == 1 && pr->state == 1;
            hh[i] = asc[i] ? mix3(cls->hash, name->hash, pr->hash) : 0;
            if (hint) hint[i] = name->state == 1 && pr->state == 1 ? mix3(name->hash, pr->hash, SIG_SEED) | 1 : 0;
        }
        for (size_t i = 0; i < x->m_size; i++) {
            if (i + 32 < x->m_size && asc[i + 32]) { /* 32 ahead: ~1.5 us at ~45 ns a method (8: 4 ms slower) */
                uint64_t h8 = hh[i + 32];
                __builtin_prefetch(&slots[(size_t)(h8 ^ (h8 >> 31)) & (cap - 1)]);
            }
            uint32_t g = NONE_ID, tag = 0;
            size_t slot = 0;
            uint64_t h = hh[i];
            int ascii = asc[i];
            if (ascii) {
                const uint8_t *mid = x->buf + x->m_off + i * 8;
                const istr_t *cls = &x->types[le16(mid)];
                const iname_t *name = &x->names[rd32(mid + 4)];
                const uint8_t *name_ptr = NULL; /* its bytes, found when first compared */
                uint32_t p = le16(mid + 2);
                const iproto_t *pr = &x->protos[p];
                tag = (uint32_t)(h >> 32) & ~idmask;
                for (slot = (size_t)(h ^ (h >> 31)) & (cap - 1);; slot = (slot + 1) & (cap - 1)) {
                    uint32_t sv = slots[slot];
                    if (!sv) break;
                    if ((sv & ~idmask) != tag) continue; /* another hash: no need to read it */
                    uint32_t j = (sv & idmask) - 1; /* (its hash may differ: then its parts do) */
                    /* the parts of node j's representative (resolved when it was numbered) */
                    idex_t *y = &xs[reps[2 * j]];
                    const uint8_t *ym = y->buf + y->m_off + (size_t)reps[2 * j + 1] * 8;
                    const istr_t *ycls = &y->types[le16(ym)];
                    uint32_t yp = le16(ym + 2);
                    if (ycls->len != cls->len || memcmp(ycls->ptr, cls->ptr, cls->len) || y->protos[yp].len != pr->len)
                        continue; /* (same lengths of the parts: the parts' bytes decide, see the contract) */
                    /* the names: the bytes of this one (resolved in pass 1: in bounds, NUL-terminated) against the
                     * representative's, equal when they match and its string ends there (its names cache may be
                     * gone) */
                    if (!name_ptr) name_ptr = istr_ptr(x, rd32(mid + 4));
                    const uint8_t *yname = istr_ptr(y, rd32(ym + 4));
                    if (!name_ptr || !yname || (size_t)(yname - y->buf) + name->len >= y->size ||
                        memcmp(yname, name_ptr, name->len) || yname[name->len])
                        continue;
                    /* the protos: equal when this one was found equal to that one before (a class repeated in
                     * another DEX repeats its protos: their bytes are built and compared once per pair) */
                    uint32_t same = n_dex < 0xffff ? (uint32_t)(reps[2 * j] + 1) << 16 | yp : 0;
                    if (same && x->protos[p].same == same) {
                        g = j;
                        break;
                    }
                    if (y->protos[yp].hash != pr->hash) continue; /* (a function of the bytes) */
                    if (ibuf_reserve(&sa, (size_t)pr->len + 2) || ibuf_reserve(&sb, (size_t)pr->len + 2)) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    size_t la = iproto_bytes(x, p, sa.p), lb = iproto_bytes(y, yp, sb.p);
                    if (la == lb && !memcmp(sa.p, sb.p, la)) {
                        x->protos[p].same = same;
                        g = j;
                        break;
                    }
                }
            } else { /* not ASCII: the decoded descriptor, in the dict (it can equal no ASCII one) */
                PyObject *s = PyObject_CallFunction(PyList_GET_ITEM(decodes, k), "n", (Py_ssize_t)i);
                if (!s) goto done;
                if (!PyUnicode_Check(s)) {
                    Py_DECREF(s);
                    PyErr_SetString(PyExc_TypeError, "decode must give a str");
                    goto done;
                }
                PyObject *v = PyDict_GetItemWithError(other, s);
                if (v) g = (uint32_t)PyLong_AsUnsignedLong(v);
                else if (PyErr_Occurred()) {
                    Py_DECREF(s);
                    goto done;
                } else {
                    PyObject *gv = PyLong_FromSize_t(n);
                    int err = !gv || PyDict_SetItem(other, s, gv) < 0;
                    Py_XDECREF(gv);
                    if (err) {
                        Py_DECREF(s);
                        goto done;
                    }
                }
                Py_DECREF(s);
            }
            if (g == NONE_ID) {
                g = (uint32_t)n++;
                if (ascii) slots[slot] = (g + 1) | tag; /* the empty slot the probe stopped at */
                reps[2 * (size_t)g] = (uint32_t)k;
                reps[2 * (size_t)g + 1] = (uint32_t)i;
            }
            ids[i] = g;
        }
        x->names = NULL; /* the representatives' names are resolved again when compared */
    }
    if (_PyBytes_Resize(&repb, (Py_ssize_t)(n * 8)) == 0) /* (repb NULL otherwise) */
        res = hint_list ? PyTuple_Pack(3, maps, repb, hint_list) : PyTuple_Pack(2, maps, repb);
done:
    if (decline && !PyErr_Occurred()) {
        Py_XDECREF(res);
        res = Py_None;
        Py_INCREF(res);
    }
    Py_XDECREF(maps);
    Py_XDECREF(other);
    Py_XDECREF(repb);
    Py_XDECREF(hint_list);
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        if (xs[k].has_view) PyBuffer_Release(&xs[k].view);
        free(xs[k].types);
        free(xs[k].protos);
    }
    free(xs);
    free(slots);
    free(hh);
    free(names);
    free(asc);
    free(sa.p);
    free(sb.p);
    return res;
}

/* ---- hierarchy_all (hierarchy_extras across DEXes, with cached sig hashes) -------------------------------- */
/* Written from _dexscan.c's former hierarchy_all (its helpers as they are there; that copy is gone, this is the
 * one the engine runs), its records' and references' sig hashes made from the parts' hashes cached per DEX
 * (sig_hash below) instead of building and hashing each sig. */

typedef struct {
    uint32_t *data;
    size_t len; /* in uint32 */
    size_t cap;
    int oom;
} vec_t;

static int vec_push(vec_t *v, const uint32_t *rec, size_t n) {
    if (v->oom) return -1;
    if (v->len + n > v->cap) {
        size_t cap = v->cap ? v->cap : 1024;
        while (cap < v->len + n) {
            if (cap > ((size_t)-1) / 8) { v->oom = 1; return -1; }
            cap *= 2;
        }
        uint32_t *d = (uint32_t *)realloc(v->data, cap * sizeof(uint32_t));
        if (!d) { v->oom = 1; return -1; }
        v->data = d;
        v->cap = cap;
    }
    memcpy(v->data + v->len, rec, n * sizeof(uint32_t));
    v->len += n;
    return 0;
}

#define DL_EVERY 65536u
typedef struct {
    double at;     /* 0 = no deadline */
    uint64_t work; /* units since the clock was last read */
    int over;
} deadline_t;


/* Account `units` of work; 1 once the deadline has passed (and from then on). */
static inline int dl_spent(deadline_t *d, uint64_t units) {
    if (d->at <= 0) return 0;
    if (d->over) return 1;
    d->work += units;
    if (d->work < DL_EVERY) return 0;
    d->work = 0;
    if (mono_now() >= d->at) d->over = 1;
    return d->over;
}


static PyObject *deadline_error(void) {
    PyErr_SetString(PyExc_TimeoutError, "deadline passed");
    return NULL;
}


#include "_dexdesc.h" /* str_ref_t, string_ref, descs_t, type_ref(_at), sbuf_t, desc_build, descs_tables_ok */


#define SPLIT_ID 0xfffffffeu

static int has_arrow(PyObject *s) {
    if (!PyUnicode_Check(s) || PyUnicode_READY(s) < 0 || PyUnicode_KIND(s) != PyUnicode_1BYTE_KIND) {
        PyErr_Clear();
        return -1;
    }
    const char *d = (const char *)PyUnicode_1BYTE_DATA(s);
    size_t n = (size_t)PyUnicode_GET_LENGTH(s);
    for (const char *q = d; (q = memchr(q, '-', (size_t)(d + n - q))) != NULL; q++)
        if (q + 1 < d + n && q[1] == '>') return 1;
    return 0;
}

static int str_has_arrow(PyObject *s) {
    int a = has_arrow(s);
    if (a >= 0) return a;
    if (!PyUnicode_Check(s)) return -1;
    PyObject *key = PyUnicode_FromString("->");
    if (!key) {
        PyErr_Clear();
        return -1;
    }
    int r = PyUnicode_Contains(s, key);
    Py_DECREF(key);
    if (r < 0) {
        PyErr_Clear();
        return -1;
    }
    return r;
}

typedef struct {
    descs_t hd;
    PyObject *types;
    Py_buffer buf, mb, gb, tb, vb, sb;
    int parsed;
    unsigned long t_size, cd_off, cd_size, m_off, m_size;
    size_t base;
    uint32_t *tstat, *vmap, *smap; /* vmap, smap: the buffers of vobj, sobj (the result's bytes, written in place) */
    PyObject *vobj, *sobj;
    vec_t rest;
    idex_t ix; /* the same tables for sig_hash, with its per-type, per-name and per-proto caches */
    ibuf_t ib;
    Py_buffer hb; /* intern_all's hints for this DEX (u64 sig hash per method id, 0: not ASCII), if given */
    int has_hb;
} hdex_t;

typedef struct { /* 16 bytes: a class's records are read by the lower bound below (its DEX: dex_of_class) */
    uint64_t h;
    uint32_t ord; /* record order in its DEX: among equal sigs of a class the first record wins */
    uint32_t midx;
} grec_t;


/* desc_build(from_name = 1)'s result for method id `midx` of x (1 ASCII, 0 not, -1 a check fails, -2 out of
 * memory; nothing built) and, when 1, *h = a hash of its sig bytes "name(params)ret" made of its name's and its
 * proto's hashes, cached per DEX: the sig split at its first "(", so a function of the bytes alone (a name with
 * "(" is split from the built sig). */
static int sig_hash(hdex_t *x, uint32_t midx, uint64_t *h, sbuf_t *scratch) {
    if (x->has_hb) { /* made by intern_all from these tables (whose checks all passed there) */
        uint64_t v;
        memcpy(&v, (const uint8_t *)x->hb.buf + (size_t)midx * 8, 8);
        if (!v) return 0;
        *h = v;
        return 1;
    }
    idex_t *ix = &x->ix;
    const uint8_t *mid = x->hd.buf + x->m_off + (size_t)midx * 8;
    if (!itype(ix, rd16(mid))) return -1;
    const iname_t *name = iname(ix, rd32(mid + 4));
    uint32_t p = rd16(mid + 2);
    if (!name || p >= ix->p_size) return -1;
    int r = iproto(ix, p, &x->ib);
    if (r < 0) return -2;
    if (r) return -1;
    const iproto_t *pr = &ix->protos[p];
    if (name->state != 1 || pr->state != 1) return 0;
    if (!name->odd) {
        *h = mix3(name->hash, pr->hash, SIG_SEED) | 1; /* (never 0: intern_all's hints say "not ASCII" with 0) */
        return 1;
    }
    int built = desc_build(&x->hd, x->m_off, midx, NULL, NULL, scratch, 1);
    if (built != 1) return built;
    const char *q = memchr(scratch->p, '(', scratch->len);
    size_t k = q ? (size_t)(q - scratch->p) : scratch->len;
    *h = mix3(hash_bytes((const uint8_t *)scratch->p, k), hash_bytes((const uint8_t *)scratch->p + k, scratch->len - k),
              SIG_SEED) |
         1;
    return 1;
}

/* Whether the sigs of method id `a` of x and `b` of y (both hashed by sig_hash, ASCII) are equal bytes, from their
 * parts: 1 / 0, -1 when a name holds "(" or a string check fails (the caller compares the built sigs), -2 out of
 * memory. The names are read from the string table (no per-string cache: this runs about once per reference, and
 * one name string of one DEX needs no reading - the sig is then equal when the protos' bytes are). */
static int sig_equal(hdex_t *x, uint32_t a, hdex_t *y, uint32_t b) {
    const uint8_t *ma = x->hd.buf + x->m_off + (size_t)a * 8, *mb = y->hd.buf + y->m_off + (size_t)b * 8;
    uint32_t sa = rd32(ma + 4), sb = rd32(mb + 4);
    if (x != y || sa != sb) {
        str_ref_t na, nb;
        if (sa >= x->hd.s_size || sb >= y->hd.s_size || string_ref(x->hd.buf, x->hd.size, x->hd.s_off, sa, &na) ||
            string_ref(y->hd.buf, y->hd.size, y->hd.s_off, sb, &nb) || memchr(na.ptr, '(', na.len) ||
            memchr(nb.ptr, '(', nb.len))
            return -1;
        if (na.len != nb.len || memcmp(na.ptr, nb.ptr, na.len)) return 0;
    }
    uint32_t pa = rd16(ma + 2), pb = rd16(mb + 2);
    if (x == y && pa == pb) return 1; /* one proto of one DEX */
    if (pa >= x->ix.p_size || pb >= y->ix.p_size) return -1;
    int ra = iproto(&x->ix, pa, &x->ib), rb = iproto(&y->ix, pb, &y->ib);
    if (ra < 0 || rb < 0) return -2;
    if (ra || rb) return -1;
    const iproto_t *qa = &x->ix.protos[pa], *qb = &y->ix.protos[pb];
    if (qa->len != qb->len || qa->hash != qb->hash) return 0;
    if (ibuf_reserve(&x->ib, (size_t)qa->len + 2) || ibuf_reserve(&y->ib, (size_t)qb->len + 2)) return -2;
    if (x == y) { /* one buffer: the second proto's bytes after the first's */
        if (ibuf_reserve(&x->ib, 2 * ((size_t)qa->len + 2))) return -2;
        size_t la = iproto_bytes(&x->ix, pa, x->ib.p), lb = iproto_bytes(&x->ix, pb, x->ib.p + la);
        return la == lb && !memcmp(x->ib.p, x->ib.p + la, la);
    }
    size_t la = iproto_bytes(&x->ix, pa, x->ib.p), lb = iproto_bytes(&y->ix, pb, y->ib.p);
    return la == lb && !memcmp(x->ib.p, y->ib.p, la);
}

static int grec_cmp(const void *a, const void *b) {
    const grec_t *x = (const grec_t *)a, *y = (const grec_t *)b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* the DEX whose class defs hold app-wide class number c (< the class count) */
static inline hdex_t *dex_of_class(hdex_t *xs, Py_ssize_t n_dex, uint32_t c) {
    Py_ssize_t lo = 0, hi = n_dex - 1;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi + 1) / 2;
        if (xs[mid].base <= c) lo = mid;
        else hi = mid - 1;
    }
    return &xs[lo];
}

static inline int grec_lt(const grec_t *x, const grec_t *y) { return x->h < y->h || (x->h == y->h && x->ord < y->ord); }

static void grec_sift(grec_t *a, size_t root, size_t n) {
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n) return;
        if (c + 1 < n && grec_lt(&a[c], &a[c + 1])) c++;
        if (!grec_lt(&a[root], &a[c])) return;
        grec_t t = a[root];
        a[root] = a[c];
        a[c] = t;
        root = c;
    }
}

/* Sort by (h, ord) - the order qsort(grec_cmp) gives, the keys being distinct - inline: quicksort (median of
 * three), insertion sort below 17, heapsort past a depth limit (no quadratic case on crafted hashes). */
static void grec_sort_depth(grec_t *a, size_t n, int depth) {
    while (n > 16) {
        if (depth-- <= 0) {
            for (size_t i = n / 2; i-- > 0;) grec_sift(a, i, n);
            for (size_t end = n - 1; end > 0; end--) {
                grec_t t = a[0];
                a[0] = a[end];
                a[end] = t;
                grec_sift(a, 0, end);
            }
            return;
        }
        size_t m = n / 2;
        if (grec_lt(&a[m], &a[0])) { grec_t t = a[m]; a[m] = a[0]; a[0] = t; }
        if (grec_lt(&a[n - 1], &a[0])) { grec_t t = a[n - 1]; a[n - 1] = a[0]; a[0] = t; }
        if (grec_lt(&a[n - 1], &a[m])) { grec_t t = a[n - 1]; a[n - 1] = a[m]; a[m] = t; }
        grec_t pivot = a[m];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (grec_lt(&a[i], &pivot)) i++;
            while (grec_lt(&pivot, &a[j])) j--;
            if (i >= j) break;
            grec_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n): the smaller side recursively, the larger one in the loop */
        size_t left = j + 1;
        if (left < n - left) {
            grec_sort_depth(a, left, depth);
            a += left;
            n -= left;
        } else {
            grec_sort_depth(a + left, n - left, depth);
            n = left;
        }
    }
    for (size_t x = 1; x < n; x++) {
        grec_t v = a[x];
        size_t y = x;
        while (y > 0 && grec_lt(&v, &a[y - 1])) {
            a[y] = a[y - 1];
            y--;
        }
        a[y] = v;
    }
}

static void grec_sort(grec_t *a, size_t n) {
    int depth = 0;
    for (size_t k = n; k > 1; k >>= 1) depth += 2;
    grec_sort_depth(a, n, depth);
}

/* The lower bound of h in the n > 0 records b sorted by hash: the number of records whose hash is below h. A class's
 * records are read from memory once per group of references (about 27 records on average, 455,000 lookups at
 * 100 MB), so the lookup's cost is its cache misses: up to 32 records are counted (every compare independent, the
 * lines fetched at once), more are entered where h would fall were the hashes uniform (they are mixed), then
 * bracketed by doubling steps from there and halved. The same answer as a plain binary search for any hashes. */
static inline size_t grec_lower(const grec_t *b, size_t n, uint64_t h) {
    if (n <= 32) {
        size_t below = 0;
        for (size_t i = 0; i < n; i++) below += b[i].h < h;
        return below;
    }
    size_t g = (size_t)(((h >> 32) * (uint64_t)n) >> 32); /* < n when n < 2^32 (start[] is u32) */
    if (g >= n) g = n - 1;
    size_t lo, hi; /* b[lo - 1].h < h (or lo = 0), b[hi].h >= h (or hi = n): the answer is in [lo, hi] */
    if (b[g].h < h) {
        size_t step = 1;
        lo = g + 1;
        hi = n;
        while (lo + step - 1 < n) {
            if (b[lo + step - 1].h >= h) {
                hi = lo + step - 1;
                break;
            }
            lo += step;
            step <<= 1;
        }
    } else {
        size_t step = 1;
        hi = g;
        lo = 0;
        while (hi >= step) {
            if (b[hi - step].h < h) {
                lo = hi - step + 1;
                break;
            }
            hi -= step;
            step <<= 1;
        }
    }
    while (lo < hi) { /* the first of [lo, hi) whose hash is >= h (hi when none) */
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* hierarchy_all(dexes, vbase[, deadline[, hints]]) -> (maps, vedges, n_vnodes, rests) | None
 * (`hints`: what intern_all gave for these very tables with hints true, or None: the same result, each sig's hash
 * read from them. ValueError "hints do not match the DEX files".)
 * hierarchy_extras for every DEX of the app at once, the class hierarchy resolved across DEX files (a class, its
 * superclass and its subclasses may each be defined in another DEX): what an invoke-virtual/interface (vmap) or
 * invoke-super (smap) of each method id of each DEX also reaches, as CallGraph._hierarchy_targets defines it.
 *   dexes: per DEX, (ids, types, buf, tables, methods, gmap, tstat, vids, sids) as hierarchy_extras takes them
 *   (no split flags), but tstat: u32 per type id, the app-wide number of the class's first definition in the app
 *   (its class def index plus the class defs of the DEX files before its own), NONE when the app defines none.
 * Parents, chains, descendants and "defines" as in hierarchy_extras, over the app-wide class numbers (a class's
 * records are those of its first definition, read with its own DEX's tables and node map).
 * maps: per DEX (vmap, smap), u32 per method id; several targets: a virtual node vbase + k (numbered DEX by DEX,
 * virtual/interface references then super ones, each in the order of vids / sids) with edges (vbase + k, target)
 * in vedges, targets ascending; rests: per DEX, the (kind, method id) u32 pairs left to the caller: the reference's
 * type descriptor contains "->" or is not a str, or its name or proto is not pure ASCII.
 * A record whose name or proto is not pure ASCII is skipped (it cannot equal an ASCII reference). Returns None
 * when bytewise comparison would not be Python's: a record of a class involved whose descriptor cannot be built,
 * whose class descriptor contains "->" or is not a str, or whose method id's class is not its class def's.
 * ValueError ("DEX k: ...") on inconsistent arguments or out-of-range indices; TimeoutError past `deadline` (the
 * work grows with the referenced classes times their chains and descendants). */
static PyObject *reach_hierarchy_all(PyObject *self, PyObject *args) {
    PyObject *dexes, *hints = Py_None;
    unsigned long long vbase;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "O!K|dO", &PyList_Type, &dexes, &vbase, &deadline, &hints)) return NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    hdex_t *xs = (hdex_t *)calloc((size_t)(n_dex ? n_dex : 1), sizeof(hdex_t));
    if (!xs) return PyErr_NoMemory();
    deadline_t dl = {deadline, DL_EVERY, 0};
    PyObject *res = NULL, *maps = NULL, *rests = NULL;
    uint32_t *par_off = NULL, *ch_off = NULL, *ch = NULL, *mark = NULL, *stack = NULL, *start = NULL, *fill = NULL;
    uint8_t *wanted = NULL;
    uint16_t *cdex = NULL; /* per class number: its DEX (dex_of_class without a search), NULL: search */
    grec_t *recs = NULL;
    sbuf_t scratch = {NULL, 0, 0}, scratch2 = {NULL, 0, 0};
    vec_t vedges, tg, pars, refl, clsl, grp;
    memset(&vedges, 0, sizeof vedges);
    memset(&tg, 0, sizeof tg);
    memset(&pars, 0, sizeof pars);
    memset(&refl, 0, sizeof refl);
    memset(&clsl, 0, sizeof clsl);
    memset(&grp, 0, sizeof grp);
    char msg[160];
    msg[0] = 0;
    const char *err = NULL;
    Py_ssize_t bad = 0;
    int irregular = 0;
    size_t n_cls = 0;
    /* 0. the arguments of every DEX */
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        PyObject *item = PyList_GET_ITEM(dexes, k);
        if (!PyTuple_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "each DEX must be a tuple");
            goto done;
        }
        if (!PyArg_ParseTuple(item, "(kkkkk)O!y*(kkkkk)y*y*y*y*y*", &x->hd.s_off, &x->hd.s_size, &x->hd.t_off,
                              &x->hd.p_off, &x->hd.p_size, &PyList_Type, &x->types, &x->buf, &x->t_size,
                              &x->cd_off, &x->cd_size, &x->m_off, &x->m_size, &x->mb, &x->gb, &x->tb, &x->vb, &x->sb))
            goto done;
        x->parsed = 1;
        x->hd.buf = (const uint8_t *)x->buf.buf;
        x->hd.size = (size_t)x->buf.len;
        x->hd.t_size = x->t_size;
        size_t size = x->hd.size;
        bad = k;
        if ((size_t)PyList_GET_SIZE(x->types) != x->t_size) err = "descriptor lists do not match the tables";
        else if (descs_tables_ok(&x->hd, x->m_off, x->m_size)) err = x->hd.msg;
        else if ((uint64_t)x->cd_off + (uint64_t)x->cd_size * 32 > size) err = "class_defs out of bounds";
        else if (x->mb.len % 28) err = "methods length is not a multiple of 28";
        else if ((size_t)x->gb.len != x->m_size * 4) err = "node map length differs from method_ids";
        else if ((size_t)x->tb.len != x->t_size * 4) err = "type map length differs from type_ids";
        else if (x->vb.len % 4 || x->sb.len % 4) err = "method id lists must hold u32 values";
        if (err) goto fail;
        x->base = n_cls;
        n_cls += x->cd_size;
        if (n_cls >= SPLIT_ID) {
            err = "too many classes";
            goto fail;
        }
    }
    if (hints != Py_None) { /* intern_all's hints: one buffer of m_size u64 per DEX */
        if (!PyList_Check(hints) || PyList_GET_SIZE(hints) != n_dex) {
            bad = -1;
            err = "hints do not match the DEX files";
            goto fail;
        }
        for (Py_ssize_t k = 0; k < n_dex; k++) {
            hdex_t *x = &xs[k];
            if (PyObject_GetBuffer(PyList_GET_ITEM(hints, k), &x->hb, PyBUF_SIMPLE) < 0) goto done;
            x->has_hb = 1;
            if ((size_t)x->hb.len != (size_t)x->m_size * 8) {
                bad = -1;
                err = "hints do not match the DEX files";
                goto fail;
            }
        }
    }
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        size_t ts = x->t_size ? x->t_size : 1, ms = x->m_size ? x->m_size : 1;
        x->hd.types = (str_ref_t *)calloc(ts, sizeof(str_ref_t));
        x->ix.buf = x->hd.buf;
        x->ix.size = x->hd.size;
        x->ix.s_off = x->hd.s_off;
        x->ix.s_size = x->hd.s_size;
        x->ix.t_off = x->hd.t_off;
        x->ix.t_size = x->t_size;
        x->ix.p_off = x->hd.p_off;
        x->ix.p_size = x->hd.p_size;
        x->ix.m_off = x->m_off;
        x->ix.m_size = x->m_size;
        x->ix.types = (istr_t *)calloc(ts, sizeof(istr_t));
        /* names: only sig_hash without hints reads them (sig_equal reads the string table) */
        if (!x->has_hb && !(x->ix.names = (iname_t *)calloc(x->hd.s_size ? x->hd.s_size : 1, sizeof(iname_t))))
            goto nomem;
        x->ix.protos = (iproto_t *)calloc(x->hd.p_size ? x->hd.p_size : 1, sizeof(iproto_t));
        if (!x->ix.types || !x->ix.protos) goto nomem;
        x->tstat = (uint32_t *)malloc(ts * 4);
        if (!x->hd.types || !x->tstat) goto nomem;
        if (!(x->vobj = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(ms * 4))) ||
            !(x->sobj = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(ms * 4))))
            goto done;
        x->vmap = (uint32_t *)PyBytes_AS_STRING(x->vobj);
        x->smap = (uint32_t *)PyBytes_AS_STRING(x->sobj);
        memset(x->vmap, 0xff, ms * 4);
        memset(x->smap, 0xff, ms * 4);
        for (size_t t = 0; t < x->t_size; t++) {
            uint32_t v = rd32((const uint8_t *)x->tb.buf + t * 4);
            if (v != NONE_ID && v >= n_cls) {
                bad = k;
                snprintf(msg, sizeof msg, "type %zu: class number %u out of range", t, v);
                err = msg;
                goto fail;
            }
            x->tstat[t] = v;
        }
    }
    size_t nc1 = n_cls ? n_cls : 1;
    par_off = (uint32_t *)calloc(n_cls + 1, 4);
    ch_off = (uint32_t *)calloc(n_cls + 2, 4);
    mark = (uint32_t *)calloc(nc1, 4);
    stack = (uint32_t *)malloc(nc1 * 4);
    wanted = (uint8_t *)calloc(nc1, 1);
    start = (uint32_t *)calloc(n_cls + 1, 4);
    fill = (uint32_t *)calloc(n_cls + 1, 4);
    if (n_dex <= 0xffff && (cdex = (uint16_t *)malloc((n_cls ? n_cls : 1) * 2)) != NULL)
        for (Py_ssize_t k = 0; k < n_dex; k++)
            for (size_t c = 0; c < xs[k].cd_size; c++) cdex[xs[k].base + c] = (uint16_t)k;
    if (!par_off || !ch_off || !mark || !stack || !wanted || !start || !fill) goto nomem;
    /* 1. parents (app-wide class numbers) of the first definitions, and their children */
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        const uint8_t *d = x->hd.buf;
        size_t size = x->hd.size, t_size = x->t_size;
        for (size_t c = 0; c < x->cd_size; c++) {
            const uint8_t *cd = d + x->cd_off + c * 32;
            uint32_t t = rd32(cd), gc = (uint32_t)(x->base + c);
            if (t >= t_size) {
                bad = k;
                snprintf(msg, sizeof msg, "class def %zu: type index %u out of range", c, t);
                err = msg;
                goto fail;
            }
            par_off[gc] = (uint32_t)pars.len;
            if (x->tstat[t] != gc) continue; /* not the first definition of its class */
            uint32_t sup = rd32(cd + 8), ioff = rd32(cd + 12), n = 0;
            int ok = sup == NONE_ID || sup < t_size;
            if (ok && ioff) {
                if ((ioff & 3) || (uint64_t)ioff + 4 > size) ok = 0;
                else {
                    n = rd32(d + ioff);
                    if ((uint64_t)ioff + 4 + (uint64_t)n * 2 > size) ok = 0;
                    for (uint32_t q = 0; ok && q < n; q++)
                        if (rd16(d + ioff + 4 + (size_t)q * 2) >= t_size) ok = 0;
                }
            }
            if (!ok) continue;
            if (sup != NONE_ID && vec_push(&pars, &x->tstat[sup], 1)) goto nomem;
            for (uint32_t q = 0; q < n; q++)
                if (vec_push(&pars, &x->tstat[rd16(d + ioff + 4 + (size_t)q * 2)], 1)) goto nomem;
        }
    }
    par_off[n_cls] = (uint32_t)pars.len;
    for (size_t q = 0; q < pars.len; q++)
        if (pars.data[q] < n_cls) ch_off[pars.data[q] + 2]++;
    for (size_t c = 0; c < n_cls; c++) ch_off[c + 2] += ch_off[c + 1];
    ch = (uint32_t *)malloc((pars.len ? pars.len : 1) * 4);
    if (!ch) goto nomem;
    for (size_t c = 0; c < n_cls; c++)
        for (uint32_t q = par_off[c]; q < par_off[c + 1]; q++)
            if (pars.data[q] < n_cls) ch[ch_off[pars.data[q] + 1]++] = (uint32_t)c;
    /* 2. the references: checked, then grouped by class (runs of equal method class, as the ids come sorted) */
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        for (uint32_t kind = 0; kind < 2; kind++) {
            const uint8_t *ids = (const uint8_t *)(kind ? x->sb.buf : x->vb.buf);
            size_t n_ids = (size_t)(kind ? x->sb.len : x->vb.len) / 4;
            for (size_t i = 0; i < n_ids; i++) {
                uint32_t mid = rd32(ids + i * 4);
                bad = k;
                if (mid >= x->m_size) {
                    snprintf(msg, sizeof msg, "method index %u out of range", mid);
                    err = msg;
                    goto fail;
                }
                uint32_t t = rd16(x->hd.buf + x->m_off + (size_t)mid * 8);
                if (t >= x->t_size) {
                    snprintf(msg, sizeof msg, "method %u: type index %u out of range", mid, t);
                    err = msg;
                    goto fail;
                }
            }
        }
    }
    uint32_t gen = 0;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        const uint8_t *d = x->hd.buf;
        for (uint32_t kind = 0; kind < 2; kind++) {
            const uint8_t *ids = (const uint8_t *)(kind ? x->sb.buf : x->vb.buf);
            size_t n_ids = (size_t)(kind ? x->sb.len : x->vb.len) / 4;
            for (size_t i = 0; i < n_ids;) {
                uint32_t t = rd16(d + x->m_off + (size_t)rd32(ids + i * 4) * 8);
                size_t j = i + 1;
                while (j < n_ids && rd16(d + x->m_off + (size_t)rd32(ids + j * 4) * 8) == t) j++;
                int to_rest = str_has_arrow(PyList_GET_ITEM(x->types, t)) != 0;
                uint32_t cls = x->tstat[t];
                size_t cls_mark = clsl.len;
                uint32_t n_chain = 0, n_below = 0;
                if (!to_rest && cls != NONE_ID) {
                    uint32_t tag = ++gen, c = cls;
                    while (c < n_cls && mark[c] != tag) {
                        mark[c] = tag;
                        if (vec_push(&clsl, &c, 1)) goto nomem;
                        n_chain++;
                        c = par_off[c] < par_off[c + 1] ? pars.data[par_off[c]] : NONE_ID;
                    }
                    if (!kind) { /* descendants (depth-first; order does not matter) */
                        uint32_t top = 0;
                        tag = ++gen;
                        stack[top++] = cls;
                        mark[cls] = tag;
                        while (top) {
                            uint32_t u = stack[--top];
                            for (uint32_t q = ch_off[u]; q < ch_off[u + 1]; q++) {
                                uint32_t v = ch[q];
                                if (mark[v] == tag) continue;
                                mark[v] = tag;
                                stack[top++] = v;
                                if (vec_push(&clsl, &v, 1)) goto nomem;
                                n_below++;
                            }
                        }
                    }
                }
                if (dl_spent(&dl, 1u + n_chain + n_below)) goto timeout;
                if (to_rest) {
                    for (size_t q = i; q < j; q++) {
                        uint32_t pair[2] = {kind, rd32(ids + q * 4)};
                        if (vec_push(&x->rest, pair, 2)) goto nomem;
                    }
                } else if (cls != NONE_ID) {
                    uint32_t gw[7] = {(uint32_t)k, kind, (uint32_t)(j - i), n_chain, n_below, (uint32_t)refl.len,
                                      (uint32_t)cls_mark};
                    if (vec_push(&grp, gw, 7)) goto nomem;
                    for (size_t q = i; q < j; q++) {
                        uint32_t v = rd32(ids + q * 4);
                        if (vec_push(&refl, &v, 1)) goto nomem;
                    }
                    for (size_t q = cls_mark; q < clsl.len; q++) wanted[clsl.data[q]] = 1;
                }
                i = j;
            }
        }
    }
    /* 3. the records of the wanted classes grouped by class (counting sort), each class sorted by (sig hash,
     * record order) */
    size_t n_wanted = 0;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        const uint8_t *m = (const uint8_t *)x->mb.buf;
        size_t n_rec = (size_t)x->mb.len / 28;
        for (size_t r = 0; r < n_rec; r++) {
            uint32_t cdi = rd32(m + r * 28), midx = rd32(m + r * 28 + 4);
            bad = k;
            if (cdi >= x->cd_size) {
                snprintf(msg, sizeof msg, "method record %zu: class def index %u out of range", r, cdi);
                err = msg;
                goto fail;
            }
            if (midx >= x->m_size) {
                snprintf(msg, sizeof msg, "method record %zu: method index %u out of range", r, midx);
                err = msg;
                goto fail;
            }
            if (wanted[x->base + cdi]) {
                start[x->base + cdi + 1]++;
                n_wanted++;
            }
        }
    }
    for (size_t c = 0; c < n_cls; c++) start[c + 1] += start[c];
    memcpy(fill, start, (n_cls + 1) * sizeof(uint32_t));
    recs = (grec_t *)malloc((n_wanted ? n_wanted : 1) * sizeof(grec_t));
    if (!recs) goto nomem;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        const uint8_t *m = (const uint8_t *)x->mb.buf, *d = x->hd.buf;
        size_t n_rec = (size_t)x->mb.len / 28;
        uint32_t plain_ct = NONE_ID; /* the last class type found without "->" (a class's records come together) */
        for (size_t r = 0; r < n_rec; r++) {
            uint32_t cdi = rd32(m + r * 28), midx = rd32(m + r * 28 + 4);
            size_t gc = x->base + cdi;
            if (!wanted[gc]) continue;
            /* the method id's class must be the class def's (a name without "->"), so that the descriptor is
             * f"{name}->{sig}" */
            uint32_t ct = rd32(d + x->cd_off + (size_t)cdi * 32), mc = rd16(d + x->m_off + (size_t)midx * 8);
            PyObject *cname = PyList_GET_ITEM(x->types, ct);
            if (ct != plain_ct && str_has_arrow(cname) == 0) plain_ct = ct;
            if (mc >= x->t_size || ct != plain_ct ||
                (mc != ct && PyObject_RichCompareBool(PyList_GET_ITEM(x->types, mc), cname, Py_EQ) != 1)) {
                PyErr_Clear();
                irregular = 1;
                goto done;
            }
            uint64_t hr = 0;
            int ascii = sig_hash(x, midx, &hr, &scratch);
            if (ascii == -2) goto nomem;
            if (ascii < 0) {
                irregular = 1;
                goto done;
            }
            if (!ascii) continue; /* never equal to an ASCII reference's sig */
            grec_t *e = &recs[fill[gc]++];
            e->h = hr;
            e->ord = (uint32_t)r;
            e->midx = midx;
        }
    }
    for (size_t c = 0; c < n_cls; c++) {
        size_t lo = start[c], hi = fill[c]; /* fill: the ASCII records only */
        if (hi - lo > 16) {
            grec_sort(recs + lo, hi - lo);
            continue;
        }
        for (size_t a = lo + 1; a < hi; a++) {
            grec_t v = recs[a];
            size_t b = a;
            while (b > lo && grec_cmp(&recs[b - 1], &v) > 0) {
                recs[b] = recs[b - 1];
                b--;
            }
            recs[b] = v;
        }
    }
    /* 4. the targets of every grouped reference */
    uint32_t n_v = 0;
    for (size_t gi = 0; gi < grp.len; gi += 7) {
        hdex_t *x = &xs[grp.data[gi]];
        uint32_t kind = grp.data[gi + 1], nr = grp.data[gi + 2], nc = grp.data[gi + 3], nb = grp.data[gi + 4];
        const uint32_t *refs = refl.data + grp.data[gi + 5], *chain = clsl.data + grp.data[gi + 6];
        uint32_t *xmap = kind ? x->smap : x->vmap;
        const uint8_t *g = (const uint8_t *)x->gb.buf;
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t ref = refs[i];
            if (dl_spent(&dl, 1u + nc + nb)) goto timeout;
            uint64_t h = 0;
            int ascii = sig_hash(x, ref, &h, &scratch), built = 0;
            if (ascii == -2) goto nomem;
            if (ascii < 0) {
                irregular = 1;
                goto done;
            }
            if (!ascii) { /* left to the caller */
                uint32_t pair[2] = {kind, ref};
                if (vec_push(&x->rest, pair, 2)) goto nomem;
                continue;
            }
            tg.len = 0;
            for (uint32_t jx = 0; jx < nc + nb; jx++) {
                uint32_t c = chain[jx];          /* chain and below are contiguous */
                if (jx < nc && tg.len) continue; /* the nearest implementation only */
                size_t lo = start[c], hi = fill[c];
                if (lo < hi) lo += grec_lower(recs + lo, hi - lo, h); /* first record with this hash */
                hdex_t *y = NULL;
                for (; lo < fill[c] && recs[lo].h == h; lo++) {
                    if (!y) y = cdex ? &xs[cdex[c]] : dex_of_class(xs, n_dex, c);
                    int eq = sig_equal(x, ref, y, recs[lo].midx);
                    if (eq < 0) {
                        if (eq == -2) goto nomem;
                        if (!built) { /* the reference's sig bytes, to compare (its checks passed in sig_hash) */
                            if (desc_build(&x->hd, x->m_off, ref, NULL, NULL, &scratch, 1) == -2) goto nomem;
                            built = 1;
                        }
                        int r2 = desc_build(&y->hd, y->m_off, recs[lo].midx, NULL, NULL, &scratch2, 1);
                        if (r2 == -2) goto nomem;
                        eq = r2 == 1 && scratch2.len == scratch.len && !memcmp(scratch2.p, scratch.p, scratch.len);
                    }
                    if (eq) {
                        uint32_t node = rd32((const uint8_t *)y->gb.buf + (size_t)recs[lo].midx * 4);
                        if (vec_push(&tg, &node, 1)) goto nomem;
                        break;
                    }
                }
            }
            uint32_t self_node = rd32(g + (size_t)ref * 4), n_t = 0;
            for (size_t a = 1; a < tg.len; a++) {
                uint32_t v = tg.data[a];
                size_t b = a;
                while (b > 0 && tg.data[b - 1] > v) {
                    tg.data[b] = tg.data[b - 1];
                    b--;
                }
                tg.data[b] = v;
            }
            for (size_t a = 0; a < tg.len; a++)
                if (tg.data[a] != self_node && (n_t == 0 || tg.data[n_t - 1] != tg.data[a])) tg.data[n_t++] = tg.data[a];
            if (n_t == 1) xmap[ref] = tg.data[0];
            else if (n_t > 1) {
                if (vbase + n_v >= NONE_ID) {
                    bad = -1;
                    err = "too many nodes";
                    goto fail;
                }
                uint32_t vnode = (uint32_t)(vbase + n_v++);
                xmap[ref] = vnode;
                for (uint32_t a = 0; a < n_t; a++) {
                    uint32_t pair[2] = {vnode, tg.data[a]};
                    if (vec_push(&vedges, pair, 2)) goto nomem;
                }
            }
        }
    }
    maps = PyList_New(n_dex);
    rests = PyList_New(n_dex);
    if (!maps || !rests) goto done;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        if (!x->m_size) { /* (ms was 1: the maps of no method id) */
            if (_PyBytes_Resize(&x->vobj, 0) < 0 || _PyBytes_Resize(&x->sobj, 0) < 0) goto done;
        }
        PyObject *pair = PyTuple_Pack(2, x->vobj, x->sobj);
        if (!pair) goto done;
        PyList_SET_ITEM(maps, k, pair);
        PyObject *r = PyBytes_FromStringAndSize(x->rest.data ? (const char *)x->rest.data : "",
                                                (Py_ssize_t)(x->rest.len * 4));
        if (!r) goto done;
        PyList_SET_ITEM(rests, k, r);
    }
    res = Py_BuildValue("(Oy#kO)", maps, vedges.data ? (const char *)vedges.data : "", (Py_ssize_t)(vedges.len * 4),
                        (unsigned long)n_v, rests);
    goto done;
nomem:
    PyErr_NoMemory();
    goto done;
timeout:
    deadline_error();
    goto done;
fail:
    {
        char full[200];
        if (bad >= 0) snprintf(full, sizeof full, "DEX %zd: %s", bad, err);
        else snprintf(full, sizeof full, "%s", err);
        PyErr_SetString(PyExc_ValueError, full);
    }
done:
    if (irregular && !PyErr_Occurred()) {
        res = Py_None;
        Py_INCREF(res);
    }
    Py_XDECREF(maps);
    Py_XDECREF(rests);
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        if (x->parsed) {
            PyBuffer_Release(&x->buf);
            PyBuffer_Release(&x->mb);
            PyBuffer_Release(&x->gb);
            PyBuffer_Release(&x->tb);
            PyBuffer_Release(&x->vb);
            PyBuffer_Release(&x->sb);
        }
        free(x->hd.types);
        free(x->ix.types);
        free(x->ix.names);
        free(x->ix.protos);
        free(x->ib.p);
        if (x->has_hb) PyBuffer_Release(&x->hb);
        free(x->tstat);
        Py_XDECREF(x->vobj);
        Py_XDECREF(x->sobj);
        free(x->rest.data);
    }
    free(xs);
    free(par_off);
    free(ch_off);
    free(ch);
    free(mark);
    free(stack);
    free(wanted);
    free(start);
    free(fill);
    free(cdex);
    free(recs);
    free(vedges.data);
    free(tg.data);
    free(pars.data);
    free(refl.data);
    free(clsl.data);
    free(grp.data);
    free(scratch.p);
    free(scratch2.p);
    return res;
}

/* ---- find_first ------------------------------------------------------------------------------------------ */

/* find_first(ids, queries) -> list[int]
 * For each (lo, hi, key) of `queries` (a list), what _dexscan.find_methods(ids, lo, hi, key) says of its first
 * match, in one call: the first method id in [lo, hi) whose descriptor (method_descs' string) is the ASCII bytes
 * `key`, -1 when none is, -2 when a descriptor of the range cannot be built (find_methods' None). `ids`: a DEX's id
 * tables (as dexids_t). ValueError as find_methods for tables out of bounds. No string object is made.
 * With `checked` true (the caller has run method_descs' checks on these tables: no descriptor fails to build) a
 * query stops at its first match; -2 then only for a failure met before it. A method whose class and name resolve
 * and differ from the key's ("cls->name(" is not how the key starts) is then passed over without building its
 * descriptor (most of a class's range, for a lookup of one of its methods). */
static PyObject *reach_find_first(PyObject *self, PyObject *args) {
    PyObject *tup, *queries;
    int checked = 0;
    if (!PyArg_ParseTuple(args, "O!O!|p", &PyTuple_Type, &tup, &PyList_Type, &queries, &checked)) return NULL;
    Py_buffer view;
    descs_t d;
    unsigned long m_off, m_size;
    memset(&d, 0, sizeof d);
    if (!PyArg_ParseTuple(tup, "y*kkkkkkkk;id tables: (buf, 8 table offsets and sizes)", &view, &d.s_off, &d.s_size,
                          &d.t_off, &d.t_size, &d.p_off, &d.p_size, &m_off, &m_size))
        return NULL;
    d.buf = (const uint8_t *)view.buf;
    d.size = (size_t)view.len;
    PyObject *res = NULL;
    sbuf_t sb = {NULL, 0, 0};
    if (descs_tables_ok(&d, m_off, m_size)) {
        PyErr_SetString(PyExc_ValueError, d.msg);
        goto done;
    }
    d.types = (str_ref_t *)calloc(d.t_size ? d.t_size : 1, sizeof(str_ref_t));
    if (!d.types) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t nq = PyList_GET_SIZE(queries);
    res = PyList_New(nq);
    if (!res) goto done;
    for (Py_ssize_t q = 0; q < nq; q++) {
        unsigned long lo, hi;
        const char *key;
        Py_ssize_t klen;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(queries, q), "kky#;a query: (lo, hi, key)", &lo, &hi, &key, &klen)) {
            Py_CLEAR(res);
            goto done;
        }
        if (hi > m_size) hi = m_size;
        long found = -1;
        for (unsigned long m = lo; m < hi; m++) {
            if (checked) { /* a descriptor "cls->name(..." whose class or name differs from the key's: not built */
                const uint8_t *mid = d.buf + m_off + (size_t)m * 8;
                uint32_t ci = rd16(mid), ni = rd32(mid + 4);
                const str_ref_t *cls = ci < d.t_size ? type_ref(&d, ci) : NULL;
                str_ref_t nm;
                if (cls && ni < d.s_size && !string_ref(d.buf, d.size, d.s_off, ni, &nm)) {
                    size_t c = cls->len, e = c + 2 + (size_t)nm.len;
                    if (e >= (size_t)klen || memcmp(key, cls->ptr, c) || key[c] != '-' || key[c + 1] != '>' ||
                        memcmp(key + c + 2, nm.ptr, nm.len) || key[e] != '(')
                        continue;
                }
            }
            d.msg[0] = 0;
            int ascii = desc_build(&d, m_off, (uint32_t)m, NULL, NULL, &sb, 0);
            if (ascii == -2) {
                PyErr_NoMemory();
                Py_CLEAR(res);
                goto done;
            }
            if (ascii < 0) {
                found = -2;
                break;
            }
            if (found == -1 && ascii && sb.len == (size_t)klen && !memcmp(sb.p, key, sb.len)) {
                found = (long)m;
                if (checked) break; /* the rest of the range is not looked at */
            }
        }
        PyObject *v = PyLong_FromLong(found);
        if (!v) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, q, v);
    }
done:
    free(sb.p);
    free(d.types);
    PyBuffer_Release(&view);
    return res;
}

/* ---- walk ---------------------------------------------------------------------------------------------- */

typedef struct {
    const uint8_t *rank; /* u32 per node */
} rank_sort_t;
static rank_sort_t rank_sort; /* qsort comparator context (the GIL is held throughout) */

static int by_rank_cmp(const void *a, const void *b) {
    uint32_t x = ld32(rank_sort.rank, *(const uint32_t *)a), y = ld32(rank_sort.rank, *(const uint32_t *)b);
    return x < y ? -1 : x > y;
}

/* walk(offsets, targets, virtual, rank, flags, done, entries, cut, deadline, skipped, order) -> (parents, order)
 * CallGraph.walk's BFS over node ids (see its docstring), from the C kernels' CSR (offsets: n + 1 u32, targets: u32
 * node ids), `virtual` / `done` (one byte per node: a virtual node; a node recorded but not expanded), `rank` (u32
 * per node: class rank, class_ranks' order) and `flags` (a writable byte per node: 1 skipped, 2 its descriptor
 * decides, 0 kept; a 2 is replaced by 1 or 0 once `skipped(node)` has answered, as it answers the same for a node
 * every time). `entries`: u32 node ids in the order given; `cut`: (caller, callee) u32 pairs sorted ascending, the
 * edges not followed. A node taken from the queue gets its callees (virtual nodes crossed, the real nodes they
 * lead to) that are not yet met, without its cut ones, without the skipped ones (met: never met again), in class
 * rank order; each run of them sharing a rank in the order `order(u32 bytes of the run) -> u32 bytes` gives (the
 * descriptor order; a permutation of the run, else ValueError); each is recorded (parent = the node) and queued
 * unless `done`.
 * Returns (parents: u32 per node, NONE when not met, an entry its own parent; order: u32 node ids met, entries
 * first). ValueError for inconsistent arrays or out-of-range ids, TimeoutError once `deadline` (time.monotonic(),
 * 0 = none) has passed (read every 2048 nodes taken), and what a callback raises.
 * With `dexes` and `reps` (sort_nodes' first arguments: the DEX id tables, (DEX, method id) u32 pairs per node),
 * each run of nodes sharing a rank is put in sort_nodes' order here (only the run's descriptors built), `order`
 * asked for a run only when sort_nodes would not answer (a descriptor that is not ASCII or cannot be built,
 * tables it refuses). */
/* The descriptor order of the nodes found[0..k) (their representatives' descriptors, bytewise: Python's order when
 * all are ASCII), as _dexscan.sort_nodes gives it: 1 sorted in place, 0 when it cannot (a descriptor not ASCII or
 * not built, a DEX's tables refused: the caller asks its callback), -1 out of memory. */
typedef struct {
    PyObject *dexes; /* list of id tables, as sort_nodes takes them */
    const uint8_t *reps;
    size_t n_reps;
    descs_t *d;      /* per DEX, opened on first use */
    unsigned long *m_off, *m_size;
    Py_buffer *views;
    uint8_t *state; /* per DEX: 0 not opened, 1 open, 2 refused */
    sbuf_t arena, tmp;
    uint64_t *offs;
    uint32_t *idx;
    size_t cap;
} tie_t;

static const char *tie_arena;
static const uint64_t *tie_offs;

static int tie_cmp(const void *x, const void *y) {
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    size_t la = (size_t)(tie_offs[i + 1] - tie_offs[i]), lb = (size_t)(tie_offs[j + 1] - tie_offs[j]);
    int c = memcmp(tie_arena + tie_offs[i], tie_arena + tie_offs[j], la < lb ? la : lb);
    if (c) return c < 0 ? -1 : 1;
    if (la != lb) return la < lb ? -1 : 1;
    return i < j ? -1 : i > j;
}

static int tie_sort(tie_t *t, uint32_t *found, size_t k) {
    Py_ssize_t n_dex = PyList_GET_SIZE(t->dexes);
    if (k + 1 > t->cap) {
        size_t cap = 2 * (k + 1);
        uint64_t *o = (uint64_t *)realloc(t->offs, cap * sizeof(uint64_t));
        if (!o) return -1;
        t->offs = o;
        uint32_t *ix = (uint32_t *)realloc(t->idx, cap * sizeof(uint32_t));
        if (!ix) return -1;
        t->idx = ix;
        t->cap = cap;
    }
    t->arena.len = 0;
    t->offs[0] = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t g = found[i];
        if (g >= t->n_reps) return 0;
        uint32_t ci = ld32(t->reps, 2 * (size_t)g), m = ld32(t->reps, 2 * (size_t)g + 1);
        if (ci >= (uint32_t)n_dex) return 0;
        if (!t->state[ci]) {
            descs_t *d = &t->d[ci];
            t->state[ci] = 2;
            if (!PyArg_ParseTuple(PyList_GET_ITEM(t->dexes, ci), "y*kkkkkkkk", &t->views[ci], &d->s_off, &d->s_size,
                                  &d->t_off, &d->t_size, &d->p_off, &d->p_size, &t->m_off[ci], &t->m_size[ci])) {
                PyErr_Clear();
                return 0;
            }
            d->buf = (const uint8_t *)t->views[ci].buf;
            d->size = (size_t)t->views[ci].len;
            d->types = (str_ref_t *)calloc(d->t_size ? d->t_size : 1, sizeof(str_ref_t));
            t->state[ci] = 1; /* (the view is released at the end) */
            if (!d->types) return -1;
            if (descs_tables_ok(d, t->m_off[ci], t->m_size[ci])) {
                t->state[ci] = 3; /* open, refused */
                return 0;
            }
        }
        if (t->state[ci] != 1 || m >= t->m_size[ci]) return 0;
        int r = desc_build(&t->d[ci], t->m_off[ci], m, NULL, NULL, &t->tmp, 0);
        if (r == -2) return -1;
        if (r != 1) return 0;
        if (sb_reserve(&t->arena, t->tmp.len)) return -1;
        sb_put(&t->arena, t->tmp.p, t->tmp.len);
        t->offs[i + 1] = t->arena.len;
        t->idx[i] = (uint32_t)i;
    }
    tie_arena = t->arena.p;
    tie_offs = t->offs;
    qsort(t->idx, k, sizeof(uint32_t), tie_cmp);
    uint32_t *sorted = (uint32_t *)malloc((k ? k : 1) * sizeof(uint32_t));
    if (!sorted) return -1;
    for (size_t i = 0; i < k; i++) sorted[i] = found[t->idx[i]];
    memcpy(found, sorted, k * sizeof(uint32_t));
    free(sorted);
    return 1;
}

static void tie_close(tie_t *t) {
    if (t->dexes && t->state) {
        Py_ssize_t n_dex = PyList_GET_SIZE(t->dexes);
        for (Py_ssize_t k = 0; k < n_dex; k++) {
            if (t->state[k] == 1 || t->state[k] == 3) PyBuffer_Release(&t->views[k]);
            free(t->d[k].types);
        }
    }
    free(t->d);
    free(t->m_off);
    free(t->m_size);
    free(t->views);
    free(t->state);
    free(t->arena.p);
    free(t->tmp.p);
    free(t->offs);
    free(t->idx);
}

static PyObject *reach_walk(PyObject *self, PyObject *args) {
    Py_buffer ob, tb, vb, rb, fb, db, eb, cb, repb;
    double deadline = 0;
    PyObject *skipped, *order_cb, *dexes = Py_None;
    repb.buf = NULL;
    repb.obj = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*y*y*y*dOO|Oy*", &ob, &tb, &vb, &rb, &fb, &db, &eb, &cb, &deadline, &skipped,
                          &order_cb, &dexes, &repb))
        return NULL;
    tie_t ties;
    memset(&ties, 0, sizeof ties);
    int sort_here = 0;
    if (dexes != Py_None && repb.obj && PyList_Check(dexes) && repb.len % 8 == 0) {
        Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
        size_t nd = n_dex ? (size_t)n_dex : 1;
        ties.dexes = dexes;
        ties.reps = (const uint8_t *)repb.buf;
        ties.n_reps = (size_t)repb.len / 8;
        ties.d = (descs_t *)calloc(nd, sizeof(descs_t));
        ties.m_off = (unsigned long *)calloc(nd, sizeof(unsigned long));
        ties.m_size = (unsigned long *)calloc(nd, sizeof(unsigned long));
        ties.views = (Py_buffer *)calloc(nd, sizeof(Py_buffer));
        ties.state = (uint8_t *)calloc(nd, 1);
        sort_here = ties.d && ties.m_off && ties.m_size && ties.views && ties.state;
    }
    PyObject *res = NULL, *pb = NULL, *orb = NULL;
    uint32_t *parents = NULL, *order = NULL, *stamp = NULL, *found = NULL;
    uint8_t *mark = NULL;
    const char *err = NULL;
    size_t n = 0, m = (size_t)tb.len / 4, n_cut = (size_t)cb.len / 8, n_ent = (size_t)eb.len / 4;
    if (ob.len % 4 || tb.len % 4 || rb.len % 4 || eb.len % 4 || cb.len % 8 || ob.len < 4)
        err = "arrays must hold u32 values";
    else {
        n = (size_t)ob.len / 4 - 1;
        if ((size_t)vb.len != n || (size_t)fb.len != n || (size_t)db.len != n || (size_t)rb.len != 4 * n)
            err = "per-node arrays do not match the offsets";
        else if (n >= NONE_ID)
            err = "too many nodes";
    }
    if (err) goto fail;
    const uint8_t *off = (const uint8_t *)ob.buf, *tgt = (const uint8_t *)tb.buf, *rank = (const uint8_t *)rb.buf;
    const uint8_t *cut = (const uint8_t *)cb.buf, *ent = (const uint8_t *)eb.buf;
    const uint8_t *virt = (const uint8_t *)vb.buf, *done = (const uint8_t *)db.buf;
    uint8_t *flags = (uint8_t *)fb.buf;
    size_t n1 = n ? n : 1;
    parents = (uint32_t *)malloc(n1 * 4);
    order = (uint32_t *)malloc((n + n_ent + 1) * 4); /* each node recorded once, entries possibly repeated */
    stamp = (uint32_t *)calloc(n1, 4);
    found = (uint32_t *)malloc(n1 * 4);
    mark = (uint8_t *)calloc(n1, 1); /* 1 recorded, 2 skipped by its prefix */
    if (!parents || !order || !stamp || !found || !mark) {
        PyErr_NoMemory();
        goto done;
    }
    memset(parents, 0xff, n1 * 4);
    size_t n_order = 0, head = 0;
    /* the queue: the recorded nodes not done, in order (a second array would be the same positions) */
    uint32_t *queue = NULL;
    size_t q_len = 0;
    queue = (uint32_t *)malloc((n + n_ent + 1) * 4);
    if (!queue) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < n_ent; i++) {
        uint32_t g = ld32(ent, i);
        if (g >= n) {
            err = "entry out of range";
            goto fail_q;
        }
        mark[g] = 1;
        parents[g] = g;
        order[n_order++] = g;
        if (!done[g]) queue[q_len++] = g;
    }
    uint32_t steps = 0;
    while (head < q_len) {
        uint32_t g = queue[head++];
        steps++;
        if (!(steps & 2047) && deadline > 0 && mono_now() >= deadline) {
            PyErr_SetString(PyExc_TimeoutError, "deadline passed");
            goto fail_q_set;
        }
        uint32_t lo = ld32(off, g), hi = ld32(off, (size_t)g + 1);
        if (lo > hi || hi > m) {
            err = "offsets do not match the targets";
            goto fail_q;
        }
        if (lo == hi) continue;
        size_t nf = 0;
        uint32_t tag = steps; /* distinct per step (steps < 2^32: each node is queued at most once) */
        for (uint32_t k = lo; k < hi; k++) {
            uint32_t t = ld32(tgt, k);
            if (t >= n) {
                err = "target out of range";
                goto fail_q;
            }
            if (!virt[t]) {
                if (!mark[t] && stamp[t] != tag) {
                    stamp[t] = tag;
                    found[nf++] = t;
                }
                continue;
            }
            uint32_t vlo = ld32(off, t), vhi = ld32(off, (size_t)t + 1);
            if (vlo > vhi || vhi > m) {
                err = "offsets do not match the targets";
                goto fail_q;
            }
            for (uint32_t k2 = vlo; k2 < vhi; k2++) {
                uint32_t x = ld32(tgt, k2);
                if (x >= n) {
                    err = "target out of range";
                    goto fail_q;
                }
                if (!virt[x] && !mark[x] && stamp[x] != tag) {
                    stamp[x] = tag;
                    found[nf++] = x;
                }
            }
        }
        if (!nf) continue;
        /* the cut edges of g: a run of pairs (g, callee), found by bisection */
        size_t clo = 0, chi = n_cut;
        while (clo < chi) {
            size_t mid = clo + (chi - clo) / 2;
            if (ld32(cut, 2 * mid) < g) clo = mid + 1;
            else chi = mid;
        }
        size_t kept = 0;
        for (size_t i = 0; i < nf; i++) {
            uint32_t c = found[i];
            int is_cut = 0;
            for (size_t q = clo; q < n_cut && ld32(cut, 2 * q) == g; q++)
                if (ld32(cut, 2 * q + 1) == c) {
                    is_cut = 1;
                    break;
                }
            if (is_cut) {
                stamp[c] = 0; /* may be met again from another caller (0 is no step's tag) */
                continue;
            }
            uint8_t f = flags[c];
            if (f == 2) {
                PyObject *r = PyObject_CallFunction(skipped, "k", (unsigned long)c);
                if (!r) goto fail_q_set;
                int yes = PyObject_IsTrue(r);
                Py_DECREF(r);
                if (yes < 0) goto fail_q_set;
                f = flags[c] = yes ? 1 : 0;
            }
            if (f == 1) {
                mark[c] = 2;
                continue;
            }
            found[kept++] = c;
        }
        if (kept > 1) {
            rank_sort.rank = rank;
            qsort(found, kept, 4, by_rank_cmp);
            /* each run of callees sharing a rank (methods of one class) in descriptor order: only those
             * descriptors are built (or asked for), the rank order decides between runs */
            for (size_t i = 0; i < kept;) {
                uint32_t r = ld32(rank, found[i]);
                size_t j = i + 1;
                while (j < kept && ld32(rank, found[j]) == r) j++;
                size_t k = j - i;
                uint32_t *run = found + i;
                i = j;
                if (k < 2) continue;
                int sorted_here = 0;
                if (sort_here) { /* their descriptors' bytes, as sort_nodes */
                    sorted_here = tie_sort(&ties, run, k);
                    if (sorted_here < 0) {
                        PyErr_NoMemory();
                        goto fail_q_set;
                    }
                }
                if (sorted_here) continue;
                /* else the caller's descriptor order, which must give back exactly these nodes */
                PyObject *arg = PyBytes_FromStringAndSize((const char *)run, (Py_ssize_t)(k * 4));
                if (!arg) goto fail_q_set;
                PyObject *res_o = PyObject_CallFunctionObjArgs(order_cb, arg, NULL);
                Py_DECREF(arg);
                if (!res_o) goto fail_q_set;
                Py_buffer sb;
                if (PyObject_GetBuffer(res_o, &sb, PyBUF_SIMPLE) < 0) {
                    Py_DECREF(res_o);
                    goto fail_q_set;
                }
                int same = (size_t)sb.len == k * 4;
                uint32_t *got = same ? (uint32_t *)malloc(3 * k * 4) : NULL; /* answer, its sorted copy, run's */
                if (same && !got) {
                    PyBuffer_Release(&sb);
                    Py_DECREF(res_o);
                    PyErr_NoMemory();
                    goto fail_q_set;
                }
                if (same) { /* a permutation of the run: the same values once each (both sorted, compared) */
                    memcpy(got, sb.buf, k * 4);
                    memcpy(got + k, sb.buf, k * 4);
                    memcpy(got + 2 * k, run, k * 4);
                    qsort(got + k, k, 4, u32_cmp);
                    qsort(got + 2 * k, k, 4, u32_cmp);
                    same = !memcmp(got + k, got + 2 * k, k * 4);
                    if (same) memcpy(run, got, k * 4);
                }
                free(got);
                PyBuffer_Release(&sb);
                Py_DECREF(res_o);
                if (!same) {
                    err = "order() must give the nodes it was given";
                    goto fail_q;
                }
            }
        }
        for (size_t i = 0; i < kept; i++) {
            uint32_t c = found[i];
            parents[c] = g;
            order[n_order++] = c;
            mark[c] = 1;
            if (!done[c]) queue[q_len++] = c;
        }
    }
    pb = PyBytes_FromStringAndSize((const char *)parents, (Py_ssize_t)(n * 4));
    orb = PyBytes_FromStringAndSize((const char *)order, (Py_ssize_t)(n_order * 4));
    if (pb && orb) res = PyTuple_Pack(2, pb, orb);
    free(queue);
    goto done;
fail_q:
    free(queue);
    goto fail;
fail_q_set:
    free(queue);
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, err);
done:
    Py_XDECREF(pb);
    Py_XDECREF(orb);
    free(parents);
    free(order);
    free(stamp);
    free(found);
    free(mark);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&rb);
    PyBuffer_Release(&fb);
    PyBuffer_Release(&db);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&cb);
    if (repb.obj) PyBuffer_Release(&repb);
    tie_close(&ties);
    return res;
}

/* ---- u32_positions --------------------------------------------------------------------------------------- */

/* u32_positions(buf, value) -> bytes
 * The positions (u32, ascending) of the u32 items (native order) of `buf` equal to `value`. ValueError for a buffer
 * whose length is not a multiple of 4. (The async-edge pass's method ids with a given name, from method_name.) */
static PyObject *reach_u32_positions(PyObject *self, PyObject *args) {
    Py_buffer b;
    unsigned long value;
    if (!PyArg_ParseTuple(args, "y*k", &b, &value)) return NULL;
    PyObject *res = NULL;
    uint32_t *out = NULL;
    if (b.len % 4) {
        PyErr_SetString(PyExc_ValueError, "the buffer must hold u32 values");
        goto done;
    }
    size_t n = (size_t)b.len / 4, k = 0;
    out = (uint32_t *)malloc((n ? n : 1) * 4);
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    const uint8_t *p = (const uint8_t *)b.buf;
    for (size_t i = 0; i < n && i <= 0xffffffffu; i++)
        if (ld32(p, i) == value) out[k++] = (uint32_t)i;
    res = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(k * 4));
done:
    free(out);
    PyBuffer_Release(&b);
    return res;
}

/* ---- reflect_scan ---------------------------------------------------------------------------------------- */

/* reflect_scan(methods, events, calls, ids) -> bytes
 * `methods` / `events`: a DEX's records and events (as dispatch_scan takes them); `calls`: u32 event numbers (the
 * class-loading invokes of CallGraph._add_reflection_edges, any order); `ids`: u32 method ids, ascending (the
 * method-lookup APIs). The record of each event of `calls` that is not invoke-custom is found as
 * _dexscan.record_of finds it (the last record whose ev_start is <= the event); for each distinct such record r,
 * ascending, that invokes one of `ids` with an invoke that is not invoke-custom, u32 words: r, the count, then the
 * string ids of its const-string events (kind 2; in event order, repeats kept). ValueError for lengths that are
 * not whole records / events / u32 values, an event of `calls` out of range or before the first record (in the
 * order of `calls`), then a record whose events are out of range (ascending). */
static PyObject *reach_reflect_scan(PyObject *self, PyObject *args) {
    Py_buffer mb, eb, cb, ib;
    if (!PyArg_ParseTuple(args, "y*y*y*y*", &mb, &eb, &cb, &ib)) return NULL;
    PyObject *res = NULL;
    vec_t out, recs;
    memset(&out, 0, sizeof out);
    memset(&recs, 0, sizeof recs);
    char msg[96];
    msg[0] = 0;
    if (mb.len % 28) snprintf(msg, sizeof msg, "methods length is not a multiple of 28");
    else if (eb.len % 20) snprintf(msg, sizeof msg, "events length is not a multiple of 20");
    else if (cb.len % 4 || ib.len % 4) snprintf(msg, sizeof msg, "calls and ids must hold u32 values");
    if (msg[0]) goto fail;
    const uint8_t *m = (const uint8_t *)mb.buf, *e = (const uint8_t *)eb.buf, *cs = (const uint8_t *)cb.buf;
    const uint8_t *ids = (const uint8_t *)ib.buf;
    size_t n_methods = (size_t)mb.len / 28, n_events = (size_t)eb.len / 20, n_calls = (size_t)cb.len / 4;
    size_t n_ids = (size_t)ib.len / 4;
    for (size_t q = 0; q < n_calls; q++) {
        uint32_t ev = ld32(cs, q);
        if (ev >= n_events) {
            snprintf(msg, sizeof msg, "event %u out of range", ev);
            goto fail;
        }
        uint32_t op = rd32(e + (size_t)ev * 20) & 0xff;
        if (op == 0xfc || op == 0xfd) continue;
        size_t lo = 0, hi = n_methods; /* bisect_right over the ev_start column */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ev < rd32(m + mid * 28 + 16)) hi = mid;
            else lo = mid + 1;
        }
        if (lo == 0) {
            snprintf(msg, sizeof msg, "event %u before the first record", ev);
            goto fail;
        }
        uint32_t r = (uint32_t)(lo - 1);
        if (vec_push(&recs, &r, 1)) goto nomem;
    }
    if (recs.len) qsort(recs.data, recs.len, 4, u32_cmp);
    for (size_t q = 0; q < recs.len; q++) {
        uint32_t r = recs.data[q];
        if (q && recs.data[q - 1] == r) continue;
        const uint8_t *rec = m + (size_t)r * 28;
        uint32_t start = rd32(rec + 16), end = rd32(rec + 20);
        if (start > end || end > n_events) {
            snprintf(msg, sizeof msg, "method record %u: events out of range", r);
            goto fail;
        }
        int found = 0;
        for (uint32_t i = start; i < end && !found; i++) {
            const uint8_t *ev = e + (size_t)i * 20;
            uint32_t k = rd32(ev), idx = rd32(ev + 8), op = k & 0xff;
            if (k >> 8 != 1u || op == 0xfc || op == 0xfd) continue;
            size_t lo = 0, hi = n_ids; /* idx among the ids (ascending) */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ld32(ids, mid) < idx) lo = mid + 1;
                else hi = mid;
            }
            found = lo < n_ids && ld32(ids, lo) == idx;
        }
        if (!found) continue;
        size_t head = out.len + 1;
        uint32_t pair[2] = {r, 0};
        if (vec_push(&out, pair, 2)) goto nomem;
        for (uint32_t i = start; i < end; i++) {
            const uint8_t *ev = e + (size_t)i * 20;
            if (rd32(ev) >> 8 != 2u) continue;
            uint32_t idx = rd32(ev + 8);
            if (vec_push(&out, &idx, 1)) goto nomem;
            out.data[head]++;
        }
    }
    res = PyBytes_FromStringAndSize(out.data ? (const char *)out.data : "", (Py_ssize_t)(out.len * 4));
    goto done;
nomem:
    PyErr_NoMemory();
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, msg);
done:
    free(out.data);
    free(recs.data);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&ib);
    return res;
}

/* ---- dispatch_scan --------------------------------------------------------------------------------------- */

/* dispatch_scan(methods, events, records, ids) -> bytes
 * For each method record r of `records` (u32, in order; `methods` / `events`: a DEX's records and events, as
 * call_edges takes them), u32 words: the count then the type indices of its new-instance events (in event order,
 * repeats kept), then the count then the method ids of `ids` (u32, ascending) it invokes with an invoke that is not
 * invoke-custom (each once, in the order first met). CallGraph._add_async_edges' view of a dispatching method.
 * ValueError for lengths that are not whole records / events, a record out of range or events out of range. */
static PyObject *reach_dispatch_scan(PyObject *self, PyObject *args) {
    Py_buffer mb, eb, rb, ib;
    if (!PyArg_ParseTuple(args, "y*y*y*y*", &mb, &eb, &rb, &ib)) return NULL;
    PyObject *res = NULL;
    vec_t out, calls;
    memset(&out, 0, sizeof out);
    memset(&calls, 0, sizeof calls);
    char msg[96];
    msg[0] = 0;
    if (mb.len % 28) snprintf(msg, sizeof msg, "methods length is not a multiple of 28");
    else if (eb.len % 20) snprintf(msg, sizeof msg, "events length is not a multiple of 20");
    else if (rb.len % 4 || ib.len % 4) snprintf(msg, sizeof msg, "records and ids must hold u32 values");
    if (msg[0]) goto fail;
    const uint8_t *m = (const uint8_t *)mb.buf, *e = (const uint8_t *)eb.buf, *rs = (const uint8_t *)rb.buf;
    const uint8_t *ids = (const uint8_t *)ib.buf;
    size_t n_methods = (size_t)mb.len / 28, n_events = (size_t)eb.len / 20, n_rec = (size_t)rb.len / 4;
    size_t n_ids = (size_t)ib.len / 4;
    for (size_t q = 0; q < n_rec; q++) {
        uint32_t r = ld32(rs, q);
        if (r >= n_methods) {
            snprintf(msg, sizeof msg, "method record %u out of range", r);
            goto fail;
        }
        const uint8_t *rec = m + (size_t)r * 28;
        uint32_t start = rd32(rec + 16), end = rd32(rec + 20);
        if (start > end || end > n_events) {
            snprintf(msg, sizeof msg, "method record %u: events out of range", r);
            goto fail;
        }
        size_t head = out.len;
        uint32_t zero = 0;
        if (vec_push(&out, &zero, 1)) goto nomem;
        calls.len = 0;
        for (uint32_t i = start; i < end; i++) {
            const uint8_t *ev = e + (size_t)i * 20;
            uint32_t k = rd32(ev), idx = rd32(ev + 8);
            if (k == ((5u << 8) | 0x22u)) { /* new-instance */
                if (vec_push(&out, &idx, 1)) goto nomem;
                out.data[head]++;
                continue;
            }
            uint32_t op = k & 0xff;
            if (k >> 8 != 1u || op == 0xfc || op == 0xfd) continue;
            size_t lo = 0, hi = n_ids; /* idx among the ids (ascending) */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ld32(ids, mid) < idx) lo = mid + 1;
                else hi = mid;
            }
            if (lo == n_ids || ld32(ids, lo) != idx) continue;
            int seen = 0;
            for (size_t c = 0; c < calls.len && !seen; c++) seen = calls.data[c] == idx;
            if (!seen && vec_push(&calls, &idx, 1)) goto nomem;
        }
        uint32_t nc = (uint32_t)calls.len;
        if (vec_push(&out, &nc, 1) || (nc && vec_push(&out, calls.data, nc))) goto nomem;
    }
    res = PyBytes_FromStringAndSize(out.data ? (const char *)out.data : "", (Py_ssize_t)(out.len * 4));
    goto done;
nomem:
    PyErr_NoMemory();
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, msg);
done:
    free(out.data);
    free(calls.data);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&rb);
    PyBuffer_Release(&ib);
    return res;
}

/* ---- u16_ranges ------------------------------------------------------------------------------------------ */

/* u16_ranges(buf, values) -> bytes
 * For each u32 of `values`: (lo, hi) u32 = (bisect_left(a, v), bisect_right(a, v, lo)) over the u16 items (native
 * order) of `buf` as Python's bisect computes them, whether or not they are sorted (CallGraph._home_of's method id
 * range of a class). ValueError for an odd buffer length or values that are not u32s. */
static PyObject *reach_u16_ranges(PyObject *self, PyObject *args) {
    Py_buffer b, vb;
    if (!PyArg_ParseTuple(args, "y*y*", &b, &vb)) return NULL;
    PyObject *res = NULL;
    if (b.len % 2 || vb.len % 4) {
        PyErr_SetString(PyExc_ValueError, "u16 items and u32 values expected");
        goto done;
    }
    size_t n = (size_t)b.len / 2, nv = (size_t)vb.len / 4;
    res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nv * 8));
    if (!res) goto done;
    uint32_t *out = (uint32_t *)PyBytes_AS_STRING(res);
    const uint8_t *a = (const uint8_t *)b.buf;
    for (size_t q = 0; q < nv; q++) {
        uint32_t v = ld32((const uint8_t *)vb.buf, q);
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            uint16_t x;
            memcpy(&x, a + 2 * mid, 2);
            if (x < v) lo = mid + 1;
            else hi = mid;
        }
        size_t lo2 = lo;
        hi = n;
        while (lo2 < hi) {
            size_t mid = (lo2 + hi) / 2;
            uint16_t x;
            memcpy(&x, a + 2 * mid, 2);
            if (v < x) hi = mid;
            else lo2 = mid + 1;
        }
        out[2 * q] = (uint32_t)lo;
        out[2 * q + 1] = (uint32_t)lo2;
    }
done:
    PyBuffer_Release(&b);
    PyBuffer_Release(&vb);
    return res;
}

/* ---- names_maybe ----------------------------------------------------------------------------------------- */

/* names_maybe(ids, mids, names) -> bytes
 * The positions (u32, ascending) of the method ids of `mids` (a buffer of u32) whose name string may decode to a
 * str equal to one of `names` (a list of bytes) or starting with one followed by "(": its bytes equal one of them,
 * or are not pure ASCII, or hold "(", or cannot be read (a name index, an offset or a NUL out of bounds: the
 * caller's decoding decides). `ids`: a DEX's id tables (buf, string ids offset and size, type ids offset and size,
 * proto ids offset and size, method ids offset and size). ValueError for a method index out of range or tables out
 * of bounds; TypeError for a name that is not bytes. No string object is made. */
static PyObject *reach_names_maybe(PyObject *self, PyObject *args) {
    Py_buffer buf, mb;
    unsigned long s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size;
    PyObject *names;
    if (!PyArg_ParseTuple(args, "(y*kkkkkkkk)y*O!", &buf, &s_off, &s_size, &t_off, &t_size, &p_off, &p_size, &m_off,
                          &m_size, &mb, &PyList_Type, &names))
        return NULL;
    PyObject *res = NULL;
    uint32_t *out = NULL;
    const uint8_t *d = (const uint8_t *)buf.buf;
    size_t size = (size_t)buf.len, n = (size_t)mb.len / 4, k = 0;
    Py_ssize_t n_names = PyList_GET_SIZE(names);
    for (Py_ssize_t j = 0; j < n_names; j++)
        if (!PyBytes_Check(PyList_GET_ITEM(names, j))) {
            PyErr_SetString(PyExc_TypeError, "names must be bytes");
            goto done;
        }
    if (mb.len % 4) {
        PyErr_SetString(PyExc_ValueError, "method ids must hold u32 values");
        goto done;
    }
    if ((uint64_t)s_off + (uint64_t)s_size * 4 > size || (uint64_t)m_off + (uint64_t)m_size * 8 > size) {
        PyErr_SetString(PyExc_ValueError, "id tables out of bounds");
        goto done;
    }
    out = (uint32_t *)malloc((n ? n : 1) * 4);
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < n && i <= 0xffffffffu; i++) {
        uint32_t m = ld32((const uint8_t *)mb.buf, i);
        if (m >= m_size) {
            char msg[64];
            snprintf(msg, sizeof msg, "method index %u out of range", m);
            PyErr_SetString(PyExc_ValueError, msg);
            goto done;
        }
        uint32_t sidx = rd32(d + m_off + (size_t)m * 8 + 4);
        int keep = 1;
        if (sidx < s_size) {
            size_t pos = rd32(d + s_off + (size_t)sidx * 4);
            int u = 0;
            while (u < 5 && pos < size && (d[pos] & 0x80)) pos++, u++; /* the uleb128 length, skipped */
            if (u < 5 && pos < size) {
                pos++;
                const uint8_t *str = d + pos, *nul = pos < size ? memchr(str, 0, size - pos) : NULL;
                if (nul) {
                    size_t len = (size_t)(nul - str), q = 0;
                    while (q < len && !(str[q] & 0x80) && str[q] != '(') q++;
                    if (q == len) { /* ASCII without "(": kept only when it is one of the names */
                        keep = 0;
                        for (Py_ssize_t j = 0; j < n_names && !keep; j++) {
                            PyObject *b = PyList_GET_ITEM(names, j);
                            keep = (size_t)PyBytes_GET_SIZE(b) == len && !memcmp(PyBytes_AS_STRING(b), str, len);
                        }
                    }
                }
            }
        }
        if (keep) out[k++] = (uint32_t)i;
    }
    res = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(k * 4));
done:
    free(out);
    PyBuffer_Release(&buf);
    PyBuffer_Release(&mb);
    return res;
}

/* ---- invoke_lists / call_edges_from ---------------------------------------------------------------------- */

/* invoke_lists(methods, events, gids, method_ids_size) -> (vids, sids, calls) or None
 * One pass over a DEX's method records and events for what invoked_pair and _dexscan.call_edges each read from
 * them in a pass of their own: (vids, sids) are invoked_pair(events, method_ids_size)'s, and `calls` the invokes
 * call_edges(methods, events, gids, ...) reads, kept for call_edges_from once the hierarchy maps exist: for every
 * record with events whose node gids[method_idx] is not NONE and that has such an invoke, u32 words `src, count,
 * entry * count` in event order, entry = method_idx << 2 | kind (1 plain, 2 virtual/interface, 3 super; an
 * invoke-custom(/range) is left out). None (the caller then runs invoked_pair and call_edges, which raise their
 * errors) when anything is out of the ordinary: a buffer length, records whose non-empty event ranges do not
 * follow one another from 0 to the end of the events, a record's method index out of range or an invoke's (but
 * invoke-custom's), or method_ids_size >= 2**30. */

/* per opcode of an EV_INVOKE event, as call_edges reads it: 0 invoke-custom(/range) (no edge), 2 virtual/interface,
 * 3 super, 1 any other */
static uint8_t invoke_class[256];

static void init_invoke_class(void) {
    for (int op = 0; op < 256; op++) invoke_class[op] = 1;
    invoke_class[0xfc] = invoke_class[0xfd] = 0;
    invoke_class[0x6e] = invoke_class[0x74] = invoke_class[0x72] = invoke_class[0x78] = 2;
    invoke_class[0x6f] = invoke_class[0x75] = 3;
}

static PyObject *reach_invoke_lists(PyObject *self, PyObject *args) {
    Py_buffer mb, eb, gb;
    unsigned long long n_ids_arg;
    if (!PyArg_ParseTuple(args, "y*y*y*K", &mb, &eb, &gb, &n_ids_arg)) return NULL;
    PyObject *res = NULL, *vb = NULL, *sb = NULL, *cb = NULL;
    uint8_t *flags = NULL;
    uint32_t *out = NULL;
    int fail = 0;
    size_t w = 0;
    if (mb.len % 28 || eb.len % 20 || gb.len % 4 || n_ids_arg >= (1ull << 30) ||
        (unsigned long long)gb.len != 4 * n_ids_arg) {
        fail = 1;
        goto decided;
    }
    const uint8_t *m = (const uint8_t *)mb.buf, *e = (const uint8_t *)eb.buf, *g = (const uint8_t *)gb.buf;
    size_t n_methods = (size_t)mb.len / 28, n_events = (size_t)eb.len / 20, n_ids = (size_t)n_ids_arg;
    flags = (uint8_t *)calloc(n_ids + 1, 1);
    if (!flags) {
        PyErr_NoMemory();
        goto done;
    }
    /* written in place (an entry per event at most), then cut to its length: no copy, and no pages of its own */
    if (n_events + 2 * n_methods + 1 > (size_t)PY_SSIZE_T_MAX / 4) {
        PyErr_NoMemory();
        goto done;
    }
    cb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n_events + 2 * n_methods + 1) * sizeof(uint32_t)));
    if (!cb) goto done;
    out = (uint32_t *)PyBytes_AS_STRING(cb);
    Py_BEGIN_ALLOW_THREADS
    static const uint8_t flag_of[4] = {0, 0, 1, 2};
    size_t cursor = 0;
    uint32_t bad = 0;
    for (size_t r = 0; r < n_methods && !bad; r++) {
        const uint8_t *rec = m + r * 28;
        uint32_t midx = rd32(rec + 4), start = rd32(rec + 16), end = rd32(rec + 20);
        if (start == end) continue;
        if (start != cursor || end < start || end > n_events || midx >= n_ids) {
            fail = 1;
            break;
        }
        cursor = end;
        uint32_t src = rd32(g + (size_t)midx * 4);
        size_t head = w;
        out[w] = src;
        w += 2;
        /* branch-free: every event is written, only the invokes kept */
        for (uint32_t i = start; i < end; i++) {
            const uint8_t *ev = e + (size_t)i * 20;
            uint32_t k = rd32(ev), idx = rd32(ev + 8);
            uint32_t c = (k >> 8) == EV_INVOKE_KIND ? invoke_class[k & 0xff] : 0;
            bad |= (c != 0) & (idx >= n_ids);
            out[w] = idx << 2 | c;
            w += c != 0;
        }
        if (bad) break;
        for (size_t q = head + 2; q < w; q++) { /* (in range: checked above) */
            uint32_t x = out[q];
            flags[x >> 2] |= flag_of[x & 3];
        }
        if (src == NONE_ID || w == head + 2) w = head; /* no pair */
        else out[head + 1] = (uint32_t)(w - head - 2);
    }
    if (bad || cursor != n_events) fail = 1;
    Py_END_ALLOW_THREADS
decided:
    if (fail) {
        res = Py_None;
        Py_INCREF(res);
        goto done;
    }
    {
        size_t nv = 0, ns = 0, n_ids = (size_t)n_ids_arg;
        for (size_t x = 0; x < n_ids; x++) nv += flags[x] & 1, ns += (flags[x] >> 1) & 1;
        vb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nv * 4));
        sb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(ns * 4));
        if (_PyBytes_Resize(&cb, (Py_ssize_t)(w * 4)) < 0) goto done; /* (cb NULL then) */
        if (!vb || !sb) goto done;
        uint32_t *pv = (uint32_t *)PyBytes_AS_STRING(vb), *ps = (uint32_t *)PyBytes_AS_STRING(sb);
        for (size_t x = 0; x < n_ids; x++) {
            if (flags[x] & 1) *pv++ = (uint32_t)x;
            if (flags[x] & 2) *ps++ = (uint32_t)x;
        }
        res = PyTuple_Pack(3, vb, sb, cb);
    }
done:
    Py_XDECREF(vb);
    Py_XDECREF(sb);
    Py_XDECREF(cb);
    free(flags);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&gb);
    return res;
}

/* call_edges_from(calls, gids, virtual_extra, super_extra, into) -> None
 * _dexscan.call_edges(methods, events, gids, virtual_extra, super_extra) from invoke_lists(methods, events, gids,
 * n)'s `calls`, appended to the bytearray `into` (the graph's edge list): per entry, (src, gids[idx]) unless the
 * record gave it already or it is NONE, then for a virtual (super) entry (src, virtual_extra[idx]) ((src,
 * super_extra[idx])) unless the record gave it for that kind already or it is NONE. ValueError (`into` unchanged)
 * when `calls` is not such a list over maps of this length. */
static PyObject *reach_call_edges_from(PyObject *self, PyObject *args) {
    Py_buffer cb, gb, vb, sb;
    PyObject *into;
    if (!PyArg_ParseTuple(args, "y*y*y*y*O!", &cb, &gb, &vb, &sb, &PyByteArray_Type, &into)) return NULL;
    PyObject *res = NULL;
    uint32_t *seen = NULL, *out = NULL;
    const char *err = NULL;
    Py_ssize_t base = PyByteArray_GET_SIZE(into);
    if (cb.len % 4 || gb.len % 4 || gb.len != vb.len || gb.len != sb.len) err = "buffers differ in length";
    size_t n = (size_t)cb.len / 4, n_ids = (size_t)gb.len / 4, w = 0;
    if (!err) {
        /* per kind (direct, virtual, super) and method id: the last record (+ 1) that gave its pair, and a spare
         * slot where a plain invoke's missing extra pair is marked (no branch per entry); then the pairs: at most
         * 2 per entry, and the last pair written (not kept) */
        size_t n_seen = 3 * n_ids + 1;
        if (((size_t)PY_SSIZE_T_MAX / 4 - n_seen) / 4 <= n + 1 || (size_t)PY_SSIZE_T_MAX / 4 - (size_t)base / 4 < 4 * n) {
            PyErr_NoMemory();
            goto done;
        }
        seen = (uint32_t *)calloc(n_seen, sizeof(uint32_t));
        out = (uint32_t *)malloc((4 * n + 2) * sizeof(uint32_t)); /* (only the pages written are touched) */
        if (!seen || !out) {
            PyErr_NoMemory();
            goto done;
        }
        const uint8_t *c = (const uint8_t *)cb.buf;
        /* per kind: the map of its extra pair (a plain invoke reads NONE from `none`) */
        static const uint32_t none = NONE_ID;
        const uint8_t *xmap[4] = {(const uint8_t *)&none, (const uint8_t *)&none, (const uint8_t *)vb.buf,
                                  (const uint8_t *)sb.buf};
        const uint8_t *g = (const uint8_t *)gb.buf;
        size_t i = 0;
        uint32_t tag = 0;
        while (i < n && !err) {
            if (n - i < 2) {
                err = "calls list is truncated";
                break;
            }
            uint32_t src = rd32(c + i * 4), count = rd32(c + i * 4 + 4);
            i += 2;
            tag++;
            if (count > n - i) {
                err = "calls list is truncated";
                break;
            }
            for (size_t j = i + count; i < j; i++) {
                uint32_t entry = rd32(c + i * 4), idx = entry >> 2, k = entry & 3, pair[2] = {src, 0};
                if (idx >= n_ids || !k) {
                    err = "calls list entry out of range";
                    break;
                }
                /* branch-free: each pair is written, and kept when new to the record and not NONE */
                uint32_t fresh = seen[idx] != tag;
                seen[idx] = tag;
                memcpy(&pair[1], g + (size_t)idx * 4, 4);
                memcpy(out + w, pair, 8);
                w += (fresh & (pair[1] != NONE_ID)) << 1;
                size_t xs = k >= 2 ? (size_t)(k - 1) * n_ids + idx : 3 * n_ids, xi = k >= 2 ? idx : 0;
                fresh = seen[xs] != tag;
                seen[xs] = tag;
                memcpy(&pair[1], xmap[k] + xi * 4, 4);
                memcpy(out + w, pair, 8);
                w += (fresh & (pair[1] != NONE_ID)) << 1;
            }
        }
        if (!err) {
            if (PyByteArray_Resize(into, base + (Py_ssize_t)(w * 4)) < 0) goto done;
            memcpy(PyByteArray_AS_STRING(into) + base, out, w * 4);
        }
    }
    if (err) PyErr_SetString(PyExc_ValueError, err);
    else {
        res = Py_None;
        Py_INCREF(res);
    }
done:
    free(seen);
    free(out);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&sb);
    return res;
}

/* ---- async_asks ------------------------------------------------------------------------------------------ */

/* async_asks(methods, records, scan, mclass, gmap, types, status, masks, dids, dspec, dextra, basebits)
 *   -> bytes | None
 * CallGraph._add_async_edges' per-record step once dispatch_scan has run (mirrors pywalk.async_asks). Per method
 * record q of `records` (u32), `scan` holds [n, n new-instance type indices, c, c dispatch method ids]. A call's
 * method id is found in `dids` (sorted u32); `dspec` (u8 per did) is the bit set of the callback specs it
 * dispatches to, `dextra` (u32 per did) a type index that becomes a candidate too (NONE: none). The candidates of a
 * record: its new-instance types, the extras of its calls, then its caller's class type (mclass[methods[r].idx]),
 * each once when a record has fewer than 64 (else as met). For each spec s set in the OR of its calls' dspec
 * (ascending), each candidate c with status[c] != NONE and masks[status[c]] & basebits[s]: a pair (c, s). Output:
 * per record with pairs, gmap[caller idx], the pair count, the pairs (u32 each). None when anything is out of range
 * or inconsistent, or the caller's class type descriptor (types: a list) is not a str or holds "->" (the caller then
 * takes the Python path, which keeps its own errors). */
static PyObject *reach_async_asks(PyObject *self, PyObject *args) {
    Py_buffer mb, rb, sb, cb, gb, stb, mkb, db, dsb, deb, bb;
    PyObject *types;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*O!y*y*y*y*y*y*", &mb, &rb, &sb, &cb, &gb, &PyList_Type, &types, &stb,
                          &mkb, &db, &dsb, &deb, &bb))
        return NULL;
    PyObject *res = NULL;
    vec_t out, cands;
    memset(&out, 0, sizeof out);
    memset(&cands, 0, sizeof cands);
    int bad = 0;
    size_t n_methods = (size_t)mb.len / 28, n_rec = (size_t)rb.len / 4, n_scan = (size_t)sb.len / 4;
    size_t n_mclass = (size_t)cb.len / 2, n_gmap = (size_t)gb.len / 4, n_status = (size_t)stb.len / 4;
    size_t n_masks = (size_t)mkb.len, n_dids = (size_t)db.len / 4, n_bits = (size_t)bb.len;
    size_t n_types = (size_t)PyList_GET_SIZE(types);
    if (mb.len % 28 || rb.len % 4 || sb.len % 4 || cb.len % 2 || gb.len % 4 || stb.len % 4 || db.len % 4 ||
        (size_t)dsb.len != n_dids || (size_t)deb.len != 4 * n_dids || n_bits > 8) {
        bad = 1;
        goto done;
    }
    const uint8_t *m = (const uint8_t *)mb.buf, *rs = (const uint8_t *)rb.buf, *sc = (const uint8_t *)sb.buf;
    const uint8_t *mc = (const uint8_t *)cb.buf, *gm = (const uint8_t *)gb.buf, *st = (const uint8_t *)stb.buf;
    const uint8_t *mk = (const uint8_t *)mkb.buf, *dids = (const uint8_t *)db.buf, *dspec = (const uint8_t *)dsb.buf;
    const uint8_t *dextra = (const uint8_t *)deb.buf, *bits = (const uint8_t *)bb.buf;
    size_t pos = 0;
    for (size_t q = 0; q < n_rec; q++) {
        uint32_t r = ld32(rs, q);
        if (r >= n_methods || pos >= n_scan) { bad = 1; goto done; }
        uint32_t caller = rd32(m + (size_t)r * 28 + 4);
        if (caller >= n_mclass || caller >= n_gmap) { bad = 1; goto done; }
        uint32_t ctype = (uint32_t)mc[2 * (size_t)caller] | ((uint32_t)mc[2 * (size_t)caller + 1] << 8);
        if (ctype >= n_types || ctype >= n_status) { bad = 1; goto done; }
        int arrow = str_has_arrow(PyList_GET_ITEM(types, ctype));
        if (arrow) { bad = 1; goto done; }
        uint32_t n = ld32(sc, pos++);
        if (n > n_scan - pos) { bad = 1; goto done; }
        cands.len = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t t = ld32(sc, pos + i);
            if (t >= n_status) { bad = 1; goto done; }
            if (vec_push(&cands, &t, 1)) goto nomem;
        }
        pos += n;
        if (pos >= n_scan) { bad = 1; goto done; }
        uint32_t c = ld32(sc, pos++);
        if (c > n_scan - pos) { bad = 1; goto done; }
        unsigned specs = 0;
        for (uint32_t i = 0; i < c; i++) {
            uint32_t idx = ld32(sc, pos + i);
            size_t lo = 0, hi = n_dids;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ld32(dids, mid) < idx) lo = mid + 1;
                else hi = mid;
            }
            if (lo == n_dids || ld32(dids, lo) != idx) { bad = 1; goto done; }
            specs |= dspec[lo];
            uint32_t x = ld32(dextra, lo);
            if (x != NONE_ID) {
                if (x >= n_status) { bad = 1; goto done; }
                if (vec_push(&cands, &x, 1)) goto nomem;
            }
        }
        pos += c;
        if (vec_push(&cands, &ctype, 1)) goto nomem;
        if (specs >> n_bits) { bad = 1; goto done; }
        if (!specs) continue;
        if (cands.len < 64) { /* each candidate once, first met first */
            size_t k = 0;
            for (size_t i = 0; i < cands.len; i++) {
                int seen = 0;
                for (size_t j = 0; j < k && !seen; j++) seen = cands.data[j] == cands.data[i];
                if (!seen) cands.data[k++] = cands.data[i];
            }
            cands.len = k;
        }
        size_t head = out.len;
        uint32_t hdr[2] = {ld32(gm, caller), 0};
        if (vec_push(&out, hdr, 2)) goto nomem;
        for (uint32_t s = 0; s < n_bits; s++) {
            if (!(specs >> s & 1u)) continue;
            for (size_t i = 0; i < cands.len; i++) {
                uint32_t cn = ld32(st, cands.data[i]);
                if (cn == NONE_ID) continue;
                if (cn >= n_masks) { bad = 1; goto done; }
                if (mk[cn] & bits[s]) {
                    uint32_t pair[2] = {cands.data[i], s};
                    if (vec_push(&out, pair, 2)) goto nomem;
                    out.data[head + 1]++;
                }
            }
        }
        if (!out.data[head + 1]) out.len = head;
    }
    if (pos != n_scan) { bad = 1; goto done; }
    res = PyBytes_FromStringAndSize(out.data ? (const char *)out.data : "", (Py_ssize_t)(out.len * 4));
    goto done;
nomem:
    PyErr_NoMemory();
done:
    free(out.data);
    free(cands.data);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&rb);
    PyBuffer_Release(&sb);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&stb);
    PyBuffer_Release(&mkb);
    PyBuffer_Release(&db);
    PyBuffer_Release(&dsb);
    PyBuffer_Release(&deb);
    PyBuffer_Release(&bb);
    if (bad && !res && !PyErr_Occurred()) Py_RETURN_NONE;
    return res;
}

/* ---- lookup_groups --------------------------------------------------------------------------------------- */

/* lookup_groups(todo, homes) -> (groups, rest, missing) | None
 * CallGraph.lookup_many's per-descriptor step (mirrors pywalk.lookup_groups). An item of `todo` (a list) that is not
 * an exact ASCII str holding "->" once and no NUL goes to `rest` (in order); else its class (the part before "->")
 * is looked up in `homes` (a dict: class -> () or (DEX, lo, hi)): missing, the class joins `missing` (distinct, first
 * met first); (), the item goes to `rest`; (ci, lo, hi), (lo, hi, the item's bytes) joins groups[ci][0] and the item
 * groups[ci][1] (groups: a dict in first-met order). With any class missing: (None, None, missing). None when a home
 * is neither () nor a 3-tuple. */
static PyObject *reach_lookup_groups(PyObject *self, PyObject *args) {
    PyObject *todo, *homes;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &todo, &PyDict_Type, &homes)) return NULL;
    PyObject *groups = PyDict_New(), *rest = PyList_New(0), *missing = PyList_New(0), *seen = PySet_New(NULL);
    PyObject *res = NULL, *cls = NULL;
    if (!groups || !rest || !missing || !seen) goto done;
    Py_ssize_t n = PyList_GET_SIZE(todo);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *d = PyList_GET_ITEM(todo, i);
        if (!PyUnicode_CheckExact(d) || !PyUnicode_IS_ASCII(d)) {
            if (PyList_Append(rest, d)) goto done;
            continue;
        }
        const char *s = (const char *)PyUnicode_DATA(d);
        Py_ssize_t len = PyUnicode_GET_LENGTH(d), pos = -1, count = 0;
        for (Py_ssize_t j = 0; j + 1 < len; j++) {
            if (s[j] == '-' && s[j + 1] == '>') {
                if (!count++) pos = j;
                j++;
            }
        }
        if (count != 1 || memchr(s, 0, (size_t)len)) {
            if (PyList_Append(rest, d)) goto done;
            continue;
        }
        cls = PyUnicode_FromStringAndSize(s, pos);
        if (!cls) goto done;
        PyObject *home = PyDict_GetItemWithError(homes, cls); /* borrowed */
        if (!home) {
            if (PyErr_Occurred()) goto done;
            int has = PySet_Contains(seen, cls);
            if (has < 0 || (!has && (PySet_Add(seen, cls) || PyList_Append(missing, cls)))) goto done;
            Py_CLEAR(cls);
            continue;
        }
        Py_CLEAR(cls);
        if (!PyTuple_Check(home) || (PyTuple_GET_SIZE(home) != 0 && PyTuple_GET_SIZE(home) != 3)) {
            res = Py_None;
            Py_INCREF(res);
            goto done;
        }
        if (PyTuple_GET_SIZE(home) == 0) {
            if (PyList_Append(rest, d)) goto done;
            continue;
        }
        if (PyList_GET_SIZE(missing)) continue; /* only the missing classes are answered */
        PyObject *ci = PyTuple_GET_ITEM(home, 0);
        PyObject *g = PyDict_GetItemWithError(groups, ci); /* borrowed */
        if (!g) {
            if (PyErr_Occurred()) goto done;
            g = Py_BuildValue("([][])");
            if (!g) goto done;
            int bad = PyDict_SetItem(groups, ci, g);
            Py_DECREF(g);
            if (bad) goto done;
        }
        PyObject *key = PyBytes_FromStringAndSize(s, len);
        if (!key) goto done;
        PyObject *q = PyTuple_Pack(3, PyTuple_GET_ITEM(home, 1), PyTuple_GET_ITEM(home, 2), key);
        Py_DECREF(key);
        if (!q) goto done;
        int bad = PyList_Append(PyTuple_GET_ITEM(g, 0), q);
        Py_DECREF(q);
        if (bad || PyList_Append(PyTuple_GET_ITEM(g, 1), d)) goto done;
    }
    if (PyList_GET_SIZE(missing)) res = Py_BuildValue("(OOO)", Py_None, Py_None, missing);
    else res = PyTuple_Pack(3, groups, rest, missing);
done:
    Py_XDECREF(cls);
    Py_XDECREF(groups);
    Py_XDECREF(rest);
    Py_XDECREF(missing);
    Py_XDECREF(seen);
    return res;
}

/* callers_within(offsets, targets, virtual, seeds, depth, limit) -> bytes | None
 * The nodes that call one of the seed nodes at most `depth` calls deep, walking back over an adjacency from
 * build_csr without building the reversed adjacency (reverse_csr builds every row; this reads each row once per
 * pass, at most `depth` passes, fewer when a pass finds nothing new). `virtual` has one byte per node; a nonzero
 * byte marks a virtual node. A caller of a node t is a real node u whose row holds t, or holds a virtual node v
 * whose row holds t (CallGraph.callers' expansion: a virtual node stands for its own real callers, and is never
 * a caller itself; only real targets t count through a virtual node). Distances: 0 for a real seed (a virtual
 * seed is a virtual node like the others), else the fewest caller steps to a seed. `depth` is taken within 0..254.
 * Returns the real nodes at distance 1..depth that are not seeds, as u32 ascending; None when they are more than
 * `limit` (found out as soon as they are). ValueError as reverse_csr for an inconsistent adjacency (same messages,
 * same order of the checks), then "virtual must have one byte per node", "seeds must hold u32 values", "seed out
 * of range". */
static PyObject *reach_callers_within(PyObject *self, PyObject *args) {
    Py_buffer ob, tb, vb, sb;
    Py_ssize_t depth_arg, limit;
    if (!PyArg_ParseTuple(args, "y*y*y*y*nn", &ob, &tb, &vb, &sb, &depth_arg, &limit)) return NULL;
    PyObject *res = NULL;
    void *bitmem = NULL; /* the bitmaps */
    uint32_t *out = NULL;
    const char *err = NULL;
    size_t n_nodes = 0, n_targets = (size_t)tb.len / 4, n_seeds = (size_t)sb.len / 4;
    const uint8_t *off = (const uint8_t *)ob.buf, *tgt = (const uint8_t *)tb.buf;
    const uint8_t *virt = (const uint8_t *)vb.buf, *seeds = (const uint8_t *)sb.buf;
    err = csr_error(&ob, &tb, &n_nodes);
    if (!err && (size_t)vb.len != n_nodes) err = "virtual must have one byte per node";
    if (!err && sb.len % 4) err = "seeds must hold u32 values";
    for (size_t i = 0; i < n_seeds && !err; i++)
        if (rd32(seeds + i * 4) >= n_nodes) err = "seed out of range";
    if (err) {
        PyErr_SetString(PyExc_ValueError, err);
        goto done;
    }
    unsigned int depth = depth_arg < 0 ? 0 : depth_arg > 254 ? 254 : (unsigned int)depth_arg;
    /* bitmaps, one bit per node (small enough to stay in the caches while the rows stream by): the nodes met so
     * far (seeds included), the last level (with the virtual nodes standing for it), the level being made */
    size_t words = n_nodes / 64 + 1;
    uint64_t *bits = (uint64_t *)calloc(3 * words, sizeof(uint64_t));
    if (!bits) {
        PyErr_NoMemory();
        goto done;
    }
    bitmem = bits;
    uint64_t *seen = bits, *front = bits + words, *next = bits + 2 * words;
#define BIT(m, i) (((m)[(i) >> 6] >> ((i)&63)) & 1u)
#define SET(m, i) ((m)[(i) >> 6] |= (uint64_t)1 << ((i)&63))
    size_t in_front = 0;
    for (size_t i = 0; i < n_seeds; i++) {
        uint32_t g = rd32(seeds + i * 4);
        if (!virt[g] && !BIT(seen, g)) { /* a virtual seed is a virtual node like any other */
            SET(seen, g);
            SET(front, g);
            in_front++;
        }
    }
    Py_ssize_t found = 0;
    int over = 0;
    /* each step streams the targets once (twice when it meets virtual nodes) and tests each against a bitmap; only
     * a hit looks its row up, by bisection of the offsets from the last hit's row on (hits come in row order) */
    for (unsigned int level = 0; level < depth && in_front && !over; level++) {
        memset(next, 0, words * sizeof(uint64_t));
        in_front = 0;
        for (int through = 0; through < 2; through++) {
            /* through 0: the rows holding a node of the last level; a virtual one stands for it, so through 1:
             * the rows holding such a virtual node (put in `front`, the last level's bitmap, now done with) */
            int virtual_met = 0;
            size_t u = 0;
            for (size_t k = 0; k < n_targets; k++) {
                if (!BIT(front, rd32(tgt + k * 4))) continue;
                size_t lo = u, hi = n_nodes; /* the row u with off[u] <= k < off[u + 1] */
                while (hi - lo > 1) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (rd32(off + mid * 4) <= k) lo = mid;
                    else hi = mid;
                }
                u = lo;
                if (virt[u]) {
                    if (!through) virtual_met = 1;
                    if (!through) SET(next, u); /* marked for now, taken out before through 1 */
                } else if (!BIT(seen, u) && !BIT(next, u)) {
                    SET(next, u);
                    in_front++;
                }
                k = rd32(off + u * 4 + 4) - 1; /* the rest of the row adds nothing */
            }
            if (through || !virtual_met) break;
            memset(front, 0, words * sizeof(uint64_t));
            for (size_t v = 0; v < n_nodes; v++)
                if (virt[v] && BIT(next, v)) {
                    next[v >> 6] &= ~((uint64_t)1 << (v & 63));
                    SET(front, v);
                }
        }
        found += (Py_ssize_t)in_front;
        if (found > limit) over = 1;
        for (size_t w = 0; w < words; w++) seen[w] |= next[w];
        uint64_t *swap = front;
        front = next;
        next = swap;
    }
#undef BIT
#undef SET
    if (over || found > limit) {
        res = Py_None;
        Py_INCREF(res);
        goto done;
    }
    out = (uint32_t *)malloc((found ? (size_t)found : 1) * sizeof(uint32_t));
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    size_t w = 0;
    for (size_t i = 0; i < n_seeds; i++) { /* the seeds are not callers: out of the bitmap */
        uint32_t g = rd32(seeds + i * 4);
        seen[g >> 6] &= ~((uint64_t)1 << (g & 63));
    }
    for (size_t u = 0; u < n_nodes; u++)
        if ((seen[u >> 6] >> (u & 63)) & 1u) out[w++] = (uint32_t)u;
    res = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(w * 4));
done:
    free(bitmem);
    free(out);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&sb);
    return res;
}

/* ---- async_callbacks ------------------------------------------------------------------------------------- */

/* async_callbacks(dexes, base, ci, asks, specs[, deadline]) -> bytes | None
 * CallGraph._async_targets over async_asks' output `asks` of DEX `ci` (mirrors pywalk.async_callbacks): per record
 * [src, n, (type index, spec index) * n], the candidate class (status[ci][type]; NONE: nothing) and its app
 * superclass chain as CallGraph._ancestors walks it (parents[0] of _parents_of: the superclass, or the first
 * interface of a class without one; the chain stops at a class the app does not define, at a class met before, and
 * at a class whose superclass index is out of range or whose interface list is malformed or names a type out of
 * range), and in each class of the chain the methods matching the spec's callbacks (`specs[s]`: a tuple of bytes,
 * one ending in "(" being a prefix): per distinct "name(params)ret" of the class's method records (bytes), the node
 * gmap[method idx] of its first record. Output: per record, the (src, node) u32 pairs of its nodes sorted, each
 * once. `dexes`: per DEX (id tables as DexCode.id_args, status: u32 per type id, class defs: 8 u32 each, method
 * records: 7 u32 each, gmap: u32 per method id); `base`: u32 per DEX and one more, the first class number of each.
 * None (the caller then takes the Python path, which keeps its own behaviour) when a class of a chain would not be
 * read by CallGraph._callback_methods as its own records (its descriptor holds "->", the DEX's records are not in
 * class order, a record's method id lies outside its class's method id range), a matched signature is not ASCII,
 * or anything is out of range or inconsistent. TimeoutError past `deadline`. */
typedef struct {
    int state; /* 0 not loaded, 1 loaded, -1 inconsistent */
    Py_buffer buf, st, cd, mr, gm;
    int nb;
    unsigned long s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size;
    const uint8_t *d;
    size_t size, n_status, n_cd, n_rec, n_gmap;
} acdex_t;

typedef struct {
    uint32_t parent; /* class number of the next class of the chain, NONE: the chain ends */
    uint32_t m_off, m_n; /* (node, spec bits) pairs in the matches vector */
    uint32_t stamp;
} acls_t;

static int ac_load(acdex_t *x, PyObject *item) {
    if (x->state) return x->state;
    x->state = -1;
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 5) return -1;
    PyObject *ids = PyTuple_GET_ITEM(item, 0);
    if (!PyTuple_Check(ids) || PyTuple_GET_SIZE(ids) != 9) return -1;
    if (PyObject_GetBuffer(PyTuple_GET_ITEM(ids, 0), &x->buf, PyBUF_SIMPLE) < 0) goto err;
    x->nb = 1;
    unsigned long *f[8] = {&x->s_off, &x->s_size, &x->t_off, &x->t_size, &x->p_off, &x->p_size, &x->m_off, &x->m_size};
    for (int i = 0; i < 8; i++) {
        PyObject *v = PyTuple_GET_ITEM(ids, i + 1);
        if (!PyLong_Check(v)) return -1;
        *f[i] = PyLong_AsUnsignedLong(v);
        if (PyErr_Occurred()) goto err;
    }
    Py_buffer *bufs[4] = {&x->st, &x->cd, &x->mr, &x->gm};
    for (int i = 0; i < 4; i++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(item, i + 1), bufs[i], PyBUF_SIMPLE) < 0) goto err;
        x->nb++;
    }
    x->d = (const uint8_t *)x->buf.buf;
    x->size = (size_t)x->buf.len;
    if (x->st.len % 4 || x->cd.len % 32 || x->mr.len % 28 || x->gm.len % 4) return -1;
    if ((uint64_t)x->s_off + (uint64_t)x->s_size * 4 > x->size || (uint64_t)x->t_off + (uint64_t)x->t_size * 4 > x->size ||
        (uint64_t)x->p_off + (uint64_t)x->p_size * 12 > x->size || (uint64_t)x->m_off + (uint64_t)x->m_size * 8 > x->size)
        return -1;
    x->n_status = (size_t)x->st.len / 4;
    x->n_cd = (size_t)x->cd.len / 32;
    x->n_rec = (size_t)x->mr.len / 28;
    x->n_gmap = (size_t)x->gm.len / 4;
    const uint8_t *mr = (const uint8_t *)x->mr.buf;
    for (size_t r = 1; r < x->n_rec; r++) /* records in class order (CodeIndex.class_records' ranges) */
        if (ld32(mr, 7 * r) < ld32(mr, 7 * (r - 1))) return -1;
    return x->state = 1;
err:
    PyErr_Clear();
    return -1;
}

static void ac_release(acdex_t *x) {
    Py_buffer *bufs[5] = {&x->buf, &x->st, &x->cd, &x->mr, &x->gm};
    for (int i = 0; i < x->nb; i++) PyBuffer_Release(bufs[i]);
    x->nb = 0;
}

/* string sidx of a DEX: its bytes up to the NUL after the uleb128 length; -1 when out of range or bounds */
static int ac_string(const acdex_t *x, uint32_t sidx, const uint8_t **p, size_t *len) {
    if (sidx >= x->s_size) return -1;
    size_t pos = rd32(x->d + x->s_off + (size_t)sidx * 4), size = x->size;
    int u = 0;
    while (u < 5 && pos < size && (x->d[pos] & 0x80)) pos++, u++;
    if (u == 5 || pos >= size) return -1;
    pos++;
    const uint8_t *nul = pos < size ? memchr(x->d + pos, 0, size - pos) : NULL;
    if (!nul) return -1;
    *p = x->d + pos;
    *len = (size_t)(nul - (x->d + pos));
    return 0;
}

static int ac_type(const acdex_t *x, uint32_t t, const uint8_t **p, size_t *len) {
    if (t >= x->t_size) return -1;
    return ac_string(x, rd32(x->d + x->t_off + (size_t)t * 4), p, len);
}

/* append bytes to the signature being built (kept up to `cap` bytes, the length counted in full) */
static void ac_put(uint8_t *sig, size_t cap, size_t *len, const uint8_t *p, size_t n) {
    if (*len < cap) memcpy(sig + *len, p, n < cap - *len ? n : cap - *len);
    *len += n;
}

/* "name(params)ret" of method id m into sig (its first cap bytes; *len its full length, *ascii whether all of it is
 * ASCII); -1 when a part is out of range or bounds */
static int ac_sig(const acdex_t *x, uint32_t m, uint8_t *sig, size_t cap, size_t *len, int *ascii) {
    const uint8_t *p;
    size_t n;
    const uint8_t *row = x->d + x->m_off + (size_t)m * 8;
    uint32_t proto = (uint32_t)row[2] | ((uint32_t)row[3] << 8);
    *len = 0;
    *ascii = 1;
    if (ac_string(x, rd32(row + 4), &p, &n)) return -1;
    for (size_t i = 0; i < n; i++) *ascii &= p[i] < 0x80;
    ac_put(sig, cap, len, p, n);
    ac_put(sig, cap, len, (const uint8_t *)"(", 1);
    if (proto >= x->p_size) return -1;
    const uint8_t *pr = x->d + x->p_off + (size_t)proto * 12;
    uint32_t ret = rd32(pr + 4), poff = rd32(pr + 8);
    if (poff) {
        if (poff & 3 || (uint64_t)poff + 4 > x->size) return -1;
        uint32_t k = rd32(x->d + poff);
        if ((uint64_t)poff + 4 + (uint64_t)k * 2 > x->size) return -1;
        for (uint32_t i = 0; i < k; i++) {
            uint32_t t = (uint32_t)x->d[poff + 4 + 2 * (size_t)i] | ((uint32_t)x->d[poff + 5 + 2 * (size_t)i] << 8);
            if (ac_type(x, t, &p, &n)) return -1;
            for (size_t j = 0; j < n; j++) *ascii &= p[j] < 0x80;
            ac_put(sig, cap, len, p, n);
        }
    }
    ac_put(sig, cap, len, (const uint8_t *)")", 1);
    if (ac_type(x, ret, &p, &n)) return -1;
    for (size_t j = 0; j < n; j++) *ascii &= p[j] < 0x80;
    ac_put(sig, cap, len, p, n);
    return 0;
}

/* bisect_left / bisect_right of v over the u16 class column of the method ids */
static void ac_home(const acdex_t *x, uint32_t v, size_t *lo_out, size_t *hi_out) {
    const uint8_t *base = x->d + x->m_off;
    size_t lo = 0, hi = x->m_size;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t c = (uint32_t)base[mid * 8] | ((uint32_t)base[mid * 8 + 1] << 8);
        if (c < v) lo = mid + 1;
        else hi = mid;
    }
    size_t lo2 = lo;
    hi = x->m_size;
    while (lo2 < hi) {
        size_t mid = (lo2 + hi) / 2;
        uint32_t c = (uint32_t)base[mid * 8] | ((uint32_t)base[mid * 8 + 1] << 8);
        if (v < c) hi = mid;
        else lo2 = mid + 1;
    }
    *lo_out = lo;
    *hi_out = lo2;
}

static PyObject *reach_async_callbacks(PyObject *self, PyObject *args) {
    PyObject *dexes, *specs;
    Py_buffer bb, ab;
    Py_ssize_t ci;
    double deadline_at = 0;
    if (!PyArg_ParseTuple(args, "O!y*ny*O!|d", &PyList_Type, &dexes, &bb, &ci, &ab, &PyList_Type, &specs,
                          &deadline_at))
        return NULL;
    PyObject *res = NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes), n_specs = PyList_GET_SIZE(specs);
    acdex_t *xs = NULL;
    uint32_t *slot_of = NULL;
    acls_t *cls = NULL;
    size_t n_cls = 0, cap_cls = 0;
    uint8_t *sig = NULL, *seen_sigs = NULL;
    size_t seen_cap = 0;
    vec_t matches, targets, out, sigs_at;
    memset(&matches, 0, sizeof matches);
    memset(&targets, 0, sizeof targets);
    memset(&out, 0, sizeof out);
    memset(&sigs_at, 0, sizeof sigs_at);
    deadline_t dl = {deadline_at, 0, 0};
    int bad = 0;
    /* the callbacks: checked once; the signature is built up to the longest callback and one byte more */
    size_t cap = 1;
    if (n_specs > 8) { bad = 1; goto done; }
    for (Py_ssize_t s = 0; s < n_specs; s++) {
        PyObject *cbs = PyList_GET_ITEM(specs, s);
        if (!PyTuple_Check(cbs)) { bad = 1; goto done; }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(cbs); j++) {
            PyObject *cb = PyTuple_GET_ITEM(cbs, j);
            if (!PyBytes_Check(cb)) { bad = 1; goto done; }
            if ((size_t)PyBytes_GET_SIZE(cb) + 1 > cap) cap = (size_t)PyBytes_GET_SIZE(cb) + 1;
        }
    }
    if (bb.len % 4 || ab.len % 4 || (size_t)bb.len / 4 != (size_t)n_dex + 1 || ci < 0 || ci >= n_dex) {
        bad = 1;
        goto done;
    }
    const uint8_t *base = (const uint8_t *)bb.buf, *asks = (const uint8_t *)ab.buf;
    for (Py_ssize_t j = 0; j < n_dex; j++)
        if (ld32(base, (size_t)j + 1) < ld32(base, (size_t)j)) { bad = 1; goto done; }
    size_t total = ld32(base, (size_t)n_dex), n_words = (size_t)ab.len / 4;
    xs = (acdex_t *)calloc((size_t)n_dex, sizeof(acdex_t));
    slot_of = (uint32_t *)calloc(total ? total : 1, 4); /* class number -> slot + 1 (pages touched as used) */
    sig = (uint8_t *)malloc(cap);
    if (!xs || !slot_of || !sig) goto nomem;
    if (ac_load(&xs[ci], PyList_GET_ITEM(dexes, ci)) < 0) { bad = 1; goto done; }
    const acdex_t *home = &xs[ci];
    uint32_t stamp = 0;
    size_t pos = 0;
    while (pos < n_words) {
        if (n_words - pos < 2) { bad = 1; goto done; }
        uint32_t src = ld32(asks, pos), n = ld32(asks, pos + 1);
        pos += 2;
        if (n > (n_words - pos) / 2) { bad = 1; goto done; }
        targets.len = 0;
        for (uint32_t q = 0; q < n; q++, pos += 2) {
            uint32_t c = ld32(asks, pos), s = ld32(asks, pos + 1);
            if (c >= home->n_status || s >= (uint32_t)n_specs) { bad = 1; goto done; }
            uint32_t k = ld32((const uint8_t *)home->st.buf, c);
            stamp++;
            while (k != NONE_ID) {
                if (dl_spent(&dl, 1)) goto timeout;
                if (k >= total) { bad = 1; goto done; }
                if (!slot_of[k]) { /* the class's callback methods and its next class, read once */
                    size_t lo = 0, hi = (size_t)n_dex;
                    while (hi - lo > 1) { /* the DEX j with base[j] <= k < base[j + 1] */
                        size_t mid = (lo + hi) / 2;
                        if (ld32(base, mid) <= k) lo = mid;
                        else hi = mid;
                    }
                    size_t j = lo;
                    while (j + 1 < (size_t)n_dex && ld32(base, j + 1) <= k) j++;
                    acdex_t *x = &xs[j];
                    if (ac_load(x, PyList_GET_ITEM(dexes, (Py_ssize_t)j)) < 0) { bad = 1; goto done; }
                    size_t cdi = k - ld32(base, j);
                    if ((size_t)ld32(base, j + 1) - ld32(base, j) != x->n_cd || cdi >= x->n_cd) { bad = 1; goto done; }
                    const uint8_t *cd = (const uint8_t *)x->cd.buf;
                    uint32_t t = ld32(cd, cdi * 8), sup = ld32(cd, cdi * 8 + 2), ioff = ld32(cd, cdi * 8 + 3);
                    const uint8_t *p;
                    size_t plen;
                    if (ac_type(x, t, &p, &plen)) { bad = 1; goto done; }
                    for (size_t i = 0; i + 1 < plen; i++)
                        if (p[i] == '-' && p[i + 1] == '>') { bad = 1; goto done; }
                    if (n_cls == cap_cls) {
                        size_t nc = cap_cls ? 2 * cap_cls : 256;
                        acls_t *g = (acls_t *)realloc(cls, nc * sizeof(acls_t));
                        if (!g) goto nomem;
                        cls = g;
                        cap_cls = nc;
                    }
                    acls_t *a = &cls[n_cls];
                    a->parent = NONE_ID;
                    a->m_off = (uint32_t)(matches.len / 2);
                    a->m_n = 0;
                    a->stamp = 0;
                    /* the class's records (bisection of the records' class column) */
                    const uint8_t *mr = (const uint8_t *)x->mr.buf;
                    size_t rlo = 0, rhi = x->n_rec;
                    while (rlo < rhi) {
                        size_t mid = (rlo + rhi) / 2;
                        if (ld32(mr, 7 * mid) < cdi) rlo = mid + 1;
                        else rhi = mid;
                    }
                    size_t rend = rlo;
                    while (rend < x->n_rec && ld32(mr, 7 * rend) == cdi) rend++;
                    if (rend > rlo) {
                        size_t hlo, hhi;
                        ac_home(x, t, &hlo, &hhi);
                        for (size_t r = rlo; r < rend; r++) {
                            uint32_t m = ld32(mr, 7 * r + 1);
                            if (m < hlo || m >= hhi) { bad = 1; goto done; }
                        }
                    }
                    sigs_at.len = 0;
                    size_t seen_len = 0;
                    for (size_t r = rlo; r < rend; r++) {
                        if (dl_spent(&dl, 1)) goto timeout;
                        uint32_t m = ld32(mr, 7 * r + 1);
                        /* the name first: only one that may begin a callback's signature is read further */
                        if (ac_string(x, rd32(x->d + x->m_off + (size_t)m * 8 + 4), &p, &plen)) { bad = 1; goto done; }
                        int maybe = 0;
                        for (Py_ssize_t s = 0; s < n_specs && !maybe; s++) {
                            PyObject *cbs = PyList_GET_ITEM(specs, s);
                            for (Py_ssize_t j2 = 0; j2 < PyTuple_GET_SIZE(cbs) && !maybe; j2++) {
                                PyObject *cb = PyTuple_GET_ITEM(cbs, j2);
                                size_t cl = (size_t)PyBytes_GET_SIZE(cb);
                                const char *cs = PyBytes_AS_STRING(cb);
                                maybe = plen < cl ? !memcmp(cs, p, plen) && cs[plen] == '(' : !memcmp(cs, p, cl);
                            }
                        }
                        if (!maybe) continue;
                        size_t len;
                        int ascii;
                        if (ac_sig(x, m, sig, cap, &len, &ascii)) { bad = 1; goto done; }
                        uint32_t bits = 0;
                        for (Py_ssize_t s = 0; s < n_specs; s++) {
                            PyObject *cbs = PyList_GET_ITEM(specs, s);
                            for (Py_ssize_t j2 = 0; j2 < PyTuple_GET_SIZE(cbs); j2++) {
                                PyObject *cb = PyTuple_GET_ITEM(cbs, j2);
                                size_t cl = (size_t)PyBytes_GET_SIZE(cb);
                                const char *cs = PyBytes_AS_STRING(cb);
                                int prefix = cl && cs[cl - 1] == '(';
                                if ((prefix ? len >= cl : len == cl) && !memcmp(sig, cs, cl)) bits |= 1u << s;
                            }
                        }
                        if (!bits) continue;
                        if (!ascii || len > 0xffffffu) { bad = 1; goto done; }
                        /* a signature met before in this class: its first record's node is there already */
                        if (len > cap) { /* the whole signature, to compare with the class's others */
                            uint8_t *g = (uint8_t *)realloc(sig, len);
                            if (!g) goto nomem;
                            sig = g;
                            cap = len;
                            if (ac_sig(x, m, sig, cap, &len, &ascii)) { bad = 1; goto done; }
                        }
                        int dup = 0;
                        for (size_t i = 0; i < sigs_at.len && !dup; i += 2)
                            dup = sigs_at.data[i + 1] == len && !memcmp(seen_sigs + sigs_at.data[i], sig, len);
                        if (dup) continue;
                        if (seen_len + len > seen_cap) {
                            size_t nc = seen_cap ? seen_cap : 256;
                            while (nc < seen_len + len) nc *= 2;
                            uint8_t *g = (uint8_t *)realloc(seen_sigs, nc);
                            if (!g) goto nomem;
                            seen_sigs = g;
                            seen_cap = nc;
                        }
                        memcpy(seen_sigs + seen_len, sig, len);
                        uint32_t at[2] = {(uint32_t)seen_len, (uint32_t)len};
                        seen_len += len;
                        if (vec_push(&sigs_at, at, 2)) goto nomem;
                        if (m >= x->n_gmap) { bad = 1; goto done; }
                        uint32_t pair[2] = {ld32((const uint8_t *)x->gm.buf, m), bits};
                        if (vec_push(&matches, pair, 2)) goto nomem;
                        a->m_n++;
                    }
                    /* the next class: parents[0] of CallGraph._parents_of, () when a part is out of range */
                    int ok = 1;
                    uint32_t first = NONE_ID;
                    if (sup != NONE_ID && sup >= x->t_size) ok = 0;
                    if (ok && ioff) {
                        if (ioff & 3 || (uint64_t)ioff + 4 > x->size) ok = 0;
                        else {
                            uint32_t k2 = rd32(x->d + ioff);
                            if ((uint64_t)ioff + 4 + (uint64_t)k2 * 2 > x->size) ok = 0;
                            for (uint32_t i = 0; ok && i < k2; i++) {
                                uint32_t it = (uint32_t)x->d[ioff + 4 + 2 * (size_t)i] |
                                              ((uint32_t)x->d[ioff + 5 + 2 * (size_t)i] << 8);
                                if (it >= x->t_size) ok = 0;
                                else if (!i) first = it;
                            }
                        }
                    }
                    uint32_t next = !ok ? NONE_ID : sup != NONE_ID ? sup : first;
                    if (next != NONE_ID) {
                        if (next >= x->n_status) { bad = 1; goto done; }
                        a->parent = ld32((const uint8_t *)x->st.buf, next);
                    }
                    slot_of[k] = (uint32_t)++n_cls;
                }
                acls_t *a = &cls[slot_of[k] - 1];
                if (a->stamp == stamp) break; /* met before in this chain */
                a->stamp = stamp;
                for (uint32_t i = 0; i < a->m_n; i++) {
                    uint32_t *pair = matches.data + 2 * ((size_t)a->m_off + i);
                    if (pair[1] >> s & 1 && vec_push(&targets, pair, 1)) goto nomem;
                }
                k = a->parent;
            }
        }
        if (targets.len) {
            qsort(targets.data, targets.len, 4, u32_cmp);
            for (size_t i = 0; i < targets.len; i++) {
                if (i && targets.data[i] == targets.data[i - 1]) continue;
                uint32_t e[2] = {src, targets.data[i]};
                if (vec_push(&out, e, 2)) goto nomem;
            }
        }
    }
    res = PyBytes_FromStringAndSize((const char *)out.data, (Py_ssize_t)(out.len * 4));
    goto done;
timeout:
    deadline_error();
    goto done;
nomem:
    PyErr_NoMemory();
done:
    if (bad && !res && !PyErr_Occurred()) {
        res = Py_None;
        Py_INCREF(res);
    }
    if (xs)
        for (Py_ssize_t j = 0; j < n_dex; j++) ac_release(&xs[j]);
    free(xs);
    free(slot_of);
    free(cls);
    free(sig);
    free(seen_sigs);
    free(matches.data);
    free(targets.data);
    free(out.data);
    free(sigs_at.data);
    PyBuffer_Release(&bb);
    PyBuffer_Release(&ab);
    return res;
}

static PyMethodDef methods[] = {
    {"walk", reach_walk, METH_VARARGS, "CallGraph.walk's BFS over node ids."},
    {"invoked_pair", reach_invoked_pair, METH_VARARGS, "invoked_ids for virtual and super opcodes in one pass."},
    {"class_numbers", reach_class_numbers, METH_VARARGS, "App-wide class number per type descriptor."},
    {"ids_ordered", reach_ids_ordered, METH_VARARGS, "Whether the id tables can be bisected."},
    {"intern_all", reach_intern_all, METH_VARARGS, "Node ids of every method id of every DEX."},
    {"hierarchy_all", reach_hierarchy_all, METH_VARARGS, "Class-hierarchy targets over every DEX at once."},
    {"find_first", reach_find_first, METH_VARARGS, "find_methods' first match for many queries of a DEX."},
    {"u32_positions", reach_u32_positions, METH_VARARGS, "Positions of the u32 items equal to a value."},
    {"reflect_scan", reach_reflect_scan, METH_VARARGS, "Records of some invokes that invoke some ids, with strings."},
    {"dispatch_scan", reach_dispatch_scan, METH_VARARGS, "New-instance types and dispatch calls of records."},
    {"u16_ranges", reach_u16_ranges, METH_VARARGS, "bisect_left/right of many values over u16 items."},
    {"names_maybe", reach_names_maybe, METH_VARARGS, "Method ids whose name may be one of some names."},
    {"invoke_lists", reach_invoke_lists, METH_VARARGS, "invoked_pair and call_edges' invokes in one pass."},
    {"call_edges_from", reach_call_edges_from, METH_VARARGS, "call_edges from invoke_lists' calls."},
    {"async_asks", reach_async_asks, METH_VARARGS, "The async edges' (candidate, spec) pairs per record."},
    {"lookup_groups", reach_lookup_groups, METH_VARARGS, "lookup_many's queries grouped by DEX."},
    {"callers_within", reach_callers_within, METH_VARARGS, "Callers of some nodes at most some calls deep."},
    {"async_callbacks", reach_async_callbacks, METH_VARARGS, "The async edges of async_asks' pairs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_reach", "Reachability kernels (see the file).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__reach(void) {
    init_invoke_class();
    return PyModule_Create(&module);
}
