"""tinytensor.linalg against torch.linalg: values (float32/float64, batched), torch's
errors for singular and non-positive-definite input, and gradients (against torch and
by gradcheck) for det, slogdet, inv, solve, solve_triangular, cholesky and the norms."""
import math

import numpy as np
import pytest

import tinytensor as tt
import tinytensor.linalg as LA
from oracle import assert_same, same_error, torch_module

torch = torch_module()

# until tinytensor/__init__.py imports tinytensor.ops.shape / einsum / linalg before
# installing methods (diagonal, diag_embed, norm, det ...)
import tinytensor.ops.einsum  # noqa: E402,F401
import tinytensor.ops.shape  # noqa: E402,F401
from tinytensor.ops import _registry  # noqa: E402
_registry.install_methods(tt.Tensor)
for _k, _v in _registry.FUNCTIONS.items():
    if not hasattr(tt, _k):
        setattr(tt, _k, _v)

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-10)}


def same_linalg_error(ours, theirs):
    """Both raise a RuntimeError with the same message (torch's class is _LinAlgError)."""
    with pytest.raises(RuntimeError) as e1:
        ours()
    with pytest.raises(RuntimeError) as e2:
        theirs()
    assert isinstance(e1.value, LA.LinAlgError)
    assert str(e1.value) == str(e2.value)


def pair(a, dtype="float64"):
    a = np.ascontiguousarray(a)
    return (tt.from_numpy(a.copy()).to(getattr(tt, dtype)),
            torch.from_numpy(a.copy()).to(getattr(torch, dtype)))


def close(ours, theirs, dtype):
    assert_same(ours, theirs, check_stride=False, **TOL[dtype])


def well_conditioned(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return a + np.eye(shape[-1]) * shape[-1]


def spd(shape, seed):
    a = np.random.default_rng(seed).standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1]) * shape[-1]


SHAPES = [(1, 1), (3, 3), (5, 5), (2, 4, 4), (2, 3, 2, 2), (0, 3, 3), (0, 0)]
DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_det_slogdet_inv(shape, dtype):
    a1, a2 = pair(well_conditioned(shape, 1), dtype)
    close(LA.det(a1), torch.linalg.det(a2), dtype)
    s1, s2 = LA.slogdet(a1), torch.linalg.slogdet(a2)
    close(s1.sign, s2.sign, dtype)
    close(s1.logabsdet, s2.logabsdet, dtype)
    close(LA.inv(a1), torch.linalg.inv(a2), dtype)
    close(tt.inverse(a1), torch.inverse(a2), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_singular_matrices(dtype):
    a1, a2 = pair(np.array([[1.0, 2.0], [2.0, 4.0]]), dtype)
    close(LA.det(a1), torch.linalg.det(a2), dtype)
    s1, s2 = LA.slogdet(a1), torch.linalg.slogdet(a2)
    close(s1.sign, s2.sign, dtype)
    assert s1.logabsdet.item() == -math.inf
    same_linalg_error(lambda: LA.inv(a1), lambda: torch.linalg.inv(a2))
    b1, b2 = pair(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 4.0]]]), dtype)
    same_linalg_error(lambda: LA.inv(b1), lambda: torch.linalg.inv(b2))
    same_linalg_error(lambda: LA.solve(b1, tt.ones(2, 2, dtype=b1.dtype)),
                      lambda: torch.linalg.solve(b2, torch.ones(2, 2, dtype=b2.dtype)))
    r1, r2 = LA.inv_ex(a1), torch.linalg.inv_ex(a2)
    assert_same(r1.info, r2.info)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape,left", [
    ((3, 3), (3,), True), ((3, 3), (3, 2), True), ((2, 3, 3), (3,), True),
    ((2, 3, 3), (2, 3), True), ((2, 3, 3), (3, 4), True), ((1, 3, 3), (2, 3, 1), True),
    ((3, 3), (2, 3), False), ((2, 3, 3), (2, 4, 3), False)], ids=str)
