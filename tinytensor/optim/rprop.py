"""Rprop: per-element step sizes grown or shrunk by the sign agreement of gradients.

    s = sign(g * g_prev) -> etaplus (agree), etaminus (flip), 1 (a zero)
    step = clamp(step * s, step_min, step_max);  g = 0 where it flipped
    p = p - sign(g) * step;  g_prev = g

    opt = torch.optim.Rprop(model.parameters())
"""
from tinytensor.optim.optimizer import Optimizer, _check_lr, _value, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation (torch.optim.Rprop)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        from tinytensor._creation import full_like
        return {**_zeros_like(p, "prev"), "step_size": full_like(p, _value(group["lr"]))}

    def _update(self, p, grad, state, group):
        etaminus, etaplus = group["etas"]
        step_min, step_max = group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        sign = grad.mul(prev).sign()
        sign[sign.gt(0)] = etaplus
        sign[sign.lt(0)] = etaminus
        sign[sign.eq(0)] = 1
        step_size.mul_(sign).clamp_(step_min, step_max)
        grad = grad.clone()
        grad[sign.eq(etaminus)] = 0
        p.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)
