/*
 * appwarden.dex._dexscan: the hot loop of the DEX engine, in C.
 *
 * scan(buf, class_defs_off, class_defs_size, method_ids_size, string_ids_size, type_ids_size,
 *      field_ids_size, proto_ids_size) -> (methods: bytes, events: bytes, bad_methods: int)
 *
 *   Walks the class data of every class def and the instructions of every code item, and returns two
 *   packed arrays of little-endian uint32 records (see appwarden/dex/records.py for the layout, which the
 *   pure-Python walker in appwarden/dex/pywalk.py reproduces byte for byte):
 *     methods: 7 x u32 per encoded method:
 *              class_def_idx, method_idx, access_flags, code_off, ev_start, ev_end, insns_size
 *     events:  5 x u32 per recorded instruction: (kind << 8 | opcode), byte offset in the file, idx, a, b
 *
 * select(events, kind, bitmap) -> bytes
 *   Indices (u32) of the events of the given kind whose idx bit is set in bitmap (bit i = byte i>>3,
 *   mask 1 << (i & 7)).
 *
 * event_index(events, [(kind, size), ...]) -> [(offsets, order, present), ...]
 *   The events of some kinds grouped by idx (an inverted index: each select becomes a lookup; defined below).
 *
 * record_of(methods, event) -> int
 *   The method record holding an event (a bisection over the records' ev_start column; defined below).
 *
 * nondecreasing(buf, stride, word) -> bool
 *   Whether one column of packed u32 records never decreases (the method records' class column; defined below).
 *
 * find_substrings(buf, string_ids_off, string_ids_size, needles[, deadline[, only]]) -> list[(string_idx, needle_idx)]
 *     (`only`: a bitmap over the string ids; the other strings are not searched)
 *   Strings whose MUTF-8 bytes contain one of the needles (bytes), strings ascending, needles ascending within one
 *   (the one substring kernel: the code index's string references and the screening's needles; defined below).
 *
 * validate(buf, string_ids_off, string_ids_size, proto_ids_off, proto_ids_size, type_ids_size) -> None
 *   Up-front check of string data and proto parameter lists (ValueError on the first bad item).
 *
 * find_strings(buf, string_ids_off, string_ids_size, keys) -> list[int]
 *   Binary search of each key (ASCII bytes) among the sorted string ids; -1 when absent. For an ASCII key,
 *   comparing MUTF-8 bytes orders strings as the DEX format does (UTF-16 code units), once C0 80 (U+0000)
 *   counts as the lowest code unit.
 *
 * method_descs(buf, string_ids_off, string_ids_size, type_ids_off, type_ids_size, proto_ids_off, proto_ids_size,
 *              method_ids_off, method_ids_size) -> list[str | None]
 *   "Lcls;->name(params)ret" of every method id (DexFile.method_desc's format); None for an entry with a string
 *   that is not pure ASCII, which the caller decodes from MUTF-8 itself. type_descs(...) does the same for types.
 *
 * Call graph (appwarden/dex/callgraph.py; each function documented where it is defined):
 *   invoked_ids(events, method_ids_size, ops)              distinct method ids called with some opcodes
 *   call_edges(methods, events, gids, virtual, super)      (src, dst) node pairs of one DEX's invokes
 *   hierarchy_extras(ids, types, buf, tables, ...)         what virtual/super calls also reach (class hierarchy;
 *                                                          over every DEX at once: _reach.hierarchy_all)
 *   subtype_masks(dexes, bits)                            which base types each app class is a subtype of
 *   build_csr(edges, n_nodes) / bfs(offsets, targets, virtual, entries[, deadline])
 *   reverse_csr(offsets, targets)                         the reversed adjacency (callers)
 *   intern_methods(dexes, ci, table, hashes, reps, ...)    first-seen node ids of method ids (no strings at all)
 *   method_desc(ids, m) / find_methods(ids, lo, hi, key)   one descriptor; the ids of a range with a descriptor
 *   class_ranks(dexes, reps, prefixes)                    every node's class rank among class descriptors, flags
 *   sort_nodes(dexes, reps, nodes)                        node ids in descriptor order
 *
 * Every offset and count is checked against the buffer size; structural errors raise ValueError (the
 * Python side turns them into DexFormatError). Work is bounded by the file size: the total number of
 * code units walked may not exceed the file size (overlapping/shared code items would otherwise loop).
 */
#define _GNU_SOURCE 1
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "_dexbytes.h" /* rd16, rd32, uleb */

enum {
    EV_INVOKE = 1,
    EV_STRING = 2,
    EV_SGET = 3,
    EV_LITERAL = 4,
    EV_NEW_INSTANCE = 5,
    EV_CONST_CLASS = 6,
};

/* width in code units of each opcode; 0 = handled specially (nop / payloads) */
static const uint8_t WIDTH[256] = {
    /* 00 */ 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 1, 1, 1, 1, 1,
    /* 10 */ 1, 1, 1, 2, 3, 2, 2, 3, 5, 2, 2, 3, 2, 1, 1, 2,
    /* 20 */ 2, 1, 2, 2, 3, 3, 3, 1, 1, 2, 3, 3, 3, 2, 2, 2,
    /* 30 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1,
    /* 40 */ 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 50 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 60 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
    /* 70 */ 3, 3, 3, 1, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1,
    /* 80 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 90 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* a0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* b0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* c0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* d0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* e0 */ 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* f0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 3, 3, 2, 2,
};

/* WIDTH in bytes, for the walk's pointer (0x00: 0, a SPECIAL_OP) */
static const uint8_t WIDTH_BYTES[256] = {
    /* 00 */ 0, 2, 4, 6, 2, 4, 6, 2, 4, 6, 2, 2, 2, 2, 2, 2,
    /* 10 */ 2, 2, 2, 4, 6, 4, 4, 6, 10, 4, 4, 6, 4, 2, 2, 4,
    /* 20 */ 4, 2, 4, 4, 6, 6, 6, 2, 2, 4, 6, 6, 6, 4, 4, 4,
    /* 30 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2,
    /* 40 */ 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* 50 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* 60 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6, 6,
    /* 70 */ 6, 6, 6, 2, 6, 6, 6, 6, 6, 2, 2, 2, 2, 2, 2, 2,
    /* 80 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 90 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* a0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* b0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* c0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* d0 */ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* e0 */ 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* f0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 8, 8, 6, 6, 4, 4,
};

/* 1 for the opcodes walk_code emits an event for (the cases of its switch) and for 0x00 (nop / payloads): the
 * others, most instructions, skip the switch with one test */
static const uint8_t SPECIAL_OP[256] = {
    /* 00 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 10 */ 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0,
    /* 20 */ 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 60 */ 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1,
    /* 70 */ 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
    /* 80 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* a0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* b0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* c0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* d0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* e0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* f0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0,
};

typedef struct {
    uint32_t *data;
    size_t len; /* in uint32 */
    size_t cap;
    int oom;
} vec_t;

/* make room for n more items (the slow path of vec_push and emit) */
static int vec_grow(vec_t *v, size_t n) {
    if (v->oom) return -1;
    size_t cap = v->cap ? v->cap : 1024;
    while (cap < v->len + n) {
        if (cap > ((size_t)-1) / 8) { v->oom = 1; return -1; }
        cap *= 2;
    }
    uint32_t *d = (uint32_t *)realloc(v->data, cap * sizeof(uint32_t));
    if (!d) { v->oom = 1; return -1; }
    v->data = d;
    v->cap = cap;
    return 0;
}

static inline int vec_push(vec_t *v, const uint32_t *rec, size_t n) {
    if (v->oom || (v->len + n > v->cap && vec_grow(v, n))) return -1;
    memcpy(v->data + v->len, rec, n * sizeof(uint32_t));
    v->len += n;
    return 0;
}

/* ---- deadlines ----------------------------------------------------------------------------------------
 * Every long loop takes an optional `deadline`: a time.monotonic() value (CLOCK_MONOTONIC seconds, which is what
 * Python's time.monotonic() reads on Linux), 0 = none. The loop adds the work it does to a counter (1 per item plus
 * 1 per 64 bytes scanned) and reads the clock every DL_EVERY units; once past the deadline it stops and the
 * function raises TimeoutError (the Python side turns that into the stage's StageTimeout). */
#define DL_EVERY 65536u
typedef struct {
    double at;     /* 0 = no deadline */
    uint64_t work; /* units since the clock was last read */
    int over;
} deadline_t;

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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


typedef struct {
    const uint8_t *buf;
    size_t size;
    uint32_t method_ids_size, string_ids_size, type_ids_size, field_ids_size, proto_ids_size;
    vec_t methods, events; /* their data: the bytes of me_obj / ev_obj, returned without a copy */
    PyObject *me_obj, *ev_obj;
    PyThreadState *ts; /* the walk runs without the GIL; scan_grow takes it back to resize */
    uint64_t walked_units;
    uint32_t bad_methods;
    const char *error;
    deadline_t dl;
} scan_t;

/* Make room for n more items in v, whose data is the bytes object *obj (made or resized here, with the GIL taken
 * back for the call): the walk's records are returned as those objects, shrunk to size, instead of being copied
 * out of a malloc'd vector at the end (a copy of every record, and the records twice in memory meanwhile). */
static int scan_grow(scan_t *s, vec_t *v, PyObject **obj, size_t n) {
    if (v->oom) return -1;
    size_t cap = v->cap ? v->cap : 1024;
    while (cap < v->len + n) {
        if (cap > (size_t)PY_SSIZE_T_MAX / 8) { v->oom = 1; return -1; }
        cap *= 2;
    }
    int bad;
    PyEval_RestoreThread(s->ts);
    if (*obj) bad = _PyBytes_Resize(obj, (Py_ssize_t)(cap * 4)) < 0; /* *obj is NULL after a failure */
    else bad = (*obj = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(cap * 4))) == NULL;
    if (bad) PyErr_Clear(); /* reported as "out of memory" below */
    s->ts = PyEval_SaveThread();
    if (bad) {
        v->oom = 1;
        v->data = NULL;
        v->cap = 0;
        return -1;
    }
    v->data = (uint32_t *)PyBytes_AS_STRING(*obj);
    v->cap = cap;
    return 0;
}

/* A first capacity of `words` for v (the GIL held), when it is worth one: the walk then grows v a few times at most
 * instead of a dozen doublings from 1024, each copying (and faulting in) what came before: ~20 ms of a 100 MB-DEX
 * scan's realloc copies. Nothing is reserved when the allocation fails (the walk grows v as before). */
static void scan_reserve(vec_t *v, PyObject **obj, size_t words) {
    if (words <= 1024 || words > (size_t)PY_SSIZE_T_MAX / 8) return;
    PyObject *o = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(words * 4));
    if (!o) {
        PyErr_Clear();
        return;
    }
    *obj = o;
    v->data = (uint32_t *)PyBytes_AS_STRING(o);
    v->cap = words;
}

/* The records of v as a bytes object of exactly their size (the GIL held; *obj is taken over). */
static PyObject *scan_finish(vec_t *v, PyObject **obj) {
    PyObject *o = *obj;
    *obj = NULL;
    if (!o) return PyBytes_FromStringAndSize("", 0);
    if (_PyBytes_Resize(&o, (Py_ssize_t)(v->len * 4)) < 0) return NULL;
    return o;
}

static inline int emit(scan_t *s, uint32_t kind, uint32_t op, uint32_t off, uint32_t idx, uint32_t a, uint32_t b) {
    vec_t *v = &s->events;
    if (v->len + 5 > v->cap && scan_grow(s, v, &s->ev_obj, 5)) return -1;
    uint32_t *d = v->data + v->len;
    d[0] = (kind << 8) | op;
    d[1] = off;
    d[2] = idx;
    d[3] = a;
    d[4] = b;
    v->len += 5;
    return 0;
}

/* Walk one code item's instructions. Returns 0 ok, 1 malformed method (skipped, counted), -1 fatal.
 * The loop walks a pointer, not a code-unit counter: the instructions' boundaries are a chain (each width read from
 * the opcode the previous one reached), and a pointer moved by a width in bytes keeps that chain to two loads and
 * an add. Opcodes that need more than the width (events, and 0x00: nop or a payload) take one branch, SPECIAL_OP. */
static int walk_code(scan_t *s, uint32_t code_off, uint32_t *insns_size_out) {
    const uint8_t *buf = s->buf;
    if ((uint64_t)code_off + 16 > s->size || (code_off & 3)) return 1;
    uint32_t insns_size = rd32(buf + code_off + 12);
    uint64_t start = (uint64_t)code_off + 16;
    if (start + (uint64_t)insns_size * 2 > s->size) return 1;
    *insns_size_out = insns_size;
    s->walked_units += insns_size;
    if (s->walked_units > s->size) {
        s->error = "code items overlap or repeat (more code walked than the file holds)";
        return -1;
    }
    const uint8_t *ins = buf + start;
    const uint8_t *p = ins, *const end = ins + (size_t)insns_size * 2;
    while (p < end) {
        uint8_t op = p[0];
        size_t wbytes = WIDTH_BYTES[op];
        if (!SPECIAL_OP[op]) { /* most instructions: no event */
            if (wbytes > (size_t)(end - p)) return 1;
            p += wbytes;
            continue;
        }
        uint32_t remaining = (uint32_t)((size_t)(end - p) / 2);
        uint32_t width = WIDTH[op];
        uint32_t off = (uint32_t)(start + (uint64_t)(p - ins));
        if (op == 0x00) {
            uint8_t ident = p[1];
            if (ident == 0x01) { /* packed-switch-payload */
                if (remaining < 4) return 1;
                width = 4 + (uint32_t)rd16(p + 2) * 2;
            } else if (ident == 0x02) { /* sparse-switch-payload */
                if (remaining < 2) return 1;
                width = 2 + (uint32_t)rd16(p + 2) * 4;
            } else if (ident == 0x03) { /* fill-array-data-payload */
                if (remaining < 4) return 1;
                uint64_t ew = rd16(p + 2);
                uint64_t n = rd32(p + 4);
                uint64_t units = (ew * n + 1) / 2 + 4;
                if (units > remaining) return 1;
                width = (uint32_t)units;
            } else {
                width = 1;
            }
            if (width > remaining) return 1;
            p += (size_t)width * 2;
            continue;
        }
        if (width > remaining) return 1;
        int r = 0;
        switch (op) {
        case 0x12: { /* const/4 vA, #+B */
            int32_t v = (int32_t)((int8_t)(p[1] & 0xf0) >> 4);
            r = emit(s, EV_LITERAL, op, off, (uint32_t)v, p[1] & 0x0f, v < 0 ? 0xffffffffu : 0);
            break;
        }
        case 0x13: case 0x16: { /* const/16, const-wide/16 vAA, #+BBBB */
            int32_t v = (int16_t)rd16(p + 2);
            r = emit(s, EV_LITERAL, op, off, (uint32_t)v, p[1], v < 0 ? 0xffffffffu : 0);
            break;
        }
        case 0x14: case 0x17: { /* const, const-wide/32 vAA, #+BBBBBBBB */
            int32_t v = (int32_t)rd32(p + 2);
            r = emit(s, EV_LITERAL, op, off, (uint32_t)v, p[1], v < 0 ? 0xffffffffu : 0);
            break;
        }
        case 0x15: { /* const/high16 vAA, #+BBBB0000 */
            int32_t v = (int32_t)((uint32_t)rd16(p + 2) << 16);
            r = emit(s, EV_LITERAL, op, off, (uint32_t)v, p[1], v < 0 ? 0xffffffffu : 0);
            break;
        }
        case 0x18: /* const-wide vAA, #+BBBBBBBBBBBBBBBB */
            r = emit(s, EV_LITERAL, op, off, rd32(p + 2), p[1], rd32(p + 6));
            break;
        case 0x19: /* const-wide/high16 vAA, #+BBBB000000000000 */
            r = emit(s, EV_LITERAL, op, off, 0, p[1], (uint32_t)rd16(p + 2) << 16);
            break;
        case 0x1a: { /* const-string vAA, string@BBBB */
            uint32_t idx = rd16(p + 2);
            if (idx >= s->string_ids_size) return 1;
            r = emit(s, EV_STRING, op, off, idx, p[1], 0);
            break;
        }
        case 0x1b: { /* const-string/jumbo vAA, string@BBBBBBBB */
            uint32_t idx = rd32(p + 2);
            if (idx >= s->string_ids_size) return 1;
            r = emit(s, EV_STRING, op, off, idx, p[1], 0);
            break;
        }
        case 0x1c: case 0x22: { /* const-class, new-instance vAA, type@BBBB */
            uint32_t idx = rd16(p + 2);
            if (idx >= s->type_ids_size) return 1;
            r = emit(s, op == 0x1c ? EV_CONST_CLASS : EV_NEW_INSTANCE, op, off, idx, p[1], 0);
            break;
        }
        case 0x60: case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: { /* sget* */
            uint32_t idx = rd16(p + 2);
            if (idx >= s->field_ids_size) return 1;
            r = emit(s, EV_SGET, op, off, idx, p[1], 0);
            break;
        }
        case 0x6e: case 0x6f: case 0x70: case 0x71: case 0x72: case 0xfc: { /* 35c invokes */
            uint32_t idx = rd16(p + 2);
            uint32_t count = p[1] >> 4;
            if (count > 5) return 1;
            if (op == 0xfc ? 0 : idx >= s->method_ids_size) return 1;
            uint32_t regs = (uint32_t)rd16(p + 4) | ((uint32_t)(p[1] & 0x0f) << 16);
            r = emit(s, EV_INVOKE, op, off, idx, (count << 20) | regs, 0);
            break;
        }
        case 0x74: case 0x75: case 0x76: case 0x77: case 0x78: case 0xfd: { /* 3rc invokes */
            uint32_t idx = rd16(p + 2);
            if (op == 0xfd ? 0 : idx >= s->method_ids_size) return 1;
            r = emit(s, EV_INVOKE, op, off, idx, ((uint32_t)p[1] << 16) | rd16(p + 4), 0);
            break;
        }
        case 0xfa: { /* invoke-polymorphic {vC..vG}, meth@BBBB, proto@HHHH */
            uint32_t idx = rd16(p + 2);
            uint32_t count = p[1] >> 4;
            uint32_t proto = rd16(p + 6);
            if (count > 5 || idx >= s->method_ids_size || proto >= s->proto_ids_size) return 1;
            uint32_t regs = (uint32_t)rd16(p + 4) | ((uint32_t)(p[1] & 0x0f) << 16);
            r = emit(s, EV_INVOKE, op, off, idx, (count << 20) | regs, proto);
            break;
        }
        case 0xfb: { /* invoke-polymorphic/range */
            uint32_t idx = rd16(p + 2);
            uint32_t proto = rd16(p + 6);
            if (idx >= s->method_ids_size || proto >= s->proto_ids_size) return 1;
            r = emit(s, EV_INVOKE, op, off, idx, ((uint32_t)p[1] << 16) | rd16(p + 4), proto);
            break;
        }
        default:
            break;
        }
        if (r < 0) return -1;
        p += wbytes;
    }
    return 0;
}

static int scan_class(scan_t *s, uint32_t cdi, uint32_t class_data_off) {
    const uint8_t *buf = s->buf;
    size_t end = s->size;
    size_t pos = class_data_off;
    uint32_t counts[4];
    for (int i = 0; i < 4; i++) {
        if (uleb(buf, end, &pos, &counts[i])) { s->error = "class data truncated"; return -1; }
    }
    /* each encoded field takes >= 2 bytes, each method >= 3: bound the counts by what is left */
    uint64_t need = 2 * ((uint64_t)counts[0] + counts[1]) + 3 * ((uint64_t)counts[2] + counts[3]);
    if (need > end - pos) { s->error = "class data counts exceed the file"; return -1; }
    for (int list = 0; list < 2; list++) {
        uint32_t n = counts[list], prev = 0, diff, flags;
        for (uint32_t i = 0; i < n; i++) {
            if (uleb(buf, end, &pos, &diff) || uleb(buf, end, &pos, &flags)) {
                s->error = "class data truncated";
                return -1;
            }
            prev += diff;
            if (prev >= s->field_ids_size) { s->error = "field index out of range in class data"; return -1; }
        }
    }
    for (int list = 2; list < 4; list++) {
        uint32_t n = counts[list], midx = 0, diff, flags, code_off;
        for (uint32_t i = 0; i < n; i++) {
            if (uleb(buf, end, &pos, &diff) || uleb(buf, end, &pos, &flags) ||
                uleb(buf, end, &pos, &code_off)) {
                s->error = "class data truncated";
                return -1;
            }
            midx = i == 0 ? diff : midx + diff;
            if (midx >= s->method_ids_size) { s->error = "method index out of range in class data"; return -1; }
            uint32_t ev_start = (uint32_t)(s->events.len / 5);
            uint32_t insns_size = 0;
            uint32_t used_off = code_off;
            if (code_off) {
                int r = walk_code(s, code_off, &insns_size);
                if (r < 0) return -1;
                if (r > 0) {
                    /* malformed code: drop what this method emitted, keep the method without code */
                    s->events.len = (size_t)ev_start * 5;
                    s->bad_methods++;
                    used_off = 0;
                    insns_size = 0;
                }
            }
            uint32_t rec[7] = {cdi, midx, flags, used_off, ev_start, (uint32_t)(s->events.len / 5), insns_size};
            vec_t *v = &s->methods;
            if (v->len + 7 > v->cap && scan_grow(s, v, &s->me_obj, 7)) return -1;
            memcpy(v->data + v->len, rec, sizeof rec);
            v->len += 7;
        }
    }
    return 0;
}

