"""Adam and AdamW: moment estimates with bias correction (torch's single-tensor algorithm).

    m = lerp(m, g, 1 - beta1)               # m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v (or max of all v, amsgrad)) / sqrt(1 - beta2^t) + eps
    p = p - lr / (1 - beta1^t) * m / denom

Weight decay adds weight_decay * p to g (Adam) or, decoupled (AdamW), first shrinks
p by (1 - lr * weight_decay).

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
from tinytensor import _C
from tinytensor.optim.optimizer import (Optimizer, _check_adam_args, _check_fused, _hyper, _value,
                                        _weight_decayed, _zeros_like)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (torch.optim.Adam); decoupled_weight_decay=True makes it AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        tensors = [isinstance(b, _C.TensorBase) for b in betas]
        if not (all(isinstance(b, float) for b in betas) or all(tensors)):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if tensors[i] and b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            group.setdefault("decoupled_weight_decay", False)

    def _new_state(self, p, group):
        amsgrad = ("max_exp_avg_sq",) if group["amsgrad"] else ()
        return _zeros_like(p, "exp_avg", "exp_avg_sq", *amsgrad)

    def _update(self, p, grad, state, group):
        beta1, beta2 = (_hyper(b) for b in group["betas"])
        lr, eps = _hyper(group["lr"]), group["eps"]
        grad = _weight_decayed(p, grad, group, lr)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, _value(1 - beta1))
        exp_avg_sq.mul_(_value(beta2)).addcmul_(grad, grad, value=_value(1 - beta2))
        step = _value(state["step"])
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = _value(bias_correction2 ** 0.5)
        if group["amsgrad"]:
            peak = state["max_exp_avg_sq"]
            _C.binary("maximum", peak, exp_avg_sq, out=peak)
            denom = (peak.sqrt() / bias_correction2_sqrt).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=_value(-step_size))


class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW; weight_decay defaults to 1e-2)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
