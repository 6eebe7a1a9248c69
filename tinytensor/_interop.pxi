# _interop.pxi -- sharing memory with numpy (buffer protocol) and DLPack.
#
# Borrowed memory becomes a storage with a deleter: the numpy buffer or the DLPack
# producer stays alive exactly as long as some tensor uses the storage.
from cpython.pycapsule cimport (PyCapsule_New, PyCapsule_GetPointer, PyCapsule_IsValid,
                                PyCapsule_SetName)

cdef const char *BUFFER_FORMAT[10]
BUFFER_FORMAT[:] = [b"?", b"B", b"b", b"h", b"i", b"q", b"e", NULL, b"f", b"d"]


cdef struct buffer_shape:
    Py_ssize_t shape[TT_MAX_DIMS]
    Py_ssize_t strides[TT_MAX_DIMS]


cdef int tensor_getbuffer(TensorBase self, Py_buffer *buffer, int flags) except -1:
    if self.v.dtype == TT_BFLOAT16:
        raise TypeError("Got unsupported ScalarType BFloat16 (bfloat16 has no numpy "
                        "dtype; convert with .float() first)")
    cdef buffer_shape *bs = <buffer_shape *>malloc(sizeof(buffer_shape))
    if bs == NULL:
        raise MemoryError()
    cdef int itemsize = tt_dtypes[self.v.dtype].itemsize
    for i in range(self.v.ndim):
        bs.shape[i] = self.v.shape[i]
        bs.strides[i] = self.v.strides[i] * itemsize
    buffer.buf = tt_view_data(&self.v)
    buffer.obj = self               # Cython takes the reference PyBuffer_Release drops
    buffer.len = tt_view_numel(&self.v) * itemsize
    buffer.readonly = 0
    buffer.itemsize = itemsize
    buffer.format = <char *>BUFFER_FORMAT[self.v.dtype]
    buffer.ndim = self.v.ndim
    buffer.shape = bs.shape
    buffer.strides = bs.strides
    buffer.suboffsets = NULL
    buffer.internal = bs
    return 0


# ---- numpy -> tensor, sharing memory --------------------------------------------------
cdef void release_py_buffer(void *ctx) noexcept nogil:
    with gil:
        PyBuffer_Release(<Py_buffer *>ctx)
    free(ctx)


cdef tt_dtype format_dtype(const char *fmt, Py_ssize_t itemsize, object arr) except *:
    f = fmt.decode()
    if f and f[0] == ">" or (f and f[0] == "!"):
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not "
                         "supported.")
    f = f.lstrip("<=@")
    if f == "?":
        return TT_BOOL
    if f == "e":
        return TT_FLOAT16
    if f == "f":
        return TT_FLOAT32
    if f == "d":
        return TT_FLOAT64
    if f in ("b", "h", "i", "l", "q"):
        return {1: TT_INT8, 2: TT_INT16, 4: TT_INT32, 8: TT_INT64}[itemsize]
    if f == "B":
        return TT_UINT8
    name = getattr(getattr(arr, "dtype", None), "name", f)
    raise TypeError(f"can't convert np.ndarray of type numpy.{name}. The only supported "
                    "types are: float64, float32, float16, int64, int32, int16, int8, "
                    "uint8, and bool.")


cdef int64_t numel_of(Py_buffer *buf):
    cdef int64_t n = 1
    for i in range(buf.ndim):
        n *= buf.shape[i]
    return n


def from_buffer_object(arr):
    """A tensor sharing arr's memory (numpy array or any buffer-protocol object)."""
    cdef Py_buffer *buf = <Py_buffer *>malloc(sizeof(Py_buffer))
    if buf == NULL:
        raise MemoryError()
    try:
        PyObject_GetBuffer(arr, buf, PyBUF_RECORDS_RO)
    except BaseException:
        free(buf)
        if getattr(getattr(arr, "dtype", None), "kind", "") == "O":
            raise TypeError("can't convert np.ndarray of type numpy.object_. The only "
                            "supported types are: float64, float32, float16, int64, int32, "
                            "int16, int8, uint8, and bool.") from None
        raise
    cdef tt_view v
    cdef tt_storage *s = NULL
    cdef int64_t extent = 1, numel = 1
    try:
        v.dtype = format_dtype(buf.format, buf.itemsize, arr)
        if buf.ndim > TT_MAX_DIMS:
            raise ValueError(f"arrays with more than {TT_MAX_DIMS} dims are not supported")
        v.ndim = buf.ndim
        v.offset = 0
        # numpy's own strides (its buffer export rewrites those of empty arrays)
        np_strides = getattr(arr, "strides", None) if numel_of(buf) == 0 else None
        for i in range(buf.ndim):
            if np_strides is not None:
                buf.strides[i] = np_strides[i]
            v.shape[i] = buf.shape[i]
            numel *= buf.shape[i]
            if buf.strides[i] < 0:
                raise ValueError(
                    "At least one stride in the given numpy array is negative, and tensors "
                    "with negative strides are not currently supported. (You can probably "
                    "work around this by making a copy of your array  with array.copy().) ")
            if buf.strides[i] % buf.itemsize:
                raise ValueError("given numpy array strides not a multiple of the element "
                                 "byte size. Copy the numpy array to reallocate the memory.")
            v.strides[i] = buf.strides[i] // buf.itemsize
            extent += (buf.shape[i] - 1) * v.strides[i]
        if numel == 0:
            extent = 0
        check(tt_storage_borrow(&s, buf.buf, extent * buf.itemsize, release_py_buffer, buf))
    except BaseException:
        PyBuffer_Release(buf)
        free(buf)
        raise
    v.storage = s
    return wrap_view(&v)