static PyObject *dexscan_scan(PyObject *self, PyObject *args) {
    Py_buffer view;
    unsigned long cd_off, cd_size, mids, sids, tids, fids, pids;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "y*kkkkkkk|d", &view, &cd_off, &cd_size, &mids, &sids, &tids, &fids, &pids,
                          &deadline))
        return NULL;
    scan_t s;
    memset(&s, 0, sizeof(s));
    s.dl.at = deadline;
    s.dl.work = DL_EVERY; /* the first unit reads the clock */
    s.buf = (const uint8_t *)view.buf;
    s.size = (size_t)view.len;
    s.method_ids_size = (uint32_t)mids;
    s.string_ids_size = (uint32_t)sids;
    s.type_ids_size = (uint32_t)tids;
    s.field_ids_size = (uint32_t)fids;
    s.proto_ids_size = (uint32_t)pids;
    if (s.size > 0xffffffffu) s.error = "DEX larger than 4 GiB";
    else if (cd_size > 0xffffffffu || (uint64_t)cd_off + (uint64_t)cd_size * 32 > s.size)
        s.error = "class_defs out of bounds";
    if (!s.error) { /* events: 0.08-0.25 words per DEX byte, methods: 5-5.8 words per method id (bench apps) */
        size_t me_words = (size_t)mids * 6, me_max = s.size / 4;
        scan_reserve(&s.events, &s.ev_obj, s.size / 8);
        scan_reserve(&s.methods, &s.me_obj, me_words < me_max ? me_words : me_max);
    }
    s.ts = PyEval_SaveThread();
    uint64_t walked_before = 0;
    for (uint32_t i = 0; !s.error && i < cd_size; i++) {
        if (dl_spent(&s.dl, 1 + (s.walked_units - walked_before) / 16)) break;
        walked_before = s.walked_units;
        const uint8_t *cd = s.buf + cd_off + (size_t)i * 32;
        uint32_t data_off = rd32(cd + 24);
        if (!data_off) continue;
        if (data_off >= s.size) { s.error = "class_data_off out of bounds"; break; }
        if (scan_class(&s, i, data_off)) {
            if (!s.error) s.error = (s.events.oom || s.methods.oom) ? "out of memory" : "malformed class data";
            break;
        }
    }
    PyEval_RestoreThread(s.ts);
    PyBuffer_Release(&view);
    if (s.dl.over && !s.error) {
        Py_XDECREF(s.me_obj);
        Py_XDECREF(s.ev_obj);
        return deadline_error();
    }
    if (s.error) {
        Py_XDECREF(s.me_obj);
        Py_XDECREF(s.ev_obj);
        if (s.events.oom || s.methods.oom) return PyErr_NoMemory();
        PyErr_SetString(PyExc_ValueError, s.error);
        return NULL;
    }
    PyObject *m = scan_finish(&s.methods, &s.me_obj);
    PyObject *e = m ? scan_finish(&s.events, &s.ev_obj) : NULL;
    Py_XDECREF(s.ev_obj); /* when the methods failed */
    if (!m || !e) {
        Py_XDECREF(m);
        Py_XDECREF(e);
        return NULL;
    }
    return Py_BuildValue("(NNk)", m, e, (unsigned long)s.bad_methods);
}

static PyObject *dexscan_select(PyObject *self, PyObject *args) {
    Py_buffer ev, bm;
    unsigned int kind;
    if (!PyArg_ParseTuple(args, "y*Iy*", &ev, &kind, &bm)) return NULL;
    size_t n = (size_t)ev.len / 20;
    const uint8_t *bits = (const uint8_t *)bm.buf;
    size_t nbits = (size_t)bm.len * 8;
    vec_t out;
    memset(&out, 0, sizeof(out));
    const uint8_t *base = (const uint8_t *)ev.buf;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = base + i * 20;
        if ((rd32(r) >> 8) != kind) continue;
        uint32_t idx = rd32(r + 8);
        if (idx < nbits && (bits[idx >> 3] & (1u << (idx & 7)))) {
            uint32_t v = (uint32_t)i;
            if (vec_push(&out, &v, 1)) break;
        }
    }
    PyBuffer_Release(&ev);
    PyBuffer_Release(&bm);
    if (out.oom) {
        free(out.data);
        return PyErr_NoMemory();
    }
    PyObject *res = PyBytes_FromStringAndSize((const char *)out.data, (Py_ssize_t)(out.len * 4));
    free(out.data);
    return res;
}

/* event_index(events, wanted) -> [(offsets, order, present), ...]
 *
 * `wanted`: a sequence of (kind, size) pairs (at most 8, kinds < 256, each kind once). For each pair, an inverted
 * index of the events of that kind by their idx, all built with two passes over the events (a counting sort):
 *   order:   u32 event numbers of the events of `kind` whose idx < size, grouped by idx, ascending within a group;
 *   offsets: (size + 1) u32: the events with idx i are order[offsets[i]:offsets[i + 1]];
 *   present: a bitmap over [0, size) (bit i = byte i >> 3, mask 1 << (i & 7)) of the idxs with at least one event.
 * select(events, kind, bitmap) is then the sorted union of the groups of the bits set (see DexCode.select).
 * ValueError for a malformed `wanted` or a size / event count that does not fit a u32. */
#define EVX_MAX 8
static PyObject *dexscan_event_index(PyObject *self, PyObject *args) {
    Py_buffer ev;
    PyObject *wanted_obj;
    if (!PyArg_ParseTuple(args, "y*O", &ev, &wanted_obj)) return NULL;
    PyObject *offsets[EVX_MAX] = {0}, *order[EVX_MAX] = {0}, *present[EVX_MAX] = {0}, *res = NULL;
    uint32_t *off[EVX_MAX], *ord[EVX_MAX], total[EVX_MAX];
    uint64_t size[EVX_MAX];
    int8_t slot[256];
    memset(slot, -1, sizeof(slot));
    Py_ssize_t nw = 0;
    size_t n = (size_t)ev.len / 20;
    PyObject *wanted = PySequence_Fast(wanted_obj, "event_index: wanted must be a sequence of (kind, size)");
    if (!wanted) goto done;
    nw = PySequence_Fast_GET_SIZE(wanted);
    if (nw > EVX_MAX || n >= 0xffffffffull) {
        PyErr_SetString(PyExc_ValueError, "event_index: too many kinds or events");
        nw = 0;
        goto done;
    }
    for (Py_ssize_t w = 0; w < nw; w++) {
        unsigned int kind;
        unsigned long long sz;
        PyObject *pair = PySequence_Fast_GET_ITEM(wanted, w);
        if (!PyTuple_Check(pair)) {
            PyErr_SetString(PyExc_TypeError, "event_index: (kind, size) tuples expected");
            goto done;
        }
        if (!PyArg_ParseTuple(pair, "IK;event_index: (kind, size) expected", &kind, &sz)) goto done;
        if (kind > 255 || slot[kind] >= 0 || sz >= 0xffffffffull) {
            PyErr_SetString(PyExc_ValueError, "event_index: kind repeated or out of range, or size out of range");
            goto done;
        }
        slot[kind] = (int8_t)w;
        size[w] = sz;
        total[w] = 0;
        offsets[w] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((sz + 1) * 4));
        present[w] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((sz + 7) / 8));
        if (!offsets[w] || !present[w]) goto done;
        off[w] = (uint32_t *)PyBytes_AS_STRING(offsets[w]);
        memset(off[w], 0, (size_t)(sz + 1) * 4);
        memset(PyBytes_AS_STRING(present[w]), 0, (size_t)((sz + 7) / 8));
    }
    /* Both passes are branch-free per event: the kinds of the events interleave (a wanted kind follows an
     * unwanted one about every third event), so a branch per event mispredicts often. An event of an unwanted kind
     * (or of a kind > 255, slot[256]) or with idx >= size goes to slot `nw`: size 0, and its count and cursor are
     * a scratch cell (`trash`), its order cell another (`trash_ord`). */
    const uint8_t *base = (const uint8_t *)ev.buf;
    uint32_t trash = 0, trash_cur = 0, trash_ord = 0;
    const uint32_t nwi = (uint32_t)nw;
    int8_t slot9[257];
    for (int k = 0; k < 256; k++) slot9[k] = slot[k] < 0 ? (int8_t)nw : slot[k];
    slot9[256] = (int8_t)nw;
    uint64_t size9[EVX_MAX + 1];
    uint32_t *cnt9[EVX_MAX + 1], *ord9[EVX_MAX + 1];
    for (Py_ssize_t w = 0; w < nw; w++) {
        size9[w] = size[w];
        cnt9[w] = off[w] + 1; /* counts, shifted by one */
    }
    size9[nw] = 0;
    cnt9[nw] = &trash;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = base + i * 20;
        uint32_t kind = rd32(r) >> 8;
        int w = slot9[kind > 255 ? 256 : kind];
        uint32_t idx = rd32(r + 8);
        uint32_t okm = -(uint32_t)(idx < size9[w]); /* all ones when counted (masks: no branch) */
        w = (int)nwi + ((w - (int)nwi) & (int)okm);  /* rejected: slot nw */
        cnt9[w][idx & okm]++;
    }
    for (Py_ssize_t w = 0; w < nw; w++) {
        uint8_t *bits = (uint8_t *)PyBytes_AS_STRING(present[w]);
        uint32_t *o = off[w];
        uint32_t acc = 0; /* o[i] = start of group i; no overflow: the sum is the count of events < 2^32 */
        for (size_t i = 0; i < size[w]; i++) {
            uint32_t c = o[i + 1];
            if (c) bits[i >> 3] |= (uint8_t)(1u << (i & 7));
            acc += c;
            o[i + 1] = acc;
        }
        total[w] = acc;
        order[w] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total[w] * 4);
        if (!order[w]) goto done;
        ord[w] = (uint32_t *)PyBytes_AS_STRING(order[w]);
        cnt9[w] = off[w]; /* off[idx] is group idx's cursor: it ends at the start of group idx + 1 */
        ord9[w] = ord[w];
    }
    ord9[nw] = &trash_ord;
    cnt9[nw] = &trash_cur; /* stays 0: a rejected event writes trash_ord and does not move the cursor */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = base + i * 20;
        uint32_t kind = rd32(r) >> 8;
        int w = slot9[kind > 255 ? 256 : kind];
        uint32_t idx = rd32(r + 8);
        uint32_t okm = -(uint32_t)(idx < size9[w]);
        w = (int)nwi + ((w - (int)nwi) & (int)okm);
        uint32_t *p = cnt9[w] + (idx & okm);
        uint32_t pos = *p; /* 0 when rejected */
        ord9[w][pos] = (uint32_t)i;
        *p = pos + (okm & 1);
    }
    res = PyList_New(nw);
    if (!res) goto done;
    for (Py_ssize_t w = 0; w < nw; w++) {
        memmove(off[w] + 1, off[w], (size_t)size[w] * 4);
        off[w][0] = 0;
        PyObject *t = PyTuple_Pack(3, offsets[w], order[w], present[w]);
        if (!t) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, w, t);
    }
done:
    for (int w = 0; w < EVX_MAX; w++) {
        Py_XDECREF(offsets[w]);
        Py_XDECREF(order[w]);
        Py_XDECREF(present[w]);
    }
    Py_XDECREF(wanted);
    PyBuffer_Release(&ev);
    return res;
}

/* record_of(methods, event) -> int
 * The method record holding event number `event`: the last record whose ev_start (word 4 of its 7) is <= event, as
 * bisect.bisect_right over the ev_start column minus one (the same steps, so the same answer whatever the column
 * holds); -1 before the first record. `methods`: the walk's packed method records (a trailing partial record is
 * ignored). One call instead of a Python bisection over a strided view (~16 item reads through the sequence
 * protocol each). */
static PyObject *dexscan_record_of(PyObject *self, PyObject *args) {
    Py_buffer mb;
    long long event;
    if (!PyArg_ParseTuple(args, "y*L", &mb, &event)) return NULL;
    const uint8_t *base = (const uint8_t *)mb.buf;
    size_t lo = 0, hi = event < 0 ? 0 : (size_t)mb.len / 28; /* every ev_start is >= 0 > event */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (event < (long long)rd32(base + mid * 28 + 16)) hi = mid;
        else lo = mid + 1;
    }
    PyBuffer_Release(&mb);
    return PyLong_FromSsize_t((Py_ssize_t)lo - 1);
}

/* nondecreasing(buf, stride, word[, strict]) -> bool
 * Whether the little-endian u32 at word `word` of each `stride`-word record of `buf` is never below the one of the
 * record before (a trailing partial record is ignored): DexCode.class_records' check of the records' class column,
 * without a Python int per record (records.nondecreasing is the twin). With `strict` true: never below nor equal to
 * it (strictly increasing: the reader's check of the type ids). ValueError unless 0 <= word < stride. */
static PyObject *dexscan_nondecreasing(PyObject *self, PyObject *args) {
    Py_buffer b;
    Py_ssize_t stride, word;
    int strict = 0;
    if (!PyArg_ParseTuple(args, "y*nn|p", &b, &stride, &word, &strict)) return NULL;
    if (stride <= 0 || word < 0 || word >= stride) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "nondecreasing: 0 <= word < stride expected");
        return NULL;
    }
    size_t n = (size_t)b.len / 4 / (size_t)stride;
    const uint8_t *p = (const uint8_t *)b.buf + (size_t)word * 4;
    int ok = 1;
    for (size_t i = 1; i < n; i++) {
        uint32_t cur = rd32(p + i * (size_t)stride * 4), prev = rd32(p + (i - 1) * (size_t)stride * 4);
        if (cur < prev || (strict && cur == prev)) {
            ok = 0;
            break;
        }
    }
    PyBuffer_Release(&b);
    return PyBool_FromLong(ok);
}

/* class_map(types, defs) -> dict
 * CodeIndex._class_map in one C pass: for each DEX ci in order (types[ci]: the list of its type descriptors, defs[ci]:
 * a buffer of its class defs, 8 little-endian u32 each, the class type idx first) and each class def cdi in order,
 * types[ci][class type idx] -> (ci, cdi), the first definition kept (dict.setdefault: a class defined twice keeps its
 * first definition, at the place of that one). No zip, map or second pass over the classes (pywalk.class_map is the
 * twin). ValueError when the two lists differ in length, a buffer is not 8 u32 per class def, or a class type idx
 * is not below len(types[ci]); TypeError when an item of `types` is not a list. */
static PyObject *dexscan_class_map(PyObject *self, PyObject *args) {
    PyObject *types_all, *defs_all;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &types_all, &PyList_Type, &defs_all)) return NULL;
    Py_ssize_t nd = PyList_GET_SIZE(types_all);
    if (PyList_GET_SIZE(defs_all) != nd) {
        PyErr_SetString(PyExc_ValueError, "class_map: one class defs buffer per type list expected");
        return NULL;
    }
    Py_ssize_t n_defs = 0; /* the dict made at its final size (about 100,000 classes at 100 MB: no regrowth) */
    for (Py_ssize_t ci = 0; ci < nd; ci++) {
        Py_buffer b;
        if (PyObject_GetBuffer(PyList_GET_ITEM(defs_all, ci), &b, PyBUF_SIMPLE) < 0) {
            PyErr_Clear(); /* reported in the loop below */
            continue;
        }
        n_defs += b.len / 32;
        PyBuffer_Release(&b);
    }
#if PY_VERSION_HEX < 0x030D0000
    PyObject *found = _PyDict_NewPresized(n_defs);
#else /* (CPython's private API: not relied on past 3.12) */
    (void)n_defs;
    PyObject *found = PyDict_New();
#endif
    if (!found) return NULL;
    for (Py_ssize_t ci = 0; ci < nd; ci++) {
        PyObject *types = PyList_GET_ITEM(types_all, ci);
        if (!PyList_Check(types)) {
            PyErr_SetString(PyExc_TypeError, "class_map: each DEX's types must be a list");
            goto fail;
        }
        Py_buffer b;
        if (PyObject_GetBuffer(PyList_GET_ITEM(defs_all, ci), &b, PyBUF_SIMPLE) < 0) goto fail;
        if (b.len % 32) {
            PyBuffer_Release(&b);
            PyErr_SetString(PyExc_ValueError, "class_map: class defs must be 8 u32 per class");
            goto fail;
        }
        PyObject *pci = PyLong_FromSsize_t(ci);
        if (!pci) {
            PyBuffer_Release(&b);
            goto fail;
        }
        Py_INCREF(types); /* held while keys are hashed (a key's __hash__ may run code) */
        int bad = 0;
        Py_ssize_t n = b.len / 32;
        for (Py_ssize_t k = 0; k < n && !bad; k++) {
            uint32_t t = rd32((const uint8_t *)b.buf + (size_t)k * 32);
            if ((uint64_t)t >= (uint64_t)PyList_GET_SIZE(types)) {
                PyErr_Format(PyExc_ValueError, "class_map: class def %zd of DEX %zd names type %u, out of range", k,
                             ci, (unsigned)t);
                bad = 1;
                break;
            }
            PyObject *key = PyList_GET_ITEM(types, (Py_ssize_t)t);
            Py_INCREF(key);
            PyObject *cdi = PyLong_FromSsize_t(k);
            PyObject *tup = cdi ? PyTuple_Pack(2, pci, cdi) : NULL;
            Py_XDECREF(cdi);
            if (!tup || !PyDict_SetDefault(found, key, tup)) bad = 1;
            Py_XDECREF(tup);
            Py_DECREF(key);
        }
        Py_DECREF(types);
        Py_DECREF(pci);
        PyBuffer_Release(&b);
        if (bad) goto fail;
    }
    return found;
fail:
    Py_DECREF(found);
    return NULL;
}

/* rpartition_heads(names, sep) -> list | None
 * [name.rpartition(sep)[0] for name in names] for a list of str and a one-character sep, without the tuple and the
 * two other strings rpartition makes per name: each distinct head is one object (a run of names with the same head,
 * as a DEX lists the classes of one package, reuses it without a lookup; the others go through a dict), so a
 * Counter of the heads hashes each once (sdk.match's package count over every class of the app; pywalk's twin is
 * the expression above). None when an item of `names` is not exactly a str (the caller's own path then). */
static PyObject *dexscan_rpartition_heads(PyObject *self, PyObject *args) {
    PyObject *names, *sep;
    if (!PyArg_ParseTuple(args, "O!U", &PyList_Type, &names, &sep)) return NULL;
    if (PyUnicode_GET_LENGTH(sep) != 1) {
        PyErr_SetString(PyExc_ValueError, "rpartition_heads: a one-character separator expected");
        return NULL;
    }
    Py_UCS4 ch = PyUnicode_READ_CHAR(sep, 0);
    Py_ssize_t n = PyList_GET_SIZE(names);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(names, i))) Py_RETURN_NONE;
    PyObject *out = PyList_New(n), *seen = PyDict_New(), *empty = PyUnicode_FromStringAndSize("", 0);
    if (!out || !seen || !empty) goto fail;
    PyObject *last = NULL; /* borrowed: held by `seen` */
    Py_ssize_t last_len = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyList_GET_ITEM(names, i), *head;
        Py_ssize_t cut = PyUnicode_FindChar(name, ch, 0, PyUnicode_GET_LENGTH(name), -1);
        if (cut == -2) goto fail;
        if (cut < 0) {
            head = empty;
        } else if (last != NULL && cut == last_len && PyUnicode_Tailmatch(name, last, 0, cut, -1) == 1) {
            head = last; /* name[:cut] starts with `last`, of length cut: equal */
        } else {
            PyObject *sub = PyUnicode_Substring(name, 0, cut);
            if (!sub) goto fail;
            head = PyDict_SetDefault(seen, sub, sub);
            Py_DECREF(sub);
            if (!head) goto fail;
            last = head;
            last_len = cut;
        }
        Py_INCREF(head);
        PyList_SET_ITEM(out, i, head);
    }
    Py_DECREF(seen);
    Py_DECREF(empty);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(seen);
    Py_XDECREF(empty);
    return NULL;
}

