"""Flatten parameters into one vector and back (for line searches, second-order methods).

    vec = nn.utils.parameters_to_vector(model.parameters())
"""
import tinytensor as tt
from tinytensor.autograd.grad_mode import no_grad

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """One 1-D tensor of all parameters, concatenated in order."""
    return tt.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of vec into the parameters (in place)."""
    if not isinstance(vec, tt.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            p.copy_(vec[offset:offset + n].view_as(p))
            offset += n