# ---- DLPack ------------------------------------------------------------------------------
cdef extern from *:
    """
    typedef struct { int32_t device_type; int32_t device_id; } tt_DLDevice;
    typedef struct { uint8_t code; uint8_t bits; uint16_t lanes; } tt_DLDataType;
    typedef struct {
        void *data; tt_DLDevice device; int32_t ndim; tt_DLDataType dtype;
        int64_t *shape; int64_t *strides; uint64_t byte_offset;
    } tt_DLTensor;
    typedef struct tt_DLManagedTensor {
        tt_DLTensor dl_tensor; void *manager_ctx;
        void (*deleter)(struct tt_DLManagedTensor *self);
    } tt_DLManagedTensor;
    typedef struct tt_DLManagedTensorVersioned {
        uint32_t major; uint32_t minor; void *manager_ctx;
        void (*deleter)(struct tt_DLManagedTensorVersioned *self);
        uint64_t flags; tt_DLTensor dl_tensor;
    } tt_DLManagedTensorVersioned;
    """
    ctypedef struct tt_DLDevice:
        int32_t device_type
        int32_t device_id
    ctypedef struct tt_DLDataType:
        uint8_t code
        uint8_t bits
        uint16_t lanes
    ctypedef struct tt_DLTensor:
        void *data
        tt_DLDevice device
        int32_t ndim
        tt_DLDataType dtype
        int64_t *shape
        int64_t *strides
        unsigned long long byte_offset
    ctypedef struct tt_DLManagedTensor:
        tt_DLTensor dl_tensor
        void *manager_ctx
        void (*deleter)(tt_DLManagedTensor *self) noexcept nogil
    ctypedef struct tt_DLManagedTensorVersioned:
        unsigned int major
        unsigned int minor
        void *manager_ctx
        void (*deleter)(tt_DLManagedTensorVersioned *self) noexcept nogil
        unsigned long long flags
        tt_DLTensor dl_tensor


cdef struct dl_export:
    tt_DLManagedTensor managed
    tt_DLManagedTensorVersioned versioned
    tt_storage *storage
    int64_t shape[TT_MAX_DIMS]
    int64_t strides[TT_MAX_DIMS]

# DLPack type codes: int 0, uint 1, float 2, bfloat 4, bool 6
cdef uint8_t DL_CODE[10]
DL_CODE[:] = [6, 1, 0, 0, 0, 0, 2, 4, 2, 2]


cdef void dl_export_deleter(tt_DLManagedTensor *m) noexcept nogil:
    cdef dl_export *e = <dl_export *>m.manager_ctx
    tt_storage_decref(e.storage)
    free(e)


cdef void dl_versioned_deleter(tt_DLManagedTensorVersioned *m) noexcept nogil:
    cdef dl_export *e = <dl_export *>m.manager_ctx
    tt_storage_decref(e.storage)
    free(e)


cdef void dl_capsule_destructor(object capsule) noexcept:
    # only a capsule nobody consumed still carries the name "dltensor"
    if PyCapsule_IsValid(capsule, b"dltensor"):
        m = <tt_DLManagedTensor *>PyCapsule_GetPointer(capsule, b"dltensor")
        m.deleter(m)


cdef void dl_versioned_capsule_destructor(object capsule) noexcept:
    if PyCapsule_IsValid(capsule, b"dltensor_versioned"):
        m = <tt_DLManagedTensorVersioned *>PyCapsule_GetPointer(capsule, b"dltensor_versioned")
        m.deleter(m)


