"""tinytensor.linalg: norms, det/slogdet, inv, solve, cholesky, qr, lstsq, eigh, svd.

The factorizations run in ctensor/linalg.c on contiguous float64 batches: float32
inputs are converted in and their results rounded back (Note in linalg.c).  Errors
follow torch: a singular matrix raises LinAlgError naming the zero pivot, a matrix that
is not positive-definite the failing minor.  det, slogdet, inv, solve, solve_triangular,
cholesky and svdvals (hence the nuclear and spectral norms) have backward formulas,
written with differentiable ops so that higher derivatives work too."""
import builtins
import math

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops import _registry
from tinytensor.ops._registry import op
from tinytensor.ops.sorting import return_type

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "det", "slogdet", "inv",
           "inv_ex", "solve", "solve_ex", "solve_triangular", "cholesky", "cholesky_ex",
           "qr", "lstsq", "eigh", "eigvalsh", "svd", "svdvals", "cross", "matmul",
           "diagonal", "vecdot", "matrix_power", "matrix_exp", "multi_dot", "vander",
           "lu_factor", "lu_factor_ex", "lu", "lu_solve"]


def __dir__():
    """torch.linalg's public names only (the helpers here are not part of the API)."""
    return sorted(__all__)


class LinAlgError(RuntimeError):
    """A matrix was singular or not positive-definite (torch.linalg.LinAlgError)."""


SlogdetResult = return_type("linalg_slogdet", ("sign", "logabsdet"))
InvExResult = return_type("linalg_inv_ex", ("inverse", "info"))
SolveExResult = return_type("linalg_solve_ex", ("result", "info"))
CholeskyExResult = return_type("linalg_cholesky_ex", ("L", "info"))
QRResult = return_type("linalg_qr", ("Q", "R"))
EighResult = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
SVDResult = return_type("linalg_svd", ("U", "S", "Vh"))
LstsqResult = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
LegacySVDResult = return_type("svd", ("U", "S", "V"))
LegacyQRResult = return_type("qr", ("Q", "R"))
LegacySlogdetResult = return_type("slogdet", ("sign", "logabsdet"))
LuFactorResult = return_type("linalg_lu_factor", ("LU", "pivots"))
LuFactorExResult = return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LuResult = return_type("linalg_lu", ("P", "L", "U"))

_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
               "int32": "Int", "int64": "Long", "float16": "Half", "bfloat16": "BFloat16"}


# ---- argument checks and float64 round trips -------------------------------------------
def _check_matrix(name, A, square=True):
    if not isinstance(A, _C.TensorBase):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    dt = A.dtype.name
    if dt in ("float16", "bfloat16"):
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_TYPE_NAMES[dt]}")
    if not A.is_floating_point():
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_TYPE_NAMES[dt]}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _where(condition, a, b):
    """torch.where(condition, a, b), differentiable (from the elementwise ops)."""
    return _registry.FUNCTIONS["where"](condition, a, b)


def _f64(t):
    """A contiguous float64 copy (the kernels work in place on it)."""
    return _C.cast(t.detach(), _C.float64)


def _back(t, dtype):
    return t if dtype == _C.float64 else _C.cast(t, dtype)


def _batch(t):
    return tuple(t.shape[:-2])


def _batch_view(t, shape):
    """A per-matrix kernel result (batch..., 1) seen with the batch shape."""
    return _C.view(t, tuple(shape))


def _raise_for_info(info, batch, message):
    """LinAlgError for the first matrix whose info is nonzero."""
    for b, k in enumerate(_C.view(info, (info.numel(),)).tolist()):
        if k:
            prefix = f"(Batch element {b}): " if batch else ""
            raise LinAlgError(message(prefix, k))


def _any_nonzero(info):
    return builtins.any(_C.view(info, (info.numel(),)).tolist())


def _lu(A, name, on_singular=None):
    """(LU, pivots, info) of A in float64, raising on_singular(prefix, k) if singular."""
    lu, piv, info = _C.lu_factor(_f64(A))
    if on_singular is not None:
        _raise_for_info(info, bool(_batch(A)), on_singular)
    return lu, piv, info


def _mT(t):
    return t.transpose(-2, -1)


