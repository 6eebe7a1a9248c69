# _create.pxi -- making tensors: empty storage, tensor(data) from nested Python data,
# fill, copy (with casts), and the shape-argument parser every creation function uses.

cdef int parse_shape(object args, int64_t *shape) except -1:
    """Fill shape from (*size) or (size_tuple,); return ndim."""
    if len(args) == 1 and not hasattr(args[0], "__index__"):
        args = args[0]
        if isinstance(args, TensorBase):
            args = args.tolist()
    cdef int n = len(args)
    if n > TT_MAX_DIMS:
        raise RuntimeError(f"tensors may have at most {TT_MAX_DIMS} dimensions, got {n}")
    for i in range(n):
        x = args[i]
        try:
            shape[i] = x.__index__()
        except AttributeError:
            raise TypeError(f"size must be a tuple of ints, but got element {i} of type "
                            f"{type(x).__name__}") from None
        except OverflowError:
            raise RuntimeError(f"size {x} at dim {i} is too large") from None
        if shape[i] < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{shape[i]}: {list(args)}")
    return n


def _parse_shape(args):
    cdef int64_t shape[TT_MAX_DIMS]
    cdef int n = parse_shape(args, shape)
    return tuple([shape[i] for i in range(n)])


def empty(shape, dt=None):
    """An uninitialised contiguous tensor: empty((2, 3), float32)."""
    cdef int64_t s[TT_MAX_DIMS]
    cdef int n = parse_shape((shape,), s)
    cdef int64_t numel
    cdef tt_status st = tt_numel(&numel, n, s)
    if st != TT_OK:
        dims = ", ".join(str(s[i]) for i in range(n))
        raise RuntimeError(f"Storage size calculation overflowed with sizes=[{dims}]")
    return new_empty(dtype_code(dt), n, s)


def empty_strided(size, stride, dt=None):
    """An uninitialised tensor with the given shape and strides."""
    cdef int64_t s[TT_MAX_DIMS]
    cdef int64_t st[TT_MAX_DIMS]
    cdef int n = parse_shape((size,), s)
    if len(stride) != n:
        raise RuntimeError(f"dimensionality of sizes ({n}) must match dimensionality of "
                           f"strides ({len(stride)})")
    for i in range(n):
        st[i] = stride[i]
    # Python ints: a wrapped int64 extent would allocate too little and pass the bounds check
    sizes, strides = [s[i] for i in range(n)], [st[i] for i in range(n)]
    big = 0 if 0 in sizes else 1 + sum((a - 1) * b for a, b in zip(sizes, strides))
    if min(strides, default=0) < 0 or big >= 2**63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={sizes} and "
                           f"strides={strides}")
    cdef int64_t extent = big
    cdef TensorBase flat = new_empty(dtype_code(dt), 1, &extent)
    cdef tt_view v
    check(tt_view_as_strided(&v, &flat.v, n, s, st, 0))
    tt_storage_incref(v.storage)
    return wrap_view(&v)


def fill_(TensorBase self, value):
    """Write value into every element (casting as torch does); returns self."""
    cdef tt_scalar sc = to_scalar(value)
    if isinstance(value, TensorBase):
        return copy_(self, value)
    check_scalar_fits(sc, self.v.dtype)
    cdef tt_status s
    if tt_view_numel(&self.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_fill(&self.v, sc)
    else:
        s = tt_fill(&self.v, sc)
    check(s)
    self.v.storage.version += 1
    return self


cdef int check_scalar_fits(tt_scalar sc, tt_dtype dt) except -1:
    """torch refuses to fill an integer tensor with a value outside its range (uint8 takes
    -255..255 from ints, which wrap, but only 0..255 from floats; NaN and inf never)."""
    if tt_dtypes[dt].category != TT_CAT_INT or (dt == TT_INT64 and not sc.is_float):
        return 0
    cdef int bits = tt_dtypes[dt].itemsize * 8
    cdef double hi = 2.0 ** (bits - 1) - 1 if tt_dtypes[dt].is_signed else 2.0 ** bits - 1
    cdef double lo = -hi - 1 if tt_dtypes[dt].is_signed else (0.0 if sc.is_float else -hi)
    cdef double v = sc.f if sc.is_float else <double>sc.i
    if not (v >= lo and (v < 2.0 ** 63 if dt == TT_INT64 else v <= hi)):
        raise RuntimeError(f"value cannot be converted to type "
                           f"{tt_dtypes[dt].name.decode()}_t without overflow")
    return 0


cdef tt_scalar to_scalar(object value) except *:
    cdef tt_scalar sc
    sc.f = 0
    sc.i = 0
    sc.is_float = False
    if isinstance(value, bool):
        sc.i = 1 if value else 0
    elif isinstance(value, int):
        try:
            sc.i = value
        except OverflowError:
            raise RuntimeError(f"value cannot be converted to type int64 without "
                               f"overflow") from None
    elif isinstance(value, float):
        sc.f = value
        sc.is_float = True
    elif isinstance(value, TensorBase):
        if tt_view_numel(&(<TensorBase>value).v) != 1:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got "
                               f"tensor with {(<TensorBase>value).v.ndim} dimensions.")
        return to_scalar(value.item())
    elif hasattr(value, "__index__"):
        sc.i = value.__index__()
    elif hasattr(value, "__float__"):
        sc.f = float(value)
        sc.is_float = True
    else:
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return sc


def copy_(TensorBase dst, TensorBase src, bint check_overlap=False):
    """dst[...] = src with broadcasting and casting; returns dst.  check_overlap: refuse
    what torch's copy_ refuses (the user's copy_ and setitem ask for it; autograd's
    internal copies into as_strided regions do not)."""
    cdef tt_status s
    if dst.v.ndim < src.v.ndim:
        # broadcasting may not grow the destination, not even by leading 1s (as torch;
        # setitem drops those itself)
        try:
            shape = _broadcast_two(list(dst.shape), list(src.shape))
        except IndexError:
            shape = list(src.shape)
        raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the "
                           f"broadcast shape {shape}")
    # as torch: refuse an expanded dst or one that partly overlaps src (the result would
    # depend on the order the loop visits elements); an empty dst is never written
    cdef const tt_view *ins[1]
    ins[0] = &src.v
    if check_overlap and tt_view_numel(&dst.v):
        check(tt_check_writable(&dst.v, 1, ins))
    if tt_view_numel(&dst.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_copy(&dst.v, &src.v)
    else:
        s = tt_copy(&dst.v, &src.v)
    if s != TT_OK:
        if s == TT_ESHAPE:
            raise RuntimeError(f"The size of tensor a ({dst.shape}) must match the size "
                               f"of tensor b ({src.shape}) for copy_: "
                               + tt_last_error().decode())
        check(s)
    dst.v.storage.version += 1
    return dst


def cast(TensorBase self, dt, bint preserve=False):
    """A new tensor with self's values converted to dtype dt: contiguous, or with
    preserve laid out like self as torch's .to()/.clone() (empty_like, preserve_format)."""
    cdef tt_dtype code = dtype_code(dt)
    cdef TensorBase out = new_empty(code, self.v.ndim, self.v.shape)
    cdef const tt_view *ins[1]
    ins[0] = &self.v
    if preserve and self.v.ndim > 1:
        tt_elementwise_strides(out.v.strides, self.v.ndim, self.v.shape, 1, ins)
    cdef tt_status s
    if tt_view_numel(&self.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_copy(&out.v, &self.v)
    else:
        s = tt_copy(&out.v, &self.v)
    check(s)
    return out


def clone(TensorBase self, bint preserve=False):
    """A copy of self's values (same dtype): contiguous, or laid out like self."""
    return cast(self, DTYPES[self.v.dtype], preserve)


# ---- tensor(data) ---------------------------------------------------------------------
cdef tt_dtype leaf_dtype(object x) except *:
    """The dtype torch infers for one element of tensor(data)."""
    if isinstance(x, bool):
        return TT_BOOL
    if isinstance(x, int):
        return TT_INT64
    if isinstance(x, float):
        t = type(x)
        if t is not float and hasattr(x, "dtype"):       # numpy.float64 and friends
            return dtype_code(to_dtype(x.dtype))
        return default_float
    if isinstance(x, TensorBase):
        if tt_view_numel(&(<TensorBase>x).v) != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return (<TensorBase>x).v.dtype
    if isinstance(x, str):
        raise ValueError(f"too many dimensions 'str'")
    if isinstance(x, complex):
        raise TypeError("complex numbers are not supported by tinytensor")
    dt = getattr(x, "dtype", None)
    if dt is not None and getattr(x, "ndim", 1) == 0:   # numpy scalars
        return dtype_code(to_dtype(dt))
    if hasattr(x, "__index__"):
        return TT_INT64
    if hasattr(x, "__float__"):
        return default_float
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


cdef bint is_sequence(object x):
    if type(x) is float or type(x) is int or type(x) is bool:
        return False        # the common leaves, before hasattr's failing lookups
    return isinstance(x, (list, tuple)) or (
        hasattr(x, "__len__") and hasattr(x, "__getitem__") and not isinstance(x, (str, bytes, TensorBase))
        and not (hasattr(x, "ndim") and x.ndim == 0))


cdef int infer_shape(object data, int64_t *shape) except -1:
    cdef int n = 0
    x = data
    while is_sequence(x):
        if n == TT_MAX_DIMS:
            raise ValueError(f"too many dimensions (more than {TT_MAX_DIMS})")
        shape[n] = len(x)
        n += 1
        if shape[n - 1] == 0:
            break
        x = x[0]
    if isinstance(x, str):
        raise ValueError(f"too many dimensions 'str'")
    return n


cdef struct fill_state:
    int64_t pos
    int64_t *ints
    double *floats
    bint is_float
    tt_dtype dtype
    int target              # the dtype= asked for (its values are range-checked), or -1


cdef int fill_rec(object x, int d, int ndim, const int64_t *shape, fill_state *st) except -1:
    cdef int64_t k, n
    if d == ndim:
        if is_sequence(x):
            raise ValueError(f"too many dimensions: expected {ndim} nested levels")
        dt = leaf_dtype(x)
        st.dtype = tt_promote(st.dtype, dt) if st.pos else dt
        if isinstance(x, TensorBase):
            x = x.item()
        if st.is_float:
            st.floats[st.pos] = float(x)
        else:
            try:
                st.ints[st.pos] = x.__index__() if not isinstance(x, float) else <int64_t>x
            except OverflowError:
                raise ValueError("Overflow when unpacking long long") from None
        if st.target >= 0:
            check_range(st.floats[st.pos] if st.is_float else <double>st.ints[st.pos],
                        not hasattr(x, "__index__"), <tt_dtype>st.target)
        st.pos += 1
        return 0
    if not is_sequence(x):
        raise TypeError(f"not a sequence")
    n = len(x)
    if n != shape[d]:
        raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {n})")
    for k in range(n):
        fill_rec(x[k], d + 1, ndim, shape, st)
    return 0


cdef bint has_float_leaf(object x):
    if type(x) is float:
        return True
    if type(x) is int or type(x) is bool:
        return False
    if is_sequence(x):
        for y in x:
            if has_float_leaf(y):
                return True
        return False
    if isinstance(x, TensorBase):
        return (<TensorBase>x).is_floating_point()
    return isinstance(x, float) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") == "f")


cdef int check_range(double f, bint from_float, tt_dtype target) except -1:
    """torch refuses values that do not fit an explicitly requested integer dtype
    (unsigned types take integers in -max..max, wrapping negatives as two's complement,
    but floats only in 0..max)."""
    if tt_dtypes[target].category != TT_CAT_INT or (target == TT_INT64 and not from_float):
        return 0
    cdef int bits = tt_dtypes[target].itemsize * 8
    cdef double lo, hi
    if tt_dtypes[target].is_signed:
        hi = 2.0 ** (bits - 1) - 1
        lo = -(2.0 ** (bits - 1))
    else:
        hi = 2.0 ** bits - 1
        lo = 0.0 if from_float else -hi     # tensor([-2.0], dtype=uint8) raises
    if not (f >= lo and f <= hi):
        name = tt_dtypes[target].name.decode()
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return 0


def tensor_from_data(data, dt=None):
    """tensor(data): copy nested lists/tuples/scalars into a new tensor, inferring the
    dtype as torch does (bool -> bool, int -> int64, float -> default dtype)."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    cdef int64_t shape[TT_MAX_DIMS]
    cdef int ndim = infer_shape(data, shape)
    cdef int64_t numel = 1
    for i in range(ndim):
        numel *= shape[i]
    cdef fill_state st
    st.pos = 0
    st.dtype = default_float if numel == 0 else TT_BOOL
    st.target = -1 if dt is None else dtype_code(dt)
    # a float or bool target reads Python ints as doubles: tensor([2**64], dtype=float32)
    st.is_float = has_float_leaf(data) or (
        st.target >= 0 and tt_dtypes[st.target].category != TT_CAT_INT)
    cdef int64_t nbytes = (numel if numel > 0 else 1) * 8
    cdef void *buf = malloc(nbytes)
    if buf == NULL:
        raise MemoryError()
    st.ints = <int64_t *>buf
    st.floats = <double *>buf
    cdef tt_view src
    cdef tt_storage fake
    cdef TensorBase out
    try:
        fill_rec(data, 0, ndim, shape, &st)
        target = st.dtype if dt is None else dtype_code(dt)
        out = new_empty(target, ndim, shape)
        # view the scratch buffer as a contiguous float64/int64 tensor and cast-copy it
        fake.data = <char *>buf
        fake.nbytes = nbytes
        src.storage = &fake
        src.dtype = TT_FLOAT64 if st.is_float else TT_INT64
        src.ndim = ndim
        src.offset = 0
        memcpy(src.shape, shape, sizeof(int64_t) * ndim)
        tt_contiguous_strides(src.strides, ndim, shape)
        check(tt_copy(&out.v, &src))
    finally:
        free(buf)
    return out


cdef extern from "internal.h" nogil:
    tt_status tt_linspace(const tt_view *out, double start, double end, int64_t steps)


def linspace(double start, double end, int64_t steps, dt):
    """steps evenly spaced floats from start to end, bit-identical to torch's kernel."""
    cdef TensorBase out = new_empty(dtype_code(dt), 1, &steps)
    check(tt_linspace(&out.v, start, end, steps))
    return out
