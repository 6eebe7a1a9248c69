"""Helpers for the nn / optim / data tests: move tensors and modules between tinytensor and
torch, run one module in both, and compare outputs and every gradient."""
import numpy as np
import pytest

import tinytensor as tt

torch = pytest.importorskip("torch")


def to_tt(t, requires_grad=None):
    """A tinytensor copy of a torch tensor (same dtype and values)."""
    out = tt.from_numpy(t.detach().numpy().copy())
    if requires_grad if requires_grad is not None else t.requires_grad:
        out.requires_grad_(True)
    return out


def to_torch(x, requires_grad=None):
    """A torch copy of a tinytensor tensor."""
    out = torch.from_numpy(np.array(x.detach().numpy()))
    if requires_grad if requires_grad is not None else x.requires_grad:
        out.requires_grad_(True)
    return out


def numpy(x):
    return np.array(x.detach().numpy())


def assert_close(ours, theirs, rtol=1e-5, atol=1e-6, what=""):
    assert tuple(ours.shape) == tuple(theirs.shape), \
        f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != {theirs.dtype}"
    np.testing.assert_allclose(numpy(ours), theirs.detach().numpy(), rtol=rtol, atol=atol,
                               err_msg=what, equal_nan=True)


def copy_module(ours, theirs):
    """Load torch module theirs' state into our module (through our load_state_dict)."""
    ours.load_state_dict({k: to_tt(v) for k, v in theirs.state_dict().items()})
    return ours


def check_module(ours, theirs, *inputs, rtol=1e-5, atol=1e-6, grad_inputs=True, seed=0):
    """Same outputs, input gradients and parameter gradients for ours and torch's theirs.

    inputs are torch tensors; float inputs get requires_grad when grad_inputs."""
    copy_module(ours, theirs)
    t_in = [x.detach().clone().requires_grad_(grad_inputs and x.is_floating_point())
            for x in inputs]
    o_in = [to_tt(x) for x in t_in]
    t_out = theirs(*t_in)
    o_out = ours(*o_in)
    t_flat, o_flat = _flatten(t_out), _flatten(o_out)
    assert len(t_flat) == len(o_flat)
    for i, (a, b) in enumerate(zip(o_flat, t_flat)):
        assert_close(a, b, rtol, atol, what=f"output {i}")
    gen = np.random.default_rng(seed)
    t_total, o_total = 0, 0
    for a, b in zip(o_flat, t_flat):
        if b.is_floating_point() and b.requires_grad:
            w = gen.standard_normal(tuple(b.shape)).astype(str(b.dtype).split(".")[-1])
            t_total = t_total + (b * torch.from_numpy(w)).sum()
            o_total = o_total + (a * tt.from_numpy(w)).sum()
    if isinstance(t_total, int):
        return t_out, o_out
    t_total.backward()
    o_total.backward()
    for i, (a, b) in enumerate(zip(o_in, t_in)):
        if b.grad is not None:
            assert a.grad is not None, f"input {i} got no gradient"
            assert_close(a.grad, b.grad, rtol, atol, what=f"grad of input {i}")
    ours_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        if p.grad is not None:
            assert ours_params[name].grad is not None, f"{name} got no gradient"
            assert_close(ours_params[name].grad, p.grad, rtol, atol, what=f"grad of {name}")
    return t_out, o_out


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _flatten(x)]
    return [out]
