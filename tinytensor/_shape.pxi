# _shape.pxi -- views (no data moves) and joins (cat/stack copy into one new tensor).
# Each function fills a tt_view with a C call from view.c and wraps it as a Tensor
# sharing the input's storage.

cdef int infer_size(object shape_args, int64_t numel, int64_t *shape) except -1:
    """Parse a target shape, resolving one -1 from numel (view/reshape)."""
    if len(shape_args) == 1 and type(shape_args[0]) is not int and \
            not hasattr(shape_args[0], "__index__"):
        shape_args = shape_args[0]
    cdef int n = len(shape_args), infer = -1
    cdef int64_t known = 1
    if n > TT_MAX_DIMS:
        raise RuntimeError(f"at most {TT_MAX_DIMS} dims are supported, got {n}")
    for i in range(n):
        x = shape_args[i]
        if type(x) is int:      # the common case, without a method call
            shape[i] = <int64_t>x
        else:
            try:
                shape[i] = x.__index__()
            except AttributeError:
                raise TypeError(f"shape must be ints, got {type(x).__name__}") from None
        if shape[i] == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif shape[i] < 0:
            raise RuntimeError(f"invalid shape dimension {shape[i]}")
        else:
            known *= shape[i]
    if infer >= 0:
        if known == 0 or numel % known != 0:
            shown = "[" + ", ".join(str(x) for x in shape_args) + "]"
            raise RuntimeError(f"shape '{shown}' is invalid for input of size {numel}")
        shape[infer] = numel // known
    return n


def view(TensorBase self, *shape):
    """A view with a new shape over the same storage; fails when strides forbid it."""
    return view_impl(self, shape)


cdef object view_impl(TensorBase self, tuple shape):
    cdef int64_t s[TT_MAX_DIMS]
    cdef int n = infer_size(shape, tt_view_numel(&self.v), s)
    cdef tt_view out
    check(tt_view_reshape(&out, &self.v, n, s))
    return view_of(self, &out)


def _try_view(TensorBase self, shape):
    """view() when strides allow it, else None (reshape decides to copy)."""
    return try_view_impl(self, (shape,))


cdef object try_view_impl(TensorBase self, tuple shape_args):
    cdef int64_t s[TT_MAX_DIMS]
    cdef int n = infer_size(shape_args, tt_view_numel(&self.v), s)
    cdef tt_view out
    cdef int64_t numel
    check(tt_numel(&numel, n, s))
    if numel != tt_view_numel(&self.v):
        check(tt_view_reshape(&out, &self.v, n, s))    # raises the size message
    if tt_view_reshape(&out, &self.v, n, s) != TT_OK:
        return None
    return view_of(self, &out)


def as_strided(TensorBase self, size, stride, storage_offset=None):
    """A view with explicit shape, strides and offset, checked against the storage."""
    cdef int64_t s[TT_MAX_DIMS]
    cdef int64_t st[TT_MAX_DIMS]
    cdef int n = parse_shape((size,), s)
    if len(stride) != n:
        raise RuntimeError(f"mismatch in length of strides and shape")
    for i in range(n):
        st[i] = stride[i]
    cdef int64_t off = self.v.offset if storage_offset is None else storage_offset
    cdef tt_view out
    check(tt_view_as_strided(&out, &self.v, n, s, st, off))
    return view_of(self, &out)


def permute(TensorBase self, *dims):
    """A view with dims reordered: out.shape[i] = self.shape[dims[i]]."""
    if len(dims) == 1 and not hasattr(dims[0], "__index__"):
        dims = dims[0]
    if len(dims) != self.v.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                           f"does not match the length of the desired ordering of "
                           f"dimensions i.e. input.dim() = {self.v.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    cdef int perm[TT_MAX_DIMS]
    for i in range(self.v.ndim):
        perm[i] = wrap_dim(dims[i], self.v.ndim)
    cdef tt_view out
    check(tt_view_permute(&out, &self.v, perm))
    return view_of(self, &out)


