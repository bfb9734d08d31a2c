/* A save's columns as bytes: the C side of engine/save/_columns.py, which has the same functions in Python for
 * when this module is not built (`make cslots` builds it).
 *
 * Why: pickling a column of 10,000 entity references, ints or floats is one opcode per value, some 60 ns each on
 * save and as much on load, and a save of 10,000 entities writes about a million of them (benchmarks/save_load.py).
 * Here a column whose values are all of one simple kind becomes one bytes object (4 bytes per reference, 8 per int
 * or float) that pickle copies whole. Refused on big-endian machines, so the file's bytes are always little-endian
 * (the Python side swaps when it must).
 *
 * index(objs)                 -> an opaque pointer index of objs (object -> position), for encode
 * position(index, obj)        -> obj's position in objs, or None
 * encode(column, index)       -> (kind, payload); kind "o" one value, "r" references (0xFFFFFFFF for None), "i"
 *                                int64, "f" double, "b" bool, "s" (strings, uint16 positions), "v" (few distinct
 *                                objects, uint16 positions), "p" plain (the column)
 * decode(kind, payload, n, objs) -> the column (kinds r, i, f, b, s, v)
 * flatten(column)             -> (kind, lengths, parts...) for a column of distinct exact lists ("L"), tuples ("T")
 *                                or dicts ("D": keys and values as two parts), None otherwise
 * unflatten(kind, lengths, parts) -> the column of containers
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if PY_BIG_ENDIAN
#error "the save's column bytes are little-endian; on this machine the Python fallback (_columns.py) is used"
#endif

#define NONE_REF 0xFFFFFFFFu

/* -- pointer index ------------------------------------------------------------------------------------------- */

typedef struct {
    size_t mask;
    int shift;
    PyObject **keys;
    uint32_t *values;
} PtrIndex;

/* A table of 2**bits slots: Fibonacci hashing, keeping the product's top bits (its low bits repeat the pointer's
 * alignment, and objects of one size sit at a fixed stride). */
static int table_bits(size_t n)
{
    int bits = 4;
    while (((size_t)1 << bits) < n * 2)
        bits++;
    return bits;
}

