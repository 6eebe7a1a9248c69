"""Views and joins: reshape, transpose, permute, expand, squeeze, index, cat, stack ...

A view shares its input's storage (the C core just computes new shape/strides), so its
backward puts the gradient back into the input's shape: the inverse view, a sum over
expanded dims, or a scatter into zeros for selections."""
import builtins

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method


def _shape_args(shape):
    if len(shape) == 1 and not hasattr(shape[0], "__index__"):
        return tuple(shape[0])
    return tuple(shape)


def _zeros(shape, dtype):
    return _C.fill_(_C.empty(tuple(shape), dtype), 0)


# ---- reshaping -------------------------------------------------------------------------
class View(Function, node_name="ViewBackward0"):
    @staticmethod
    def forward(ctx, input, shape):
        ctx.input_shape = input.shape
        return _C.view(input, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class Reshape(Function, node_name="UnsafeViewBackward0"):
    """reshape that had to copy (torch: a clone, then an _unsafe_view of it)."""
    @staticmethod
    def forward(ctx, input, shape):
        ctx.input_shape = input.shape
        return _C.view(_C.clone(input), shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


@method()
def view(self, *shape):
    """A view with a new shape; raises when the strides do not allow one."""
    if len(shape) == 1 and isinstance(shape[0], _C.dtype):
        return _C.view_dtype(self, shape[0])
    return View.apply(self, _shape_args(shape))


@method()
def view_as(self, other):
    return view(self, other.shape)


@op()
def reshape(input, *shape):
    """input's values in a new shape: a view when possible, else a copy."""
    shape = _shape_args(shape)
    if _C._try_view(input, shape) is not None:
        return View.apply(input, shape)
    return Reshape.apply(input, shape)


@method()
def reshape_as(self, other):
    return reshape(self, other.shape)


@op()
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    nd = input.dim()
    if nd == 0:
        return reshape(input, (1,))
    s = _C._wrap_dim(start_dim, nd)
    e = _C._wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, tuple(shape[:s]) + (n,) + tuple(shape[e + 1:]))


@op()
def unflatten(input, dim, sizes):
    """Split dim into the given sizes (one may be -1)."""
    d = _C._wrap_dim(dim, input.dim())
    shape = list(input.shape)
    sizes = list(sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        sizes[sizes.index(-1)] = shape[d] // known if known else 0
    return view(input, tuple(shape[:d] + sizes + shape[d + 1:]))


# ---- dims --------------------------------------------------------------------------------
class Transpose(Function, node_name="TransposeBackward0"):
    @staticmethod
    def forward(ctx, input, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return _C.transpose(input, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return _C.transpose(grad, *ctx.dims) if not grad.requires_grad else \
            transpose(grad, *ctx.dims), None, None


class T(Function, node_name="TBackward0"):
    @staticmethod
    def forward(ctx, input):
        return _C.transpose(input, 0, 1) if input.dim() == 2 else _C.alias(input)

    @staticmethod
    def backward(ctx, grad):
        return t(grad)


@op()
def transpose(input, dim0, dim1):
    """A view with dims dim0 and dim1 swapped."""
    return Transpose.apply(input, dim0, dim1)


swapaxes = op("swapaxes")(transpose)
swapdims = op("swapdims")(transpose)


@op()
def t(input):
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    if input.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.dim()}D")
    return T.apply(input)


class Permute(Function, node_name="PermuteBackward0"):
    @staticmethod
    def forward(ctx, input, dims):
        ctx.dims = dims
        return _C.permute(input, dims)

    @staticmethod
    def backward(ctx, grad):
        nd = len(ctx.dims)
        inverse = [0] * nd
        for i, d in enumerate(ctx.dims):
            inverse[_C._wrap_dim(d, nd)] = i
        return permute(grad, inverse), None


@op()
def permute(input, *dims):
    """A view with dims reordered."""
    return Permute.apply(input, _shape_args(dims))


@op()
def movedim(input, source, destination):
    """Move dims from source positions to destination positions."""
    nd = input.dim()
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} "
                           f"dims) should contain the same number of dims as destination "
                           f"({dst} dims)")
    src = [_C._wrap_dim(d, nd) for d in src]
    dst = [_C._wrap_dim(d, nd) for d in dst]
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, order)


moveaxis = op("moveaxis")(movedim)


