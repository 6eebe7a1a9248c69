"""Shape utilities against torch: repeat, tile, repeat_interleave, flip, roll, rot90,
tril/triu, diag family, trace, broadcasting helpers, meshgrid, cartesian_prod,
block_diag, diff -- values, shapes, views, errors and gradients."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import DTYPE_NAMES, same_error, torch_module
from oracle import assert_same as _assert_same
from strategies import make_view, view_kinds

torch = torch_module()

# until tinytensor/__init__.py imports tinytensor.ops.shape and tinytensor.ops.einsum
import tinytensor.ops.einsum  # noqa: E402,F401
import tinytensor.ops.shape  # noqa: E402,F401
from tinytensor.ops import _registry  # noqa: E402
_registry.install_methods(tt.Tensor)
for _k, _v in _registry.FUNCTIONS.items():
    if not hasattr(tt, _k):
        setattr(tt, _k, _v)


def assert_same(ours, theirs, **kw):
    """oracle.assert_same, without strides for empty tensors (torch keeps numpy's 0s)."""
    if kw.pop("check_stride", True) and ours.numel():     # size-1 dims: any stride
        keep = [i for i, s in enumerate(theirs.shape) if s > 1]
        assert [ours.stride(i) for i in keep] == [theirs.stride(i) for i in keep], \
            f"stride {ours.stride()} != {theirs.stride()}"
    _assert_same(ours, theirs, check_stride=False, **kw)


def pair(a, dtype=None):
    a = np.ascontiguousarray(a)
    ours, theirs = tt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if dtype:
        ours, theirs = ours.to(getattr(tt, dtype)), theirs.to(getattr(torch, dtype))
    return ours, theirs


def arr(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = np.asarray(rng.integers(-9, 10, size=shape))
    if dtype == "bool":
        return a > 0
    if dtype == "uint8":
        return (a + 9).astype(np.uint8)
    return a.astype(dtype if dtype.startswith("int") else np.float64)


@st.composite
def tensors(draw, min_dims=0, max_dims=3, dtypes=DTYPE_NAMES):
    dtype = draw(st.sampled_from(dtypes))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=min_dims, max_size=max_dims)))
    a = arr(shape, dtype, draw(st.integers(0, 2**31)))
    ours, theirs = make_view(lambda x: pair(x, dtype), a, draw(view_kinds()), draw)
    return ours, theirs


@settings(max_examples=60)
@given(tensors(), st.data())
def test_repeat_and_tile(t, data):
    x1, x2 = t
    reps = data.draw(st.lists(st.integers(0, 3), min_size=x1.dim(), max_size=x1.dim() + 2))
    assert_same(x1.repeat(*reps), x2.repeat(*reps))
    tiles = data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=x1.dim() + 1))
    assert_same(tt.tile(x1, tiles), torch.tile(x2, tiles))


@settings(max_examples=60)
@given(tensors(), st.data())
def test_repeat_interleave(t, data):
    x1, x2 = t
    r = data.draw(st.integers(0, 3))
    assert_same(tt.repeat_interleave(x1, r), torch.repeat_interleave(x2, r), check_stride=False)
    if x1.dim():
        d = data.draw(st.integers(-x1.dim(), x1.dim() - 1))
        assert_same(x1.repeat_interleave(r, d), x2.repeat_interleave(r, d), check_stride=False)
        reps = np.asarray(data.draw(st.lists(st.integers(0, 3), min_size=x1.shape[d],
                                             max_size=x1.shape[d])), dtype=np.int64)
        r1, r2 = pair(reps)
        assert_same(x1.repeat_interleave(r1, d), x2.repeat_interleave(r2, d),
                    check_stride=False)
        assert_same(tt.repeat_interleave(r1), torch.repeat_interleave(r2))


@settings(max_examples=60)
@given(tensors(min_dims=1), st.data())
def test_flip_roll_rot90(t, data):
    x1, x2 = t
    nd = x1.dim()
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=nd, unique_by=lambda d: d % nd))
    assert_same(x1.flip(dims), x2.flip(dims))
    shifts = data.draw(st.integers(-7, 7))
    assert_same(x1.roll(shifts), x2.roll(shifts))
    if dims:
        sh = [data.draw(st.integers(-5, 5)) for _ in dims]
        assert_same(x1.roll(sh, dims), x2.roll(sh, dims))
    if nd >= 2:
        k = data.draw(st.integers(-5, 5))
        assert_same(x1.rot90(k, (0, nd - 1)), x2.rot90(k, (0, nd - 1)), check_stride=False)
        assert_same(tt.fliplr(x1), torch.fliplr(x2))
    assert_same(tt.flipud(x1), torch.flipud(x2))


