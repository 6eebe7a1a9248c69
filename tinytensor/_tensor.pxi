# _tensor.pxi -- the Tensor's fields, how new tensors are made, and grad mode.
#
# TensorBase holds a tt_view (which owns one storage reference) and the slots autograd
# needs.  The Python class tinytensor.Tensor subclasses it and adds the methods;
# results made here are instances of whatever class set_tensor_type() registered.

# grad mode is per thread, as torch's: no_grad() in one thread leaves the others alone
cdef extern from *:
    """
    static _Thread_local int tt_grad_enabled = 1;
    """
    int tt_grad_enabled


def is_grad_enabled():
    """True when operations record autograd graphs (not inside no_grad)."""
    return tt_grad_enabled != 0


def _set_grad_enabled(bint mode):
    global tt_grad_enabled
    prev = tt_grad_enabled != 0
    tt_grad_enabled = mode
    return prev


cdef class TensorBase:
    cdef tt_view v
    cdef public object _grad            # .grad of a leaf
    cdef public object _grad_fn         # the autograd node that made this tensor
    cdef public bint _requires_grad     # a leaf that wants gradients
    cdef public object _base            # the tensor this is a view of, if any
    cdef public object _hooks           # register_hook callbacks, or None
    cdef public bint _retains_grad
    cdef public int _output_nr          # which output of _grad_fn this is
    cdef object __weakref__

    def __cinit__(self):
        self.v.storage = NULL
        self.v.ndim = 0

    def __dealloc__(self):
        tt_storage_decref(self.v.storage)

    # ---- facts about the view -------------------------------------------------------
    @property
    def dtype(self):
        return DTYPES[self.v.dtype]

    @property
    def shape(self):
        return make_size(&self.v)

    def size(self, dim=None):
        """The shape as a Size, or one dim's length."""
        if dim is None:
            return make_size(&self.v)
        return self.v.shape[wrap_dim(dim, self.v.ndim)]

    def stride(self, dim=None):
        """Strides in elements, as torch (a tuple, or one dim's stride)."""
        if dim is None:
            return tuple([self.v.strides[i] for i in range(self.v.ndim)])
        return self.v.strides[wrap_dim(dim, self.v.ndim)]

    @property
    def ndim(self):
        return self.v.ndim

    def dim(self):
        return self.v.ndim

    def ndimension(self):
        return self.v.ndim

    def numel(self):
        return tt_view_numel(&self.v)

    def nelement(self):
        return tt_view_numel(&self.v)

    def element_size(self):
        return tt_dtypes[self.v.dtype].itemsize

    @property
    def itemsize(self):
        return tt_dtypes[self.v.dtype].itemsize

    @property
    def nbytes(self):
        return tt_view_numel(&self.v) * tt_dtypes[self.v.dtype].itemsize

    def storage_offset(self):
        return self.v.offset

    def data_ptr(self):
        return <uintptr_t>tt_view_data(&self.v)

    def _storage_ptr(self):
        """Address of the storage block: equal for tensors that share memory."""
        return <uintptr_t>self.v.storage.data

    def _storage_nbytes(self):
        return self.v.storage.nbytes

    def _storage_refcount(self):
        return self.v.storage.refcount

    @property
    def _version(self):
        return self.v.storage.version

    def _bump_version(self):
        self.v.storage.version += 1

    def is_contiguous(self, memory_format=None):
        return tt_is_contiguous(&self.v)

    def is_floating_point(self):
        return tt_dtypes[self.v.dtype].category == TT_CAT_FLOAT

    def is_complex(self):
        return False

    def _is_view_of(self, TensorBase other):
        """True when both tensors use the same storage block."""
        return self.v.storage == other.v.storage

    def _overlaps(self, TensorBase other):
        return tt_views_overlap(&self.v, &other.v)

    def __len__(self):
        if self.v.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.v.shape[0]

    # ---- memory sharing (see _interop.pxi) ---------------------------------------------
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        tensor_getbuffer(self, buffer, flags)

    def __releasebuffer__(self, Py_buffer *buffer):
        free(buffer.internal)

    # ---- scalars out ------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.v.ndim == 0:        # a loss: the float dtypes read inline, no index
            if self.v.dtype == TT_FLOAT32:
                return (<float *>tt_view_data(&self.v))[0]
            if self.v.dtype == TT_FLOAT64:
                return (<double *>tt_view_data(&self.v))[0]
        elif tt_view_numel(&self.v) != 1:
            raise RuntimeError(f"a Tensor with {tt_view_numel(&self.v)} elements cannot be "
                               "converted to Scalar")
        return read_item(&self.v)

    # ---- the fast path: straight to C when no gradient is involved -----------------
    # (see Note [fast path] in _fast.pxi; anything else runs the op in tinytensor/ops/)
    def __add__(self, other):
        return binary_op(BIN_ADD, self, other, False, "__add__")

    def __radd__(self, other):
        return binary_op(BIN_ADD, self, other, False, "__radd__")   # add(self, other)

    def __sub__(self, other):
        return binary_op(BIN_SUB, self, other, False, "__sub__")

    def __rsub__(self, other):
        return binary_op(BIN_SUB, self, other, True, "__rsub__")

    def __mul__(self, other):
        return binary_op(BIN_MUL, self, other, False, "__mul__")

    def __rmul__(self, other):
        return binary_op(BIN_MUL, self, other, False, "__rmul__")   # mul(self, other)

    def __truediv__(self, other):
        return binary_op(BIN_DIV, self, other, False, "__truediv__")

    def __rtruediv__(self, other):
        return SLOW["__rtruediv__"](self, other)    # 1 / t is reciprocal(t) * 1

    def add_(self, other, *args, **kwargs):
        return inplace_binary(BIN_ADD, "add_", self, other, args, kwargs)

    def mul_(self, other, *args, **kwargs):
        return inplace_binary(BIN_MUL, "mul_", self, other, args, kwargs)

    def __getitem__(self, index):
        return fast_getitem(self, index)

    def view(self, *shape):
        return fast_view(self, shape)

    def reshape(self, *shape):
        return fast_reshape(self, shape)

    def expand(self, *sizes):
        return fast_expand(self, sizes)

    def sum(self, dim=None, keepdim=False, *, dtype=None, out=None):
        # named parameters, not *args/**kwargs: those cost a tuple and a dict per call
        return fast_sum(self, dim, keepdim, dtype, out)

    def tolist(self):
        """Nested Python lists of the values (a number for a 0-d tensor)."""
        if self.v.ndim == 0:
            return read_item(&self.v)
        cdef int64_t index[TT_MAX_DIMS]
        return tolist_rec(&self.v, 0, index)


