"""Parameter and Buffer: tensors that a Module registers when they are assigned to it.

    w = nn.Parameter(torch.zeros(3))     # shares zeros' memory, a leaf, requires_grad=True
    isinstance(w, torch.Tensor)          # True: every tensor op accepts it
"""
from tinytensor import _C
from tinytensor._tensor import Tensor


def _retype(data, cls):
    """A new leaf object of class cls sharing data's memory (torch's _make_subclass)."""
    if not isinstance(data, _C.TensorBase):
        raise TypeError(f"{cls.__name__}(): argument 'data' must be Tensor, not "
                        f"{type(data).__name__}")
    t = _C.alias(data)
    # Same memory layout (both are Python subclasses of TensorBase), so this is allowed.
    t.__class__ = cls
    t._base = None
    t._grad_fn = None
    t._requires_grad = False
    return t


class Parameter(Tensor):
    """A tensor that is a module parameter: a leaf that requires grad by default."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.empty((0,), _C.get_default_dtype())
        t = _retype(data, cls)
        t.requires_grad_(requires_grad)
        return t

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = type(self)(self.detach().clone(), self.requires_grad)
        if self._grad is not None:
            out._grad = self._grad.clone()
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, proto):
        data = super().__reduce_ex__(proto)
        return (_rebuild_parameter, (data, self.requires_grad))


def _rebuild_parameter(reduced, requires_grad):
    rebuild, args = reduced
    return Parameter(rebuild(*args), requires_grad)


class Buffer(Tensor):
    """A tensor marked to become a module buffer when assigned (persistent by default)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _C.empty((0,), _C.get_default_dtype())
        t = _retype(data, cls)
        t.persistent = persistent
        return t


def is_lazy(param):
    """tinytensor has no lazy modules: always False."""
    return False