static size_t ptr_slot(PyObject *p, int shift)
{
    return (size_t)((((uint64_t)(uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL) >> shift);
}

static void index_free(PyObject *capsule)
{
    PtrIndex *ix = PyCapsule_GetPointer(capsule, "factoryverse.columns.index");
    if (ix != NULL) {
        PyMem_Free(ix->keys);
        PyMem_Free(ix->values);
        PyMem_Free(ix);
    }
}

/* Positions of the first occurrence; the objects are not referenced (the caller keeps the list alive). */
static PyObject *col_index(PyObject *self, PyObject *objs)
{
    if (!PyList_Check(objs)) {
        PyErr_SetString(PyExc_TypeError, "index takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(objs);
    if ((size_t)n >= NONE_REF) {
        PyErr_SetString(PyExc_OverflowError, "too many objects for 32-bit references");
        return NULL;
    }
    int bits = table_bits((size_t)n);
    size_t size = (size_t)1 << bits;
    PtrIndex *ix = PyMem_Malloc(sizeof(PtrIndex));
    if (ix == NULL)
        return PyErr_NoMemory();
    ix->mask = size - 1;
    ix->shift = 64 - bits;
    ix->keys = PyMem_Calloc(size, sizeof(PyObject *));
    ix->values = PyMem_Malloc(size * sizeof(uint32_t));
    if (ix->keys == NULL || ix->values == NULL) {
        PyMem_Free(ix->keys);
        PyMem_Free(ix->values);
        PyMem_Free(ix);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *obj = PyList_GET_ITEM(objs, i);
        size_t at = ptr_slot(obj, ix->shift);
        while (ix->keys[at] != NULL && ix->keys[at] != obj)
            at = (at + 1) & ix->mask;
        if (ix->keys[at] == NULL) {
            ix->keys[at] = obj;
            ix->values[at] = (uint32_t)i;
        }
    }
    PyObject *capsule = PyCapsule_New(ix, "factoryverse.columns.index", index_free);
    if (capsule == NULL) {
        PyMem_Free(ix->keys);
        PyMem_Free(ix->values);
        PyMem_Free(ix);
    }
    return capsule;
}

static int index_find(PtrIndex *ix, PyObject *obj, uint32_t *out)
{
    size_t at = ptr_slot(obj, ix->shift);
    while (ix->keys[at] != NULL) {
        if (ix->keys[at] == obj) {
            *out = ix->values[at];
            return 1;
        }
        at = (at + 1) & ix->mask;
    }
    return 0;
}

/* position(index, obj) -> obj's position in the indexed list, or None. */
static PyObject *col_position(PyObject *self, PyObject *args)
{
    PyObject *capsule, *obj;
    if (!PyArg_ParseTuple(args, "OO:position", &capsule, &obj))
        return NULL;
    PtrIndex *ix = PyCapsule_GetPointer(capsule, "factoryverse.columns.index");
    if (ix == NULL)
        return NULL;
    uint32_t at;
    if (!index_find(ix, obj, &at))
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLong(at);
}

/* -- encode -------------------------------------------------------------------------------------------------- */

static PyObject *kind_payload(const char *kind, PyObject *payload)
{
    if (payload == NULL)
        return NULL;
    PyObject *out = Py_BuildValue("(sO)", kind, payload);
    Py_DECREF(payload);
    return out;
}

static PyObject *encode_refs(PyObject **items, Py_ssize_t n, PtrIndex *ix)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 4);
    if (out == NULL)
        return NULL;
    uint32_t *refs = (uint32_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t at;
        if (items[i] == Py_None)
            at = NONE_REF;
        else if (!index_find(ix, items[i], &at)) {
            Py_DECREF(out);
            Py_RETURN_NONE; /* not every value is a table object */
        }
        memcpy(refs + i, &at, 4);
    }
    return out;
}

/* ints: every value an exact int within int64; *same: all equal. NULL without error when not. */
static PyObject *encode_ints(PyObject **items, Py_ssize_t n, int *same)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    long long first = 0;
    *same = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        int overflow = 0;
        if (!PyLong_CheckExact(items[i]))
            goto no;
        long long v = PyLong_AsLongLongAndOverflow(items[i], &overflow);
        if (overflow || (v == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            goto no;
        }
        if (i == 0)
            first = v;
        else if (v != first)
            *same = 0;
        memcpy(p + 8 * i, &v, 8);
    }
    return out;
no:
    Py_DECREF(out);
    Py_RETURN_NONE;
}

static PyObject *encode_floats(PyObject **items, Py_ssize_t n, int *same)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    *same = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyFloat_CheckExact(items[i])) {
            Py_DECREF(out);
            Py_RETURN_NONE;
        }
        double v = PyFloat_AS_DOUBLE(items[i]);
        memcpy(p + 8 * i, &v, 8);
        /* By bits: 0.0 and -0.0 are two values, and a NaN equals itself. */
        if (i > 0 && memcmp(p + 8 * i, p, 8) != 0)
            *same = 0;
    }
    return out;
}

static PyObject *encode_bools(PyObject **items, Py_ssize_t n, int *same)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    *same = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (items[i] != Py_True && items[i] != Py_False) {
            Py_DECREF(out);
            Py_RETURN_NONE;
        }
        p[i] = items[i] == Py_True;
        if (p[i] != p[0])
            *same = 0;
    }
    return out;
}

/* strings: (tuple of distinct strings in first-seen order, uint16 positions); None past 65,535 distinct. */
static PyObject *encode_strs(PyObject **items, Py_ssize_t n, int *same)
{
    PyObject *seen = PyDict_New();
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 2);
    PyObject *names = PyList_New(0);
    PyObject *result = NULL;
    if (seen == NULL || out == NULL || names == NULL)
        goto done;
    char *p = PyBytes_AS_STRING(out);
    *same = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_CheckExact(items[i])) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        PyObject *at = PyDict_GetItemWithError(seen, items[i]);
        uint16_t k;
        if (at == NULL) {
            if (PyErr_Occurred())
                goto done;
            Py_ssize_t m = PyList_GET_SIZE(names);
            if (m >= 0xFFFF) {
                result = Py_NewRef(Py_None);
                goto done;
            }
            PyObject *key = PyLong_FromSsize_t(m);
            if (key == NULL || PyDict_SetItem(seen, items[i], key) < 0 || PyList_Append(names, items[i]) < 0) {
                Py_XDECREF(key);
                goto done;
            }
            Py_DECREF(key);
            k = (uint16_t)m;
        } else {
            k = (uint16_t)PyLong_AsLong(at);
        }
        if (k != 0)
            *same = 0;
        memcpy(p + 2 * i, &k, 2);
    }
    PyObject *tuple = PyList_AsTuple(names);
    if (tuple != NULL)
        result = Py_BuildValue("(NO)", tuple, out);