@settings(max_examples=60)
@given(tensors(min_dims=2, max_dims=4), st.integers(-4, 4))
def test_tril_triu(t, k):
    x1, x2 = t
    assert_same(x1.tril(k), x2.tril(k))
    assert_same(tt.triu(x1, k), torch.triu(x2, k))
    y1, y2 = x1.clone(), x2.clone()         # (torch's clone keeps x's strides)
    assert_same(y1.tril_(k), y2.tril_(k), check_stride=False)
    assert_same(y1.triu_(-k), y2.triu_(-k), check_stride=False)


@pytest.mark.parametrize("row,col,offset", [(3, 3, 0), (4, 2, 1), (2, 5, -1), (0, 3, 0),
                                            (3, 4, 7), (3, 4, -7)])
def test_triangle_indices(row, col, offset):
    assert_same(tt.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
    assert_same(tt.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))


@settings(max_examples=60)
@given(tensors(min_dims=2), st.integers(-3, 3), st.data())
def test_diagonal_family(t, offset, data):
    x1, x2 = t
    nd = x1.dim()
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d1 % nd))
    v1, v2 = x1.diagonal(offset, d1, d2), x2.diagonal(offset, d1, d2)
    assert_same(v1, v2)
    assert v1._is_view_of(x1)
    assert_same(tt.diagonal_scatter(x1, v1, offset, d1, d2),
                torch.diagonal_scatter(x2, v2, offset, d1, d2), check_stride=False)
    assert_same(tt.diag_embed(x1, offset), torch.diag_embed(x2, offset))
    if nd == 2:
        assert_same(tt.diag(x1, offset), torch.diag(x2, offset))
        if x1.shape[0]:
            assert_same(tt.diag(x1[0], offset), torch.diag(x2[0], offset))
        if x1.dtype != tt.bool:
            assert_same(tt.trace(x1), torch.trace(x2))


def test_broadcast_helpers_and_meshgrid():
    assert tt.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    same_error(lambda: tt.broadcast_shapes((2,), (3,)),
               lambda: torch.broadcast_shapes((2,), (3,)))
    a1, a2 = pair(np.arange(3.0).reshape(3, 1))
    b1, b2 = pair(np.arange(4.0))
    for p, q in zip(tt.broadcast_tensors(a1, b1), torch.broadcast_tensors(a2, b2)):
        assert_same(p, q)
    for indexing in ("ij", "xy"):
        c1, c2 = pair(np.arange(2.0))
        for p, q in zip(tt.meshgrid(a1.reshape(-1), b1, c1, indexing=indexing),
                        torch.meshgrid(a2.reshape(-1), b2, c2, indexing=indexing)):
            assert_same(p, q)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        tt.meshgrid(b1, b1)
    assert any("indexing" in str(x.message) for x in w)
    assert_same(tt.cartesian_prod(b1, a1.reshape(-1)), torch.cartesian_prod(b2, a2.reshape(-1)),
                check_stride=False)
    assert_same(tt.cartesian_prod(b1), torch.cartesian_prod(b2))


@pytest.mark.parametrize("shapes", [((2, 1), (3, 2)), ((2,), (3,)), ((2, 3), (4, 3), (5,)),
                                    ((-1,), (2,)), ((2,), 3), ((1,), [2]), (), (None, (2,))])
def test_broadcast_shapes_values_and_errors(shapes):
    try:
        expected = torch.broadcast_shapes(*shapes)
    except Exception as e:
        with pytest.raises(type(e)) as ours:
            tt.broadcast_shapes(*shapes)
        assert str(ours.value) == str(e)
    else:
        result = tt.broadcast_shapes(*shapes)
        assert isinstance(result, tt.Size) and tuple(result) == tuple(expected)


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((2, 1), (3,), (5, 1)), ((3,), (2, 1, 2))])
def test_broadcast_tensors_errors(shapes):
    e1, e2 = same_error(lambda: tt.broadcast_tensors(*(tt.ones(s) for s in shapes)),
                        lambda: torch.broadcast_tensors(*(torch.ones(s) for s in shapes)))
    assert str(e1) == str(e2)


@pytest.mark.parametrize("name,shape,arg", [
    ("hsplit", (2, 6), 3), ("hsplit", (2, 6), [1, 4]), ("hsplit", (4,), 2),
    ("vsplit", (4, 3), 2), ("vsplit", (4, 3), (1, 1, 3)), ("dsplit", (1, 2, 4), [3]),
    ("dsplit", (1, 2, 4), 4)])
def test_hsplit_vsplit_dsplit(name, shape, arg):
    x1, x2 = pair(np.arange(float(np.prod(shape))).reshape(shape))
    ours, theirs = getattr(tt, name)(x1, arg), getattr(torch, name)(x2, arg)
    assert len(ours) == len(theirs)
    for p, q in zip(ours, theirs):
        assert_same(p, q)
        assert p._is_view_of(x1)