cdef type TensorType = TensorBase
cdef TensorBase PROBE = TensorBase()    # for field offsets
cdef object Size = tuple


# Note [operator slots]: Cython lists a cdef class's __add__ as a method, not as a slot
# wrapper, so CPython gives a Python subclass its generic slot, which looks __add__ up by
# name on every `a + b` (~0.1 us).  tinytensor.Tensor defines none of these operators,
# so it can use TensorBase's C slots as they are.
cdef extern from *:
    """
    static void tt_share_binary_slots(PyTypeObject *sub, PyTypeObject *base)
    {
        sub->tp_as_number->nb_add = base->tp_as_number->nb_add;
        sub->tp_as_number->nb_subtract = base->tp_as_number->nb_subtract;
        sub->tp_as_number->nb_multiply = base->tp_as_number->nb_multiply;
        sub->tp_as_number->nb_true_divide = base->tp_as_number->nb_true_divide;
    }
    """
    void tt_share_binary_slots(PyTypeObject *sub, PyTypeObject *base)


# Note [tensor free list]: a Tensor object is ~1.1 KB (the tt_view holds TT_MAX_DIMS
# shape and stride slots), above pymalloc's 512 B and glibc's tcache sizes, so making one
# cost a full malloc plus a memset of all of it, and freeing it a full free: more than
# the kernel of a 10-element add.  Cython's @cython.freelist cannot serve a Python
# subclass (a heap type), so tinytensor.Tensor and its subclasses get their own
# tp_alloc/tp_free pair (recycle_objects, called for each by Tensor.__init_subclass__:
# `t.__class__ = Parameter` needs one deallocator for both): a freed object's memory
# (its fields already cleared by the dealloc, its storage already released) waits in a
# short stack and the next allocation takes it, clearing every byte but the shape and
# stride slots (dead until ndim says otherwise), as PyType_GenericAlloc would.  Only the
# object's memory is kept: never a storage, a __dict__ or a weakref.  CPython 3.11 and
# 3.12 lay objects out as this code expects (the GC header and the managed-dict words
# before the object); other versions keep the generic allocator.
cdef extern from *:
    """
    #if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030D0000 && !defined(Py_GIL_DISABLED)
    #define TT_RECYCLE_TENSORS 1
    #else
    #define TT_RECYCLE_TENSORS 0
    #endif
    #define TT_FREE_TENSORS 64

    static PyObject *tt_free_tensors[TT_FREE_TENSORS];
    static int tt_nfree_tensors;
    static Py_ssize_t tt_basicsize;                 /* of every recycling type */
    static unsigned long tt_layout_flags;           /* their GC and managed-dict flags */
    static Py_ssize_t tt_keep_from, tt_keep_to;     /* bytes left as they are */
    static size_t tt_preheader;                     /* bytes before the object */

    static PyObject *
    tt_tensor_alloc(PyTypeObject *type, Py_ssize_t nitems)
    {
        if (tt_nfree_tensors == 0 || nitems != 0)
            return PyType_GenericAlloc(type, nitems);
        PyObject *o = tt_free_tensors[--tt_nfree_tensors];
        char *p = (char *)o;
        memset(p - tt_preheader, 0, tt_preheader);  /* untracked, no dict */
        memset(p, 0, (size_t)tt_keep_from);
        memset(p + tt_keep_to, 0, (size_t)(tt_basicsize - tt_keep_to));
        PyObject_Init(o, type);                     /* type reference, refcount 1 */
        PyObject_GC_Track(o);
        return o;
    }

    static void
    tt_tensor_free(void *p)
    {
        if (tt_nfree_tensors == TT_FREE_TENSORS) {
            PyObject_GC_Del(p);
            return;
        }
        PyObject_GC_UnTrack(p);
        tt_free_tensors[tt_nfree_tensors++] = (PyObject *)p;
    }

    /* Give type the recycling allocator when its objects are laid out as the first
       such type's: the same size, GC and managed-dict flags, and the generic pair. */
    static void
    tt_recycle_tensors(PyTypeObject *type, Py_ssize_t keep_from, Py_ssize_t keep_to)
    {
        unsigned long flags = type->tp_flags & (Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MANAGED_DICT);
        if (!TT_RECYCLE_TENSORS || !(flags & Py_TPFLAGS_HAVE_GC) || type->tp_itemsize != 0
                || type->tp_alloc != PyType_GenericAlloc || type->tp_free != PyObject_GC_Del)
            return;
        if (tt_basicsize == 0) {
            tt_basicsize = type->tp_basicsize;
            tt_layout_flags = flags;
            tt_keep_from = keep_from;
            tt_keep_to = keep_to;
            /* the GC header (PyGC_Head, internal: _gc_next and _gc_prev) and, for a
               class with a __dict__, its two managed-dict words */
            tt_preheader = 2 * sizeof(uintptr_t) +
                ((flags & Py_TPFLAGS_MANAGED_DICT) ? 2 * sizeof(PyObject *) : 0);
        } else if (type->tp_basicsize != tt_basicsize || flags != tt_layout_flags) {
            return;
        }
        type->tp_alloc = tt_tensor_alloc;
        type->tp_free = tt_tensor_free;
    }

    static int
    tt_free_tensor_count(void)
    {
        return tt_nfree_tensors;
    }
    """
    void tt_recycle_tensors(PyTypeObject *type, Py_ssize_t keep_from, Py_ssize_t keep_to)
    int tt_free_tensor_count()


