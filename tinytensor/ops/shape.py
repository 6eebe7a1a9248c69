"""Shape utilities: repeat, tile, repeat_interleave, flip, roll, rot90, tril/triu,
diag/diagonal/diag_embed/diagonal_scatter, trace, broadcast_tensors/shapes, meshgrid,
cartesian_prod, block_diag, diff, tril_indices/triu_indices, hsplit/vsplit/dsplit.

Most are views or a copy through a view (repeat expands a view with stride 0, then
copies it once); flip and tril run their own small kernels (ctensor/gather.c,
linalg.c).  Each backward undoes its op: repeat sums the copies, flip flips back, a
diagonal's gradient is written back onto a diagonal of zeros."""
import builtins
import functools
import warnings

from tinytensor import _C
from tinytensor._device import _check_device
from tinytensor.autograd.function import Function
from tinytensor._size import Size
from tinytensor.autograd.inplace import check_inplace
from tinytensor.ops._registry import op, method


def _sizes(args):
    if len(args) == 1 and not hasattr(args[0], "__index__"):
        return tuple(builtins.int(s) for s in args[0])
    return tuple(builtins.int(s) for s in args)


def _zeros(shape, dtype):
    return _C.fill_(_C.empty(tuple(shape), dtype), 0)


def _dims(dims, ndim, name):
    """dims as wrapped ints, with torch's error for duplicates."""
    if isinstance(dims, builtins.int):
        dims = (dims,)
    out = [_C._wrap_dim(d, ndim) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


# ---- repeat / tile / repeat_interleave -------------------------------------------------
class Repeat(Function, node_name="RepeatBackward0"):
    @staticmethod
    def forward(ctx, input, repeats):
        lead = len(repeats) - input.dim()
        shape = (1,) * lead + tuple(input.shape)
        pairs = [(r, s) for r, s in zip(repeats, shape)]
        ctx.input_shape, ctx.pairs = input.shape, pairs
        # view as (1, s0, 1, s1, ...), expand to (r0, s0, r1, s1, ...), copy once
        interleaved = [x for s in shape for x in (1, s)]
        expanded = [x for r, s in pairs for x in (r, s)]
        view = _C.expand(_C.view(_C.contiguous(input), tuple(interleaved)), tuple(expanded))
        return _C.view(_C.clone(view), tuple(r * s for r, s in pairs))

    @staticmethod
    def backward(ctx, grad):
        expanded = [x for r, s in ctx.pairs for x in (r, s)]
        summed = grad.reshape(expanded).sum(tuple(range(0, len(expanded), 2))) \
            if expanded else grad
        return summed.reshape(ctx.input_shape), None


@method()
def repeat(self, *sizes):
    """self tiled sizes[i] times along each dim (leading sizes add new dims)."""
    if not sizes:
        raise TypeError("repeat() missing 1 required positional arguments: \"repeats\"")
    repeats = _sizes(sizes)
    if len(repeats) < self.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                           "number of dimensions of tensor")
    if builtins.any(r < 0 for r in repeats):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{builtins.min(repeats)}: {list(repeats)}")
    return Repeat.apply(self, repeats)


@op()
def tile(input, dims):
    """Like repeat, with missing leading dims of `dims` taken as 1."""
    dims = _sizes((dims,))
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