def to_dlpack(TensorBase self, bint versioned=False):
    """A DLPack capsule sharing self's memory: "dltensor" (0.8) or, when the consumer
    asks for DLPack 1.x, "dltensor_versioned" (writable)."""
    cdef dl_export *e = <dl_export *>malloc(sizeof(dl_export))
    if e == NULL:
        raise MemoryError()
    tt_storage_incref(self.v.storage)
    e.storage = self.v.storage
    for i in range(self.v.ndim):
        e.shape[i] = self.v.shape[i]
        e.strides[i] = self.v.strides[i]
    e.managed.dl_tensor.data = self.v.storage.data
    e.managed.dl_tensor.byte_offset = self.v.offset * tt_dtypes[self.v.dtype].itemsize
    e.managed.dl_tensor.device.device_type = 1
    e.managed.dl_tensor.device.device_id = 0
    e.managed.dl_tensor.ndim = self.v.ndim
    e.managed.dl_tensor.dtype.code = DL_CODE[self.v.dtype]
    e.managed.dl_tensor.dtype.bits = 8 * tt_dtypes[self.v.dtype].itemsize
    e.managed.dl_tensor.dtype.lanes = 1
    e.managed.dl_tensor.shape = e.shape
    e.managed.dl_tensor.strides = e.strides
    e.managed.manager_ctx = e
    e.managed.deleter = dl_export_deleter
    if not versioned:
        return PyCapsule_New(&e.managed, b"dltensor", dl_capsule_destructor)
    e.versioned.major = 1
    e.versioned.minor = 0
    e.versioned.manager_ctx = e
    e.versioned.deleter = dl_versioned_deleter
    e.versioned.flags = 0
    e.versioned.dl_tensor = e.managed.dl_tensor
    return PyCapsule_New(&e.versioned, b"dltensor_versioned", dl_versioned_capsule_destructor)


cdef void dl_import_deleter(void *ctx) noexcept nogil:
    cdef tt_DLManagedTensor *m = <tt_DLManagedTensor *>ctx
    if m.deleter != NULL:
        m.deleter(m)


def from_dlpack_capsule(capsule):
    """Wrap a consumed "dltensor" capsule's memory as a tensor (no copy)."""
    if not PyCapsule_IsValid(capsule, b"dltensor"):
        raise RuntimeError("from_dlpack: expected a DLPack capsule named 'dltensor' "
                           "(an unused capsule from __dlpack__())")
    cdef tt_DLManagedTensor *m = <tt_DLManagedTensor *>PyCapsule_GetPointer(capsule, b"dltensor")
    cdef tt_DLTensor *t = &m.dl_tensor
    if t.device.device_type != 1:
        raise RuntimeError("from_dlpack: only CPU tensors can be imported by tinytensor")
    if t.dtype.lanes != 1:
        raise RuntimeError("from_dlpack: vector lanes are not supported")
    cdef tt_dtype dt
    key = (t.dtype.code, t.dtype.bits)
    table = {(6, 8): TT_BOOL, (1, 8): TT_UINT8, (0, 8): TT_INT8, (0, 16): TT_INT16,
             (0, 32): TT_INT32, (0, 64): TT_INT64, (2, 16): TT_FLOAT16, (4, 16): TT_BFLOAT16,
             (2, 32): TT_FLOAT32, (2, 64): TT_FLOAT64}
    if key not in table:
        raise RuntimeError(f"from_dlpack: unsupported DLPack dtype code {key[0]} with "
                           f"{key[1]} bits")
    dt = table[key]
    if t.ndim > TT_MAX_DIMS:
        raise RuntimeError("from_dlpack: too many dimensions")
    cdef tt_view v
    cdef int itemsize = tt_dtypes[dt].itemsize
    v.dtype = dt
    v.ndim = t.ndim
    v.offset = 0
    cdef int64_t extent = 1, numel = 1
    for i in range(t.ndim):
        v.shape[i] = t.shape[i]
        numel *= t.shape[i]
    if t.strides == NULL:
        tt_contiguous_strides(v.strides, v.ndim, v.shape)
    else:
        for i in range(t.ndim):
            v.strides[i] = t.strides[i]
            if v.strides[i] < 0:
                raise RuntimeError("from_dlpack: negative strides are not supported")
    for i in range(t.ndim):
        extent += (v.shape[i] - 1) * v.strides[i]
    if numel == 0:
        extent = 0
    cdef tt_storage *s = NULL
    PyCapsule_SetName(capsule, b"used_dltensor")
    cdef char *base = <char *>t.data + t.byte_offset
    check(tt_storage_borrow(&s, base, extent * itemsize, dl_import_deleter, m))
    v.storage = s
    return wrap_view(&v)
