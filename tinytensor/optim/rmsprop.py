"""RMSprop: divide by a running root mean square of the gradient.

    v = alpha * v + (1 - alpha) * g * g
    avg = sqrt(v - mean_g^2 (centered) or v) + eps,   mean_g = lerp(mean_g, g, 1 - alpha)
    buf = momentum * buf + g / avg;  p = p - lr * buf      (momentum > 0)
    p = p - lr * g / avg                                   (otherwise)

    opt = torch.optim.RMSprop(model.parameters(), lr=0.01)
"""
from tinytensor.optim.optimizer import (Optimizer, _check_lr, _check_nonneg, _value,
                                        _weight_decayed, _zeros_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_nonneg("momentum", momentum)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("alpha", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group):
        return _zeros_like(p, "square_avg",
                           *(("momentum_buffer",) if group["momentum"] > 0 else ()),
                           *(("grad_avg",) if group["centered"] else ()))

    def _update(self, p, grad, state, group):
        lr, alpha, eps = _value(group["lr"]), group["alpha"], group["eps"]
        momentum = group["momentum"]
        grad = _weight_decayed(p, grad, group, lr)
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf.mul_(momentum).addcdiv_(grad, avg)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(grad, avg, value=-lr)
