"""Pieces of tensors: unfold (sliding windows as a view), ravel, split_with_sizes,
narrow_copy, select_scatter, slice_scatter, diagflat, fill_diagonal_,
unravel_index."""
import builtins

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.movement import narrow, split, _zeros

Tensor = _C.TensorBase


# ---- unfold ----------------------------------------------------------------------------
class Unfold(Function, node_name="UnfoldBackward0"):
    @staticmethod
    def forward(ctx, input, dim, size, step):
        ctx.shape, ctx.args = input.shape, (dim, size, step)
        if input.dim() == 0:
            return _C.as_strided(input, (1,), (1,), input.storage_offset())
        n = (input.shape[dim] - size) // step + 1
        shape = list(input.shape)
        shape[dim] = n
        strides = list(input.stride())
        strides[dim] *= step
        return _C.as_strided(input, tuple(shape) + (size,),
                             tuple(strides) + (input.stride(dim),), input.storage_offset())

    @staticmethod
    def backward(ctx, g):
        dim, size, step = ctx.args
        if len(ctx.shape) == 0:
            return g.reshape(()), None, None, None
        from tinytensor import arange
        n = g.shape[dim]
        gi = _zeros(ctx.shape, g.dtype)
        for k in range(size):          # window offset k hits k, k + step, k + 2 step, ...
            idx = arange(k, k + n * step, step) if n else arange(0)
            gi = gi.index_add(dim, idx, g.select(-1, k))
        return gi, None, None, None


@method()
def unfold(self, dimension, size, step):
    """A view of all windows of `size` elements along dimension, `step` apart."""
    d = _C._wrap_dim(dimension, builtins.max(self.dim(), 1))
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size "
                           f"is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(self, d, size, step)


# ---- flattening and splitting ----------------------------------------------------------
@op()
def ravel(input):
    """input flattened to 1-D (a view when possible)."""
    return input.reshape(-1)


@op()
def split_with_sizes(input, split_sizes, dim=0):
    """Split into pieces of the listed sizes along dim."""
    return split(input, list(split_sizes), dim)


@op()
def narrow_copy(input, dim, start, length):
    """narrow, as a new contiguous tensor."""
    return narrow(input, dim, start, length).contiguous()


# ---- writing a slice into a copy -------------------------------------------------------
class _ScatterInto(Function):
    """out = input with `region(out)` replaced by src; region is a view-making function."""
    @staticmethod
    def forward(ctx, input, src, region):
        if tuple(region(input).shape) != tuple(src.shape):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src "
                               f"size = {list(src.shape)}, slice size = "
                               f"{list(region(input).shape)}")
        out = _C.clone(input)
        _C.copy_(region(out), src.detach())
        ctx.region = region
        return out

    @staticmethod
    def backward(ctx, g):
        gi = g.clone()
        _C.copy_(ctx.region(gi), _C.fill_(_C.empty(tuple(ctx.region(g).shape), g.dtype), 0))
        return gi, ctx.region(g), None


class SelectScatter(_ScatterInto, node_name="SelectScatterBackward0"):
    pass


class SliceScatter(_ScatterInto, node_name="SliceScatterBackward0"):
    pass


@op()
def select_scatter(input, src, dim, index):
    """A copy of input with src written at index along dim."""
    d = _C._wrap_dim(dim, input.dim())
    return SelectScatter.apply(input, src, lambda t: _C.select(t, d, index))


@op()
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input with src written into input[start:end:step] along dim."""
    d = _C._wrap_dim(dim, input.dim())
    key = (slice(None),) * d + (slice(start, end, step),)
    return SliceScatter.apply(input, src, lambda t: _C.getitem(t, key))


# ---- diagonals -------------------------------------------------------------------------
@op()
def diagflat(input, offset=0):
    """A 2-D tensor with input's flattened values on diagonal `offset`."""
    return input.reshape(-1).diag(offset)


