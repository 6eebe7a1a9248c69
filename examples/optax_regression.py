"""The seed lecture's Optax part on tinytensor: the linear regression of
examples/linear_regression.py fitted with pure (init, update) optimizers, gradient
descent first, then minibatch Adam with an exponentially decaying learning rate.

    python examples/optax_regression.py
"""
import numpy as np

import tinytensor as torch
from tinytensor import optax
from linear_regression_data import make_regression

X, y = make_regression()
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
n, k = Xt.shape


def lr_loss(beta, X, y):
    return (X @ beta - y).pow(2).sum()


grad_fn = torch.func.grad(lr_loss)

# one optimizer step, shown as in the lecture
optimizer = optax.sgd(learning_rate=0.0001)
beta = torch.zeros(k, dtype=torch.float64)
opt_state = optimizer.init(beta)
print(opt_state)
updates, opt_state = optimizer.update(grad_fn(beta, Xt, yt), opt_state)
print(updates)

# full-batch gradient descent, 30 steps
optimizer = optax.sgd(learning_rate=0.00001)
beta = torch.zeros(k, dtype=torch.float64)
opt_state = optimizer.init(beta)
for _ in range(30):
    updates, opt_state = optimizer.update(grad_fn(beta, Xt, yt), opt_state)
    beta = optax.apply_updates(beta, updates)
print("gd loss:", lr_loss(beta, Xt, yt).item())


def optax_optimize(params, loss_fn, optimizer, steps, batch_size, seed=1234):
    opt_state = optimizer.init(params)
    batches = np.arange(n)
    np.random.default_rng(seed).shuffle(batches)
    for _ in range(steps):
        for batch in batches.reshape(-1, batch_size):
            idx = torch.from_numpy(batch)
            grad = torch.func.grad(loss_fn)(params, Xt[idx, :], yt[idx])
            updates, opt_state = optimizer.update(grad, opt_state)
            params = optax.apply_updates(params, updates)
    return loss_fn(params, Xt, yt).item()


schedule = optax.exponential_decay(init_value=1, transition_steps=100, decay_rate=0.9)
print([round(schedule(step), 6) for step in (0, 100, 250)])
for batch_size in [50, 100]:
    tx = optax.adam(learning_rate=schedule, b1=0.9, b2=0.999, eps=1e-8)
    loss = optax_optimize(torch.zeros(k, dtype=torch.float64), lr_loss, tx, steps=2,
                          batch_size=batch_size)
    print(f"adam + exponential_decay (mb={batch_size}) loss:", loss)
