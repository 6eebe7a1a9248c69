"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, cummax/cummin,
unique, searchsorted, bucketize, nonzero, count_nonzero, bincount, histc.

The kernels live in ctensor/sort.c (rows along a dim) and gather.c (counting).  An op
that selects values (sort, topk, kthvalue, median, mode, cummax) sends its gradient
back to the positions its indices name: a scatter into zeros, which is itself
differentiable, so higher-order gradients work.  Ties come out in torch's order (Note
[torch's tie order] in sort.c)."""
import builtins
import collections

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op

_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
               "int32": "Int", "int64": "Long", "float16": "Half", "bfloat16": "BFloat16",
               "float32": "Float", "float64": "Double"}


def _not_for(kernel, input, *dtypes):
    """Raise torch's NotImplementedError when input's dtype is one of dtypes."""
    if input.dtype.name in dtypes:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_TYPE_NAMES[input.dtype.name]}'")


def return_type(name, fields):
    """A named tuple printed as torch.return_types.<name>(...), as torch's are."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": (),
                                "__module__": "tinytensor.return_types"})


SortResult = return_type("sort", ("values", "indices"))
TopkResult = return_type("topk", ("values", "indices"))
KthvalueResult = return_type("kthvalue", ("values", "indices"))
MedianResult = return_type("median", ("values", "indices"))
NanmedianResult = return_type("nanmedian", ("values", "indices"))
ModeResult = return_type("mode", ("values", "indices"))
CummaxResult = return_type("cummax", ("values", "indices"))
CumminResult = return_type("cummin", ("values", "indices"))


def _zeros(shape, dtype):
    return _C.fill_(_C.empty(tuple(shape), dtype), 0)


def _scatter_back(grad, dim, indices, shape, keepdim=True, accumulate=False):
    """The gradient of a value selection: grad placed at indices along dim in zeros."""
    from tinytensor.ops.indexing import scatter, scatter_add
    if not keepdim and len(shape) > 0:
        grad = grad.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    zeros = _zeros(shape, grad.dtype)
    return (scatter_add if accumulate else scatter)(zeros, dim, indices, grad)


def _into(out, results):
    """Copy results into the out= tensor(s) and return them."""
    if isinstance(out, (tuple, list)):
        for o, r in zip(out, results):
            _C.copy_(o, r)
        return type(results)(*out) if hasattr(results, "_fields") else tuple(out)
    _C.copy_(out, results)
    return out


# ---- sort ------------------------------------------------------------------------------
class Sort(Function, node_name="SortBackward0"):
    @staticmethod
    def forward(ctx, input, dim, descending, stable):
        values, indices = _C.sort(input, dim, descending, stable)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, input.shape
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        indices, = ctx.saved_tensors
        return _scatter_back(grad, ctx.dim, indices, ctx.shape), None, None, None


class SortStable(Sort, node_name="SortBackward1"):
    """sort called with `stable=` (torch's sort.stable overload names its node apart)."""


_UNSET = object()


@op()
def sort(input, dim=-1, descending=False, *, stable=_UNSET, out=None):
    """(values, indices) sorted along dim; stable=True keeps equal values in order."""
    d = _C._wrap_dim(dim, input.dim())
    cls = Sort if stable is _UNSET else SortStable
    result = SortResult(*cls.apply(input, d, bool(descending), stable is True))
    return result if out is None else _into(out, result)


@op()
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort input along dim."""
    d = _C._wrap_dim(dim, input.dim())
    return _C.sort(input, d, bool(descending), bool(stable))[1]


@op()
def msort(input, *, out=None):
    """input sorted along dim 0."""
    values = sort(input, 0).values
    return values if out is None else _into(out, values)


# ---- topk / kthvalue / median / mode ---------------------------------------------------
class Topk(Function, node_name="TopkBackward0"):
    @staticmethod
    def forward(ctx, input, k, dim, largest, sorted):
        values, indices = _C.topk(input, k, dim, largest, sorted)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, input.shape
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        indices, = ctx.saved_tensors
        return _scatter_back(grad, ctx.dim, indices, ctx.shape), None, None, None, None


@op()
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the k largest (or smallest) elements along dim."""
    _not_for("topk_cpu", input, "bool")
    d = _C._wrap_dim(dim, input.dim())
    size = input.shape[d] if input.dim() else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    k = 1 if input.dim() == 0 else int(k)     # a 0-d input gives itself for k = 0 too
    result = TopkResult(*Topk.apply(input, k, d, bool(largest), bool(sorted)))
    return result if out is None else _into(out, result)


def _check_reduction_dim(name, input, d):
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


class _SelectAlongDim(Function):
    """kthvalue / median(dim) / mode: one value per row and the index it came from."""

    @staticmethod
    def forward(ctx, input, kernel, dim, keepdim):
        values, indices = kernel(input)
        if not keepdim and input.dim():
            values, indices = _C.squeeze(values, dim), _C.squeeze(indices, dim)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape, ctx.keepdim = dim, input.shape, keepdim
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        indices, = ctx.saved_tensors
        return _scatter_back(grad, ctx.dim, indices, ctx.shape, ctx.keepdim), None, None, None


class Kthvalue(_SelectAlongDim, node_name="KthvalueBackward0"):
    pass


class MedianDim(_SelectAlongDim, node_name="MedianBackward1"):
    pass


class NanmedianDim(_SelectAlongDim, node_name="NanmedianBackward1"):
    pass


class Mode(_SelectAlongDim, node_name="ModeBackward0"):
    pass


@op()
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the k-th smallest element along dim."""
    _not_for("kthvalue_cpu", input, "bool")
    d = _C._wrap_dim(dim, input.dim())
    _check_reduction_dim("kthvalue", input, d)
    size = input.shape[d] if input.dim() else 1
    if k < 1 or k > size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    result = KthvalueResult(*Kthvalue.apply(
        input, lambda x: _C.kthvalue(x, int(k), d), d, bool(keepdim)))
    return result if out is None else _into(out, result)


def _memory_order(input):
    """input's elements flattened in memory order: torch's median() reads a clone that
    keeps input's layout, and nth_element's choice among ties depends on that order."""
    strides = _C.dense_strides_like(input)       # the layout of torch's clone
    order = sorted(range(input.dim()), key=lambda d: -strides[d])
    return _C.view(_C.contiguous(_C.permute(input, order)), (input.numel(),))


class _EvenlyDistributed(Function):
    """median() / nanmedian() of all elements: the gradient is shared by every element
    equal to the result (NaN counting as equal to NaN), as torch does."""

    @staticmethod
    def forward(ctx, input, ignore_nan):
        flat = _memory_order(input)
        if input.numel() == 0:
            # torch returns NaN converted to the dtype (0 for uint8, INT_MIN for int32, ...)
            nan = _C.fill_(_C.empty((), _C.float64), float("nan"))
            result = _C.cast(nan, input.dtype)
        else:
            result = _C.view(_C.median_dim(flat, 0, ignore_nan, True)[0], ())
        ctx.save_for_backward(input, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        input, result = ctx.saved_tensors
        mask = (input == result) | (input.isnan() & result.isnan())
        return grad * mask / mask.sum(), None


class Median(_EvenlyDistributed, node_name="MedianBackward0"):
    pass


class Nanmedian(_EvenlyDistributed, node_name="NanmedianBackward0"):
    pass


def _median(input, dim, keepdim, ignore_nan, out):
    name = "nanmedian" if ignore_nan else "median"
    _not_for(f"{name}_cpu" if dim is None else f"{name}_out", input, "bool")
    if dim is None:
        result = (Nanmedian if ignore_nan else Median).apply(input, ignore_nan)
        return result if out is None else _into(out, result)
    d = _C._wrap_dim(dim, input.dim())
    _check_reduction_dim(name, input, d)
    cls, res = (NanmedianDim, NanmedianResult) if ignore_nan else (MedianDim, MedianResult)
    result = res(*cls.apply(input, lambda x: _C.median_dim(x, d, ignore_nan), d,
                            bool(keepdim)))
    return result if out is None else _into(out, result)


@op()
def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (NaN if any): of all elements, or (values, indices) along dim."""
    return _median(input, dim, keepdim, False, out)


@op()
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """The lower median of the non-NaN values (all elements, or along dim)."""
    return _median(input, dim, keepdim, True, out)


@op()
def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the most frequent value along dim (the smallest on ties)."""
    d = _C._wrap_dim(dim, input.dim())
    _check_reduction_dim("mode", input, d)
    result = ModeResult(*Mode.apply(input, lambda x: _C.mode(x, d), d, bool(keepdim)))
    return result if out is None else _into(out, result)


# ---- cummax / cummin -------------------------------------------------------------------
class Cummax(Function, node_name="CummaxBackward0"):
    @staticmethod
    def forward(ctx, input, dim, is_max):
        values, indices = _C.cumextreme(input, dim, is_max)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, input.shape
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        indices, = ctx.saved_tensors
        return _scatter_back(grad, ctx.dim, indices, ctx.shape, accumulate=True), None, None


class Cummin(Cummax, node_name="CumminBackward0"):
    pass


@op()
def cummax(input, dim, *, out=None):
    """(values, indices) of the running maximum along dim (NaN propagates)."""
    d = _C._wrap_dim(dim, input.dim())
    result = CummaxResult(*Cummax.apply(input, d, True))
    return result if out is None else _into(out, result)


@op()
def cummin(input, dim, *, out=None):
    """(values, indices) of the running minimum along dim (NaN propagates)."""
    d = _C._wrap_dim(dim, input.dim())
    result = CumminResult(*Cummin.apply(input, d, False))
    return result if out is None else _into(out, result)


# ---- unique ----------------------------------------------------------------------------
def _unique(input, sorted_rows, return_inverse, return_counts, dim):
    input = input.detach()
    if dim is None:
        rows = _C.view(_C.contiguous(input), (input.numel(), 1))
        values, inverse, counts = _C.unique(rows, sorted_rows)
        values = _C.view(values, (values.shape[0],))
        inverse = _C.view(inverse, tuple(input.shape))
    else:
        d = _C._wrap_dim(dim, input.dim())
        if input.dim() and builtins.any(s == 0 for i, s in enumerate(input.shape) if i != d):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        moved = _C.contiguous(input.movedim(d, 0))
        n = moved.shape[0] if moved.dim() else 1
        values, inverse, counts = _C.unique(_C.view(moved, (n, moved.numel() // n if n else 0)),
                                            sorted_rows)
        values = _C.view(values, (values.shape[0],) + tuple(moved.shape[1:]))
        values = values.movedim(0, d)
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out[0] if len(out) == 1 else out


@op()
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim) in ascending order, with optional
    inverse indices and counts (torch's CPU kernel sorts whatever `sorted` says)."""
    return _unique(input, True, return_inverse, return_counts, dim)


@op()
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along dim)."""
    return _unique(input, False, return_inverse, return_counts, dim)


# ---- searchsorted / bucketize ----------------------------------------------------------
@op(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices where input's values would be inserted into sorted_sequence's last dim."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' "
                               f"but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    scalar = not isinstance(input, _C.TensorBase)
    if scalar:
        input = _C.tensor_from_data(input)
    bshape, vshape = list(sorted_sequence.shape), list(input.shape)
    if sorted_sequence.dim() != 1 and (len(bshape) != len(vshape) or bshape[:-1] != vshape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension "
                           "or the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor {bshape} and "
                           f"input value tensor {vshape}")
    if sorter is not None:
        if list(sorter.shape) != bshape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {bshape}and got sorter tensor "
                               f"{list(sorter.shape)}")
        if sorter.dtype != _C.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype "
                               f"but got dtype {sorter.dtype}")
    dt = _C.promote_types(sorted_sequence.dtype, input.dtype)
    if dt == _C.bool_:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    b = sorted_sequence if sorted_sequence.dtype == dt else _C.cast(sorted_sequence, dt)
    v = input if input.dtype == dt else _C.cast(input, dt)
    if b.dim() == 1 and v.dim() > 1:        # one sequence for every row of values
        lead = tuple(vshape[:-1]) + (bshape[0],)
        b = _C.expand(b, lead)
        if sorter is not None:
            sorter = _C.expand(sorter, lead)
    result = _C.searchsorted(b, v, bool(right), sorter, bool(out_int32))
    return result if out is None else _into(out, result)


@op(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value: searchsorted(boundaries, input) for 1-D boundaries."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ---- nonzero / counting ----------------------------------------------------------------
@op()
def nonzero(input, *, out=None, as_tuple=False):
    """Coordinates of the nonzero elements: (count, ndim) int64, or one tensor per dim."""
    coords = _C.nonzero(input.detach())
    if as_tuple:
        if input.dim() == 0:
            return (_C.view(_C.contiguous(_C.select(coords, 1, 0) if coords.shape[1] else
                                          _C.fill_(_C.empty((coords.shape[0],), _C.int64), 0)),
                            (coords.shape[0],)),)
        columns = _C.contiguous(_C.transpose(coords, 0, 1))
        return tuple(_C.select(columns, 0, i) for i in range(input.dim()))
    return coords if out is None else _into(out, coords)


@op()
def argwhere(input):
    """The coordinates of the nonzero elements, shape (count, ndim)."""
    return _C.nonzero(input.detach())


@op()
def count_nonzero(input, dim=None):
    """How many elements are nonzero (along dim, or in all)."""
    ne = input.detach() != 0
    return ne.sum() if dim is None else ne.sum(dim)


@op()
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in a 1-D tensor (or its summed weights)."""
    if input.dim() != 1 or input.is_floating_point() or input.dtype == _C.bool_:
        if input.dim() == 1 and input.is_floating_point():
            _not_for("bincount_cpu", input, input.dtype.name)
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    n = input.numel()
    if n and int(input.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != n):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = builtins.max(int(input.max()) + 1 if n else 0, minlength)
    index = input if input.dtype == _C.int64 else _C.cast(input, _C.int64)
    if weights is None:
        counts = _zeros((size,), _C.int64)
        return _C.scatter_(counts, 0, index, 1, "add")
    dt = _C.float32 if weights.dtype == _C.float32 else _C.float64
    w = weights.detach()
    w = w if w.dtype == dt else _C.cast(w, dt)
    return _C.scatter_(_zeros((size,), dt), 0, index, w, "add")


@op()
def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts of input's values in `bins` equal-width bins over [min, max] (the data's
    range when min == max); values outside are ignored."""
    _not_for("histogram_cpu", input, "bool", "uint8", "int8", "int16", "int32", "int64")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    lo, hi = float(min), float(max)
    x = input.detach()
    if lo == hi and x.numel() > 0:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo != lo or hi != hi or lo in (float("inf"), float("-inf")) or \
            hi in (float("inf"), float("-inf")):
        def fmt(v):
            return "-nan" if v != v else (str(int(v)) if v == int(v) else str(v)) \
                if v not in (float("inf"), float("-inf")) else ("inf" if v > 0 else "-inf")
        raise RuntimeError(f"torch.histc: range of [{fmt(lo)}, {fmt(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    result = _C.histc(x, int(bins), lo, hi)
    return result if out is None else _into(out, result)
