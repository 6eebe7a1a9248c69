"""Adamax: Adam with the infinity norm in place of the second moment.

    m = lerp(m, g, 1 - beta1);   u = max(beta2 * u, |g| + eps)
    p = p - lr / (1 - beta1^t) * m / u

    opt = torch.optim.Adamax(model.parameters(), lr=2e-3)
"""
from tinytensor import _C
from tinytensor.optim.optimizer import (Optimizer, _check_adam_args, _hyper, _value,
                                        _weight_decayed, _zeros_like)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        return _zeros_like(p, "exp_avg", "exp_inf")

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, eps = _hyper(group["lr"]), group["eps"]
        grad = _weight_decayed(p, grad, group, lr)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.lerp_(grad, 1 - beta1)
        _C.binary("maximum", exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        clr = lr / (1 - beta1 ** _value(state["step"]))
        p.addcdiv_(exp_avg, exp_inf, value=_value(-clr))