@op()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along dim) repeats times, keeping them together."""
    if repeats is None:          # repeat_interleave(repeats): the index it describes
        return _repeat_index(input, output_size)
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = _C._wrap_dim(dim, input.dim())
    if isinstance(repeats, _C.TensorBase) and repeats.numel() == 1 and repeats.dim() <= 1:
        repeats = repeats.item()
    if not isinstance(repeats, _C.TensorBase):
        if repeats < 0:
            raise RuntimeError("repeats can not be negative")
        x = input if input.dim() else input.reshape(1)
        shape = list(x.shape)
        wide = shape[:d + 1] + [repeats] + shape[d + 1:]
        merged = shape[:d] + [shape[d] * repeats] + shape[d + 1:]
        return x.unsqueeze(d + 1).expand(*wide).reshape(merged)
    if repeats.dim() != 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    size = input.shape[d] if input.dim() else 1
    if repeats.shape[0] != size:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {repeats.shape[0]} and "
                           f"input.size({d}) = {size}")
    from tinytensor.ops.indexing import index_select
    return index_select(input, d, _repeat_index(repeats, output_size))


def _repeat_index(repeats, output_size):
    if repeats.dim() != 1 or repeats.is_floating_point() or repeats.dtype == _C.bool_:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    r = repeats if repeats.dtype == _C.int64 else _C.cast(repeats, _C.int64)
    total = output_size if output_size is not None else builtins.int(r.sum()) if r.numel() else 0
    return _C.repeat_index(r, total)


# ---- flip / roll / rot90 ---------------------------------------------------------------
class Flip(Function, node_name="FlipBackward0"):
    @staticmethod
    def forward(ctx, input, dims):
        ctx.dims = dims
        return _C.flip(input, dims)

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None


@op()
def flip(input, *dims):
    """A copy of input with the order of elements along dims reversed."""
    dims = _sizes(dims) if dims else ()
    return Flip.apply(input, _dims(dims, input.dim(), "flip"))


@op()
def fliplr(input):
    """Flip left-right (dim 1)."""
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


@op()
def flipud(input):
    """Flip up-down (dim 0)."""
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def _roll_once(x, shift, dim):
    size = x.shape[dim]
    if size == 0:
        return x
    start = (size - shift % size) % size
    if start == 0:
        return x
    return _C.cat([_C.narrow(x, dim, start, size - start), _C.narrow(x, dim, 0, start)], dim)


class Roll(Function, node_name="RollBackward0"):
    @staticmethod
    def forward(ctx, input, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            flat = _C.view(_C.contiguous(input), (input.numel(),))
            return _C.view(_C.contiguous(_roll_once(flat, shifts[0], 0)), tuple(input.shape))
        out = input
        for s, d in zip(shifts, dims):
            out = _roll_once(out, s, d)
        return _C.clone(out) if out is input else out

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None


@op()
def roll(input, shifts, dims=None):
    """Shift elements along dims cyclically (the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, builtins.int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"`shifts` required to be of length 1 when dims is None, but "
                               f"got {len(shifts)}")
        return Roll.apply(input, shifts, None)
    dims = (dims,) if isinstance(dims, builtins.int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    return Roll.apply(input, shifts, tuple(_C._wrap_dim(d, input.dim()) for d in dims))


class Rot90(Function, node_name="Rot90Backward0"):
    @staticmethod
    def forward(ctx, input, k, dims):
        ctx.k, ctx.dims = k, dims
        d0, d1 = dims
        if k == 1:
            return _C.transpose(_C.flip(input, [d1]), d0, d1)
        if k == 2:
            return _C.flip(input, [d0, d1])
        if k == 3:
            return _C.transpose(_C.flip(input, [d0]), d0, d1)
        return _C.clone(input)

    @staticmethod
    def backward(ctx, grad):
        return Rot90.apply(grad, (4 - ctx.k) % 4, ctx.dims), None, None


@op()
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times, from the first towards the second of dims."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d0, d1 = (_C._wrap_dim(d, input.dim()) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, k % 4, (d0, d1))


# ---- triangles -------------------------------------------------------------------------
class Tril(Function, node_name="TrilBackward0"):
    upper = False

    @staticmethod
    def forward(ctx, input, k, upper, inplace):
        ctx.k, ctx.upper = k, upper
        if inplace:
            ctx.mark_dirty(input)
            return _C.tril(input, k, upper, input)
        return _C.tril(input, k, upper)

    @staticmethod
    def backward(ctx, grad):
        return (triu if ctx.upper else tril)(grad, ctx.k), None, None, None


class Triu(Tril, node_name="TriuBackward0"):
    pass


def _triangle(input, diagonal, upper, inplace):
    if input.dim() < 2:
        raise RuntimeError(f"{'triu' if upper else 'tril'}: input tensor must have at least 2 "
                           "dimensions")
    if inplace:
        check_inplace(input)
    return (Triu if upper else Tril).apply(input, builtins.int(diagonal), upper, inplace)


@op()
def tril(input, diagonal=0, *, out=None):
    """The lower triangle (on and below diagonal `diagonal`) of the last two dims."""
    result = _triangle(input, diagonal, False, False)
    return result if out is None else _C.copy_(out, result)


@op()
def triu(input, diagonal=0, *, out=None):
    """The upper triangle (on and above diagonal `diagonal`) of the last two dims."""
    result = _triangle(input, diagonal, True, False)
    return result if out is None else _C.copy_(out, result)


@method()
def tril_(self, diagonal=0):
    return _triangle(self, diagonal, False, True)


@method()
def triu_(self, diagonal=0):
    return _triangle(self, diagonal, True, True)


def _triangle_indices(row, col, offset, dtype, upper):
    from tinytensor._creation import ones
    mask = _C.tril(ones(row, col, dtype=_C.bool_), offset, upper)
    coords = _C.nonzero(mask)
    out = _C.clone(_C.transpose(coords, 0, 1))
    return out if dtype in (None, _C.int64) else _C.cast(out, dtype)


@op(method=False)
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the lower triangle of a row x col matrix."""
    _check_device(device)
    return _triangle_indices(row, col, offset, dtype, False)


@op(method=False)
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the upper triangle of a row x col matrix."""
    _check_device(device)
    return _triangle_indices(row, col, offset, dtype, True)


# ---- diagonals -------------------------------------------------------------------------
def _diagonal_geometry(t, offset, d1, d2):
    """(sizes, strides, storage offset) of t's diagonal `offset` between dims d1, d2."""
    s1, s2 = t.shape[d1], t.shape[d2]
    n = builtins.min(s1, s2 - offset) if offset >= 0 else builtins.min(s1 + offset, s2)
    n = builtins.max(n, 0)
    st = t.stride()
    start = t.storage_offset()
    if n > 0:
        start += offset * st[d2] if offset >= 0 else -offset * st[d1]
    keep = [i for i in range(t.dim()) if i not in (d1, d2)]
    return ([t.shape[i] for i in keep] + [n], [st[i] for i in keep] + [st[d1] + st[d2]],
            start)


def _diagonal_view(t, offset, d1, d2):
    size, stride, start = _diagonal_geometry(t, offset, d1, d2)
    return _C.as_strided(t, size, stride, start)


class Diagonal(Function, node_name="DiagonalBackward0"):
    @staticmethod
    def forward(ctx, input, offset, d1, d2):
        ctx.shape, ctx.args = input.shape, (offset, d1, d2)
        return _diagonal_view(input, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return diagonal_scatter(_zeros(ctx.shape, grad.dtype), grad, *ctx.args), None, None, None


def _diag_dims(input, dim1, dim2):
    d1, d2 = _C._wrap_dim(dim1, input.dim()), _C._wrap_dim(dim2, input.dim())
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal `offset` of the matrices in dims dim1, dim2 (as the last dim)."""
    d1, d2 = _diag_dims(input, dim1, dim2)
    return Diagonal.apply(input, builtins.int(offset), d1, d2)


class DiagonalScatter(Function, node_name="DiagonalScatterBackward0"):
    @staticmethod
    def forward(ctx, input, src, offset, d1, d2):
        ctx.args, ctx.src_shape = (offset, d1, d2), src.shape
        out = _C.clone(input)
        view = _diagonal_view(out, offset, d1, d2)
        if tuple(view.shape) != tuple(src.shape):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src "
                               f"size = {list(src.shape)}, slice size = {list(view.shape)}")
        _C.copy_(view, src)
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, d1, d2 = ctx.args
        g_self = diagonal_scatter(grad, _zeros(ctx.src_shape, grad.dtype), offset, d1, d2)
        return g_self, diagonal(grad, offset, d1, d2), None, None, None


@op()
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with its diagonal (as diagonal() names it) replaced by src."""
    d1, d2 = _diag_dims(input, dim1, dim2)
    return DiagonalScatter.apply(input, src, builtins.int(offset), d1, d2)


class DiagEmbed(Function, node_name="DiagEmbedBackward0"):
    @staticmethod
    def forward(ctx, input, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        n = (input.shape[-1] if input.dim() else 1) + abs(offset)
        shape = list(input.shape[:-1])
        for d in sorted((d1, d2)):
            shape.insert(d, n)
        out = _zeros(shape, input.dtype)
        _C.copy_(_diagonal_view(out, offset, d1, d2), input)
        return out

    @staticmethod
    def backward(ctx, grad):
        return diagonal(grad, *ctx.args), None, None, None


@op()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims dim1, dim2 of the result) with input's last dim on a diagonal."""
    nd = input.dim() + 1
    d1, d2 = _C._wrap_dim(dim1, nd), _C._wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, builtins.int(offset), d1, d2)


class DiagOfMatrix(Function, node_name="DiagonalBackward0_copy"):
    @staticmethod
    def forward(ctx, input, offset):
        ctx.shape, ctx.offset = input.shape, offset
        return _C.clone(_diagonal_view(input, offset, 0, 1))

    @staticmethod
    def backward(ctx, grad):
        return diagonal_scatter(_zeros(ctx.shape, grad.dtype), grad, ctx.offset), None


@op()
def diag(input, diagonal=0, *, out=None):
    """A 1-D tensor's square matrix with it on a diagonal, or a matrix's diagonal (copy)."""
    if input.dim() == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif input.dim() == 2:
        result = DiagOfMatrix.apply(input, builtins.int(diagonal))
    else:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{input.dim()}D")
    return result if out is None else _C.copy_(out, result)


class Trace(Function, node_name="TraceBackward0"):
    @staticmethod
    def forward(ctx, input):
        ctx.shape = input.shape
        return _diagonal_view(input, 0, 0, 1).sum()

    @staticmethod
    def backward(ctx, grad):
        n = builtins.min(ctx.shape)
        return diagonal_scatter(_zeros(ctx.shape, grad.dtype), grad.expand(n))


@op()
def trace(input):
    """The sum of a matrix's diagonal."""
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    if input.dtype == _C.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


# ---- broadcasting, grids, blocks -------------------------------------------------------
@op(method=False)
def broadcast_shapes(*shapes):
    """The shape all the given shapes broadcast to (ints count as 1-d shapes)."""
    shapes = [(s,) if isinstance(s, builtins.int) else s for s in shapes if s is not None]
    for shape in shapes:
        if not isinstance(shape, (tuple, list)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a "
                               f"list of ints, got {shape}")
    result = [1] * builtins.max((len(s) for s in shapes), default=0)
    # Right to left, as torch, so its error names the same dim and partial result.
    for arg, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == result[i]:
                continue
            if result[i] == 1:
                if shape[i] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative "
                                     "length!")
                result[i] = shape[i]
            elif shape[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length "
                                   f"{shape[i]} at {i}! Mismatching argument at index {arg} "
                                   f"had {shape}; but expected shape should be "
                                   f"broadcastable to {result}")
    return Size(result)


