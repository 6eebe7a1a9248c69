"""lr_scheduler against torch.optim.lr_scheduler: same lr sequences, float for float.

Ours drives a FakeOptimizer (param_groups + step(), nothing else); torch's drives a real
torch.optim.SGD / Adam over one parameter. Every comparison is exact (==): both sides do the
same Python float arithmetic in the same order, so any difference is a bug.
"""

import copy
import importlib
import importlib.util
import math
import pathlib
import random
import warnings

import pytest

torch = pytest.importorskip("torch")
from torch.optim import lr_scheduler as torch_lrs  # noqa: E402


def _load(dotted, relative_path):
    """Import dotted, or load the file directly while the package has no __init__ yet."""
    try:
        return importlib.import_module(dotted)
    except ImportError:
        path = pathlib.Path(__file__).resolve().parents[1] / relative_path
        name = "_under_test_" + dotted.replace(".", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


# Building SequentialLR over a ChainedScheduler warns in torch too (its sub-schedulers step
# before any optimizer step); the warning tests record warnings themselves.
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of")

lrs = _load("tinytensor.optim.lr_scheduler", "tinytensor/optim/lr_scheduler.py")
schedules = _load("tinytensor.optax.schedules", "tinytensor/optax/schedules.py")


# ---- the two optimizers -----------------------------------------------------------------

class FakeOptimizer:
    """All a scheduler may rely on: param_groups (dicts) and step()."""

    def __init__(self, groups):
        self.param_groups = [dict(g) for g in groups]
        self.steps = 0

    def step(self):
        self.steps += 1
        return "stepped"


# name -> list of per-group hyperparameters, the same for both optimizers
GROUPS = {
    "sgd": [{"lr": 0.1, "momentum": 0.0}],
    "momentum": [{"lr": 0.1, "momentum": 0.9}],
    "two": [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.5}],
    "adam": [{"lr": 0.01, "betas": (0.9, 0.999)}],
}


def make_torch_optimizer(kind):
    groups = [dict(g, params=[torch.nn.Parameter(torch.zeros(1))]) for g in GROUPS[kind]]
    if kind == "adam":
        return torch.optim.Adam(groups)
    return torch.optim.SGD(groups, lr=0.1)


def make_fake_optimizer(kind):
    return FakeOptimizer(GROUPS[kind])


GROUP_KEYS = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr", "max_momentum",
              "base_momentum")


def snapshot(scheduler, optimizer):
    """What one step left behind: get_last_lr() and the scheduled keys of every group."""
    groups = [{k: g[k] for k in GROUP_KEYS if k in g} for g in optimizer.param_groups]
    return list(scheduler.get_last_lr()), groups


def run(module, make_optimizer, kind, factory, n, step_optimizer=True):
    optimizer = make_optimizer(kind)
    scheduler = factory(module, optimizer)
    history = [snapshot(scheduler, optimizer)]
    for _ in range(n):
        if step_optimizer:
            optimizer.step()
        scheduler.step()
        history.append(snapshot(scheduler, optimizer))
    return history, scheduler, optimizer


# ---- the catalogue: (id, optimizer kind, factory(module, optimizer), steps) -------------

def _seq_warmup_cosine(M, o):
    return M.SequentialLR(o, [M.LinearLR(o, start_factor=0.1, total_iters=10),
                              M.CosineAnnealingLR(o, T_max=90, eta_min=1e-3)],
                          milestones=[10])


def _seq_three(M, o):
    return M.SequentialLR(o, [M.ConstantLR(o, factor=0.5, total_iters=20),
                              M.ExponentialLR(o, gamma=0.97),
                              M.StepLR(o, step_size=15, gamma=0.5)],
                          milestones=[5, 100])


def _chain(M, o):
    return M.ChainedScheduler([M.ConstantLR(o, factor=0.1, total_iters=5),
                               M.ExponentialLR(o, gamma=0.99)])


def _chain_linear_multistep(M, o):
    return M.ChainedScheduler([M.LinearLR(o, start_factor=0.2, total_iters=30),
                               M.MultiStepLR(o, milestones=[20, 60, 60], gamma=0.5)],
                              optimizer=o)