cdef Py_ssize_t recycle_from(TensorBase t) noexcept:
    """Where t's shape and stride slots start, from the start of the object."""
    return <char *>t.v.shape - <char *><PyObject *>t


cdef Py_ssize_t recycle_to(TensorBase t) noexcept:
    return <char *>(t.v.strides + TT_MAX_DIMS) - <char *><PyObject *>t


def recycle_objects(type cls):
    """Let cls (tinytensor.Tensor or a subclass) reuse freed objects (see Note [tensor
    free list])."""
    if not issubclass(cls, TensorBase) or cls is TensorBase:
        raise TypeError("recycle_objects() takes a Python subclass of TensorBase")
    tt_recycle_tensors(<PyTypeObject *>cls, recycle_from(PROBE), recycle_to(PROBE))


def _free_tensor_count():
    """How many freed Tensor objects wait for reuse (see Note [tensor free list])."""
    return tt_free_tensor_count()


def set_tensor_type(cls, size_cls):
    """Called once by tinytensor: results are made as instances of cls; shapes as size_cls."""
    global TensorType, Size
    TensorType = cls
    Size = size_cls
    operators = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                 "__truediv__", "__rtruediv__")
    if not any(name in cls.__dict__ for name in operators):   # see Note [operator slots]
        tt_share_binary_slots(<PyTypeObject *>cls, <PyTypeObject *>TensorBase)
    recycle_objects(cls)


