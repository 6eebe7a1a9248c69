"""Numerical helpers composed from matmul, reductions and indexing: vdot, matrix_power,
trapezoid/cumulative_trapezoid, dist, cdist, renorm, isin, vander, combinations."""
import itertools
import math

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op
from tinytensor.ops.elementwise import where, _type_name
from tinytensor.ops.movement import cat, stack

Tensor = _C.TensorBase


# ---- products --------------------------------------------------------------------------
@op()
def vdot(input, other, *, out=None):
    """The dot product of two 1-D tensors (conjugating the first: a no-op for reals)."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D "
                           f"tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_type_name(input.dtype)} and {_type_name(other.dtype)}")
    return input.dot(other)


@op()
def matrix_power(input, n):
    """input @ input @ ... (n times) for square matrices (batched); n < 0 inverts first."""
    if input.dim() < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {input.shape[-2] if input.dim() > 1 else input.numel()}"
                           f" by {input.shape[-1] if input.dim() else 1} matrices")
    if n == 0:
        from tinytensor import eye
        return eye(input.shape[-1], dtype=input.dtype).expand(input.shape).clone()
    if n < 0:
        input, n = input.inverse(), -n
    # square-and-multiply: log2(n) products instead of n
    result, base = None, input
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result if result is not input else input.clone()


# ---- integration -----------------------------------------------------------------------
def _spacing(y, x, dx, dim):
    """The widths between samples along dim: from x (positions) or a constant dx."""
    if x is None:
        return 1.0 if dx is None else dx
    if x.dim() == 1:
        d = x[1:] - x[:-1]
        shape = [1] * y.dim()
        shape[dim] = d.numel()
        return d.reshape(shape)
    return x.diff(dim=dim)


def _check_spacing(name, x):
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(Tensor, {type(x).__name__}): x must be a Tensor (use dx= for a "
                        f"constant spacing)")


@op(method=False)
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of y along dim by the trapezoidal rule."""
    d = _C._wrap_dim(dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y.sum(d)
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    _check_spacing("trapezoid", x)
    return (mid * _spacing(y, x, dx, d)).sum(d)


@op(method=False)
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running integral of y along dim by the trapezoidal rule."""
    d = _C._wrap_dim(dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y.narrow(d, 0, 0).clone()
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    _check_spacing("cumulative_trapezoid", x)
    return (mid * _spacing(y, x, dx, d)).cumsum(d)


# ---- distances and norms ---------------------------------------------------------------
@op()
def dist(input, other, p=2):
    """The p-norm of input - other."""
    from tinytensor.linalg import vector_norm
    return vector_norm(input - other, p)


class _PairwiseNorm(Function, node_name="CdistBackward0"):
    """||x1_i - x2_j||_p over the last dim, for every pair (i, j)."""
    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        from tinytensor.linalg import vector_norm
        out = vector_norm(diff, p, -1)
        ctx.save_for_backward(x1, x2, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, g):
        x1, x2, out = ctx.saved_tensors
        p, out = ctx.p, out.unsqueeze(-1)
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        gu = g.unsqueeze(-1)
        if p == 0:
            grad = diff * 0
        elif p == 1:
            grad = gu * diff.sign()
        elif p == float("inf"):
            grad = gu * diff.sign() * (diff.abs() == out)
        else:
            # |d|^(p-1) sign(d) / ||d||^(p-1); 0 where the distance is 0, as torch
            safe = where(out == 0, 1.0, out)
            grad = gu * diff.sign() * (diff.abs() / safe) ** (p - 1)
            grad = where(out == 0, 0.0, grad)
        return grad.sum(-2), -grad.sum(-3), None


@op(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 and each row of x2 (batched)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if not x1.is_floating_point():
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{_type_name(x1.dtype)}")
    many = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
            many and compute_mode == "use_mm_for_euclid_dist_if_necessary")):
        return _euclidean_by_matmul(x1, x2)
    return _PairwiseNorm.apply(x1, x2, float(p))


def _euclidean_by_matmul(x1, x2):
    """||a - b|| = sqrt(|a|^2 + |b|^2 - 2 a.b) from one matmul, as torch does for many
    rows: [-2a, |a|^2, 1] . [b, 1, |b|^2] (clamped at 1e-30 before the root)."""
    from tinytensor import ones
    n1 = (x1 * x1).sum(-1, keepdim=True)
    n2 = (x2 * x2).sum(-1, keepdim=True)
    one1 = ones(n1.shape, dtype=x1.dtype)
    one2 = ones(n2.shape, dtype=x2.dtype)
    a = cat([x1 * -2, n1, one1], -1)
    b = cat([x2, one2, n2], -1)
    return (a @ b.transpose(-2, -1)).clamp(min=1e-30).sqrt()


@op()
def renorm(input, p, dim, maxnorm):
    """Rescale each slice along dim whose p-norm exceeds maxnorm to norm maxnorm."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _C._wrap_dim(dim, input.dim())
    others = tuple(i for i in range(input.dim()) if i != d)
    from tinytensor.linalg import vector_norm
    norm = vector_norm(input, p, others, keepdim=True)
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor.to(input.dtype)


# ---- set membership, Vandermonde, combinations -----------------------------------------
@op(method=False)
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of elements occurs in test_elements."""
    from tinytensor import tensor
    if not isinstance(elements, Tensor):
        elements = tensor(elements)
    if not isinstance(test_elements, Tensor):
        test_elements = tensor(test_elements)
    from tinytensor.ops.promotion import result_type
    dt = result_type(elements, test_elements)
    haystack = test_elements.reshape(-1).to(dt).sort()[0]
    needles = elements.to(dt)
    if haystack.numel() == 0:
        found = _C.fill_(_C.empty(tuple(elements.shape), _C.bool_), False)
    else:
        from tinytensor.ops.sorting import searchsorted
        pos = searchsorted(haystack, needles.reshape(-1)).clamp(max=haystack.numel() - 1)
        found = (haystack[pos] == needles.reshape(-1)).reshape(elements.shape)
    return ~found if invert else found


@op(method=False)
def vander(x, N=None, increasing=False):
    """Columns of powers of the 1-D x: x^(N-1) ... x^0 (or increasing)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.numel() if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = x.dtype if x.is_floating_point() else _C.int64
    from tinytensor import ones
    if n == 0:
        return ones(x.numel(), 0, dtype=dt)
    cols = [ones(x.numel(), dtype=dt)]
    if n > 1:
        powers = x.to(dt).unsqueeze(1).expand(x.numel(), n - 1).cumprod(1)
        cols = [cols[0].unsqueeze(1), powers]
        out = cat(cols, 1)
    else:
        out = cols[0].unsqueeze(1)
    return out if increasing else out.flip(1)


@op(method=False)
def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of the 1-D input's elements, as rows."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty(0)
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = list(pick(range(input.numel()), r))
    if not rows:
        return input.new_empty(0, r)
    from tinytensor import tensor
    idx = tensor(rows, dtype=_C.int64)
    return stack([input.index_select(0, idx[:, k]) for k in range(r)], 1)


# ---- more matrix functions --------------------------------------------------------------
@op()
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (sum over the batch of batch1[i] @ batch2[i])."""
    if batch1.dim() != 3 or batch2.dim() != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if batch1.dim() != 3
                           else "batch2 must be a 3D tensor")
    total = batch1.bmm(batch2).sum(0)
    total = total if alpha == 1 else total * alpha
    if beta == 0:                   # as torch: input is ignored, even its NaNs
        return total
    return total + (input if beta == 1 else input * beta)


class Pinverse(Function, node_name="PinverseBackward0"):
    @staticmethod
    def forward(ctx, a, rcond):
        from tinytensor.linalg import svd
        u, s, vh = svd(a, full_matrices=False)
        if s.numel() == 0:
            p = a.transpose(-2, -1).clone()
        else:
            cutoff = s.amax(-1, keepdim=True) * rcond
            s_inv = where(s > cutoff, 1 / where(s > cutoff, s, 1.0), 0.0)
            p = (vh.transpose(-2, -1) * s_inv.unsqueeze(-2)) @ u.transpose(-2, -1)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        # from dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P (Golub-Pereyra)
        a, p = ctx.saved_tensors
        at, pt, gt = a.transpose(-2, -1), p.transpose(-2, -1), g.transpose(-2, -1)
        left = gt - a @ (p @ gt)                  # (I - A P) G^T
        right = gt - (gt @ p) @ a                 # G^T (I - P A)
        return -(pt @ g @ pt) + left @ (p @ pt) + (pt @ p) @ right, None


@op()
def pinverse(input, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse, from the SVD (singular values below
    rcond * largest count as zero)."""
    return Pinverse.apply(input, rcond)


@op()
def matrix_exp(input):
    """exp of square matrices (batched): scaling and squaring with a Taylor series."""
    if input.dim() < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError("linalg.matrix_exp: A must be batches of square matrices, but "
                           f"they are {input.shape[-2] if input.dim() > 1 else 1} by "
                           f"{input.shape[-1] if input.dim() else 1} matrices")
    from tinytensor import eye
    n = input.shape[-1]
    norm = float(input.detach().abs().sum(-2).amax()) if input.numel() else 0.0
    # halve until the norm is below 1/2, then 18 Taylor terms reach float64 precision
    squarings = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 else 0
    a = input / (2.0 ** squarings)
    ident = eye(n, dtype=input.dtype)
    result, term = ident + a, a
    for k in range(2, 19):
        term = (term @ a) / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


def _cholesky_solve(b, factor, upper):
    from tinytensor.linalg import solve_triangular
    lower = factor.transpose(-2, -1) if upper else factor
    y = solve_triangular(lower, b, upper=False)
    return solve_triangular(lower.transpose(-2, -1), y, upper=True)


class CholeskySolve(Function, node_name="CholeskySolveBackward0"):
    @staticmethod
    def forward(ctx, b, factor, upper):
        x = _cholesky_solve(b, factor, upper)
        ctx.save_for_backward(factor, x)
        ctx.upper = upper
        return x

    @staticmethod
    def backward(ctx, g):
        # X = A^-1 B with A = L L^T: gB = A^-1 g, gA = -gB X^T, and gL = (gA + gA^T) L,
        # a full (not triangular) matrix, as torch gives
        factor, x = ctx.saved_tensors
        gb = CholeskySolve.apply(g, factor, ctx.upper)
        sym = gb @ x.transpose(-2, -1)
        sym = sym + sym.transpose(-2, -1)
        gf = -(factor @ sym) if ctx.upper else -(sym @ factor)
        return gb, gf, None


@op()
def cholesky_solve(input, input2, upper=False, *, out=None):
    """Solve A X = B given A's Cholesky factor input2 (B is input)."""
    return CholeskySolve.apply(input, input2, upper)


# ---- finite differences, pairwise distances, chained products ------------------------------
def _uniform_gradient(f, h, d, edge_order):
    n = f.shape[d]
    inner = (f.narrow(d, 2, n - 2) - f.narrow(d, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / h
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / h
    else:
        first = (-1.5 * f.narrow(d, 0, 1) + 2 * f.narrow(d, 1, 1)
                 - 0.5 * f.narrow(d, 2, 1)) / h
        last = (0.5 * f.narrow(d, n - 3, 1) - 2 * f.narrow(d, n - 2, 1)
                + 1.5 * f.narrow(d, n - 1, 1)) / h
    return cat([first, inner, last], d)


def _coordinate_gradient(f, x, d, edge_order):
    """numpy's second-order accurate differences for samples at coordinates x."""
    n = f.shape[d]
    shape = [1] * f.dim()
    shape[d] = -1

    def piece(t, start, length):
        return t.narrow(0, start, length).reshape(shape)

    dx = x[1:] - x[:-1]
    hl, hr = piece(dx, 0, n - 2), piece(dx, 1, n - 2)
    inner = (hl * hl * f.narrow(d, 2, n - 2) - hr * hr * f.narrow(d, 0, n - 2)
             + (hr * hr - hl * hl) * f.narrow(d, 1, n - 2)) / (hl * hr * (hl + hr))
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / piece(dx, 0, 1)
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / piece(dx, n - 2, 1)
    else:
        a1, a2 = piece(dx, 0, 1), piece(dx, 1, 1)
        first = (-(2 * a1 + a2) / (a1 * (a1 + a2)) * f.narrow(d, 0, 1)
                 + (a1 + a2) / (a1 * a2) * f.narrow(d, 1, 1)
                 - a1 / (a2 * (a1 + a2)) * f.narrow(d, 2, 1))
        b1, b2 = piece(dx, n - 3, 1), piece(dx, n - 2, 1)
        last = (b2 / (b1 * (b1 + b2)) * f.narrow(d, n - 3, 1)
                - (b1 + b2) / (b1 * b2) * f.narrow(d, n - 2, 1)
                + (2 * b2 + b1) / (b2 * (b1 + b2)) * f.narrow(d, n - 1, 1))
    return cat([first, inner, last], d)


@op(method=False)
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Derivative estimates along each dim by central differences (one tuple entry per
    dim), as numpy.gradient."""
    if edge_order not in (1, 2):
        raise RuntimeError(f"torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.dim())) if dim is None else \
        [dim] if isinstance(dim, int) else list(dim)
    dims = [_C._wrap_dim(d, input.dim()) for d in dims]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a "
                               f"scalar or a list of length {len(dims)} but got a list of "
                               f"length {len(spacing)}")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    f = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    out = []
    for d, h in zip(dims, spacings):
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        if isinstance(h, Tensor) and h.dim() == 1:
            out.append(_coordinate_gradient(f, h, d, edge_order))
        else:
            out.append(_uniform_gradient(f, float(h), d, edge_order))
    return tuple(out)


@op(method=False)
def pdist(input, p=2):
    """Distances between all pairs of rows i < j, in row-major order of the pairs."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    from tinytensor import triu_indices
    i, j = triu_indices(n, n, 1)
    # the rows of every pair, differenced directly: cdist's gradient at a distance of 0
    # would be fine too, but this is n(n-1)/2 work instead of n^2
    from tinytensor.linalg import vector_norm
    return vector_norm(input.index_select(0, i) - input.index_select(0, j), p, -1)


@op(method=False)
def chain_matmul(*matrices, out=None):
    """matrices[0] @ matrices[1] @ ... (torch.linalg.multi_dot's ancestor)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    result = matrices[0]
    for m in matrices[1:]:
        result = result @ m
    return result if len(matrices) > 1 else result.clone()
