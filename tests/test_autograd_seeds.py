"""The seed lectures' autograd examples (../shared/seeds/): tinytensor must print and
compute what torch prints and computes, with the real math ops."""
import warnings

import numpy as np
import pytest

import tinytensor as tt

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.skipif(
    not all(hasattr(tt.Tensor, m) for m in ("__mul__", "__add__", "__sub__", "__pow__",
                                            "__matmul__", "sum", "log", "sum_to_size")),
    reason="needs the math ops (elementwise/reduce/linalg)")


def both(f):
    return f(tt), f(torch)


def same_values(a, b, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(np.array(a.detach().tolist()), b.detach().numpy(),
                               rtol=rtol, atol=atol)


def names(edges):
    return [None if n is None else type(n).__name__ for n, _ in edges]


def tnames(edges):
    return [None if n is None else type(n).__name__ for n, _ in edges]


def test_linspace_affine_graph_and_gradient():
    x = tt.linspace(0, 2, steps=21, requires_grad=True)
    tx = torch.linspace(0, 2, steps=21, requires_grad=True)
    y, ty = 3 * x + 2, 3 * tx + 2
    assert repr(y) == repr(ty)
    assert y.grad_fn.name() == "AddBackward0"
    assert names(y.grad_fn.next_functions) == tnames(ty.grad_fn.next_functions) == \
        ["MulBackward0", None]
    mul, tmul = y.grad_fn.next_functions[0][0], ty.grad_fn.next_functions[0][0]
    assert names(mul.next_functions) == tnames(tmul.next_functions) == \
        ["AccumulateGrad", None]
    assert mul.next_functions[0][0].next_functions == () and \
        mul.next_functions[0][0].variable is x
    out, tout = y.sum(), ty.sum()
    out.backward()
    tout.backward()
    assert repr(out) == repr(tout) == "tensor(105., grad_fn=<SumBackward0>)"
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None
    assert repr(x.grad) == repr(tx.grad)


def test_log_of_product_graph_and_gradients():
    def run(L):
        x = L.linspace(2, 1, steps=11, requires_grad=True)
        y = L.linspace(1, 2, steps=11, requires_grad=True)
        z = L.log(x * y)
        out = z.sum()
        out.backward()
        return x, y, z, out
    (x, y, z, out), (tx, ty, tz, tout) = both(run)
    assert repr(x) == repr(tx) and repr(z) == repr(tz) and repr(out) == repr(tout)
    assert z.grad_fn.name() == "LogBackward0"
    assert names(z.grad_fn.next_functions) == ["MulBackward0"]
    assert names(z.grad_fn.next_functions[0][0].next_functions) == \
        ["AccumulateGrad", "AccumulateGrad"]
    same_values(x.grad, tx.grad)
    same_values(y.grad, ty.grad)


def test_backward_with_gradient_argument():
    n = 21
    x = tt.linspace(0, 2, steps=n, requires_grad=True)
    tx = torch.linspace(0, 2, steps=n, requires_grad=True)
    mv = np.random.default_rng(1).random(n).astype(np.float32)
    m = tt.from_numpy(mv.copy()).requires_grad_()
    tm = torch.from_numpy(mv.copy()).requires_grad_()
    (m * x + 2).backward(tt.ones(n))
    (tm * tx + 2).backward(torch.ones(n))
    assert repr(x.grad) == repr(tx.grad) and repr(m.grad) == repr(tm.grad)


def test_gradients_accumulate_minus_two_then_minus_four():
    a, c = tt.tensor(3.0), tt.tensor(5.0)
    b = tt.tensor(4.0, requires_grad=True)
    z = 2 * (a - b) + c
    z.backward()
    assert repr(b.grad) == "tensor(-2.)"
    z = 2 * (a - b) + c
    z.backward()
    assert repr(b.grad) == "tensor(-4.)"


def test_jax_style_grad_contrast():
    g = tt.func.grad(lambda x: (3 * x + 2).sum())(tt.linspace(0, 2, 21))
    assert repr(g) == repr(torch.full((21,), 3.0))


def f_seed(x, y):
    return 3 * x + 1 + 2 * y ** 2 + x * y


@pytest.mark.parametrize("x,y", [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)])
def test_functional_jacobian_prints_like_torch(x, y):
    ours = tt.autograd.functional.jacobian(f_seed, (tt.tensor([x]), tt.tensor([y])))
    theirs = torch.autograd.functional.jacobian(f_seed, (torch.tensor([x]),
                                                         torch.tensor([y])))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("x,y", [(0.0, 0.0), (1.0, 1.0)])