def transpose(TensorBase self, dim0, dim1):
    """A view with two dims swapped."""
    cdef int a = wrap_dim(dim0, self.v.ndim), b = wrap_dim(dim1, self.v.ndim)
    cdef tt_view out = self.v
    if self.v.ndim == 0:
        return view_of(self, &out)
    out.shape[a], out.shape[b] = self.v.shape[b], self.v.shape[a]
    out.strides[a], out.strides[b] = self.v.strides[b], self.v.strides[a]
    return view_of(self, &out)


def expand(TensorBase self, *sizes):
    """A view repeating size-1 dims by stride 0 (no copy); -1 keeps a dim."""
    return expand_impl(self, sizes)


cdef object expand_impl(TensorBase self, object sizes):
    cdef int64_t s[TT_MAX_DIMS]
    if len(sizes) == 1 and not hasattr(sizes[0], "__index__"):
        sizes = sizes[0]
    cdef int n = len(sizes)
    if n > TT_MAX_DIMS:
        raise RuntimeError("too many dimensions")
    for i in range(n):
        s[i] = sizes[i]
    cdef tt_view out
    cdef tt_status st = tt_view_expand(&out, &self.v, n, s)
    if st != TT_OK:
        msg = tt_last_error().decode().replace(
            "Target sizes: ...  Tensor sizes: ...",
            f"Target sizes: {list(sizes)}.  Tensor sizes: {list(self.shape)}")
        msg = msg.replace("torch.FloatTensor", _legacy_name(self.v.dtype))
        raise RuntimeError(msg)
    return view_of(self, &out)


cdef str _legacy_name(tt_dtype d):
    return {TT_FLOAT32: "torch.FloatTensor", TT_FLOAT64: "torch.DoubleTensor",
            TT_FLOAT16: "torch.HalfTensor", TT_BFLOAT16: "torch.BFloat16Tensor",
            TT_INT64: "torch.LongTensor", TT_INT32: "torch.IntTensor",
            TT_INT16: "torch.ShortTensor", TT_INT8: "torch.CharTensor",
            TT_UINT8: "torch.ByteTensor", TT_BOOL: "torch.BoolTensor"}[d]


def legacy_type_name(TensorBase self):
    return _legacy_name(self.v.dtype)


def narrow(TensorBase self, dim, start, length):
    """A view of length elements of dim starting at start."""
    if self.v.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    cdef int d = wrap_dim(dim, self.v.ndim)
    cdef int64_t size = self.v.shape[d], st = start, ln = length
    if st < 0:
        st += size
    if st < 0 or st > size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if ln < 0 or st + ln > size:
        raise RuntimeError(f"start ({st}) + length ({ln}) exceeds dimension size ({size}).")
    cdef tt_view out
    check(tt_view_slice(&out, &self.v, d, st, st + ln, 1))
    return view_of(self, &out)


def slice_dim(TensorBase self, int dim, int64_t start, int64_t stop, int64_t step):
    """self[..., start:stop:step, ...] on dim (bounds already clamped)."""
    cdef tt_view out
    check(tt_view_slice(&out, &self.v, dim, start, stop, step))
    return view_of(self, &out)


def select(TensorBase self, dim, index):
    """The view at index along dim, with that dim removed."""
    if self.v.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    cdef int d = wrap_dim(dim, self.v.ndim)
    cdef tt_view out
    cdef tt_status s = tt_view_select(&out, &self.v, d, index)
    if s != TT_OK:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(self.shape)} at dimension {d}")
    return view_of(self, &out)


def squeeze(TensorBase self, dim=None):
    """A view without size-1 dims (all, or the given ones)."""
    cdef tt_view out = self.v
    cdef bint drop[TT_MAX_DIMS]
    cdef int i, w = 0
    for i in range(self.v.ndim):
        drop[i] = dim is None and self.v.shape[i] == 1
    if dim is not None:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        for dd in dims:
            i = wrap_dim(dd, self.v.ndim)
            if self.v.ndim > 0 and self.v.shape[i] == 1:
                drop[i] = True
    for i in range(self.v.ndim):
        if not drop[i]:
            out.shape[w] = self.v.shape[i]
            out.strides[w] = self.v.strides[i]
            w += 1
    out.ndim = w
    return view_of(self, &out)


