"""Adagrad: per-element step sizes shrinking with the sum of squared gradients.

    sum = sum + g * g
    p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)

    opt = torch.optim.Adagrad(model.parameters(), lr=0.01)
"""
from tinytensor.optim.optimizer import (Optimizer, _check_lr, _check_nonneg, _step_tensor,
                                        _value, _weight_decayed)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad); its state exists from construction, as in torch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg("lr_decay", lr_decay)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("initial_accumulator_value", initial_accumulator_value)
        _check_nonneg("epsilon", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(step=_step_tensor(), **self._new_state(p))

    def _new_state(self, p, group=None):
        from tinytensor._creation import full_like
        return {"sum": full_like(p, self.defaults["initial_accumulator_value"])}

    def share_memory(self):
        pass

    def _update(self, p, grad, state, group):
        lr = _value(group["lr"])
        step = _value(state["step"])
        grad = _weight_decayed(p, grad, group, lr)
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        state["sum"].addcmul_(grad, grad, value=1)
        std = state["sum"].sqrt().add_(group["eps"])
        p.addcdiv_(grad, std, value=-clr)
