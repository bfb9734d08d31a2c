/* The save's hot loops in C: read the slots of many objects of one class into columns, set columns back onto new
 * objects, group objects by slot values, and drop repeated objects from a list (engine/save/_slot_code.py uses
 * these when this module is built, by `make cslots`, and its own generated Python otherwise).
 *
 * Why C: a save reads and a load sets about a million slots (benchmarks/save_load.py); even as bytecode specialized
 * to slot access that is some 30 ns a slot, where a load from the object's memory is a few. Slots are reached the
 * way CPython's own member descriptors reach them: by the offset the class's descriptor records. Only descriptors
 * of plain object slots (T_OBJECT_EX, writable) are accepted, and only objects whose type is exactly the class, so
 * an offset is never applied to an object of another layout.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

/* The offset of each slot in `names` on instances of `cls`; -1 (with an exception set) if one is no plain slot. */
static Py_ssize_t *slot_offsets(PyTypeObject *cls, PyObject *names, Py_ssize_t *count)
{
    PyObject *seq = PySequence_Fast(names, "slot names must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t k = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t *offsets = PyMem_Malloc(sizeof(Py_ssize_t) * (k ? k : 1));
    if (offsets == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *name = PySequence_Fast_GET_ITEM(seq, j);
        PyObject *descr = PyUnicode_Check(name) ? _PyType_Lookup(cls, name) : NULL;
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
            PyErr_Format(PyExc_TypeError, "%R is no slot of %s", name, cls->tp_name);
            goto fail;
        }
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY)) {
            PyErr_Format(PyExc_TypeError, "%R is no plain object slot of %s", name, cls->tp_name);
            goto fail;
        }
        offsets[j] = member->offset;
    }
    Py_DECREF(seq);
    *count = k;
    return offsets;
fail:
    Py_DECREF(seq);
    PyMem_Free(offsets);
    return NULL;
}

static int check_types(PyObject *objs, PyTypeObject *cls)
{
    Py_ssize_t n = PyList_GET_SIZE(objs);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (Py_TYPE(PyList_GET_ITEM(objs, i)) != cls) {
            PyErr_Format(PyExc_TypeError, "object %zd is a %s, not a %s", i, Py_TYPE(PyList_GET_ITEM(objs, i))->tp_name,
                         cls->tp_name);
            return -1;
        }
    }
    return 0;
}

#define SLOT(obj, offset) (*(PyObject **)((char *)(obj) + (offset)))

/* read(cls, names, objs) -> [column per name]; AttributeError if some object lacks a slot. */
static PyObject *cslots_read(PyObject *self, PyObject *args)
{
    PyTypeObject *cls;
    PyObject *names, *objs;
    if (!PyArg_ParseTuple(args, "O!OO!:read", &PyType_Type, &cls, &names, &PyList_Type, &objs))
        return NULL;
    Py_ssize_t k;
    Py_ssize_t *offsets = slot_offsets(cls, names, &k);
    if (offsets == NULL)
        return NULL;
    PyObject *columns = NULL;
    if (check_types(objs, cls) < 0)
        goto done;
    Py_ssize_t n = PyList_GET_SIZE(objs);
    columns = PyList_New(k);
    if (columns == NULL)
        goto done;
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *column = PyList_New(n);
        if (column == NULL) {
            Py_CLEAR(columns);
            goto done;
        }
        PyList_SET_ITEM(columns, j, column);
    }
    /* Object by object: each object's slots share its few cache lines. */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *obj = PyList_GET_ITEM(objs, i);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *value = SLOT(obj, offsets[j]);
            if (value == NULL) {
                PyErr_Format(PyExc_AttributeError, "a %s has no value in one of its slots", cls->tp_name);
                Py_CLEAR(columns); /* the columns' unfilled items are NULL, which list deallocation skips */
                goto done;
            }
            Py_INCREF(value);
            PyList_SET_ITEM(PyList_GET_ITEM(columns, j), i, value);
        }
    }
done:
    PyMem_Free(offsets);
    return columns;
}

/* fill(cls, names, objs, columns, varying): slot j of object i is columns[j][i], or columns[j][0] where not
 * varying[j]. Lengths are checked before anything is set. */
