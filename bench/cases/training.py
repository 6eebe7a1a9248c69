"""Autograd and whole training steps: the graph-building cost a user pays per iteration."""
from bench.cases.base import Case, data


def tiny_autograd(b, n):
    """((a*w + a).exp() * c).sum().backward(): five ops forward, five backward."""
    b.need_autograd()
    a, w, c = (b.tensor(data((n,), "float32", s), requires_grad=True) for s in (0, 1, 2))

    def step():
        ((a * w + a).exp() * c).sum().backward()  # grads accumulate, as in torch
    return step


def mlp_step(b, batch):
    """One SGD step of Linear(2,16) -> ReLU -> Linear(16,1) with MSE, zero_grad included."""
    b.need_autograd()
    lib = b.lib
    nn = lib.nn
    b.manual_seed(0)  # the default init; the values do not change the cost
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    x = b.tensor(data((batch, 2), "float32", 0))
    y = b.tensor(data((batch, 1), "float32", 1))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def linreg_step(b, rows):
    """The seeds' step: loss = (X @ beta - y).pow(2).sum(); backward; beta -= lr * grad."""
    X = data((rows, 21), "float64", 0)
    y = data((rows,), "float64", 1)
    lr = 0.1 / rows  # small enough to converge, so no value drifts toward inf
    if b.is_numpy:
        return _linreg_numpy(b.tensor(X), b.tensor(y), lr)
    Xt, yt = b.tensor(X), b.tensor(y)
    beta = b.tensor(data((21,), "float64", 2), requires_grad=True)
    no_grad = b.lib.no_grad

    def step():
        nonlocal beta  # `beta -= ...` rebinds the name, as the seed's top-level code does
        loss = (Xt @ beta - yt).pow(2).sum()
        loss.backward()
        with no_grad():
            beta -= lr * beta.grad
        beta.grad = None
    return step


def _linreg_numpy(X, y, lr):
    """The same step with the gradient written by hand: 2 X^T (X beta - y)."""
    beta = data((21,), "float64", 2).copy()

    def step():
        r = X @ beta - y
        (r * r).sum()  # the loss, computed as the autograd versions do
        beta[:] -= lr * (2.0 * (X.T @ r))
    return step


CASES = [
    Case("((a*w+a).exp()*c).sum().backward()", "autograd", (10, 1000, 100_000),
         tiny_autograd, (10,)),
    Case("mlp 2-16-1 sgd step", "training", (32, 256, 4096), mlp_step, (32,),
         label=lambda n: f"batch {n}"),
    Case("linreg step float64 Nx21", "training", (1000, 10_000, 100_000), linreg_step,
         (10_000,), label=lambda n: f"{n}x21"),
]
