"""einsum, tensordot, inner, kron and cross against torch, with gradients."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import assert_same, same_error, torch_module

torch = torch_module()

# until tinytensor/__init__.py imports tinytensor.ops.einsum and tinytensor.ops.shape
import tinytensor.ops.einsum  # noqa: E402,F401
import tinytensor.ops.shape  # noqa: E402,F401
from tinytensor.ops import _registry  # noqa: E402
_registry.install_methods(tt.Tensor)
for _k, _v in _registry.FUNCTIONS.items():
    if not hasattr(tt, _k):
        setattr(tt, _k, _v)


def pair(shape, seed=0, dtype="float64"):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return tt.from_numpy(a.copy()), torch.from_numpy(a.copy())


EQUATIONS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...ij->...ji", [(2, 3, 4)]),
    ("...ij->ij", [(2, 3, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ijk,kji->", [(2, 3, 4), (4, 3, 2)]),
    ("a,b,c->abc", [(2,), (3,), (4,)]),
    ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 6)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
    ("Bi,iC->BC", [(2, 3), (3, 4)]),
    ("ba,ab", [(3, 2), (2, 3)]),
    ("i,i", [(0,), (0,)]),
    ("ij,jk->ik", [(0, 3), (3, 2)]),
    ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),
    ("ii,jj->ij", [(3, 3), (2, 2)]),
    ("i,ij->j", [(1,), (4, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_matches_torch(eq, shapes):
    pairs = [pair(s, i) for i, s in enumerate(shapes)]
    ours = tt.einsum(eq, *[p[0] for p in pairs])
    theirs = torch.einsum(eq, *[p[1] for p in pairs])
    assert_same(ours, theirs, check_stride=False)
    ours = tt.einsum(eq, [p[0] for p in pairs])             # operands as one list
    assert_same(ours, theirs, check_stride=False)


def test_einsum_sublist_format():
    (a1, a2), (b1, b2) = pair((3, 4)), pair((4, 5), 1)
    assert_same(tt.einsum(a1, [0, 1], b1, [1, 2], [0, 2]),
                torch.einsum(a2, [0, 1], b2, [1, 2], [0, 2]))
    assert_same(tt.einsum(a1, [Ellipsis, 1], b1, [1, 2]),
                torch.einsum(a2, [Ellipsis, 1], b2, [1, 2]))


def test_einsum_views_where_torch_does():
    x = tt.ones(3, 3)
    assert tt.einsum("ii->i", x)._is_view_of(x)
    assert tt.einsum("ij->ji", x)._is_view_of(x)


@settings(max_examples=40)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 3),
       st.booleans())
def test_einsum_batched_matmul_with_strides(m, k, n, b, transpose):
    a1, a2 = pair((b, k, m) if transpose else (b, m, k), 1)
    c1, c2 = pair((b, k, n), 2)
    if transpose:
        a1, a2 = a1.transpose(1, 2), a2.transpose(1, 2)
    assert_same(tt.einsum("bmk,bkn->bmn", a1, c1), torch.einsum("bmk,bkn->bmn", a2, c2),
                check_stride=False)


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(3, 4), (5, 6)]),
    ("ij,jk->ik", [(3, 4)]),
    ("ij->ik", [(3, 4)]),
    ("i->ii", [(3,)]),
    ("ii->i", [(3, 4)]),
    ("ij->i", [(3, 4, 5)]),
    ("i.j->i", [(3, 4)]),
    ("i1->i", [(3, 4)]),
])
def test_einsum_errors_match_torch(eq, shapes):
    ours = [pair(s, i)[0] for i, s in enumerate(shapes)]
    theirs = [pair(s, i)[1] for i, s in enumerate(shapes)]
    same_error(lambda: tt.einsum(eq, *ours), lambda: torch.einsum(eq, *theirs))


def test_tensordot_inner_kron():
    (a1, a2), (b1, b2) = pair((3, 4, 5)), pair((4, 5, 2), 1)
    assert_same(tt.tensordot(a1, b1), torch.tensordot(a2, b2), check_stride=False)
    assert_same(tt.tensordot(a1, b1, dims=([1], [0])), torch.tensordot(a2, b2, dims=([1], [0])),
                check_stride=False)
    assert_same(tt.tensordot(a1, b1, dims=0), torch.tensordot(a2, b2, dims=0),
                check_stride=False)
    (c1, c2), (d1, d2) = pair((2, 5)), pair((3, 5), 1)
    assert_same(tt.inner(c1, d1), torch.inner(c2, d2), check_stride=False)
    assert_same(tt.inner(c1, tt.tensor(2.0, dtype=tt.float64)),
                torch.inner(c2, torch.tensor(2.0, dtype=torch.float64)))
    same_error(lambda: tt.inner(c1, b1), lambda: torch.inner(c2, b2))
    same_error(lambda: tt.tensordot(a1, b1, dims=([0], [0])),
               lambda: torch.tensordot(a2, b2, dims=([0], [0])))
    (e1, e2), (f1, f2) = pair((2, 3)), pair((4,), 1)
    assert_same(tt.kron(e1, f1), torch.kron(e2, f2), check_stride=False)
    assert_same(tt.kron(f1, e1), torch.kron(f2, e2), check_stride=False)
    i1 = tt.tensor([[1, 2], [3, 4]])
    i2 = torch.tensor([[1, 2], [3, 4]])
    assert_same(tt.kron(i1, i1), torch.kron(i2, i2))


def test_cross():
    (a1, a2), (b1, b2) = pair((4, 3)), pair((1, 3), 1)
    assert_same(tt.linalg.cross(a1, b1), torch.linalg.cross(a2, b2), check_stride=False)
    (c1, c2), (d1, d2) = pair((3, 2)), pair((3, 2), 1)
    assert_same(tt.cross(c1, d1, dim=0), torch.cross(c2, d2, dim=0), check_stride=False)
    with pytest.warns(UserWarning):
        ours = tt.cross(c1, d1)
    assert_same(ours, torch.cross(c2, d2, dim=0), check_stride=False)
    same_error(lambda: tt.linalg.cross(c1, d1), lambda: torch.linalg.cross(c2, d2))


GRADS = [
    ("matmul", "ij,jk->ik", [(3, 4), (4, 2)]),
    ("trace", "ii", [(3, 3)]),
    ("diag_outer", "ii,j->ij", [(3, 3), (2,)]),
    ("three", "bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ellipsis", "...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("sum", "ij->", [(3, 4)]),
]


@pytest.mark.parametrize("name,eq,shapes", GRADS, ids=[g[0] for g in GRADS])
def test_einsum_gradients(name, eq, shapes):
    arrays = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    ours = [tt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y1, y2 = tt.einsum(eq, *ours), torch.einsum(eq, *theirs)
    g = np.random.default_rng(9).standard_normal(tuple(y2.shape))
    y1.backward(tt.tensor(g))
    y2.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert tt.autograd.gradcheck(lambda *xs: tt.einsum(eq, *xs),
                                 tuple(tt.tensor(a, requires_grad=True) for a in arrays))


def test_product_gradients():
    (a, _), (b, _) = pair((3, 4)), pair((3, 4), 1)
    c, _ = pair((4, 3), 2)
    for fn, args in [(tt.tensordot, (a, c)), (tt.inner, (a, b)), (tt.kron, (a, b)),
                     (lambda x, y: tt.linalg.cross(x[:, :3], y[:, :3]), (a, b))]:
        xs = tuple(t.clone().requires_grad_() for t in args)
        assert tt.autograd.gradcheck(lambda *t: fn(*t) if fn is not tt.tensordot
                                     else fn(t[0], t[1], dims=1), xs)


# ops/einsum.py's versions (tinytensor.ops.linalg has a composite addmm of its own)
E = tinytensor.ops.einsum

FUSED = [
    ("addmm", lambda m, i, a, b: m.addmm(i, a, b), [(4,), (3, 5), (5, 4)], "AddmmBackward0"),
    ("addmm_scaled", lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=-2.0),
     [(3, 4), (3, 5), (5, 4)], "AddmmBackward0"),
    ("addmv", lambda m, i, a, b: m.addmv(i, a, b, alpha=3), [(3,), (3, 5), (5,)],
     "AddmvBackward0"),
    ("addr", lambda m, i, a, b: m.addr(i, a, b, beta=2), [(3, 4), (3,), (4,)],
     "AddrBackward0"),
    ("baddbmm", lambda m, i, a, b: m.baddbmm(i, a, b, beta=0.25),
     [(1, 3, 4), (2, 3, 5), (2, 5, 4)], "BaddbmmBackward0"),
]


@pytest.mark.parametrize("name,fn,shapes,node", FUSED, ids=[f[0] for f in FUSED])
def test_fused_products(name, fn, shapes, node):
    arrays = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    ours = [tt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y1, y2 = fn(E, *ours), fn(torch, *theirs)
    assert y1.grad_fn.name() == node == y2.grad_fn.name()
    assert_same(y1, y2, check_stride=False)
    g = np.random.default_rng(7).standard_normal(tuple(y2.shape))
    y1.backward(tt.tensor(g))
    y2.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert tt.autograd.gradcheck(lambda *xs: fn(E, *xs),
                                 tuple(tt.tensor(a, requires_grad=True) for a in arrays))


def test_fused_products_beta_zero_ignores_nan_and_inplace_forms():
    i1 = tt.full((2, 2), float("nan"))
    i2 = torch.full((2, 2), float("nan"))
    (a1, a2), (b1, b2) = pair((2, 3), 0, "float32"), pair((3, 2), 1, "float32")
    assert_same(E.addmm(i1, a1, b1, beta=0), torch.addmm(i2, a2, b2, beta=0))
    c1, c2 = tt.zeros(2, 2), torch.zeros(2, 2)
    assert c1.addmm_(a1, b1, alpha=2) is c1
    c2.addmm_(a2, b2, alpha=2)
    assert_same(c1, c2)
    same_error(lambda: E.addmm(i1, a1[0], b1), lambda: torch.addmm(i2, a2[0], b2))
    same_error(lambda: E.addmm(tt.ones(3), a1, b1), lambda: torch.addmm(torch.ones(3), a2, b2))
