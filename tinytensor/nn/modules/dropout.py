"""Dropout layers: active in training mode, the identity after model.eval().

    drop = nn.Dropout(p=0.2)
"""
from tinytensor.nn import functional as F
from tinytensor.nn.modules.module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]


class _DropoutNd(Module):
    _fn = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p (scaling the rest by 1 / (1 - p)) in training."""
    _fn = F.dropout


class Dropout1d(_DropoutNd):
    _fn = F.dropout1d


class Dropout2d(_DropoutNd):
    """Zero whole channels with probability p in training."""
    _fn = F.dropout2d


class AlphaDropout(_DropoutNd):
    _fn = F.alpha_dropout