@method()
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (of a 2-D or hyper-cubic tensor) in place."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    from tinytensor import arange
    rows, cols = self.shape[0], self.shape[1]
    if wrap and self.dim() == 2 and rows > cols + 1:
        # numpy's wrap: every (cols + 1)-th element of the row-major order
        flat = arange(0, rows * cols, cols + 1)
        index = (flat.div(cols, rounding_mode="floor"), flat.remainder(cols))
    else:
        i = arange(builtins.min(self.shape))
        index = (i,) * self.dim()
    self[index] = fill_value
    return self


# ---- unravel_index ---------------------------------------------------------------------
@op(method=False)
def unravel_index(indices, shape):
    """Flat indices to a tuple of coordinate tensors for shape (row-major)."""
    if not isinstance(indices, Tensor):
        from tinytensor import tensor
        indices = tensor(indices)
    if indices.is_floating_point() or indices.dtype is _C.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if builtins.any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    idx = indices.to(_C.int64)       # as torch, out-of-range indices wrap around
    coords = []
    for s in reversed(shape):
        coords.append(idx.remainder(s))
        idx = idx.div(s, rounding_mode="floor")
    return tuple(reversed(coords))


@op()
def adjoint(self):
    """The conjugate transpose of the last two dims (a view; reals just transpose)."""
    if self.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor." if self.dim() == 1 else
                           "tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 0-D tensor.")
    return self.transpose(-2, -1)


# ---- index_reduce, nonzero_static -----------------------------------------------------
def _index_reduce(input, dim, index, source, reduce, include_self, inplace):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax "
                           f"or amin but got {reduce}.")
    d = _C._wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    # spread index over source's shape: entry i of dim d goes to row index[i] of input
    shape = [1] * source.dim()
    shape[d] = index.numel()
    spread = index.reshape(shape).expand(source.shape)
    fn = input.scatter_reduce_ if inplace else input.scatter_reduce
    return fn(d, spread, source, reduce, include_self=include_self)


@op()
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of input with source's slices reduced into the rows index names."""
    return _index_reduce(input, dim, index, source, reduce, include_self, False)


@method()
def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """index_reduce in place."""
    return _index_reduce(self, dim, index, source, reduce, include_self, True)


@op()
def nonzero_static(input, *, size, fill_value=-1):
    """nonzero() cut or padded with fill_value to exactly size rows."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but "
                           f"got size = {size}")
    nz = input.nonzero()
    if nz.shape[0] >= size:
        return nz[:size].contiguous()
    pad = _C.fill_(_C.empty((size - nz.shape[0], nz.shape[1]), nz.dtype), fill_value)
    from tinytensor.ops.movement import cat
    return cat([nz, pad], 0)


# ---- pixel shuffles ---------------------------------------------------------------------
def _check_rank(name, input, ndim=3):
    if input.dim() < ndim:
        raise RuntimeError(f"{name} expects input to have at least {ndim} dimensions, but "
                           f"got input with {input.dim()} dimension(s)")


@op(method=False)
def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r): channels become r x r pixel blocks."""
    _check_rank("pixel_shuffle", input)
    r = upscale_factor
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{c} is not divisible by {r * r}")
    n = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


@op(method=False)
def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    _check_rank("pixel_unshuffle", input)
    r = downscale_factor
    *batch, c, h, w = input.shape
    if h % r or w % r:
        dim, size = ("height", h) if h % r else ("width", w)
        raise RuntimeError(f"pixel_unshuffle expects {dim} to be divisible by "
                           f"downscale_factor, but input.size({-2 if h % r else -1})={size} "
                           f"is not divisible by {r}")
    n = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


@op(method=False)
def channel_shuffle(input, groups):
    """(N, g k, *) -> channels reordered as k groups of g (ShuffleNet's shuffle)."""
    _check_rank("channel_shuffle", input, 3)
    c = input.shape[1]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} "
                           f"channels and {groups} groups.")
    rest = list(input.shape[2:])
    x = input.reshape(input.shape[0], groups, c // groups, *rest)
    return x.transpose(1, 2).reshape(input.shape)