def test_solve(a_shape, b_shape, left, dtype):
    a1, a2 = pair(well_conditioned(a_shape, 2), dtype)
    b1, b2 = pair(np.random.default_rng(3).standard_normal(b_shape), dtype)
    close(LA.solve(a1, b1, left=left), torch.linalg.solve(a2, b2, left=left), dtype)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [False, True])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular(upper, left, unit):
    a = well_conditioned((2, 4, 4), 5)
    a1, a2 = pair(np.triu(a) if upper else np.tril(a))
    b1, b2 = pair(np.random.default_rng(6).standard_normal((2, 4, 3) if left else (2, 3, 4)))
    close(LA.solve_triangular(a1, b1, upper=upper, left=left, unitriangular=unit),
          torch.linalg.solve_triangular(a2, b2, upper=upper, left=left, unitriangular=unit),
          "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 3, 3), (0, 2, 2)], ids=str)
def test_cholesky(shape, dtype):
    a1, a2 = pair(spd(shape, 7), dtype)
    close(LA.cholesky(a1), torch.linalg.cholesky(a2), dtype)
    close(LA.cholesky(a1, upper=True), torch.linalg.cholesky(a2, upper=True), dtype)
    r1, r2 = LA.cholesky_ex(a1), torch.linalg.cholesky_ex(a2)
    close(r1.L, r2.L, dtype)


def test_cholesky_not_positive_definite():
    a1, a2 = pair(np.array([[1.0, 2.0], [2.0, 1.0]]))
    same_linalg_error(lambda: LA.cholesky(a1), lambda: torch.linalg.cholesky(a2))
    b1, b2 = pair(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]))
    same_linalg_error(lambda: LA.cholesky(b1), lambda: torch.linalg.cholesky(b2))
    assert_same(LA.cholesky_ex(b1).info, torch.linalg.cholesky_ex(b2).info)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 2), (1, 1), (4, 1)],
                         ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, mode, dtype):
    a1, a2 = pair(np.random.default_rng(8).standard_normal(shape), dtype)
    q1, r1 = LA.qr(a1, mode)
    q2, r2 = torch.linalg.qr(a2, mode)
    close(r1, r2, dtype)            # LAPACK's Householder signs: R matches exactly-ish
    close(q1, q2, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (6, 6), (2, 4, 4)], ids=str)
def test_eigh(shape, dtype):
    a = spd(shape, 9) - 2 * np.eye(shape[-1])          # some negative eigenvalues
    a1, a2 = pair(a, dtype)
    w1, v1 = LA.eigh(a1)
    w2, v2 = torch.linalg.eigh(a2)
    close(w1, w2, dtype)
    # eigenvectors are fixed up to sign: compare |v^T v'| with the identity
    overlap = np.abs(np.swapaxes(v1.double().numpy(), -1, -2) @ v2.double().numpy())
    np.testing.assert_allclose(overlap, np.broadcast_to(np.eye(shape[-1]), overlap.shape),
                               atol=1e-3 if dtype == "float32" else 1e-8)
    close(LA.eigvalsh(a1, "U"), torch.linalg.eigvalsh(a2, "U"), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 2), (1, 4), (3, 3, 1)],
                         ids=str)
@pytest.mark.parametrize("full", [True, False])
def test_svd(shape, full, dtype):
    a = np.random.default_rng(10).standard_normal(shape)
    a1, a2 = pair(a, dtype)
    u1, s1, vh1 = LA.svd(a1, full_matrices=full)
    u2, s2, vh2 = torch.linalg.svd(a2, full_matrices=full)
    assert u1.shape == u2.shape and vh1.shape == vh2.shape
    close(s1, s2, dtype)
    k = s1.shape[-1]
    recon = u1.double().numpy()[..., :k] * s1.double().numpy()[..., None, :] @ \
        vh1.double().numpy()[..., :k, :]
    np.testing.assert_allclose(recon, a, atol=1e-4 if dtype == "float32" else 1e-10)
    u, vh = u1.double().numpy(), vh1.double().numpy()
    for gram in (np.swapaxes(u, -1, -2) @ u, vh @ np.swapaxes(vh, -1, -2)):
        # orthonormal, the completed columns of a full U included
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(gram.shape[-1]), gram.shape),
                                   atol=1e-4 if dtype == "float32" else 1e-10)
    close(LA.svdvals(a1), torch.linalg.svdvals(a2), dtype)


