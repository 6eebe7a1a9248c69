"""torch's second names and in-place forms (ops/aliases.py): each exists where torch has
it, computes what torch computes, and the in-place forms write into their tensor."""
import numpy as np
import pytest

import tinytensor as tt
from tinytensor.ops import aliases
from _gaps_helpers import check, rand, torch

# sample arguments after the tensor, by op (default: none)
ARGS = {"multiply": (2.0,), "subtract": (0.5,), "divide": (4.0,), "true_divide": (4.0,),
        "greater": (0.0,), "greater_equal": (0.0,), "less": (0.0,), "less_equal": (0.0,),
        "not_equal": (0.0,), "clip": (-0.5, 0.5), "arctan2": (np.array([0.3]),), "swapaxes": (0, 1),
        "swapdims": (0, 1), "trapz": (), "copysign": (-1.0,), "cumsum": (1,),
        "cumprod": (1,), "hypot": (np.array([2.0]),), "logaddexp": (1.0,), "logaddexp2": (1.0,),
        "heaviside": (np.array([0.5]),), "ldexp": (np.array([3.0]),),
        "nextafter": (np.array([1.0]),), "xlogy": (2.0,),
        "masked_fill": (None, 3.0), "renorm": (2, 0, 1.0), "mvlgamma": (2,),
        "clamp_max": (0.2,), "clamp_min": (0.2,), "fill": (2.0,)}
POSITIVE = {"arccosh", "acosh", "mvlgamma", "log10", "log1p", "log2", "rsqrt", "logit",
            "digamma", "i0"}


def sample(name, dtype="float64"):
    a = rand(2, 3, low=0.1, high=0.9)
    if name in POSITIVE:
        a = a + (2.0 if name in ("arccosh", "acosh", "mvlgamma") else 0.0)
    if name in ("gcd", "lcm"):
        return np.array([[4, 6, 9], [10, 0, 3]]), (np.array([6, 4, 3]),)
    args = ARGS.get(name, ())
    if name == "masked_fill":
        args = (a > 0.5,) + args[1:]
    return a, args


def run(module, fn_name, a, args, method=None):
    x = a if not isinstance(a, np.ndarray) else module.from_numpy(a.copy())
    margs = [module.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for v in args]
    if method:
        return getattr(x, method)(*margs)
    return getattr(module, fn_name)(x, *margs)


@pytest.mark.parametrize("alias", sorted(aliases.ALIASES))
def test_alias_matches_torch(alias):
    a, args = sample(alias)
    if hasattr(torch, alias):
        check(lambda m, x: run(m, alias, x, args), a)
    if hasattr(torch.Tensor, alias):
        check(lambda m, x: run(m, alias, x, args, method=alias), a)
    if hasattr(torch.Tensor, alias + "_"):
        check(lambda m, x: run(m, alias, x.clone(), args, method=alias + "_"), a)


@pytest.mark.parametrize("name", sorted(set(aliases.INPLACE)))
def test_inplace_method_writes_into_self(name):
    if not hasattr(torch.Tensor, name + "_"):
        pytest.skip(f"torch has no Tensor.{name}_")
    a, args = sample(name)
    check(lambda m, x: (lambda y: (run(m, name, y, args, method=name + "_") is y, y))(
        x.clone()), a)


@pytest.mark.parametrize("name", sorted(set(aliases.MODULE_INPLACE)))
def test_module_inplace_function(name):
    if not hasattr(torch, name + "_"):
        pytest.skip(f"torch has no torch.{name}_")
    a, args = sample(name)
    check(lambda m, x: (lambda y: (run(m, name + "_", y, args) is y, y))(x.clone()), a)


def test_second_operand_must_be_a_tensor():
    for name in ("hypot", "ldexp", "nextafter", "heaviside"):
        check(lambda m, x: getattr(m, name)(x, 1.0), rand(3))
        check(lambda m, x: getattr(x, name + "_")(1.0), rand(3))


def test_inplace_cast_rule_and_autograd():
    check(lambda m, x: x.clone().arccos_(), np.arange(3))        # Float can't go into Long
    check(lambda m, x: x.clone().cumsum_(0), np.arange(6).reshape(2, 3).astype(np.int32))
    check(lambda m, x: (x * 1).arcsin_(), rand(4, low=-0.9, high=0.9), grad=True)
    check(lambda m, x: (x * 1).multiply_(x), rand(4), grad=True)


def test_fill_and_detach_functions():
    check(lambda m, x: m.fill(x, 3), rand(2, 2))
    check(lambda m, x: m.detach(x * 2).requires_grad, rand(2), grad=False)
    x = tt.ones(3, requires_grad=True)
    assert tt.detach(x * 2).requires_grad is False
    assert tt.fill_(tt.zeros(2), 4.0).tolist() == [4.0, 4.0]
    assert tt.zero_(tt.ones(2)).tolist() == [0.0, 0.0]


def test_functional_names_at_top_level():
    x = rand(1, 3, 6)
    check(lambda m, t: m.threshold(t, 0.5, -1.0), x, grad=True)
    check(lambda m, t: m.selu(t), x, grad=True)
    check(lambda m, t: m.celu(t, 2.0), x)
    check(lambda m, t: m.dropout(t, 0.0, True), x)
    check(lambda m, t, w: m.conv1d(t, w, None, 1, 1), x, rand(2, 3, 2), grad=True)
    check(lambda m, t, w: m.conv2d(t.unsqueeze(0), w), x, rand(2, 1, 2, 2))
    check(lambda m, t: m.max_pool1d(t, 2), x, grad=True)
    check(lambda m, t: m.max_pool2d(t, 2), x)
    check(lambda m, t: m.avg_pool1d(t, 3, 2), x)
    check(lambda m, t: m.adaptive_avg_pool1d(t, 4), x)
    check(lambda m, t: m.cosine_similarity(t, t.flip(-1), 1), x, grad=True)
    check(lambda m, t: m.pairwise_distance(t[0], t[0].flip(0)), x)
    check(lambda m, t, w: m.bilinear(t[0], t[0], w, None), x, rand(2, 6, 6))
    check(lambda m, t: m.unsafe_split(t, 2, -1), x)
    check(lambda m, t: m.unsafe_chunk(t, 3, 1), x)