def _sum_to_shape(grad, shape):
    """Sum grad over the dims that broadcasting added or stretched, back to shape."""
    return grad.sum_to_size(shape) if tuple(grad.shape) != tuple(shape) else grad


class Expand(Function, node_name="ExpandBackward0"):
    @staticmethod
    def forward(ctx, input, shape):
        ctx.input_shape = input.shape
        return _C.expand(input, shape)

    @staticmethod
    def backward(ctx, grad):
        return _sum_to_shape(grad, ctx.input_shape), None


@method()
def expand(self, *sizes):
    """A view repeating size-1 dims without copying (stride 0)."""
    return Expand.apply(self, _shape_args(sizes))


@method()
def expand_as(self, other):
    return expand(self, other.shape)


@op()
def broadcast_to(input, shape):
    return expand(input, tuple(shape))


class Squeeze(Function, node_name="SqueezeBackward0"):
    @staticmethod
    def forward(ctx, input, dim):
        ctx.input_shape = input.shape
        return _C.squeeze(input, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class SqueezeDim(Squeeze, node_name="SqueezeBackward1"):
    pass


@op()
def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those named by dim)."""
    if dim is None:
        return Squeeze.apply(input, None)
    return SqueezeDim.apply(input, dim)


class Unsqueeze(Function, node_name="UnsqueezeBackward0"):
    @staticmethod
    def forward(ctx, input, dim):
        ctx.dim = dim
        return _C.unsqueeze(input, dim)

    @staticmethod
    def backward(ctx, grad):
        return squeeze(grad, ctx.dim), None


@op()
def unsqueeze(input, dim):
    """Insert a size-1 dim at dim."""
    return Unsqueeze.apply(input, dim)


# ---- selecting -----------------------------------------------------------------------------
class Select(Function, node_name="SelectBackward0"):
    @staticmethod
    def forward(ctx, input, dim, index):
        ctx.input_shape, ctx.dim, ctx.index = input.shape, dim, index
        return _C.select(input, dim, index)

    @staticmethod
    def backward(ctx, grad):
        out = _zeros(ctx.input_shape, grad.dtype)
        _C.copy_(_C.select(out, ctx.dim, ctx.index), grad)
        return out, None, None


@op()
def select(input, dim, index):
    """The slice at index along dim, with that dim removed (a view)."""
    return Select.apply(input, dim, index)


class Narrow(Function, node_name="SliceBackward0"):
    @staticmethod
    def forward(ctx, input, dim, start, length):
        ctx.input_shape, ctx.args = input.shape, (dim, start, length)
        return _C.narrow(input, dim, start, length)

    @staticmethod
    def backward(ctx, grad):
        out = _zeros(ctx.input_shape, grad.dtype)
        _C.copy_(_C.narrow(out, *ctx.args), grad)
        return out, None, None, None


@op()
def narrow(input, dim, start, length):
    """A view of length elements of dim, from start."""
    if hasattr(start, "item"):
        start = start.item()
    return Narrow.apply(input, dim, start, length)


class Index(Function, node_name="IndexBackward0"):
    @staticmethod
    def forward(ctx, input, index):
        ctx.input_shape, ctx.index = input.shape, index
        return _C.getitem(input, index)

    @staticmethod
    def backward(ctx, grad):
        out = _zeros(ctx.input_shape, grad.dtype)
        _C.setitem(out, ctx.index, grad, True)     # accumulate: repeated indices add up
        return out, None


class SliceIndex(Index, node_name="SliceBackward0"):
    pass


class SelectIndex(Index, node_name="SelectBackward0"):
    pass


class UnsqueezeIndex(Index, node_name="UnsqueezeBackward0"):
    pass


class AliasIndex(Index, node_name="AliasBackward0"):
    pass


def _is_int_index(x):
    if isinstance(x, _C.TensorBase):
        return x.dim() == 0 and not x.is_floating_point() and x.dtype not in (_C.bool_, _C.uint8)
    return hasattr(x, "__index__")


def _index_kind(shape, index):
    """The node torch names for t[index]: basic indices apply one by one (int: select,
    partial slice: slice, None: unsqueeze; whole-dim slices do nothing) and the last one
    names the result; any tensor/list index makes it an IndexBackward0."""
    items = index if isinstance(index, tuple) else (index,)
    consumed = 0
    for x in items:
        if x is None or x is Ellipsis:
            continue
        if isinstance(x, builtins.bool) or not (isinstance(x, slice) or _is_int_index(x)):
            return Index
        consumed += 1
    kind, d = AliasIndex, 0
    for x in items:
        if x is Ellipsis:
            d += len(shape) - consumed
        elif x is None:
            kind = UnsqueezeIndex
        elif isinstance(x, slice):
            if d < len(shape) and x.indices(shape[d]) != (0, shape[d], 1):
                kind = SliceIndex
            d += 1
        else:
            kind = SelectIndex
            d += 1
    return kind


@method("__getitem__")
def getitem(self, index):
    """self[index]: views for ints/slices/None/..., a copy for tensors, lists, masks."""
    if not (_C.is_grad_enabled() and self.requires_grad):
        return _C.getitem(self, index)
    return _index_kind(self.shape, index).apply(self, index)


class _Unbind(Function, node_name="UnbindBackward0"):
    @staticmethod
    def forward(ctx, input, dim):
        ctx.dim = dim
        return tuple(_C.select(input, dim, i) for i in range(input.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


@op()
def unbind(input, dim=0):
    """The slices along dim as a tuple of views."""
    d = _C._wrap_dim(dim, input.dim())
    return _mark_multi_view(_Unbind.apply(input, d))


def _mark_multi_view(views):
    """Note which output of which node each recorded view is: torch forbids in-place
    writes to them (elementwise.py's in-place ops check the mark)."""
    for i, v in enumerate(views):
        if v._grad_fn is not None:
            v.__dict__["_multi_view"] = (i, type(v._grad_fn).__name__.replace("Backward0", ""))
    return views


class _SplitWithSizes(Function, node_name="SplitWithSizesBackward0"):
    @staticmethod
    def forward(ctx, input, sizes, dim):
        ctx.dim = dim
        out, start = [], 0
        for s in sizes:
            out.append(_C.narrow(input, dim, start, s))
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None


class _Split(_SplitWithSizes, node_name="SplitBackward0"):
    pass


@op()
def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of a given size, or of the listed sizes, along dim."""
    d = _C._wrap_dim(dim, tensor.dim())
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if step else [0]
        return _mark_multi_view(_Split.apply(tensor, tuple(sizes), d))
    sizes = tuple(split_size_or_sections)
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {d}), but got "
                           f"split_sizes={list(sizes)}")
    return _mark_multi_view(_SplitWithSizes.apply(tensor, sizes, d))


@op()
def chunk(input, chunks, dim=0):
    """Split into `chunks` nearly equal pieces along dim."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _C._wrap_dim(dim, input.dim())
    size = input.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d)


