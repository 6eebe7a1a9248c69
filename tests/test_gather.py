"""gather/scatter and the index ops against torch: values exactly (accumulation in
torch's order), out-of-range indices raising torch's exception class, and gradients."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import DTYPE_NAMES, assert_same, same_error, torch_module

torch = torch_module()

# until tinytensor/__init__.py imports tinytensor.ops.shape (repeat, broadcast_shapes...)
import tinytensor.ops.shape  # noqa: E402,F401
from tinytensor.ops import _registry  # noqa: E402
_registry.install_methods(tt.Tensor)


def pair(a, dtype=None):
    a = np.ascontiguousarray(a)
    ours, theirs = tt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if dtype:
        ours, theirs = ours.to(getattr(tt, dtype)), theirs.to(getattr(torch, dtype))
    return ours, theirs


def values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = np.asarray(rng.integers(-5, 6, size=shape))
    if dtype == "bool":
        return a > 0
    if dtype == "uint8":
        return (a + 5).astype(np.uint8)
    if dtype.startswith("int"):
        return a.astype(dtype)
    return a.astype(np.float64) / 4


@st.composite
def gather_cases(draw, dtypes=DTYPE_NAMES, oob=False):
    dtype = draw(st.sampled_from(dtypes))
    nd = draw(st.integers(1, 3))
    src_shape = [draw(st.integers(1, 5)) for _ in range(nd)]
    dim = draw(st.integers(0, nd - 1))
    idx_shape = [draw(st.integers(0, s)) for s in src_shape]
    idx_shape[dim] = draw(st.integers(0, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    hi = src_shape[dim]
    index = np.asarray(rng.integers(0, hi, size=idx_shape))
    if oob and index.size:
        index.flat[draw(st.integers(0, index.size - 1))] = draw(st.sampled_from([hi, -1, 99]))
    src = values(src_shape, dtype, draw(st.integers(0, 2**31)))
    transpose = nd >= 2 and draw(st.booleans())
    return dtype, src, index, dim, transpose


def as_pairs(dtype, src, index, transpose):
    s1, s2 = pair(src, dtype)
    i1, i2 = pair(index)
    if transpose:       # the same values through non-contiguous views
        s1, s2 = pair(np.swapaxes(src, 0, -1), dtype)
        s1, s2 = s1.transpose(0, -1), s2.transpose(0, -1)
        i1, i2 = pair(np.swapaxes(index, 0, -1))
        i1, i2 = i1.transpose(0, -1), i2.transpose(0, -1)
    return s1, s2, i1, i2


@settings(max_examples=80)
@given(gather_cases())
def test_gather_matches_torch(case):
    dtype, src, index, dim, transpose = case
    s1, s2, i1, i2 = as_pairs(dtype, src, index, transpose)
    assert_same(tt.gather(s1, dim, i1), torch.gather(s2, dim, i2), check_stride=False)
    assert_same(s1.gather(dim, i1), s2.gather(dim, i2), check_stride=False)


@settings(max_examples=40)
@given(gather_cases(oob=True))
def test_gather_out_of_range_raises_like_torch(case):
    dtype, src, index, dim, transpose = case
    if index.size == 0:
        return
    s1, s2, i1, i2 = as_pairs(dtype, src, index, transpose)
    same_error(lambda: tt.gather(s1, dim, i1), lambda: torch.gather(s2, dim, i2))


@settings(max_examples=80)
@given(gather_cases(), st.sampled_from(["src", "value", "add"]))
def test_scatter_forms_match_torch(case, form):
    dtype, src, index, dim, transpose = case
    # scatter's targets: self shaped like src, src values from another draw
    self_np = values(src.shape, dtype, 1)
    b1, b2 = pair(self_np, dtype)
    src = values(index.shape, dtype, 3)     # src at least as large as index
    s1, s2, i1, i2 = as_pairs(dtype, src, index, transpose)
    if form == "src":
        if index.size and len(np.unique(index)) < index.size:
            return      # duplicate targets: torch leaves the winner unspecified
        ours, theirs = b1.scatter(dim, i1, s1), b2.scatter(dim, i2, s2)
    elif form == "value":
        ours, theirs = b1.scatter(dim, i1, value=2), b2.scatter(dim, i2, value=2)
    else:
        ours, theirs = b1.scatter_add(dim, i1, s1), b2.scatter_add(dim, i2, s2)
    assert_same(ours, theirs, check_stride=False, exact=True)


@settings(max_examples=80)
@given(gather_cases([d for d in DTYPE_NAMES if d != "bool"]),
       st.sampled_from(["sum", "prod", "mean", "amax", "amin"]), st.booleans())
def test_scatter_reduce_matches_torch(case, reduce, include_self):
    dtype, src, index, dim, transpose = case
    self_np = values(src.shape, dtype, 2)
    b1, b2 = pair(self_np, dtype)
    src = values(index.shape, dtype, 4)
    s1, s2, i1, i2 = as_pairs(dtype, src, index, transpose)
    ours = b1.scatter_reduce(dim, i1, s1, reduce, include_self=include_self)
    theirs = b2.scatter_reduce(dim, i2, s2, reduce, include_self=include_self)
    assert_same(ours, theirs, check_stride=False, exact=dtype != "float16" and
                dtype != "bfloat16" or reduce != "mean")


def test_scatter_add_float_order_is_torchs():
    rng = np.random.default_rng(3)
    src = (rng.standard_normal((4, 3000)) * 1e4).astype(np.float32)
    index = rng.integers(0, 7, size=(4, 3000))
    s1, s2 = pair(src)
    i1, i2 = pair(index)
    base = np.zeros((4, 7), np.float32)
    b1, b2 = pair(base)
    assert_same(b1.scatter_add(1, i1, s1), b2.scatter_add(1, i2, s2), exact=True)
    assert_same(b1.index_add(1, i1[0], s1), b2.index_add(1, i2[0], s2), exact=True)


def test_legacy_scatter_reduce_argument():
    b1, b2 = pair(np.ones((2, 3)))
    i1, i2 = pair(np.array([[0, 0], [2, 1]]))
    s1, s2 = pair(np.array([[2.0, 3.0], [4.0, 5.0]]))
    with pytest.warns(UserWarning, match="deprecated"):
        ours = b1.scatter(1, i1, s1, reduce="multiply")
    with pytest.warns(UserWarning):
        theirs = b2.scatter(1, i2, s2, reduce="multiply")
    assert_same(ours, theirs)
    assert_same(b1.scatter(1, i1, 2.0, reduce="add"), b2.scatter(1, i2, 2.0, reduce="add"))
    same_error(lambda: b1.scatter(1, i1, s1, reduce="sum"),
               lambda: b2.scatter(1, i2, s2, reduce="sum"))


@settings(max_examples=60)
@given(st.sampled_from(DTYPE_NAMES), st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.data())
def test_index_ops_match_torch(dtype, shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    d = dim % nd
    n = data.draw(st.integers(0, 5))
    index = np.asarray(data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=n,
                                          max_size=n)), dtype=np.int64)
    x1, x2 = pair(values(shape, dtype, 5), dtype)
    i1, i2 = pair(index)
    assert_same(x1.index_select(dim, i1), x2.index_select(dim, i2))
    src_shape = list(shape)
    src_shape[d] = n
    s1, s2 = pair(values(src_shape, dtype, 6), dtype)
    if dtype != "bool":
        assert_same(x1.index_add(dim, i1, s1), x2.index_add(dim, i2, s2))
    if len(set(index.tolist())) == n:
        assert_same(x1.index_copy(dim, i1, s1), x2.index_copy(dim, i2, s2))
    assert_same(x1.index_fill(dim, i1, 1), x2.index_fill(dim, i2, 1))
    y1, y2 = x1.clone(), x2.clone()
    if dtype != "bool":
        y1.index_add_(dim, i1, s1, alpha=2)
        y2.index_add_(dim, i2, s2, alpha=2)
        assert_same(y1, y2)


def test_index_ops_negative_and_out_of_range_indices():
    x1, x2 = pair(np.arange(12.0).reshape(3, 4))
    for bad in ([4], [-1], [-5]):
        i1, i2 = pair(np.array(bad))
        s1, s2 = pair(np.ones((3, 1)))
        same_error(lambda: x1.index_select(1, i1), lambda: x2.index_select(1, i2))
        same_error(lambda: x1.index_add(1, i1, s1), lambda: x2.index_add(1, i2, s2))
        same_error(lambda: x1.index_copy(1, i1, s1), lambda: x2.index_copy(1, i2, s2))
        if bad != [-1]:
            same_error(lambda: x1.index_fill(1, i1, 0), lambda: x2.index_fill(1, i2, 0))
    i1, i2 = pair(np.array([-1]))
    assert_same(x1.index_fill(1, i1, 0), x2.index_fill(1, i2, 0))   # index_fill wraps


def test_take_put_take_along_dim():
    x1, x2 = pair(np.arange(12.0).reshape(3, 4))
    i1, i2 = pair(np.array([[0, -1], [5, 11]]))
    assert_same(tt.take(x1.t(), i1), torch.take(x2.t(), i2))
    for acc in (False, True):
        s1, s2 = pair(np.array([[1.0, 2.0], [3.0, 4.0]]))
        j1, j2 = pair(np.array([[0, 3], [3, -12]]))
        if not acc:
            j1, j2 = pair(np.array([[0, 3], [5, -12]]))
        assert_same(x1.put(j1, s1, acc), x2.put(j2, s2, acc))
        y1, y2 = x1.t().clone().t(), x2.t().clone().t()       # non-contiguous target
        assert_same(y1.put_(j1, s1, acc), y2.put_(j2, s2, acc), check_stride=False)
    k1, k2 = pair(np.array([[0], [2], [1]]))
    assert_same(tt.take_along_dim(x1, k1, 1), torch.take_along_dim(x2, k2, 1))
    assert_same(tt.take_along_dim(x1, k1), torch.take_along_dim(x2, k2))
    b1, b2 = pair(np.array([[1, 0]]))      # broadcast against input except along dim
    assert_same(tt.take_along_dim(x1, b1, 1), torch.take_along_dim(x2, b2, 1))
    assert_same(tt.take_along_dim(x1[:, :1], b1, 0), torch.take_along_dim(x2[:, :1], b2, 0))
    for bad in (np.array([12]), np.array([-13])):
        b1, b2 = pair(bad)
        same_error(lambda: tt.take(x1, b1), lambda: torch.take(x2, b2))
        same_error(lambda: x1.put(b1, tt.ones(1, dtype=tt.float64)),
                   lambda: x2.put(b2, torch.ones(1, dtype=torch.float64)))


def test_index_put_accumulate_sums_duplicates():
    x1, x2 = pair(np.zeros((3, 4)))
    r1, r2 = pair(np.array([0, 2, 0, 0]))
    v1, v2 = pair(np.arange(16.0).reshape(4, 4))
    assert_same(x1.index_put((r1,), v1, accumulate=True),
                x2.index_put((r2,), v2, accumulate=True))
    assert_same(x1.index_put_((r1,), tt.tensor(5.0, dtype=tt.float64)),
                x2.index_put_((r2,), torch.tensor(5.0, dtype=torch.float64)))


def test_index_put_accumulate_every_dim_indexed():
    x1, x2 = pair(np.zeros((3, 4)))
    r1, r2 = pair(np.array([0, 2, 0, 0]))
    c1, c2 = pair(np.array([1, 3, 1, 1]))
    v1, v2 = pair(np.array([1.0, 2.0, 3.0, 4.0]))
    assert_same(x1.index_put((r1, c1), v1, accumulate=True),
                x2.index_put((r2, c2), v2, accumulate=True))


def test_masked_select_and_scatter():
    x1, x2 = pair(np.arange(12.0).reshape(3, 4))
    m1, m2 = pair(np.array([True, False, True, True]))
    assert_same(tt.masked_select(x1, m1), torch.masked_select(x2, m2))
    s1, s2 = pair(np.arange(100.0, 120.0))
    assert_same(x1.masked_scatter(m1, s1), x2.masked_scatter(m2, s2))
    same_error(lambda: x1.masked_scatter(m1, s1[:3]), lambda: x2.masked_scatter(m2, s2[:3]))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("shape,mask_shape", [((3, 4), (3, 4)), ((3, 4), (4,)),
                                              ((3, 1), (2, 1, 4)), ((0, 2), (2,)), ((), ())])
def test_masked_fill(dtype, shape, mask_shape):
    x1, x2 = (t.reshape(shape) for t in pair(values(shape, dtype, 0), dtype))
    m1, m2 = (t.reshape(mask_shape) for t in
              pair(np.random.default_rng(1).random(mask_shape) > 0.5))
    for value in (True, 3, -1.75, float("nan")):
        if dtype in ("uint8", "bool") and value == -1.75 or dtype == "bool" and value != 1:
            continue
        if not dtype.startswith("float") and value != value:
            continue
        # torch's strides for an empty result are (0, 0): only non-empty ones are meaningful
        nonempty = x1.numel() > 0
        assert_same(x1.masked_fill(m1, value), x2.masked_fill(m2, value),
                    check_stride=nonempty)
        v1, v2 = tt.tensor(value), torch.tensor(value)
        assert_same(tt.masked_fill(x1, m1, v1), torch.masked_fill(x2, m2, v2),
                    check_stride=nonempty)
        if tuple(np.broadcast_shapes(shape, mask_shape)) == shape:
            y1, y2 = x1.clone(), x2.clone()
            assert y1.masked_fill_(m1, value) is y1
            y2.masked_fill_(m2, value)
            assert_same(y1, y2, check_stride=nonempty)


@pytest.mark.parametrize("fn", [
    lambda m, x, i: m.gather(x, 1, i.float()),
    lambda m, x, i: m.gather(x, 1, i[0]),
    lambda m, x, i: m.gather(x, 1, i.repeat(3, 1)),
    lambda m, x, i: m.gather(x, 5, i),
    lambda m, x, i: x.scatter(1, i, m.ones(1, 1)),
    lambda m, x, i: x.scatter(1, i, m.ones(2, 2, dtype=m.float64)),
    lambda m, x, i: x.scatter_reduce(1, i, m.ones(2, 2), "foo"),
    lambda m, x, i: x.index_select(1, i),
    lambda m, x, i: x.index_select(1, i[0].float()),
    lambda m, x, i: x.index_add(1, i[0], m.ones(3, 3)),
    lambda m, x, i: x.index_copy(1, i[0].int(), m.ones(3, 2)),
    lambda m, x, i: x.index_fill(1, i[0].int(), 1.0),
    lambda m, x, i: m.take(x, i.int()),
    lambda m, x, i: x.put(i, m.ones(3)),
    lambda m, x, i: x.masked_select(x > 0 if False else m.ones(3, 4, dtype=m.uint8)),
    lambda m, x, i: x.masked_fill(m.ones(3, 4, dtype=m.uint8), 1.0),
    lambda m, x, i: x.masked_fill(x > 2, m.ones(2)),
    lambda m, x, i: x.masked_fill(m.ones(2, 4, dtype=m.bool), 1.0),
    lambda m, x, i: x.masked_fill_(m.ones(2, 3, 4, dtype=m.bool), 1.0),
])
def test_argument_errors_match_torch(fn):
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    i = np.array([[0, 1], [2, 0]])
    same_error(lambda: fn(tt, tt.from_numpy(x.copy()), tt.from_numpy(i.copy())),
               lambda: fn(torch, torch.from_numpy(x.copy()), torch.from_numpy(i.copy())))


def test_scalar_and_empty_operands():
    for shapes in [((), ()), ((), (1,)), ((1,), ())]:
        a1, a2 = pair(np.array(5.0).reshape(shapes[0]))
        i1, i2 = pair(np.zeros(shapes[1], np.int64))
        assert_same(tt.gather(a1, 0, i1), torch.gather(a2, 0, i2))
    e1, e2 = pair(np.zeros((0, 3)))
    j1, j2 = pair(np.zeros((0, 3), np.int64))
    assert_same(e1.gather(0, j1), e2.gather(0, j2))
    assert_same(e1.scatter_add(0, j1, e1), e2.scatter_add(0, j2, e2))


def test_inplace_forms_return_self_and_bump_version():
    x = tt.zeros(2, 3)
    v = x._version
    assert x.scatter_(1, tt.tensor([[0], [2]]), 1.0) is x
    assert x.index_fill_(0, tt.tensor([1]), 2.0) is x
    assert x._version > v
    leaf = tt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.index_add_(0, tt.tensor([0]), tt.ones(1))


# ---- gradients ------------------------------------------------------------------------------
I2 = np.array([[0, 2], [1, 1], [3, 0]])
GRAD_CASES = [
    ("gather", lambda m, x, s: m.gather(x, 1, m.tensor(I2)), "GatherBackward0"),
    ("scatter", lambda m, x, s: x.scatter(1, m.tensor([[0, 2], [1, 3], [3, 0]]), s),
     "ScatterBackward0"),
    ("scatter_value", lambda m, x, s: x.scatter(1, m.tensor(I2), 2.0), "ScatterBackward1"),
    ("scatter_add", lambda m, x, s: x.scatter_add(1, m.tensor(I2), s), "ScatterAddBackward0"),
    ("scatter_reduce_sum", lambda m, x, s: x.scatter_reduce(1, m.tensor(I2), s, "sum"),
     "ScatterReduceBackward0"),
    ("scatter_reduce_mean", lambda m, x, s: x.scatter_reduce(
        1, m.tensor(I2), s, "mean", include_self=False), "ScatterReduceBackward0"),
    ("scatter_reduce_amax", lambda m, x, s: x.scatter_reduce(1, m.tensor(I2), s, "amax"),
     "ScatterReduceBackward0"),
    ("scatter_reduce_prod", lambda m, x, s: x.scatter_reduce(1, m.tensor(I2), s, "prod"),
     "ScatterReduceBackward0"),
    ("index_select", lambda m, x, s: x.index_select(1, m.tensor([3, 0, 0])),
     "IndexSelectBackward0"),
    ("index_add", lambda m, x, s: x.index_add(1, m.tensor([3, 0]), s, alpha=2),
     "IndexAddBackward0"),
    ("index_copy", lambda m, x, s: x.index_copy(1, m.tensor([3, 0]), s), "IndexCopyBackward0"),
    ("index_fill", lambda m, x, s: x.index_fill(1, m.tensor([3, 0]), 1.5), "IndexFillBackward0"),
    ("take", lambda m, x, s: m.take(x, m.tensor([[0, 5], [5, -1]])), "TakeBackward0"),
    ("put", lambda m, x, s: x.put(m.tensor([0, 5, 7, 1, 2, 3]), s.reshape(-1)),
     "PutBackward0"),
    ("put_acc", lambda m, x, s: x.put(m.tensor([0, 5, 5, 1, 2, 3]), s.reshape(-1), True),
     "PutBackward0"),
    ("masked_select", lambda m, x, s: m.masked_select(x, m.tensor([True, False, True, True])),
     "MaskedSelectBackward0"),
    ("masked_scatter", lambda m, x, s: x.masked_scatter(
        m.tensor([[True, False, True, False]]), s), "MaskedScatterBackward0"),
    ("masked_fill", lambda m, x, s: x.masked_fill(m.tensor([True, False, True, True]), 2.0),
     "MaskedFillBackward0"),
    ("masked_fill_tensor", lambda m, x, s: x.masked_fill(m.tensor([[True], [False], [True]]),
                                                         s[1, 0]), "MaskedFillBackward1"),
    ("index_put_acc", lambda m, x, s: x.index_put((m.tensor([0, 0, 2]),),
                                                  s[:, :1].expand(3, 4), accumulate=True),
     "IndexPutBackward0"),
]


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_torch(name, fn, node):
    rng = np.random.default_rng(1)
    x_np, s_np = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    x1, x2 = tt.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    s1, s2 = tt.tensor(s_np, requires_grad=True), torch.tensor(s_np, requires_grad=True)
    y1, y2 = fn(tt, x1, s1), fn(torch, x2, s2)
    assert y1.grad_fn.name() == node == y2.grad_fn.name()
    assert_same(y1, y2)
    g = rng.standard_normal(tuple(y2.shape))
    y1.backward(tt.tensor(g))
    y2.backward(torch.tensor(g))
    for a, b in ((x1, x2), (s1, s2)):
        if b.grad is None:
            assert a.grad is None or not a.grad.numpy().any()
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name, fn, node):
    rng = np.random.default_rng(2)
    x = tt.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    s = tt.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert tt.autograd.gradcheck(lambda a, b: fn(tt, a, b), (x, s))


def test_inplace_scatter_on_non_leaf_records_node():
    x1 = tt.ones(2, 3, requires_grad=True)
    x2 = torch.ones(2, 3, requires_grad=True)
    y1, y2 = x1 * 2, x2 * 2
    y1.scatter_add_(1, tt.tensor([[0], [2]]), tt.ones(2, 1))
    y2.scatter_add_(1, torch.tensor([[0], [2]]), torch.ones(2, 1))
    assert y1.grad_fn.name() == y2.grad_fn.name()
    y1.sum().backward()
    y2.sum().backward()
    np.testing.assert_array_equal(x1.grad.numpy(), x2.grad.numpy())
