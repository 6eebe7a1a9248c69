"""Run one lambda on tinytensor and on torch with the same inputs and compare results
(values, dtype, shape), exceptions (class) and gradients -- for the test_gaps_* files."""
import numpy as np
import pytest

import tinytensor as tt
from oracle import assert_same, same_error, torch_module

torch = torch_module()


def inputs(arrays, dtype=None, grad=False):
    """(tinytensor args, torch args): numpy arrays become tensors, other values stay."""
    ours, theirs = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            o, t = tt.from_numpy(a.copy()), torch.from_numpy(a.copy())
            if dtype is not None:
                o, t = o.to(getattr(tt, dtype)), t.to(getattr(torch, dtype))
            if grad and o.is_floating_point():
                o.requires_grad_(), t.requires_grad_()
            ours.append(o), theirs.append(t)
        else:
            ours.append(a), theirs.append(a)
    return ours, theirs


def compare(ours, theirs, **kw):
    """Same structure: tensors compared by assert_same, tuples element by element."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            compare(o, t, **kw)
    elif isinstance(theirs, torch.Tensor):
        assert_same(ours, theirs, check_stride=False, **kw)
    else:
        assert ours == theirs


def check(fn, *arrays, dtype=None, grad=False, **kw):
    """fn(module, *tensors) agrees on both libraries (or both raise the same class);
    with grad=True the gradients of sum(result) agree too."""
    ours, theirs = inputs(arrays, dtype, grad)
    try:
        expected = fn(torch, *theirs)
    except Exception:
        same_error(lambda: fn(tt, *ours), lambda: fn(torch, *theirs))
        return
    got = fn(tt, *ours)
    compare(got, expected, **kw)
    if grad:
        first = lambda r: r[0] if isinstance(r, (tuple, list)) else r  # noqa: E731
        first(expected).sum().backward()
        first(got).sum().backward()
        for o, t in zip(ours, theirs):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert (o.grad is None) == (t.grad is None)
                if t.grad is not None:
                    assert_same(o.grad, t.grad, check_stride=False, **kw)


def rand(*shape, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def needs(name):
    """Skip until tinytensor has name (ops another helper's branch brings; these tests
    then check that implementation against torch)."""
    return pytest.mark.skipif(not hasattr(tt, name) and not hasattr(tt.Tensor, name),
                              reason=f"{name} arrives with another branch")
