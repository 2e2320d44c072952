/* _flow: C kernels of the screening stage's data-flow walk (appwarden.screening.flow, issue #19).
 *
 * The walk's pure-Python twin is FlowAnalysis's own walk over tuple programs (FlowAnalysis._program and the loop in
 * FlowAnalysis.analyse); tests/screening/test_flow_walk_twin.py compares the analyses of both (and the walk they
 * replaced) on the fixture apps, fuzzed bytecode and synthetic methods. flow.py uses the Python walk when this
 * extension is not built or APPWARDEN_DEX_BACKEND=python. Every read of the code is checked against the buffer's
 * length and every register index against the register array (the code comes from hostile DEX files).
 *
 *   decode  a method's instructions as the walk's entries: 8 int32 words each, names resolved through the
 *           analysis's table of resolved names (a Python callback for a new one); with the optional `tables`,
 *           the names whose constant the DEX's id tables decide alone are resolved in C (see name_tables below)
 *   walk    the two walks of FlowAnalysis.analyse over decoded entries (register label sets are Python objects,
 *           built by the same set operations in the same order as in Python: their iteration order is part of the
 *           result). Handed back to Python callbacks: invokes that read a source, that may be a sink or an Intent /
 *           AsyncTask hop with private data going in, or that call an app method with private data in (unless its
 *           walk with those labels is memoised with no effect but its returns) or out; field reads of fields
 *           holding private data or of labelled objects, field writes of labelled values.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../dex/_dexbytes.h" /* rd16, rd32, uleb */

/* entry kinds: the order of flow._P_* */
enum {
    P_INVOKE,
    P_SET,
    P_BRANCH,
    P_GET,
    P_COPY,
    P_MOVE_RESULT,
    P_PUT,
    P_UNION,
    P_MOVE_OBJECT,
    P_RETURN,
    P_APUT,
    P_FILLED,
    P_NOP,
};
/* opcode kinds: the order of flow._K_* */
enum {
    K_OTHER,
    K_BRANCH,
    K_MOVE_OBJECT,
    K_MOVE_12X,
    K_MOVE_22X,
    K_MOVE_32X,
    K_MOVE_RESULT,
    K_RETURN,
    K_CLEAR,
    K_CONST_STRING,
    K_CONST_CLASS,
    K_CLEAR_A,
    K_UNOP,
    K_BINOP_2ADDR,
    K_BINOP_LIT16,
    K_BINOP_LIT8,
    K_BINOP,
    K_CMP,
    K_AGET,
    K_APUT,
    K_GET,
    K_PUT,
    K_FILLED,
    K_INVOKE,
};
#define W 8 /* words per entry */
/* P_SET's third word before the names are resolved: what the second word holds */
#define SET_CONST 0
#define SET_STRING 1
#define SET_TYPE 2
/* P_INVOKE flags (third word, after resolution) */
#define F_SOURCE 1
#define F_NET 2
#define F_APP 4
#define F_APPX 8     /* an app method, not a class initialiser (the handler walks it) */
#define F_CARRIER 16 /* a constructor, or a method of a class whose receiver takes its arguments' labels */
#define F_INIT 32    /* a constructor */
#define F_PLAIN 64   /* a framework callee that is no sink, starts no component and runs no AsyncTask (with
                      * F_MAYSINK: a sink only as a write into a network stream, a receiver holding "net"); with
                      * F_APPX: an app callee whose name is no sink's and no hop's */
#define F_MAYSINK 128 /* a callee FlowAnalysis._check_sink may find a sink at (by its class and name) */

static inline unsigned u16at(const uint8_t *d, Py_ssize_t p) { return (unsigned)d[p] | ((unsigned)d[p + 1] << 8); }

static inline int32_t s32at(const uint8_t *d, Py_ssize_t p) {
    uint32_t v = (uint32_t)u16at(d, p) | ((uint32_t)u16at(d, p + 2) << 16);
    return (int32_t)v;
}

typedef struct {
    int32_t *w;
    Py_ssize_t n, cap;
} ivec;

static int ivec_push(ivec *v, int32_t x) {
    if (v->n == v->cap) {
        Py_ssize_t cap = v->cap ? v->cap * 2 : 256;
        int32_t *w = realloc(v->w, (size_t)cap * sizeof(int32_t));
        if (!w) {
            PyErr_NoMemory();
            return -1;
        }
        v->w = w;
        v->cap = cap;
    }
    v->w[v->n++] = x;
    return 0;
}

static int push_entry(ivec *v, int32_t k, int32_t here, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e,
                      int32_t f) {
    int32_t x[W] = {k, here, a, b, c, d, e, f};
    for (int i = 0; i < W; i++)
        if (ivec_push(v, x[i]) < 0)
            return -1;
    return 0;
}

/* the width of the instruction at byte p (regs._payload_width for op 0, else the table) */
static Py_ssize_t width_at(const uint8_t *d, Py_ssize_t p, unsigned op, unsigned b1, Py_ssize_t remaining,
                           const uint8_t *widths) {
    if (op != 0)
        return widths[op];
    if (b1 == 1 && remaining >= 4)
        return 4 + (Py_ssize_t)u16at(d, p + 2) * 2;
    if (b1 == 2 && remaining >= 2)
        return 2 + (Py_ssize_t)u16at(d, p + 2) * 4;
    if (b1 == 3 && remaining >= 4) {
        uint64_t ew = u16at(d, p + 2);
        uint64_t n = (uint64_t)u16at(d, p + 4) | ((uint64_t)u16at(d, p + 6) << 16);
        uint64_t w = (ew * n + 1) / 2 + 4;
        return w > (uint64_t)PY_SSIZE_T_MAX / 4 ? PY_SSIZE_T_MAX / 4 : (Py_ssize_t)w;
    }
    return 1;
}

