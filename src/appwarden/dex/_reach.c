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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NONE_ID 0xffffffffu

static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

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
 * rank order; when two of them share a rank, in the order `order(u32 bytes of them) -> u32 bytes` gives (the
 * descriptor order); each is recorded (parent = the node) and queued unless `done`.
 * Returns (parents: u32 per node, NONE when not met, an entry its own parent; order: u32 node ids met, entries
 * first). ValueError for inconsistent arrays or out-of-range ids, TimeoutError once `deadline` (time.monotonic(),
 * 0 = none) has passed (read every 2048 nodes taken), and what a callback raises. */
static PyObject *reach_walk(PyObject *self, PyObject *args) {
    Py_buffer ob, tb, vb, rb, fb, db, eb, cb;
    double deadline = 0;
    PyObject *skipped, *order_cb;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*y*y*y*dOO", &ob, &tb, &vb, &rb, &fb, &db, &eb, &cb, &deadline, &skipped,
                          &order_cb))
        return NULL;
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
            int tie = 0;
            for (size_t i = 1; i < kept && !tie; i++) tie = ld32(rank, found[i]) == ld32(rank, found[i - 1]);
            if (tie) { /* methods of one class: the caller's descriptor order */
                PyObject *arg = PyBytes_FromStringAndSize((const char *)found, (Py_ssize_t)(kept * 4));
                if (!arg) goto fail_q_set;
                PyObject *r = PyObject_CallFunctionObjArgs(order_cb, arg, NULL);
                Py_DECREF(arg);
                if (!r) goto fail_q_set;
                Py_buffer sb;
                if (PyObject_GetBuffer(r, &sb, PyBUF_SIMPLE) < 0) {
                    Py_DECREF(r);
                    goto fail_q_set;
                }
                int same = (size_t)sb.len == kept * 4;
                if (same) { /* a permutation of the nodes given: each one of them, none twice */
                    const uint8_t *s = (const uint8_t *)sb.buf;
                    for (size_t i = 0; i < kept && same; i++) { /* the kept ones hold this step's tag */
                        uint32_t x;
                        memcpy(&x, s + i * 4, 4);
                        same = x < n && stamp[x] == tag;
                        if (same) stamp[x] = 0; /* recorded next: the stamp is not read again */
                    }
                    if (same) memcpy(found, sb.buf, kept * 4);
                }
                PyBuffer_Release(&sb);
                Py_DECREF(r);
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
    return res;
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

/* class_numbers(types, app, base) -> bytes
 * u32 per item of `types` (a list): NONE when app.get(item) is None, else base[ci] + cdi for app[item] ==
 * (ci, cdi) (CallGraph._hierarchy_all_args' type statuses). ValueError when a value is not such a pair of ints
 * with ci an index of `base` (a list of ints) or the number does not fit in u32 below NONE. */
static PyObject *reach_class_numbers(PyObject *self, PyObject *args) {
    PyObject *types, *app, *base;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &types, &PyDict_Type, &app, &PyList_Type, &base)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(types), nb = PyList_GET_SIZE(base);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 4);
    if (!out) return NULL;
    uint32_t *o = (uint32_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
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
    return out;
bad:
    PyErr_SetString(PyExc_ValueError, "class map values must be (DEX number, class def index)");
fail:
    Py_DECREF(out);
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

/* A fast 64-bit hash of bytes (8 at a time). Only used to bucket descriptors: results never depend on its values. */
static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

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

typedef struct { /* a proto: "(params)ret" */
    uint8_t state;   /* 0 not resolved, 1 ASCII, 2 not ASCII, 3 a check fails */
    uint32_t len;    /* of ret and the params' descriptors (what desc_build adds up) */
    uint32_t n_params;
    uint64_t hash;   /* of "(params)ret" */
} iproto_t;

typedef struct {
    Py_buffer view;
    int has_view;
    const uint8_t *buf;
    size_t size;
    unsigned long s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size;
    istr_t *types, *names;
    iproto_t *protos;
} idex_t;

/* string `sidx` (checked < s_size by the caller) resolved into *o: as _dexscan's string_ref (state 3 when it is
 * out of bounds), `odd` = the bytes hold `odd_what` ("->" when arrow, else "("), and their hash */
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
    const uint8_t *str = x->buf + pos, *nul = memchr(str, 0, end - pos);
    if (!nul || (size_t)(nul - str) > 0xffffffffu) return;
    size_t len = (size_t)(nul - str), k = 0;
    uint8_t state = 1;
    for (; k + 8 <= len; k += 8) {
        uint64_t w;
        memcpy(&w, str + k, 8);
        if (w & 0x8080808080808080ull) break;
    }
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

static const istr_t *iname(idex_t *x, uint32_t sidx) { /* NULL when a check fails */
    if (sidx >= x->s_size) return NULL;
    istr_t *o = &x->names[sidx];
    if (!o->state) istr_resolve(x, sidx, o, 0);
    return o->state == 3 ? NULL : o;
}

/* intern_all(dexes, decodes[, deadline]) -> (maps, reps) | None
 * _dexscan.intern_methods over every DEX at once (dexes: the id tables of each, see dexids_t; decodes[k](method id)
 * gives the descriptor of a method id of DEX k that is not pure ASCII): maps[k] holds the node id (u32) of each
 * method id of DEX k, reps a (DEX number, method id) u32 pair per node - the same numbering (first seen over the
 * DEX files, one node per distinct descriptor string). Each method's hash is made of its class descriptor's, its
 * name's and its proto's (each computed once per DEX), so no descriptor is built but to compare two that hash
 * alike. None (the caller then runs intern_methods DEX by DEX, which raises its error) when one of method_descs'
 * checks fails in a DEX, or a class descriptor holds "->" or a name "(" (the parts would not follow from the
 * descriptor). TimeoutError past `deadline`; what a decode raises; TypeError when it gives no str. */
static PyObject *reach_intern_all(PyObject *self, PyObject *args) {
    PyObject *dexes, *decodes;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "O!O!|d", &PyList_Type, &dexes, &PyList_Type, &decodes, &deadline)) return NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    if (PyList_GET_SIZE(decodes) != n_dex) {
        PyErr_SetString(PyExc_ValueError, "one decode per DEX");
        return NULL;
    }
    idex_t *xs = (idex_t *)calloc((size_t)(n_dex ? n_dex : 1), sizeof(idex_t));
    PyObject *res = NULL, *maps = NULL, *other = NULL, *repb = NULL;
    uint32_t *slots = NULL, *reps = NULL;
    uint64_t *hs = NULL, *hh = NULL; /* hh: per method id of the DEX being numbered, its hash */
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
    size_t max_m = 1;
    for (Py_ssize_t k = 0; k < n_dex; k++)
        if (xs[k].m_size > max_m) max_m = xs[k].m_size;
    slots = (uint32_t *)calloc(cap, 4);
    reps = (uint32_t *)malloc((2 * total + 2) * 4);
    hs = (uint64_t *)malloc((total + 1) * 8);
    hh = (uint64_t *)malloc(max_m * 8);
    asc = (uint8_t *)malloc(max_m);
    maps = PyList_New(n_dex);
    other = PyDict_New();
    if (!slots || !reps || !hs || !hh || !asc) {
        PyErr_NoMemory();
        goto done;
    }
    if (!maps || !other) goto done;
    size_t n = 0;
    uint64_t work = 0;
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        idex_t *x = &xs[k];
        x->types = (istr_t *)calloc(x->t_size ? x->t_size : 1, sizeof(istr_t));
        x->names = (istr_t *)calloc(x->s_size ? x->s_size : 1, sizeof(istr_t));
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
        uint64_t budget = (uint64_t)x->size * 64 + (1u << 20);
        /* pass 1: every method checked (method_descs' checks: any failure declines) and hashed from its parts;
         * pass 2 numbers them in order, the table slot of a method a few ahead prefetched (the table is far
         * bigger than the caches) */
        for (size_t i = 0; i < x->m_size; i++) {
            const uint8_t *mid = x->buf + x->m_off + i * 8;
            const istr_t *cls = itype(x, le16(mid)), *name = NULL;
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
        }
        for (size_t i = 0; i < x->m_size; i++) {
            if (i + 8 < x->m_size && asc[i + 8]) {
                uint64_t h8 = hh[i + 8];
                __builtin_prefetch(&slots[(size_t)(h8 ^ (h8 >> 31)) & (cap - 1)]);
            }
            uint32_t g = NONE_ID, tag = 0;
            size_t slot = 0;
            uint64_t h = hh[i];
            int ascii = asc[i];
            if (ascii) {
                const uint8_t *mid = x->buf + x->m_off + i * 8;
                const istr_t *cls = &x->types[le16(mid)], *name = &x->names[rd32(mid + 4)];
                uint32_t p = le16(mid + 2);
                const iproto_t *pr = &x->protos[p];
                tag = (uint32_t)(h >> 32) & ~idmask;
                for (slot = (size_t)(h ^ (h >> 31)) & (cap - 1);; slot = (slot + 1) & (cap - 1)) {
                    uint32_t sv = slots[slot];
                    if (!sv) break;
                    if ((sv & ~idmask) != tag) continue; /* another hash: no need to read it */
                    uint32_t j = (sv & idmask) - 1;
                    if (hs[j] != h) continue;
                    /* the parts of node j's representative (resolved when it was numbered) */
                    idex_t *y = &xs[reps[2 * j]];
                    const uint8_t *ym = y->buf + y->m_off + (size_t)reps[2 * j + 1] * 8;
                    const istr_t *ycls = &y->types[le16(ym)];
                    uint32_t yp = le16(ym + 2);
                    istr_t yname;
                    istr_resolve(y, rd32(ym + 4), &yname, 0); /* (its names cache may be gone) */
                    if (ycls->len != cls->len || memcmp(ycls->ptr, cls->ptr, cls->len) || yname.len != name->len ||
                        memcmp(yname.ptr, name->ptr, name->len) || y->protos[yp].len != pr->len)
                        continue; /* (same lengths of the parts: the parts' bytes decide, see the contract) */
                    if (ibuf_reserve(&sa, (size_t)pr->len + 2) || ibuf_reserve(&sb, (size_t)pr->len + 2)) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    size_t la = iproto_bytes(x, p, sa.p), lb = iproto_bytes(y, yp, sb.p);
                    if (la == lb && !memcmp(sa.p, sb.p, la)) {
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
                hs[g] = h;
            }
            ids[i] = g;
        }
        free(x->names); /* the representatives' names are resolved again when compared */
        x->names = NULL;
    }
    repb = PyBytes_FromStringAndSize((const char *)reps, (Py_ssize_t)(n * 8));
    if (repb) res = PyTuple_Pack(2, maps, repb);
done:
    if (decline && !PyErr_Occurred()) {
        Py_XDECREF(res);
        res = Py_None;
        Py_INCREF(res);
    }
    Py_XDECREF(maps);
    Py_XDECREF(other);
    Py_XDECREF(repb);
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        if (xs[k].has_view) PyBuffer_Release(&xs[k].view);
        free(xs[k].types);
        free(xs[k].names);
        free(xs[k].protos);
    }
    free(xs);
    free(slots);
    free(reps);
    free(hs);
    free(hh);
    free(asc);
    free(sa.p);
    free(sb.p);
    return res;
}

static PyMethodDef methods[] = {
    {"walk", reach_walk, METH_VARARGS, "CallGraph.walk's BFS over node ids."},
    {"invoked_pair", reach_invoked_pair, METH_VARARGS, "invoked_ids for virtual and super opcodes in one pass."},
    {"class_numbers", reach_class_numbers, METH_VARARGS, "App-wide class number per type descriptor."},
    {"ids_ordered", reach_ids_ordered, METH_VARARGS, "Whether the id tables can be bisected."},
    {"intern_all", reach_intern_all, METH_VARARGS, "Node ids of every method id of every DEX."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_reach", "Reachability kernels (see the file).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__reach(void) { return PyModule_Create(&module); }