@pytest.mark.parametrize("name,shape,arg", [
    ("hsplit", (2, 6), 4), ("hsplit", (2, 6), 0), ("hsplit", (), 1), ("vsplit", (3,), 1),
    ("dsplit", (2, 6), 1)])
def test_hsplit_vsplit_dsplit_errors(name, shape, arg):
    e1, e2 = same_error(lambda: getattr(tt, name)(tt.ones(shape), arg),
                        lambda: getattr(torch, name)(torch.ones(shape), arg))
    assert str(e1) == str(e2)


def test_block_diag():
    parts = [np.arange(6).reshape(2, 3), np.array([7.5, 8.5]), np.array(9)]
    ours = [tt.from_numpy(p.copy()) for p in parts]
    theirs = [torch.from_numpy(p.copy()) for p in parts]
    assert_same(tt.block_diag(*ours), torch.block_diag(*theirs))
    assert_same(tt.block_diag(), torch.block_diag())


@settings(max_examples=60)
@given(tensors(min_dims=1), st.integers(0, 3), st.data())
def test_diff(t, n, data):
    x1, x2 = t
    d = data.draw(st.integers(-x1.dim(), x1.dim() - 1))
    if x1.dtype == tt.uint8:
        return
    assert_same(tt.diff(x1, n, d), torch.diff(x2, n, d), check_stride=False)
    assert_same(tt.diff(x1, 1, d, prepend=x1, append=x1[..., :1] if d in (-1, x1.dim() - 1)
                        else x1),
                torch.diff(x2, 1, d, prepend=x2, append=x2[..., :1] if d in (-1, x2.dim() - 1)
                           else x2), check_stride=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: x.repeat(2),
    lambda m, x: x.flip(0, 0),
    lambda m, x: m.fliplr(x[0]),
    lambda m, x: x.rot90(1, (0,)),
    lambda m, x: x.rot90(1, (0, 0)),
    lambda m, x: m.tril(x[0]),
    lambda m, x: m.diag(x.unsqueeze(0)),
    lambda m, x: x.diagonal(0, 1, 1),
    lambda m, x: m.trace(x[0]),
    lambda m, x: m.roll(x, (1, 2)),
    lambda m, x: m.roll(x, (1, 2), (0,)),
    lambda m, x: m.repeat_interleave(x, m.tensor([1, 2, 3]), dim=0),
    lambda m, x: m.diff(x[0, 0]),
    lambda m, x: m.block_diag(x.unsqueeze(0)),
])
def test_errors_match_torch(fn):
    a = np.arange(6.0).reshape(2, 3)
    same_error(lambda: fn(tt, tt.from_numpy(a.copy())),
               lambda: fn(torch, torch.from_numpy(a.copy())))


# ---- gradients ---------------------------------------------------------------------------------
GRAD_CASES = [
    ("repeat", lambda m, x: x.repeat(2, 1, 2), "RepeatBackward0"),
    ("tile", lambda m, x: m.tile(x, (2,)), "RepeatBackward0"),
    ("repeat_interleave", lambda m, x: m.repeat_interleave(x, m.tensor([1, 0, 2]), dim=0),
     "IndexSelectBackward0"),
    ("flip", lambda m, x: x.flip(0, 1), "FlipBackward0"),
    ("roll", lambda m, x: x.roll((1, -1), (0, 1)), "RollBackward0"),
    ("roll_flat", lambda m, x: x.roll(2), "RollBackward0"),
    ("rot90", lambda m, x: x.rot90(1), "Rot90Backward0"),
    ("tril", lambda m, x: x.tril(1), "TrilBackward0"),
    ("triu", lambda m, x: x.triu(-1), "TriuBackward0"),
    ("diagonal", lambda m, x: x.diagonal(1), "DiagonalBackward0"),
    ("diag_embed", lambda m, x: m.diag_embed(x, 1), "DiagEmbedBackward0"),
    ("diag", lambda m, x: m.diag(x), "DiagonalBackward0_copy"),
    ("diagonal_scatter", lambda m, x: m.diagonal_scatter(x, x[0, :3] * 1), None),
    ("trace", lambda m, x: m.trace(x), "TraceBackward0"),
    ("block_diag", lambda m, x: m.block_diag(x, x[0]), "BlockDiagBackward0"),
    ("diff", lambda m, x: m.diff(x, 2), "SubBackward0"),
]


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_torch(name, fn, node):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 4))
    x1, x2 = tt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y1, y2 = fn(tt, x1), fn(torch, x2)
    if node is not None:
        assert y1.grad_fn.name() == node == y2.grad_fn.name()
    assert_same(y1, y2, check_stride=False)
    g = rng.standard_normal(tuple(y2.shape))
    y1.backward(tt.tensor(g))
    y2.backward(torch.tensor(g))
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name, fn, node):
    x = tt.tensor(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=True)
    assert tt.autograd.gradcheck(lambda t: fn(tt, t), (x,))