def _eye_like(A):
    from tinytensor._creation import eye
    n = A.shape[-1]
    return eye(n, dtype=A.dtype).expand(*A.shape[:-2], n, n)


# ---- det / slogdet ---------------------------------------------------------------------
def _det_parts(A):
    if A.shape[-1] == 0:
        from tinytensor._creation import ones, zeros
        b = _batch(A)
        return ones(b, dtype=_C.float64), zeros(b, dtype=_C.float64), ones(b, dtype=_C.float64)
    lu, piv, _ = _lu(A, "det")
    sign, logabs, det = _C.lu_det(lu, piv)
    b = _batch(A)
    return _batch_view(sign, b), _batch_view(logabs, b), _batch_view(det, b)


def _cofactor(A):
    """d det(A) / dA = det(U) det(Vh) U adj(S) Vh: defined for singular A too."""
    U, S, Vh = svd(A.detach())
    n = S.shape[-1]
    prods = []
    for i in range(n):      # adj(S)_ii = the product of the other singular values
        others = [S[..., j] for j in range(n) if j != i]
        p = others[0] if others else S[..., i] * 0 + 1
        for o in others[1:]:
            p = p * o
        prods.append(p)
    from tinytensor.ops.movement import stack
    adj = stack(prods, -1) if prods else S
    sign = det(U) * det(Vh)
    return (U * adj.unsqueeze(-2)) @ Vh * sign.unsqueeze(-1).unsqueeze(-1)


