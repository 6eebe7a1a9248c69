"""Adamax: Adam with the infinity norm in place of the second moment.

    m = lerp(m, g, 1 - beta1);   u = max(beta2 * u, |g| + eps)
    p = p - lr / (1 - beta1^t) * m / u

    opt = torch.optim.Adamax(model.parameters(), lr=2e-3)
"""
from tinytensor import _C
from tinytensor.optim.optimizer import (Optimizer, _check_betas, _check_lr, _step_tensor,
                                        _value)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure's loss if given."""
        from tinytensor._creation import zeros_like
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads = self._params_with_grad(group)
            beta1, beta2 = group["betas"]
            lr, eps, wd = _value(group["lr"]), group["eps"], group["weight_decay"]
            for p, grad in zip(params, grads):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_inf"] = zeros_like(p)
                if group["maximize"]:
                    grad = -grad
                state["step"].add_(1)
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                _C.binary("maximum", exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
                clr = lr / (1 - beta1 ** _value(state["step"]))
                p.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss
