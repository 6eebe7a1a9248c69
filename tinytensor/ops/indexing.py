"""Gather/scatter and the index ops: gather, take, take_along_dim, scatter(_add,
_reduce), index_select, index_add/copy/fill, index_put, masked_select/scatter/fill, put.

All of them are two kernels of ctensor/gather.c (see Note [scatter order] there):
    gather:   out[p] = src[p with p[dim] = index[p]]
    scatter:  dst[p with p[dim] = index[p]] op= src[p]
The index_* ops use a 1-D index expanded over the other dims (a view, no copy); take
and put_ work on the flattened tensor.  Every op's backward is the other kernel:
gather's gradient is a scatter_add, scatter's a gather.

The C core reports an index out of range as IndexError; where torch raises a
RuntimeError instead (gather, scatter, index_select, index_add_) the op says so."""
import builtins
import warnings

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.autograd.inplace import check_inplace
from tinytensor.ops import _registry
from tinytensor.ops._registry import op, method


def _runtime_error(e):
    """torch reports these ops' out-of-range indices as RuntimeError, not IndexError."""
    return RuntimeError(str(e))


def _index_tensor(index, name, int32_ok=True):
    """index as int64, with torch's error when it is not an integer tensor."""
    if not isinstance(index, _C.TensorBase):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index.dtype == _C.int64:
        return index
    if index.dtype == _C.int32 and int32_ok:
        return _C.cast(index, _C.int64)
    what = "int32/int64" if int32_ok else "int64"
    raise RuntimeError(f"{name}(): Expected dtype {what} for index")


def _as_1d(t):
    """A 0-d tensor seen as 1-d (torch treats a scalar's only dim as size 1)."""
    return t if t.ndim else _C.view(t, (1,))


def _where(condition, a, b):
    """torch.where(condition, a, b), differentiable (from the elementwise ops)."""
    return _registry.FUNCTIONS["where"](condition, a, b)


def _zeros(shape, dtype):
    return _C.fill_(_C.empty(tuple(shape), dtype), 0)


def _out_or_self(ctx, input, inplace):
    """The tensor an op writes: input itself (in place) or a copy of it."""
    if inplace:
        ctx.mark_dirty(input)
        return input
    return _C.clone(input)


# ---- gather ----------------------------------------------------------------------------
def _gather(input, dim, index, wrap=False):
    if input.ndim and index.ndim:
        return _C.gather(input, dim, index, wrap)
    result = _C.gather(_as_1d(input), dim, _as_1d(index), wrap)
    return _C.view(result, tuple(index.shape)) if index.ndim == 0 else result


class Gather(Function, node_name="GatherBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index):
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape = dim, input.shape
        try:
            return _gather(input, dim, index)
        except IndexError as e:
            raise _runtime_error(e) from None

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return scatter_add(_zeros(ctx.shape, grad.dtype), ctx.dim, index, grad), None, None


@op()
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[i][index[i][j]] along dim (index no larger than input elsewhere)."""
    index = _index_tensor(index, "gather")
    d = _C._wrap_dim(dim, input.ndim)
    if (input.ndim or 1) != (index.ndim or 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    result = Gather.apply(input, d, index)
    return result if out is None else _C.copy_(out, result)


class Take(Function, node_name="TakeBackward0"):
    @staticmethod
    def forward(ctx, input, index):
        ctx.save_for_backward(index)
        ctx.shape = input.shape
        flat = _C.view(_C.contiguous(input), (input.numel(),))
        return _C.view(_C.gather(flat, 0, _C.view(_C.contiguous(index), (index.numel(),)),
                                 True), tuple(index.shape))

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return put(_zeros(ctx.shape, grad.dtype), index, grad, accumulate=True), None


@op()
def take(input, index):
    """input treated as 1-D (row-major), read at index; negative indices count back."""
    if index.dtype != _C.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_C.legacy_type_name(index)[6:-6]}")
    if input.numel() == 0 and index.numel() > 0:
        raise IndexError("take(): tried to take from an empty tensor")
    return Take.apply(input, index)


@op()
def take_along_dim(input, indices, dim=None, *, out=None):
    """gather after broadcasting input and indices against each other, except along dim."""
    indices = _index_tensor(indices, "take_along_dim")
    if dim is None:
        result = gather(input.reshape(-1), 0, indices.reshape(-1))
    else:
        d = _C._wrap_dim(dim, input.dim())
        if input.dim() != indices.dim():
            raise RuntimeError("torch.take_along_dim(): input and indices should have the "
                               f"same number of dimensions, but got {input.dim()} dimensions "
                               f"for input, and {indices.dim()} dimensions for indices")
        shape_i, shape_x = list(input.shape), list(indices.shape)
        shape_i[d] = shape_x[d] = 1
        from tinytensor.ops.shape import broadcast_shapes
        common = list(broadcast_shapes(shape_i, shape_x))
        xs, ix = list(common), list(common)
        xs[d], ix[d] = input.shape[d], indices.shape[d]
        result = gather(input.expand(*xs), d, indices.expand(*ix))
    return result if out is None else _C.copy_(out, result)


# ---- scatter ---------------------------------------------------------------------------
def _check_scatter_args(name, input, index, src):
    if isinstance(src, _C.TensorBase):
        if src.dtype != input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        if builtins.max(src.dim(), 1) != builtins.max(index.dim(), 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as "
                               "src tensor")
    if builtins.max(input.dim(), 1) != builtins.max(index.dim(), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")


def _scatter_kernel(out, dim, index, src, reduce):
    s = _as_1d(src) if isinstance(src, _C.TensorBase) else src
    try:
        _C.scatter_(_as_1d(out), dim, _as_1d(index), s, reduce)
    except IndexError as e:
        raise _runtime_error(e) from None


class Scatter(Function, node_name="ScatterBackward0"):
    """scatter with a src tensor: the src values overwrite, so self's gradient is
    zeroed where they land."""

    @staticmethod
    def forward(ctx, input, dim, index, src, inplace):
        out = _out_or_self(ctx, input, inplace)
        _scatter_kernel(out, dim, index, src, None)
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return (scatter(grad, ctx.dim, index, 0), None, None,
                gather(grad, ctx.dim, index), None)


class ScatterValue(Function, node_name="ScatterBackward1"):
    @staticmethod
    def forward(ctx, input, dim, index, value, inplace):
        out = _out_or_self(ctx, input, inplace)
        _scatter_kernel(out, dim, index, value, None)
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return scatter(grad, ctx.dim, index, 0), None, None, None, None


class ScatterLegacyReduce(Function, node_name="NotImplemented"):
    """scatter(..., reduce='add'|'multiply'): torch has no derivative for it."""

    @staticmethod
    def forward(ctx, input, dim, index, src, reduce, inplace):
        out = _out_or_self(ctx, input, inplace)
        _scatter_kernel(out, dim, index, src, reduce)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the derivative for 'scatter' with reduce is not "
                                  "implemented.")


def _scatter(input, dim, index, src, value, reduce, inplace):
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    index = _index_tensor(index, "scatter")
    _check_scatter_args("scatter", input, index, src)
    d = _C._wrap_dim(dim, input.dim())
    if inplace:
        check_inplace(input)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, _C.TensorBase):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=3)
        return ScatterLegacyReduce.apply(input, d, index, src, reduce, inplace)
    if isinstance(src, _C.TensorBase):
        return Scatter.apply(input, d, index, src, inplace)
    return ScatterValue.apply(input, d, index, src, inplace)


@op()
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """A copy of input with src's values (or value) written at index along dim."""
    result = _scatter(input, dim, index, src, value, reduce, False)
    return result if out is None else _C.copy_(out, result)


@method()
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """Write src's values (or value) into self at index along dim; returns self."""
    return _scatter(self, dim, index, src, value, reduce, True)


class ScatterAdd(Function, node_name="ScatterAddBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index, src, inplace):
        out = _out_or_self(ctx, input, inplace)
        _scatter_kernel(out, dim, index, src, "add")
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return grad, None, None, gather(grad, ctx.dim, index), None


def _scatter_add(input, dim, index, src, inplace):
    index = _index_tensor(index, "scatter_add")
    _check_scatter_args("scatter_add", input, index, src)
    d = _C._wrap_dim(dim, input.dim())
    if inplace:
        check_inplace(input)
    return ScatterAdd.apply(input, d, index, src, inplace)


@op()
def scatter_add(input, dim, index, src, *, out=None):
    """A copy of input with src's values added at index along dim (in index order)."""
    result = _scatter_add(input, dim, index, src, False)
    return result if out is None else _C.copy_(out, result)


@method()
def scatter_add_(self, dim, index, src):
    """Add src's values into self at index along dim; returns self."""
    return _scatter_add(self, dim, index, src, True)


# identities written over the scattered positions when include_self=False
def _reduce_identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    lowest = reduce == "amax"
    if dtype.is_floating_point:
        return float("-inf") if lowest else float("inf")
    if dtype == _C.bool_:
        return not lowest
    info = _integer_range(dtype)
    return info[0] if lowest else info[1]


def _integer_range(dtype):
    bits = dtype.itemsize * 8
    if dtype == _C.uint8:
        return 0, 255
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


class ScatterReduce(Function, node_name="ScatterReduceBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index, src, reduce, include_self, inplace):
        out = _out_or_self(ctx, input, inplace)
        if not include_self:
            _scatter_kernel(out, dim, index, _reduce_identity(reduce, input.dtype), None)
        _scatter_kernel(out, dim, index, src, "sum" if reduce == "mean" else reduce)
        if reduce == "mean":
            count = _C.fill_(_C.empty(tuple(out.shape), out.dtype), 1 if include_self else 0)
            _scatter_kernel(count, dim, index, 1, "sum")
            count = _C.ternary("where", _C.binary("eq", count, 0), 1, count)
            _C.binary("div" if out.is_floating_point() else "div_floor", out, count, out=out)
        ctx.save_for_backward(input if not inplace else _C.clone(input), index, src, out)
        ctx.args = (dim, reduce, include_self)
        return out

    @staticmethod
    def backward(ctx, grad):
        self, index, src, result = ctx.saved_tensors
        dim, reduce, include_self = ctx.args
        if reduce == "sum":
            grad_self, grad_src = grad, gather(grad, dim, index)
        elif reduce == "mean":
            n = _zeros(grad.shape, grad.dtype) + (1 if include_self else 0)
            n = scatter_add(n, dim, index, _C.fill_(_C.empty(tuple(src.shape), grad.dtype), 1))
            n = _where(n == 0, 1, n)
            grad_self = grad / n
            grad_src = gather(grad, dim, index) / gather(n, dim, index)
        elif reduce == "prod":
            masked_self = _where(self == 0, 1, self)
            masked_self_result = scatter_reduce(masked_self, dim, index, src, reduce,
                                                include_self=include_self)
            grad_self = grad * masked_self_result / masked_self
            src_zero = src == 0
            zeros_per_slot = gather(scatter_add(_zeros(self.shape, self.dtype), dim, index,
                                                src_zero.to(self.dtype)), dim, index)
            single_zero = src_zero & (zeros_per_slot == 1)
            masked_src_result = scatter_reduce(self, dim, index, _where(single_zero, 1, src),
                                               reduce, include_self=include_self)
            grad_src = _where(single_zero, gather(grad * masked_src_result, dim, index),
                              gather(grad * result, dim, index) / _where(src_zero, 1, src))
        else:       # amax / amin: shared equally by every element equal to the result
            value = gather(result, dim, index)
            self_is_result = (self == result).to(self.dtype)
            src_is_result = (src == value).to(self.dtype)
            count = scatter_add(self_is_result, dim, index, src_is_result)
            grad_distributed = grad / count
            grad_self = self_is_result * grad_distributed
            grad_src = src_is_result * gather(grad_distributed, dim, index)
        if not include_self:
            grad_self = scatter(grad_self, dim, index, 0)
        return grad_self, None, None, grad_src, None, None, None


def _scatter_reduce(input, dim, index, src, reduce, include_self, inplace):
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, "
                           f"got {reduce}")
    if reduce == "mean" and input.dtype == _C.bool_:
        raise NotImplementedError("\"scatter_reduce_mean\" not implemented for 'Bool'")
    index = _index_tensor(index, "scatter_reduce")
    _check_scatter_args("scatter_reduce", input, index, src)
    d = _C._wrap_dim(dim, input.dim())
    if inplace:
        check_inplace(input)
    return ScatterReduce.apply(input, d, index, src, reduce, bool(include_self), inplace)


@op()
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """A copy of input with src's values reduced (sum, prod, mean, amax, amin) into it
    at index along dim."""
    result = _scatter_reduce(input, dim, index, src, reduce, include_self, False)
    return result if out is None else _C.copy_(out, result)


@method()
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """scatter_reduce in place; returns self."""
    return _scatter_reduce(self, dim, index, src, reduce, include_self, True)


# ---- index_select / index_add / index_copy / index_fill --------------------------------
def _index_vector(index, name, int32_ok=True, error=RuntimeError):
    if not isinstance(index, _C.TensorBase):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index.dim() > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if index.dtype != _C.int64 and not (int32_ok and index.dtype == _C.int32):
        if name == "index_copy_":
            raise error(f"index_copy_(): Expected a long tensor for index, but got "
                        f"{_C.legacy_type_name(index)[6:-6]}")
        what = "int32 or int64" if int32_ok else "int64"
        raise error(f"{name}(): Expected dtype {what} for index" +
                    ("." if error is IndexError else ""))
    index = _C.view(index, (index.numel(),))
    return index if index.dtype == _C.int64 else _C.cast(index, _C.int64)


def _spread(index, shape, dim):
    """The 1-D index expanded to shape, varying along dim only (a view)."""
    view_shape = [1] * len(shape)
    view_shape[dim] = index.shape[0]
    return _C.expand(_C.view(index, tuple(view_shape)), tuple(shape))


def _selected_shape(input, dim, n):
    shape = list(input.shape)
    if shape:
        shape[dim] = n
    return shape


def _index_select_error(input, dim, index):
    """torch's words: its kernel for dim 1 checks differently from the general one."""
    if input.dim() >= 2 and dim == 1:
        size = input.shape[1]
        bad = next(i for i in _C.view(_C.contiguous(index), (index.numel(),)).tolist()
                   if not 0 <= i < size)
        return RuntimeError(f"INDICES element is out of DATA bounds, id={bad} "
                            f"axis_dim={size}")
    return IndexError("index out of range in self")


class IndexSelect(Function, node_name="IndexSelectBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index):
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape = dim, input.shape
        x = _as_1d(input)
        spread = _spread(index, _selected_shape(x, dim, index.shape[0]), dim)
        try:
            result = _C.gather(x, dim, spread, False)
        except IndexError:
            raise _index_select_error(input, dim, index) from None
        return _C.view(result, ()) if input.dim() == 0 else result

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return index_add(_zeros(ctx.shape, grad.dtype), ctx.dim, index, grad), None, None


@op()
def index_select(input, dim, index, *, out=None):
    """The slices of input along dim listed by the 1-D index, in that order."""
    index = _index_vector(index, "index_select")
    d = _C._wrap_dim(dim, input.dim())
    result = IndexSelect.apply(input, d, index)
    return result if out is None else _C.copy_(out, result)


def _check_source(name, input, dim, index, source):
    if source.dtype != input.dtype:
        raise RuntimeError(f"{name}(): self ({input.dtype}) and source ({source.dtype}) "
                           "must have the same scalar type")
    n = source.shape[dim] if source.dim() else 1
    if index.shape[0] != n:
        raise RuntimeError(f"{name}(): Number of indices ({index.shape[0]}) should be equal "
                           f"to source.size(dim): ({n}), for dim: {dim}")
    expected = _selected_shape(input, dim, n)
    if source.dim() and list(source.shape) != expected:
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: {list(input.shape)} at "
                           f"dimension {dim} and source slice shape: {list(source.shape)} "
                           f"at dimension {dim}.")


class IndexAdd(Function, node_name="IndexAddBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index, source, alpha, inplace):
        out = _out_or_self(ctx, input, inplace)
        src = source if alpha == 1 else _C.binary("mul", source, alpha, dtype=source.dtype)
        x, s = _as_1d(out), _as_1d(src)
        try:
            _C.scatter_(x, dim, _spread(index, s.shape, dim), s, "add")
        except IndexError as e:
            # torch's 1-D kernel says IndexError, its slice-wise one RuntimeError
            raise (IndexError("index out of range in self") if input.dim() <= 1 else
                   _runtime_error(e)) from None
        ctx.save_for_backward(index)
        ctx.dim, ctx.alpha, ctx.source_shape = dim, alpha, source.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        g = index_select(grad, ctx.dim, index)
        if ctx.alpha != 1:
            g = g * ctx.alpha
        return grad, None, None, g.reshape(ctx.source_shape), None, None


def _index_add(input, dim, index, source, alpha, inplace):
    index = _index_vector(index, "index_add_")
    d = _C._wrap_dim(dim, input.dim())
    _check_source("index_add_", input, d, index, source)
    if inplace:
        check_inplace(input)
    return IndexAdd.apply(input, d, index, source, alpha, inplace)


@op()
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of input with alpha * source's slices added at index along dim."""
    result = _index_add(input, dim, index, source, alpha, False)
    return result if out is None else _C.copy_(out, result)


@method()
def index_add_(self, dim, index, source, *, alpha=1):
    """self[..., index[i], ...] += alpha * source[..., i, ...] in index order; returns self."""
    return _index_add(self, dim, index, source, alpha, True)


class IndexCopy(Function, node_name="IndexCopyBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index, source, inplace):
        out = _out_or_self(ctx, input, inplace)
        s = _as_1d(source)
        _C.scatter_(_as_1d(out), dim, _spread(index, s.shape, dim), s, None)
        ctx.save_for_backward(index)
        ctx.dim, ctx.source_shape = dim, source.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return (index_fill(grad, ctx.dim, index, 0), None, None,
                index_select(grad, ctx.dim, index).reshape(ctx.source_shape), None)


def _index_copy(input, dim, index, source, inplace):
    index = _index_vector(index, "index_copy_", int32_ok=False)
    d = _C._wrap_dim(dim, input.dim())
    _check_source("index_copy_", input, d, index, source)
    if inplace:
        check_inplace(input)
    try:
        return IndexCopy.apply(input, d, index, source, inplace)
    except IndexError as e:
        raise IndexError(f"index_copy_(): {e}") from None


@op()
def index_copy(input, dim, index, source, *, out=None):
    """A copy of input with source's slices written at index along dim."""
    result = _index_copy(input, dim, index, source, False)
    return result if out is None else _C.copy_(out, result)


@method()
def index_copy_(self, dim, index, source):
    """self[..., index[i], ...] = source[..., i, ...]; returns self."""
    return _index_copy(self, dim, index, source, True)


class IndexFill(Function, node_name="IndexFillBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index, value, inplace):
        out = _out_or_self(ctx, input, inplace)
        x = _as_1d(out)
        v = value.item() if isinstance(value, _C.TensorBase) else value
        _C.scatter_(x, dim, _spread(index, _selected_shape(x, dim, index.shape[0]), dim), v,
                    None, True)
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return index_fill(grad, ctx.dim, index, 0), None, None, None, None


class IndexFillTensor(IndexFill, node_name="IndexFillBackward1"):
    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        g_value = index_select(grad, ctx.dim, index).sum()
        return index_fill(grad, ctx.dim, index, 0), None, None, g_value, None


def _index_fill(input, dim, index, value, inplace):
    index = _index_vector(index, "index_fill_", int32_ok=False, error=IndexError)
    d = _C._wrap_dim(dim, input.dim())
    if isinstance(value, _C.TensorBase) and value.dim() != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    if inplace:
        check_inplace(input)
    cls = IndexFillTensor if isinstance(value, _C.TensorBase) else IndexFill
    return cls.apply(input, d, index, value, inplace)


@op()
def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value."""
    return _index_fill(input, dim, index, value, False)


@method()
def index_fill_(self, dim, index, value):
    """Set the slices of self at index along dim to value; returns self."""
    return _index_fill(self, dim, index, value, True)


# ---- index_put -------------------------------------------------------------------------
class IndexPutAccumulate(Function, node_name="IndexPutBackward0"):
    """self[indices] += values (duplicates add up, in index order)."""

    @staticmethod
    def forward(ctx, input, indices, values, inplace):
        out = _out_or_self(ctx, input, inplace)
        _C.setitem(out, indices, values, True)
        ctx.indices = indices
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, None, grad[ctx.indices], None


def _index_put(input, indices, values, accumulate, inplace):
    indices = tuple(indices)
    if inplace:
        check_inplace(input)
    if not accumulate:
        target = input if inplace else input.clone()
        target[indices] = values
        return target
    if not isinstance(values, _C.TensorBase):
        values = _C.tensor_from_data(values, input.dtype)
    return IndexPutAccumulate.apply(input, indices, values, inplace)


@op()
def index_put(input, indices, values, accumulate=False):
    """A copy of input with input[indices] = values (or += when accumulate)."""
    return _index_put(input, indices, values, accumulate, False)


@method()
def index_put_(self, indices, values, accumulate=False):
    """self[indices] = values (or += values, summing duplicates); returns self."""
    return _index_put(self, indices, values, accumulate, True)


# ---- masks -----------------------------------------------------------------------------
def _check_mask(name, mask):
    if mask.dtype != _C.bool_:
        raise RuntimeError(f"{name}: expected BoolTensor for mask")


class MaskedSelect(Function, node_name="MaskedSelectBackward0"):
    @staticmethod
    def forward(ctx, input, mask):
        from tinytensor.ops.shape import infer_size
        shape = infer_size(mask.shape, input.shape)
        ctx.save_for_backward(mask)
        ctx.shape, ctx.bshape = input.shape, shape
        return _C.getitem(_C.expand(input, shape), _C.expand(mask, shape))

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        full = masked_scatter(_zeros(ctx.bshape, grad.dtype), _C.expand(mask, ctx.bshape), grad)
        if tuple(ctx.bshape) != tuple(ctx.shape):
            full = full.sum_to_size(ctx.shape)
        return full, None


@op()
def masked_select(input, mask, *, out=None):
    """The elements of input where mask (broadcast) is True, as a 1-D tensor."""
    _check_mask("masked_select", mask)
    result = MaskedSelect.apply(input, mask)
    return result if out is None else _C.copy_(out, result)


class MaskedScatter(Function, node_name="MaskedScatterBackward0"):
    @staticmethod
    def forward(ctx, input, mask, source, inplace):
        out = _out_or_self(ctx, input, inplace)
        m = _C.expand(mask, tuple(out.shape))
        count = _C.nonzero(m).shape[0]
        if source.numel() < count:
            raise RuntimeError("masked_scatter: expected source to have at least as many "
                               "elements as the ones in mask (Number of elements of source "
                               "< number of ones in mask)")
        flat = _C.view(_C.contiguous(source), (source.numel(),))
        _C.setitem(out, m, _C.narrow(flat, 0, 0, count))
        ctx.save_for_backward(mask)
        ctx.source_shape, ctx.count = source.shape, count
        return out

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        m = _C.expand(mask, tuple(grad.shape))
        g_self = _where(m, 0, grad)
        selected = masked_select(grad, m)
        n = 1
        for s in ctx.source_shape:
            n *= s
        from tinytensor.ops.movement import cat
        g_src = cat([selected, _zeros((n - ctx.count,), grad.dtype)]).reshape(ctx.source_shape)
        return g_self, None, g_src, None


def _masked_scatter(input, mask, source, inplace):
    _check_mask("masked_scatter_", mask)
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes "
                           f"but got {input.dtype} and {source.dtype}")
    if inplace:
        check_inplace(input)
    return MaskedScatter.apply(input, mask, source, inplace)


@op()
def masked_scatter(input, mask, source):
    """A copy of input with source's leading elements written where mask is True."""
    return _masked_scatter(input, mask, source, False)


@method()
def masked_scatter_(self, mask, source):
    """Write source's leading elements (in order) where mask is True; returns self."""
    return _masked_scatter(self, mask, source, True)


# ---- put -------------------------------------------------------------------------------
class Put(Function, node_name="PutBackward0"):
    @staticmethod
    def forward(ctx, input, index, source, accumulate, inplace):
        out = _out_or_self(ctx, input, inplace)
        target = out if out.is_contiguous() else _C.clone(out)
        flat = _C.view(target, (target.numel(),))
        idx = _C.view(_C.contiguous(index), (index.numel(),))
        src = _C.view(_C.contiguous(source), (source.numel(),))
        try:
            _C.scatter_(flat, 0, idx, src, "add" if accumulate else None, True)
        except IndexError:
            raise IndexError(f"out of range: tried to access index outside a tensor of "
                             f"{target.numel()} elements.") from None
        if target is not out:
            _C.copy_(out, target)
        ctx.save_for_backward(index)
        ctx.accumulate, ctx.source_shape = accumulate, source.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        g_self = grad if ctx.accumulate else put(grad, index, _zeros(index.shape, grad.dtype))
        return g_self, None, take(grad, index).reshape(ctx.source_shape), None, None


def _put(input, index, source, accumulate, inplace):
    if index.dtype != _C.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{_C.legacy_type_name(index)[6:-6]}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but "
                           f"got self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    if inplace:
        check_inplace(input)
    return Put.apply(input, index, source, bool(accumulate), inplace)


@op()
def put(input, index, source, accumulate=False):
    """A copy of input (seen as 1-D) with source written (or added) at index."""
    return _put(input, index, source, accumulate, False)


@method()
def put_(self, index, source, accumulate=False):
    """Write (or add) source into self seen as 1-D, at index; returns self."""
    return _put(self, index, source, accumulate, True)