cdef tuple NO_ARGS = ()


cdef inline TensorBase new_tensor_object():
    """An empty Tensor object: TensorBase.__new__(TensorType), by its C slot (the
    Python-level call looks __new__ up by name and checks its arguments: ~0.1 us)."""
    return <TensorBase>(<PyTypeObject *>TensorBase).tp_new(TensorType, <PyObject *>NO_ARGS, NULL)


cdef extern from *:
    """
    /* A tuple (or a subclass of it, such as Size) of the ndim sizes: the subclass comes
       from its tp_alloc and is filled in place, as tuple.__new__ does but with no
       intermediate tuple. */
    static PyObject *
    tt_make_size(PyTypeObject *type, int ndim, const int64_t *shape)
    {
        PyObject *t = type == &PyTuple_Type ? PyTuple_New(ndim) : type->tp_alloc(type, ndim);
        if (!t)
            return NULL;
        for (int i = 0; i < ndim; i++) {
            PyObject *d = PyLong_FromLongLong(shape[i]);
            if (!d) {
                Py_DECREF(t);
                return NULL;
            }
            PyTuple_SET_ITEM(t, i, d);
        }
        return t;
    }
    """
    object tt_make_size(PyTypeObject *type, int ndim, const int64_t *shape)


cdef inline object make_size(const tt_view *v):
    """v's shape as a Size (autograd reads .shape for every op)."""
    return tt_make_size(<PyTypeObject *>Size, v.ndim, v.shape)


cdef inline void set_view(TensorBase t, const tt_view *v) noexcept:
    """t.v = v[0], copying only the ndim shape and stride slots in use (a whole tt_view
    is 1 KB; see Note [tensor free list])."""
    t.v.storage = v.storage
    t.v.dtype = v.dtype
    t.v.ndim = v.ndim
    t.v.offset = v.offset
    cdef int i
    for i in range(v.ndim):
        t.v.shape[i] = v.shape[i]
        t.v.strides[i] = v.strides[i]


cdef inline TensorBase wrap_view(tt_view *v):
    """A new Tensor object owning v's storage reference (which the caller gives up)."""
    cdef TensorBase t = new_tensor_object()
    set_view(t, v)
    return t


cdef inline TensorBase view_of(TensorBase base, tt_view *v):
    """A new Tensor object for a view of base's storage (takes a new reference)."""
    tt_storage_incref(v.storage)
    cdef TensorBase t = new_tensor_object()
    set_view(t, v)
    t._base = base if base._base is None else base._base
    return t