static int32_t branch_delta(const uint8_t *d, Py_ssize_t p, unsigned op, unsigned b1) {
    if (op == 0x28)
        return (b1 & 0x80) ? (int32_t)b1 - 256 : (int32_t)b1;
    if (op == 0x2A)
        return s32at(d, p + 2);
    return (int16_t)u16at(d, p + 2);
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static int is_target(const int32_t *t, Py_ssize_t n, int32_t pc) {
    return bsearch(&pc, t, (size_t)n, sizeof(int32_t), cmp_i32) != NULL;
}

/* the highest register an argument list names (count, word, range) */
static int64_t list_max(int32_t count, int32_t word, int32_t range) {
    if (count <= 0)
        return -1;
    if (range)
        return (int64_t)word + count - 1;
    int64_t m = -1;
    for (int i = 0; i < count && i < 5; i++) {
        int64_t r = i < 4 ? (word >> (4 * i)) & 0xF : (word >> 16) & 0xF;
        if (r > m)
            m = r;
    }
    return m;
}

static inline int32_t list_reg(int32_t word, int32_t range, int i) {
    if (range)
        return word + i;
    return i < 4 ? (word >> (4 * i)) & 0xF : (word >> 16) & 0xF;
}

/* decode(data, start, insns_size, this, kinds, widths, names, resolve) -> (entries, registers)
 * FlowAnalysis._program's entries for the code units at byte `start` (see flow.py), 8 native int32 words each:
 * [kind, pc, a, b, c, d, e, f], with every name resolved into an index of the analysis's constants but a field
 * write's (P_PUT: b = the field id, resolved by the walk's put_cb when a labelled value is written). The entries
 * naming a method, field, string or type (P_INVOKE: b = method id, c = byte offset; P_SET with c = 1: b = string
 * id, c = 2: b = type id; P_GET: b = field id) are looked up in `names` (a dict {kind << 33 | c << 32 | id:
 * (constant index + 2) << 8 | flags}, c 0 but for P_SET); on a miss, or a constant index of -2 (a query resolved
 * per call site), resolve(key, kind, c, id, byte offset) -> the same packed int gives it (and fills `names`).
 * Then b = the constant index (-1: the name does not resolve), and for P_INVOKE / P_SET c = the flags.
 * Argument lists (P_INVOKE, P_FILLED): d = count, e = the packed 35c nibbles (CDEF in the low 16 bits, G in
 * bits 16-19) or the first register of a range, f = range (P_INVOKE: | 2 for invoke-static).
 * `registers`: one past the highest register named. ValueError when the code does not lie in `data`. */

/* ---- names resolved from the id tables (decode's optional `tables`) -------------------------------------------
 *
 * FlowAnalysis._resolver's answer for two kinds of names depends only on bytes of the DEX and on two per-scan
 * facts, so decode gives it itself, without a callback and without making the name as a str:
 *   - an invoke of a framework callee whose name no fact table of flow.py holds (`special`: every name of a source,
 *     query, sink, network stream, hop, write and connect table): the flags F_PLAIN, plus F_CARRIER | F_INIT for
 *     a constructor and F_CARRIER for a class under a carrier prefix, and a shared constant (the walk reads
 *     nothing of a plain framework callee's constant but that it is a tuple);
 *   - a const-string no label test of flow._const_labels can match (pure ASCII, no '@', no ':', no "SEND", and its
 *     first character after the whitespace str.strip() removes is no digit and no '+'): a shared empty constant.
 * Anything else (an app-defined class: `classes` holds it; a class holding '(' or '>', a name holding '(': flow.py
 * splits the descriptor at the first "(" and "->"; a string that is
 * not pure ASCII; any table or index out of bounds; a descriptor method_desc would not give) is left to the
 * callback, as before. The per-DEX caches (`type_state`, `str_state`: one byte per type / string id, kept by the
 * caller across decodes) remember each type's and name's verdict. The Python twin is flow._table_const; the tests
 * compare them (tests/screening/test_flow_name_tables.py). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* the header's csr_error is _reach's */
#endif
#include "../dex/_dexdesc.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

enum { TS_UNKNOWN, TS_DEFER, TS_CARRIER, TS_PLAIN }; /* type_state: app-defined (or odd) / framework */
enum { SS_UNKNOWN, SS_DEFER, SS_INIT, SS_PLAIN };    /* str_state as a method name: special (or odd) / <init> */
enum { SS_EMPTY = 4, SS_LABEL = 8 };                  /* str_state as a const-string: no label / maybe one (bits) */

typedef struct {
    int on;
    Py_buffer idb; /* the id tables' buffer (id_table_args: the DEX up to its container size) */
    descs_t d;
    unsigned long m_off, m_size;
    uint8_t *type_state, *str_state; /* writable caches of t_size / s_size bytes */
    Py_buffer tsb, ssb;
    PyObject *classes, *special, *carriers;
    long long plain_packed, empty_packed; /* (shared constant index + 2) << 8 of each */
} name_tables;

static void tables_close(name_tables *t) {
    if (t->idb.obj)
        PyBuffer_Release(&t->idb);
    if (t->tsb.obj)
        PyBuffer_Release(&t->tsb);
    if (t->ssb.obj)
        PyBuffer_Release(&t->ssb);
}

/* Parse `tables`: (ids, type_state, str_state, classes, special, carriers, plain index, empty index), ids as
 * id_table_args(dex, methods=True) gives them. 0 ok (t->on 0 when the tables are unusable: every name then goes to
 * the callback), -1 with an exception on a bad argument. */
static int tables_open(PyObject *arg, name_tables *t) {
    memset(t, 0, sizeof *t);
    if (arg == Py_None)
        return 0;
    PyObject *ids;
    Py_ssize_t plain, empty;
    if (!PyArg_ParseTuple(arg, "O!w*w*OO!O!nn;decode: tables", &PyTuple_Type, &ids, &t->tsb, &t->ssb, &t->classes,
                          &PyFrozenSet_Type, &t->special, &PyTuple_Type, &t->carriers, &plain, &empty))
        return -1;
    if (!PyArg_ParseTuple(ids, "y*kkkkkkkk;decode: id tables", &t->idb, &t->d.s_off, &t->d.s_size, &t->d.t_off,
                          &t->d.t_size, &t->d.p_off, &t->d.p_size, &t->m_off, &t->m_size))
        return -1;
    if (plain < 0 || empty < 0 || plain > INT32_MAX - 2 || empty > INT32_MAX - 2) {
        PyErr_SetString(PyExc_ValueError, "decode: bad shared constants");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t->carriers); i++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(t->carriers, i))) {
            PyErr_SetString(PyExc_TypeError, "decode: carrier prefixes must be bytes");
            return -1;
        }
    t->d.buf = (const uint8_t *)t->idb.buf;
    t->d.size = (size_t)t->idb.len;
    t->d.types = NULL;
    t->d.lens = NULL;
    if ((size_t)t->tsb.len < t->d.t_size || (size_t)t->ssb.len < t->d.s_size) {
        PyErr_SetString(PyExc_ValueError, "decode: caches smaller than the id tables");
        return -1;
    }
    t->type_state = (uint8_t *)t->tsb.buf;
    t->str_state = (uint8_t *)t->ssb.buf;
    t->plain_packed = (long long)(plain + 2) << 8;
    t->empty_packed = (long long)(empty + 2) << 8;
    t->on = descs_tables_ok(&t->d, t->m_off, t->m_size) == 0;
    return 0;
}

static int has_byte(const str_ref_t *r, const char *set) {
    for (uint32_t i = 0; i < r->len; i++)
        if (strchr(set, r->ptr[i]) && r->ptr[i])
            return 1;
    return 0;
}

/* A pure-ASCII string's str, or NULL with an exception. */
static PyObject *ascii_str(const str_ref_t *r) {
    PyObject *s = PyUnicode_New((Py_ssize_t)r->len, 127);
    if (s)
        memcpy(PyUnicode_1BYTE_DATA(s), r->ptr, r->len);
    return s;
}

/* The verdict on type `tidx` as an invoke's class: TS_DEFER, TS_CARRIER, TS_PLAIN; -1 with an exception. */
static int type_verdict(name_tables *t, uint32_t tidx) {
    uint8_t *st = &t->type_state[tidx];
    if (*st)
        return *st;
    str_ref_t tmp;
    const str_ref_t *r = type_ref_at(&t->d, tidx, &tmp);
    int v = TS_DEFER;
    if (r && r->state == 1 && !has_byte(r, "(>")) {
        PyObject *s = ascii_str(r);
        if (!s)
            return -1;
        int in = PySequence_Contains(t->classes, s);
        Py_DECREF(s);
        if (in < 0)
            return -1;
        if (!in) {
            v = TS_PLAIN;
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t->carriers) && v == TS_PLAIN; i++) {
                PyObject *c = PyTuple_GET_ITEM(t->carriers, i);
                Py_ssize_t n = PyBytes_GET_SIZE(c);
                if ((Py_ssize_t)r->len >= n && memcmp(r->ptr, PyBytes_AS_STRING(c), (size_t)n) == 0)
                    v = TS_CARRIER;
            }
        }
    }
    *st = (uint8_t)v;
    return v;
}

/* The verdict on string `sidx` as a method name: SS_DEFER, SS_INIT, SS_PLAIN; -1 with an exception. */
static int name_verdict(name_tables *t, uint32_t sidx) {
    uint8_t *st = &t->str_state[sidx];
    if (*st & 3)
        return *st & 3;
    str_ref_t r;
    int v = SS_DEFER;
    if (string_ref(t->d.buf, t->d.size, t->d.s_off, sidx, &r) == 0 && r.state == 1 && !has_byte(&r, "(")) {
        if (r.len == 6 && memcmp(r.ptr, "<init>", 6) == 0)
            v = SS_INIT;
        else {
            PyObject *s = ascii_str(&r);
            if (!s)
                return -1;
            int in = PySet_Contains(t->special, s);
            Py_DECREF(s);
            if (in < 0)
                return -1;
            v = in ? SS_DEFER : SS_PLAIN;
        }
    }
    *st = (uint8_t)((*st & ~3) | v);
    return v;
}