def unsqueeze(TensorBase self, dim):
    """A view with a new size-1 dim at position dim."""
    cdef int d = wrap_dim(dim, self.v.ndim + 1)
    if self.v.ndim >= TT_MAX_DIMS:
        raise RuntimeError(f"at most {TT_MAX_DIMS} dims are supported")
    cdef tt_view out = self.v
    cdef int i
    for i in range(self.v.ndim, d, -1):
        out.shape[i] = self.v.shape[i - 1]
        out.strides[i] = self.v.strides[i - 1]
    out.shape[d] = 1
    out.strides[d] = self.v.strides[d] * self.v.shape[d] if d < self.v.ndim else 1
    out.ndim = self.v.ndim + 1
    return view_of(self, &out)


def contiguous(TensorBase self):
    """self when already contiguous, else a contiguous copy."""
    if tt_is_contiguous(&self.v):
        return self
    return clone(self)


def alias(TensorBase self):
    """A new Tensor object for the same view (shares storage and version counter)."""
    cdef tt_view out = self.v
    return view_of(self, &out)


def cat(tensors, dim=0):
    """Join tensors along an existing dim into one new tensor."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    cdef TensorBase t, first = None, out
    cdef tt_dtype dt = TT_BOOL
    cdef int nd = -1, d, i
    cdef int64_t total = 0, pos = 0
    for k, x in enumerate(tensors):
        if not isinstance(x, TensorBase):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(x).__name__}")
        t = <TensorBase>x
        # torch skips 1-D empty tensors in cat (legacy behaviour)
        if t.v.ndim == 1 and t.v.shape[0] == 0:
            dt = tt_promote(dt, t.v.dtype) if k else t.v.dtype
            continue
        if first is None:
            first = t
            nd = t.v.ndim
            if nd == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be "
                                   "concatenated")
            d = wrap_dim(dim, nd)
            dt = tt_promote(dt, t.v.dtype) if k else t.v.dtype
        else:
            dt = tt_promote(dt, t.v.dtype)
            if t.v.ndim != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} "
                                   f"and {t.v.ndim}")
            for i in range(nd):
                if i != d and t.v.shape[i] != first.v.shape[i]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension "
                                       f"{d}. Expected size {first.v.shape[i]} but got size "
                                       f"{t.v.shape[i]} for tensor number {k} in the list.")
        total += t.v.shape[d]
    if first is None:
        return new_empty(dt, 1, &total)
    cdef tt_view shape_v = first.v
    shape_v.shape[d] = total
    out = new_empty(dt, nd, shape_v.shape)
    cdef tt_view part
    for x in tensors:
        t = <TensorBase>x
        if t.v.ndim == 1 and t.v.shape[0] == 0:
            continue
        check(tt_view_slice(&part, &out.v, d, pos, pos + t.v.shape[d], 1))
        check(tt_copy(&part, &t.v))
        pos += t.v.shape[d]
    return out


def view_dtype(TensorBase self, dt):
    """The same bytes read as another dtype of the same size (a view, no conversion)."""
    cdef tt_dtype code = dtype_code(dt)
    if tt_dtypes[code].itemsize != tt_dtypes[self.v.dtype].itemsize:
        raise RuntimeError(f"view(dtype): only dtypes of the same element size are "
                           f"supported by tinytensor ({self.dtype} has "
                           f"{tt_dtypes[self.v.dtype].itemsize} bytes, {dt} has "
                           f"{tt_dtypes[code].itemsize})")
    cdef tt_view out = self.v
    out.dtype = code
    return view_of(self, &out)
