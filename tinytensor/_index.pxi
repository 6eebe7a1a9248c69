# _index.pxi -- t[index] and t[index] = value, numpy/torch semantics.
#
# Basic indices (ints, slices, None, ...) only make a view.  Advanced ones (int lists,
# int64 tensors, bool masks) first keep their dims as full dims in that view, then
# index.c gathers from it (a copy) or scatters into it.  Where the advanced dims are
# next to each other the result puts the broadcast index shape there; otherwise first.

cdef TensorBase as_index_tensor(object x):
    cdef TensorBase t
    if isinstance(x, TensorBase):
        t = <TensorBase>x
    else:
        # an empty list indexes nothing; torch reads it as int64, not the default float
        t = tensor_from_data(x, int64 if isinstance(x, (list, tuple)) and not x else None)
    if t.v.dtype == TT_BOOL or t.v.dtype == TT_UINT8:
        return t
    if tt_dtypes[t.v.dtype].category != TT_CAT_INT:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if t.v.dtype != TT_INT64:
        t = cast(t, int64)
    return t


cdef bint is_advanced(object x):
    return isinstance(x, (TensorBase, list)) or (
        not isinstance(x, (int, slice, type(None), type(Ellipsis), bool, tuple))
        and hasattr(x, "__len__") and not hasattr(x, "__index__"))


cdef tuple normalize_index(object index):
    if type(index) is tuple:
        return <tuple>index
    # a list of ints/slices is an advanced index, as in numpy >= 1.23 and torch
    return (index,)


cdef object basic_view(TensorBase self, tuple index, list adv_dims, list adv_index):
    """Apply ints/slices/None/Ellipsis; record advanced entries with their result dim."""
    cdef int consumed = 0, n_ellipsis = 0
    for x in index:
        if x is None or isinstance(x, bool):
            continue
        if x is Ellipsis:
            n_ellipsis += 1
            continue
        if isinstance(x, TensorBase) and ((<TensorBase>x).v.dtype == TT_BOOL or
                                          (<TensorBase>x).v.dtype == TT_UINT8):
            consumed += (<TensorBase>x).v.ndim
        else:
            consumed += 1
    if consumed > self.v.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self.v.ndim}")
    cdef tt_view cur = self.v
    cdef tt_view nxt
    cdef int d = 0          # current dim in cur
    cdef int64_t size, start, stop, step
    cdef int i
    cdef bint expanded = False
    for x in index:
        if x is Ellipsis:
            if not expanded:        # torch: only the first ... stands for dims
                d += self.v.ndim - consumed
                expanded = True
            continue
        if x is None or isinstance(x, bool):
            if cur.ndim >= TT_MAX_DIMS:
                raise IndexError("too many dimensions")
            for i in range(cur.ndim, d, -1):
                cur.shape[i] = cur.shape[i - 1]
                cur.strides[i] = cur.strides[i - 1]
            cur.shape[d] = 1
            cur.strides[d] = cur.shape[d + 1] * cur.strides[d + 1] if d < cur.ndim else 1
            cur.ndim += 1
            if x is False:
                cur.shape[d] = 0
            d += 1
            continue
        if isinstance(x, slice):
            size = cur.shape[d]
            start, stop, step = x.indices(size) if x.step is None or x.step > 0 else (0, 0, 0)
            if x.step is not None and x.step <= 0:
                raise ValueError("step must be greater than zero")
            check(tt_view_slice(&nxt, &cur, d, start, stop, step))
            cur = nxt
            d += 1
            continue
        if hasattr(x, "__index__") and not isinstance(x, TensorBase):
            i = d
            check(tt_view_select(&nxt, &cur, d, x.__index__()))
            cur = nxt
            continue
        if isinstance(x, TensorBase) and (<TensorBase>x).v.ndim == 0 and \
                tt_dtypes[(<TensorBase>x).v.dtype].category == TT_CAT_INT and \
                (<TensorBase>x).v.dtype != TT_UINT8:
            # a 0-d integer tensor indexes like an int (torch returns a view)
            check(tt_view_select(&nxt, &cur, d, x.item()))
            cur = nxt
            continue
        if isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}' (indices must "
                            "be integers, slices, None, ..., or integer/bool tensors)")
        if is_advanced(x) or isinstance(x, TensorBase):
            t = as_index_tensor(x)
            if (<TensorBase>t).v.dtype == TT_BOOL or (<TensorBase>t).v.dtype == TT_UINT8:
                # a mask over the next mask.ndim dims -> one index tensor per dim
                for i in range((<TensorBase>t).v.ndim):
                    if (<TensorBase>t).v.shape[i] != cur.shape[d + i]:
                        raise IndexError(
                            f"The shape of the mask {list(t.shape)} at index {i} does not "
                            f"match the shape of the indexed tensor {list(self.shape)} at "
                            f"index {d + i}")
                if (<TensorBase>t).v.ndim == 0:
                    # a 0-d mask: adds a dim of size 1 or 0
                    if cur.ndim >= TT_MAX_DIMS:
                        raise IndexError("too many dimensions")
                    for i in range(cur.ndim, d, -1):
                        cur.shape[i] = cur.shape[i - 1]
                        cur.strides[i] = cur.strides[i - 1]
                    cur.shape[d] = 1 if t.item() else 0
                    cur.strides[d] = 1
                    cur.ndim += 1
                    d += 1
                    continue
                nz = nonzero(t)
                for i in range((<TensorBase>t).v.ndim):
                    adv_dims.append(d)
                    adv_index.append(select(nz, 1, i))
                    d += 1
            else:
                adv_dims.append(d)
                adv_index.append(t)
                d += 1
            continue
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                         "byte Variables are valid indices (got "
                         f"{type(x).__name__})")
    return view_of(self, &cur)


