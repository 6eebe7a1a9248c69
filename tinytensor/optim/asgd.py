"""ASGD: SGD with a decaying step and a running (Polyak) average of the parameters.

    p = p * (1 - lambd * eta) - eta * g
    ax = p (before t0) or ax + mu * (p - ax)
    eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

eta and mu are 0-d tensors of the step dtype, so they round as torch's do.

    opt = torch.optim.ASGD(model.parameters(), lr=0.01)
"""
from tinytensor import _C
from tinytensor.optim.optimizer import (Optimizer, _check_lr, _check_nonneg, _step_tensor,
                                        _hyper, _value, _weight_decayed, _zeros_like)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (torch.optim.ASGD)."""

    _capturable_tensors = "params, mus, etas, and state_steps"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg("weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        return {"eta": _step_tensor(_value(group["lr"])), "mu": _step_tensor(1.0),
                **_zeros_like(p, "ax")}

    def _update(self, p, grad, state, group):
        lr, lambd, alpha, t0 = _hyper(group["lr"]), group["lambd"], group["alpha"], \
            group["t0"]
        grad = _weight_decayed(p, grad, group, lr)
        eta = _value(state["eta"])
        p.mul_(1 - lambd * eta)
        p.add_(grad, alpha=-eta)
        ax = state["ax"]
        if _value(state["mu"]) != 1:
            ax.add_(p.sub(ax).mul_(state["mu"]))
        else:
            ax.copy_(p)
        step = _value(state["step"])
        # through a default-dtype scalar, as torch.as_tensor(...) rounds them
        eta = lr / ((1 + lambd * lr * step) ** alpha)      # a tensor if lr is one
        state["eta"].copy_(eta if isinstance(eta, _C.TensorBase) else _step_tensor(eta))
        state["mu"].copy_(_step_tensor(1 / max(1, step - t0)))