def test_functional_hessian_prints_like_torch(x, y):
    ours = tt.autograd.functional.hessian(f_seed, (tt.tensor([x]), tt.tensor([y])))
    theirs = torch.autograd.functional.hessian(f_seed, (torch.tensor([x]),
                                                        torch.tensor([y])))
    assert repr(ours) == repr(theirs) == \
        "((tensor([[0.]]), tensor([[1.]])), (tensor([[1.]]), tensor([[4.]])))"


def regression_data():
    rng = np.random.default_rng(1234)
    X = np.c_[np.ones(200), rng.standard_normal((200, 5))]
    beta = np.array([3.0, 0.0, 12.0, 44.0, 0.5, 61.0])
    y = X @ beta + rng.standard_normal(200)
    return X, y


def test_gradient_descent_with_no_grad_update_matches_torch():
    X, y = regression_data()
    losses = {}
    for L in (tt, torch):
        Xt, yt = L.from_numpy(X.copy()), L.from_numpy(y.copy())
        bt = L.zeros(X.shape[1], dtype=L.float64, requires_grad=True)
        trace = []
        for _ in range(31):
            loss = (Xt @ bt - yt).pow(2).sum()
            trace.append(loss.item())
            loss.backward()
            with L.no_grad():
                bt -= 1e-4 * bt.grad
                bt.grad = None
        losses[L.__name__] = trace
        assert bt.is_leaf and bt.requires_grad and bt.grad is None
    np.testing.assert_allclose(losses["tinytensor"], losses["torch"], rtol=1e-10)


def test_mean_squared_error_training_loop_like_the_lecture():
    t_c = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
    t_u = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
    results = []
    for L in (tt, torch):
        tc, tu = L.tensor(t_c), L.tensor(t_u) * 0.1
        params = L.tensor([1.0, 0.0], requires_grad=True)
        for _ in range(100):
            w, b = params[0], params[1]
            loss = ((w * tu + b - tc) ** 2).mean()
            if params.grad is not None:
                params.grad.zero_()
            loss.backward()
            with L.no_grad():
                params -= 1e-2 * params.grad
        results.append(params)
    assert repr(results[0]) == repr(results[1])


def test_create_graph_second_derivatives_of_math_ops():
    for op in ("exp", "log", "sin", "tanh", "sigmoid"):
        if not hasattr(tt, op):
            continue
        x = tt.tensor([0.5, 1.5], dtype=tt.float64, requires_grad=True)
        assert tt.autograd.gradgradcheck(getattr(tt, op), (x,)), op


def test_grad_of_non_scalar_raises_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for "
                           "scalar outputs"):
            (tt.ones(3, requires_grad=True) * 2).backward()


def make_legendre(L):
    class LegendrePolynomial3(L.autograd.Function):
        """The PyTorch tutorial's custom Function: P3(x) = (5x^3 - 3x) / 2."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def test_legendre_polynomial_custom_function_tutorial():
    import math
    results = []
    for L in (tt, torch):
        P3 = make_legendre(L).apply
        x = L.linspace(-math.pi, math.pi, 2000, dtype=L.float64)
        y = L.sin(x)
        a = L.full((), 0.0, dtype=L.float64, requires_grad=True)
        b = L.full((), -1.0, dtype=L.float64, requires_grad=True)
        c = L.full((), 0.0, dtype=L.float64, requires_grad=True)
        d = L.full((), 0.3, dtype=L.float64, requires_grad=True)
        for _ in range(200):
            y_pred = a + b * P3(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with L.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-6 * p.grad
                    p.grad = None
        assert y_pred.grad_fn.name() == "AddBackward0"
        results.append([p.item() for p in (a, b, c, d)] + [loss.item()])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9, atol=1e-12)  # a, c ~ 0
