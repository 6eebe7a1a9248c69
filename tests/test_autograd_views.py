"""Gradients of the view and join ops (tinytensor/ops/movement.py) against torch: node
names, gradients for random upstream gradients, and gradcheck in float64."""
import numpy as np
import pytest

import tinytensor as tt

torch = pytest.importorskip("torch")
from test_autograd_engine import N, numpy_math_fallback  # noqa: E402,F401

RNG = np.random.default_rng(0)

# name -> (input shape, op written once for both libraries: f(lib, x))
UNARY = {
    "view": ((2, 6), lambda L, x: x.view(3, 4)),
    "view_minus_one": ((2, 6), lambda L, x: x.view(-1)),
    "reshape_copy": ((3, 4), lambda L, x: x.t().reshape(12)),
    "flatten": ((2, 3, 2), lambda L, x: x.flatten(1)),
    "unflatten": ((2, 6), lambda L, x: x.unflatten(1, (2, 3))),
    "transpose": ((2, 3, 4), lambda L, x: x.transpose(0, 2)),
    "t": ((2, 3), lambda L, x: x.t()),
    "T": ((2, 3, 4), lambda L, x: x.permute(2, 1, 0)),
    "permute": ((2, 3, 4), lambda L, x: x.permute(1, 2, 0)),
    "movedim": ((2, 3, 4), lambda L, x: L.movedim(x, 0, 2)),
    "expand": ((3, 1), lambda L, x: x.expand(2, 3, 4)),
    "broadcast_to": ((1, 4), lambda L, x: L.broadcast_to(x, (3, 4))),
    "squeeze_all": ((1, 3, 1), lambda L, x: x.squeeze()),
    "squeeze_dim": ((1, 3, 1), lambda L, x: x.squeeze(2)),
    "unsqueeze": ((3, 2), lambda L, x: x.unsqueeze(1)),
    "select": ((3, 4), lambda L, x: x.select(1, 2)),
    "narrow": ((5, 2), lambda L, x: x.narrow(0, 1, 3)),
    "index_int": ((3, 4), lambda L, x: x[1]),
    "index_slice": ((6, 2), lambda L, x: x[1:5:2]),
    "index_mixed": ((3, 4, 2), lambda L, x: x[1, :, None, 1]),
    "index_int_then_slice": ((3, 4), lambda L, x: x[1, 2:4]),
    "index_ellipsis": ((2, 3, 4), lambda L, x: x[..., 1:3]),
    "index_list_repeats": ((4, 2), lambda L, x: x[[0, 2, 0]]),
    "index_tensor": ((4, 3), lambda L, x: x[L.tensor([[1, 1], [3, 0]])]),
    "index_mask": ((2, 3), lambda L, x: x[L.tensor([[True, False, True],
                                                      [False, True, True]])]),
    "index_two_tensors": ((3, 4), lambda L, x: x[L.tensor([0, 2]), L.tensor([1, 1])]),
    "clone": ((2, 3), lambda L, x: x.clone()),
    "contiguous": ((2, 3), lambda L, x: x.t().contiguous()),
    "to_double": ((2, 3), lambda L, x: x.to(L.float64)),
    "as_strided": ((3, 3), lambda L, x: L.as_strided(x, (2, 2), (3, 1), 1)),
}

MULTI = {
    "unbind": ((3, 2), lambda L, x: x.unbind(1)),
    "split": ((5, 2), lambda L, x: x.split(2)),
    "split_sizes": ((5, 2), lambda L, x: x.split([1, 4])),
    "chunk": ((2, 7), lambda L, x: x.chunk(3, 1)),
    "tensor_split": ((6,), lambda L, x: L.tensor_split(x, [1, 4])),
}


def make_pair(shape, dtype="float32"):
    a = RNG.standard_normal(shape).astype(dtype)
    return (tt.from_numpy(a.copy()).requires_grad_(),
            torch.from_numpy(a.copy()).requires_grad_())


def backward_both(y, ty):
    g = RNG.standard_normal(tuple(ty.shape)).astype(np.float32)
    y.backward(tt.from_numpy(g.copy()).to(y.dtype))
    ty.backward(torch.from_numpy(g.copy()).to(ty.dtype))


# node names movement.py does not match yet (reported): torch says UnsafeViewBackward0,
# SliceBackward0 (last index op of x[1, 2:4]; tensor_split pieces), StackBackward0
NAME_GAPS = set()


def xfail_name_gap(name):
    if name in NAME_GAPS:
        pytest.xfail("movement.py names this node differently from torch")


@pytest.mark.parametrize("name", sorted(UNARY))
def test_view_op_gradient_matches_torch(name):
    shape, f = UNARY[name]
    x, tx = make_pair(shape)
    y, ty = f(tt, x), f(torch, tx)
    assert tuple(y.shape) == tuple(ty.shape)
    backward_both(y, ty)
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy(), rtol=1e-6)
    assert x.grad.dtype == x.dtype
    xfail_name_gap(name)
    assert y.grad_fn.name() == type(ty.grad_fn).__name__


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_output_op_uses_only_some_outputs(name):
    shape, f = MULTI[name]
    x, tx = make_pair(shape)
    parts, tparts = f(tt, x), f(torch, tx)
    backward_both(parts[-1], tparts[-1])     # the other outputs get no gradient
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy(), rtol=1e-6)
    xfail_name_gap(name)
    assert [p.grad_fn.name() for p in parts] == [type(p.grad_fn).__name__ for p in tparts]


@pytest.mark.parametrize("how", ["cat", "stack"])
def test_join_gradients_flow_to_each_input(how):
    a, ta = make_pair((2, 3))
    b, tb = make_pair((1, 3))
    c, tc = make_pair((2, 3))
    if how == "cat":
        y, ty = tt.cat([a, b], 0), torch.cat([ta, tb], 0)
    else:
        y, ty = tt.stack([a, c], 1), torch.stack([ta, tc], 1)
    backward_both(y, ty)
    np.testing.assert_allclose(N(a.grad), ta.grad.numpy())
    other, tother = (b, tb) if how == "cat" else (c, tc)
    np.testing.assert_allclose(N(other.grad), tother.grad.numpy())
    xfail_name_gap(how)
    assert y.grad_fn.name() == type(ty.grad_fn).__name__


def test_cast_passes_gradient_back_in_source_dtype():
    x, tx = make_pair((3,), "float64")
    y, ty = x.to(tt.float32), tx.to(torch.float32)
    backward_both(y, ty)
    assert x.grad.dtype == tt.float64
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


@pytest.mark.parametrize("name", ["view", "transpose", "permute", "expand", "select",
                                  "index_slice", "index_list_repeats", "index_mask",
                                  "narrow", "unsqueeze", "as_strided"])
def test_view_op_gradcheck_float64(name):
    shape, f = UNARY[name]
    x = tt.from_numpy(RNG.standard_normal(shape)).requires_grad_()
    assert tt.autograd.gradcheck(lambda a: f(tt, a), (x,))
