"""The seed lectures' linear regression on float64 data: full-batch gradient descent by
hand, then optim.SGD and optim.Adam on minibatches (examples/optax_regression.py fits
the same data with Optax-style optimizers).

The design is 10000 x 21 (an intercept column and 20 features, 4 of them informative),
made with numpy as the seeds' make_regression does.

    python examples/linear_regression.py
"""
import numpy as np

import tinytensor as torch
from linear_regression_data import make_regression

X, y = make_regression()
Xt = torch.from_numpy(X)
yt = torch.from_numpy(y)
n, k = Xt.shape


def lr_loss(beta, X, y):
    return (X @ beta - y).pow(2).sum()


# full-batch gradient descent, by hand
bt = torch.zeros(k, dtype=torch.float64, requires_grad=True)
learning_rate = 1e-5
for i in range(31):
    loss = lr_loss(bt, Xt, yt)
    if i % 5 == 0:
        print(f"Step: {i},\tloss: {loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        bt -= learning_rate * bt.grad
        bt.grad = None
print("gd loss:", lr_loss(bt, Xt, yt).item())


# minibatches: the same shuffled order every epoch, as the seed's optax_optimize
def minibatch_fit(optimizer_fn, batch_size, steps, seed=1234):
    beta = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    opt = optimizer_fn([beta])
    order = np.arange(n)
    np.random.default_rng(seed).shuffle(order)
    for _ in range(steps):
        for batch in order.reshape(-1, batch_size):
            idx = torch.from_numpy(batch)
            loss = lr_loss(beta, Xt[idx, :], yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return lr_loss(beta, Xt, yt).item()


for batch_size, lr in zip([100, 1000], [0.001, 0.0001]):
    sgd_loss = minibatch_fit(lambda p: torch.optim.SGD(p, lr=lr), batch_size, steps=3)
    print(f"sgd (mb={batch_size}) loss:", sgd_loss)
for batch_size in [50, 100]:
    adam_loss = minibatch_fit(lambda p: torch.optim.Adam(p, lr=1), batch_size, steps=2)
    print(f"adam (mb={batch_size}) loss:", adam_loss)