done:
    Py_XDECREF(seen);
    Py_XDECREF(out);
    Py_XDECREF(names);
    return result;
}

/* few distinct objects (by identity): (tuple of them in first-seen order, uint16 positions); None when there are
 * more than half as many as values, or past 65,535. Identity is kept: a load makes each of them once. */
static PyObject *encode_distinct(PyObject **items, Py_ssize_t n)
{
    Py_ssize_t limit = n / 2 < 0xFFFF ? n / 2 : 0xFFFF;
    int bits = table_bits((size_t)limit + 1);
    size_t size = (size_t)1 << bits;
    PyObject **keys = PyMem_Calloc(size, sizeof(PyObject *));
    uint16_t *at_of = PyMem_Malloc(size * sizeof(uint16_t));
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 2);
    PyObject *seen = PyList_New(0);
    PyObject *result = NULL;
    if (keys == NULL || at_of == NULL || out == NULL || seen == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        size_t h = ptr_slot(items[i], 64 - bits);
        while (keys[h] != NULL && keys[h] != items[i])
            h = (h + 1) & (size - 1);
        if (keys[h] == NULL) {
            if (PyList_GET_SIZE(seen) >= limit) {
                result = Py_NewRef(Py_None);
                goto done;
            }
            keys[h] = items[i];
            at_of[h] = (uint16_t)PyList_GET_SIZE(seen);
            if (PyList_Append(seen, items[i]) < 0)
                goto done;
        }
        memcpy(p + 2 * i, &at_of[h], 2);
    }
    PyObject *tuple = PyList_AsTuple(seen);
    if (tuple != NULL)
        result = Py_BuildValue("(NO)", tuple, out);
done:
    PyMem_Free(keys);
    PyMem_Free(at_of);
    Py_XDECREF(out);
    Py_XDECREF(seen);
    return result;
}

static PyObject *col_encode(PyObject *self, PyObject *args)
{
    PyObject *column, *capsule;
    if (!PyArg_ParseTuple(args, "O!O:encode", &PyList_Type, &column, &capsule))
        return NULL;
    PtrIndex *ix = PyCapsule_GetPointer(capsule, "factoryverse.columns.index");
    if (ix == NULL)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(column);
    if (n == 0)
        return Py_BuildValue("(sO)", "p", column);
    PyObject **items = ((PyListObject *)column)->ob_item;
    int one = 1;
    for (Py_ssize_t i = 1; one && i < n; i++)
        one = items[i] == items[0];
    if (one)
        return Py_BuildValue("(sO)", "o", items[0]);
    PyObject *first = items[0];
    PyObject *payload;
    int same = 0;
    const char *kind;
    if (PyBool_Check(first)) {
        payload = encode_bools(items, n, &same), kind = "b";
    } else if (PyLong_CheckExact(first)) {
        payload = encode_ints(items, n, &same), kind = "i";
    } else if (PyFloat_CheckExact(first)) {
        payload = encode_floats(items, n, &same), kind = "f";
    } else if (PyUnicode_CheckExact(first)) {
        payload = encode_strs(items, n, &same), kind = "s";
    } else {
        payload = encode_refs(items, n, ix), kind = "r";
    }
    if (payload == NULL)
        return NULL;
    if (payload == Py_None) {
        Py_DECREF(payload);
        payload = encode_distinct(items, n);
        if (payload == NULL)
            return NULL;
        if (payload == Py_None) {
            Py_DECREF(payload);
            return Py_BuildValue("(sO)", "p", column);
        }
        return kind_payload("v", payload);
    }
    if (same && kind[0] != 'r') { /* equal values of one exact type: one value (refs were caught above) */
        Py_DECREF(payload);
        return Py_BuildValue("(sO)", "o", first);
    }
    return kind_payload(kind, payload);
}

/* -- decode -------------------------------------------------------------------------------------------------- */

static int check_length(PyObject *payload, Py_ssize_t want)
{
    if (!PyBytes_Check(payload) || PyBytes_GET_SIZE(payload) != want) {
        PyErr_SetString(PyExc_ValueError, "a column's bytes do not match its length");
        return -1;
    }
    return 0;
}