cdef tuple advanced_plan(TensorBase base, list adv_dims, list adv_index):
    """(permuted base with indexed dims first, broadcast index views, result dims order,
    result shape)."""
    cdef int nadv = len(adv_dims), i, j
    cdef int nd = base.v.ndim
    # broadcast the index tensors to one shape B
    idx = [(<TensorBase>t) for t in adv_index]
    bshape = list(idx[0].shape)
    for t in idx[1:]:
        bshape = _broadcast_two(bshape, list(t.shape))
    idx = [expand(t, bshape) for t in idx]
    rest = [i for i in range(nd) if i not in adv_dims]
    perm = list(adv_dims) + rest
    src = permute(base, perm)
    consecutive = adv_dims == list(range(adv_dims[0], adv_dims[0] + nadv))
    nb = len(bshape)
    rest_shape = [base.v.shape[i] for i in rest]
    if consecutive:
        p = adv_dims[0]
        result_shape = rest_shape[:p] + bshape + rest_shape[p:]
        # where each dim of the gather output [B..., rest...] lands in the result
        order = [p + k for k in range(nb)] + [k for k in range(p)] + \
                [p + nb + k for k in range(len(rest) - p)]
    else:
        result_shape = bshape + rest_shape
        order = list(range(nb + len(rest)))
    return src, idx, order, result_shape


def _broadcast_two(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    out = []
    for i in range(n):
        if a[i] == b[i] or b[i] == 1:
            out.append(a[i])
        elif a[i] == 1:
            out.append(b[i])
        else:
            raise IndexError(f"shape mismatch: indexing tensors could not be broadcast "
                             f"together with shapes {a}, {b}")
    return out


def getitem(TensorBase self, index):
    """self[index]: a view for basic indices, a copy when any index is advanced."""
    return getitem_impl(self, index)


cdef object getitem_impl(TensorBase self, object index):
    cdef list adv_dims = [], adv_index = []
    cdef tuple idx = normalize_index(index)
    view = basic_view(self, idx, adv_dims, adv_index)
    if not adv_dims:
        return view
    src, ixs, order, result_shape = advanced_plan(view, adv_dims, adv_index)
    out = empty(result_shape, DTYPES[self.v.dtype])
    out_view = permute(out, order)     # the result seen in [B..., rest...] order
    cdef tt_view *iv[TT_MAX_DIMS]
    cdef int k
    for k in range(len(ixs)):
        iv[k] = &(<TensorBase>ixs[k]).v
    check(tt_index_gather(&(<TensorBase>out_view).v, &(<TensorBase>src).v, len(ixs),
                          <const tt_view *const *>iv))
    return out


def setitem(TensorBase self, index, value, bint accumulate=False):
    """self[index] = value (a number or a tensor broadcast to the indexed shape)."""
    cdef list adv_dims = [], adv_index = []
    cdef tuple idx = normalize_index(index)
    view = basic_view(self, idx, adv_dims, adv_index)
    if not isinstance(value, TensorBase):
        value = tensor_from_data(value, DTYPES[self.v.dtype]) if not isinstance(value, (int, float, bool)) else value
    if not adv_dims:
        if isinstance(value, TensorBase):
            # torch's setitem drops the value's leading 1-sized dims (copy_ would refuse)
            while (<TensorBase>value).v.ndim > (<TensorBase>view).v.ndim and \
                    (<TensorBase>value).v.shape[0] == 1:
                value = value[0]
            copy_(view, value, True)
        else:
            if tt_view_numel(&(<TensorBase>view).v):    # as torch: not into an expanded view
                check(tt_check_writable(&(<TensorBase>view).v, 0, NULL))
            fill_(view, value)
        self.v.storage.version += 0     # copy_/fill_ already bumped the shared counter
        return self
    src, ixs, order, result_shape = advanced_plan(view, adv_dims, adv_index)
    if not isinstance(value, TensorBase):
        value = tensor_from_data(value, DTYPES[self.v.dtype])
    if (<TensorBase>value).v.dtype != self.v.dtype:
        value = cast(value, DTYPES[self.v.dtype])
    vals = expand(value, result_shape)
    vals = permute(vals, order)
    cdef tt_view *iv[TT_MAX_DIMS]
    cdef int k
    for k in range(len(ixs)):
        iv[k] = &(<TensorBase>ixs[k]).v
    check(tt_index_scatter(&(<TensorBase>src).v, len(ixs), <const tt_view *const *>iv,
                           &(<TensorBase>vals).v, accumulate))
    self.v.storage.version += 1
    return self


def nonzero(TensorBase self):
    """Coordinates of the nonzero elements, shape (count, ndim), int64."""
    cdef tt_view out
    check(tt_nonzero(&out, &self.v))
    return wrap_view(&out)