class Det(Function, node_name="LinalgDetBackward0"):
    @staticmethod
    def forward(ctx, A):
        _, _, d = _det_parts(A)
        result = _back(d, A.dtype)
        ctx.save_for_backward(A, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        A, d = ctx.saved_tensors
        g = (grad * d).unsqueeze(-1).unsqueeze(-1)
        if A.numel() and builtins.bool((d == 0).any()):
            return g * _cofactor(A)         # singular: the adjugate route
        return g * _mT(inv(A))


def det(A, *, out=None):
    """The determinant of square matrices (batched), through a partial-pivot LU."""
    _check_matrix("linalg.det", A)
    result = Det.apply(A)
    return result if out is None else _C.copy_(out, result)


class Slogdet(Function, node_name="LinalgSlogdetBackward0"):
    @staticmethod
    def forward(ctx, A):
        sign, logabs, _ = _det_parts(A)
        sign, logabs = _back(sign, A.dtype), _back(logabs, A.dtype)
        ctx.save_for_backward(A)
        return sign, logabs

    @staticmethod
    def backward(ctx, grad_sign, grad_logabs):
        A, = ctx.saved_tensors
        return grad_logabs.unsqueeze(-1).unsqueeze(-1) * _mT(inv(A))


def slogdet(A, *, out=None):
    """(sign, log|det|) of square matrices: the determinant without over/underflow."""
    _check_matrix("linalg.slogdet", A)
    return SlogdetResult(*Slogdet.apply(A))


@op()
def logdet(input):
    """log(det(input)): NaN for a negative determinant, -inf for a singular matrix."""
    _check_matrix("logdet", input)
    sign, logabs = slogdet(input)
    nan = _C.fill_(_C.empty((), input.dtype), float("nan"))
    return _where(sign >= 0, logabs, nan) if builtins.bool((sign < 0).any()) else logabs


# ---- inv / solve -----------------------------------------------------------------------
def _singular_diag(name):
    return lambda prefix, k: (f"{name}: {prefix}The diagonal element {k} is zero, the "
                              "inversion could not be completed because the input matrix is "
                              "singular.")


class Inv(Function, node_name="LinalgInvExBackward0"):
    @staticmethod
    def forward(ctx, A):
        if A.numel() == 0:
            result = _C.clone(A)
        else:
            lu, piv, _ = _lu(A, "linalg.inv", _singular_diag("linalg.inv"))
            b = _f64(_eye_like(A))
            result = _back(_C.lu_solve_(b, lu, piv), A.dtype)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        Ainv, = ctx.saved_tensors
        return -(_mT(Ainv) @ grad @ _mT(Ainv))


def inv(A, *, out=None):
    """The inverse of square matrices (batched); LinAlgError when one is singular."""
    _check_matrix("linalg.inv", A)
    result = Inv.apply(A)
    return result if out is None else _C.copy_(out, result)


@op()
def inverse(input, *, out=None):
    """torch.inverse: linalg.inv."""
    return inv(input, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info > 0 names the zero pivot instead of raising."""
    _check_matrix("linalg.inv_ex", A)
    _, _, info = _C.lu_factor(_f64(A))
    info = _C.cast(_batch_view(info, _batch(A)), _C.int32)
    if check_errors or not _any_nonzero(info):
        return InvExResult(inv(A), info)
    lu, piv, _ = _C.lu_factor(_f64(A))
    result = _back(_C.lu_solve_(_f64(_eye_like(A)), lu, piv), A.dtype)
    return InvExResult(result, info)


def _solve_shapes(A, B, left):
    """Is B a (batch of) vector(s)?  And the broadcast batch shape."""
    from tinytensor.ops.shape import broadcast_shapes
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    k_rows = B.shape[-1] if vector else (B.shape[-2] if left else B.shape[-1])
    if k_rows != n:
        shape = f"{B.shape[-1]}x1" if vector else f"{B.shape[-2]}x{B.shape[-1]}"
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{eq} ({n}x{n} and {shape})")
    b_batch = tuple(B.shape[:-1]) if vector else tuple(B.shape[:-2])
    return vector, tuple(broadcast_shapes(_batch(A), b_batch))


class Solve(Function, node_name="LinalgSolveExBackward0"):
    """X = A^-1 B (left) or B A^-1 (right); B a batch of matrices here."""

    @staticmethod
    def forward(ctx, A, B, left, batch):
        n = A.shape[-1]
        Ab = A.expand(*batch, n, n)
        Bb = B.expand(*batch, *B.shape[-2:])
        if not left:                        # X A = B  <=>  A^T X^T = B^T
            Ab, Bb = _mT(Ab), _mT(Bb)
        name = "torch.linalg.solve"
        lu, piv, _ = _lu(Ab, name, lambda prefix, k: f"{name}: {prefix}The solver failed "
                         "because the input matrix is singular.")
        x = _back(_C.lu_solve_(_f64(Bb), lu, piv), A.dtype)
        X = x if left else _mT(x)
        ctx.save_for_backward(A, X)
        ctx.left = left
        return X

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        if ctx.left:
            gB = solve(_mT(A), grad)
            return -(gB @ _mT(X)), gB, None, None
        gB = solve(_mT(A), grad, left=False)
        return -(_mT(X) @ gB), gB, None, None


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when left=False); B may be a vector or a batch."""
    _check_matrix("linalg.solve", A)
    vector, batch = _solve_shapes(A, B, left)
    Bm = B.unsqueeze(-1) if vector else B
    if vector and not left:
        Bm = B.unsqueeze(-2)
    X = Solve.apply(A, Bm, left, batch)
    if vector:
        X = X.squeeze(-1) if left else X.squeeze(-2)
    return X if out is None else _C.copy_(out, X)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) of solve; info is 0 when every matrix was solvable."""
    from tinytensor._creation import zeros
    return SolveExResult(solve(A, B, left=left), zeros(_batch(A), dtype=_C.int32))


class SolveTriangular(Function, node_name="LinalgSolveTriangularBackward0"):
    @staticmethod
    def forward(ctx, A, B, upper, left, unit, batch):
        n = A.shape[-1]
        Ab = A.expand(*batch, n, n)
        Bb = B.expand(*batch, *B.shape[-2:])
        if not left:                        # X A = B  <=>  A^T X^T = B^T
            Ab, Bb = _mT(Ab), _mT(Bb)
        x = _C.solve_triangular_(_f64(Bb), _f64(Ab), upper if left else not upper, unit)
        X = _back(x, A.dtype)
        X = X if left else _mT(X)
        ctx.save_for_backward(A, X)
        ctx.args = (upper, left, unit)
        return X

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        upper, left, unit = ctx.args
        gB = solve_triangular(_mT(A), grad, upper=not upper, left=left,
                              unitriangular=unit)
        gA = -(gB @ _mT(X)) if left else -(_mT(X) @ gB)
        gA = gA.triu(1 if unit else 0) if upper else gA.tril(-1 if unit else 0)
        return gA, gB, None, None, None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (or X A = B) for triangular A, by substitution."""
    _check_matrix("linalg.solve_triangular", A)
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    from tinytensor.ops.shape import broadcast_shapes
    batch = tuple(broadcast_shapes(_batch(A), _batch(B)))
    X = SolveTriangular.apply(A, B, upper, left, unitriangular, batch)
    return X if out is None else _C.copy_(out, X)


# ---- cholesky --------------------------------------------------------------------------
def _not_pd(name):
    return lambda prefix, k: (f"{name}: {prefix}The factorization could not be completed "
                              "because the input is not positive-definite (the leading minor "
                              f"of order {k} is not positive-definite).")


class Cholesky(Function, node_name="LinalgCholeskyExBackward0"):
    @staticmethod
    def forward(ctx, A, upper, name):
        L = _f64(A)
        info = _C.cholesky_(L)
        _raise_for_info(info, bool(_batch(A)), _not_pd(name))
        L = _back(L, A.dtype)
        ctx.save_for_backward(L)
        ctx.upper = upper
        return _C.contiguous(_mT(L)) if upper else L

    @staticmethod
    def backward(ctx, grad):
        L, = ctx.saved_tensors
        gL = _mT(grad) if ctx.upper else grad
        L_inv = solve_triangular(L, _eye_like(L), upper=False)
        phi = (_mT(L) @ gL).tril()
        phi = phi - 0.5 * phi.diagonal(0, -2, -1).diag_embed()
        gA = _mT(L_inv) @ phi @ L_inv
        return 0.5 * (gA + _mT(gA)), None, None


def cholesky(A, *, upper=False, out=None):
    """L (lower, or U = L^T when upper) with A = L L^T for positive-definite A."""
    _check_matrix("linalg.cholesky", A)
    result = Cholesky.apply(A, bool(upper), "linalg.cholesky")
    return result if out is None else _C.copy_(out, result)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info > 0 names the first minor that is not positive-definite."""
    _check_matrix("linalg.cholesky_ex", A)
    L = _f64(A)
    info = _C.cast(_batch_view(_C.cholesky_(L), _batch(A)), _C.int32)
    if check_errors or not _any_nonzero(info):
        return CholeskyExResult(cholesky(A, upper=upper), info)
    L = _back(L, A.dtype)
    return CholeskyExResult(_mT(L) if upper else L, info)


# ---- qr / eigh / svd -------------------------------------------------------------------
def qr(A, mode="reduced", *, out=None):
    """A = Q R with orthonormal Q and upper-triangular R (Householder, LAPACK's signs)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix("linalg.qr", A, square=False)
    return QRResult(*Qr.apply(A, mode))


class Qr(Function, node_name="LinalgQrBackward0"):
    @staticmethod
    def forward(ctx, A, mode):
        q, r = _C.qr(_f64(A), mode == "complete", mode != "r")
        Q = _back(q, A.dtype) if q is not None else _C.empty((0,), A.dtype)
        R = _back(r, A.dtype)
        ctx.save_for_backward(Q, R)
        ctx.mode = mode
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        # torch's formula for m >= n: gA = (Q syminvadj(triu(M)) + gQ) R^-H with
        # M = gR R^H - Q^H gQ and syminvadj(X) = X + X^H with its diagonal halved
        Q, R = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not "
                               "computed when mode='r'. Please use linalg.qr(A, mode='reduced')"
                               " if you are going to differentiate through linalg.qr.")
        m, n = Q.shape[-2], R.shape[-1]
        if m < n or (ctx.mode == "complete" and m > n):
            raise NotImplementedError("The QR decomposition is not differentiable when "
                                      "mode='complete' and nrows > ncols, or when ncols > nrows"
                                      " (not yet in tinytensor)")
        M = -(Q.mT @ gQ) if gR is None else gR @ R.mT - Q.mT @ gQ if gQ is not None \
            else gR @ R.mT
        up = M.triu()
        sym = up + up.mT
        gA = Q @ (sym - sym.diagonal(0, -2, -1).diag_embed() * 0.5)
        if gQ is not None:
            gA = gA + gQ
        return solve_triangular(R.mT, gA, upper=False, left=False), None


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices (Jacobi rotations)."""
    _check_matrix("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got " + str(UPLO))
    return EighResult(*Eigh.apply(A, UPLO))


class Eigh(Function, node_name="LinalgEighBackward0"):
    @staticmethod
    def forward(ctx, A, UPLO):
        a = _f64(_mT(A) if UPLO == "U" else A)
        w, v = _C.eigh(_C.contiguous(a))
        L, V = _back(w, A.dtype), _back(v, A.dtype)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        # torch's formula: gA = V (diag(gL) + skew(V^H gV) / (L_j - L_i)) V^H
        L, V = ctx.saved_tensors
        if gV is None or not builtins.bool((gV != 0).any()):    # eigenvalues only
            return V @ (gL.unsqueeze(-1) * V.mT), None
        VhgV = V.mT @ gV
        VhgV = 0.5 * (VhgV - VhgV.mT)
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        n = L.shape[-1]
        eye = _eye_like(V) if n else V
        inner = VhgV / (E + eye)                     # the diagonal divides by 1
        diag = gL if gL is not None else L * 0
        inner = inner - inner * eye + diag.diag_embed()
        return V @ inner @ V.mT, None


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) of symmetric matrices."""
    return eigh(A, UPLO).eigenvalues


def _svd_parts(A, full_matrices, compute_uv):
    m, n = A.shape[-2], A.shape[-1]
    wide = m < n
    a = _f64(_mT(A) if wide else A)
    u, s, vt = _C.svd(_C.contiguous(a), full_matrices, compute_uv)
    if not compute_uv:
        return None, _back(s, A.dtype), None
    U, S, Vh = _back(u, A.dtype), _back(s, A.dtype), _back(vt, A.dtype)
    if wide:            # A^T = U S Vh  =>  A = Vh^T S U^T
        U, Vh = _mT(Vh), _mT(U)
    return _C.contiguous(U), S, _C.contiguous(Vh)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh with S descending (one-sided Jacobi)."""
    _check_matrix("linalg.svd", A, square=False)
    return SVDResult(*_svd_parts(A, full_matrices, True))


class Svdvals(Function, node_name="LinalgSvdBackward0"):
    """The singular values; dS -> U diag(dS) Vh (distinct singular values)."""

    @staticmethod
    def forward(ctx, A):
        U, S, Vh = _svd_parts(A, False, True)
        ctx.save_for_backward(U, Vh)
        return S

    @staticmethod
    def backward(ctx, grad):
        U, Vh = ctx.saved_tensors
        return (U * grad.unsqueeze(-2)) @ Vh


def svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending."""
    _check_matrix("linalg.svdvals", A, square=False)
    return Svdvals.apply(A)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares (minimum-norm) solution of A X = B, through the SVD."""
    _check_matrix("linalg.lstsq", A, square=False)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss), but got {driver}")
    vector = B.dim() == A.dim() - 1
    if not vector and B.dim() != A.dim():
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to "
                           "other.dim() and (input.dim() - other.dim()) <= 1")
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    U, S, Vh = svd(A.detach(), full_matrices=False)
    if rcond is None:
        rcond = {"float32": 1.1920928955078125e-07,
                 "float64": 2.220446049250313e-16}[A.dtype.name] * builtins.max(m, n)
    cutoff = S[..., :1] * rcond if S.shape[-1] else S
    keep = S > cutoff
    inv_s = _where(keep, 1 / _where(keep, S, S * 0 + 1), S * 0)
    X = _mT(Vh) @ ((_mT(U) @ Bm) * inv_s.unsqueeze(-1))
    rank = keep.sum(-1)
    empty = _C.empty((0,), A.dtype)
    singular = S if driver in ("gelsd", "gelss") else empty
    residuals = empty
    if driver not in (None, "gelsy") and m > n and builtins.bool((rank == n).all()):
        residuals = ((A.detach() @ X - Bm) ** 2).sum(-2)
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, singular)


# ---- norms -----------------------------------------------------------------------------
def _reduce_dims(x, dim):
    if dim is None:
        return tuple(range(x.dim()))
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    return tuple(_C._wrap_dim(d, x.dim()) for d in dims)


def _unsqueeze_dims(t, dims, ndim):
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


class VectorNorm(Function, node_name="LinalgVectorNormBackward0"):
    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        # 16-bit floats accumulate in float32 and round once (torch's acc type): 300^2
        # summed in float16 overflows
        half = x.dtype in (_C.float16, _C.bfloat16)
        a = x.abs().to(_C.float32) if half else x.abs()
        if ord == math.inf:
            r = a.amax(dims, keepdim=True)
        elif ord == -math.inf:
            r = a.amin(dims, keepdim=True)
        elif ord == 0:
            r = (a != 0).to(a.dtype).sum(dims, keepdim=True)
        elif ord == 1:
            r = a.sum(dims, keepdim=True)
        elif ord == 2:
            r = (a * a).sum(dims, keepdim=True).sqrt()
        else:
            r = (a ** ord).sum(dims, keepdim=True) ** (1.0 / ord)
        if half:
            r = r.to(x.dtype)
        if not keepdim:
            r = _squeeze_dims(r, dims)
            r._base = None          # the keepdim buffer is private: the result is no view
        ctx.save_for_backward(x, r)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        return r

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p, dims = ctx.ord, ctx.dims
        if not ctx.keepdim:
            grad = _unsqueeze_dims(grad, dims, x.dim())
            norm = _unsqueeze_dims(norm, dims, x.dim())
        if p == 0:
            return None, None, None, None
        zero = x * 0
        if p == 1:
            g = x.sign() * grad
        elif p == 2:
            g = grad * _where(norm != 0, x / norm, zero)
        elif math.isinf(p):
            a = x.abs()
            mask = ((a == norm) | a.isnan()).to(x.dtype)
            g = x.sign() * (grad / mask.sum(dims, keepdim=True)) * mask
        elif p < 1:
            scaled = x.sign() * _where(x != 0, x.abs() ** (p - 1), zero)
            g = scaled * grad * norm ** (1 - p)
        else:
            scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
            scale = _where(norm != 0, grad / norm ** (p - 1), norm * 0)
            g = scaled * scale
        return g, None, None, None


def _squeeze_dims(t, dims):
    for d in sorted(dims, reverse=True):
        t = t.squeeze(d)
    return t


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """(sum |x|^ord)^(1/ord) over dim (all dims by default); inf/-inf: max/min |x|."""
    if isinstance(ord, str):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not str")
    if not x.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_TYPE_NAMES[x.dtype.name]}")
    if x.numel() == 0 and (ord < 0 or math.isinf(ord)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                           "tensor because the operation does not have an identity")
    if dtype is not None and x.dtype != dtype:
        x = x.to(dtype)
    dims = _reduce_dims(x, dim)
    if x.dim() == 0:
        x, dims = x.reshape(1), (0,)
        keepdim = False
    result = VectorNorm.apply(x, float(ord), dims, bool(keepdim))
    return result if out is None else _C.copy_(out, result)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, 1, -1, 2, -2, inf or -inf norm of matrices in dims `dim`."""
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif builtins.abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_TYPE_NAMES[A.dtype.name]}")
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dims)}")
    d0, d1 = (_C._wrap_dim(d, A.dim()) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if dtype is not None and A.dtype != dtype:
        A = A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        return _unsqueeze_dims(r, (d0, d1), A.dim()) if keepdim else r
    rows, cols = (d0, d1) if abs(ord) == 1 else (d1, d0)
    sums = A.abs().sum(rows, keepdim=keepdim)
    if not keepdim and rows < cols:
        cols -= 1                       # the summed dim is gone
    return sums.amax(cols, keepdim=keepdim) if ord > 0 else sums.amin(cols, keepdim=keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm, or a matrix norm when dim names two dims (or A is 2-D and ord set)."""
    if isinstance(dim, builtins.int):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dim)}")
    if dim is None and ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.dim()}D.")
    if isinstance(ord, str) or (ord is not None and (
            len(dim or ()) == 2 or (dim is None and A.dim() == 2))):
        result = matrix_norm(A, ord, dim or (0, 1), keepdim, dtype=dtype)
    else:
        result = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return result if out is None else _C.copy_(out, result)


# ---- the torch.* and Tensor.* spellings ------------------------------------------------
@op("norm")
def _torch_norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: the Frobenius / p-norm over dim (all elements by default)."""
    dims = [dim] if isinstance(dim, builtins.int) else dim
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            result = vector_norm(input, 2, dims, keepdim, dtype=dtype)
        else:       # the nuclear norm, or matrix_norm's error for these arguments
            result = matrix_norm(input, p, list(range(input.dim())) if dims is None else dims,
                                 keepdim, dtype=dtype)
    else:
        result = vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype)
    return result if out is None else _C.copy_(out, result)


@op("det")
def _torch_det(input):
    return det(input)


@op("slogdet")
def _torch_slogdet(input):
    return LegacySlogdetResult(*slogdet(input))


@op("cholesky")
def _torch_cholesky(input, upper=False, *, out=None):
    import warnings
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.", UserWarning, stacklevel=2)
    return cholesky(input, upper=upper, out=out)


@op("qr")
def _torch_qr(input, some=True, *, out=None):
    r = qr(input, "reduced" if some else "complete")
    return LegacyQRResult(r.Q, r.R)


@op("svd")
def _torch_svd(input, some=True, compute_uv=True, *, out=None):
    U, S, Vh = svd(input, full_matrices=not some)
    return LegacySVDResult(U, S, _mT(Vh))


@op("cholesky_inverse")
def _cholesky_inverse(input, upper=False, *, out=None):
    L = _mT(input) if upper else input
    return inv(L @ _mT(L))


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along dim (linalg.cross)."""
    from tinytensor.ops.einsum import _cross
    result = _cross(input, other, dim)
    return result if out is None else _C.copy_(out, result)


def matmul(input, other, *, out=None):
    """linalg.matmul: torch.matmul."""
    import tinytensor
    return tinytensor.matmul(input, other, out=out)


# ---- torch.linalg spellings of ops that live elsewhere ----------------------------------
def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """linalg.diagonal: torch.diagonal with the matrix dims last by default."""
    return A.diagonal(offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    """sum(x * y) along dim (conj(x) for complex, which tinytensor has not)."""
    result = (x * y).sum(dim)
    return result if out is None else _C.copy_(out, result)


def matrix_power(A, n, *, out=None):
    """A multiplied by itself n times (n < 0: the inverse's power)."""
    import tinytensor
    result = tinytensor.matrix_power(A, n)
    return result if out is None else _C.copy_(out, result)


def matrix_exp(A):
    """The matrix exponential of square matrices (batched)."""
    import tinytensor
    return tinytensor.matrix_exp(A)


def multi_dot(tensors, *, out=None):
    """tensors[0] @ tensors[1] @ ...; the first and last may be 1-D."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        if t.dim() != 2 and not (t.dim() == 1 and i in (0, len(tensors) - 1)):
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result if out is None else _C.copy_(out, result)


def vander(x, *, N=None):
    """Columns x^0, x^1, ..., x^(N-1) of the last dim (increasing, as torch.linalg)."""
    import tinytensor
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    col = x.unsqueeze(-1)
    powers = col.expand(*col.shape[:-1], n - 1).cumprod(-1)
    return tinytensor.cat([tinytensor.ones_like(col), powers], -1)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots): partial-pivot LU factors packed in one matrix, 1-based int32 pivots."""
    import tinytensor
    return LuFactorResult(*tinytensor.lu(A, pivot=pivot))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info) without raising on a singular A."""
    import tinytensor
    return LuFactorExResult(*tinytensor.lu(A, pivot=pivot, get_infos=True))


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P @ L @ U."""
    import tinytensor
    return LuResult(*tinytensor.lu_unpack(*tinytensor.lu(A, pivot=pivot)))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from A's LU factors."""
    import tinytensor
    if not left or adjoint:
        P, L, U = tinytensor.lu_unpack(LU, pivots)
        A = P @ L @ U
        A = _mT(A) if adjoint else A
        X = solve(A, B, left=left)
    else:
        X = tinytensor.lu_solve(B, LU, pivots)
    return X if out is None else _C.copy_(out, X)