static PyObject *col_decode(PyObject *self, PyObject *args)
{
    const char *kind;
    PyObject *payload, *objs;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "sOnO!:decode", &kind, &payload, &n, &PyList_Type, &objs))
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "a column's length is negative");
        return NULL;
    }
    PyObject *strings = NULL;
    if (kind[0] == 's' || kind[0] == 'v') {
        if (!PyTuple_Check(payload) || PyTuple_GET_SIZE(payload) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(payload, 0))) {
            PyErr_SetString(PyExc_ValueError, "a string column is damaged");
            return NULL;
        }
        strings = PyTuple_GET_ITEM(payload, 0);
        payload = PyTuple_GET_ITEM(payload, 1);
    }
    Py_ssize_t width = kind[0] == 'r' ? 4 : kind[0] == 'b' ? 1 : strings != NULL ? 2 : 8;
    if (strchr("rifbsv", kind[0]) == NULL || kind[1] != '\0') {
        PyErr_Format(PyExc_ValueError, "no column kind %s", kind);
        return NULL;
    }
    if (check_length(payload, n * width) < 0)
        return NULL;
    const char *p = PyBytes_AS_STRING(payload);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(objs);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v;
        switch (kind[0]) {
        case 'r': {
            uint32_t at;
            memcpy(&at, p + 4 * i, 4);
            if (at == NONE_REF)
                v = Py_NewRef(Py_None);
            else if ((Py_ssize_t)at < count)
                v = Py_NewRef(PyList_GET_ITEM(objs, at));
            else
                goto bad;
            break;
        }
        case 'i': {
            long long x;
            memcpy(&x, p + 8 * i, 8);
            v = PyLong_FromLongLong(x);
            break;
        }
        case 'f': {
            double x;
            memcpy(&x, p + 8 * i, 8);
            v = PyFloat_FromDouble(x);
            break;
        }
        case 'b':
            if ((unsigned char)p[i] > 1)
                goto bad;
            v = PyBool_FromLong(p[i]);
            break;
        default: {
            uint16_t at;
            memcpy(&at, p + 2 * i, 2);
            if (at >= PyTuple_GET_SIZE(strings))
                goto bad;
            v = Py_NewRef(PyTuple_GET_ITEM(strings, at));
        }
        }
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
bad:
    Py_DECREF(out); /* unset items are NULL, which list deallocation skips */
    PyErr_SetString(PyExc_ValueError, "a column refers past its table");
    return NULL;
}

/* -- containers ---------------------------------------------------------------------------------------------- */

static PyObject *col_flatten(PyObject *self, PyObject *column)
{
    if (!PyList_Check(column)) {
        PyErr_SetString(PyExc_TypeError, "flatten takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(column);
    if (n == 0)
        Py_RETURN_NONE;
    PyTypeObject *type = Py_TYPE(PyList_GET_ITEM(column, 0));
    if (type != &PyList_Type && type != &PyTuple_Type && type != &PyDict_Type)
        Py_RETURN_NONE;
    /* Distinct containers only: two references to one list must stay one list after a load. */
    int bits = table_bits((size_t)n);
    size_t size = (size_t)1 << bits;
    PyObject **seen = PyMem_Calloc(size, sizeof(PyObject *));
    if (seen == NULL)
        return PyErr_NoMemory();
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(column, i);
        if (Py_TYPE(c) != type || (type != &PyTuple_Type && (size_t)Py_SIZE(c) >= NONE_REF))
            goto plain;
        if (type != &PyTuple_Type) { /* equal tuples may be one object: immutable, so sharing is invisible */
            size_t at = ptr_slot(c, 64 - bits);
            while (seen[at] != NULL && seen[at] != c)
                at = (at + 1) & (size - 1);
            if (seen[at] == c)
                goto plain;
            seen[at] = c;
        }
        total += type == &PyDict_Type ? PyDict_GET_SIZE(c) : Py_SIZE(c);
    }
    PyMem_Free(seen);
    seen = NULL;
    PyObject *lengths = PyBytes_FromStringAndSize(NULL, n * 4);
    PyObject *flat = PyList_New(total);
    PyObject *values = type == &PyDict_Type ? PyList_New(total) : NULL;
    if (lengths == NULL || flat == NULL || (type == &PyDict_Type && values == NULL)) {
        Py_XDECREF(lengths);
        Py_XDECREF(flat);
        Py_XDECREF(values);
        return NULL;
    }
    char *p = PyBytes_AS_STRING(lengths);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(column, i);
        uint32_t len;
        if (type == &PyDict_Type) {
            Py_ssize_t pos = 0;
            PyObject *key, *value;
            len = (uint32_t)PyDict_GET_SIZE(c);
            while (PyDict_Next(c, &pos, &key, &value)) {
                PyList_SET_ITEM(flat, k, Py_NewRef(key));
                PyList_SET_ITEM(values, k, Py_NewRef(value));
                k++;
            }
        } else {
            PyObject **items = type == &PyList_Type ? ((PyListObject *)c)->ob_item : ((PyTupleObject *)c)->ob_item;
            len = (uint32_t)Py_SIZE(c);
            for (uint32_t j = 0; j < len; j++)
                PyList_SET_ITEM(flat, k + j, Py_NewRef(items[j]));
            k += len;
        }
        memcpy(p + 4 * i, &len, 4);
    }
    if (type == &PyDict_Type)
        return Py_BuildValue("(sNNN)", "D", lengths, flat, values);
    return Py_BuildValue("(sNN)", type == &PyList_Type ? "L" : "T", lengths, flat);
plain:
    PyMem_Free(seen);
    Py_RETURN_NONE;
}