def infer_size(a, b):
    """The broadcast of two tensor shapes, with the error torch gives for tensors."""
    n = builtins.max(len(a), len(b))
    out = [1] * n
    for i in range(n - 1, -1, -1):
        da, db = i - n + len(a), i - n + len(b)
        sa, sb = a[da] if da >= 0 else 1, b[db] if db >= 0 else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                               f"({sb}) at non-singleton dimension {i}")
        out[i] = sb if sa == 1 else sa
    return Size(out)


@op(method=False)
def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = functools.reduce(infer_size, (t.shape for t in tensors), ())
    return tuple(t if tuple(t.shape) == tuple(shape) else t.expand(*shape) for t in tensors)


@op(method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (indexing 'ij' as matrices, 'xy' as images)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = [t.shape[0] for t in flat]
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = shape[i]
        grids.append(t.view(*view).expand(*shape))
    if swap:        # 'xy': grids of the swapped inputs, handed back in the caller's order
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


@op(method=False)
def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D tensors, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    from tinytensor.ops.movement import stack
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


class BlockDiag(Function, node_name="BlockDiagBackward0"):
    @staticmethod
    def forward(ctx, *tensors):
        blocks = [t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t
                  for t in tensors]
        ctx.shapes = [(t.shape, b.shape) for t, b in zip(tensors, blocks)]
        dtype = tensors[0].dtype
        for t in tensors[1:]:
            dtype = _C.promote_types(dtype, t.dtype)
        rows = builtins.sum(b.shape[0] for b in blocks)
        cols = builtins.sum(b.shape[1] for b in blocks)
        out = _zeros((rows, cols), dtype)
        r = c = 0
        for b in blocks:
            _C.copy_(_C.narrow(_C.narrow(out, 0, r, b.shape[0]), 1, c, b.shape[1]), b)
            r, c = r + b.shape[0], c + b.shape[1]
        return out

    @staticmethod
    def backward(ctx, grad):
        grads, r, c = [], 0, 0
        for shape, (h, w) in ctx.shapes:
            grads.append(grad.narrow(0, r, h).narrow(1, c, w).reshape(shape))
            r, c = r + h, c + w
        return tuple(grads)


@op(method=False)
def block_diag(*tensors):
    """A block-diagonal matrix with the given tensors (0-, 1- or 2-D) as blocks."""
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.dim()} dimensions")
    if not tensors:
        return _C.empty((1, 0), _C.get_default_dtype())
    return BlockDiag.apply(*tensors)