static int cmp_ssize(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

/* find_substrings(buf, string_ids_off, string_ids_size, needles[, deadline[, only]]) -> [(string_idx, needle_idx)]
 * Each string (only those whose bit is set in the optional `only` bitmap over the string ids) whose MUTF-8 bytes
 * (after its ULEB128 length, up to its NUL or the end of `buf`) contain a needle (non-empty bytes): one pair per
 * (string, needle), needles ascending within a string, strings ascending (pywalk.find_substrings is the twin).
 * ValueError when the string_ids table is out of bounds, TypeError when a needle is not bytes, TimeoutError past
 * `deadline`.
 * How (issue #19; the one substring kernel: the engine's string references and the screening's needle search): each
 * string is read once, and at each position two table reads say whether a needle may start there: a 64 KB table
 * (one byte per value) of the first two bytes of the short needles (1 to 3 bytes; a one-byte needle a: every pair
 * a, *), and a 16 KB table of a 14-bit hash of the first four bytes of the long ones (4 bytes and more; the last
 * three positions of a string have no four bytes: only short needles fit there). Only at a position one of them
 * passes are the needles of that exact start (the short ones of its first one and two bytes, the long ones of its
 * first four: small hash tables of starts -> needle lists) compared. The screening's ~240 needles include case
 * variants of vocabulary words whose first two bytes ("in", "re", "ro") start ~9% of the positions of an app's
 * strings; their first four bytes start few. Before: a memmem per needle per string; then one bit table of first
 * two bytes and the needles of the first byte compared: ~2.2x this kernel's time (the screening's needles over the
 * 100 MB app's 127k loaded strings, 3.5 MB: 20.5 -> 9.2 ms). The mask's ids are found by a bit scan. */

/* the needles starting with one key (short: a << 8 | b of the first two bytes, or 0x10000 | a for a one-byte needle
 * a; long: the first four bytes, little-endian): an open-addressing table (power-of-two size, linear probing) of
 * keys -> a range of `items` (needle indices, ascending) */
typedef struct {
    uint32_t *keys, *lo, *hi;
    uint8_t *used;
    uint32_t mask;
} starttab_t;

static inline uint32_t start_hash(uint32_t key) { return key * 2654435761u; }

static inline uint32_t starttab_slot(const starttab_t *t, uint32_t key) {
    uint32_t h = start_hash(key) >> 8;
    for (;;) {
        h &= t->mask;
        if (!t->used[h] || t->keys[h] == key) return h;
        h++;
    }
}

/* a table with room for n keys (at most half full); 0 on success */
static int starttab_init(starttab_t *t, size_t n) {
    size_t size = 16;
    while (size < 2 * n) size *= 2;
    t->keys = (uint32_t *)malloc(3 * size * sizeof(uint32_t));
    t->used = (uint8_t *)calloc(size, 1);
    if (!t->keys || !t->used) return -1;
    t->lo = t->keys + size;
    t->hi = t->keys + 2 * size;
    t->mask = (uint32_t)(size - 1);
    return 0;
}

static void starttab_free(starttab_t *t) {
    free(t->keys);
    free(t->used);
}

/* count one needle under `key` (hi holds the counts until starttab_ranges) */
static void starttab_count(starttab_t *t, uint32_t key) {
    uint32_t h = starttab_slot(t, key);
    if (!t->used[h]) {
        t->used[h] = 1;
        t->keys[h] = key;
        t->hi[h] = 0;
    }
    t->hi[h]++;
}

/* the counts -> ranges starting at *at in `items` (each empty until the needles are appended: hi = lo) */
static void starttab_ranges(starttab_t *t, uint32_t *at) {
    for (uint32_t h = 0; h <= t->mask; h++) {
        if (!t->used[h]) continue;
        uint32_t count = t->hi[h];
        t->lo[h] = t->hi[h] = *at;
        *at += count;
    }
}

/* the needles of `key` not found yet in this string that fit in `room` bytes and whose bytes after the first
 * `skip` (the key's) match `rest`: each stamped and appended to found */
static inline void starttab_match(const starttab_t *t, uint32_t key, const uint32_t *items, const uint8_t *const *nptr,
                                  const size_t *nlen, uint64_t *stamp, uint64_t serial, const uint8_t *rest,
                                  size_t room, size_t skip, Py_ssize_t *found, Py_ssize_t *nfound, uint64_t *checks) {
    uint32_t h = starttab_slot(t, key);
    if (!t->used[h]) return;
    for (uint32_t q = t->lo[h]; q < t->hi[h]; q++) {
        uint32_t k = items[q];
        if (stamp[k] == serial || nlen[k] > room) continue;
        (*checks)++;
        if (nlen[k] <= skip || memcmp(rest, nptr[k] + skip, nlen[k] - skip) == 0) {
            stamp[k] = serial;
            found[(*nfound)++] = (Py_ssize_t)k;
        }
    }
}

static inline int ctz64(uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(m);
#else
    int n = 0;
    while (!(m & 1)) {
        m >>= 1;
        n++;
    }
    return n;
#endif
}

/* the first position from j (below end) where a needle may start: its first two bytes start a short needle or a
 * hash of its first four bytes one of a long needle (find_substrings' tables); end when none. Not inlined: the
 * loop keeps its few values in registers (inlined in find_substrings' body it read its tables from the stack). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static size_t next_start(const uint8_t *str, size_t j, size_t end, const uint8_t *short_starts,
                         const uint8_t *long_starts) {
    for (; j < end; j++) {
        uint32_t w = rd32(str + j);
        if (short_starts[w & 0xffffu] | long_starts[start_hash(w) >> 18]) return j;
    }
    return end;
}

static PyObject *dexscan_find_substrings(PyObject *self, PyObject *args) {
    Py_buffer view, only;
    unsigned long ids_off, ids_size;
    PyObject *needles;
    deadline_t dl = {0, DL_EVERY, 0}; /* the first unit reads the clock */
    memset(&only, 0, sizeof only);
    if (!PyArg_ParseTuple(args, "y*kkO!|dy*", &view, &ids_off, &ids_size, &PyList_Type, &needles, &dl.at, &only))
        return NULL;
    const uint8_t *mask = only.obj ? (const uint8_t *)only.buf : NULL;
    size_t mask_bits = only.obj ? (size_t)only.len * 8 : 0;
    const uint8_t *buf = (const uint8_t *)view.buf;
    size_t size = (size_t)view.len;
    PyObject *result = NULL;
    Py_ssize_t *found = NULL;
    uint32_t *items = NULL;
    uint64_t *stamp = NULL;
    const uint8_t **nptr = NULL;
    size_t *nlen = NULL;
    uint8_t *short_starts = NULL, *long_starts = NULL;
    starttab_t shorts = {NULL, NULL, NULL, NULL, 0}, longs = {NULL, NULL, NULL, NULL, 0};
    uint8_t single[256];
    memset(single, 0, sizeof single);
    if ((uint64_t)ids_off + (uint64_t)ids_size * 4 > size) {
        PyErr_SetString(PyExc_ValueError, "string_ids out of bounds");
        goto done;
    }
    Py_ssize_t nn = PyList_GET_SIZE(needles);
    for (Py_ssize_t k = 0; k < nn; k++) {
        if (!PyBytes_Check(PyList_GET_ITEM(needles, k))) {
            PyErr_SetString(PyExc_TypeError, "needles must be bytes");
            goto done;
        }
    }
    size_t n1 = (size_t)(nn ? nn : 1);
    found = (Py_ssize_t *)calloc(n1, sizeof(Py_ssize_t));
    items = (uint32_t *)calloc(n1, sizeof(uint32_t));
    stamp = (uint64_t *)calloc(n1, sizeof(uint64_t));
    nptr = (const uint8_t **)calloc(n1, sizeof(uint8_t *));
    nlen = (size_t *)calloc(n1, sizeof(size_t));
    short_starts = (uint8_t *)calloc(65536, 1);
    long_starts = (uint8_t *)calloc(65536, 1);
    if (!found || !items || !stamp || !nptr || !nlen || !short_starts || !long_starts || (uint64_t)nn >= UINT32_MAX ||
        starttab_init(&shorts, n1) || starttab_init(&longs, n1)) {
        PyErr_NoMemory();
        goto done;
    }
    /* each non-empty needle counted under its start, and its table bit (empty needles: in no list, they match
     * nothing) */
    for (Py_ssize_t k = 0; k < nn; k++) {
        PyObject *nd = PyList_GET_ITEM(needles, k);
        const uint8_t *p = nptr[k] = (const uint8_t *)PyBytes_AS_STRING(nd);
        size_t n = nlen[k] = (size_t)PyBytes_GET_SIZE(nd);
        if (n == 0) continue;
        if (n == 1) {
            single[p[0]] = 1;
            starttab_count(&shorts, 0x10000u | p[0]);
            for (unsigned b = 0; b < 256; b++) short_starts[p[0] | (b << 8)] = 1;
        } else if (n < 4) {
            unsigned pair = rd16(p);
            starttab_count(&shorts, pair);
            short_starts[pair] = 1;
        } else {
            uint32_t w = rd32(p), hb = start_hash(w) >> 18;
            starttab_count(&longs, w);
            long_starts[hb] = 1;
        }
    }
    {
        uint32_t at = 0;
        starttab_ranges(&shorts, &at);
        starttab_ranges(&longs, &at);
        for (Py_ssize_t k = 0; k < nn; k++) {
            size_t n = nlen[k];
            if (n == 0) continue;
            starttab_t *t = n < 4 ? &shorts : &longs;
            uint32_t key = n == 1 ? 0x10000u | nptr[k][0] : n < 4 ? rd16(nptr[k]) : rd32(nptr[k]);
            items[t->hi[starttab_slot(t, key)]++] = (uint32_t)k;
        }
    }
    result = PyList_New(0);
    if (!result) goto done;
    for (uint32_t i = 0; i < ids_size; i++) {
        if (mask) { /* the next id whose bit is set: a bit scan of the mask's byte, zero bytes skipped */
            size_t at = i, end = ids_size < mask_bits ? ids_size : mask_bits;
            while (at < end && !(mask[at >> 3] >> (at & 7))) at = ((at >> 3) + 1) << 3;
            if (at >= end) break;
            at += (size_t)ctz64(mask[at >> 3] >> (at & 7));
            if (at >= end) break;
            i = (uint32_t)at;
        }
        size_t pos = rd32(buf + ids_off + (size_t)i * 4);
        uint32_t utf16;
        if (pos >= size || uleb(buf, size, &pos, &utf16)) continue;
        const uint8_t *str = buf + pos;
        const uint8_t *nul = memchr(str, 0, size - pos);
        size_t len = nul ? (size_t)(nul - str) : size - pos;
        uint64_t serial = (uint64_t)i + 1; /* stamp[k] == serial: needle k already found in this string */
        Py_ssize_t nfound = 0;
        uint64_t checks = 0;
        size_t j = 0;
        /* positions with four bytes left: both tables; then (the last three) the short needles only */
        if (nn && len >= 4) {
            for (; (j = next_start(str, j, len - 3, short_starts, long_starts)) + 4 <= len; j++) {
                uint32_t w = rd32(str + j), pair = w & 0xffffu, hb = start_hash(w) >> 18;
                unsigned maybe_short = short_starts[pair], maybe_long = long_starts[hb];
                if (maybe_short) {
                    if (single[str[j]])
                        starttab_match(&shorts, 0x10000u | str[j], items, nptr, nlen, stamp, serial, str + j + 1,
                                       len - j, 1, found, &nfound, &checks);
                    starttab_match(&shorts, pair, items, nptr, nlen, stamp, serial, str + j + 2, len - j, 2, found,
                                   &nfound, &checks);
                }
                if (maybe_long)
                    starttab_match(&longs, w, items, nptr, nlen, stamp, serial, str + j + 4, len - j, 4, found,
                                   &nfound, &checks);
                if (nfound == nn) break;
            }
        }
        for (; j < len && nfound < nn; j++) {
            if (single[str[j]])
                starttab_match(&shorts, 0x10000u | str[j], items, nptr, nlen, stamp, serial, str + j + 1, len - j, 1,
                               found, &nfound, &checks);
            if (j + 1 < len) {
                uint32_t pair = rd16(str + j);
                if (short_starts[pair])
                    starttab_match(&shorts, pair, items, nptr, nlen, stamp, serial, str + j + 2, len - j, 2, found,
                                   &nfound, &checks);
            }
        }
        if (dl_spent(&dl, 1 + ((uint64_t)len + checks) / 64)) {
            Py_CLEAR(result);
            deadline_error();
            goto done;
        }
        if (nfound > 1) qsort(found, (size_t)nfound, sizeof(Py_ssize_t), cmp_ssize);
        for (Py_ssize_t f = 0; f < nfound; f++) {
            PyObject *t = Py_BuildValue("(kn)", (unsigned long)i, found[f]);
            if (!t || PyList_Append(result, t)) {
                Py_XDECREF(t);
                Py_CLEAR(result);
                goto done;
            }
            Py_DECREF(t);
        }
    }
done:
    free(found);
    free(items);
    free(stamp);
    free(nptr);
    free(nlen);
    free(short_starts);
    free(long_starts);
    starttab_free(&shorts);
    starttab_free(&longs);
    PyBuffer_Release(&view);
    if (only.obj) PyBuffer_Release(&only);
    return result;
}

/* Compare the MUTF-8 bytes of string `i` with `key`; sets *ok = 0 when the string data is out of bounds. */
static int cmp_string(const uint8_t *buf, size_t size, size_t ids_off, uint32_t i, const char *key, size_t klen,
                      int *ok) {
    size_t pos = rd32(buf + ids_off + (size_t)i * 4);
    uint32_t utf16;
    if (pos >= size || uleb(buf, size, &pos, &utf16)) {
        *ok = 0;
        return 0;
    }
    const uint8_t *str = buf + pos;
    const uint8_t *nul = memchr(str, 0, size - pos);
    size_t len = nul ? (size_t)(nul - str) : size - pos;
    size_t n = len < klen ? len : klen;
    if (memcmp(str, key, n) == 0) return len < klen ? -1 : (len > klen ? 1 : 0);
    /* From the first difference on, compare code units: MUTF-8 writes U+0000 as C0 80, the lowest UTF-16 code
     * unit, though its bytes sort above ASCII (a string holding it would turn the search the wrong way); every
     * other non-ASCII byte of the DEX starts a code unit >= 0x80, above every ASCII byte of the key. */
    size_t p = 0;
    while (str[p] == (uint8_t)key[p]) p++;
    size_t q = p;
    while (p < len && q < klen) {
        unsigned a = str[p], b = (uint8_t)key[q++];
        if (a == 0xC0 && p + 1 < len && str[p + 1] == 0x80) {
            a = 0;
            p += 2;
        } else {
            p++;
        }
        if (a != b) return a < b ? -1 : 1;
    }
    return p < len ? 1 : (q < klen ? -1 : 0);
}

/* the string id of `key` (klen bytes, ASCII; MUTF-8 C0 80 compares as U+0000) among `count` sorted string ids at
 * `ids_off`, by binary search; -1 when absent or when a string on the way cannot be read (as find_strings says) */
static long string_index(const uint8_t *buf, size_t size, size_t ids_off, uint32_t count, const char *key,
                         size_t klen) {
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int ok = 1;
        int c = cmp_string(buf, size, ids_off, mid, key, klen, &ok);
        if (!ok) return -1;
        if (c < 0) lo = mid + 1;
        else if (c > 0) hi = mid;
        else return (long)mid;
    }
    return -1;
}

static PyObject *dexscan_find_strings(PyObject *self, PyObject *args) {
    Py_buffer view;
    unsigned long ids_off, ids_size;
    PyObject *keys;
    if (!PyArg_ParseTuple(args, "y*kkO!", &view, &ids_off, &ids_size, &PyList_Type, &keys)) return NULL;
    const uint8_t *buf = (const uint8_t *)view.buf;
    size_t size = (size_t)view.len;
    PyObject *result = NULL;
    if ((uint64_t)ids_off + (uint64_t)ids_size * 4 > size) {
        PyErr_SetString(PyExc_ValueError, "string_ids out of bounds");
        goto done;
    }
    Py_ssize_t nk = PyList_GET_SIZE(keys);
    result = PyList_New(nk);
    if (!result) goto done;
    for (Py_ssize_t k = 0; k < nk; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        if (!PyBytes_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "keys must be bytes");
            Py_CLEAR(result);
            goto done;
        }
        long found = string_index(buf, size, ids_off, (uint32_t)ids_size, PyBytes_AS_STRING(key),
                                  (size_t)PyBytes_GET_SIZE(key));
        PyList_SET_ITEM(result, k, PyLong_FromLong(found));
    }
done:
    PyBuffer_Release(&view);
    return result;
}

/* validate(buf, string_ids_off, string_ids_size, proto_ids_off, proto_ids_size, type_ids_size[, deadline]) -> None
 * Checks that every string id points at a uleb128 length followed by a NUL-terminated byte string inside the
 * buffer, that no two string ids share or overlap their string data (Android's verifier rejects both: string ids
 * are strictly sorted and each points at its own string_data_item), and that every proto's parameter type_list is
 * inside the buffer with type indices in range, so later lazy decoding cannot fail and every per-string loop does
 * work linear in the buffer. Raises ValueError naming the first bad item, TimeoutError past the deadline. The
 * work is O(n log n) in the ids plus one pass over the string bytes. */
typedef struct {
    uint32_t pos; /* string_data_off */
    uint32_t idx;
} sid_t;

static int sid_cmp(const void *a, const void *b) {
    const sid_t *x = (const sid_t *)a, *y = (const sid_t *)b;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

static PyObject *dexscan_validate(PyObject *self, PyObject *args) {
    Py_buffer view;
    unsigned long s_off, s_size, p_off, p_size, t_size;
    deadline_t dl = {0, DL_EVERY, 0}; /* the first unit reads the clock */
    int want_lens = 0;
    if (!PyArg_ParseTuple(args, "y*kkkkk|dp", &view, &s_off, &s_size, &p_off, &p_size, &t_size, &dl.at, &want_lens))
        return NULL;
    const uint8_t *buf = (const uint8_t *)view.buf;
    size_t size = (size_t)view.len;
    char msg[128];
    msg[0] = 0;
    int oom = 0;
    sid_t *order = NULL;
    PyObject *lens_obj = NULL; /* with want_lens: each string's length (u32 by string id), found by the walk below */
    uint32_t *lens = NULL;
    if ((uint64_t)s_off + (uint64_t)s_size * 4 > size) snprintf(msg, sizeof msg, "string_ids out of bounds");
    else if ((uint64_t)p_off + (uint64_t)p_size * 12 > size) snprintf(msg, sizeof msg, "proto_ids out of bounds");
    else if (s_size && !(order = (sid_t *)malloc((size_t)s_size * sizeof(sid_t)))) oom = 1;
    if (want_lens && !msg[0] && !oom && size <= 0xfffffffeu) { /* (a longer buffer: no lengths, None) */
        lens_obj = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)s_size * 4);
        if (!lens_obj) oom = 1;
        else lens = (uint32_t *)PyBytes_AS_STRING(lens_obj);
    }
    Py_BEGIN_ALLOW_THREADS
    /* a string starting at `pos` is NUL-terminated iff some NUL lies at or after pos: find the last one once */
    size_t last_nul = size; /* size = none */
    for (size_t k = size; k > 0; k--) {
        if (!buf[k - 1]) { last_nul = k - 1; break; }
    }
    for (uint32_t i = 0; !msg[0] && !oom && i < s_size; i++) {
        size_t start = rd32(buf + s_off + (size_t)i * 4);
        size_t pos = start;
        uint32_t utf16;
        if (dl_spent(&dl, 1)) break;
        if (pos >= size || uleb(buf, size, &pos, &utf16)) {
            snprintf(msg, sizeof msg, "string %u data offset out of bounds", i);
        } else if (last_nul == size || pos > last_nul) {
            snprintf(msg, sizeof msg, "string %u is not NUL-terminated", i);
        } else {
            order[i].pos = (uint32_t)start;
            order[i].idx = i;
        }
    }
    if (!msg[0] && !oom && !dl.over && s_size > 1) {
        /* string data written in string id order (as d8 and dx write it) is sorted already: no qsort then */
        uint32_t k = 1;
        while (k < s_size && order[k - 1].pos < order[k].pos) k++;
        if (k < s_size) qsort(order, s_size, sizeof(sid_t), sid_cmp);
        /* in offset order, each string's data (length prefix .. NUL) must end before the next one starts */
        for (uint32_t k = 0; k + 1 < s_size; k++) {
            const sid_t *a = &order[k], *b = &order[k + 1];
            if (a->pos == b->pos) {
                snprintf(msg, sizeof msg, "string ids %u and %u share their string data",
                         a->idx < b->idx ? a->idx : b->idx, a->idx < b->idx ? b->idx : a->idx);
                break;
            }
            size_t pos = a->pos;
            uint32_t utf16_len;
            uleb(buf, size, &pos, &utf16_len);
            const uint8_t *nul = memchr(buf + pos, 0, b->pos > pos ? b->pos - pos : 0);
            if (!nul) {
                snprintf(msg, sizeof msg, "string ids %u and %u overlap their string data",
                         a->idx < b->idx ? a->idx : b->idx, a->idx < b->idx ? b->idx : a->idx);
                break;
            }
            if (lens) lens[a->idx] = (uint32_t)(nul - (buf + pos));
            if (dl_spent(&dl, 1 + (size_t)(nul - (buf + pos)) / 64)) break;
        }
    }
    if (lens && !msg[0] && !oom && !dl.over && s_size) { /* the last string in offset order: its NUL is found */
        const sid_t *a = &order[s_size > 1 ? s_size - 1 : 0];
        size_t pos = a->pos;
        uint32_t utf16_len;
        uleb(buf, size, &pos, &utf16_len);
        const uint8_t *nul = memchr(buf + pos, 0, size - pos);
        lens[a->idx] = (uint32_t)(nul - (buf + pos));
    }
    for (uint32_t i = 0; !msg[0] && !oom && !dl.over && i < p_size; i++) {
        if (dl_spent(&dl, 1)) break;
        uint32_t off = rd32(buf + p_off + (size_t)i * 12 + 8);
        if (!off) continue;
        if ((off & 3) || (uint64_t)off + 4 > size) {
            snprintf(msg, sizeof msg, "proto %u parameter list out of bounds", i);
            break;
        }
        uint32_t n = rd32(buf + off);
        if ((uint64_t)off + 4 + (uint64_t)n * 2 > size) {
            snprintf(msg, sizeof msg, "proto %u parameter list out of bounds", i);
            break;
        }
        for (uint32_t k = 0; k < n; k++) {
            if (rd16(buf + off + 4 + (size_t)k * 2) >= t_size) {
                snprintf(msg, sizeof msg, "proto %u parameter type index out of range", i);
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS
    free(order);
    PyBuffer_Release(&view);
    if (oom || msg[0] || dl.over) Py_CLEAR(lens_obj);
    if (oom) return PyErr_NoMemory();
    if (msg[0]) {
        PyErr_SetString(PyExc_ValueError, msg);
        return NULL;
    }
    if (dl.over) return deadline_error();
    if (lens_obj) return lens_obj;
    Py_RETURN_NONE;
}

/* ---- method descriptors ------------------------------------------------------------------------------ */

#include "_dexdesc.h" /* str_ref_t, string_ref, descs_t, type_ref(_at), sbuf_t, desc_build, descs_tables_ok */

/* desc_build's checks of method id i and its share of the budget, without building anything (method_descs with
 * `strings` false): the same errors with the same messages, in the same order. Two caches make most methods cost a
 * few reads: pcost[p] = 1 + the cost of proto p's return type and parameters (their lengths plus one per
 * parameter) once a method with proto p passed desc_build (what desc_build checks of a proto reads the proto and
 * the types only, so it passes again for any method), and slen[s] = 1 + the length of string s once located.
 * d->types must be set (the per-type cache). Returns 1 ok, -1 on an error (d->msg set). */
static int desc_check_cached(descs_t *d, unsigned long m_off, uint32_t i, uint64_t *budget, uint64_t *cost,
                             uint64_t *pcost, uint32_t *slen) {
    const uint8_t *mid = d->buf + m_off + (size_t)i * 8;
    uint32_t cls_idx = rd16(mid), proto_idx = rd16(mid + 2), name_idx = rd32(mid + 4);
    if (proto_idx >= d->p_size || !pcost[proto_idx] || name_idx >= d->s_size) {
        if (desc_build(d, m_off, i, budget, cost, NULL, 0) < 0) return -1;
        /* passed: the class, the proto's return type and its parameters resolve (cached types now) */
        const str_ref_t *cls = type_ref(d, cls_idx);
        const uint8_t *proto = d->buf + d->p_off + (size_t)proto_idx * 12;
        const str_ref_t *ret = type_ref(d, rd32(proto + 4));
        if (!cls || !ret) return 1; /* (cannot fail again) */
        uint64_t pc = ret->len;
        uint32_t params_off = rd32(proto + 8), n_params = params_off ? rd32(d->buf + params_off) : 0;
        for (uint32_t k = 0; k < n_params; k++) {
            const str_ref_t *p = type_ref(d, rd16(d->buf + params_off + 4 + (size_t)k * 2));
            if (!p) return 1;
            pc += p->len + 1;
        }
        uint64_t nlen = *cost - cls->len - 4 - pc;
        pcost[proto_idx] = pc + 1;
        if (nlen < 0xffffffffu) slen[name_idx] = (uint32_t)nlen + 1;
        return 1;
    }
    const str_ref_t *cls = type_ref(d, cls_idx); /* desc_build's first check, then the name's */
    if (!cls) return -1;
    if (!slen[name_idx]) {
        str_ref_t name;
        if (string_ref_d(d, name_idx, &name)) {
            snprintf(d->msg, sizeof d->msg, "string %u data out of bounds", name_idx);
            return -1;
        }
        if (name.len >= 0xffffffffu) return desc_build(d, m_off, i, budget, cost, NULL, 0) < 0 ? -1 : 1;
        slen[name_idx] = name.len + 1;
    }
    /* the proto's checks passed before too; desc_build's two budget checks fail exactly when the whole cost is over
     * the budget (the first checks a part of it), with the same message */
    uint64_t total = (uint64_t)cls->len + 2 + (slen[name_idx] - 1) + 2 + (pcost[proto_idx] - 1);
    if (total > *budget) {
        snprintf(d->msg, sizeof d->msg, "method descriptors longer than 64 characters per byte of the file");
        return -1;
    }
    *budget -= total;
    *cost = total;
    return 1;
}

/* method_descs(buf, string_ids_off, string_ids_size, type_ids_off, type_ids_size, proto_ids_off, proto_ids_size,
 *              method_ids_off, method_ids_size[, deadline[, strings]]) -> list[str | None] | None
 * "Lcls;->name(params)ret" of every method id, as DexFile.method_desc builds it; None where one of the strings
 * is not pure ASCII (the caller decodes those MUTF-8 strings). ValueError on any out-of-bounds offset or index,
 * and when the descriptors would total more than 64 characters (or parameters) per byte of the buffer, so hostile
 * parameter lists shared by many methods cannot make the output or the work quadratic. With `strings` false only
 * the checks run (same errors) and the result is None: no string is made. */
static PyObject *dexscan_method_descs(PyObject *self, PyObject *args) {
    Py_buffer view;
    descs_t d;
    unsigned long m_off, m_size;
    int strings = 1;
    PyObject *lens_obj = Py_None;
    deadline_t dl = {0, DL_EVERY, 0}; /* the first unit reads the clock */
    memset(&d, 0, sizeof d);
    if (!PyArg_ParseTuple(args, "y*kkkkkkkk|dpO", &view, &d.s_off, &d.s_size, &d.t_off, &d.t_size, &d.p_off,
                          &d.p_size, &m_off, &m_size, &dl.at, &strings, &lens_obj))
        return NULL;
    /* the checks alone after validate passed over this buffer: its string lengths (see descs_t.lens) */
    if (!strings && PyBytes_Check(lens_obj) && (uint64_t)PyBytes_GET_SIZE(lens_obj) == (uint64_t)d.s_size * 4)
        d.lens = (const uint32_t *)PyBytes_AS_STRING(lens_obj);
    d.buf = (const uint8_t *)view.buf;
    d.size = (size_t)view.len;
    PyObject *result = NULL;
    sbuf_t sb = {NULL, 0, 0};
    uint64_t *pcost = NULL;
    uint32_t *slen = NULL;
    if (descs_tables_ok(&d, m_off, m_size)) goto fail;
    d.types = (str_ref_t *)calloc(d.t_size ? d.t_size : 1, sizeof(str_ref_t));
    if (!d.types) {
        PyErr_NoMemory();
        goto done;
    }
    if (strings) {
        result = PyList_New((Py_ssize_t)m_size);
        if (!result) goto done;
    } else { /* the checks alone: with a cost per proto and a length per string, kept (desc_check_cached) */
        pcost = (uint64_t *)calloc(d.p_size ? d.p_size : 1, sizeof(uint64_t));
        slen = (uint32_t *)calloc(d.s_size ? d.s_size : 1, sizeof(uint32_t));
        if (!pcost || !slen) {
            PyErr_NoMemory();
            goto done;
        }
    }
    uint64_t budget = (uint64_t)d.size * 64 + (1u << 20);
    for (uint32_t i = 0; i < m_size; i++) {
        uint64_t cost = 0;
        int ascii = strings ? desc_build(&d, m_off, i, &budget, &cost, &sb, 0)
                            : desc_check_cached(&d, m_off, i, &budget, &cost, pcost, slen);
        if (ascii == -2) {
            PyErr_NoMemory();
            goto fail_py;
        }
        if (ascii < 0) goto fail;
        if (dl_spent(&dl, 1 + cost / 64)) {
            deadline_error();
            goto fail_py;
        }
        if (!strings) continue;
        PyObject *item;
        if (!ascii) {
            item = Py_None;
            Py_INCREF(item);
        } else {
            item = PyUnicode_New((Py_ssize_t)sb.len, 127);
            if (!item) goto fail_py;
            memcpy(PyUnicode_1BYTE_DATA(item), sb.p, sb.len);
        }
        PyList_SET_ITEM(result, i, item);
    }
    if (!strings) {
        result = Py_None;
        Py_INCREF(result);
    }
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, d.msg);
fail_py:
    Py_CLEAR(result);
done:
    free(d.types);
    free(sb.p);
    free(pcost);
    free(slen);
    PyBuffer_Release(&view);
    return result;
}

/* The id tables of one DEX for the kernels below: a tuple (buf, string_ids_off, string_ids_size, type_ids_off,
 * type_ids_size, proto_ids_off, proto_ids_size, method_ids_off, method_ids_size), the arguments of method_descs. */
typedef struct {
    Py_buffer view;
    int has_view;
    descs_t d;
    unsigned long m_off, m_size;
} dexids_t;

static int dexids_open(PyObject *tup, dexids_t *x) {
    memset(x, 0, sizeof *x);
    if (!PyArg_ParseTuple(tup, "y*kkkkkkkk;id tables: (buf, 8 table offsets and sizes)", &x->view, &x->d.s_off,
                          &x->d.s_size, &x->d.t_off, &x->d.t_size, &x->d.p_off, &x->d.p_size, &x->m_off,
                          &x->m_size))
        return -1;
    x->has_view = 1;
    x->d.buf = (const uint8_t *)x->view.buf;
    x->d.size = (size_t)x->view.len;
    if (descs_tables_ok(&x->d, x->m_off, x->m_size)) {
        PyErr_SetString(PyExc_ValueError, x->d.msg);
        return -1;
    }
    return 0;
}

/* The per-type cache of a DEX's id tables, allocated on first need. */
static int dexids_types(dexids_t *x) {
    if (!x->d.types) {
        x->d.types = (str_ref_t *)calloc(x->d.t_size ? x->d.t_size : 1, sizeof(str_ref_t));
        if (!x->d.types) return -1;
    }
    return 0;
}

static void dexids_close(dexids_t *x) {
    free(x->d.types);
    x->d.types = NULL;
    if (x->has_view) PyBuffer_Release(&x->view);
    x->has_view = 0;
}

/* find_methods(ids, lo, hi, key) -> bytes | None
 * The method ids m in [lo, hi) (u32, ascending) whose descriptor (method_descs' string) is the ASCII bytes `key`:
 * a descriptor with a string that is not pure ASCII never is. `ids`: a DEX's id tables (see dexids_t). None when a
 * descriptor in the range cannot be built (out-of-bounds tables: the caller compares decoded strings instead).
 * No string object is made. */
static PyObject *dexscan_find_methods(PyObject *self, PyObject *args) {
    PyObject *tup;
    unsigned long lo, hi;
    Py_buffer kb;
    if (!PyArg_ParseTuple(args, "O!kky*", &PyTuple_Type, &tup, &lo, &hi, &kb)) return NULL;
    dexids_t x;
    PyObject *res = NULL;
    sbuf_t sb = {NULL, 0, 0};
    vec_t found;
    memset(&found, 0, sizeof found);
    if (dexids_open(tup, &x)) goto done; /* no per-type cache: a call looks at a few methods */
    if (hi > x.m_size) hi = x.m_size;
    for (unsigned long m = lo; m < hi; m++) {
        int ascii = desc_build(&x.d, x.m_off, (uint32_t)m, NULL, NULL, &sb, 0);
        if (ascii == -2) {
            PyErr_NoMemory();
            goto done;
        }
        if (ascii < 0) {
            res = Py_None;
            Py_INCREF(res);
            goto done;
        }
        if (ascii && sb.len == (size_t)kb.len && !memcmp(sb.p, kb.buf, sb.len)) {
            uint32_t v = (uint32_t)m;
            if (vec_push(&found, &v, 1)) {
                PyErr_NoMemory();
                goto done;
            }
        }
    }
    res = PyBytes_FromStringAndSize(found.data ? (const char *)found.data : "", (Py_ssize_t)(found.len * 4));
done:
    free(sb.p);
    free(found.data);
    dexids_close(&x);
    PyBuffer_Release(&kb);
    return res;
}

/* type_descs(buf, string_ids_off, string_ids_size, type_ids_off, type_ids_size) -> list[str | None]
 * The descriptor of every type id, interned (sys.intern: one object per descriptor over the DEX files of an app);
 * None where it is not pure ASCII. ValueError when out of bounds. */
static PyObject *dexscan_type_descs(PyObject *self, PyObject *args) {
    Py_buffer view;
    descs_t d;
    memset(&d, 0, sizeof d);
    if (!PyArg_ParseTuple(args, "y*kkkk", &view, &d.s_off, &d.s_size, &d.t_off, &d.t_size)) return NULL;
    d.buf = (const uint8_t *)view.buf;
    d.size = (size_t)view.len;
    PyObject *result = NULL;
    if ((uint64_t)d.s_off + (uint64_t)d.s_size * 4 > d.size) snprintf(d.msg, sizeof d.msg, "string_ids out of bounds");
    else if ((uint64_t)d.t_off + (uint64_t)d.t_size * 4 > d.size) snprintf(d.msg, sizeof d.msg, "type_ids out of bounds");
    if (d.msg[0]) goto fail;
    d.types = (str_ref_t *)calloc(d.t_size ? d.t_size : 1, sizeof(str_ref_t));
    if (!d.types) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyList_New((Py_ssize_t)d.t_size);
    if (!result) goto done;
    for (uint32_t i = 0; i < d.t_size; i++) {
        const str_ref_t *t = type_ref(&d, i);
        if (!t) goto fail;
        PyObject *item;
        if (t->state != 1) {
            item = Py_None;
            Py_INCREF(item);
        } else {
            item = PyUnicode_New((Py_ssize_t)t->len, 127);
            if (!item) goto fail_py;
            memcpy(PyUnicode_1BYTE_DATA(item), t->ptr, t->len);
            PyUnicode_InternInPlace(&item);
        }
        PyList_SET_ITEM(result, i, item);
    }
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, d.msg);
fail_py:
    Py_CLEAR(result);
done:
    free(d.types);
    PyBuffer_Release(&view);
    return result;
}

/* ---- call graph -------------------------------------------------------------------------------------- */

#define NONE_ID 0xffffffffu

static int is_virtual_op(uint32_t op) { return op == 0x6e || op == 0x74 || op == 0x72 || op == 0x78; }
static int is_super_op(uint32_t op) { return op == 0x6f || op == 0x75; }

/* invoked_ids(events, method_ids_size, ops) -> bytes
 * Sorted distinct method ids (u32) invoked by an EV_INVOKE event whose opcode is one of the bytes of `ops`.
 * ValueError when such an event's idx is not below method_ids_size. */
static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static PyObject *dexscan_invoked_ids(PyObject *self, PyObject *args) {
    Py_buffer ev, ops;
    unsigned long n_ids;
    if (!PyArg_ParseTuple(args, "y*ky*", &ev, &n_ids, &ops)) return NULL;
    PyObject *res = NULL;
    uint8_t want[256];
    memset(want, 0, sizeof want);
    for (Py_ssize_t i = 0; i < ops.len; i++) want[((const uint8_t *)ops.buf)[i]] = 1;
    vec_t ids;
    memset(&ids, 0, sizeof ids);
    if (ev.len % 20) {
        PyErr_SetString(PyExc_ValueError, "events length is not a multiple of 20");
        goto done;
    }
    if (n_ids > 0xffffffffu) {
        PyErr_SetString(PyExc_ValueError, "too many method ids");
        goto done;
    }
    const uint8_t *base = (const uint8_t *)ev.buf;
    size_t n = (size_t)ev.len / 20;
    if (n_ids <= 64 * (uint64_t)n + 65536) { /* a flag per method id (the usual case: scanning them is cheap) */
        uint8_t *seen = (uint8_t *)calloc(n_ids ? n_ids : 1, 1);
        if (!seen) {
            PyErr_NoMemory();
            goto done;
        }
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t k = rd32(base + i * 20);
            if ((k >> 8) != EV_INVOKE || !want[k & 0xff]) continue;
            uint32_t idx = rd32(base + i * 20 + 8);
            if (idx >= n_ids) {
                PyErr_Format(PyExc_ValueError, "event %zu: method index %u out of range", i, idx);
                free(seen);
                goto done;
            }
            count += !seen[idx];
            seen[idx] = 1;
        }
        res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(count * 4));
        if (res) {
            uint32_t *out = (uint32_t *)PyBytes_AS_STRING(res);
            for (size_t i = 0; i < n_ids; i++)
                if (seen[i]) *out++ = (uint32_t)i;
        }
        free(seen);
        goto done;
    }
    /* else collect, sort, drop repeats, so the work never depends on a huge n_ids */
    for (size_t i = 0; i < n; i++) {
        uint32_t k = rd32(base + i * 20);
        if ((k >> 8) != EV_INVOKE || !want[k & 0xff]) continue;
        uint32_t idx = rd32(base + i * 20 + 8);
        if (idx >= n_ids) {
            PyErr_Format(PyExc_ValueError, "event %zu: method index %u out of range", i, idx);
            goto done;
        }
        if (vec_push(&ids, &idx, 1)) {
            PyErr_NoMemory();
            goto done;
        }
    }
    if (ids.len) qsort(ids.data, ids.len, sizeof(uint32_t), u32_cmp);
    size_t w = 0;
    for (size_t i = 0; i < ids.len; i++)
        if (!w || ids.data[w - 1] != ids.data[i]) ids.data[w++] = ids.data[i];
    res = PyBytes_FromStringAndSize(ids.data ? (const char *)ids.data : "", (Py_ssize_t)(w * 4));
done:
    free(ids.data);
    PyBuffer_Release(&ev);
    PyBuffer_Release(&ops);
    return res;
}

/* call_edges(methods, events, gids, virtual_extra, super_extra) -> bytes
 * (src, dst) u32 pairs: for every method record with events, src = gids[method_idx]; for each EV_INVOKE event
 * except invoke-custom(-range), dst = gids[idx], plus (src, virtual_extra[idx]) for invoke-virtual/interface
 * (/range) and (src, super_extra[idx]) for invoke-super(/range). The three maps are u32 arrays over the DEX's
 * method ids; NONE (0xFFFFFFFF) entries give no edge. A pair a method record already gave for the same method id
 * (and kind: direct, virtual extra, super extra) is not repeated: build_csr keeps first occurrences only, so the
 * adjacency is the same, and the edge buffer (the largest transient of the graph's construction) is smaller.
 * ValueError on an index outside the maps or events. */
static PyObject *dexscan_call_edges(PyObject *self, PyObject *args) {
    Py_buffer mb, eb, gb, vb, sb;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*", &mb, &eb, &gb, &vb, &sb)) return NULL;
    PyObject *res = NULL;
    uint32_t *seen = NULL;
    vec_t out;
    memset(&out, 0, sizeof out);
    const char *err = NULL;
    char msg[96];
    if (mb.len % 28) err = "methods length is not a multiple of 28";
    else if (eb.len % 20) err = "events length is not a multiple of 20";
    else if (gb.len % 4 || gb.len != vb.len || gb.len != sb.len) err = "method id maps differ in length";
    if (err) {
        PyErr_SetString(PyExc_ValueError, err);
        goto done;
    }
    const uint8_t *m = (const uint8_t *)mb.buf, *e = (const uint8_t *)eb.buf;
    const uint8_t *g = (const uint8_t *)gb.buf, *v = (const uint8_t *)vb.buf, *sp = (const uint8_t *)sb.buf;
    size_t n_methods = (size_t)mb.len / 28, n_events = (size_t)eb.len / 20, n_ids = (size_t)gb.len / 4;
    /* per method id and kind: the last record (+ 1) that gave its pair */
    seen = (uint32_t *)calloc(3 * (n_ids ? n_ids : 1), sizeof(uint32_t));
    if (!seen) {
        PyErr_NoMemory();
        goto done;
    }
    msg[0] = 0;
    Py_BEGIN_ALLOW_THREADS
    for (size_t r = 0; r < n_methods && !msg[0]; r++) {
        const uint8_t *rec = m + r * 28;
        uint32_t midx = rd32(rec + 4), start = rd32(rec + 16), end = rd32(rec + 20);
        if (start == end) continue;
        if (start > end || end > n_events) {
            snprintf(msg, sizeof msg, "method record %zu: events out of range", r);
            break;
        }
        if (midx >= n_ids) {
            snprintf(msg, sizeof msg, "method record %zu: method index %u out of range", r, midx);
            break;
        }
        uint32_t src = rd32(g + (size_t)midx * 4);
        if (src == NONE_ID) continue;
        for (uint32_t i = start; i < end; i++) {
            const uint8_t *ev = e + (size_t)i * 20;
            uint32_t k = rd32(ev);
            uint32_t op = k & 0xff;
            if ((k >> 8) != EV_INVOKE || op == 0xfc || op == 0xfd) continue;
            uint32_t idx = rd32(ev + 8);
            if (idx >= n_ids) {
                snprintf(msg, sizeof msg, "event %u: method index %u out of range", i, idx);
                break;
            }
            uint32_t tag = (uint32_t)r + 1, pair[2] = {src, rd32(g + (size_t)idx * 4)};
            if (seen[idx] != tag) {
                seen[idx] = tag;
                if (pair[1] != NONE_ID && vec_push(&out, pair, 2)) break;
            }
            size_t slot = is_virtual_op(op) ? n_ids + idx : is_super_op(op) ? 2 * n_ids + idx : 0;
            if (!slot || seen[slot] == tag) continue;
            seen[slot] = tag;
            pair[1] = rd32((slot < 2 * n_ids ? v : sp) + (size_t)idx * 4);
            if (pair[1] != NONE_ID && vec_push(&out, pair, 2)) break;
        }
        if (out.oom) break;
    }
    Py_END_ALLOW_THREADS
    if (out.oom) PyErr_NoMemory();
    else if (msg[0]) PyErr_SetString(PyExc_ValueError, msg);
    else res = PyBytes_FromStringAndSize(out.data ? (const char *)out.data : "", (Py_ssize_t)(out.len * 4));
done:
    free(seen);
    free(out.data);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&sb);
    return res;
}

/* build_csr(edges, n_nodes) -> (offsets, targets)
 * Adjacency of (src, dst) u32 pairs: n_nodes + 1 u32 offsets and the u32 targets of each source, in the order of
 * their first occurrence in `edges` (counting sort, stable); repeated pairs are dropped. ValueError when a node
 * id is >= n_nodes. */
static PyObject *dexscan_build_csr(PyObject *self, PyObject *args) {
    Py_buffer eb;
    unsigned long long n_nodes_arg;
    if (!PyArg_ParseTuple(args, "y*K", &eb, &n_nodes_arg)) return NULL;
    PyObject *res = NULL, *ob = NULL, *tb = NULL;
    uint32_t *start = NULL, *tmp = NULL, *mark = NULL;
    if (eb.len % 8) {
        PyErr_SetString(PyExc_ValueError, "edges length is not a multiple of 8");
        goto done;
    }
    if (n_nodes_arg >= NONE_ID) {
        PyErr_SetString(PyExc_ValueError, "too many nodes");
        goto done;
    }
    size_t n_nodes = (size_t)n_nodes_arg, n_edges = (size_t)eb.len / 8;
    if (n_edges > 0xffffffffu) {
        PyErr_SetString(PyExc_ValueError, "too many edges");
        goto done;
    }
    const uint8_t *e = (const uint8_t *)eb.buf;
    start = (uint32_t *)calloc(n_nodes + 1, sizeof(uint32_t));
    tmp = (uint32_t *)malloc((n_edges ? n_edges : 1) * sizeof(uint32_t));
    mark = (uint32_t *)malloc((n_nodes ? n_nodes : 1) * sizeof(uint32_t));
    if (!start || !tmp || !mark) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < n_edges; i++) {
        uint32_t src = rd32(e + i * 8), dst = rd32(e + i * 8 + 4);
        if (src >= n_nodes || dst >= n_nodes) {
            PyErr_Format(PyExc_ValueError, "edge %zu: node out of range", i);
            goto done;
        }
        start[src]++;
    }
    /* start[v] = first slot of v; then fill (stable), then compact each row without repeats */
    uint32_t sum = 0;
    for (size_t v = 0; v < n_nodes; v++) {
        uint32_t c = start[v];
        start[v] = sum;
        sum += c;
    }
    start[n_nodes] = sum;
    ob = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n_nodes + 1) * 4));
    if (!ob) goto done;
    uint32_t *off = (uint32_t *)PyBytes_AS_STRING(ob);
    memcpy(off, start, (n_nodes + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < n_edges; i++) tmp[start[rd32(e + i * 8)]++] = rd32(e + i * 8 + 4);
    memset(mark, 0xff, (n_nodes ? n_nodes : 1) * sizeof(uint32_t));
    uint32_t w = 0;
    for (size_t v = 0; v < n_nodes; v++) {
        uint32_t lo = off[v], hi = off[v + 1];
        off[v] = w;
        for (uint32_t k = lo; k < hi; k++) {
            uint32_t t = tmp[k];
            if (mark[t] != (uint32_t)v) {
                mark[t] = (uint32_t)v;
                tmp[w++] = t;
            }
        }
    }
    off[n_nodes] = w;
    tb = PyBytes_FromStringAndSize((const char *)tmp, (Py_ssize_t)w * 4);
    if (!tb) goto done;
    res = PyTuple_Pack(2, ob, tb);
done:
    Py_XDECREF(ob);
    Py_XDECREF(tb);
    free(start);
    free(tmp);
    free(mark);
    PyBuffer_Release(&eb);
    return res;
}

/* reverse_csr(offsets, targets) -> (offsets, targets)
 * The reversed adjacency of an adjacency from build_csr: row v lists every u whose row holds v, ascending, each
 * once; what build_csr gives for the (v, u) pairs taken row by row, without the pairs themselves. ValueError as bfs
 * for an inconsistent adjacency. Linear in the nodes and edges. */
static PyObject *dexscan_reverse_csr(PyObject *self, PyObject *args) {
    Py_buffer ob, tb;
    if (!PyArg_ParseTuple(args, "y*y*", &ob, &tb)) return NULL;
    PyObject *res = NULL, *rob = NULL, *rtb = NULL;
    uint32_t *cur = NULL, *tmp = NULL;
    const char *err = NULL;
    size_t n_nodes = 0, n_targets = (size_t)tb.len / 4;
    const uint8_t *off = (const uint8_t *)ob.buf, *tgt = (const uint8_t *)tb.buf;
    err = csr_error(&ob, &tb, &n_nodes);
    if (err) {
        PyErr_SetString(PyExc_ValueError, err);
        goto done;
    }
    rob = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n_nodes + 1) * 4));
    cur = (uint32_t *)calloc(n_nodes + 1, sizeof(uint32_t));
    tmp = (uint32_t *)malloc((n_targets ? n_targets : 1) * sizeof(uint32_t));
    if (!rob || !cur || !tmp) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    uint32_t *roff = (uint32_t *)PyBytes_AS_STRING(rob);
    for (size_t k = 0; k < n_targets; k++) cur[rd32(tgt + k * 4)]++;
    uint32_t sum = 0;
    for (size_t v = 0; v < n_nodes; v++) {
        uint32_t c = cur[v];
        roff[v] = cur[v] = sum;
        sum += c;
    }
    roff[n_nodes] = sum;
    for (size_t u = 0; u < n_nodes; u++) /* sources ascending: each row is filled in ascending order */
        for (uint32_t k = rd32(off + u * 4), hi = rd32(off + u * 4 + 4); k < hi; k++)
            tmp[cur[rd32(tgt + (size_t)k * 4)]++] = (uint32_t)u;
    uint32_t w = 0; /* repeats of a pair are adjacent in their row: keep the first */
    for (size_t v = 0; v < n_nodes; v++) {
        uint32_t lo = roff[v], hi = roff[v + 1];
        roff[v] = w;
        for (uint32_t k = lo; k < hi; k++)
            if (k == lo || tmp[k] != tmp[k - 1]) tmp[w++] = tmp[k];
    }
    roff[n_nodes] = w;
    rtb = PyBytes_FromStringAndSize((const char *)tmp, (Py_ssize_t)w * 4);
    if (!rtb) goto done;
    res = PyTuple_Pack(2, rob, rtb);
done:
    Py_XDECREF(rob);
    Py_XDECREF(rtb);
    free(cur);
    free(tmp);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&tb);
    return res;
}

/* bfs(offsets, targets, virtual, entries[, deadline]) -> (parents, order)
 * Breadth-first search from the entry nodes (u32) over an adjacency from build_csr. `virtual` has one byte per
 * node; a nonzero byte marks a virtual node: reaching one costs nothing, its real targets are reached at the
 * depth of the node that reached it, with that node as their parent (virtual targets of a virtual node are
 * ignored). parents: u32 per node, NONE when not reached, the node itself for an entry; order: the reached real
 * nodes in visit order, entries first. ValueError when the adjacency is inconsistent or an entry is not a real
 * node. The work is linear in the adjacency (a node is queued once, a virtual node expanded once); past
 * `deadline` (see "deadlines") it stops and raises TimeoutError, the clock read every DL_EVERY queued nodes and
 * edges. */
static PyObject *dexscan_bfs(PyObject *self, PyObject *args) {
    Py_buffer ob, tb, vb, eb;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*y*|d", &ob, &tb, &vb, &eb, &deadline)) return NULL;
    deadline_t dl = {deadline, DL_EVERY, 0}; /* the first unit reads the clock */
    PyObject *res = NULL, *pb = NULL, *qb = NULL;
    uint32_t *queue = NULL;
    const char *err = NULL;
    size_t n_nodes = 0;
    const uint8_t *off = (const uint8_t *)ob.buf, *tgt = (const uint8_t *)tb.buf, *ent = (const uint8_t *)eb.buf;
    const uint8_t *virt = (const uint8_t *)vb.buf;
    if (eb.len % 4) err = "arrays must hold u32 values";
    else err = csr_error(&ob, &tb, &n_nodes);
    if (!err && (size_t)vb.len != n_nodes) err = "virtual flags do not match the nodes";
    if (err) {
        PyErr_SetString(PyExc_ValueError, err);
        goto done;
    }
    pb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n_nodes * 4));
    queue = (uint32_t *)malloc((n_nodes ? n_nodes : 1) * sizeof(uint32_t));
    if (!pb || !queue) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    uint32_t *parent = (uint32_t *)PyBytes_AS_STRING(pb);
    memset(parent, 0xff, n_nodes * 4);
    size_t head = 0, tail = 0, n_entries = (size_t)eb.len / 4;
    for (size_t i = 0; i < n_entries; i++) {
        uint32_t v = rd32(ent + i * 4);
        if (v >= n_nodes || virt[v]) {
            PyErr_SetString(PyExc_ValueError, "entry out of range");
            goto done;
        }
        if (parent[v] == NONE_ID) {
            parent[v] = v;
            queue[tail++] = v;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    while (head < tail) {
        uint32_t u = queue[head++];
        /* counts the node and its own edges (a virtual node's edges are scanned once in all the search) */
        if (dl_spent(&dl, 1u + rd32(off + (size_t)u * 4 + 4) - rd32(off + (size_t)u * 4))) break;
        for (uint32_t k = rd32(off + (size_t)u * 4), hi = rd32(off + (size_t)u * 4 + 4); k < hi; k++) {
            uint32_t t = rd32(tgt + (size_t)k * 4);
            if (parent[t] != NONE_ID) continue;
            parent[t] = u;
            if (!virt[t]) {
                queue[tail++] = t;
                continue;
            }
            for (uint32_t j = rd32(off + (size_t)t * 4), hj = rd32(off + (size_t)t * 4 + 4); j < hj; j++) {
                uint32_t t2 = rd32(tgt + (size_t)j * 4);
                if (!virt[t2] && parent[t2] == NONE_ID) {
                    parent[t2] = u;
                    queue[tail++] = t2;
                }
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (dl.over) {
        deadline_error();
        goto done;
    }
    qb = PyBytes_FromStringAndSize((const char *)queue, (Py_ssize_t)(tail * 4));
    if (!qb) goto done;
    res = PyTuple_Pack(2, pb, qb);
done:
    Py_XDECREF(pb);
    Py_XDECREF(qb);
    free(queue);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&eb);
    return res;
}

/* ---- class hierarchy --------------------------------------------------------------------------------- */

typedef struct {
    const char *p; /* the part after the first "->" (the whole string when there is none) */
    uint32_t len;
    uint64_t hash;
    uint8_t state; /* 0 not computed, 1 ok, 2 cannot compare bytewise (not a 1-byte-kind str) */
} sig_t;

/* A fast 64-bit hash of bytes (8 at a time). Only used to bucket sigs: results never depend on its values. */
static uint64_t hash_bytes(const char *p, size_t n) {
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

typedef struct {
    uint64_t h;
    const char *p; /* the sig (after the first "->") */
    uint32_t len;
    uint32_t ord; /* record order: among equal sigs of a class the first record wins */
    uint32_t midx;
} hrec_t;

static int hrec_cmp(const void *a, const void *b) {
    const hrec_t *x = (const hrec_t *)a, *y = (const hrec_t *)b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

#define SPLIT_ID 0xfffffffeu

/* Does the 1-byte-kind str `s` contain "->"? (-1: not a 1-byte-kind str) */
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

typedef struct {
    uint32_t kind, n_refs, n_chain, n_below;
    size_t refs, cls; /* offsets into the ref list and the class list */
} hgroup_t;

/* hierarchy_extras(ids, types, buf, tables, methods, gmap, tstat, split, vids, sids, vbase[, deadline])
 *   -> (vmap, smap, vedges, n_vnodes, rest) | None
 * The class-hierarchy part of the call graph for one DEX: what an invoke-virtual/interface (vmap) or an
 * invoke-super (smap) of each method id also reaches, as CallGraph._hierarchy_targets defines it.
 *   ids: (string_ids_off, string_ids_size, type_ids_off, proto_ids_off, proto_ids_size): a method's name and proto
 *   are read from these tables, no descriptor string is needed; types: the descriptors of the DEX's type ids;
 *   buf: the DEX (up to its container size);
 *   tables: (type_ids_size, class_defs_off, class_defs_size, method_ids_off, method_ids_size); methods: the walk's
 *   method records; gmap: node id (u32) of each method id; tstat: u32 per type id: the class def of the class's
 *   first definition in the app when it is in this DEX, SPLIT (0xFFFFFFFE) when it is in another DEX, NONE when
 *   the app does not define it; split: one byte per class def, nonzero when the class has subclasses or
 *   implementors defined (first) in another DEX; vids / sids: sorted method ids (u32) called with
 *   invoke-virtual/interface / invoke-super.
 * Parents of a class: its superclass then its interfaces (none when the superclass index is out of range or the
 * interface list is malformed); its chain: itself, then the first parent, repeatedly, while that is an app class
 * not seen yet; its descendants: the transitive subclasses/implementors. A class "defines" the part of a
 * descriptor after the first "->" when one of its method records' descriptors has that part (the first record
 * gives the node). Targets of a reference m of class C: the first chain class defining it, then (virtual calls)
 * every descendant defining it, without gmap[m]. One target: map[m] = its node; several: map[m] = vbase + k for a
 * new virtual node k with edges (vbase + k, target) in vedges (targets ascending); NONE elsewhere.
 * rest: (kind, method id) u32 pairs of the references left to the caller: class in another DEX, a hierarchy
 * reaching another DEX, or a type descriptor containing "->" or not a 1-byte-kind str.
 * Returns None when bytewise comparison would not be exactly Python's string comparison: the name or proto of a
 * method involved that is not pure ASCII or cannot be read, or a method record whose method id's class is not its
 * class def's (a name without "->": the descriptor's class part).
 * ValueError on inconsistent arguments or out-of-range indices. The work grows with the referenced classes times
 * their chains and descendants (quadratic for a hostile hierarchy), so past `deadline` (see "deadlines") it stops
 * and raises TimeoutError; the clock is read every DL_EVERY classes visited. */
static PyObject *dexscan_hierarchy_extras(PyObject *self, PyObject *args) {
    PyObject *types;
    Py_buffer buf, mb, gb, tb, spb, vb, sb;
    unsigned long t_size, cd_off, cd_size, m_off, m_size;
    unsigned long long vbase;
    double deadline = 0;
    descs_t hd; /* the DEX's string, type and proto ids: the sigs are built from them */
    memset(&hd, 0, sizeof hd);
    if (!PyArg_ParseTuple(args, "(kkkkk)O!y*(kkkkk)y*y*y*y*y*y*K|d", &hd.s_off, &hd.s_size, &hd.t_off, &hd.p_off,
                          &hd.p_size, &PyList_Type, &types, &buf, &t_size, &cd_off, &cd_size, &m_off, &m_size, &mb,
                          &gb, &tb, &spb, &vb, &sb, &vbase, &deadline))
        return NULL;
    sbuf_t arena = {NULL, 0, 0}, scratch = {NULL, 0, 0};
    deadline_t dl = {deadline, DL_EVERY, 0}; /* the first unit reads the clock */
    PyObject *res = NULL;
    uint32_t *start = NULL, *fill = NULL, *vmap = NULL, *smap = NULL, *tstat = NULL;
    uint32_t *par_off = NULL, *ch_off = NULL, *ch = NULL, *mark = NULL, *stack = NULL;
    uint8_t *wanted = NULL, *first = NULL;
    hrec_t *recs = NULL;
    vec_t vedges, tg, rest, pars, refl, clsl, grp;
    memset(&vedges, 0, sizeof vedges);
    memset(&tg, 0, sizeof tg);
    memset(&rest, 0, sizeof rest);
    memset(&pars, 0, sizeof pars);
    memset(&refl, 0, sizeof refl);
    memset(&clsl, 0, sizeof clsl);
    memset(&grp, 0, sizeof grp);
    char msg[112];
    msg[0] = 0;
    int irregular = 0;
    const uint8_t *d = (const uint8_t *)buf.buf;
    size_t size = (size_t)buf.len, n_rec = (size_t)mb.len / 28;
    const uint8_t *m = (const uint8_t *)mb.buf, *g = (const uint8_t *)gb.buf, *splitf = (const uint8_t *)spb.buf;
    hd.buf = d;
    hd.size = size;
    hd.t_size = t_size;
    if ((size_t)PyList_GET_SIZE(types) != t_size) snprintf(msg, sizeof msg, "descriptor lists do not match the tables");
    else if (descs_tables_ok(&hd, m_off, m_size)) snprintf(msg, sizeof msg, "%.100s", hd.msg);
    else if ((uint64_t)cd_off + (uint64_t)cd_size * 32 > size) snprintf(msg, sizeof msg, "class_defs out of bounds");
    else if ((uint64_t)m_off + (uint64_t)m_size * 8 > size) snprintf(msg, sizeof msg, "method_ids out of bounds");
    else if (mb.len % 28) snprintf(msg, sizeof msg, "methods length is not a multiple of 28");
    else if ((size_t)gb.len != m_size * 4) snprintf(msg, sizeof msg, "node map length differs from method_ids");
    else if ((size_t)tb.len != t_size * 4) snprintf(msg, sizeof msg, "type map length differs from type_ids");
    else if ((size_t)spb.len != cd_size) snprintf(msg, sizeof msg, "split flags length differs from class_defs");
    else if (vb.len % 4 || sb.len % 4) snprintf(msg, sizeof msg, "method id lists must hold u32 values");
    if (msg[0]) goto fail;
    size_t n_cls = cd_size;
    hd.types = (str_ref_t *)calloc(t_size ? t_size : 1, sizeof(str_ref_t));
    if (!hd.types) goto nomem;
    tstat = (uint32_t *)malloc((t_size ? t_size : 1) * 4);
    first = (uint8_t *)calloc(n_cls ? n_cls : 1, 1);
    wanted = (uint8_t *)calloc(n_cls ? n_cls : 1, 1);
    par_off = (uint32_t *)calloc(n_cls + 1, 4);
    ch_off = (uint32_t *)calloc(n_cls + 2, 4);
    mark = (uint32_t *)malloc((n_cls ? n_cls : 1) * 4);
    stack = (uint32_t *)malloc((n_cls ? n_cls : 1) * 4);
    start = (uint32_t *)calloc(n_cls + 1, 4);
    fill = (uint32_t *)calloc(n_cls + 1, 4);
    vmap = (uint32_t *)malloc((m_size ? m_size : 1) * 4);
    smap = (uint32_t *)malloc((m_size ? m_size : 1) * 4);
    if (!tstat || !first || !wanted || !par_off || !ch_off || !mark || !stack || !start || !fill || !vmap || !smap)
        goto nomem;
    memset(vmap, 0xff, (m_size ? m_size : 1) * 4);
    memset(smap, 0xff, (m_size ? m_size : 1) * 4);
    for (size_t t = 0; t < t_size; t++) {
        uint32_t v = rd32((const uint8_t *)tb.buf + t * 4);
        if (v != NONE_ID && v != SPLIT_ID && v >= n_cls) {
            snprintf(msg, sizeof msg, "type %zu: class def index %u out of range", t, v);
            goto fail;
        }
        tstat[t] = v;
    }
    /* 1. parents (statuses) of the first definitions, and their children */
    for (size_t c = 0; c < n_cls; c++) {
        const uint8_t *cd = d + cd_off + c * 32;
        uint32_t t = rd32(cd);
        if (t >= t_size) {
            snprintf(msg, sizeof msg, "class def %zu: type index %u out of range", c, t);
            goto fail;
        }
        par_off[c] = (uint32_t)pars.len;
        if (tstat[t] != c) continue; /* not the first definition of its class */
        first[c] = 1;
        uint32_t sup = rd32(cd + 8), ioff = rd32(cd + 12), n = 0;
        int ok = sup == NONE_ID || sup < t_size;
        if (ok && ioff) {
            if ((ioff & 3) || (uint64_t)ioff + 4 > size) ok = 0;
            else {
                n = rd32(d + ioff);
                if ((uint64_t)ioff + 4 + (uint64_t)n * 2 > size) ok = 0;
                for (uint32_t k = 0; ok && k < n; k++)
                    if (rd16(d + ioff + 4 + (size_t)k * 2) >= t_size) ok = 0;
            }
        }
        if (!ok) continue; /* parents () as CodeIndex._class_supers gives them */
        if (sup != NONE_ID && vec_push(&pars, &tstat[sup], 1)) goto nomem;
        for (uint32_t k = 0; k < n; k++)
            if (vec_push(&pars, &tstat[rd16(d + ioff + 4 + (size_t)k * 2)], 1)) goto nomem;
    }
    par_off[n_cls] = (uint32_t)pars.len;
    for (size_t k = 0; k < pars.len; k++)
        if (pars.data[k] < n_cls) ch_off[pars.data[k] + 2]++;
    for (size_t c = 0; c < n_cls; c++) ch_off[c + 2] += ch_off[c + 1];
    ch = (uint32_t *)malloc((pars.len ? pars.len : 1) * 4);
    if (!ch) goto nomem;
    for (size_t c = 0; c < n_cls; c++)
        for (uint32_t k = par_off[c]; k < par_off[c + 1]; k++)
            if (pars.data[k] < n_cls) ch[ch_off[pars.data[k] + 1]++] = (uint32_t)c;
    /* ch_off[c] .. ch_off[c + 1] are now the children of c */
    memset(mark, 0xff, (n_cls ? n_cls : 1) * 4);
    /* 2. group the references by class (runs of equal method class, as the ids come sorted) */
    for (uint32_t kind = 0; kind < 2; kind++) {
        const uint8_t *ids = (const uint8_t *)(kind ? sb.buf : vb.buf);
        size_t n_ids = (size_t)(kind ? sb.len : vb.len) / 4;
        for (size_t i = 0; i < n_ids; i++) {
            uint32_t mid = rd32(ids + i * 4);
            if (mid >= m_size) {
                snprintf(msg, sizeof msg, "method index %u out of range", mid);
                goto fail;
            }
            uint32_t t = rd16(d + m_off + (size_t)mid * 8);
            if (t >= t_size) {
                snprintf(msg, sizeof msg, "method %u: type index %u out of range", mid, t);
                goto fail;
            }
        }
    }
    for (uint32_t kind = 0; kind < 2; kind++) {
        const uint8_t *ids = (const uint8_t *)(kind ? sb.buf : vb.buf);
        size_t n_ids = (size_t)(kind ? sb.len : vb.len) / 4;
        for (size_t i = 0; i < n_ids;) {
            uint32_t t = rd16(d + m_off + (size_t)rd32(ids + i * 4) * 8);
            size_t j = i + 1;
            while (j < n_ids && rd16(d + m_off + (size_t)rd32(ids + j * 4) * 8) == t) j++;
            int arrow = has_arrow(PyList_GET_ITEM(types, t));
            uint32_t cls = tstat[t];
            int to_rest = arrow != 0 || cls == SPLIT_ID;
            size_t cls_mark = clsl.len;
            uint32_t n_chain = 0, n_below = 0;
            if (!to_rest && cls != NONE_ID) {
                /* chain: the class, then first parents while they are app classes not seen yet */
                uint32_t c = cls;
                while (c < n_cls && mark[c] != (uint32_t)i + (kind ? 0x80000000u : 0)) {
                    mark[c] = (uint32_t)i + (kind ? 0x80000000u : 0);
                    if (vec_push(&clsl, &c, 1)) goto nomem;
                    n_chain++;
                    c = par_off[c] < par_off[c + 1] ? pars.data[par_off[c]] : NONE_ID;
                }
                if (c == SPLIT_ID) to_rest = 1;
                if (!to_rest && !kind) { /* descendants (depth-first; order does not matter) */
                    uint32_t tag = (uint32_t)i | 0x40000000u, top = 0;
                    stack[top++] = cls;
                    mark[cls] = tag;
                    while (top && !to_rest) {
                        uint32_t u = stack[--top];
                        if (splitf[u]) to_rest = 1;
                        for (uint32_t k = ch_off[u]; k < ch_off[u + 1]; k++) {
                            uint32_t v = ch[k];
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
                clsl.len = cls_mark;
                for (size_t k = i; k < j; k++) {
                    uint32_t pair[2] = {kind, rd32(ids + k * 4)};
                    if (vec_push(&rest, pair, 2)) goto nomem;
                }
            } else if (cls != NONE_ID) {
                uint32_t gw[6] = {kind, (uint32_t)(j - i), n_chain, n_below, (uint32_t)refl.len,
                                  (uint32_t)cls_mark};
                if (vec_push(&grp, gw, 6)) goto nomem;
                for (size_t k = i; k < j; k++) {
                    uint32_t v = rd32(ids + k * 4);
                    if (vec_push(&refl, &v, 1)) goto nomem;
                }
                for (size_t k = cls_mark; k < clsl.len; k++) wanted[clsl.data[k]] = 1;
            }
            i = j;
        }
    }
    /* pass 2: the records of the marked classes grouped by class (counting sort), each class sorted by
     * (sig hash, record order), so a lookup is a binary search in a short contiguous slice */
    size_t n_wanted = 0;
    for (size_t r = 0; r < n_rec; r++) {
        uint32_t cdi = rd32(m + r * 28), midx = rd32(m + r * 28 + 4);
        if (cdi >= n_cls) {
            snprintf(msg, sizeof msg, "method record %zu: class def index %u out of range", r, cdi);
            goto fail;
        }
        if (midx >= m_size) {
            snprintf(msg, sizeof msg, "method record %zu: method index %u out of range", r, midx);
            goto fail;
        }
        if (wanted[cdi]) {
            start[cdi + 1]++;
            n_wanted++;
        }
    }
    for (size_t c = 0; c < n_cls; c++) start[c + 1] += start[c];
    memcpy(fill, start, (n_cls + 1) * sizeof(uint32_t));
    recs = (hrec_t *)malloc((n_wanted ? n_wanted : 1) * sizeof(hrec_t));
    if (!recs) goto nomem;
    for (size_t r = 0; r < n_rec; r++) {
        uint32_t cdi = rd32(m + r * 28), midx = rd32(m + r * 28 + 4);
        if (!wanted[cdi]) continue;
        /* the method id's class must be the class def's (a name without "->"), so that the descriptor is
         * f"{name}->{sig}"; the sig (name and proto) must be ASCII */
        uint32_t ct = rd32(d + cd_off + (size_t)cdi * 32), mc = rd16(d + m_off + (size_t)midx * 8);
        PyObject *cname = PyList_GET_ITEM(types, ct);
        if (mc >= t_size || has_arrow(cname) != 0 ||
            (mc != ct && PyObject_RichCompareBool(PyList_GET_ITEM(types, mc), cname, Py_EQ) != 1)) {
            PyErr_Clear();
            irregular = 1;
            goto done;
        }
        size_t a0 = arena.len;
        int ascii = desc_build(&hd, m_off, midx, NULL, NULL, &scratch, 1);
        if (ascii == -2) goto nomem;
        if (ascii != 1) {
            irregular = 1;
            goto done;
        }
        if (sb_reserve(&arena, scratch.len)) goto nomem;
        sb_put(&arena, scratch.p, scratch.len);
        hrec_t *e = &recs[fill[cdi]++];
        e->h = hash_bytes(arena.p + a0, arena.len - a0);
        e->p = (const char *)(uintptr_t)a0; /* an offset into the arena until it stops growing */
        e->len = (uint32_t)(arena.len - a0);
        e->ord = (uint32_t)r;
        e->midx = midx;
    }
    for (size_t k = 0; k < n_wanted; k++) recs[k].p = arena.p + (uintptr_t)recs[k].p;
    for (size_t c = 0; c < n_cls; c++) {
        size_t lo = start[c], hi = start[c + 1];
        if (hi - lo > 16) {
            qsort(recs + lo, hi - lo, sizeof(hrec_t), hrec_cmp);
            continue;
        }
        for (size_t a = lo + 1; a < hi; a++) { /* insertion sort for the (many) small classes */
            hrec_t v = recs[a];
            size_t b = a;
            while (b > lo && hrec_cmp(&recs[b - 1], &v) > 0) {
                recs[b] = recs[b - 1];
                b--;
            }
            recs[b] = v;
        }
    }
    /* 3. the targets of every grouped reference */
    uint32_t n_v = 0;
    for (size_t gi = 0; gi < grp.len; gi += 6) {
        uint32_t kind = grp.data[gi], nr = grp.data[gi + 1], nc = grp.data[gi + 2], nb = grp.data[gi + 3];
        const uint32_t *refs = refl.data + grp.data[gi + 4], *chain = clsl.data + grp.data[gi + 5];
        uint32_t *xmap = kind ? smap : vmap;
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t ref = refs[i];
            if (dl_spent(&dl, 1u + nc + nb)) goto timeout;
            int ascii = desc_build(&hd, m_off, ref, NULL, NULL, &scratch, 1);
            if (ascii == -2) goto nomem;
            if (ascii != 1) {
                irregular = 1;
                goto done;
            }
            sig_t sg;
            sg.p = scratch.p;
            sg.len = (uint32_t)scratch.len;
            sg.hash = hash_bytes(sg.p, sg.len);
            tg.len = 0;
            for (uint32_t jx = 0; jx < nc + nb; jx++) {
                uint32_t cdi = chain[jx];           /* chain and below are contiguous */
                if (jx < nc && tg.len) continue;    /* the nearest implementation only */
                size_t lo = start[cdi], hi = start[cdi + 1];
                while (lo < hi) { /* first record with this hash */
                    size_t mid = lo + (hi - lo) / 2;
                    if (recs[mid].h < sg.hash) lo = mid + 1;
                    else hi = mid;
                }
                for (; lo < start[cdi + 1] && recs[lo].h == sg.hash; lo++) {
                    if (recs[lo].len == sg.len && !memcmp(recs[lo].p, sg.p, sg.len)) {
                        uint32_t node = rd32(g + (size_t)recs[lo].midx * 4);
                        if (vec_push(&tg, &node, 1)) goto nomem;
                        break;
                    }
                }
            }
            /* sort, drop repeats and the reference's own node */
            uint32_t self_node = rd32(g + (size_t)ref * 4), n_t = 0;
            for (size_t a = 1; a < tg.len; a++) { /* insertion sort: target lists are short */
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
                    snprintf(msg, sizeof msg, "too many nodes");
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
    res = Py_BuildValue("(y#y#y#ky#)", (const char *)vmap, (Py_ssize_t)(m_size * 4), (const char *)smap,
                        (Py_ssize_t)(m_size * 4), vedges.data ? (const char *)vedges.data : "",
                        (Py_ssize_t)(vedges.len * 4), (unsigned long)n_v,
                        rest.data ? (const char *)rest.data : "", (Py_ssize_t)(rest.len * 4));
    goto done;
nomem:
    PyErr_NoMemory();
    goto done;
timeout:
    deadline_error();
    goto done;
fail:
    PyErr_SetString(PyExc_ValueError, msg);
done:
    if (irregular && !PyErr_Occurred()) {
        res = Py_None;
        Py_INCREF(res);
    }
    free(start);
    free(fill);
    free(vmap);
    free(smap);
    free(tstat);
    free(par_off);
    free(ch_off);
    free(ch);
    free(mark);
    free(stack);
    free(wanted);
    free(first);
    free(recs);
    free(vedges.data);
    free(tg.data);
    free(rest.data);
    free(pars.data);
    free(refl.data);
    free(clsl.data);
    free(grp.data);
    free(hd.types);
    free(arena.p);
    free(scratch.p);
    PyBuffer_Release(&buf);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&spb);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&sb);
    return res;
}

/* One DEX of subtype_masks' `dexes` (the tuple _reach.hierarchy_all takes; of it subtype_masks reads the buffer,
 * the class tables and the type map). */
typedef struct {
    descs_t hd;
    PyObject *types;
    Py_buffer buf, mb, gb, tb, vb, sb;
    int parsed;
    unsigned long t_size, cd_off, cd_size, m_off, m_size;
    size_t base;
} hdex_t;

/* subtype_masks(dexes, bits) -> bytes
 * For each app-wide class number (a class def's index plus the class defs of the DEX files before its own), a byte
 * OR-ing the bits of every type it is or reaches through its parents (superclass then interfaces, as
 * hierarchy_extras reads them; an app class's parents are those of its first definition, a type the app does not
 * define has none): bits[k] gives one byte per type id of DEX k. `dexes` as _reach.hierarchy_all takes them, of
 * which the buffer, the class tables and tstat are read (tstat: u32 per type id, the app-wide number of the class's
 * first definition in the app, NONE when the app defines none). With one bit per base type descriptor, the class
 * is a subtype of that base (CallGraph.is_subtype) exactly when the bit is set. A class def that is not its class's
 * first definition gets 0. ValueError ("DEX k: ...") for class defs out of bounds, a tstat or bits buffer of
 * another length, a class number or type index out of range. Linear: a class's byte changes at most 8 times. */
static PyObject *dexscan_subtype_masks(PyObject *self, PyObject *args) {
    PyObject *dexes, *bits;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &dexes, &PyList_Type, &bits)) return NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    if (PyList_GET_SIZE(bits) != n_dex) {
        PyErr_SetString(PyExc_ValueError, "one bits buffer per DEX");
        return NULL;
    }
    hdex_t *xs = (hdex_t *)calloc((size_t)(n_dex ? n_dex : 1), sizeof(hdex_t));
    Py_buffer *bb = (Py_buffer *)calloc((size_t)(n_dex ? n_dex : 1), sizeof(Py_buffer));
    uint8_t *have_bb = (uint8_t *)calloc((size_t)(n_dex ? n_dex : 1), 1);
    PyObject *res = NULL;
    uint8_t *mask = NULL;
    uint32_t *ch_off = NULL, *ch = NULL, *stack = NULL;
    vec_t edges; /* (parent, child) pairs between app classes */
    memset(&edges, 0, sizeof edges);
    char msg[160], full[200];
    const char *err = NULL;
    Py_ssize_t bad = 0;
    size_t n_cls = 0;
    if (!xs || !bb || !have_bb) {
        PyErr_NoMemory();
        goto done;
    }
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
        if (PyObject_GetBuffer(PyList_GET_ITEM(bits, k), &bb[k], PyBUF_SIMPLE) < 0) goto done;
        have_bb[k] = 1;
        bad = k;
        if ((uint64_t)x->cd_off + (uint64_t)x->cd_size * 32 > (uint64_t)x->buf.len) err = "class_defs out of bounds";
        else if ((size_t)x->tb.len != x->t_size * 4) err = "type map length differs from type_ids";
        else if ((size_t)bb[k].len != x->t_size) err = "bits length differs from type_ids";
        if (err) goto fail;
        x->base = n_cls;
        n_cls += x->cd_size;
        if (n_cls >= SPLIT_ID) {
            err = "too many classes";
            goto fail;
        }
    }
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        for (size_t t = 0; t < x->t_size; t++) {
            uint32_t v = rd32((const uint8_t *)x->tb.buf + t * 4);
            if (v != NONE_ID && v >= n_cls) {
                bad = k;
                snprintf(msg, sizeof msg, "type %zu: class number %u out of range", t, v);
                err = msg;
                goto fail;
            }
        }
    }
    mask = (uint8_t *)calloc(n_cls ? n_cls : 1, 1);
    ch_off = (uint32_t *)calloc(n_cls + 2, 4);
    stack = (uint32_t *)malloc((n_cls ? n_cls : 1) * 4 * 8 + 4);
    if (!mask || !ch_off || !stack) goto nomem;
    /* own bits, the bits of parents the app does not define, and the edges to the parents it does */
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        hdex_t *x = &xs[k];
        const uint8_t *d = (const uint8_t *)x->buf.buf, *tb = (const uint8_t *)x->tb.buf;
        const uint8_t *bk = (const uint8_t *)bb[k].buf;
        size_t size = (size_t)x->buf.len, t_size = x->t_size;
        for (size_t c = 0; c < x->cd_size; c++) {
            const uint8_t *cd = d + x->cd_off + c * 32;
            uint32_t t = rd32(cd), gc = (uint32_t)(x->base + c);
            if (t >= t_size) {
                bad = k;
                snprintf(msg, sizeof msg, "class def %zu: type index %u out of range", c, t);
                err = msg;
                goto fail;
            }
            if (rd32(tb + (size_t)t * 4) != gc) continue; /* not the first definition of its class */
            mask[gc] = bk[t];
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
            for (uint32_t q = 0; q <= n; q++) {
                uint32_t p;
                if (q == 0) {
                    if (sup == NONE_ID) continue;
                    p = sup;
                } else p = rd16(d + ioff + 4 + (size_t)(q - 1) * 2);
                uint32_t gp = rd32(tb + (size_t)p * 4);
                if (gp != NONE_ID) {
                    uint32_t pair[2] = {gp, gc};
                    if (vec_push(&edges, pair, 2)) goto nomem;
                } else mask[gc] |= bk[p];
            }
        }
    }
    /* children of each class, then every nonzero byte pushed down to the descendants (a byte grows at most 8
     * times, so a class is queued at most 8 times) */
    size_t n_e = edges.len / 2;
    for (size_t e = 0; e < n_e; e++) ch_off[edges.data[2 * e] + 2]++;
    for (size_t c = 0; c < n_cls; c++) ch_off[c + 2] += ch_off[c + 1];
    ch = (uint32_t *)malloc((n_e ? n_e : 1) * 4);
    if (!ch) goto nomem;
    for (size_t e = 0; e < n_e; e++) ch[ch_off[edges.data[2 * e] + 1]++] = edges.data[2 * e + 1];
    size_t top = 0;
    for (size_t c = 0; c < n_cls; c++)
        if (mask[c]) stack[top++] = (uint32_t)c;
    while (top) {
        uint32_t u = stack[--top];
        for (uint32_t q = ch_off[u]; q < ch_off[u + 1]; q++) {
            uint32_t v = ch[q];
            if ((mask[v] | mask[u]) != mask[v]) {
                mask[v] |= mask[u];
                stack[top++] = v;
            }
        }
    }
    res = PyBytes_FromStringAndSize((const char *)mask, (Py_ssize_t)n_cls);
    goto done;
nomem:
    PyErr_NoMemory();
    goto done;
fail:
    snprintf(full, sizeof full, "DEX %zd: %s", bad, err);
    PyErr_SetString(PyExc_ValueError, full);
done:
    for (Py_ssize_t k = 0; k < n_dex; k++) {
        if (xs && xs[k].parsed) {
            PyBuffer_Release(&xs[k].buf);
            PyBuffer_Release(&xs[k].mb);
            PyBuffer_Release(&xs[k].gb);
            PyBuffer_Release(&xs[k].tb);
            PyBuffer_Release(&xs[k].vb);
            PyBuffer_Release(&xs[k].sb);
        }
        if (have_bb && have_bb[k]) PyBuffer_Release(&bb[k]);
    }
    free(xs);
    free(bb);
    free(have_bb);
    free(mask);
    free(ch_off);
    free(ch);
    free(stack);
    free(edges.data);
    return res;
}

/* method_desc(ids, m[, sig]) -> str | None
 * The descriptor of method id m (method_descs' item, made alone: no per-type cache), or with `sig` only its part
 * from the name on ("name(params)ret"); None when one of the strings in it is not pure ASCII. ValueError as
 * method_descs (but for the length budget) and for m out of range. */
static PyObject *dexscan_method_desc(PyObject *self, PyObject *args) {
    PyObject *tup;
    unsigned long m;
    int sig = 0;
    if (!PyArg_ParseTuple(args, "O!k|p", &PyTuple_Type, &tup, &m, &sig)) return NULL;
    dexids_t x;
    PyObject *res = NULL;
    sbuf_t sb = {NULL, 0, 0};
    if (dexids_open(tup, &x)) goto done;
    if (m >= x.m_size) {
        PyErr_SetString(PyExc_ValueError, "method index out of range");
        goto done;
    }
    int ascii = desc_build(&x.d, x.m_off, (uint32_t)m, NULL, NULL, &sb, sig);
    if (ascii == -2) PyErr_NoMemory();
    else if (ascii < 0) PyErr_SetString(PyExc_ValueError, x.d.msg);
    else if (!ascii) {
        res = Py_None;
        Py_INCREF(res);
    } else {
        res = PyUnicode_New((Py_ssize_t)sb.len, 127);
        if (res) memcpy(PyUnicode_1BYTE_DATA(res), sb.p, sb.len);
    }
done:
    free(sb.p);
    dexids_close(&x);
    return res;
}

/* method_descs_at(ids, mids[, sig]) -> list[str | None]
 * method_desc of each method id in `mids` (u32) with one call (same None and ValueError). */
static PyObject *dexscan_method_descs_at(PyObject *self, PyObject *args) {
    PyObject *tup;
    Py_buffer mb;
    int sig = 0;
    if (!PyArg_ParseTuple(args, "O!y*|p", &PyTuple_Type, &tup, &mb, &sig)) return NULL;
    dexids_t x;
    memset(&x, 0, sizeof x);
    PyObject *res = NULL;
    sbuf_t sb = {NULL, 0, 0};
    if (mb.len % 4) {
        PyErr_SetString(PyExc_ValueError, "method ids must hold u32 values");
        goto done;
    }
    if (dexids_open(tup, &x)) goto done;
    size_t n = (size_t)mb.len / 4;
    res = PyList_New((Py_ssize_t)n);
    if (!res) goto done;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = rd32((const uint8_t *)mb.buf + i * 4);
        if (m >= x.m_size) {
            PyErr_SetString(PyExc_ValueError, "method index out of range");
            Py_CLEAR(res);
            goto done;
        }
        int ascii = desc_build(&x.d, x.m_off, m, NULL, NULL, &sb, sig);
        PyObject *item;
        if (ascii == -2) {
            PyErr_NoMemory();
            Py_CLEAR(res);
            goto done;
        }
        if (ascii < 0) {
            PyErr_SetString(PyExc_ValueError, x.d.msg);
            Py_CLEAR(res);
            goto done;
        }
        if (!ascii) {
            item = Py_None;
            Py_INCREF(item);
        } else {
            item = PyUnicode_New((Py_ssize_t)sb.len, 127);
            if (!item) {
                Py_CLEAR(res);
                goto done;
            }
            memcpy(PyUnicode_1BYTE_DATA(item), sb.p, sb.len);
        }
        PyList_SET_ITEM(res, (Py_ssize_t)i, item);
    }
done:
    free(sb.p);
    dexids_close(&x);
    PyBuffer_Release(&mb);
    return res;
}

/* field_desc(ids, f_off, f_size, f) -> str | None
 * The descriptor "Lcls;->name:Type" of field id f (DexFile.field_desc's string), built from the id tables `ids`
 * (see dexids_t) and the field_ids table at f_off (f_size entries of 8 bytes); None when one of its strings is not
 * pure ASCII (the reader decodes it then). ValueError as method_descs for the tables, "field_ids out of bounds",
 * "field index out of range", the class's and the type's "type ..." messages and "field <f> name index out of
 * range" / "string <s> data out of bounds" for the name (checked in that order: class, name, type). */
static PyObject *dexscan_field_desc(PyObject *self, PyObject *args) {
    PyObject *tup;
    unsigned long f_off, f_size, f;
    if (!PyArg_ParseTuple(args, "O!kkk", &PyTuple_Type, &tup, &f_off, &f_size, &f)) return NULL;
    dexids_t x;
    PyObject *res = NULL;
    if (dexids_open(tup, &x)) goto done;
    if ((uint64_t)f_off + (uint64_t)f_size * 8 > (uint64_t)x.d.size) {
        PyErr_SetString(PyExc_ValueError, "field_ids out of bounds");
        goto done;
    }
    if (f >= f_size) {
        PyErr_SetString(PyExc_ValueError, "field index out of range");
        goto done;
    }
    const uint8_t *e = x.d.buf + f_off + (size_t)f * 8;
    uint32_t name_idx = rd32(e + 4);
    str_ref_t ct, nt, tt;
    const str_ref_t *cls = type_ref_at(&x.d, rd16(e), &ct);
    if (!cls) {
        PyErr_SetString(PyExc_ValueError, x.d.msg);
        goto done;
    }
    if (name_idx >= x.d.s_size) {
        PyErr_Format(PyExc_ValueError, "field %lu name index out of range", f);
        goto done;
    }
    if (string_ref(x.d.buf, x.d.size, x.d.s_off, name_idx, &nt)) {
        PyErr_Format(PyExc_ValueError, "string %u data out of bounds", name_idx);
        goto done;
    }
    const str_ref_t *typ = type_ref_at(&x.d, rd16(e + 2), &tt);
    if (!typ) {
        PyErr_SetString(PyExc_ValueError, x.d.msg);
        goto done;
    }
    if (cls->state != 1 || nt.state != 1 || typ->state != 1) {
        res = Py_None;
        Py_INCREF(res);
        goto done;
    }
    size_t len = (size_t)cls->len + 2 + nt.len + 1 + typ->len;
    res = PyUnicode_New((Py_ssize_t)len, 127);
    if (res) {
        char *o = (char *)PyUnicode_1BYTE_DATA(res);
        memcpy(o, cls->ptr, cls->len);
        o += cls->len;
        memcpy(o, "->", 2);
        o += 2;
        memcpy(o, nt.ptr, nt.len);
        o += nt.len;
        *o++ = ':';
        memcpy(o, typ->ptr, typ->len);
    }
done:
    dexids_close(&x);
    return res;
}

/* intern_methods(dexes, ci, table, hashes, reps, other, decode[, deadline]) -> bytes
 * Node ids (u32, native order) of the method ids of DEX `ci` in one id space shared over calls (one call per DEX,
 * in order): two method ids get the same node exactly when their descriptors (method_descs' strings, decoded with
 * `decode` where not ASCII) are equal, and new nodes are numbered in first-seen order, as a descriptor -> id dict
 * filled DEX by DEX would number them, without a descriptor string or a dict entry per method.
 *   dexes: the id tables of every DEX (tuples, see dexids_t); table: bytearray of u32 open-addressing slots
 *   (node + 1 in the bits below the slot count, 0 = empty; the bits above hold the top bits of the descriptor's hash,
 *   so a probe rarely reads another node's hash), a power of two of them above twice the final node count, zeroed at first and passed
 *   unchanged to every call; hashes / reps: bytearrays extended by 8 bytes per new node: its descriptor hash and its
 *   representative (DEX number, method id) as two u32 - which the caller keeps to name a node on demand (the
 *   hashes belong to the backend, as the table does); other: a dict for the descriptors that are not ASCII (str ->
 *   node), which `decode(method_id)` gives as str and which can equal no ASCII one (a string decoded from bytes
 *   that are not all ASCII holds a character outside ASCII, or NUL, which ASCII string data cannot).
 * An ASCII descriptor is found by its hash in the table, then compared bytewise with its node's representative,
 * rebuilt from that DEX's tables. The checks and their ValueError messages are method_descs'; ValueError too for a
 * table that is not such a size or is full; TypeError when `decode` does not give a str; TimeoutError past
 * `deadline`. */
static PyObject *dexscan_intern_methods(PyObject *self, PyObject *args) {
    PyObject *dexes, *table_o, *hashes_o, *reps_o, *other, *decode;
    Py_ssize_t ci;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "O!nO!O!O!O!O|d", &PyList_Type, &dexes, &ci, &PyByteArray_Type, &table_o,
                          &PyByteArray_Type, &hashes_o, &PyByteArray_Type, &reps_o, &PyDict_Type, &other, &decode,
                          &deadline))
        return NULL;
    deadline_t dl = {deadline, DL_EVERY, 0};
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    if (ci < 0 || ci >= n_dex) {
        PyErr_SetString(PyExc_ValueError, "DEX number out of range");
        return NULL;
    }
    size_t cap = (size_t)PyByteArray_GET_SIZE(table_o) / 4;
    if (PyByteArray_GET_SIZE(table_o) % 4 || cap < 2 || (cap & (cap - 1))) {
        PyErr_SetString(PyExc_ValueError, "the table must hold a power of two of u32 slots");
        return NULL;
    }
    size_t n = (size_t)PyByteArray_GET_SIZE(reps_o) / 8, n0 = n;
    if (PyByteArray_GET_SIZE(reps_o) % 8 || (size_t)PyByteArray_GET_SIZE(hashes_o) != n * 8) {
        PyErr_SetString(PyExc_ValueError, "hashes and representatives do not match");
        return NULL;
    }
    dexids_t *xs = (dexids_t *)calloc((size_t)n_dex, sizeof(dexids_t));
    PyObject *out = NULL;
    sbuf_t sb = {NULL, 0, 0}, sb2 = {NULL, 0, 0};
    uint64_t *hh = NULL; /* pass 1: each method id's descriptor hash (0 when not ASCII) */
    uint8_t *asc = NULL;
    uint8_t *opened = (uint8_t *)calloc((size_t)n_dex, 1);
    if (!xs || !opened) {
        PyErr_NoMemory();
        goto done;
    }
    if (dexids_open(PyList_GET_ITEM(dexes, ci), &xs[ci])) goto done;
    opened[ci] = 1;
    dexids_t *cur = &xs[ci];
    if (dexids_types(cur)) {
        PyErr_NoMemory();
        goto done;
    }
    size_t m_size = cur->m_size;
    if (PyByteArray_Resize(reps_o, (Py_ssize_t)((n + m_size) * 8)) < 0 ||
        PyByteArray_Resize(hashes_o, (Py_ssize_t)((n + m_size) * 8)) < 0)
        goto done;
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(m_size * 4));
    if (!out) goto done;
    uint32_t *ids = (uint32_t *)PyBytes_AS_STRING(out);
    uint64_t budget = (uint64_t)cur->d.size * 64 + (1u << 20);
    /* a slot: node + 1 below the slot count (n + 1 <= cap / 2), a tag of hash bits above it */
    const uint32_t idmask = cap > 0x80000000u ? 0xffffffffu : (uint32_t)(cap - 1);
    /* pass 1: every descriptor checked (method_descs' checks, in order) and hashed; pass 2 numbers them in order,
     * with the table slot of a descriptor a few ahead prefetched (the table is far bigger than the caches) */
    hh = (uint64_t *)malloc((m_size ? m_size : 1) * sizeof(uint64_t));
    asc = (uint8_t *)malloc(m_size ? m_size : 1);
    if (!hh || !asc) goto nomem;
    for (size_t i = 0; i < m_size; i++) {
        uint64_t cost = 0;
        int ascii = desc_build(&cur->d, cur->m_off, (uint32_t)i, &budget, &cost, &sb, 0);
        if (ascii == -2) goto nomem;
        if (ascii < 0) {
            PyErr_SetString(PyExc_ValueError, cur->d.msg);
            goto fail;
        }
        if (dl_spent(&dl, 1 + cost / 64)) {
            deadline_error();
            goto fail;
        }
        asc[i] = (uint8_t)ascii;
        hh[i] = ascii ? hash_bytes(sb.p, sb.len) : 0;
    }
    for (size_t i = 0; i < m_size; i++) {
        uint32_t *slot = (uint32_t *)PyByteArray_AS_STRING(table_o);
        uint32_t *reps = (uint32_t *)PyByteArray_AS_STRING(reps_o);
        uint64_t *hs = (uint64_t *)PyByteArray_AS_STRING(hashes_o);
        if (i + 8 < m_size && asc[i + 8]) {
            uint64_t h8 = hh[i + 8];
            __builtin_prefetch(&slot[(size_t)(h8 ^ (h8 >> 31)) & (cap - 1)]);
        }
        int ascii = asc[i], built = 0;
        uint32_t g = NONE_ID, tag = 0;
        uint64_t h = 0;
        size_t k = 0;
        if (ascii) {
            h = hh[i];
            tag = (uint32_t)(h >> 32) & ~idmask;
            for (k = (size_t)(h ^ (h >> 31)) & (cap - 1);; k = (k + 1) & (cap - 1)) {
                uint32_t sv = slot[k];
                if (!sv) break;
                if ((sv & ~idmask) != tag) continue; /* another hash: no need to read it */
                uint32_t j = sv & idmask;
                if (j == 0 || (size_t)(j - 1) >= n) {
                    PyErr_SetString(PyExc_ValueError, "the table does not belong to these nodes");
                    goto fail;
                }
                if (hs[j - 1] != h) continue;
                if (!built) { /* this descriptor's bytes again (checked in pass 1) */
                    if (desc_build(&cur->d, cur->m_off, (uint32_t)i, NULL, NULL, &sb, 0) == -2) goto nomem;
                    built = 1;
                }
                uint32_t rci = reps[2 * (j - 1)], rm = reps[2 * (j - 1) + 1];
                if (rci >= (uint32_t)n_dex) {
                    PyErr_SetString(PyExc_ValueError, "representative DEX out of range");
                    goto fail;
                }
                if (!opened[rci]) {
                    if (dexids_open(PyList_GET_ITEM(dexes, rci), &xs[rci])) goto fail;
                    opened[rci] = 1;
                }
                if (rm >= xs[rci].m_size) { /* (no per-type cache for a representative: rebuilt once per match) */
                    PyErr_SetString(PyExc_ValueError, "representative method id out of range");
                    goto fail;
                }
                int r = desc_build(&xs[rci].d, xs[rci].m_off, rm, NULL, NULL, &sb2, 0);
                if (r == -2) goto nomem;
                if (r == 1 && sb2.len == sb.len && !memcmp(sb2.p, sb.p, sb.len)) {
                    g = j - 1;
                    break;
                }
            }
        } else {
            PyObject *s = PyObject_CallFunction(decode, "n", (Py_ssize_t)i);
            if (!s) goto fail;
            if (!PyUnicode_Check(s)) {
                Py_DECREF(s);
                PyErr_SetString(PyExc_TypeError, "decode must give a str");
                goto fail;
            }
            PyObject *v = PyDict_GetItemWithError(other, s);
            if (v) {
                unsigned long gv = PyLong_AsUnsignedLong(v);
                if (PyErr_Occurred() || gv >= n) {
                    Py_DECREF(s);
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "the dict does not belong to these nodes");
                    goto fail;
                }
                g = (uint32_t)gv;
            } else if (PyErr_Occurred()) {
                Py_DECREF(s);
                goto fail;
            } else if (2 * (n + 1) <= cap && n < 0xFFFFFFFEu) {
                PyObject *gv = PyLong_FromSize_t(n);
                int bad = !gv || PyDict_SetItem(other, s, gv) < 0;
                Py_XDECREF(gv);
                if (bad) {
                    Py_DECREF(s);
                    goto fail;
                }
            }
            Py_DECREF(s);
            /* the callback may have moved the buffers */
            slot = (uint32_t *)PyByteArray_AS_STRING(table_o);
            reps = (uint32_t *)PyByteArray_AS_STRING(reps_o);
            hs = (uint64_t *)PyByteArray_AS_STRING(hashes_o);
            if ((size_t)PyByteArray_GET_SIZE(reps_o) != (n0 + m_size) * 8 ||
                (size_t)PyByteArray_GET_SIZE(hashes_o) != (n0 + m_size) * 8 ||
                (size_t)PyByteArray_GET_SIZE(table_o) != cap * 4) {
                PyErr_SetString(PyExc_ValueError, "the buffers changed during the call");
                goto fail;
            }
        }
        if (g == NONE_ID) { /* a new node */
            if (2 * (n + 1) > cap || n >= 0xFFFFFFFEu) {
                PyErr_SetString(PyExc_ValueError, "the table is full");
                goto fail;
            }
            g = (uint32_t)n++;
            if (ascii) slot[k] = (g + 1) | tag;
            reps[2 * (size_t)g] = (uint32_t)ci;
            reps[2 * (size_t)g + 1] = (uint32_t)i;
            hs[g] = h;
        }
        ids[i] = g;
    }
    goto done;
nomem:
    PyErr_NoMemory();
fail:
    Py_CLEAR(out);
done:
    if (PyByteArray_GET_SIZE(reps_o) != (Py_ssize_t)(n * 8)) {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        if (PyByteArray_Resize(reps_o, (Py_ssize_t)(n * 8)) < 0 || PyByteArray_Resize(hashes_o, (Py_ssize_t)(n * 8)) < 0)
            PyErr_Clear();
        PyErr_Restore(et, ev, tb);
    }
    if (xs)
        for (Py_ssize_t k2 = 0; k2 < n_dex; k2++)
            if (opened && opened[k2]) dexids_close(&xs[k2]);
    free(xs);
    free(opened);
    free(sb.p);
    free(sb2.p);
    free(hh);
    free(asc);
    return out;
}

/* max_item(buf, itemsize) -> int
 * The largest unsigned little-endian item (itemsize 2 or 4) of a buffer; 0 when it is empty. ValueError for another
 * item size or a length that is not a multiple of it. (The reader checks every id table's indices this way instead
 * of iterating Python ints.) */
/* Descriptor bytes in one arena, compared bytewise (= Python str order for ASCII), for sort_nodes. */
typedef struct {
    const char *arena;
    const uint64_t *offs; /* n + 1 offsets into arena */
} rank_ctx_t;
static rank_ctx_t rank_ctx; /* qsort comparator context (the GIL is held throughout) */

static int desc_bytes_cmp(const char *a, size_t la, const char *b, size_t lb) {
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

static int rank_idx_cmp(const void *x, const void *y) {
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    const uint64_t *o = rank_ctx.offs;
    return desc_bytes_cmp(rank_ctx.arena + o[i], (size_t)(o[i + 1] - o[i]), rank_ctx.arena + o[j],
                          (size_t)(o[j + 1] - o[j]));
}

/* A class descriptor of a (DEX, type id), for class_ranks. */
typedef struct {
    const uint8_t *p;
    uint32_t len, ci, tidx;
} cls_ent_t;

static int cls_ent_cmp(const void *x, const void *y) {
    const cls_ent_t *a = (const cls_ent_t *)x, *b = (const cls_ent_t *)y;
    return desc_bytes_cmp((const char *)a->p, a->len, (const char *)b->p, b->len);
}

/* class_ranks' order of its entries without a full sort, when it can: the entries, in node order, are by DEX and
 * type id ascending (nodes are by DEX and method id, and a DEX lists its methods by class), and each DEX's classes
 * ascend bytewise (a DEX lists its types by string id and its strings by content; ASCII: the same order). The DEX
 * runs are then merged pairwise (~log2(DEX files) comparisons per entry instead of ~log2(entries)). 1 when done (an
 * order cls_ent_cmp sorts: equal descriptors adjacent), 0 when the entries are not such runs (the caller sorts),
 * -1 out of memory. */
static int cls_ents_merge(cls_ent_t *ents, size_t n, Py_ssize_t n_dex) {
    size_t *bounds = (size_t *)malloc(((size_t)n_dex + 2) * sizeof(size_t));
    if (!bounds) return -1;
    size_t nb = 0;
    bounds[nb++] = 0;
    for (size_t i = 1; i < n; i++) { /* runs: DEX numbers ascend (so at most n_dex runs), then type ids and bytes */
        const cls_ent_t *a = &ents[i - 1], *b = &ents[i];
        int ok = a->ci != b->ci ? a->ci < b->ci
                                : a->tidx < b->tidx &&
                                      desc_bytes_cmp((const char *)a->p, a->len, (const char *)b->p, b->len) < 0;
        if (!ok) {
            free(bounds);
            return 0;
        }
        if (a->ci != b->ci) bounds[nb++] = i;
    }
    bounds[nb] = n;
    cls_ent_t *tmp = nb > 1 ? (cls_ent_t *)malloc(n * sizeof(cls_ent_t)) : NULL;
    if (nb > 1 && !tmp) {
        free(bounds);
        return -1;
    }
    cls_ent_t *src = ents, *dst = tmp;
    while (nb > 1) { /* merge runs 2k and 2k+1 of src into dst */
        size_t out_nb = 0;
        for (size_t r = 0; r < nb; r += 2) {
            size_t lo = bounds[r], mid = bounds[r + 1], hi = r + 2 <= nb ? bounds[r + 2] : mid;
            size_t i = lo, j = mid, k = lo;
            if (r + 1 < nb)
                while (i < mid && j < hi)
                    dst[k++] = cls_ent_cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
            memcpy(dst + k, src + i, (mid - i) * sizeof(cls_ent_t));
            k += mid - i;
            if (r + 1 < nb) memcpy(dst + k, src + j, (hi - j) * sizeof(cls_ent_t));
            bounds[out_nb++] = lo;
        }
        bounds[out_nb] = n;
        nb = out_nb;
        cls_ent_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != ents) memcpy(ents, src, n * sizeof(cls_ent_t));
    free(tmp);
    free(bounds);
    return 1;
}

/* class_ranks(dexes, reps, prefixes[, deadline]) -> (ranks, flags) | None
 * For CallGraph.walk, per node (reps: u32 pairs DEX number, method id, as intern_methods made them): the rank of its
 * class descriptor among the distinct class descriptors of all nodes (bytewise = Python str order: ASCII), and a
 * flag: 1 when its class starts with one of `prefixes` (a tuple of bytes), else 2 when a prefix longer than the class
 * starts with the class (the descriptor decides), else 0. When no class is a proper prefix of another, descriptor
 * order is (class rank, descriptor) order: the walk compares names only between methods of one class. None when a
 * class or a prefix is not pure ASCII or a class is a proper prefix of another's (the walk then sorts names).
 * ValueError "representative out of range" and type_ref's messages, in node order; TimeoutError past `deadline`. */
static PyObject *dexscan_class_ranks(PyObject *self, PyObject *args) {
    PyObject *dexes, *prefixes;
    Py_buffer rb;
    double deadline = 0;
    if (!PyArg_ParseTuple(args, "O!y*O!|d", &PyList_Type, &dexes, &rb, &PyTuple_Type, &prefixes, &deadline))
        return NULL;
    deadline_t dl = {deadline, DL_EVERY, 0};
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes), n_pre = PyTuple_GET_SIZE(prefixes), opened = 0;
    size_t n = (size_t)rb.len / 8, n_ents = 0, cap_ents = 0;
    PyObject *res = NULL, *ranks_o = NULL, *flags_o = NULL;
    dexids_t *xs = (dexids_t *)calloc(n_dex ? (size_t)n_dex : 1, sizeof(dexids_t));
    uint32_t **tmap = (uint32_t **)calloc(n_dex ? (size_t)n_dex : 1, sizeof(uint32_t *));
    cls_ent_t *ents = NULL;
    int declined = 0;
    if (!xs || !tmap) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_pre; k++) {
        PyObject *p = PyTuple_GET_ITEM(prefixes, k);
        if (!PyBytes_Check(p)) {
            PyErr_SetString(PyExc_TypeError, "prefixes must be bytes");
            goto done;
        }
        const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(p);
        for (Py_ssize_t j = 0; j < PyBytes_GET_SIZE(p); j++)
            if (!s[j] || s[j] > 127) declined = 1;
    }
    if (declined) goto done;
    for (opened = 0; opened < n_dex; opened++) {
        if (dexids_open(PyList_GET_ITEM(dexes, opened), &xs[opened])) goto done;
        if (dexids_types(&xs[opened])) {
            PyErr_NoMemory();
            opened++;
            goto done;
        }
        size_t t = xs[opened].d.t_size ? xs[opened].d.t_size : 1;
        tmap[opened] = (uint32_t *)malloc(t * sizeof(uint32_t));
        if (!tmap[opened]) {
            PyErr_NoMemory();
            opened++;
            goto done;
        }
        memset(tmap[opened], 0xFF, t * sizeof(uint32_t));
    }
    if (rb.len % 8 || n > 0xFFFFFFF0u) {
        PyErr_SetString(PyExc_ValueError, "reps must hold u32 pairs");
        goto done;
    }
    const uint8_t *reps = (const uint8_t *)rb.buf;
    for (size_t g = 0; g < n; g++) {
        uint32_t ci = rd32(reps + g * 8), m = rd32(reps + g * 8 + 4);
        if (ci >= (uint64_t)n_dex || m >= xs[ci].m_size) {
            PyErr_SetString(PyExc_ValueError, "representative out of range");
            goto done;
        }
    }
    /* the distinct (DEX, class type) of the nodes, in node order (so the first bad one is reported) */
    for (size_t g = 0; g < n; g++) {
        uint32_t ci = rd32(reps + g * 8), m = rd32(reps + g * 8 + 4);
        dexids_t *x = &xs[ci];
        uint32_t t = rd16(x->d.buf + x->m_off + (size_t)m * 8);
        if (dl_spent(&dl, 1)) {
            deadline_error();
            goto done;
        }
        if (t < x->d.t_size && tmap[ci][t] != 0xFFFFFFFFu) continue;
        const str_ref_t *s = type_ref(&x->d, t);
        if (!s) {
            PyErr_SetString(PyExc_ValueError, x->d.msg);
            goto done;
        }
        if (s->state != 1) declined = 1; /* the errors of later nodes are still reported */
        if (n_ents == cap_ents) {
            cap_ents = cap_ents ? cap_ents * 2 : 1024;
            cls_ent_t *q = (cls_ent_t *)realloc(ents, cap_ents * sizeof(cls_ent_t));
            if (!q) {
                PyErr_NoMemory();
                goto done;
            }
            ents = q;
        }
        ents[n_ents].p = s->ptr;
        ents[n_ents].len = s->len;
        ents[n_ents].ci = ci;
        ents[n_ents].tidx = t;
        n_ents++;
        tmap[ci][t] = 0;
    }
    if (declined) goto done;
    int merged = cls_ents_merge(ents, n_ents, n_dex);
    if (merged < 0) {
        PyErr_NoMemory();
        goto done;
    }
    if (!merged) qsort(ents, n_ents, sizeof(cls_ent_t), cls_ent_cmp);
    if (dl_spent(&dl, (uint64_t)n_ents * 16)) {
        deadline_error();
        goto done;
    }
    /* class flags go in the top byte of tmap (ranks < 2^24 since n_ents <= n; else declined) */
    if (n_ents >= (1u << 24)) {
        declined = 1;
        goto done;
    }
    uint32_t n_cls = 0;
    for (size_t i = 0; i < n_ents; i++) {
        const cls_ent_t *b = &ents[i];
        if (i) {
            const cls_ent_t *a = &ents[i - 1];
            int same = a->len == b->len && !memcmp(a->p, b->p, a->len);
            if (!same && a->len < b->len && !memcmp(a->p, b->p, a->len)) {
                declined = 1; /* a proper prefix */
                goto done;
            }
            if (!same) n_cls++;
        }
        uint32_t flag = 0;
        for (Py_ssize_t k = 0; k < n_pre && flag != 1; k++) {
            PyObject *po = PyTuple_GET_ITEM(prefixes, k);
            size_t pl = (size_t)PyBytes_GET_SIZE(po);
            const char *p = PyBytes_AS_STRING(po);
            if (pl <= b->len) {
                if (!memcmp(b->p, p, pl)) flag = 1;
            } else if (!memcmp(b->p, p, b->len)) {
                flag = 2;
            }
        }
        tmap[b->ci][b->tidx] = n_cls | (flag << 24);
    }
    ranks_o = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * 4));
    flags_o = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (!ranks_o || !flags_o) goto done;
    uint32_t *ranks = (uint32_t *)PyByteArray_AS_STRING(ranks_o);
    uint8_t *flags = (uint8_t *)PyByteArray_AS_STRING(flags_o);
    for (size_t g = 0; g < n; g++) {
        uint32_t ci = rd32(reps + g * 8), m = rd32(reps + g * 8 + 4);
        uint32_t v = tmap[ci][rd16(xs[ci].d.buf + xs[ci].m_off + (size_t)m * 8)];
        ranks[g] = v & 0xFFFFFFu;
        flags[g] = (uint8_t)(v >> 24);
    }
    res = PyTuple_Pack(2, ranks_o, flags_o);
done:
    if (declined && !PyErr_Occurred()) {
        res = Py_None;
        Py_INCREF(res);
    }
    for (Py_ssize_t k = 0; k < opened; k++) dexids_close(&xs[k]);
    if (tmap)
        for (Py_ssize_t k = 0; k < n_dex; k++) free(tmap[k]);
    free(tmap);
    free(xs);
    free(ents);
    Py_XDECREF(ranks_o);
    Py_XDECREF(flags_o);
    PyBuffer_Release(&rb);
    return res;
}

/* sort_nodes(dexes, reps, nodes) -> bytes | None
 * The node ids `nodes` (u32) sorted by descriptor (method_descs' strings of their representatives in `reps`, u32
 * pairs DEX number, method id), equal descriptors in input order: CallGraph.walk's order among callees of one
 * class. None when a descriptor is not pure ASCII (bytewise order is then not always Python's). ValueError for a
 * node or representative out of range and method_desc's messages, in input order. */
static int sort_nodes_cmp(const void *x, const void *y) {
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = rank_idx_cmp(x, y);
    if (c) return c;
    return i < j ? -1 : i > j;
}

static PyObject *dexscan_sort_nodes(PyObject *self, PyObject *args) {
    PyObject *dexes;
    Py_buffer rb, nb;
    if (!PyArg_ParseTuple(args, "O!y*y*", &PyList_Type, &dexes, &rb, &nb)) return NULL;
    Py_ssize_t n_dex = PyList_GET_SIZE(dexes);
    size_t n_reps = (size_t)rb.len / 8, cnt = (size_t)nb.len / 4;
    PyObject *res = NULL;
    dexids_t *xs = (dexids_t *)calloc(n_dex ? (size_t)n_dex : 1, sizeof(dexids_t));
    uint32_t *local = (uint32_t *)malloc((cnt ? cnt : 1) * sizeof(uint32_t));
    uint64_t *offs = (uint64_t *)malloc((cnt + 1) * sizeof(uint64_t));
    sbuf_t arena = {NULL, 0, 0}, tmp = {NULL, 0, 0};
    int declined = 0;
    if (!xs || !local || !offs) {
        PyErr_NoMemory();
        goto done;
    }
    if (rb.len % 8 || nb.len % 4) {
        PyErr_SetString(PyExc_ValueError, "reps must hold u32 pairs and nodes u32 values");
        goto done;
    }
    const uint8_t *reps = (const uint8_t *)rb.buf, *nodes = (const uint8_t *)nb.buf;
    offs[0] = 0;
    for (size_t i = 0; i < cnt; i++) {
        uint32_t g = rd32(nodes + i * 4);
        if (g >= n_reps) {
            PyErr_SetString(PyExc_ValueError, "node out of range");
            goto done;
        }
        uint32_t ci = rd32(reps + (size_t)g * 8), m = rd32(reps + (size_t)g * 8 + 4);
        if (ci < (uint64_t)n_dex && !xs[ci].has_view) { /* a DEX's tables opened on first use (a call is per class) */
            if (dexids_open(PyList_GET_ITEM(dexes, ci), &xs[ci])) goto done;
        }
        if (ci >= (uint64_t)n_dex || m >= xs[ci].m_size) {
            PyErr_SetString(PyExc_ValueError, "representative out of range");
            goto done;
        }
        int ascii = desc_build(&xs[ci].d, xs[ci].m_off, m, NULL, NULL, &tmp, 0);
        if (ascii == -2) {
            PyErr_NoMemory();
            goto done;
        }
        if (ascii < 0) {
            PyErr_SetString(PyExc_ValueError, xs[ci].d.msg);
            goto done;
        }
        if (!ascii) declined = 1;
        if (sb_reserve(&arena, tmp.len)) {
            PyErr_NoMemory();
            goto done;
        }
        sb_put(&arena, tmp.p, tmp.len);
        offs[i + 1] = arena.len;
        local[i] = (uint32_t)i;
    }
    if (declined) goto done;
    rank_ctx.arena = arena.p;
    rank_ctx.offs = offs;
    qsort(local, cnt, sizeof(uint32_t), sort_nodes_cmp);
    res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(cnt * 4));
    if (res) {
        uint8_t *out = (uint8_t *)PyBytes_AS_STRING(res);
        for (size_t i = 0; i < cnt; i++) memcpy(out + i * 4, nodes + (size_t)local[i] * 4, 4);
    }
done:
    if (declined && !PyErr_Occurred()) {
        res = Py_None;
        Py_INCREF(res);
    }
    if (xs)
        for (Py_ssize_t k = 0; k < n_dex; k++) dexids_close(&xs[k]);
    free(xs);
    free(local);
    free(offs);
    free(arena.p);
    free(tmp.p);
    PyBuffer_Release(&rb);
    PyBuffer_Release(&nb);
    return res;
}

static PyObject *dexscan_max_item(PyObject *self, PyObject *args) {
    Py_buffer b;
    int itemsize;
    if (!PyArg_ParseTuple(args, "y*i", &b, &itemsize)) return NULL;
    PyObject *res = NULL;
    if ((itemsize != 2 && itemsize != 4) || b.len % itemsize) {
        PyErr_SetString(PyExc_ValueError, "itemsize must be 2 or 4 and divide the length");
        goto done;
    }
    const uint8_t *p = (const uint8_t *)b.buf;
    size_t n = (size_t)b.len / (size_t)itemsize;
    uint32_t best = 0;
    if (itemsize == 4) {
        for (size_t i = 0; i < n; i++) {
            uint32_t v = rd32(p + i * 4);
            if (v > best) best = v;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t v = (uint32_t)p[i * 2] | ((uint32_t)p[i * 2 + 1] << 8);
            if (v > best) best = v;
        }
    }
    res = PyLong_FromUnsignedLong(best);
done:
    PyBuffer_Release(&b);
    return res;
}

/* column(buf, off, count, stride, pos, size) -> (bytes, max)
 * One column of a table of `count` rows of `stride` bytes at `off` of `buf`: the `size` bytes (2 or 4) at `pos` of
 * each row, copied in row order (the bytes as they are: a u16/u32 array's frombytes reads them), and the largest of
 * them read as unsigned little-endian (0 when count is 0). What `array(...).frombytes(buf[off : off + count *
 * stride])[pos // size :: stride // size]` gives, with max_item of it, in one pass and no stepped slice (a memcpy per
 * item). ValueError for a layout other than 0 <= pos, pos + size <= stride, size 2 or 4, off >= 0, count >= 0, or
 * rows past the end of buf (count 0: b"" and 0 wherever off is). Twin: pywalk.column. */
static PyObject *dexscan_column(PyObject *self, PyObject *args) {
    Py_buffer b;
    Py_ssize_t off, count, stride, pos, size;
    if (!PyArg_ParseTuple(args, "y*nnnnn", &b, &off, &count, &stride, &pos, &size)) return NULL;
    PyObject *out = NULL, *res = NULL;
    if ((size != 2 && size != 4) || pos < 0 || stride < 1 || pos > stride - size || off < 0 || count < 0) {
        PyErr_SetString(PyExc_ValueError, "bad column layout");
        goto done;
    }
    if (count && ((size_t)count > (size_t)PY_SSIZE_T_MAX / (size_t)stride || off > b.len ||
                  count * stride > b.len - off)) {
        PyErr_SetString(PyExc_ValueError, "column rows run past the end of the buffer");
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, count * size);
    if (!out) goto done;
    const uint8_t *p = (const uint8_t *)b.buf + (count ? off + pos : 0);
    uint8_t *q = (uint8_t *)PyBytes_AS_STRING(out);
    uint32_t best = 0;
    size_t n = (size_t)count, st = (size_t)stride;
    if (size == 4) {
        for (size_t i = 0; i < n; i++, p += st, q += 4) {
            memcpy(q, p, 4);
            uint32_t v = rd32(p);
            best = v > best ? v : best;
        }
    } else {
        for (size_t i = 0; i < n; i++, p += st, q += 2) {
            memcpy(q, p, 2);
            uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8);
            best = v > best ? v : best;
        }
    }
    res = Py_BuildValue("(Ok)", out, (unsigned long)best);
done:
    Py_XDECREF(out);
    PyBuffer_Release(&b);
    return res;
}

/* find_types(buf, string_ids_off, string_ids_size, type_ids_off, type_ids_size, keys) -> list[int]
 * The type index of each descriptor of `keys` (a list of ASCII bytes, or None), as DexFile.find_type answers it:
 * the string's binary search of find_strings, then a bisect_left of that string id in the type_ids column
 * (u32, the table's order as stored, sorted or not) and a check of the item found; -1 when either is absent, -2
 * for a None key (the caller asks DexFile.find_type: a non-ASCII key compares UTF-16 code units). One call per
 * DEX for a query's classes instead of a Python lookup each (most classes of a query are absent from most DEX
 * files of a multidex app). ValueError when a table is out of bounds. */
static PyObject *dexscan_find_types(PyObject *self, PyObject *args) {
    Py_buffer view;
    unsigned long s_off, s_size, t_off, t_size;
    PyObject *keys;
    if (!PyArg_ParseTuple(args, "y*kkkkO!", &view, &s_off, &s_size, &t_off, &t_size, &PyList_Type, &keys))
        return NULL;
    const uint8_t *buf = (const uint8_t *)view.buf;
    size_t size = (size_t)view.len;
    PyObject *result = NULL;
    if ((uint64_t)s_off + (uint64_t)s_size * 4 > size) {
        PyErr_SetString(PyExc_ValueError, "string_ids out of bounds");
        goto done;
    }
    if ((uint64_t)t_off + (uint64_t)t_size * 4 > size) {
        PyErr_SetString(PyExc_ValueError, "type_ids out of bounds");
        goto done;
    }
    Py_ssize_t nk = PyList_GET_SIZE(keys);
    result = PyList_New(nk);
    if (!result) goto done;
    for (Py_ssize_t k = 0; k < nk; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        long found = -1;
        if (key == Py_None) {
            found = -2;
        } else if (!PyBytes_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "keys must be bytes or None");
            Py_CLEAR(result);
            goto done;
        } else {
            long sidx = string_index(buf, size, s_off, (uint32_t)s_size, PyBytes_AS_STRING(key),
                                     (size_t)PyBytes_GET_SIZE(key));
            if (sidx >= 0) {
                uint32_t want = (uint32_t)sidx, tlo = 0, thi = (uint32_t)t_size;
                while (tlo < thi) { /* bisect_left */
                    uint32_t mid = tlo + (thi - tlo) / 2;
                    if (rd32(buf + t_off + (size_t)mid * 4) < want) tlo = mid + 1;
                    else thi = mid;
                }
                if (tlo < t_size && rd32(buf + t_off + (size_t)tlo * 4) == want) found = (long)tlo;
            }
        }
        PyObject *v = PyLong_FromLong(found);
        if (!v) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, k, v);
    }
done:
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"max_item", dexscan_max_item, METH_VARARGS, "Largest unsigned little-endian u16/u32 item of a buffer."},
    {"scan", dexscan_scan, METH_VARARGS, "Walk class data and code items; return packed method and event records."},
    {"select", dexscan_select, METH_VARARGS, "Indices of events of one kind whose idx is set in a bitmap."},
    {"record_of", dexscan_record_of, METH_VARARGS, "The method record holding an event (bisection over ev_start)."},
    {"nondecreasing", dexscan_nondecreasing, METH_VARARGS, "Whether one column of packed u32 records never decreases."},
    {"class_map", dexscan_class_map, METH_VARARGS, "Class descriptor -> (DEX, class def) of its first definition."},
    {"rpartition_heads", dexscan_rpartition_heads, METH_VARARGS, "name.rpartition(sep)[0] of each name, shared."},
    {"event_index", dexscan_event_index, METH_VARARGS, "Inverted indexes (events grouped by idx) of some kinds of events."},
    {"find_substrings", dexscan_find_substrings, METH_VARARGS,
     "Strings containing any of the needles (needles bucketed by first byte, each string read once)."},
    {"validate", dexscan_validate, METH_VARARGS, "Check string data and proto parameter lists up front."},
    {"find_strings", dexscan_find_strings, METH_VARARGS, "Binary search of ASCII keys in the sorted string ids."},
    {"method_descs", dexscan_method_descs, METH_VARARGS, "Descriptors of every method id (None if not ASCII)."},
    {"type_descs", dexscan_type_descs, METH_VARARGS, "Descriptors of every type id (None if not ASCII)."},
    {"invoked_ids", dexscan_invoked_ids, METH_VARARGS, "Distinct method ids invoked with one of the opcodes."},
    {"call_edges", dexscan_call_edges, METH_VARARGS, "Call-graph edges (src, dst) of one DEX as u32 pairs."},
    {"hierarchy_extras", dexscan_hierarchy_extras, METH_VARARGS, "Class-hierarchy targets of virtual calls."},
    {"subtype_masks", dexscan_subtype_masks, METH_VARARGS, "Base-type bits every app class reaches."},
    {"intern_methods", dexscan_intern_methods, METH_VARARGS, "First-seen node ids of one DEX's method ids, no strings."},
    {"find_methods", dexscan_find_methods, METH_VARARGS, "Method ids of a range whose descriptor is an ASCII key."},
    {"method_desc", dexscan_method_desc, METH_VARARGS, "One method id's descriptor (None if not ASCII)."},
    {"method_descs_at", dexscan_method_descs_at, METH_VARARGS, "method_desc of each of a list of method ids."},
    {"field_desc", dexscan_field_desc, METH_VARARGS, "One field id's descriptor (None if not ASCII)."},
    {"build_csr", dexscan_build_csr, METH_VARARGS, "Adjacency (offsets, targets) of u32 edge pairs."},
    {"bfs", dexscan_bfs, METH_VARARGS, "Breadth-first search over an adjacency with zero-cost virtual nodes."},
    {"reverse_csr", dexscan_reverse_csr, METH_VARARGS, "The reversed adjacency of a build_csr adjacency."},
    {"class_ranks", dexscan_class_ranks, METH_VARARGS, "Class-descriptor rank and prefix flag of every node."},
    {"sort_nodes", dexscan_sort_nodes, METH_VARARGS, "Node ids sorted by descriptor (ASCII only)."},
    {"column", dexscan_column, METH_VARARGS, "One u16/u32 column of a table of rows, and its largest item."},
    {"find_types", dexscan_find_types, METH_VARARGS, "Type indices of ASCII descriptors (find_type per key)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_dexscan", "C walker for appwarden.dex.", -1, methods};

PyMODINIT_FUNC PyInit__dexscan(void) { return PyModule_Create(&module); }
