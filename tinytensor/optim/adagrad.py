"""Adagrad: per-element step sizes shrinking with the sum of squared gradients.

    sum = sum + g * g
    p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)

    opt = torch.optim.Adagrad(model.parameters(), lr=0.01)
"""
from tinytensor.optim.optimizer import Optimizer, _check_lr, _step_tensor, _value

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad); its state exists from construction, as in torch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        from tinytensor._creation import full_like
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = full_like(p, self.defaults["initial_accumulator_value"])
        return state

    def share_memory(self):
        pass

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure's loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads = self._params_with_grad(group)
            lr, wd = _value(group["lr"]), group["weight_decay"]
            for p, grad in zip(params, grads):
                state = self.state[p] or self._init_state(p)
                state["step"].add_(1)
                step = _value(state["step"])
                if group["maximize"]:
                    grad = -grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                clr = lr / (1 + (step - 1) * group["lr_decay"])
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(group["eps"])
                p.addcdiv_(grad, std, value=-clr)
        return loss