def rebind(TensorBase self, TensorBase source):
    """Point self at source's storage and view (dtype, shape, strides, offset) in place:
    self keeps its identity, grad and autograd slots (`t.data = s`, `t.set_(s)`, and the
    in-place view ops such as `t.unsqueeze_(0)`)."""
    tt_storage_incref(source.v.storage)     # first: source may share self's storage
    tt_storage_decref(self.v.storage)
    set_view(self, &source.v)
    return self


cdef TensorBase new_empty(tt_dtype dt, int ndim, const int64_t *shape):
    """A new contiguous tensor of fresh memory (tt_empty fills the object's own view)."""
    cdef TensorBase t = new_tensor_object()
    check(tt_empty(&t.v, dt, ndim, shape))
    return t


cdef inline int wrap_dim(object dim, int ndim) except -1:
    cdef long d
    try:
        d = dim.__index__()
    except AttributeError:
        raise TypeError(f"dim must be an int, got {type(dim).__name__}") from None
    cdef int n = ndim if ndim > 0 else 1
    if d < -n or d >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {d})")
    return d + n if d < 0 else d


def _wrap_dim(dim, int ndim):
    return wrap_dim(dim, ndim)


cdef int64_t FIRST[TT_MAX_DIMS]      # all zeros: the index of the first element


cdef object read_item(tt_view *v):
    return read_at(v, FIRST)


cdef object read_at(tt_view *v, int64_t *index):
    cdef double f
    cdef int64_t i
    tt_read_scalar(v, index, &f, &i)
    if v.dtype == TT_BOOL:
        return i != 0
    if tt_dtypes[v.dtype].category == TT_CAT_INT:
        return i
    return f


cdef object tolist_rec(tt_view *v, int d, int64_t *index):
    cdef list out = []
    cdef int64_t k
    for k in range(v.shape[d]):
        index[d] = k
        if d == v.ndim - 1:
            out.append(read_at(v, index))
        else:
            out.append(tolist_rec(v, d + 1, index))
    return out


cdef inline TensorBase as_tensor_arg(object x, str what):
    if isinstance(x, TensorBase):
        return <TensorBase>x
    raise TypeError(f"{what} must be a Tensor, not {type(x).__name__}")


# ---- thread control and the buffer cache ----------------------------------------------
def get_num_threads():
    """Threads the kernels may use (1 when built without OpenMP)."""
    return tt_get_num_threads()


def set_num_threads(int n):
    """Set the number of threads kernels may use."""
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    tt_set_num_threads(n)


def has_openmp():
    return tt_has_openmp()


def empty_cache():
    """Give cached large buffers back to the system."""
    tt_empty_cache()


def cached_bytes():
    return tt_cached_bytes()


def iter_plan(TensorBase out, inputs, bint coalesce=True, bint input_order=False):
    """The strided iterator's plan for out <- op(inputs): dims after broadcasting,
    dropping size-1 dims, ordering and coalescing (innermost first), byte strides per
    operand.  For teaching: see tinytensor.explain.loop_plan."""
    cdef tt_iter_plan p
    cdef const tt_view *ins[TT_MAX_OPERANDS]
    cdef int n = len(inputs), k, d
    if n > TT_MAX_OPERANDS - 1:
        raise ValueError("at most 3 inputs")
    for k in range(n):
        ins[k] = &(<TensorBase>inputs[k]).v
    cdef int flags = (0 if coalesce else TT_ITER_NO_COALESCE) | \
        (TT_ITER_INPUT_ORDER if input_order else 0)
    check(tt_iter_plan_build(&p, &out.v, n, ins, flags))
    return {"shape": [p.shape[d] for d in range(p.ndim)],
            "strides": [[p.strides[k][d] for d in range(p.ndim)] for k in range(p.nop)],
            "itemsize": [p.itemsize[k] for k in range(p.nop)],
            "numel": p.numel}
