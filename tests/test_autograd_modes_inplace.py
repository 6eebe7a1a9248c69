"""Grad modes (no_grad, enable_grad, set_grad_enabled, inference_mode) and in-place
operations under autograd (x[idx] = value, in-place on views: CopySlices), against torch."""
import numpy as np
import pytest

import tinytensor as tt
from tinytensor.autograd import Function
from tinytensor.autograd.function import current_grad_fn
from tinytensor.autograd.grad_mode import (enable_grad, inference_mode,
                                           is_inference_mode_enabled, no_grad,
                                           set_grad_enabled)

torch = pytest.importorskip("torch")
from test_autograd_engine import (Exp, Mul, N, Sum, T, mul, numpy_math_fallback,  # noqa
                                  pair)


def recorded(t):
    return t.grad_fn is not None


# ---- grad modes ------------------------------------------------------------------------------
def test_no_grad_context_records_nothing_and_restores():
    x, _ = pair([1.0, 2.0])
    with no_grad():
        assert not tt.is_grad_enabled()
        assert not recorded(mul(x, x))
    assert tt.is_grad_enabled() and recorded(mul(x, x))


def test_no_grad_as_decorator_with_and_without_parentheses():
    x, _ = pair([1.0])

    @no_grad()
    def f(a):
        return mul(a, a)

    @no_grad
    def g(a):
        return mul(a, a)

    assert not recorded(f(x)) and not recorded(g(x)) and tt.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x, _ = pair([1.0])
    with no_grad():
        with enable_grad():
            assert recorded(mul(x, x))
        assert not tt.is_grad_enabled()


def test_set_grad_enabled_as_call_context_and_decorator():
    x, _ = pair([1.0])
    set_grad_enabled(False)
    try:
        assert not tt.is_grad_enabled()
    finally:
        set_grad_enabled(True)
    with set_grad_enabled(False):
        assert not recorded(mul(x, x))
    assert tt.is_grad_enabled()

    @set_grad_enabled(False)
    def f():
        return tt.is_grad_enabled()

    assert tt.is_grad_enabled() and f() is False and tt.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with no_grad():
            raise ValueError
    assert tt.is_grad_enabled()


def test_no_grad_decorated_generator_runs_each_step_without_grad():
    @no_grad()
    def gen():
        for _ in range(2):
            yield tt.is_grad_enabled()

    assert list(gen()) == [False, False] and tt.is_grad_enabled()


def test_inference_mode():
    assert not is_inference_mode_enabled()
    with inference_mode():
        assert is_inference_mode_enabled() and not tt.is_grad_enabled()
    with inference_mode(False):
        assert tt.is_grad_enabled() and not is_inference_mode_enabled()
    assert tt.is_grad_enabled()


def test_requires_grad_of_non_leaf_cannot_change():
    x, tx = pair([1.0])
    with pytest.raises(RuntimeError) as theirs:
        (tx * tx).requires_grad = False
    with pytest.raises(RuntimeError) as ours:
        mul(x, x).requires_grad = False
    assert str(ours.value) == str(theirs.value)