@op()
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (prepend/append joined first)."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _C._wrap_dim(dim, input.dim())
    from tinytensor.ops.movement import cat

    def along(p):       # a 0-d prepend/append is one slice of the input's shape
        return p if p.dim() else p.expand(*[1 if i == d else s
                                             for i, s in enumerate(input.shape)])
    parts = [along(p) for p in (prepend,) if p is not None] + [input] + \
            [along(p) for p in (append,) if p is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        hi, lo = x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1)
        x = hi != lo if x.dtype == _C.bool_ else hi - lo
    return x


# ---- hsplit / vsplit / dsplit: tensor_split along a fixed dim ---------------------------
def _split_along(name, input, sections, dim, min_dims):
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                           f"dimension, but got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, builtins.int):
        size = input.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    from tinytensor.ops._registry import FUNCTIONS
    return FUNCTIONS["tensor_split"](input, sections, dim)


@op()
def hsplit(input, indices_or_sections):
    """Split along dim 1 (dim 0 of a 1-d tensor) into equal parts or at indices."""
    return _split_along("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


@op()
def vsplit(input, indices_or_sections):
    """Split along dim 0 into equal parts or at indices."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


@op()
def dsplit(input, indices_or_sections):
    """Split along dim 2 into equal parts or at indices."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)