/* The packed constant of invoke `midx` when the tables decide it, 0 when the callback must; -1 with an exception. */
static long long invoke_from_tables(name_tables *t, uint32_t midx) {
    if (midx >= t->m_size)
        return 0;
    const uint8_t *mid = t->d.buf + t->m_off + (size_t)midx * 8;
    uint32_t cls_idx = rd16(mid), name_idx = rd32(mid + 4);
    if (cls_idx >= t->d.t_size || name_idx >= t->d.s_size)
        return 0;
    int tv = type_verdict(t, cls_idx);
    if (tv <= TS_DEFER)
        return tv < 0 ? -1 : 0;
    int nv = name_verdict(t, name_idx);
    if (nv <= SS_DEFER)
        return nv < 0 ? -1 : 0;
    /* the descriptor method_desc gives must exist and be pure ASCII (else the callback: its own answer) */
    if (desc_build(&t->d, t->m_off, midx, NULL, NULL, NULL, 0) != 1)
        return 0;
    long long flags = F_PLAIN;
    if (nv == SS_INIT)
        flags |= F_CARRIER | F_INIT;
    else if (tv == TS_CARRIER)
        flags |= F_CARRIER;
    return t->plain_packed | flags;
}

static inline int is_strip_space(uint8_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F); }

/* The packed constant of const-string `sidx` when the tables decide it (no label), 0 when the callback must. */
static long long string_from_tables(name_tables *t, uint32_t sidx) {
    if (sidx >= t->d.s_size)
        return 0;
    uint8_t *st = &t->str_state[sidx];
    if (!(*st & (SS_EMPTY | SS_LABEL))) {
        str_ref_t r;
        int empty = 0;
        if (string_ref(t->d.buf, t->d.size, t->d.s_off, sidx, &r) == 0 && r.state == 1 && !has_byte(&r, "@:")) {
            empty = 1;
            for (uint32_t i = 0; i + 4 <= r.len && empty; i++)
                empty = memcmp(r.ptr + i, "SEND", 4) != 0;
            uint32_t i = 0;
            while (i < r.len && is_strip_space(r.ptr[i]))
                i++;
            if (i < r.len && ((r.ptr[i] >= '0' && r.ptr[i] <= '9') || r.ptr[i] == '+'))
                empty = 0;
        }
        *st |= empty ? SS_EMPTY : SS_LABEL;
    }
    return (*st & SS_EMPTY) ? t->empty_packed : 0;
}

