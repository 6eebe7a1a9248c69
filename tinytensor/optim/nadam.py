"""NAdam: Adam with Nesterov momentum and torch's momentum-decay schedule.

    mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay)),  prod_t = mu_1 ... mu_t
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v / (1 - beta2^t)) + eps
    p = p - lr (1 - mu_t) / (1 - prod_t) * g / denom - lr mu_{t+1} / (1 - prod_{t+1}) * m / denom

    opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
"""
from tinytensor.optim.optimizer import (Optimizer, _check_adam_args, _check_nonneg,
                                        _hyper, _step_tensor, _value, _weight_decayed,
                                        _zeros_like)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam); decoupled_weight_decay=True gives NAdamW."""

    _capturable_tensors = "params, mu_products and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        _check_nonneg("momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        return {"mu_product": _step_tensor(1.0), **_zeros_like(p, "exp_avg", "exp_avg_sq")}

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, eps = _hyper(group["lr"]), group["eps"]
        decay = group["momentum_decay"]
        step = _value(state["step"])
        bias_correction2 = 1 - beta2 ** step
        grad = _weight_decayed(p, grad, group, lr)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        # mu_product is a 0-d tensor of the step dtype: it rounds like torch's
        state["mu_product"].mul_(mu)
        mu_product = _value(state["mu_product"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()
        mu_product_next = mu_product * mu_next
        denom.add_(eps)
        p.addcdiv_(grad, denom, value=_value(-lr * (1.0 - mu) / (1.0 - mu_product)))
        p.addcdiv_(exp_avg, denom, value=_value((-lr * mu_next) / (1.0 - mu_product_next)))
