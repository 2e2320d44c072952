/* appwarden.screening._textscan: the screening's multi-needle search of a DEX's strings (issue #19).
 *
 * find_substrings(buf, string_ids_off, string_ids_size, needles[, deadline[, only]]) -> list[(string_idx, needle_idx)]
 *   The same contract and answers as appwarden.dex._dexscan.find_substrings (its pure-Python twin is
 *   appwarden.dex.pywalk.find_substrings; tests/screening/test_textscan_twin.py compares the three on fuzzed
 *   input): each string (only those whose bit is set in the optional `only` bitmap over the string ids) whose
 *   MUTF-8 bytes (after its ULEB128 length, up to its NUL or the end of `buf`) contain a needle (non-empty bytes),
 *   one pair per (string, needle), needles ascending within a string, strings ascending. ValueError when the
 *   string_ids table is out of bounds, TypeError when a needle is not bytes, TimeoutError past `deadline`
 *   (a time.monotonic() value; 0 = none).
 *
 *   How: the needles are bucketed by their first byte; each string is read once, and at each byte only the
 *   needles starting with it are compared there (the dex kernel runs a byte-set test and memmem per needle per
 *   string: with the screening's ~240 needles, that per-needle loop is most of its cost).
 *
 * Every read is bounds-checked against the buffer (hostile DEX); work is bounded by the deadline.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static inline int dl_spent(deadline_t *d, uint64_t units) {
    if (d->at <= 0) return 0;
    if (d->over) return 1;
    d->work += units;
    if (d->work < DL_EVERY) return 0;
    d->work = 0;
    if (mono_now() >= d->at) d->over = 1;
    return d->over;
}

static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* ULEB128 at *pos (at most 5 bytes, all before `end`); -1 when malformed or cut off. */
static int uleb(const uint8_t *buf, size_t end, size_t *pos) {
    for (int i = 0; i < 5; i++) {
        if (*pos >= end) return -1;
        uint8_t b = buf[(*pos)++];
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

static int cmp_ssize(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

static PyObject *textscan_find_substrings(PyObject *self, PyObject *args) {
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
    Py_ssize_t *bucket_start = NULL, *bucket_items = NULL, *found = NULL;
    uint64_t *stamp = NULL;
    const uint8_t **nptr = NULL;
    size_t *nlen = NULL;
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
    bucket_start = (Py_ssize_t *)calloc(257, sizeof(Py_ssize_t));
    bucket_items = (Py_ssize_t *)calloc(n1, sizeof(Py_ssize_t));
    found = (Py_ssize_t *)calloc(n1, sizeof(Py_ssize_t));
    stamp = (uint64_t *)calloc(n1, sizeof(uint64_t));
    nptr = (const uint8_t **)calloc(n1, sizeof(uint8_t *));
    nlen = (size_t *)calloc(n1, sizeof(size_t));
    if (!bucket_start || !bucket_items || !found || !stamp || !nptr || !nlen) {
        PyErr_NoMemory();
        goto done;
    }
    /* needles by first byte (CSR: bucket b holds bucket_items[bucket_start[b] .. bucket_start[b + 1]]), each
     * bucket in needle order; empty needles are in none (they match nothing, as in the dex kernel) */
    for (Py_ssize_t k = 0; k < nn; k++) {
        PyObject *nd = PyList_GET_ITEM(needles, k);
        nptr[k] = (const uint8_t *)PyBytes_AS_STRING(nd);
        nlen[k] = (size_t)PyBytes_GET_SIZE(nd);
        if (nlen[k]) bucket_start[nptr[k][0] + 1]++;
    }
    for (int b = 0; b < 256; b++) bucket_start[b + 1] += bucket_start[b];
    {
        Py_ssize_t fill[256];
        for (int b = 0; b < 256; b++) fill[b] = bucket_start[b];
        for (Py_ssize_t k = 0; k < nn; k++)
            if (nlen[k]) bucket_items[fill[nptr[k][0]]++] = k;
    }
    /* pairs[(a << 8) | b] bit: some needle starts with bytes a, b (a one-byte needle a: every b), so at most
     * positions a single bit test says no needle starts there */
    uint8_t pairs[65536 / 8];
    memset(pairs, 0, sizeof pairs);
    for (Py_ssize_t k = 0; k < nn; k++) {
        if (!nlen[k]) continue;
        unsigned a = nptr[k][0];
        if (nlen[k] == 1) {
            memset(pairs + (a << 8) / 8, 0xff, 256 / 8);
        } else {
            unsigned pair = (a << 8) | nptr[k][1];
            pairs[pair >> 3] |= (uint8_t)(1u << (pair & 7));
        }
    }
    result = PyList_New(0);
    if (!result) goto done;
    for (uint32_t i = 0; i < ids_size; i++) {
        if (mask && (i >= mask_bits || !(mask[i >> 3] & (1u << (i & 7))))) continue;
        size_t pos = rd32(buf + ids_off + (size_t)i * 4);
        if (pos >= size || uleb(buf, size, &pos)) continue;
        const uint8_t *str = buf + pos;
        const uint8_t *nul = memchr(str, 0, size - pos);
        size_t len = nul ? (size_t)(nul - str) : size - pos;
        uint64_t serial = (uint64_t)i + 1;
        Py_ssize_t nfound = 0;
        uint64_t checks = 0;
        for (size_t j = 0; j < len && nfound < nn; j++) {
            if (j + 1 < len) {
                unsigned pair = ((unsigned)str[j] << 8) | str[j + 1];
                if (!(pairs[pair >> 3] & (1u << (pair & 7)))) continue;
            }
            Py_ssize_t lo = bucket_start[str[j]], hi = bucket_start[str[j] + 1];
            for (Py_ssize_t q = lo; q < hi; q++) {
                Py_ssize_t k = bucket_items[q];
                if (stamp[k] == serial || nlen[k] > len - j) continue;
                checks++;
                /* the first byte matches (its bucket); the second decides most comparisons without a call */
                if (nlen[k] > 1 && str[j + 1] != nptr[k][1]) continue;
                if (memcmp(str + j, nptr[k], nlen[k]) == 0) {
                    stamp[k] = serial;
                    found[nfound++] = k;
                }
            }
        }
        if (dl_spent(&dl, 1 + ((uint64_t)len + checks) / 64)) {
            Py_CLEAR(result);
            PyErr_SetString(PyExc_TimeoutError, "deadline passed");
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
    free(bucket_start);
    free(bucket_items);
    free(found);
    free(stamp);
    free(nptr);
    free(nlen);
    PyBuffer_Release(&view);
    if (only.obj) PyBuffer_Release(&only);
    return result;
}

static PyMethodDef methods[] = {
    {"find_substrings", textscan_find_substrings, METH_VARARGS,
     "find_substrings(buf, string_ids_off, string_ids_size, needles[, deadline[, only]]) -> [(string_idx, "
     "needle_idx)]: the strings whose MUTF-8 bytes contain a needle (appwarden.dex._dexscan.find_substrings' "
     "answers, needles bucketed by first byte)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textscan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__textscan(void) { return PyModule_Create(&module); }