static PyObject *cslots_fill(PyObject *self, PyObject *args)
{
    PyTypeObject *cls;
    PyObject *names, *objs, *columns, *varying;
    if (!PyArg_ParseTuple(args, "O!OO!OO:fill", &PyType_Type, &cls, &names, &PyList_Type, &objs, &columns, &varying))
        return NULL;
    Py_ssize_t k;
    Py_ssize_t *offsets = slot_offsets(cls, names, &k);
    if (offsets == NULL)
        return NULL;
    PyObject *result = NULL;
    PyObject *cols = PySequence_Fast(columns, "columns must be a sequence");
    PyObject *vary = cols ? PySequence_Fast(varying, "varying must be a sequence") : NULL;
    PyObject **values = NULL;
    char *per_object = NULL;
    if (vary == NULL || check_types(objs, cls) < 0)
        goto done;
    Py_ssize_t n = PyList_GET_SIZE(objs);
    if (PySequence_Fast_GET_SIZE(cols) != k || PySequence_Fast_GET_SIZE(vary) != k) {
        PyErr_SetString(PyExc_ValueError, "one column and one varying flag per slot");
        goto done;
    }
    values = PyMem_Malloc(sizeof(PyObject *) * (k ? k : 1));
    per_object = PyMem_Malloc(k ? k : 1);
    if (values == NULL || per_object == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *column = PySequence_Fast_GET_ITEM(cols, j);
        int v = PyObject_IsTrue(PySequence_Fast_GET_ITEM(vary, j));
        if (v < 0)
            goto done;
        if (!PyList_Check(column) && !PyTuple_Check(column)) {
            PyErr_SetString(PyExc_TypeError, "a column must be a list or a tuple");
            goto done;
        }
        if (PySequence_Fast_GET_SIZE(column) != (v ? n : 1)) {
            PyErr_Format(PyExc_ValueError, "column %zd has %zd values for %zd objects", j,
                         PySequence_Fast_GET_SIZE(column), v ? n : (Py_ssize_t)1);
            goto done;
        }
        per_object[j] = (char)v;
        values[j] = v ? NULL : PySequence_Fast_GET_ITEM(column, 0);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *obj = PyList_GET_ITEM(objs, i);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *value = per_object[j] ? PySequence_Fast_ITEMS(PySequence_Fast_GET_ITEM(cols, j))[i] : values[j];
            PyObject *old = SLOT(obj, offsets[j]);
            Py_INCREF(value);
            SLOT(obj, offsets[j]) = value;
            Py_XDECREF(old);
        }
    }
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(offsets);
    PyMem_Free(values);
    PyMem_Free(per_object);
    Py_XDECREF(cols);
    Py_XDECREF(vary);
    return result;
}

/* distinct(objs) -> a new list of objs without repeats (by identity), in first-seen order. An open-addressed set
 * of pointers: a dict keyed by id() allocates an int and a slot per object. */
static PyObject *cslots_distinct(PyObject *self, PyObject *objs)
{
    if (!PyList_Check(objs)) {
        PyErr_SetString(PyExc_TypeError, "distinct takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(objs);
    int bits = 4;
    while (((size_t)1 << bits) < (size_t)n * 2)
        bits++;
    size_t size = (size_t)1 << bits;
    PyObject **seen = PyMem_Calloc(size, sizeof(PyObject *));
    PyObject *out = PyList_New(0);
    if (seen == NULL || out == NULL) {
        PyMem_Free(seen);
        Py_XDECREF(out);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objs); i++) {
        PyObject *obj = PyList_GET_ITEM(objs, i);
        /* The product's top bits: its low bits repeat the objects' allocation stride. */
        size_t at = (size_t)((((uint64_t)(uintptr_t)obj >> 4) * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
        while (seen[at] != NULL && seen[at] != obj)
            at = (at + 1) & (size - 1);
        if (seen[at] == obj)
            continue;
        seen[at] = obj;
        if (PyList_Append(out, obj) < 0) {
            PyMem_Free(seen);
            Py_DECREF(out);
            return NULL;
        }
    }
    PyMem_Free(seen);
    return out;
}

/* group(cls, names, objs) -> {(slot values...): [objs with them]}, keys and lists in first-seen order. */
static PyObject *cslots_group(PyObject *self, PyObject *args)
{
    PyTypeObject *cls;
    PyObject *names, *objs;
    if (!PyArg_ParseTuple(args, "O!OO!:group", &PyType_Type, &cls, &names, &PyList_Type, &objs))
        return NULL;
    Py_ssize_t k;
    Py_ssize_t *offsets = slot_offsets(cls, names, &k);
    if (offsets == NULL)
        return NULL;
    PyObject *groups = NULL;
    if (check_types(objs, cls) < 0)
        goto done;
    groups = PyDict_New();
    if (groups == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objs); i++) {
        PyObject *obj = PyList_GET_ITEM(objs, i);
        PyObject *key = PyTuple_New(k);
        if (key == NULL)
            goto fail;
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *value = SLOT(obj, offsets[j]);
            if (value == NULL) {
                Py_DECREF(key);
                PyErr_Format(PyExc_AttributeError, "a %s has no value in one of its slots", cls->tp_name);
                goto fail;
            }
            Py_INCREF(value);
            PyTuple_SET_ITEM(key, j, value);
        }
        PyObject *members = PyDict_GetItemWithError(groups, key); /* borrowed */
        if (members == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(key);
                goto fail;
            }
            members = PyList_New(0);
            if (members == NULL || PyDict_SetItem(groups, key, members) < 0) {
                Py_XDECREF(members);
                Py_DECREF(key);
                goto fail;
            }
            Py_DECREF(members); /* the dict holds it */
        }
        Py_DECREF(key);
        if (PyList_Append(members, obj) < 0)
            goto fail;
    }
    goto done;
fail:
    Py_CLEAR(groups);
done:
    PyMem_Free(offsets);
    return groups;
}

static PyMethodDef methods[] = {
    {"group", cslots_group, METH_VARARGS, "group(cls, names, objs) -> {slot values: objs}, in first-seen order"},
    {"distinct", cslots_distinct, METH_O, "distinct(objs) -> objs without repeats, in first-seen order"},
    {"read", cslots_read, METH_VARARGS, "read(cls, names, objs) -> one list per slot name"},
    {"fill", cslots_fill, METH_VARARGS, "fill(cls, names, objs, columns, varying) -> None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cslots", "The save's slot loops in C (see _cslots.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__cslots(void)
{
    return PyModule_Create(&module);
}
