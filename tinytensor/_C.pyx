# cython: language_level=3
"""_C -- the one boundary between Python and the C core.

It holds the Tensor's fields (a tt_view plus the autograd slots), parses and normalises
arguments, makes one C call per operation, checks its status, and releases the GIL
around kernels on large data.  No math and no autograd logic live here: a loop belongs
in C, a decision in Python.  The pieces are split by topic into .pxi files."""
from cpython.object cimport PyTypeObject
from cpython.ref cimport PyObject, Py_INCREF, Py_DECREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_RECORDS_RO, PyBUF_WRITABLE
from cpython.pystate cimport PyGILState_Ensure, PyGILState_Release, PyGILState_STATE
from libc.stdint cimport int64_t, uint8_t, uint16_t, int32_t, uintptr_t
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset

from tinytensor.ctensor cimport *

include "_errors.pxi"
include "_dtype.pxi"
include "_tensor.pxi"
include "_create.pxi"
include "_shape.pxi"
include "_index.pxi"
include "_interop.pxi"
include "_math.pxi"
include "_random.pxi"
include "_select.pxi"
include "_fast.pxi"