@pytest.mark.parametrize("driver", [None, "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("a_shape,b_shape", [((5, 3), (5, 2)), ((5, 3), (5,)),
                                             ((2, 4, 2), (2, 4, 3)), ((2, 3), (2, 1))],
                         ids=str)
def test_lstsq(a_shape, b_shape, driver):
    if driver == "gels" and a_shape[-2] < a_shape[-1]:
        return      # torch's gels needs full column rank
    rng = np.random.default_rng(11)
    a1, a2 = pair(rng.standard_normal(a_shape))
    b1, b2 = pair(rng.standard_normal(b_shape))
    r1, r2 = LA.lstsq(a1, b1, driver=driver), torch.linalg.lstsq(a2, b2, driver=driver)
    close(r1.solution, r2.solution, "float64")
    assert_same(r1.rank, r2.rank) if driver != "gels" else None
    assert tuple(r1.residuals.shape) == tuple(r2.residuals.shape)
    if r2.residuals.numel():
        close(r1.residuals, r2.residuals, "float64")
    if r2.singular_values.numel():
        close(r1.singular_values, r2.singular_values, "float64")


def test_lstsq_rank_deficient_minimum_norm():
    a1, a2 = pair(np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]))
    b1, b2 = pair(np.ones((3, 1)))
    r1, r2 = LA.lstsq(a1, b1), torch.linalg.lstsq(a2, b2)
    close(r1.solution, r2.solution, "float64")
    assert_same(r1.rank, r2.rank)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.inv(x[0, 0]),
    lambda L, x: L.inv(x[:, :2, :]),
    lambda L, x: L.inv(x.long()),
    lambda L, x: L.inv(x.half()),
    lambda L, x: L.det(x[0, 0]),
    lambda L, x: L.cholesky(x[:, :2, :]),
    lambda L, x: L.solve(x, x[0, 0, :2]),
    lambda L, x: L.qr(x, "foo"),
    lambda L, x: L.svd(x[0, 0]),
    lambda L, x: L.matrix_norm(x, 3),
    lambda L, x: L.matrix_norm(x[0, 0]),
    lambda L, x: L.vector_norm(x.long()),
    lambda L, x: L.norm(x, 1),
    lambda L, x: L.lstsq(x, x[:, :2, :]),
])
def test_argument_errors_match_torch(fn):
    a = np.eye(3) + np.ones((2, 3, 3))
    same_error(lambda: fn(LA, tt.from_numpy(a.copy())),
               lambda: fn(torch.linalg, torch.from_numpy(a.copy())))


# ---- norms --------------------------------------------------------------------------------------
ORDS = [2, 1, 0, 3, 0.5, math.inf, -math.inf, -1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim, dtype):
    a = np.random.default_rng(12).standard_normal((2, 3, 4))
    a[0, 0, :2] = 0
    x1, x2 = pair(a, dtype)
    close(LA.vector_norm(x1, ord, dim, keepdim), torch.linalg.vector_norm(x2, ord, dim, keepdim),
          dtype)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm(ord, keepdim):
    x1, x2 = pair(np.random.default_rng(13).standard_normal((2, 3, 4)))
    close(LA.matrix_norm(x1, ord, keepdim=keepdim),
          torch.linalg.matrix_norm(x2, ord, keepdim=keepdim), "float64")
    close(LA.matrix_norm(x1, ord, dim=(2, 0)), torch.linalg.matrix_norm(x2, ord, dim=(2, 0)),
          "float64")


@pytest.mark.parametrize("args", [dict(), dict(ord=1), dict(ord="fro"), dict(ord=2, dim=1),
                                  dict(dim=(0, 1)), dict(ord=math.inf, dim=(1, 0))], ids=str)
def test_norm_dispatch(args):
    x1, x2 = pair(np.random.default_rng(14).standard_normal((3, 4)))
    close(LA.norm(x1, **args), torch.linalg.norm(x2, **args), "float64")
    # torch.norm / Tensor.norm as tinytensor/linalg.py registers them (ops/reduce.py has a
    # vector-only norm too; which one tinytensor.norm is depends on the import order)
    torch_norm = LA._torch_norm
    close(torch_norm(x1), torch.norm(x2), "float64")
    close(torch_norm(x1, p=1, dim=0), x2.norm(p=1, dim=0), "float64")
    close(torch_norm(x1, p="nuc"), torch.norm(x2, p="nuc"), "float64")


# ---- gradients -----------------------------------------------------------------------------------
GRAD_CASES = [
    ("det", lambda L, a: L.det(a), "LinalgDetBackward0"),
    ("slogdet", lambda L, a: L.slogdet(a)[1], "LinalgSlogdetBackward0"),
    ("inv", lambda L, a: L.inv(a), "LinalgInvExBackward0"),
    ("solve", lambda L, a: L.solve(a, a[..., :1] * 1), "LinalgSolveExBackward0"),
    ("solve_vec", lambda L, a: L.solve(a, a[..., 0] * 1), None),
    ("solve_right", lambda L, a: L.solve(a, a[..., :2, :] * 1, left=False),
     "LinalgSolveExBackward0"),
    ("cholesky", lambda L, a: L.cholesky(a @ a.mT + 3 * _eye(L, a)),
     "LinalgCholeskyExBackward0"),
    ("cholesky_upper", lambda L, a: L.cholesky(a @ a.mT + 3 * _eye(L, a), upper=True), None),
    ("solve_triangular", lambda L, a: L.solve_triangular(a.triu() + 3 * _eye(L, a), a * 1,
                                                         upper=True),
     "LinalgSolveTriangularBackward0"),
    ("vector_norm", lambda L, a: L.vector_norm(a, 3, -1), "LinalgVectorNormBackward0"),
    ("vector_norm_2", lambda L, a: L.vector_norm(a), "LinalgVectorNormBackward0"),
    ("vector_norm_inf", lambda L, a: L.vector_norm(a, math.inf, 0), "LinalgVectorNormBackward0"),
    ("vector_norm_half", lambda L, a: L.vector_norm(a, 0.5, 1), "LinalgVectorNormBackward0"),
    ("nuclear", lambda L, a: L.matrix_norm(a, "nuc"), None),
    ("spectral", lambda L, a: L.matrix_norm(a, 2), None),
]


def _eye(L, a):
    n = a.shape[-1]
    return (tt if L is LA else torch).eye(n, dtype=a.dtype)


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_torch(name, fn, node):
    a = well_conditioned((2, 3, 3), 15) / 3
    x1, x2 = tt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y1, y2 = fn(LA, x1), fn(torch.linalg, x2)
    if node:
        assert y1.grad_fn.name() == node == y2.grad_fn.name()
    close(y1, y2, "float64")
    g = np.random.default_rng(16).standard_normal(tuple(y2.shape))
    y1.backward(tt.tensor(g))
    y2.backward(torch.tensor(g))
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name, fn, node):
    a = well_conditioned((2, 3, 3), 17) / 3
    x = tt.tensor(a, requires_grad=True)
    assert tt.autograd.gradcheck(lambda t: fn(LA, t), (x,))


def test_det_gradient_of_singular_matrix():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])
    x1, x2 = tt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    LA.det(x1).backward()
    torch.linalg.det(x2).backward()
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), atol=1e-10)


def test_second_derivatives():
    a = tt.tensor(well_conditioned((3, 3), 18) / 3, requires_grad=True)
    assert tt.autograd.gradgradcheck(lambda t: LA.det(t), (a,))
    assert tt.autograd.gradgradcheck(lambda t: LA.inv(t), (a,))
