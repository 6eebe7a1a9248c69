"""torch's LU functions outside torch.linalg: lu, lu_unpack, lu_solve, and
triangular_solve -- built on the C LU factorisation (ctensor, through linalg.py's kernels)
and linalg.solve_triangular.  Pivots are torch's: 1-based int32 row swaps."""
from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op
from tinytensor.ops.sorting import return_type

Tensor = _C.TensorBase
LuUnpackResult = return_type("lu_unpack", ("P", "L", "U"))
TriangularSolveResult = return_type("triangular_solve", ("solution", "cloned_coefficient"))


@op()
def lu(A, pivot=True, get_infos=False, out=None):
    """(LU, pivots[, infos]): A's partial-pivot LU factors packed in one matrix."""
    if not pivot:
        raise RuntimeError("lu without pivoting is not implemented on the CPU")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("lu: only square matrices (batched) are supported by tinytensor"
                           if A.dim() >= 2 else "linalg.lu_factor: The input tensor A must "
                           "have at least 2 dimensions.")
    if not A.is_floating_point():
        from tinytensor.ops.elementwise import _type_name
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_type_name(A.dtype)}'")
    packed, piv, info = LuFactor.apply(A)
    return (packed, piv, info) if get_infos else (packed, piv)


class LuFactor(Function, node_name="LinalgLuFactorExBackward0"):
    @staticmethod
    def forward(ctx, A):
        lu_, piv, info = _C.lu_factor(_C.cast(A.detach(), _C.float64))
        batch = tuple(A.shape[:-2])
        packed = _C.cast(lu_, A.dtype)
        pivots = (piv + 1).to(_C.int32).reshape(batch + (A.shape[-1],))
        ctx.save_for_backward(packed, pivots)
        return packed, pivots, info.to(_C.int32).reshape(batch)

    @staticmethod
    def backward(ctx, g, _g_piv=None, _g_info=None):
        # A = P L U:  gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T
        from tinytensor.linalg import solve_triangular
        packed, pivots = ctx.saved_tensors
        P, L, U = lu_unpack(packed, pivots)
        lt, ut = L.transpose(-2, -1), U.transpose(-2, -1)
        phi = (lt @ g.tril(-1)).tril(-1) + (g.triu() @ ut).triu()
        x = solve_triangular(lt, phi, upper=True, unitriangular=True)
        x = solve_triangular(ut, x, upper=False, left=False)
        return P @ x


def _permutation(pivots, m):
    """Row order perm (batch..., m) with A[perm] = L U, from the sequential swaps."""
    from tinytensor import arange
    batch = tuple(pivots.shape[:-1])
    piv = pivots.to(_C.int64).reshape(-1, pivots.shape[-1]) - 1
    perm = arange(m).expand(piv.shape[0], m).clone()
    for i in range(piv.shape[1]):           # one pass per row, whole batch at once
        j = piv[:, i:i + 1]
        row_i, row_j = perm[:, i:i + 1].clone(), perm.gather(1, j)
        perm[:, i:i + 1] = row_j
        perm.scatter_(1, j, row_i)
    return perm.reshape(batch + (m,))


@op(method=False)
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) with A = P @ L @ U from lu()'s packed factors."""
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    L = U = P = None
    if unpack_data:
        from tinytensor import eye
        L = LU_data[..., :, :k].tril(-1) + eye(m, k, dtype=LU_data.dtype)
        U = LU_data[..., :k, :].triu()
    if unpack_pivots:
        perm = _permutation(LU_pivots, m)
        from tinytensor import eye
        rows = eye(m, dtype=LU_data.dtype)
        # P[perm[c], c] = 1: column c of P is row perm[c] of the identity
        P = rows.index_select(0, perm.reshape(-1)).reshape(perm.shape + (m,)).transpose(-2, -1)
    empty = LU_data.new_empty(0)
    return LuUnpackResult(P if P is not None else empty, L if L is not None else empty,
                          U if U is not None else empty)


@op()
def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """x with A x = b, from A's lu() factors."""
    from tinytensor.linalg import solve_triangular
    P, L, U = lu_unpack(LU_data, LU_pivots)
    y = solve_triangular(L, P.transpose(-2, -1) @ b, upper=False, unitriangular=True)
    return solve_triangular(U, y, upper=True)


@op()
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """(x, A.clone()) with op(A) x = b for triangular A (op: transpose or not)."""
    from tinytensor.linalg import solve_triangular
    coeff = A.transpose(-2, -1) if transpose else A
    x = solve_triangular(coeff, b, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolveResult(x, A.clone())
