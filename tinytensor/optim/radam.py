"""RAdam: Adam whose adaptive step is switched on once its variance is tractable.

    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    p = p - lr * m / (1 - beta1^t) * (rect * sqrt(1 - beta2^t) / (sqrt(v) + eps)  if rho_t > 5
                                      else 1)

    opt = torch.optim.RAdam(model.parameters())
"""
from tinytensor.optim.optimizer import (Optimizer, _check_adam_args, _value,
                                        _weight_decayed, _zeros_like)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (torch.optim.RAdam); decoupled_weight_decay=True gives RAdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        return _zeros_like(p, "exp_avg", "exp_avg_sq")

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, eps = _value(group["lr"]), group["eps"]
        step = _value(state["step"])
        grad = _weight_decayed(p, grad, group, lr)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
            p.add_(corrected * lr * adaptive * rect, alpha=-1.0)
        else:
            p.add_(corrected * lr, alpha=-1.0)