static PyObject *decode(PyObject *self, PyObject *args) {
    Py_buffer db, kb, wb;
    Py_ssize_t start, insns_size;
    int this_reg;
    PyObject *known, *resolve, *tables_arg = Py_None;
    if (!PyArg_ParseTuple(args, "y*nniy*y*O!O|O", &db, &start, &insns_size, &this_reg, &kb, &wb, &PyDict_Type,
                          &known, &resolve, &tables_arg))
        return NULL;
    PyObject *result = NULL;
    name_tables tables;
    if (tables_open(tables_arg, &tables) < 0) {
        tables_close(&tables);
        PyBuffer_Release(&db);
        PyBuffer_Release(&kb);
        PyBuffer_Release(&wb);
        return NULL;
    }
    ivec out = {0}, names = {0}, starts = {0}, targets = {0};
    const uint8_t *d = db.buf, *kinds = kb.buf, *widths = wb.buf;
    if (kb.len < 256 || wb.len < 256 || start < 0 || insns_size < 0 || insns_size > (1 << 24) ||
        start > db.len || insns_size * 2 > db.len - start) {
        PyErr_SetString(PyExc_ValueError, "decode: code outside the buffer or bad tables");
        goto done;
    }
    /* pass 1: instruction starts (stopping where the walk stops) and branch targets */
    Py_ssize_t pc = 0;
    while (pc < insns_size) {
        Py_ssize_t p = start + pc * 2;
        unsigned op = d[p], b1 = d[p + 1];
        Py_ssize_t remaining = insns_size - pc;
        Py_ssize_t width = width_at(d, p, op, b1, remaining, widths);
        if (width > remaining || width == 0)
            break;
        if (ivec_push(&starts, (int32_t)pc) < 0)
            goto done;
        if (kinds[op] == K_BRANCH) {
            int64_t t = (int64_t)pc + branch_delta(d, p, op, b1);
            if (t >= INT32_MIN && t <= INT32_MAX && ivec_push(&targets, (int32_t)t) < 0)
                goto done;
        }
        pc += width;
    }
    if (targets.n)
        qsort(targets.w, (size_t)targets.n, sizeof(int32_t), cmp_i32);
    /* pass 2: entries */
    int64_t maxreg = -1;
    int fold = 0;
    unsigned prev_kind = K_OTHER;
#define REG(r)                                                                                                   \
    do {                                                                                                         \
        if ((int64_t)(r) > maxreg)                                                                               \
            maxreg = (r);                                                                                        \
    } while (0)
#define PUSH(k, a, b, c, dd, e, f)                                                                               \
    do {                                                                                                         \
        if (push_entry(&out, k, here, a, b, c, dd, e, f) < 0)                                                    \
            goto done;                                                                                           \
    } while (0)
#define NAMED()                                                                                                  \
    do {                                                                                                         \
        if (ivec_push(&names, (int32_t)out.n) < 0)                                                               \
            goto done;                                                                                           \
    } while (0)
    for (Py_ssize_t i = 0; i < starts.n; i++) {
        int32_t here = starts.w[i];
        Py_ssize_t p = start + (Py_ssize_t)here * 2;
        unsigned op = d[p], b1 = d[p + 1];
        unsigned kind = kinds[op];
        unsigned lo = b1 & 0xF, hi = b1 >> 4;
        switch (kind) {
        case K_MOVE_RESULT:
            if (fold) {
                fold = 0;
                prev_kind = kind;
                continue;
            }
            REG(b1);
            PUSH(P_MOVE_RESULT, (int32_t)b1, prev_kind == K_INVOKE || prev_kind == K_FILLED, 0, 0, 0, 0);
            break;
        case K_INVOKE:
        case K_FILLED: {
            int range = (op >= 0x74 && op <= 0x78) || op == 0xFB || op == 0xFD || op == 0x25;
            unsigned low = u16at(d, p + 4);
            int32_t count = range ? (int32_t)b1 : (int32_t)hi;
            int32_t word = range ? (int32_t)low : (int32_t)(low | (lo << 16));
            if (!range && count > 5)
                count = 5; /* invoke_arg_registers: min(count, 5) */
            int64_t m = list_max(count, word, range);
            if (m >= 0)
                REG(m);
            if (kind == K_FILLED) {
                PUSH(P_FILLED, count, word, range, 0, 0, 0);
                break;
            }
            int32_t dest = -1;
            if (i + 1 < starts.n && kinds[d[start + (Py_ssize_t)starts.w[i + 1] * 2]] == K_MOVE_RESULT &&
                !is_target(targets.w, targets.n, starts.w[i + 1])) {
                dest = d[start + (Py_ssize_t)starts.w[i + 1] * 2 + 1];
                REG(dest);
                fold = 1;
            }
            NAMED();
            int is_static = op == 0x71 || op == 0x77; /* OP_INVOKE_STATIC */
            PUSH(P_INVOKE, dest, (int32_t)u16at(d, p + 2), (int32_t)p, count, word, range | (is_static << 1));
            break;
        }
        case K_BRANCH: {
            int64_t target = (int64_t)here + branch_delta(d, p, op, b1);
            if (here < target && target < insns_size)
                PUSH(P_BRANCH, (int32_t)target, 1, 0, 0, 0, 0);
            else if (0 <= target && target < here)
                PUSH(P_BRANCH, (int32_t)target, 0, 0, 0, 0, 0);
            else if (is_target(targets.w, targets.n, here))
                PUSH(P_NOP, 0, 0, 0, 0, 0, 0);
            break;
        }
        case K_CLEAR: {
            unsigned r = op == 0x12 ? lo : b1;
            REG(r);
            PUSH(P_SET, (int32_t)r, -1, SET_CONST, 0, 0, 0);
            break;
        }
        case K_GET:
        case K_PUT: {
            int inst = kind == K_GET ? (op >= 0x52 && op <= 0x58) : (op >= 0x59 && op <= 0x5F);
            unsigned r = inst ? lo : b1;
            REG(r);
            int32_t obj = -1;
            if (inst) {
                REG(hi);
                obj = (int32_t)hi;
                if (kind == K_PUT && obj == this_reg)
                    obj = -1;
            }
            if (kind == K_GET) /* a write's field is resolved by put_cb, only when a labelled value is written */
                NAMED();
            PUSH(kind == K_GET ? P_GET : P_PUT, (int32_t)r, (int32_t)u16at(d, p + 2), obj, 0, 0, 0);
            break;
        }
        case K_CONST_STRING: {
            REG(b1);
            int32_t idx = op == 0x1A ? (int32_t)u16at(d, p + 2) : s32at(d, p + 2);
            NAMED();
            PUSH(P_SET, (int32_t)b1, idx, SET_STRING, 0, 0, 0);
            break;
        }
        case K_CONST_CLASS:
            REG(b1);
            NAMED();
            PUSH(P_SET, (int32_t)b1, (int32_t)u16at(d, p + 2), SET_TYPE, 0, 0, 0);
            break;
        case K_MOVE_12X:
        case K_UNOP:
        case K_BINOP_LIT16:
            REG(b1 & 0xF);
            REG(hi);
            PUSH(P_COPY, (int32_t)lo, (int32_t)hi, 0, 0, 0, 0);
            break;
        case K_MOVE_22X: {
            unsigned s = u16at(d, p + 2);
            REG(b1);
            REG(s);
            PUSH(P_COPY, (int32_t)b1, (int32_t)s, 0, 0, 0, 0);
            break;
        }
        case K_MOVE_32X: {
            unsigned a = u16at(d, p + 2), s = u16at(d, p + 4);
            REG(a);
            REG(s);
            PUSH(P_COPY, (int32_t)a, (int32_t)s, 0, 0, 0, 0);
            break;
        }
        case K_AGET:
        case K_BINOP_LIT8:
            REG(b1);
            REG(d[p + 2]);
            PUSH(P_COPY, (int32_t)b1, (int32_t)d[p + 2], 0, 0, 0, 0);
            break;
        case K_MOVE_OBJECT: {
            unsigned a, s;
            if (op == 0x07) {
                a = lo;
                s = hi;
            } else if (op == 0x08) {
                a = b1;
                s = u16at(d, p + 2);
            } else {
                a = u16at(d, p + 2);
                s = u16at(d, p + 4);
            }
            REG(a);
            REG(s);
            PUSH(P_MOVE_OBJECT, (int32_t)a, (int32_t)s, 0, 0, 0, 0);
            break;
        }
        case K_RETURN:
            REG(b1);
            PUSH(P_RETURN, (int32_t)b1, 0, 0, 0, 0, 0);
            break;
        case K_CLEAR_A:
            REG(lo);
            PUSH(P_SET, (int32_t)lo, -1, SET_CONST, 0, 0, 0);
            break;
        case K_CMP:
            REG(b1);
            PUSH(P_SET, (int32_t)b1, -1, SET_CONST, 0, 0, 0);
            break;
        case K_BINOP_2ADDR:
            REG(lo);
            REG(hi);
            PUSH(P_UNION, (int32_t)lo, (int32_t)lo, (int32_t)hi, 0, 0, 0);
            break;
        case K_BINOP:
            REG(b1);
            REG(d[p + 2]);
            REG(d[p + 3]);
            PUSH(P_UNION, (int32_t)b1, (int32_t)d[p + 2], (int32_t)d[p + 3], 0, 0, 0);
            break;
        case K_APUT:
            REG(b1);
            REG(d[p + 2]);
            PUSH(P_APUT, (int32_t)b1, (int32_t)d[p + 2], 0, 0, 0, 0);
            break;
        default:
            if (is_target(targets.w, targets.n, here))
                PUSH(P_NOP, 0, 0, 0, 0, 0, 0);
        }
        prev_kind = kind;
    }
#undef REG
#undef PUSH
#undef NAMED
    /* the names: those already resolved (earlier entries and programs of the analysis) from `names`, the others
     * (and the per-site queries) from resolve() */
    for (Py_ssize_t k = 0; k < names.n; k++) {
        int32_t *x = out.w + names.w[k];
        long long sub = x[0] == P_SET ? x[4] : 0;
        long long key = ((long long)x[0] << 33) | (sub << 32) | (long long)(uint32_t)x[3];
        PyObject *pk = PyLong_FromLongLong(key);
        if (pk == NULL)
            goto done;
        PyObject *v = PyDict_GetItemWithError(known, pk); /* borrowed */
        long long packed = -1;
        if (v != NULL) {
            packed = PyLong_AsLongLong(v);
            if (packed == -1 && PyErr_Occurred()) {
                Py_DECREF(pk);
                goto done;
            }
        } else if (PyErr_Occurred()) {
            Py_DECREF(pk);
            goto done;
        }
        if (v == NULL && tables.on && (x[0] == P_INVOKE || (x[0] == P_SET && sub == SET_STRING))) {
            long long got = x[0] == P_INVOKE ? invoke_from_tables(&tables, (uint32_t)x[3])
                                             : string_from_tables(&tables, (uint32_t)x[3]);
            if (got < 0) {
                Py_DECREF(pk);
                goto done;
            }
            if (got > 0) {
                PyObject *pv = PyLong_FromLongLong(got);
                int bad = pv == NULL || PyDict_SetItem(known, pk, pv) < 0;
                Py_XDECREF(pv);
                if (bad) {
                    Py_DECREF(pk);
                    goto done;
                }
                packed = got;
            }
        }
        if (packed < 0 || (packed >> 8) - 2 == -2) {
            PyObject *got = PyObject_CallFunction(resolve, "Oiiii", pk, (int)x[0], (int)sub, (int)x[3],
                                                  x[0] == P_INVOKE ? (int)x[4] : 0);
            if (got == NULL) {
                Py_DECREF(pk);
                goto done;
            }
            packed = PyLong_AsLongLong(got);
            Py_DECREF(got);
            if (packed == -1 && PyErr_Occurred()) {
                Py_DECREF(pk);
                goto done;
            }
        }
        Py_DECREF(pk);
        long long j = (packed >> 8) - 2;
        if (packed < 0 || j < -1 || j > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "decode: resolve() gave a bad constant");
            goto done;
        }
        x[3] = (int32_t)j;
        if (x[0] == P_INVOKE || x[0] == P_SET)
            x[4] = (int32_t)(packed & 0xFF);
    }
    static const char none[1] = {0}; /* y# with a NULL pointer would give None */
    result = Py_BuildValue("(y#L)", out.w ? (const char *)out.w : none, (Py_ssize_t)(out.n * 4),
                           (long long)(maxreg + 1));
done:
    free(out.w);
    free(names.w);
    free(starts.w);
    free(targets.w);
    tables_close(&tables);
    PyBuffer_Release(&db);
    PyBuffer_Release(&kb);
    PyBuffer_Release(&wb);
    return result;
}

/* ---- walk ---------------------------------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t n;
    int32_t *regs;
    PyObject **labels; /* owned */
} snapshot;

typedef struct {
    int32_t snap, next;
} node;

typedef struct {
    /* registers: label sets (NULL: no value written yet), object ids (-1: none) */
    Py_ssize_t nregs;
    PyObject **regs;
    int32_t *objs;
    uint8_t *in_objlist;
    ivec present; /* registers holding a value, in the order they got one (dict insertion order) */
    ivec objlist; /* registers that held an object id */
    /* snapshots of the registers at branches, and lists of them per target pc */
    snapshot *snaps;
    Py_ssize_t nsnaps, capsnaps;
    node *nodes;
    Py_ssize_t nnodes, capnodes;
    Py_ssize_t insns;
    int32_t *head, *tail;           /* pending joins per pc */
    int32_t *bhead, *btail;         /* back edges per pc (first walk) */
    Py_ssize_t npending, nback;
    /* Python side */
    PyObject *empty, *net, *cap, *net_label;
    Py_ssize_t max_labels;
    int32_t this_reg;
    PyObject *summaries; /* FlowAnalysis._summaries, or NULL (borrowed) */
    int deep;            /* the walk's app callees are past MAX_DEPTH: FlowAnalysis.call gives None unless memoised */
} state;

/* The summary FlowAnalysis.call would return at once for an app callee (`callee`, the argument labels `args`)
 * when it is memoised with no sinks, stores or starts: then FlowAnalysis._invoke gives (its returns, None) and
 * nothing else. A new reference to those returns, NULL (no exception) when the call is Python's, NULL with an
 * exception on an error. */
static PyObject *memo_returns(state *s, PyObject *callee, PyObject *args) {
    static PyObject *n_sinks, *n_stores, *n_starts, *n_returns;
    if (n_sinks == NULL) {
        n_sinks = PyUnicode_InternFromString("sinks");
        n_stores = PyUnicode_InternFromString("stores");
        n_starts = PyUnicode_InternFromString("starts");
        n_returns = PyUnicode_InternFromString("returns");
        if (!n_sinks || !n_stores || !n_starts || !n_returns)
            return NULL;
    }
    PyObject *key = PyTuple_Pack(2, callee, args);
    if (key == NULL)
        return NULL;
    PyObject *summ = PyDict_GetItemWithError(s->summaries, key); /* borrowed */
    Py_DECREF(key);
    if (summ == NULL || summ == Py_None)
        return NULL;
    Py_INCREF(summ);
    PyObject *out = NULL;
    PyObject *names[3] = {n_sinks, n_stores, n_starts};
    for (int i = 0; i < 3; i++) {
        PyObject *v = PyObject_GetAttr(summ, names[i]);
        if (v == NULL)
            goto done;
        Py_ssize_t n = PyObject_Length(v);
        Py_DECREF(v);
        if (n != 0) /* something to record (or an error) */
            goto done;
    }
    out = PyObject_GetAttr(summ, n_returns);
done:
    Py_DECREF(summ);
    return out;
}

static inline Py_ssize_t lsize(PyObject *o) {
    if (o == NULL)
        return 0;
    if (PyAnySet_Check(o))
        return PySet_GET_SIZE(o);
    return PyObject_Size(o);
}

static PyObject *capped(state *s, PyObject *r) {
    /* r (a new reference) as _cap gives it: a frozenset of at most max_labels labels */
    if (r == NULL)
        return NULL;
    if (PyFrozenSet_CheckExact(r) && PySet_GET_SIZE(r) <= s->max_labels)
        return r; /* _cap(r) is frozenset(r): r itself */
    PyObject *c = PySet_CheckExact(r) && PySet_GET_SIZE(r) <= s->max_labels
                      ? PyFrozenSet_New(r) /* _cap(r) is frozenset(r) */
                      : PyObject_CallOneArg(s->cap, r);
    Py_DECREF(r);
    return c;
}

/* _cap(a | b), computed as Python computes it (a new frozenset even when one side is empty: a label set's
 * iteration order, which the walk's Intent hops follow, depends on how the set was built) */
static PyObject *unite(state *s, PyObject *a, PyObject *b) { return capped(s, PyNumber_Or(a, b)); }

static int check_reg(state *s, int64_t r) {
    if (r < 0 || r >= s->nregs) {
        PyErr_SetString(PyExc_ValueError, "walk: register out of range");
        return -1;
    }
    return 0;
}

/* regs[r] = v (steals v) */
static int store(state *s, int32_t r, PyObject *v) {
    if (check_reg(s, r) < 0) {
        Py_DECREF(v);
        return -1;
    }
    PyObject *old = s->regs[r];
    if (old == NULL && ivec_push(&s->present, r) < 0) {
        Py_DECREF(v);
        return -1;
    }
    s->regs[r] = v;
    Py_XDECREF(old);
    return 0;
}

/* put(): regs[r] = v, the register names no object any more (steals v) */
static int put(state *s, int32_t r, PyObject *v) {
    if (store(s, r, v) < 0)
        return -1;
    s->objs[r] = -1;
    return 0;
}

static inline PyObject *get(state *s, int32_t r) {
    /* borrowed; EMPTY for a register never written or out of range (callers check the range of writes) */
    if (r < 0 || r >= s->nregs || s->regs[r] == NULL)
        return s->empty;
    return s->regs[r];
}

static int carry_one(state *s, int32_t r, PyObject *labels) {
    if (check_reg(s, r) < 0)
        return -1;
    PyObject *v = unite(s, get(s, r), labels);
    if (v == NULL)
        return -1;
    return store(s, r, v);
}

/* carry(): the object in reg now holds labels, and so does every register holding the same object */
static int carry(state *s, int32_t reg, PyObject *labels) {
    if (check_reg(s, reg) < 0)
        return -1;
    Py_INCREF(labels); /* it may be a register's value that the stores below replace */
    int rc = -1;
    int32_t oid = s->objs[reg];
    if (oid >= 0) {
        for (Py_ssize_t i = 0; i < s->objlist.n; i++) {
            int32_t r2 = s->objlist.w[i];
            if (s->objs[r2] == oid && carry_one(s, r2, labels) < 0)
                goto done;
        }
    } else if (carry_one(s, reg, labels) < 0) {
        goto done;
    }
    rc = carry_one(s, reg, labels);
done:
    Py_DECREF(labels);
    return rc;
}

/* carry_held(): what fast_invoke / derive_invoke left in *held (labels the receiver now holds, or NULL) carried into
 * register reg, *held cleared; on an error *value (the call's result) is released too */
static int carry_held(state *s, int32_t reg, PyObject **held, PyObject **value) {
    if (*held == NULL)
        return 0;
    int bad = carry(s, reg, *held);
    Py_CLEAR(*held);
    if (bad < 0) {
        Py_CLEAR(*value);
        return -1;
    }
    return 0;
}

static int set_obj(state *s, int32_t r, int32_t oid) {
    s->objs[r] = oid;
    if (!s->in_objlist[r]) {
        s->in_objlist[r] = 1;
        return ivec_push(&s->objlist, r);
    }
    return 0;
}

static int32_t take_snapshot(state *s) {
    if (s->nsnaps == s->capsnaps) {
        Py_ssize_t cap = s->capsnaps ? s->capsnaps * 2 : 32;
        snapshot *n = realloc(s->snaps, (size_t)cap * sizeof(snapshot));
        if (!n) {
            PyErr_NoMemory();
            return -1;
        }
        s->snaps = n;
        s->capsnaps = cap;
    }
    if (s->nsnaps >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "walk: too many snapshots");
        return -1;
    }
    snapshot *sn = &s->snaps[s->nsnaps];
    sn->n = 0;
    sn->regs = malloc((size_t)(s->present.n ? s->present.n : 1) * sizeof(int32_t));
    sn->labels = malloc((size_t)(s->present.n ? s->present.n : 1) * sizeof(PyObject *));
    if (!sn->regs || !sn->labels) {
        free(sn->regs);
        free(sn->labels);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < s->present.n; i++) {
        int32_t r = s->present.w[i];
        PyObject *v = s->regs[r];
        if (lsize(v) == 0) /* an empty set merges nothing */
            continue;
        Py_INCREF(v);
        sn->regs[sn->n] = r;
        sn->labels[sn->n] = v;
        sn->n++;
    }
    return (int32_t)s->nsnaps++;
}

static int append_node(state *s, int32_t *head, int32_t *tail, Py_ssize_t pc, int32_t snap) {
    if (s->nnodes == s->capnodes) {
        Py_ssize_t cap = s->capnodes ? s->capnodes * 2 : 64;
        node *n = realloc(s->nodes, (size_t)cap * sizeof(node));
        if (!n) {
            PyErr_NoMemory();
            return -1;
        }
        s->nodes = n;
        s->capnodes = cap;
    }
    int32_t id = (int32_t)s->nnodes++;
    s->nodes[id].snap = snap;
    s->nodes[id].next = -1;
    if (head[pc] < 0)
        head[pc] = id;
    else
        s->nodes[tail[pc]].next = id;
    tail[pc] = id;
    return 0;
}

static int merge(state *s, Py_ssize_t pc) {
    for (int32_t id = s->head[pc]; id >= 0; id = s->nodes[id].next) {
        snapshot *sn = &s->snaps[s->nodes[id].snap];
        for (Py_ssize_t i = 0; i < sn->n; i++) {
            PyObject *cur = get(s, sn->regs[i]);
            int le = PyObject_RichCompareBool(sn->labels[i], cur, Py_LE);
            if (le < 0)
                return -1;
            if (!le) {
                PyObject *v = unite(s, cur, sn->labels[i]);
                if (v == NULL || store(s, sn->regs[i], v) < 0)
                    return -1;
            }
        }
    }
    s->head[pc] = -1;
    s->npending--;
    return 0;
}