def _seq_of_chain(M, o):
    chain = M.ChainedScheduler([M.LinearLR(o, start_factor=0.5, total_iters=8),
                                M.ExponentialLR(o, gamma=0.98)])
    return M.SequentialLR(o, [chain, M.StepLR(o, step_size=10, gamma=0.3)], milestones=[40])


class Halving:
    """A callable object: its attributes go into state_dict, unlike a lambda's."""

    def __init__(self):
        self.rate = 0.5

    def __call__(self, x):
        return self.rate ** x


class CountingScale:
    """A scale_fn with state: it decays with each call, so the number of calls shows."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return 0.999 ** self.calls


CASES = [
    ("lambda", "sgd", lambda M, o: M.LambdaLR(o, lambda e: 0.95 ** e), 300),
    ("lambda_two_groups", "two",
     lambda M, o: M.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e // 7)]), 120),
    ("multiplicative", "two", lambda M, o: M.MultiplicativeLR(o, lambda e: 0.95), 300),
    ("step_default_gamma", "sgd", lambda M, o: M.StepLR(o, step_size=30), 300),
    ("step", "two", lambda M, o: M.StepLR(o, step_size=7, gamma=0.5), 300),
    ("multistep", "sgd",
     lambda M, o: M.MultiStepLR(o, milestones=[30, 80, 80, 150], gamma=0.3), 300),
    ("constant_default", "sgd", lambda M, o: M.ConstantLR(o), 50),
    ("constant", "two", lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=40), 100),
    ("linear_default", "sgd", lambda M, o: M.LinearLR(o), 50),
    ("linear", "two",
     lambda M, o: M.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=100), 300),
    ("linear_down", "sgd",
     lambda M, o: M.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=77), 100),
    ("exponential", "two", lambda M, o: M.ExponentialLR(o, gamma=0.97), 300),
    ("polynomial_default", "sgd", lambda M, o: M.PolynomialLR(o), 20),
    ("polynomial", "two", lambda M, o: M.PolynomialLR(o, total_iters=100, power=2.0), 300),
    ("polynomial_sqrt", "sgd", lambda M, o: M.PolynomialLR(o, total_iters=64, power=0.5), 100),
    ("cosine", "two", lambda M, o: M.CosineAnnealingLR(o, T_max=50, eta_min=1e-3), 300),
    ("cosine_short", "sgd", lambda M, o: M.CosineAnnealingLR(o, T_max=7), 300),
    ("warm_restarts", "two",
     lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4), 300),
    ("warm_restarts_mult1", "sgd", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=7), 300),
    ("cyclic_triangular", "momentum",
     lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=20), 300),
    ("cyclic_triangular2", "two",
     lambda M, o: M.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=10,
                             step_size_down=30, mode="triangular2"), 300),
    ("cyclic_exp_range", "momentum",
     lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=15, mode="exp_range",
                             gamma=0.99, base_momentum=0.7, max_momentum=0.95), 300),
    ("cyclic_custom_iterations", "momentum",
     lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=12, scale_fn=lambda x: 0.99 ** x,
                             scale_mode="iterations"), 300),
    ("cyclic_custom_object", "momentum",
     lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=12, scale_fn=Halving()), 100),
    ("cyclic_stateful_scale_fn", "two",
     lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=6, scale_fn=CountingScale()), 100),
    ("cyclic_no_momentum", "sgd",
     lambda M, o: M.CyclicLR(o, 0.001, 0.01, step_size_up=9, cycle_momentum=False), 100),
    ("cyclic_adam", "adam",
     lambda M, o: M.CyclicLR(o, 0.001, 0.01, step_size_up=25), 300),
    ("onecycle_cos", "momentum", lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=300),
     300),
    ("onecycle_linear", "two",
     lambda M, o: M.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=300, pct_start=0.25,
                               anneal_strategy="linear"), 300),
    ("onecycle_three_phase", "momentum",
     lambda M, o: M.OneCycleLR(o, max_lr=0.1, epochs=10, steps_per_epoch=25,
                               three_phase=True, div_factor=10.0, final_div_factor=100.0),
     250),
    ("onecycle_adam", "adam",
     lambda M, o: M.OneCycleLR(o, max_lr=0.01, total_steps=100, base_momentum=0.8), 100),
    ("onecycle_no_momentum", "sgd",
     lambda M, o: M.OneCycleLR(o, max_lr=0.05, total_steps=77, cycle_momentum=False), 77),
    ("sequential_warmup_cosine", "two", _seq_warmup_cosine, 300),
    ("sequential_three", "sgd", _seq_three, 300),
    ("sequential_of_chained", "sgd", _seq_of_chain, 150),
    ("chained", "two", _chain, 300),
    ("chained_linear_multistep", "sgd", _chain_linear_multistep, 150),
]
CASE_IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,kind,factory,n", CASES, ids=CASE_IDS)
def test_lr_sequence_matches_torch(name, kind, factory, n):
    ours, _, _ = run(lrs, make_fake_optimizer, kind, factory, n)
    theirs, _, _ = run(torch_lrs, make_torch_optimizer, kind, factory, n)
    assert ours == theirs


@pytest.mark.parametrize("name,kind,factory,n", CASES, ids=CASE_IDS)
def test_state_dict_equals_torch(name, kind, factory, n):
    _, ours, _ = run(lrs, make_fake_optimizer, kind, factory, min(n, 37))
    _, theirs, _ = run(torch_lrs, make_torch_optimizer, kind, factory, min(n, 37))
    assert ours.state_dict() == theirs.state_dict()


def _resume(kind, factory, saved_state, saved_groups):
    """Rebuild a scheduler the documented way: scheduler first, then the saved state."""
    fresh = make_fake_optimizer(kind)
    scheduler = factory(lrs, fresh)
    for group, saved in zip(fresh.param_groups, saved_groups):
        group.update(copy.deepcopy(saved))    # what optimizer.load_state_dict restores
    scheduler.load_state_dict(copy.deepcopy(saved_state))
    return scheduler, fresh


@pytest.mark.parametrize("source", ["ours", "torch"])
@pytest.mark.parametrize("name,kind,factory,n", CASES, ids=CASE_IDS)
def test_state_dict_round_trip(name, kind, factory, n, source):
    k = min(n // 3, 40)
    _, torch_sched, torch_opt = run(torch_lrs, make_torch_optimizer, kind, factory, k)
    _, our_sched, our_opt = run(lrs, make_fake_optimizer, kind, factory, k)
    donor_sched, donor_opt = ((our_sched, our_opt) if source == "ours"
                              else (torch_sched, torch_opt))
    saved_groups = [{key: g[key] for key in GROUP_KEYS if key in g}
                    for g in donor_opt.param_groups]
    resumed, resumed_opt = _resume(kind, factory, donor_sched.state_dict(),
                                   saved_groups)
    for _ in range(n - k):
        torch_opt.step()
        torch_sched.step()
        resumed_opt.step()
        resumed.step()
        assert snapshot(resumed, resumed_opt) == snapshot(torch_sched, torch_opt)


def test_load_state_dict_leaves_callers_dict_whole():
    optimizer = make_fake_optimizer("momentum")
    scheduler = lrs.CyclicLR(optimizer, 0.01, 0.1, step_size_up=5, scale_fn=Halving())
    state = scheduler.state_dict()
    keys = set(state)
    scheduler.load_state_dict(state)
    assert set(state) == keys and state["_scale_fn_custom"] == {"rate": 0.5}


def test_callable_object_state_is_restored():
    optimizer = make_fake_optimizer("sgd")
    fn = Halving()
    scheduler = lrs.LambdaLR(optimizer, fn)
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}]
    fn.rate = 0.9
    scheduler.load_state_dict(state)
    assert fn.rate == 0.5


# ---- resuming with last_epoch and stepping with an epoch argument -----------------------

RESUMED = [
    ("step", lambda M, o: M.StepLR(o, step_size=5, gamma=0.5, last_epoch=9)),
    ("exponential", lambda M, o: M.ExponentialLR(o, gamma=0.9, last_epoch=3)),
    ("cosine", lambda M, o: M.CosineAnnealingLR(o, T_max=20, last_epoch=4)),
    ("linear", lambda M, o: M.LinearLR(o, start_factor=0.5, total_iters=10, last_epoch=2)),
    ("warm_restarts", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                                 last_epoch=6)),
    ("cyclic", lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=4, last_epoch=3)),
]


@pytest.mark.parametrize("name,factory", RESUMED, ids=[r[0] for r in RESUMED])
def test_resume_with_last_epoch_matches_torch(name, factory):
    def with_initial_lr(maker):
        def make(kind):
            optimizer = maker(kind)
            for group in optimizer.param_groups:
                group["initial_lr"] = 0.2
                group.setdefault("max_momentum", 0.9)
                group.setdefault("base_momentum", 0.8)
            return optimizer
        return make

    ours, _, _ = run(lrs, with_initial_lr(make_fake_optimizer), "two", factory, 60)
    theirs, _, _ = run(torch_lrs, with_initial_lr(make_torch_optimizer), "two", factory, 60)
    assert ours == theirs


def test_resume_without_initial_lr_raises_like_torch():
    with pytest.raises(KeyError) as theirs:
        torch_lrs.StepLR(make_torch_optimizer("sgd"), 3, last_epoch=4)
    with pytest.raises(KeyError) as ours:
        lrs.StepLR(make_fake_optimizer("sgd"), 3, last_epoch=4)
    assert str(ours.value) == str(theirs.value)


EPOCH_STEPPED = [
    ("lambda", lambda M, o: M.LambdaLR(o, lambda e: 0.9 ** e)),
    ("multiplicative", lambda M, o: M.MultiplicativeLR(o, lambda e: 0.9)),
    ("step", lambda M, o: M.StepLR(o, step_size=4, gamma=0.5)),
    ("multistep", lambda M, o: M.MultiStepLR(o, milestones=[3, 9, 9], gamma=0.5)),
    ("constant", lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=6)),
    ("linear", lambda M, o: M.LinearLR(o, start_factor=0.2, total_iters=12)),
    ("exponential", lambda M, o: M.ExponentialLR(o, gamma=0.9)),
    ("polynomial", lambda M, o: M.PolynomialLR(o, total_iters=12, power=1.5)),
    ("cosine", lambda M, o: M.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    ("cyclic", lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=5)),
    ("onecycle", lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=40)),
]
EPOCHS = [0, 1, 3, 3, 7, 20, 15, 9, 2, 30, 11]


def _step_with_epochs(module, make_optimizer, factory, epochs):
    optimizer = make_optimizer("momentum")
    scheduler = factory(module, optimizer)
    seen = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in epochs:
            optimizer.step()
            scheduler.step(epoch)
            seen.append(snapshot(scheduler, optimizer))
    return seen, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("name,factory", EPOCH_STEPPED, ids=[e[0] for e in EPOCH_STEPPED])
def test_step_with_epoch_matches_torch(name, factory):
    ours = _step_with_epochs(lrs, make_fake_optimizer, factory, EPOCHS)
    theirs = _step_with_epochs(torch_lrs, make_torch_optimizer, factory, EPOCHS)
    assert ours == theirs
    assert ours[1] and all(message == lrs.EPOCH_DEPRECATION_WARNING for _, message in ours[1])


def test_warm_restarts_fractional_epochs_match_torch():
    epochs = [0.5, 1.25, 10.0, 25.3, 70.0, 3.0, 29.999, 30.0, 150.5, 0, 7]
    for t_mult in (1, 2, 3):
        def factory(M, o):
            return M.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=t_mult, eta_min=1e-3)
        ours = _step_with_epochs(lrs, make_fake_optimizer, factory, epochs)
        theirs = _step_with_epochs(torch_lrs, make_torch_optimizer, factory, epochs)
        assert ours == theirs


def test_warm_restarts_rejects_negative_epoch():
    scheduler = lrs.CosineAnnealingWarmRestarts(make_fake_optimizer("sgd"), T_0=3)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        scheduler.step(-1)


# ---- ReduceLROnPlateau ------------------------------------------------------------------

def _metrics(n=300, seed=0):
    """A noisy loss that falls, stalls, and falls again: plateaus to detect."""
    rng = random.Random(seed)
    values, level = [], 1.0
    for i in range(n):
        if (i // 40) % 2 == 0:
            level *= 0.98
        values.append(level * (1 + 0.01 * rng.uniform(-1, 1)))
    return values


PLATEAU = [
    ("defaults", "sgd", {}),
    ("min_abs", "two", dict(threshold=0.01, threshold_mode="abs", patience=3)),
    ("max_rel", "momentum", dict(mode="max", patience=2, factor=0.5)),
    ("max_abs", "two", dict(mode="max", threshold_mode="abs", threshold=0.0, patience=0)),
    ("cooldown_min_lrs", "two", dict(patience=1, cooldown=4, factor=0.5,
                                      min_lr=[0.01, 0.02])),
    ("big_eps", "sgd", dict(patience=0, factor=0.9, eps=0.005, min_lr=0.001)),
]


def _run_plateau(module, make_optimizer, kind, kwargs, metrics):
    optimizer = make_optimizer(kind)
    scheduler = module.ReduceLROnPlateau(optimizer, **kwargs)
    history = [snapshot(scheduler, optimizer)]
    for value in metrics:
        optimizer.step()
        scheduler.step(value)
        history.append(snapshot(scheduler, optimizer))
    return history, scheduler


@pytest.mark.parametrize("name,kind,kwargs", PLATEAU, ids=[p[0] for p in PLATEAU])
def test_reduce_on_plateau_matches_torch(name, kind, kwargs):
    metrics = _metrics()
    if kwargs.get("mode") == "max":
        metrics = [-m for m in metrics]
    ours, our_sched = _run_plateau(lrs, make_fake_optimizer, kind, kwargs, metrics)
    theirs, torch_sched = _run_plateau(torch_lrs, make_torch_optimizer, kind, kwargs, metrics)
    assert ours == theirs
    assert ours[-1][0] != ours[0][0]    # the sequence really reduced something
    assert our_sched.state_dict() == torch_sched.state_dict()


def test_reduce_on_plateau_round_trip_from_torch_state():
    metrics = _metrics()
    kwargs = dict(patience=2, cooldown=2, factor=0.5)
    _, torch_sched = _run_plateau(torch_lrs, make_torch_optimizer, "sgd", kwargs, metrics[:100])
    optimizer = make_fake_optimizer("sgd")
    ours = lrs.ReduceLROnPlateau(optimizer, **kwargs)
    optimizer.param_groups[0]["lr"] = torch_sched.optimizer.param_groups[0]["lr"]
    ours.load_state_dict(copy.deepcopy(torch_sched.state_dict()))
    for value in metrics[100:]:
        torch_sched.step(value)
        ours.step(value)
        assert ours.get_last_lr() == torch_sched.get_last_lr()
    assert ours.state_dict() == torch_sched.state_dict()


def test_reduce_on_plateau_accepts_tensor_metric_and_epoch():
    optimizer = make_fake_optimizer("sgd")
    scheduler = lrs.ReduceLROnPlateau(optimizer, patience=0)
    scheduler.step(torch.tensor(1.0))
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(2.0, epoch=5)
    assert scheduler.last_epoch == 5 and scheduler.get_last_lr() == [0.1 * 0.1]


# ---- warnings and errors, compared with torch's ---------------------------------------

def _warnings_of(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [(w.category, str(w.message)) for w in caught]


def _scenario_scheduler_first(M, make):
    optimizer = make("sgd")
    scheduler = M.StepLR(optimizer, 3)
    scheduler.step()
    scheduler.step()


def _scenario_overridden_step(M, make):
    optimizer = make("sgd")
    scheduler = M.ExponentialLR(optimizer, 0.9)
    optimizer.step = lambda: None
    scheduler.step()


def _scenario_get_lr_outside_step(M, make):
    scheduler = M.CosineAnnealingLR(make("sgd"), T_max=5)
    scheduler.get_lr()


def _scenario_right_order(M, make):
    optimizer = make("sgd")
    scheduler = M.StepLR(optimizer, 3)
    for _ in range(5):
        optimizer.step()
        scheduler.step()


def _scenario_sequential_first(M, make):
    optimizer = make("sgd")
    scheduler = M.SequentialLR(optimizer, [M.ConstantLR(optimizer), M.StepLR(optimizer, 2)],
                               milestones=[3])
    scheduler.step()


@pytest.mark.parametrize("scenario", [_scenario_scheduler_first, _scenario_overridden_step,
                                      _scenario_get_lr_outside_step, _scenario_right_order,
                                      _scenario_sequential_first])
def test_warnings_match_torch(scenario):
    ours = _warnings_of(lambda: scenario(lrs, make_fake_optimizer))
    theirs = _warnings_of(lambda: scenario(torch_lrs, make_torch_optimizer))
    assert ours == theirs


def test_order_warning_points_at_caller():
    optimizer = make_fake_optimizer("sgd")
    scheduler = lrs.StepLR(optimizer, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`") as record:
        scheduler.step()
    assert record[0].filename == __file__


BAD_ARGUMENTS = [
    lambda M, o: M.ConstantLR(o, factor=1.5),
    lambda M, o: M.LinearLR(o, start_factor=0.0),
    lambda M, o: M.LinearLR(o, end_factor=1.5),
    lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5),
    lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=5, eta_min="0"),
    lambda M, o: M.CyclicLR(o, 0.01, 0.1, mode="square"),
    lambda M, o: M.CyclicLR(o, [0.01, 0.02], 0.1),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1, epochs=0, steps_per_epoch=3),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=1.5),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1),
    lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="cosine"),
    lambda M, o: M.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]),
    lambda M, o: M.MultiplicativeLR(o, 0.5),
    lambda M, o: M.SequentialLR(o, [], milestones=[]),
    lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2)], milestones=[3]),
    lambda M, o: M.SequentialLR(o, [M.ReduceLROnPlateau(o)], milestones=[]),
    lambda M, o: M.ChainedScheduler([]),
    lambda M, o: M.ChainedScheduler([M.StepLR(o, 2), M.ReduceLROnPlateau(o)]),
    lambda M, o: M.ReduceLROnPlateau(o, factor=1.0),
    lambda M, o: M.ReduceLROnPlateau(o, mode="median"),
    lambda M, o: M.ReduceLROnPlateau(o, threshold_mode="log"),
    lambda M, o: M.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
]


@pytest.mark.parametrize("index", range(len(BAD_ARGUMENTS)))
def test_bad_arguments_raise_like_torch(index):
    build = BAD_ARGUMENTS[index]
    with pytest.raises(Exception) as theirs:
        build(torch_lrs, make_torch_optimizer("momentum"))
    with pytest.raises(Exception) as ours:
        build(lrs, make_fake_optimizer("momentum"))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_cycle_momentum_needs_momentum_or_betas():
    optimizer = FakeOptimizer([{"lr": 0.1}])
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        lrs.CyclicLR(optimizer, 0.01, 0.1)
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        lrs.OneCycleLR(optimizer, 0.1, total_steps=10)


def test_onecycle_past_total_steps_raises_like_torch():
    errors = []
    for module, make in ((lrs, make_fake_optimizer), (torch_lrs, make_torch_optimizer)):
        _, scheduler, optimizer = run(module, make, "momentum",
                                      lambda M, o: M.OneCycleLR(o, 0.1, total_steps=10), 10)
        with pytest.raises(ValueError) as info:
            scheduler.step()
        errors.append(str(info.value))
    assert errors[0] == errors[1] == ("Tried to step 11 times. The specified number of "
                                      "total steps is 10")


def test_rejects_object_without_param_groups():
    with pytest.raises(TypeError, match="object is not an Optimizer"):
        lrs.StepLR(object(), 3)


# ---- the optimizer's step wrapper -------------------------------------------------------

def test_step_wrapper_counts_and_returns():
    optimizer = make_fake_optimizer("sgd")
    lrs.StepLR(optimizer, 3)
    lrs.ExponentialLR(optimizer, 0.9)    # a second scheduler does not wrap twice
    assert optimizer.step() == "stepped" and optimizer.steps == 1
    assert optimizer._opt_called and optimizer.step._wrapped_by_lr_sched
    assert optimizer.step.__wrapped__ is FakeOptimizer.step


def test_optimizer_without_step_is_tolerated():
    class GroupsOnly:
        def __init__(self):
            self.param_groups = [{"lr": 0.1}]

    optimizer = GroupsOnly()
    scheduler = lrs.StepLR(optimizer, 2)
    assert _warnings_of(lambda: [scheduler.step() for _ in range(4)]) == []
    assert scheduler.get_last_lr() == [0.1 * 0.1 * 0.1]


def test_plain_function_step_is_wrapped():
    optimizer = FakeOptimizer([{"lr": 0.1}])
    calls = []
    optimizer.step = lambda: calls.append(1)
    scheduler = lrs.StepLR(optimizer, 2)
    optimizer.step()
    assert calls == [1] and optimizer._opt_called
    assert _warnings_of(scheduler.step) == []


def test_scheduler_subclass_names():
    assert issubclass(lrs._LRScheduler, lrs.LRScheduler)
    assert lrs._LRScheduler.__name__ == "_LRScheduler"
    assert not issubclass(lrs.MultiplicativeLR, lrs.LambdaLR)


# ---- tensor lrs: filled in place, never aliased -----------------------------------------

@pytest.mark.parametrize("factory", [
    lambda M, o: M.StepLR(o, step_size=3, gamma=0.5),
    lambda M, o: M.ExponentialLR(o, gamma=0.9),
    lambda M, o: M.CosineAnnealingLR(o, T_max=10),
    lambda M, o: M.LinearLR(o, start_factor=0.5, total_iters=5),
], ids=["step", "exponential", "cosine", "linear"])
def test_tensor_lr_matches_torch(factory):
    param = torch.nn.Parameter(torch.zeros(1))
    theirs_opt = torch.optim.SGD([param], lr=torch.tensor(0.1))
    ours_opt = FakeOptimizer([{"lr": torch.tensor(0.1)}])
    lr_tensor = ours_opt.param_groups[0]["lr"]
    theirs, ours = factory(torch_lrs, theirs_opt), factory(lrs, ours_opt)
    for _ in range(25):
        theirs_opt.step()
        theirs.step()
        ours_opt.step()
        ours.step()
        assert ours.get_last_lr()[0].item() == theirs.get_last_lr()[0].item()
        assert ours.get_last_lr()[0] is not lr_tensor    # a copy, not the group's tensor
    assert ours_opt.param_groups[0]["lr"] is lr_tensor    # filled in place
    assert ours.base_lrs[0] is not lr_tensor


# ---- ScheduleLR: Optax-style schedules as the lr ----------------------------------------

def test_schedule_lr_follows_schedule():
    schedule = schedules.warmup_cosine_decay_schedule(0.0, 0.1, warmup_steps=10,
                                                      decay_steps=100, end_value=1e-3)
    optimizer = make_fake_optimizer("two")
    scheduler = lrs.ScheduleLR(optimizer, schedule)
    seen = [scheduler.get_last_lr()]
    for _ in range(150):
        optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    assert seen == [[schedule(t)] * 2 for t in range(151)]
    assert optimizer.param_groups[0]["initial_lr"] == 0.1    # recorded, then ignored


def test_schedule_lr_per_group_epoch_and_state():
    fast = schedules.exponential_decay(0.1, transition_steps=5, decay_rate=0.5)
    slow = schedules.linear_schedule(0.05, 0.0, transition_steps=50)
    optimizer = make_fake_optimizer("two")
    scheduler = lrs.ScheduleLR(optimizer, [fast, slow])
    for _ in range(7):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [fast(7), slow(7)]
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(30)
    assert scheduler.get_last_lr() == [fast(30), slow(30)]

    state = scheduler.state_dict()
    assert state["schedules"] == [None, None] and state["last_epoch"] == 30
    other = lrs.ScheduleLR(make_fake_optimizer("two"), [fast, slow])
    other.load_state_dict(state)
    other.step()
    assert other.get_last_lr() == [fast(31), slow(31)]


def test_schedule_lr_matches_torch_lambda_for_a_relative_schedule():
    # LambdaLR computes base_lr * f(epoch): as a schedule, the same product, the same floats.
    ours, _, _ = run(lrs, make_fake_optimizer, "sgd",
                     lambda M, o: M.ScheduleLR(o, lambda t: 0.1 * math.cos(t / 50)), 100)
    theirs, _, _ = run(torch_lrs, make_torch_optimizer, "sgd",
                       lambda M, o: M.LambdaLR(o, lambda t: math.cos(t / 50)), 100)
    assert ours == theirs
