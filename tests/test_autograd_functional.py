"""Higher order: create_graph, autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp),
gradcheck, and tinytensor.func.grad / value_and_grad, against torch.

The ops here are custom Functions whose backward is written with the same ops, so they
are differentiable any number of times without depending on the math module."""
import numpy as np
import pytest

import tinytensor as tt
from tinytensor.autograd import Function, functional as F
from tinytensor.func import grad as fgrad, value_and_grad

torch = pytest.importorskip("torch")
from test_autograd_engine import N, T, _reduce as _np_reduce  # noqa: E402


@pytest.fixture(autouse=True)
def numpy_math_fallback(monkeypatch):
    """Until the math ops land: a differentiable + (the engine sums gradients with it)."""
    if not hasattr(tt.Tensor, "__add__"):
        monkeypatch.setattr(tt.Tensor, "__add__", lambda a, b: dadd(a, b), raising=False)
    if not hasattr(tt.Tensor, "sum_to_size"):
        monkeypatch.setattr(tt.Tensor, "sum_to_size",
                            lambda g, s: T(_np_reduce(N(g), tuple(s)), g), raising=False)


class DMul(Function, node_name="MulBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*(t for t in (a, b) if isinstance(t, tt.Tensor)))
        ctx.consts = (a, b)
        return T(_val(a) * _val(b), a if isinstance(a, tt.Tensor) else b)

    @staticmethod
    def backward(ctx, g):
        saved = list(ctx.saved_tensors)
        a, b = (saved.pop(0) if isinstance(c, tt.Tensor) else c for c in ctx.consts)
        return (dmul(g, b) if ctx.needs_input_grad[0] else None,
                dmul(g, a) if ctx.needs_input_grad[1] else None)


class DAdd(Function, node_name="AddBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b):
        return T(_val(a) + _val(b), a if isinstance(a, tt.Tensor) else b)

    @staticmethod
    def backward(ctx, g):
        return g, g


class DSum(Function, node_name="SumBackward0"):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = tuple(a.shape)
        return T(N(a).sum(), a)

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.shape)


def _val(x):
    return N(x) if isinstance(x, tt.Tensor) else x


def dmul(a, b):
    return DMul.apply(a, b)


def dadd(a, b):
    return DAdd.apply(a, b)


def seed_f_tt(x, y):
    """The seeds' f(x, y) = 3x + 1 + 2y^2 + xy, with the numpy-backed ops."""
    return dadd(dadd(dadd(dmul(3.0, x), 1.0), dmul(2.0, dmul(y, y))), dmul(x, y))


def seed_f_torch(x, y):
    return 3 * x + 1 + 2 * y ** 2 + x * y


def assert_same_structure(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_structure(a, b)
    else:
        assert isinstance(ours, tt.Tensor), type(ours)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(N(ours), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)
        assert ours.requires_grad == theirs.requires_grad


# ---- create_graph ------------------------------------------------------------------------------
def test_second_derivative_with_create_graph():
    x = tt.tensor([1.5, -2.0], requires_grad=True)
    tx = torch.tensor([1.5, -2.0], requires_grad=True)
    y = DSum.apply(dmul(dmul(x, x), x))                 # sum x^3
    (g,) = tt.autograd.grad(y, x, create_graph=True)
    (tg,) = torch.autograd.grad((tx ** 3).sum(), tx, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(N(g), tg.detach().numpy())
    (h,) = tt.autograd.grad(DSum.apply(g), x)
    (th,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(N(h), th.numpy())
    assert not h.requires_grad


def test_backward_create_graph_keeps_grad_differentiable_and_warns():
    x = tt.tensor([2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="create_graph=True will create a reference cycle"):
        DSum.apply(dmul(x, x)).backward(create_graph=True)
    assert x.grad.grad_fn is not None and x.grad.grad_fn.name() == "CopyBackwards"
    g = x.grad
    x.grad = None
    g.backward()
    assert N(x.grad).tolist() == [2.0]


# ---- autograd.functional: the seeds' examples and torch's structures ---------------------------
@pytest.mark.parametrize("x,y", [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)])
def test_seed_jacobian(x, y):
    ours = F.jacobian(seed_f_tt, (tt.tensor([x]), tt.tensor([y])))
    theirs = torch.autograd.functional.jacobian(seed_f_torch,
                                                (torch.tensor([x]), torch.tensor([y])))
    assert_same_structure(ours, theirs)


@pytest.mark.parametrize("x,y", [(0.0, 0.0), (1.0, 1.0)])
def test_seed_hessian(x, y):
    ours = F.hessian(seed_f_tt, (tt.tensor([x]), tt.tensor([y])))
    theirs = torch.autograd.functional.hessian(seed_f_torch,
                                               (torch.tensor([x]), torch.tensor([y])))
    assert_same_structure(ours, theirs)
    assert repr(ours) == "((tensor([[0.]]), tensor([[1.]])), (tensor([[1.]]), tensor([[4.]])))"


def cube_tt(x):
    return dmul(dmul(x, x), x)


def cube_torch(x):
    return x * x * x


def sumcube_tt(x):
    return DSum.apply(cube_tt(x))


def sumcube_torch(x):
    return cube_torch(x).sum()


def two_out_tt(x, y):
    return dmul(x, y), dadd(x, 1.0)


def two_out_torch(x, y):
    return x * y, x + 1


@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_shapes_single_and_tuple(create_graph):
    a = np.array([[1.0, 2.0], [3.0, -1.0]], dtype=np.float32)
    b = np.array([0.5, 2.0], dtype=np.float32)
    assert_same_structure(
        F.jacobian(cube_tt, tt.tensor(a), create_graph=create_graph),
        torch.autograd.functional.jacobian(cube_torch, torch.tensor(a),
                                           create_graph=create_graph))
    assert_same_structure(
        F.jacobian(two_out_tt, (tt.tensor(b), tt.tensor(b)), create_graph=create_graph),
        torch.autograd.functional.jacobian(two_out_torch, (torch.tensor(b), torch.tensor(b)),
                                           create_graph=create_graph))


def test_hessian_single_input():
    a = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    assert_same_structure(F.hessian(sumcube_tt, tt.tensor(a)),
                          torch.autograd.functional.hessian(sumcube_torch, torch.tensor(a)))


@pytest.mark.parametrize("name", ["vjp", "jvp", "vhp", "hvp"])
def test_products_match_torch(name):
    a = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    v = np.array([0.3, 1.0, -1.0], dtype=np.float32)
    f_tt, f_torch = (cube_tt, cube_torch) if name in ("vjp", "jvp") else \
        (sumcube_tt, sumcube_torch)
    ours = getattr(F, name)(f_tt, tt.tensor(a), tt.tensor(v))
    theirs = getattr(torch.autograd.functional, name)(f_torch, torch.tensor(a),
                                                      torch.tensor(v))
    assert_same_structure(ours, theirs)


def test_vjp_tuple_inputs_and_strict_error():
    b = np.array([0.5, 2.0], dtype=np.float32)
    v = np.array([1.0, 3.0], dtype=np.float32)
    ours = F.vjp(lambda x, y: dmul(x, y), (tt.tensor(b), tt.tensor(b)), tt.tensor(v))
    theirs = torch.autograd.functional.vjp(lambda x, y: x * y,
                                           (torch.tensor(b), torch.tensor(b)),
                                           torch.tensor(v))
    assert_same_structure(ours, theirs)
    with pytest.raises(RuntimeError) as e_ours:
        F.vjp(lambda x, y: dmul(x, x), (tt.tensor(b), tt.tensor(b)), tt.tensor(v),
              strict=True)
    with pytest.raises(RuntimeError) as e_theirs:
        torch.autograd.functional.vjp(lambda x, y: x * x,
                                      (torch.tensor(b), torch.tensor(b)),
                                      torch.tensor(v), strict=True)
    assert str(e_ours.value) == str(e_theirs.value)


def test_v_required_for_non_scalar_output():
    with pytest.raises(RuntimeError) as e_ours:
        F.vjp(cube_tt, tt.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError) as e_theirs:
        torch.autograd.functional.vjp(cube_torch, torch.tensor([1.0, 2.0]))
    assert str(e_ours.value) == str(e_theirs.value)


# ---- gradcheck ---------------------------------------------------------------------------------
def test_gradcheck_passes_for_a_correct_backward():
    x = tt.tensor([[0.5, -1.2], [2.0, 0.3]], dtype=tt.float64, requires_grad=True)
    y = tt.tensor([1.5, -0.7], dtype=tt.float64, requires_grad=True)
    assert tt.autograd.gradcheck(lambda a, b: dmul(dmul(a, b), a), (x, y))
    assert tt.autograd.gradgradcheck(lambda a: cube_tt(a), (y,))


def test_gradcheck_catches_a_wrong_backward():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return T(N(a) ** 2, a)

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return T(N(g) * N(a), g)       # forgot the 2

    x = tt.tensor([1.0, 2.0], dtype=tt.float64, requires_grad=True)
    with pytest.raises(tt.autograd.GradcheckError, match="Jacobian mismatch for output 0 "
                       "with respect to input 0"):
        tt.autograd.gradcheck(Wrong.apply, (x,))
    assert tt.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_for_float32():
    x = tt.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        tt.autograd.gradcheck(cube_tt, (x,), atol=1e-2, rtol=1e-2, eps=1e-3)


# ---- tinytensor.func ---------------------------------------------------------------------------
def test_func_grad_like_jax():
    x = tt.tensor([1.0, 2.0, -1.0])
    g = fgrad(sumcube_tt)(x)
    assert N(g).tolist() == [3.0, 12.0, 3.0]
    assert x.grad is None and not x.requires_grad and not g.requires_grad


def test_func_value_and_grad_argnums_and_aux():
    x, y = tt.tensor([1.0, 2.0]), tt.tensor([3.0, 4.0])

    def f(a, b):
        out = DSum.apply(dmul(a, b))
        return out, {"aux": 1}

    (value, aux), (gx, gy) = value_and_grad(f, argnums=(0, 1), has_aux=True)(x, y)
    assert N(value).tolist() == 11.0 and aux == {"aux": 1}
    assert N(gx).tolist() == [3.0, 4.0] and N(gy).tolist() == [1.0, 2.0]
    g, aux = fgrad(f, has_aux=True)(x, y)
    assert N(g).tolist() == [3.0, 4.0]


def test_func_grad_nests_for_second_derivative():
    x = tt.tensor(2.0)
    d2 = fgrad(fgrad(lambda a: DSum.apply(cube_tt(a))))(x)
    assert N(d2).tolist() == 12.0


def test_func_grad_pytree_argument():
    params = {"w": tt.tensor([1.0, 2.0]), "b": tt.tensor([3.0])}
    g = fgrad(lambda p: dadd(DSum.apply(dmul(p["w"], p["w"])), DSum.apply(p["b"])))(params)
    assert set(g) == {"w", "b"}
    assert N(g["w"]).tolist() == [2.0, 4.0] and N(g["b"]).tolist() == [1.0]


def test_func_grad_requires_scalar_output():
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar"):
        fgrad(cube_tt)(tt.tensor([1.0, 2.0]))