static int any_s_label(PyObject *labels) {
    /* whether a label set holds private data (a label starting with "s") */
    if (lsize(labels) == 0)
        return 0;
    PyObject *it = PyObject_GetIter(labels);
    if (it == NULL)
        return -1;
    PyObject *x;
    int found = 0;
    while ((x = PyIter_Next(it)) != NULL) {
        if (PyUnicode_Check(x) && PyUnicode_GET_LENGTH(x) > 0 && PyUnicode_READ_CHAR(x, 0) == 's')
            found = 1;
        Py_DECREF(x);
        if (found)
            break;
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return -1;
    return found;
}

/* FlowAnalysis._invoke when the callee reads no source and either no argument holds private data or the callee is
 * a plain framework method (F_PLAIN: private data going in makes no sink and no hop there), done here as Python
 * does it, set operation for set operation (label sets iterate in the order they were built). 1 and *value /
 * *held set (held NULL: nothing carried) when handled, 0 when Python must handle it (private data goes in, or an
 * app method known to return private data), -1 with an exception set. */
static int derive_invoke(state *s, int32_t flags, int32_t count, int32_t word, int32_t range, int is_static,
                         PyObject **value, PyObject **held);

static int fast_invoke(state *s, int32_t flags, int32_t count, int32_t word, int32_t range, int is_static,
                       PyObject *callee, PyObject *private_returns, PyObject **value, PyObject **held) {
    int plain = (flags & F_PLAIN) && !(flags & F_APPX);
    if (plain && (flags & F_MAYSINK) && !is_static && count > 0) {
        /* a framework write (StringBuilder.append, PrintWriter.print ...): a sink only into a network stream */
        int into_net = PySequence_Contains(get(s, list_reg(word, range, 0)), s->net_label);
        if (into_net)
            return into_net < 0 ? -1 : 0; /* Python: _check_sink */
    }
    for (int i = 0; i < count && !plain; i++) {
        int found = any_s_label(get(s, list_reg(word, range, i)));
        if (found)
            return found < 0 ? -1 : 0; /* private data goes in: Python */
    }
    if (flags & F_APPX) { /* the handler walks an app callee only when private data goes in or comes out */
        int known = PySet_Contains(private_returns, callee);
        if (known)
            return known < 0 ? -1 : 0;
        *value = s->empty;
        Py_INCREF(*value);
        *held = NULL;
        return 1;
    }
    return derive_invoke(s, flags, count, word, range, is_static, value, held);
}

/* FlowAnalysis._invoke's result for a framework (or unresolved) callee, or an app callee whose walk gives no
 * summary, when no sink or hop can be there: derived from receiver and arguments. 1 and *value / *held set (held
 * NULL: nothing carried), -1 with an exception set. */
static int derive_invoke(state *s, int32_t flags, int32_t count, int32_t word, int32_t range, int is_static,
                         PyObject **value, PyObject **held) {
    /* acc = set().union(*args) */
    int rc = -1;
    PyObject *acc = PySet_New(NULL), *extra = NULL, *comp = NULL, *it = NULL, *lab = NULL;
    if (acc == NULL)
        return -1;
    for (int i = 0; i < count; i++) {
        PyObject *n = PyNumber_InPlaceOr(acc, get(s, list_reg(word, range, i)));
        if (n == NULL)
            goto done;
        Py_DECREF(n);
    }
    PyObject *recv = count > 0 ? get(s, list_reg(word, range, 0)) : s->empty;
    if (flags & F_NET) {
        if (PySet_Add(acc, s->net_label) < 0)
            goto done;
    } else {
        int has = PySet_Contains(acc, s->net_label);
        if (has < 0)
            goto done;
        if (has) {
            int keep = 0;
            if (count > 0 && !is_static) {
                keep = PySequence_Contains(recv, s->net_label);
                if (keep < 0)
                    goto done;
            }
            if (!keep && PySet_Discard(acc, s->net_label) < 0)
                goto done;
        }
    }
    *held = NULL;
    if (!is_static && count > 1 && (flags & F_CARRIER)) {
        extra = PySet_New(NULL);
        if (extra == NULL)
            goto done;
        for (int i = 1; i < count; i++) { /* extra |= {lab for lab in a if lab != "net"} */
            comp = PySet_New(NULL);
            it = comp ? PyObject_GetIter(get(s, list_reg(word, range, i))) : NULL;
            if (it == NULL)
                goto done;
            while ((lab = PyIter_Next(it)) != NULL) {
                int is_net = PyObject_RichCompareBool(lab, s->net_label, Py_EQ);
                if (is_net < 0 || (!is_net && PySet_Add(comp, lab) < 0))
                    goto done;
                Py_CLEAR(lab);
            }
            if (PyErr_Occurred())
                goto done;
            Py_CLEAR(it);
            PyObject *n = PyNumber_InPlaceOr(extra, comp);
            if (n == NULL)
                goto done;
            Py_DECREF(n);
            Py_CLEAR(comp);
        }
        int more = 0; /* extra - args[0] */
        it = PyObject_GetIter(extra);
        if (it == NULL)
            goto done;
        while (!more && (lab = PyIter_Next(it)) != NULL) {
            int in = PySequence_Contains(recv, lab);
            if (in < 0)
                goto done;
            more = !in;
            Py_CLEAR(lab);
        }
        if (PyErr_Occurred())
            goto done;
        Py_CLEAR(it);
        if (more && list_reg(word, range, 0) != s->this_reg) {
            *held = PyFrozenSet_New(extra);
            if (*held == NULL)
                goto done;
        }
    }
    if (flags & F_INIT) { /* the new object is the register's value from now on */
        *value = s->empty;
        Py_INCREF(*value);
    } else {
        Py_INCREF(acc);
        *value = capped(s, acc);
        if (*value == NULL) {
            Py_CLEAR(*held);
            goto done;
        }
    }
    rc = 1;
done:
    Py_XDECREF(lab);
    Py_XDECREF(it);
    Py_XDECREF(comp);
    Py_XDECREF(extra);
    Py_DECREF(acc);
    return rc;
}

/* one walk over the entries; 0, or -1 with an exception set */
static int walk_once(state *s, const int32_t *e, Py_ssize_t nent, PyObject *consts, int walk_no, PyObject *ret,
                     PyObject *field_labels, PyObject *private_returns, PyObject *invoke_cb, PyObject *get_cb,
                     PyObject *put_cb, Py_ssize_t max_joins) {
    PyObject *result = s->empty;
    Py_INCREF(result);
    int rc = -1;
    int32_t next_id = 0;
    Py_ssize_t nconsts = PyList_GET_SIZE(consts);
#define CONST(i) ((i) >= 0 && (i) < nconsts ? PyList_GET_ITEM(consts, (i)) : NULL)
#define PUTV(r, v)                                                                                               \
    do {                                                                                                         \
        PyObject *v_ = (v);                                                                                      \
        if (v_ == NULL || put(s, (r), v_) < 0)                                                                   \
            goto done;                                                                                           \
    } while (0)
    for (Py_ssize_t k = 0; k < nent; k++) {
        const int32_t *x = e + k * W;
        int32_t kind = x[0], here = x[1], a = x[2], b = x[3], c = x[4];
        if (s->npending && here >= 0 && here < s->insns && s->head[here] >= 0 && merge(s, here) < 0)
            goto done;
        switch (kind) {
        case P_INVOKE: {
            PyObject *value = NULL, *held = NULL;
            int32_t count = x[5], word = x[6], range = x[7] & 1, is_static = (x[7] >> 1) & 1;
            if (b < 0) { /* unresolvable method id */
                value = s->empty;
                Py_INCREF(value);
            } else {
                int labelled = 0;
                for (int i = 0; i < count && !labelled; i++)
                    labelled = lsize(get(s, list_reg(word, range, i))) > 0;
                PyObject *site = CONST(b);
                if (site == NULL || !PyTuple_Check(site) || PyTuple_GET_SIZE(site) < 1) {
                    PyErr_SetString(PyExc_ValueError, "walk: bad invoke site");
                    goto done;
                }
                PyObject *call_args = NULL;
                int fast = 0;
                if (labelled && !(c & F_SOURCE)) {
                    fast = fast_invoke(s, c, count, word, range, is_static, PyTuple_GET_ITEM(site, 0),
                                       private_returns, &value, &held);
                    if (fast < 0)
                        goto done;
                    if (fast && carry_held(s, list_reg(word, range, 0), &held, &value) < 0)
                        goto done;
                }
                if (fast) {
                    /* value set */
                } else if ((c & F_SOURCE) || labelled) {
                    call_args = PyTuple_New(count);
                    if (call_args == NULL)
                        goto done;
                    for (int i = 0; i < count; i++) {
                        PyObject *v = get(s, list_reg(word, range, i));
                        Py_INCREF(v);
                        PyTuple_SET_ITEM(call_args, i, v);
                    }
                } else if (c & F_NET) {
                    value = s->net;
                    Py_INCREF(value);
                } else if (c & F_APP) {
                    int known = PySet_Contains(private_returns, PyTuple_GET_ITEM(site, 0));
                    if (known < 0)
                        goto done;
                    if (known) {
                        call_args = Py_None;
                        Py_INCREF(call_args);
                    }
                }
                if (call_args != NULL && call_args != Py_None && s->summaries != NULL && (c & F_APPX) &&
                    !(c & (F_SOURCE | F_MAYSINK))) {
                    /* private data into an app method whose walk with these labels is memoised: its returns */
                    int passes = 0;
                    for (int i = 0; i < count && !passes; i++) {
                        passes = any_s_label(PyTuple_GET_ITEM(call_args, i));
                        if (passes < 0) {
                            Py_DECREF(call_args);
                            goto done;
                        }
                    }
                    if (passes) {
                        value = memo_returns(s, PyTuple_GET_ITEM(site, 0), call_args);
                        if (value == NULL && PyErr_Occurred()) {
                            Py_DECREF(call_args);
                            goto done;
                        }
                        if (value != NULL)
                            Py_CLEAR(call_args);
                    }
                    if (passes && value == NULL && s->deep && (c & F_PLAIN)) {
                        /* past MAX_DEPTH and not memoised: FlowAnalysis.call gives None, and _invoke derives the
                         * result as for a framework callee (F_PLAIN: the callee's name is no hop) */
                        PyObject *key = PyTuple_Pack(2, PyTuple_GET_ITEM(site, 0), call_args);
                        int memoised = key ? PyDict_Contains(s->summaries, key) : -1;
                        Py_XDECREF(key);
                        if (memoised < 0) {
                            Py_DECREF(call_args);
                            goto done;
                        }
                        if (!memoised) {
                            Py_CLEAR(call_args);
                            if (derive_invoke(s, c, count, word, range, is_static, &value, &held) < 0 ||
                                carry_held(s, list_reg(word, range, 0), &held, &value) < 0)
                                goto done;
                        }
                    }
                }
                if (call_args != NULL) {
                    PyObject *idx = PyLong_FromLong(b), *pc = PyLong_FromLong(here);
                    PyObject *recv = PyLong_FromLong(count > 0 ? list_reg(word, range, 0) : -1);
                    PyObject *got = idx && pc && recv
                                        ? PyObject_CallFunctionObjArgs(invoke_cb, idx, call_args, pc, recv, NULL)
                                        : NULL;
                    Py_XDECREF(idx);
                    Py_XDECREF(pc);
                    Py_XDECREF(recv);
                    Py_DECREF(call_args);
                    if (got == NULL)
                        goto done;
                    if (!PyTuple_Check(got) || PyTuple_GET_SIZE(got) != 2) {
                        Py_DECREF(got);
                        PyErr_SetString(PyExc_ValueError, "walk: invoke callback must return a pair");
                        goto done;
                    }
                    value = PyTuple_GET_ITEM(got, 0);
                    held = PyTuple_GET_ITEM(got, 1);
                    Py_INCREF(value);
                    Py_INCREF(held);
                    Py_DECREF(got);
                    if (held != Py_None && count > 0 && carry(s, list_reg(word, range, 0), held) < 0) {
                        Py_DECREF(value);
                        Py_DECREF(held);
                        goto done;
                    }
                    Py_DECREF(held);
                } else if (value == NULL) {
                    value = s->empty;
                    Py_INCREF(value);
                }
            }
            if (a < 0) {
                Py_SETREF(result, value);
            } else {
                PUTV(a, value);
            }
            break;
        }
        case P_SET: {
            PyObject *v = b < 0 ? s->empty : CONST(b);
            if (v == NULL) {
                PyErr_SetString(PyExc_ValueError, "walk: bad constant");
                goto done;
            }
            Py_INCREF(v);
            PUTV(a, v);
            break;
        }
        case P_BRANCH:
            if (here < 0 || a < 0 || a >= s->insns) {
                PyErr_SetString(PyExc_ValueError, "walk: branch target out of range");
                goto done;
            }
            if (b) {
                if (s->npending < max_joins && s->present.n) {
                    int32_t sn = take_snapshot(s);
                    if (sn < 0)
                        goto done;
                    if (s->head[a] < 0)
                        s->npending++;
                    if (append_node(s, s->head, s->tail, a, sn) < 0)
                        goto done;
                }
            } else if (!walk_no && s->nback < max_joins && s->present.n) {
                int32_t sn = take_snapshot(s);
                if (sn < 0)
                    goto done;
                if (s->bhead[a] < 0)
                    s->nback++;
                if (append_node(s, s->bhead, s->btail, a, sn) < 0)
                    goto done;
            }
            break;
        case P_GET: {
            PyObject *v;
            if (b < 0) {
                v = s->empty;
                Py_INCREF(v);
            } else {
                PyObject *fc = CONST(b);
                if (fc == NULL || !PyTuple_Check(fc) || PyTuple_GET_SIZE(fc) != 2) {
                    PyErr_SetString(PyExc_ValueError, "walk: bad field constant");
                    goto done;
                }
                PyObject *held = PyDict_GetItemWithError(field_labels, PyTuple_GET_ITEM(fc, 0));
                if (held == NULL && PyErr_Occurred())
                    goto done;
                int mine = 0;
                PyObject *ol = s->empty;
                if (c >= 0) {
                    ol = get(s, c);
                    mine = any_s_label(ol);
                    if (mine < 0)
                        goto done;
                }
                if (lsize(held) > 0 || mine) {
                    PyObject *idx = PyLong_FromLong(b);
                    v = idx ? PyObject_CallFunctionObjArgs(get_cb, idx, ol, NULL) : NULL;
                    Py_XDECREF(idx);
                    if (v == NULL)
                        goto done;
                } else {
                    v = PyTuple_GET_ITEM(fc, 1);
                    Py_INCREF(v);
                }
            }
            PUTV(a, v);
            break;
        }
        case P_COPY: {
            PyObject *v = get(s, b);
            Py_INCREF(v);
            PUTV(a, v);
            break;
        }
        case P_MOVE_RESULT: {
            PyObject *v = b ? result : s->empty;
            Py_INCREF(v);
            PUTV(a, v);
            break;
        }
        case P_PUT: {
            PyObject *labels = get(s, a);
            if (lsize(labels) > 0 && b >= 0) {
                PyObject *idx = PyLong_FromLong(b);
                PyObject *kept = idx ? PyObject_CallFunctionObjArgs(put_cb, idx, labels, NULL) : NULL;
                Py_XDECREF(idx);
                if (kept == NULL)
                    goto done;
                int bad = kept != Py_None && c >= 0 && carry(s, c, kept) < 0; /* None: the field id does not resolve */
                Py_DECREF(kept);
                if (bad)
                    goto done;
            }
            break;
        }
        case P_UNION:
            PUTV(a, unite(s, get(s, b), get(s, c)));
            break;
        case P_MOVE_OBJECT: {
            if (check_reg(s, a) < 0 || check_reg(s, b) < 0)
                goto done;
            PyObject *v = get(s, b);
            Py_INCREF(v);
            if (store(s, a, v) < 0)
                goto done;
            int32_t oid = s->objs[b];
            if (oid < 0) {
                oid = next_id++;
                if (set_obj(s, b, oid) < 0)
                    goto done;
            }
            if (set_obj(s, a, oid) < 0)
                goto done;
            break;
        }
        case P_RETURN: {
            PyObject *v = get(s, a);
            if (lsize(v) > 0) {
                PyObject *r = PyNumber_InPlaceOr(ret, v);
                if (r == NULL)
                    goto done;
                Py_DECREF(r);
            }
            break;
        }
        case P_APUT:
            if (lsize(get(s, a)) > 0 && carry(s, b, get(s, a)) < 0)
                goto done;
            break;
        case P_FILLED: { /* filled-new-array: the result is the array (acc = set(); acc |= ...; _cap(acc)) */
            PyObject *acc = PySet_New(NULL);
            if (acc == NULL)
                goto done;
            for (int32_t i = 0; i < a; i++) {
                PyObject *n = PyNumber_InPlaceOr(acc, get(s, list_reg(b, c, (int)i)));
                Py_DECREF(acc);
                if (n == NULL)
                    goto done;
                acc = n;
            }
            PyObject *v = capped(s, acc); /* steals acc */
            if (v == NULL)
                goto done;
            Py_SETREF(result, v);
            break;
        }
        case P_NOP:
            break;
        default:
            PyErr_SetString(PyExc_ValueError, "walk: unknown entry kind");
            goto done;
        }
    }
    rc = 0;
done:
    Py_DECREF(result);
    return rc;
#undef CONST
#undef PUTV
}

static void free_state(state *s) {
    if (s->regs) {
        for (Py_ssize_t i = 0; i < s->nregs; i++)
            Py_XDECREF(s->regs[i]);
    }
    for (Py_ssize_t i = 0; i < s->nsnaps; i++) {
        for (Py_ssize_t j = 0; j < s->snaps[i].n; j++)
            Py_DECREF(s->snaps[i].labels[j]);
        free(s->snaps[i].regs);
        free(s->snaps[i].labels);
    }
    free(s->snaps);
    free(s->nodes);
    free(s->regs);
    free(s->objs);
    free(s->in_objlist);
    free(s->present.w);
    free(s->objlist.w);
    free(s->head);
    free(s->tail);
    free(s->bhead);
    free(s->btail);
}

/* walk(entries, consts, registers, insns_size, initial, ret, field_labels, private_returns, invoke_cb, get_cb,
 *      put_cb, again_cb, cap, empty, net, net_label, max_joins, max_labels, this[, summaries[, deep]]) -> None
 * FlowAnalysis.analyse's walks over decoded entries whose names Python resolved (see flow.py _program_c):
 * `registers` label sets in an array (the highest register named + 1, or more), `initial` {register: labels},
 * the labels returned added to the set `ret`. The second walk runs when the first recorded a back edge and
 * again_cb() says so (it counts the code units). Callbacks: invoke_cb(site, args or None, pc, receiver register or
 * -1) -> (labels, carried
 * labels or None), get_cb(field const, object labels) -> labels, put_cb(field id, labels) -> labels carried, or
 * None when the field id does not resolve (nothing written, nothing carried). `summaries` (FlowAnalysis._summaries):
 * private data going into an app callee (F_APPX, not F_MAYSINK) whose walk with these argument labels is memoised
 * with no sinks, stores or starts gives that walk's returns without a callback (memo_returns); with `deep` (the
 * callees are past MAX_DEPTH) one not memoised whose name is no hop (F_APPX | F_PLAIN) gives the result derived
 * from receiver and arguments, as _invoke does when FlowAnalysis.call gives None. */
static PyObject *walk(PyObject *self, PyObject *args) {
    Py_buffer eb;
    PyObject *consts, *initial, *ret, *field_labels, *private_returns, *invoke_cb, *get_cb, *put_cb, *again_cb;
    state s;
    memset(&s, 0, sizeof s);
    Py_ssize_t insns, max_joins;
    int this_reg;
    if (!PyArg_ParseTuple(args, "y*O!nnO!O!O!O!OOOOOOOUnni|O!p", &eb, &PyList_Type, &consts, &s.nregs, &insns,
                          &PyDict_Type, &initial, &PySet_Type, &ret, &PyDict_Type, &field_labels, &PySet_Type,
                          &private_returns, &invoke_cb, &get_cb, &put_cb, &again_cb, &s.cap, &s.empty, &s.net,
                          &s.net_label, &max_joins, &s.max_labels, &this_reg, &PyDict_Type, &s.summaries,
                          &s.deep))
        return NULL;
    s.this_reg = this_reg;
    PyObject *out = NULL;
    if (eb.len % (W * 4) || s.nregs < 0 || s.nregs > (1 << 20) || insns < 0 || insns > (1 << 24)) {
        PyErr_SetString(PyExc_ValueError, "walk: bad entries, register count or code size");
        goto done;
    }
    s.insns = insns;
    Py_ssize_t nalloc = s.nregs ? s.nregs : 1, ialloc = insns ? insns : 1;
    s.regs = calloc((size_t)nalloc, sizeof(PyObject *));
    s.objs = malloc((size_t)nalloc * sizeof(int32_t));
    s.in_objlist = calloc((size_t)nalloc, 1);
    s.head = malloc((size_t)ialloc * sizeof(int32_t));
    s.tail = malloc((size_t)ialloc * sizeof(int32_t));
    s.bhead = malloc((size_t)ialloc * sizeof(int32_t));
    s.btail = malloc((size_t)ialloc * sizeof(int32_t));
    if (!s.regs || !s.objs || !s.in_objlist || !s.head || !s.tail || !s.bhead || !s.btail) {
        PyErr_NoMemory();
        goto done;
    }
    memset(s.bhead, 0xff, (size_t)ialloc * sizeof(int32_t));
    const int32_t *e = eb.buf;
    Py_ssize_t nent = eb.len / (W * 4);
    for (int walk_no = 0; walk_no < 2; walk_no++) {
        if (walk_no) {
            if (!s.nback)
                break;
            PyObject *g = PyObject_CallNoArgs(again_cb);
            if (g == NULL)
                goto done;
            int yes = PyObject_IsTrue(g);
            Py_DECREF(g);
            if (yes < 0)
                goto done;
            if (!yes)
                break;
            /* the registers start again from the parameters; the back edges' states wait at their heads */
            for (Py_ssize_t i = 0; i < s.nregs; i++)
                Py_CLEAR(s.regs[i]);
            s.present.n = 0;
            for (Py_ssize_t i = 0; i < s.objlist.n; i++)
                s.in_objlist[s.objlist.w[i]] = 0;
            s.objlist.n = 0;
            memcpy(s.head, s.bhead, (size_t)ialloc * sizeof(int32_t));
            memcpy(s.tail, s.btail, (size_t)ialloc * sizeof(int32_t));
            s.npending = s.nback;
        } else {
            memset(s.head, 0xff, (size_t)ialloc * sizeof(int32_t));
            s.npending = 0;
        }
        memset(s.objs, 0xff, (size_t)nalloc * sizeof(int32_t));
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(initial, &pos, &key, &value)) {
            long r = PyLong_AsLong(key);
            if (r == -1 && PyErr_Occurred())
                goto done;
            Py_INCREF(value);
            if (store(&s, (int32_t)(r > INT32_MAX ? -1 : r), value) < 0)
                goto done;
        }
        if (walk_once(&s, e, nent, consts, walk_no, ret, field_labels, private_returns, invoke_cb, get_cb, put_cb,
                      max_joins) < 0)
            goto done;
    }
    out = Py_None;
    Py_INCREF(out);
done:
    free_state(&s);
    PyBuffer_Release(&eb);
    return out;
}

static PyMethodDef methods[] = {
    {"decode", decode, METH_VARARGS, "A method's code as the data-flow walk's entries (see the file)."},
    {"walk", walk, METH_VARARGS, "The data-flow walks of one method over decoded entries (see the file)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_flow", "Data-flow walk kernels (see the file).", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__flow(void) { return PyModule_Create(&module); }
