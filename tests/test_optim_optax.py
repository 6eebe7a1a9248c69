"""Optax-style transformations: sgd and adam give the parameters optim.SGD / optim.Adam
give; chain, scale, clipping, weight decay, schedules and pytrees behave as in Optax."""
from collections import OrderedDict

import numpy as np
import pytest

import tinytensor as tt
from tinytensor import optax
from _nn_oracle import torch
from test_optim_optimizers import INIT, loss_and_grads, assert_trajectories_match


def optax_run(tx, steps=200, as_dict=False):
    params = [tt.tensor(v.copy(), dtype=tt.float64) for v in INIT]
    if as_dict:
        params = OrderedDict(zip("Wvs", params))
    state = tx.init(params)
    history = []
    for _ in range(steps):
        values = list(params.values()) if as_dict else params
        _, grads = loss_and_grads([np.array(p.numpy()) for p in values])
        grads = [tt.tensor(g, dtype=tt.float64) for g in grads]
        if as_dict:
            grads = OrderedDict(zip("Wvs", grads))
        updates, state = tx.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        values = list(params.values()) if as_dict else params
        history.append([np.array(p.numpy()).copy() for p in values])
    return history


def torch_run(name, steps=200, **kwargs):
    params = [torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True) for v in INIT]
    opt = getattr(torch.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        _, grads = loss_and_grads([p.detach().numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


# Optax and torch write the same formulas with operations in another order, so they
# agree to rounding (well below 1e-10 here), not bit for bit.
@pytest.mark.parametrize("as_dict", [False, True])
def test_sgd_matches_optim_sgd(as_dict):
    assert_trajectories_match(optax_run(optax.sgd(0.01), as_dict=as_dict),
                              torch_run("SGD", lr=0.01))
    assert_trajectories_match(optax_run(optax.sgd(0.01, momentum=0.9)),
                              torch_run("SGD", lr=0.01, momentum=0.9))
    assert_trajectories_match(optax_run(optax.sgd(0.01, momentum=0.9, nesterov=True)),
                              torch_run("SGD", lr=0.01, momentum=0.9, nesterov=True))


def test_adam_matches_optim_adam():
    assert_trajectories_match(optax_run(optax.adam(0.01), as_dict=True),
                              torch_run("Adam", lr=0.01), rtol=1e-10)
    assert_trajectories_match(optax_run(optax.adam(0.01, b1=0.8, b2=0.99, eps=1e-6)),
                              torch_run("Adam", lr=0.01, betas=(0.8, 0.99), eps=1e-6),
                              rtol=1e-10)


def test_adam_with_schedule_matches_torch_adam_with_lambda_lr():
    schedule = optax.exponential_decay(init_value=0.05, transition_steps=10, decay_rate=0.9)
    ours = optax_run(optax.adam(schedule), steps=100)
    params = [torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True) for v in INIT]
    opt = torch.optim.Adam(params, lr=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    theirs = []
    for _ in range(100):
        _, grads = loss_and_grads([p.detach().numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        opt.step()
        sched.step()
        theirs.append([p.detach().numpy().copy() for p in params])
    assert_trajectories_match(ours, theirs, rtol=1e-10)


def test_adamw_rmsprop_adagrad_run_and_match_their_formulas():
    # adamw = adam update + weight_decay * params, scaled by -lr
    p = tt.tensor([1.0, -2.0], dtype=tt.float64)
    g = tt.tensor([0.5, 0.25], dtype=tt.float64)
    tx = optax.adamw(0.1, weight_decay=0.01)
    updates, _ = tx.update(g, tx.init(p), p)
    adam_dir = 1 / (1 + 1e-8 / 0.5), 1 / (1 + 1e-8 / 0.25)
    np.testing.assert_allclose(updates.numpy(), [-0.1 * (adam_dir[0] + 0.01),
                                                 -0.1 * (adam_dir[1] - 0.02)], rtol=1e-12)
    tx = optax.rmsprop(0.1, decay=0.9, eps=1e-8)
    updates, state = tx.update(g, tx.init(p))
    np.testing.assert_allclose(updates.numpy(),
                               -0.1 * g.numpy() / np.sqrt(0.1 * g.numpy() ** 2 + 1e-8),
                               rtol=1e-12)
    tx = optax.adagrad(0.1)
    updates, state = tx.update(g, tx.init(p))
    np.testing.assert_allclose(updates.numpy(),
                               -0.1 * g.numpy() / np.sqrt(0.1 + g.numpy() ** 2 + 1e-7),
                               rtol=1e-12)
    centered = optax.rmsprop(0.1, centered=True, momentum=0.9)
    updates, state = centered.update(g, centered.init(p))
    assert len(state) == 3


def test_chain_scale_clip_and_schedule_state():
    g = [tt.tensor([3.0, 4.0], dtype=tt.float64), tt.tensor(12.0, dtype=tt.float64)]
    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.scale(-2.0))
    updates, state = tx.update(g, tx.init(g))
    np.testing.assert_allclose(updates[0].numpy(), [-6 / 13, -8 / 13], rtol=1e-12)
    assert state == (optax.EmptyState(), optax.EmptyState())
    updates, _ = optax.clip(3.5).update(g, optax.EmptyState())
    np.testing.assert_array_equal(updates[0].numpy(), [3.0, 3.5])
    assert float(optax.global_norm(g)) == 13.0
    sched = optax.scale_by_schedule(lambda count: 0.5 ** count)
    state = sched.init(g)
    for count in range(3):
        updates, state = sched.update(g, state)
        assert float(updates[1]) == 12.0 * 0.5 ** count
    assert state.count == 3


def test_add_decayed_weights_needs_params():
    with pytest.raises(ValueError, match="requires the current value of parameters"):
        optax.add_decayed_weights(0.1).update(tt.zeros(2), optax.EmptyState())


def test_seed_lecture_schedule_and_reprs():
    schedule = optax.linear_schedule(init_value=1.0, end_value=0.0, transition_steps=5)
    assert [schedule(step) for step in range(6)] == [1.0, 0.8, 0.6, 0.4, 0.19999999999999996,
                                                      0.0]
    tx = optax.sgd(learning_rate=0.0001)
    assert type(tx).__name__ == "GradientTransformationExtraArgs"
    assert repr(tx.init(tt.zeros(21, dtype=tt.float64))) == "(EmptyState(), EmptyState())"
    assert optax.schedules.exponential_decay is optax.exponential_decay


def test_apply_updates_keeps_dtypes_and_requires_grad():
    p = {"w": tt.zeros(2, requires_grad=True), "n": tt.zeros(2, dtype=tt.float64)}
    u = {"w": tt.ones(2, dtype=tt.float64), "n": tt.ones(2, dtype=tt.float64)}
    out = optax.apply_updates(p, u)
    assert out["w"].dtype == tt.float32 and out["w"].requires_grad and out["w"].is_leaf
    assert not out["n"].requires_grad


def test_training_with_autograd_grads():
    """The seed's loop: grads from autograd, updates from optax, params replaced."""
    X = tt.tensor(np.random.default_rng(0).standard_normal((50, 3)))
    beta_true = tt.tensor([1.0, -2.0, 0.5], dtype=tt.float64)
    y = X @ beta_true
    beta = tt.zeros(3, dtype=tt.float64, requires_grad=True)
    tx = optax.adam(0.1)
    state = tx.init(beta)
    for _ in range(300):
        grad, = tt.autograd.grad(((X @ beta - y) ** 2).sum(), [beta])
        updates, state = tx.update(grad, state)
        beta = optax.apply_updates(beta, updates)
    np.testing.assert_allclose(beta.detach().numpy(), beta_true.numpy(), atol=1e-3)