@op()
def tensor_split(input, indices_or_sections, dim=0):
    d = _C._wrap_dim(dim, input.dim())
    size = input.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
    else:
        bounds = [0] + [min(max(i, 0), size) for i in indices_or_sections] + [size]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    # torch slices each piece separately (each has its own SliceBackward0)
    out, start = [], 0
    for n in sizes:
        out.append(narrow(input, d, start, n))
        start += n
    return tuple(out)


# ---- joining -----------------------------------------------------------------------------
class _Cat(Function, node_name="CatBackward0"):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.sizes = [t.shape[dim] if t.dim() else 0 for t in tensors]
        ctx.skipped = [t.dim() == 1 and t.shape[0] == 0 for t in tensors]
        ctx.dim = dim
        return _C.cat(tensors, dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, skipped in zip(ctx.sizes, ctx.skipped):
            if skipped:
                grads.append(None)
                continue
            grads.append(_C.narrow(grad, ctx.dim, start, size))
            start += size
        return (None, *grads)


def _tensor_list(tensors):
    tensors = tuple(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, _C.TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


@op()
def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim."""
    tensors = _tensor_list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    nd = builtins.max(t.dim() for t in tensors) if builtins.all(
        isinstance(t, _C.TensorBase) for t in tensors) else 1
    d = _C._wrap_dim(dim, nd) if nd else dim
    result = _Cat.apply(d, *tensors)
    if out is not None:
        out.resize_(result.shape) if hasattr(out, "resize_") else None
        _C.copy_(out, result)
        return out
    return result


concat = op("concat")(cat)
concatenate = op("concatenate")(cat)


@op()
def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for i, x in enumerate(tensors):
        if x.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(x.shape)} at entry {i}")
    d = _C._wrap_dim(dim, len(shape) + 1)
    result = _Stack.apply(d, *tensors)
    if out is not None:
        _C.copy_(out, result)
        return out
    return result


class _Stack(Function, node_name="StackBackward0"):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return _C.cat([_C.unsqueeze(t, dim) for t in tensors], dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *unbind(grad, ctx.dim))


@op()
def hstack(tensors, *, out=None):
    """Stack horizontally: along dim 1, or dim 0 for 1-D tensors."""
    tensors = [atleast_1d(x) for x in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1, out=out)


@op()
def vstack(tensors, *, out=None):
    """Stack vertically: 1-D tensors become rows."""
    return cat([atleast_2d(x) for x in tensors], 0, out=out)


row_stack = op("row_stack")(vstack)


@op()
def dstack(tensors, *, out=None):
    return cat([atleast_3d(x) for x in tensors], 2, out=out)


@op()
def column_stack(tensors, *, out=None):
    cols = [reshape(x, (x.numel(), 1)) if x.dim() <= 1 else x for x in tensors]
    return cat(cols, 1, out=out)


@op(method=False)
def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = [reshape(x, (1,)) if x.dim() == 0 else x for x in ts]
    return out[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else tuple(out)


@op(method=False)
def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for x in ts:
        if x.dim() == 0:
            x = reshape(x, (1, 1))
        elif x.dim() == 1:
            x = unsqueeze(x, 0)
        out.append(x)
    return out[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else tuple(out)


@op(method=False)
def atleast_3d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for x in ts:
        if x.dim() == 0:
            x = reshape(x, (1, 1, 1))
        elif x.dim() == 1:
            x = reshape(x, (1, x.shape[0], 1))
        elif x.dim() == 2:
            x = unsqueeze(x, 2)
        out.append(x)
    return out[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else tuple(out)


# ---- copies ------------------------------------------------------------------------------
class Clone(Function, node_name="CloneBackward0"):
    @staticmethod
    def forward(ctx, input):
        return _C.clone(input, True)        # torch's preserve_format: input's layout

    @staticmethod
    def backward(ctx, grad):
        return grad


@op()
def clone(input, *, memory_format=None):
    """A copy of input with its own storage."""
    return Clone.apply(input)


class Contiguous(Clone, node_name="CloneBackward0"):
    @staticmethod
    def forward(ctx, input):
        return _C.clone(input)


@method()
def contiguous(self, memory_format=None):
    """self if already contiguous, else a contiguous copy."""
    if self.is_contiguous():
        return self
    return Contiguous.apply(self)


class ToCopy(Function, node_name="ToCopyBackward0"):
    @staticmethod
    def forward(ctx, input, dtype):
        ctx.input_dtype = input.dtype
        return _C.cast(input, dtype, True)  # torch's preserve_format: input's layout

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.input_dtype), None


class AsStrided(Function, node_name="AsStridedBackward0"):
    @staticmethod
    def forward(ctx, input, size, stride, offset):
        ctx.input = (input.shape, input.stride(), input.storage_offset())
        ctx.args = (size, stride, offset)
        return _C.as_strided(input, size, stride, offset)

    @staticmethod
    def backward(ctx, grad):
        shape, stride, offset = ctx.input
        # scatter-add the gradient into a zero storage laid out like the input's
        numel = builtins.max([offset + builtins.sum((s - 1) * st for s, st in zip(shape, stride)) + 1,
                              ctx.args[2] + builtins.sum((s - 1) * st for s, st in zip(*ctx.args[:2])) + 1]) \
            if builtins.all(s > 0 for s in shape) else 1
        storage = _zeros((numel,), grad.dtype)
        region = _C.as_strided(storage, ctx.args[0], ctx.args[1], ctx.args[2])
        if builtins.any(st == 0 for st in ctx.args[1]) or _overlapping(ctx.args[0], ctx.args[1]):
            raise NotImplementedError("as_strided backward with overlapping outputs")
        _C.copy_(region, _C.add(region, grad) if hasattr(_C, "add") else grad)
        return _C.as_strided(storage, shape, stride, offset), None, None, None


def _overlapping(size, stride):
    pairs = sorted((st, s) for s, st in zip(size, stride) if s > 1)
    extent = 1
    for st, s in pairs:
        if st < extent:
            return True
        extent = st * (s - 1) + extent
    return False


@op()
def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit sizes, strides and offset (checked against the storage)."""
    return AsStrided.apply(input, tuple(size), tuple(stride),
                           input.storage_offset() if storage_offset is None else storage_offset)
