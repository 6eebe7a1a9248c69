"""The fast path (Note [fast path] in tinytensor/_fast.pxi) against the Python ops it
short-cuts and against torch: same bits, dtype, shape, strides, errors and autograd."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from tests.oracle import DTYPE_NAMES, assert_same, bits, pair, same_error, torch_module
from tests.strategies import arrays, make_view, shapes, view_kinds

torch = torch_module()

OPS = {"add": (operator.add, tt.add), "sub": (operator.sub, tt.sub),
       "mul": (operator.mul, tt.mul), "div": (operator.truediv, tt.div)}
OTHERS = ["same", "broadcast", "float32", "int", "float", "bool", "int8"]


def _other(kind, a, dtype, draw):
    """The right operand of kind for a (numpy): (tinytensor's, torch's)."""
    if kind in ("int", "float", "bool"):
        v = {"int": draw(st.integers(-3, 3)), "float": draw(st.sampled_from([0.5, -2.25])),
             "bool": draw(st.booleans())}[kind]
        return v, v
    if kind == "broadcast":
        shape = (1,) + a.shape[1:] if a.ndim else (3,)
    else:
        shape = a.shape
    name = dtype if kind in ("same", "broadcast") else kind
    return pair(arrays(name, shape, draw), name)


def _slow(name, x, y, reflected):
    """What the operator computes through the Python op (tinytensor/ops/elementwise.py)."""
    if not reflected:
        return OPS[name][1](x, y)
    return {"add": lambda: tt.add(x, y), "mul": lambda: tt.mul(x, y),
            "sub": lambda: tt.rsub(x, y), "div": lambda: y / x}[name]()   # y / x: always slow


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_binary_operators_match_python_ops_and_torch(data):
    draw = data.draw
    dtype = draw(st.sampled_from(DTYPE_NAMES))
    shape = draw(shapes(max_dims=3, max_side=4))
    a = arrays(dtype, shape, draw)
    x, tx = make_view(lambda arr: pair(arr, dtype), a, draw(view_kinds()), draw)
    kind = draw(st.sampled_from(OTHERS))
    y, ty = _other(kind, a, dtype, draw)
    name = draw(st.sampled_from(sorted(OPS)))
    dunder = OPS[name][0]
    reflected = kind in ("int", "float", "bool") and draw(st.booleans())
    run = (lambda p, q: dunder(q, p)) if reflected else dunder
    try:
        slow = _slow(name, x, y, reflected)
    except Exception:
        same_error(lambda: run(x, y), lambda: _slow(name, x, y, reflected))
        return
    got = run(x, y)
    np.testing.assert_array_equal(bits(got), bits(slow))
    assert got.dtype == slow.dtype and got.stride() == slow.stride()
    try:
        expected = run(tx, ty)
    except Exception:       # the op's own differences from torch: test_kernels_elementwise
        return
    assert_same(got, expected, check_stride=expected.numel() > 0)    # (empty: the op's)


@pytest.mark.parametrize("name", ["add", "mul"])
def test_operators_record_a_graph_only_when_asked(name):
    dunder, _ = OPS[name]
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    b = tt.tensor([3.0, 4.0])
    assert dunder(a, b).grad_fn is not None
    assert dunder(b, a).grad_fn is not None
    assert dunder(b, b).grad_fn is None
    with tt.no_grad():
        assert dunder(a, b).grad_fn is None and not dunder(a, b).requires_grad
    assert dunder(a.detach(), 2.0).grad_fn is None


def test_operators_defer_to_unknown_types():
    class Other:
        def __radd__(self, t):
            return "radd"

        def __rmul__(self, t):
            return "rmul"

    a = tt.tensor([1.0])
    assert a + Other() == "radd" and a * Other() == "rmul"
    with pytest.raises(TypeError):
        a - "x"


@pytest.mark.parametrize("method", ["add_", "mul_"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "float16"])
@pytest.mark.parametrize("other", ["tensor", "int", "float", "self", "alpha", "alpha1"])
def test_inplace_matches_torch(method, dtype, other):
    x, tx = pair(np.arange(6).reshape(2, 3) - 2.5, dtype)
    y, ty = pair(np.linspace(-1, 1, 6).reshape(2, 3), dtype)
    args = {"tensor": ((y,), (ty,), {}), "int": ((3,), (3,), {}),
            "float": ((0.25,), (0.25,), {}), "self": ((x,), (tx,), {}),
            "alpha": ((y,), (ty,), {"alpha": -0.5}), "alpha1": ((y,), (ty,), {"alpha": 1})}
    ours, theirs, kw = args[other]
    ours_fn, theirs_fn = getattr(x, method), getattr(tx, method)
    if (other == "float" and dtype == "int64" or other == "alpha" and dtype == "int64"
            or other.startswith("alpha") and method == "mul_"):
        same_error(lambda: ours_fn(*ours, **kw), lambda: theirs_fn(*theirs, **kw))
        return
    v = x._version
    r = ours_fn(*ours, **kw)
    theirs_fn(*theirs, **kw)
    assert r is x and x._version == v + 1
    assert_same(x, tx)


def test_inplace_refuses_what_torch_refuses():
    base, tbase = pair(np.arange(6.0), "float32")
    same_error(lambda: base[1:].add_(base[:-1]), lambda: tbase[1:].add_(tbase[:-1]))
    same_error(lambda: base[1:].mul_(base[:-1]), lambda: tbase[1:].mul_(tbase[:-1]))
    leaf = tt.tensor([1.0, 2.0], requires_grad=True)
    tleaf = torch.tensor([1.0, 2.0], requires_grad=True)
    same_error(lambda: leaf.add_(1.0), lambda: tleaf.add_(1.0))
    with tt.no_grad():
        leaf.add_(tt.tensor([1.0, 1.0]))
    assert leaf.tolist() == [2.0, 3.0] and leaf.grad_fn is None
    y = tt.tensor([1.0, 2.0]) * 1
    y.add_(leaf)                         # records AddBackward0 with the leaf as input
    assert y.grad_fn is not None


@pytest.mark.parametrize("index", [3, -1, 0, 5, -7, (1,), slice(1, 3), None, [0, 2]])
def test_getitem_matches_torch(index):
    x, tx = pair(np.arange(6.0).reshape(6, 1) * 1.5, "float32")
    try:
        expected = tx[index]
    except Exception:
        same_error(lambda: x[index], lambda: tx[index])
        return
    got = x[index]
    assert_same(got, expected)
    assert got._is_view_of(x) == (expected.untyped_storage().data_ptr() ==
                                  tx.untyped_storage().data_ptr())


def test_getitem_0d_and_grad():
    s, ts = tt.tensor(2.0), torch.tensor(2.0)
    same_error(lambda: s[0], lambda: ts[0])
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    assert a[1].grad_fn.name() == "SelectBackward0"
    with tt.no_grad():
        assert a[1].grad_fn is None


@pytest.mark.parametrize("shape", [(2, -1), ((3, 2),), (6,), (-1,), (4, -1), (2, 2, 2)])
def test_view_matches_torch(shape):
    x, tx = pair(np.arange(6.0), "float32")
    try:
        expected = tx.view(*shape)
    except Exception:
        same_error(lambda: x.view(*shape), lambda: tx.view(*shape))
        return
    assert_same(x.view(*shape), expected)
    assert x.view(*shape)._is_view_of(x)


def test_view_dtype_and_grad_take_the_python_op():
    x, tx = pair(np.arange(4.0), "float32")
    assert_same(x.view(tt.int32), tx.view(torch.int32))
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    assert a.view(2, 1).grad_fn.name() == "ViewBackward0"


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_sum_matches_torch(dtype):
    x, tx = pair(np.arange(-3, 7).reshape(2, 5), dtype)
    assert_same(x.sum(), tx.sum())
    assert_same(x.sum(1), tx.sum(1))
    assert_same(x.t().sum(0, keepdim=True), tx.t().sum(0, keepdim=True))
    if dtype.startswith("float"):
        a = tt.tensor([1.0, 2.0], requires_grad=True)
        assert a.sum().grad_fn.name() == "SumBackward0"


SUM_DIMS = [None, 0, 1, -1, -3, (0, 2), [2, 0], (), [], (1, -2), 3, (0, 0)]


@pytest.mark.parametrize("dim", SUM_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_sum_dim_matches_python_op_and_torch(dim, keepdim, dtype):
    x, tx = pair(np.arange(-5, 19).reshape(2, 3, 4) * 0.75, dtype)
    x, tx = x.transpose(0, 2), tx.transpose(0, 2)           # non-contiguous input
    try:
        expected = tx.sum(dim, keepdim)
    except Exception:
        same_error(lambda: x.sum(dim, keepdim), lambda: tx.sum(dim, keepdim))
        same_error(lambda: tt.sum(x, dim, keepdim), lambda: tx.sum(dim, keepdim))
        return
    got = x.sum(dim=dim, keepdim=keepdim)
    assert_same(got, expected)
    assert np.array_equal(bits(got), bits(tt.sum(x, dim, keepdim)))  # the Python op
    assert got._base is None and not got._is_view_of(x)


def test_sum_dim_of_0d_and_other_arguments():
    s, ts = pair(np.array(2.5), "float32")
    assert_same(s.sum(0), ts.sum(0))
    assert_same(s.sum(-1, keepdim=True), ts.sum(-1, keepdim=True))
    same_error(lambda: s.sum(1), lambda: ts.sum(1))
    x, tx = pair(np.arange(6.0).reshape(2, 3), "float32")
    assert_same(x.sum(1, dtype=tt.float64), tx.sum(1, dtype=torch.float64))
    assert x.sum(0, 1).shape == tt.sum(x, 0, 1).shape      # a non-bool keepdim: Python op
    out, tout = tt.empty(3), torch.empty(3)
    assert x.sum(0, out=out) is out
    assert_same(out, torch.sum(tx, 0, out=tout))
    same_error(lambda: x.sum(0, False, 1), lambda: tx.sum(0, False, 1))
    a = tt.tensor([[1.0, 2.0]], requires_grad=True)
    assert a.sum(1).grad_fn.name() == "SumBackward1"
    with tt.no_grad():
        assert a.sum(1).grad_fn is None
