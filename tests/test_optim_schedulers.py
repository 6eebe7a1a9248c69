"""lr_scheduler wired to tinytensor's real optimizers: the same lrs (and momenta / betas for
the cyclic schedulers) and the same parameters as torch, step by step; Optax schedules
drive an optimizer through ScheduleLR."""
import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch
from test_optim_optimizers import make_params, set_grads, assert_trajectories_match

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SCHEDULERS = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("MultiStepLR", {"milestones": [5, 12], "gamma": 0.3}, "Adam", {"lr": 0.01}),
    ("ExponentialLR", {"gamma": 0.95}, "RMSprop", {"lr": 0.01}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, "Adam", {"lr": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2}, "SGD", {"lr": 0.05}),
    ("LinearLR", {"start_factor": 0.2, "total_iters": 8}, "AdamW", {"lr": 0.01}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}, "Adagrad", {"lr": 0.1}),
    ("PolynomialLR", {"total_iters": 15, "power": 2.0}, "NAdam", {"lr": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (1 + e)}, "SGD", {"lr": 0.05}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.97}, "Adamax", {"lr": 0.01}),
    ("OneCycleLR", {"max_lr": 0.05, "total_steps": 30}, "SGD", {"lr": 0.01, "momentum": 0.9}),
    ("OneCycleLR", {"max_lr": 0.02, "total_steps": 30, "three_phase": True}, "Adam",
     {"lr": 0.01}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.05, "step_size_up": 4}, "SGD",
     {"lr": 0.01, "momentum": 0.9}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.02, "step_size_up": 3, "mode": "exp_range",
                  "gamma": 0.9}, "Adam", {"lr": 0.01}),
]


def drive(lib, sched_name, sched_kwargs, opt_name, opt_kwargs, steps=30):
    params = make_params(lib)
    opt = getattr(lib.optim, opt_name)(params, **opt_kwargs)
    sched = getattr(lib.optim.lr_scheduler, sched_name)(opt, **sched_kwargs)
    lrs, momenta, history = [], [], []
    for _ in range(steps):
        set_grads(lib, params)
        opt.step()
        sched.step()
        group = opt.param_groups[0]
        lrs.append(sched.get_last_lr())
        momenta.append(group.get("momentum", group.get("betas")))
        history.append([np.array(p.detach().numpy()) for p in params])
    return lrs, momenta, history, sched


@pytest.mark.parametrize("case", SCHEDULERS, ids=[f"{c[0]}-{c[2]}" for c in SCHEDULERS])
def test_scheduler_with_real_optimizer(case):
    t_lrs, t_mom, theirs, t_sched = drive(torch, *case)
    o_lrs, o_mom, ours, o_sched = drive(tt, *case)
    assert o_lrs == t_lrs
    assert o_mom == t_mom
    assert_trajectories_match(ours, theirs)
    t_state = {k: v for k, v in t_sched.state_dict().items() if not callable(v)}
    o_state = {k: v for k, v in o_sched.state_dict().items() if not callable(v)}
    assert set(o_state) == set(t_state)


def test_reduce_lr_on_plateau_with_real_optimizer():
    def drive_plateau(lib):
        params = make_params(lib)
        opt = lib.optim.SGD(params, lr=0.05)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5)
        lrs = []
        for i in range(25):
            loss = set_grads(lib, params)
            opt.step()
            sched.step(round(loss, 1) if i < 10 else 1.0)
            lrs.append(opt.param_groups[0]["lr"])
        return lrs
    assert drive_plateau(tt) == drive_plateau(torch)


def test_sequential_and_chained_schedulers():
    def chain(lib):
        params = make_params(lib)
        opt = lib.optim.Adam(params, lr=0.01)
        s = lib.optim.lr_scheduler
        seq = s.SequentialLR(opt, [s.LinearLR(opt, 0.1, total_iters=5),
                                   s.ExponentialLR(opt, 0.9)], milestones=[5])
        lrs = []
        for _ in range(15):
            set_grads(lib, params)
            opt.step()
            seq.step()
            lrs.append(seq.get_last_lr())
        return lrs
    assert chain(tt) == chain(torch)


def test_optax_schedule_drives_an_optimizer():
    schedule = tt.optax.warmup_cosine_decay_schedule(0.0, 0.05, warmup_steps=5,
                                                     decay_steps=30)
    params = make_params(tt)
    opt = tt.optim.SGD(params, lr=1.0)
    sched = tt.optim.lr_scheduler.ScheduleLR(opt, schedule)
    t_params = make_params(torch)
    t_opt = torch.optim.SGD(t_params, lr=1.0)
    t_sched = torch.optim.lr_scheduler.LambdaLR(t_opt, schedule)
    for _ in range(30):
        assert opt.param_groups[0]["lr"] == t_opt.param_groups[0]["lr"]
        set_grads(tt, params)
        set_grads(torch, t_params)
        opt.step()
        t_opt.step()
        sched.step()
        t_sched.step()
    assert_trajectories_match([[np.array(p.detach().numpy()) for p in params]],
                              [[p.detach().numpy() for p in t_params]])
