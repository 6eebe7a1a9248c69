"""Optimizers against torch for hyperparameters given as float32 tensors (torch computes the
step sizes in float32 then) and for the capturable / differentiable / fused flags on CPU."""
import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch

OPTIMIZERS = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
              ("AdamW", dict(lr=0.01)), ("Adagrad", dict(lr=0.1)), ("RMSprop", dict(lr=0.01)),
              ("NAdam", dict(lr=0.01)), ("NAdam", dict(lr=0.01, decoupled_weight_decay=True,
                                                       weight_decay=0.1)),
              ("RAdam", dict(lr=0.01)), ("Adamax", dict(lr=0.01)), ("Adadelta", dict(lr=0.5)),
              ("Rprop", dict(lr=0.01)), ("ASGD", dict(lr=0.01))]


def trajectory(lib, name, dtype, tensor_betas=False, steps=30, **kw):
    """Parameters after `steps` steps on a quadratic, lr (and betas) as float32 tensors."""
    w = lib.tensor(np.random.RandomState(0).randn(5).astype(dtype), requires_grad=True)
    kw["lr"] = lib.tensor(kw["lr"])
    if tensor_betas:
        kw["betas"] = (lib.tensor(0.9), lib.tensor(0.99))
    opt = getattr(lib.optim, name)([w], **kw)
    for _ in range(steps):
        opt.zero_grad()
        ((w - 1) ** 2 * lib.arange(1.0, 6.0, dtype=w.dtype)).sum().backward()
        opt.step()
    return np.array(w.detach().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=lambda v: v if isinstance(v, str) else "")
def test_tensor_lr_matches_torch_bitwise(name, kw, dtype):
    np.testing.assert_array_equal(trajectory(tt, name, dtype, **kw),
                                  trajectory(torch, name, dtype, **kw))


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_tensor_betas_float32_params_match_torch(name):
    np.testing.assert_array_equal(trajectory(tt, name, "float32", True, lr=0.01),
                                  trajectory(torch, name, "float32", True, lr=0.01))


@pytest.mark.xfail(strict=True, reason="torch's float32 0-d `** 0.5` (bias_correction2 with "
                   "tensor beta2) is 1 ulp off the correctly rounded sqrt ours gives; float64 "
                   "params see that ulp (~1e-9)")
def test_tensor_betas_float64_params_match_torch():
    np.testing.assert_array_equal(trajectory(tt, "Adam", "float64", True, lr=0.01),
                                  trajectory(torch, "Adam", "float64", True, lr=0.01))


def outcome(lib, name, steps=2, **kw):
    """('init' | 'step', exception class name, message) or ('ok', parameter values)."""
    p = lib.nn.Parameter(lib.ones(3))
    try:
        opt = getattr(lib.optim, name)([p], lr=0.1, **kw)
    except Exception as e:
        return "init", type(e).__name__, str(e)
    try:
        for _ in range(steps):
            p.grad = lib.ones(3)
            opt.step()
    except Exception as e:
        return "step", type(e).__name__, str(e)
    return "ok", p.detach().numpy().tolist()


def assert_same_outcome(name, flags):
    """The optimizer with flags ends as torch's: the same parameters or the same error."""
    ours, theirs = outcome(tt, name, **flags), outcome(torch, name, **flags)
    assert ours[:2] == theirs[:2]
    if ours[0] == "ok":
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    else:
        assert ours[2] == theirs[2]


FLAGS = [dict(fused=True), dict(differentiable=True), dict(fused=True, foreach=True),
         dict(fused=True, differentiable=True)]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
@pytest.mark.parametrize("flags", FLAGS + [dict(fused=True, momentum=0.9)],
                         ids=lambda f: "-".join(f))
def test_fused_and_differentiable_flags_match_torch(name, flags):
    if name != "SGD" and "momentum" in flags:
        flags = dict(fused=True, amsgrad=True)
    assert_same_outcome(name, flags)


STEP_FLAGS = ([("Adam", dict(capturable=True, fused=True)),
               ("AdamW", dict(capturable=True, fused=True))]
              + [(name, flags) for name in ["Adam", "AdamW", "RMSprop", "NAdam", "RAdam",
                                            "Adamax", "Adadelta", "Rprop", "ASGD", "Adagrad"]
                 for flags in (dict(capturable=True), dict(foreach=True, differentiable=True))
                 if not (name == "Adagrad" and "capturable" in flags)])


@pytest.mark.parametrize("name,flags", STEP_FLAGS,
                         ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_capturable_and_foreach_step_errors_match_torch(name, flags):
    assert_same_outcome(name, flags)
