"""SparseAdam: Adam that updates only the rows a sparse gradient names (torch's "lazy Adam").

torch uses it with nn.Embedding(sparse=True), whose gradients are sparse tensors.
tinytensor has no sparse tensors: every gradient is dense, and torch's SparseAdam refuses
dense gradients, so this one checks its arguments as torch does and then raises torch's
error on step() (Adam on a dense gradient would update rows torch leaves alone).
"""
from tinytensor.optim.optimizer import Optimizer, _check_betas, _value

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """SparseAdam (torch.optim.SparseAdam): needs sparse gradients, which tinytensor lacks."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < _value(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def step(self, closure=None):
        """torch's error for the first (dense) gradient; returns closure's loss if none."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if any(p.grad is not None for p in group["params"]):
                raise RuntimeError("SparseAdam does not support dense gradients, please "
                                   "consider Adam instead")
        return loss