# ---- x[index] = value ------------------------------------------------------------------------
def test_setitem_slice_with_grad_value_is_copy_slices():
    x, tx = pair([1.0, 2.0])
    z = tt.zeros(3)
    z[0:2] = mul(x, T([3.0, 3.0]))
    tz = torch.zeros(3)
    tz[0:2] = tx * 3
    assert z.grad_fn.name() == type(tz.grad_fn).__name__ == "CopySlices"
    names = [None if n is None else n.name() for n, _ in z.grad_fn.next_functions]
    tnames = [None if n is None else type(n).__name__ for n, _ in tz.grad_fn.next_functions]
    assert names == tnames == [None, "MulBackward0"]
    z.backward(T([1.0, 2.0, 3.0]))
    tz.backward(torch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


def test_setitem_broadcast_value_gets_summed_gradient():
    x, tx = pair([2.0])
    z = tt.zeros(2, 3)
    z[:, 1] = mul(x, T([1.0]))
    tz = torch.zeros(2, 3)
    tz[:, 1] = tx * 1
    g = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    z.backward(T(g))
    tz.backward(torch.from_numpy(g))
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


def test_setitem_number_into_non_leaf_zeroes_that_gradient():
    x, tx = pair([1.0, 2.0, 3.0])
    h = mul(x, T([1.0, 1.0, 1.0]))
    th = tx * 1
    from tinytensor.autograd.inplace import setitem_with_grad
    setitem_with_grad(h, 1, 5.0)        # what h[1] = 5. does once Tensor routes it here
    th[1] = 5.0
    assert h.grad_fn.name() == "CopySlices"
    h.backward(T([1.0, 1.0, 1.0]))
    th.backward(torch.ones(3))
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


def test_setitem_advanced_index_is_index_put():
    x, tx = pair([1.0, 2.0])
    z = tt.zeros(4)
    idx = tt.tensor([3, 0])
    z[idx] = mul(x, T([2.0, 2.0]))
    tz = torch.zeros(4)
    tz[torch.tensor([3, 0])] = tx * 2
    assert z.grad_fn.name() == type(tz.grad_fn).__name__ == "IndexPutBackward0"
    assert len(z.grad_fn.next_functions) == len(tz.grad_fn.next_functions) == 2
    g = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    z.backward(T(g))
    tz.backward(torch.from_numpy(g))
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


@pytest.mark.parametrize("advanced", [False, True])
def test_setitem_on_leaf_requiring_grad_raises(advanced):
    from tinytensor.autograd.inplace import setitem_with_grad
    x, tx = pair([1.0, 2.0])
    with pytest.raises(RuntimeError) as theirs:
        tx[torch.tensor([0]) if advanced else 0] = tx[1] * 2
    with pytest.raises(RuntimeError) as ours:
        setitem_with_grad(x, tt.tensor([0]) if advanced else 0, mul(x, x)[1])
    assert str(ours.value) == str(theirs.value)


def test_setitem_into_view_of_leaf_requiring_grad_raises():
    x, tx = pair([1.0, 2.0])
    v = tx[0:2]
    with pytest.raises(RuntimeError) as theirs:
        v[0] = tx[1] * 2
    from tinytensor.autograd.inplace import setitem_with_grad
    with pytest.raises(RuntimeError) as ours:
        setitem_with_grad(x[0:2], 0, mul(x, x)[1])
    assert str(ours.value) == str(theirs.value)


def test_setitem_into_a_row_view_rebases_the_base():
    x, tx = pair([1.0, 2.0])
    z = tt.zeros(2, 2)
    row = z[1]
    row[0:2] = mul(x, T([2.0, 2.0]))
    tz = torch.zeros(2, 2)
    trow = tz[1]
    trow[0:2] = tx * 2
    assert z.grad_fn.name() == "CopySlices" and row.grad_fn.name() == "AsStridedBackward0"
    assert type(trow.grad_fn).__name__ == "AsStridedBackward0"
    Sum.apply(Mul.apply(row, T([1.0, 10.0]))).backward()
    (trow * torch.tensor([1.0, 10.0])).sum().backward()
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


# ---- in-place ops on views (custom Function with mark_dirty) ------------------------------
class Double_(Function, node_name="MulBackward0"):
    @staticmethod
    def forward(ctx, a):
        a.copy_(T(N(a) * 2))
        ctx.mark_dirty(a)
        return a

    @staticmethod
    def backward(ctx, g):
        return T(N(g) * 2)


def test_in_place_on_view_gives_base_copy_slices_and_view_as_strided():
    x, tx = pair([1.0, 2.0, 3.0])
    h = mul(x, T([1.0, 1.0, 1.0]))
    th = tx * 1
    sibling = h[:2]
    tsibling = th[:2]
    v = h[1:]
    tv = th[1:]
    Double_.apply(v)
    tv.mul_(2)
    assert h.grad_fn.name() == type(th.grad_fn).__name__ == "CopySlices"
    assert v.grad_fn.name() == type(tv.grad_fn).__name__ == "AsStridedBackward0"
    assert current_grad_fn(sibling).name() == type(tsibling.grad_fn).__name__
    g = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    h.backward(T(g), retain_graph=True)
    th.backward(torch.from_numpy(g), retain_graph=True)
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())
    x.grad, tx.grad = None, None
    Sum.apply(sibling).backward()       # reads through the base's new history
    tsibling.sum().backward()
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())


def test_in_place_on_view_of_leaf_requiring_grad_raises():
    x, tx = pair([1.0, 2.0])
    with pytest.raises(RuntimeError) as theirs:
        tx[0:1].mul_(2)
    with pytest.raises(RuntimeError) as ours:
        Double_.apply(x[0:1])
    assert str(ours.value) == str(theirs.value)


def test_retain_grad_follows_in_place_rebase():
    x, tx = pair([1.0, 2.0])
    h = mul(x, T([1.0, 1.0]))
    h.retain_grad()
    Double_.apply(h)
    th = tx * 1
    th.retain_grad()
    th.mul_(2)
    h.backward(T([1.0, 1.0]))
    th.backward(torch.ones(2))
    np.testing.assert_allclose(N(h.grad), th.grad.numpy())
    np.testing.assert_allclose(N(x.grad), tx.grad.numpy())