static PyObject *col_unflatten(PyObject *self, PyObject *args)
{
    const char *kind;
    PyObject *lengths, *flat, *values = NULL;
    if (!PyArg_ParseTuple(args, "sO!O!|O!:unflatten", &kind, &PyBytes_Type, &lengths, &PyList_Type, &flat,
                          &PyList_Type, &values))
        return NULL;
    int is_dict = kind[0] == 'D';
    if ((kind[0] != 'L' && kind[0] != 'T' && !is_dict) || kind[1] != '\0' || (is_dict != (values != NULL)) ||
        PyBytes_GET_SIZE(lengths) % 4 != 0) {
        PyErr_SetString(PyExc_ValueError, "a container column is damaged");
        return NULL;
    }
    Py_ssize_t n = PyBytes_GET_SIZE(lengths) / 4;
    const char *p = PyBytes_AS_STRING(lengths);
    Py_ssize_t total = PyList_GET_SIZE(flat);
    if (is_dict && PyList_GET_SIZE(values) != total)
        goto bad;
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t len;
        memcpy(&len, p + 4 * i, 4);
        if ((Py_ssize_t)len > total - k) {
            Py_DECREF(out);
            goto bad;
        }
        PyObject *c;
        if (is_dict) {
            c = _PyDict_NewPresized(len);
            for (uint32_t j = 0; c != NULL && j < len; j++)
                if (PyDict_SetItem(c, PyList_GET_ITEM(flat, k + j), PyList_GET_ITEM(values, k + j)) < 0)
                    Py_CLEAR(c);
        } else if (kind[0] == 'L') {
            c = PyList_GetSlice(flat, k, k + len);
        } else {
            c = PyTuple_New(len);
            for (uint32_t j = 0; c != NULL && j < len; j++)
                PyTuple_SET_ITEM(c, j, Py_NewRef(PyList_GET_ITEM(flat, k + j)));
        }
        if (c == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, c);
        k += len;
    }
    if (k != total) {
        Py_DECREF(out);
        goto bad;
    }
    return out;
bad:
    PyErr_SetString(PyExc_ValueError, "a container column's lengths do not match its values");
    return NULL;
}

static PyMethodDef methods[] = {
    {"index", col_index, METH_O, "index(objs) -> a pointer index of objs, for encode"},
    {"position", col_position, METH_VARARGS, "position(index, obj) -> obj's position, or None"},
    {"encode", col_encode, METH_VARARGS, "encode(column, index) -> (kind, payload)"},
    {"decode", col_decode, METH_VARARGS, "decode(kind, payload, n, objs) -> column"},
    {"flatten", col_flatten, METH_O, "flatten(column) -> (kind, lengths, parts...) or None"},
    {"unflatten", col_unflatten, METH_VARARGS, "unflatten(kind, lengths, flat[, values]) -> column"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ccolumns", "A save's columns as bytes (see _ccolumns.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__ccolumns(void)
{
    return PyModule_Create(&module);
}
