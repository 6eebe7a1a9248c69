"""Questions torch code asks of a tensor (is_signed, is_same_size, is_inference, ...), the
autograd bookkeeping attribute output_nr, scalar_tensor, and apply_/map_."""
from tinytensor import _C
from tinytensor.ops._registry import op, method

_UNSIGNED = ("bool", "uint8")


@op()
def is_signed(input):
    """True unless input's dtype is bool or uint8."""
    return input.dtype.name not in _UNSIGNED


@op()
def is_same_size(input, other):
    """True when both have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


@op()
def is_inference(input):
    """False: tinytensor does not make inference tensors (inference_mode is no_grad)."""
    return False


@op()
def is_neg(input):
    """False: tinytensor has no lazy negation bit."""
    return False


@op()
def resolve_neg(input):
    """input itself (no lazy negation to resolve)."""
    return input


@method()
def dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    return tuple(sorted(range(self.dim()), key=lambda d: -self.stride(d)))


@method("output_nr")
@property
def output_nr(self):
    """Which output of its grad_fn this tensor is."""
    return self._output_nr


@op(method=False)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None,
                  requires_grad=False):
    """A 0-d tensor holding s (default float dtype)."""
    from tinytensor import tensor
    return tensor(float(s) if dtype is None else s, dtype=dtype or _C.get_default_dtype(),
                  device=device, requires_grad=requires_grad)


@method()
def apply_(self, callable):
    """Replace each element x by callable(x) (a Python loop, as torch's)."""
    from tinytensor import tensor
    values = [callable(v) for v in self.reshape(-1).tolist()]
    _C.copy_(self, tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


@method()
def map_(self, tensor, callable):
    """Replace each element x by callable(x, y), y the broadcast element of tensor."""
    from tinytensor import tensor as make
    if tensor.dtype != self.dtype:
        raise TypeError(f"map_: expected {self.type()} for 'other' (got {tensor.type()})")
    other = tensor.broadcast_to(self.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
    _C.copy_(self, make(values, dtype=self.dtype).reshape(self.shape))
    return self
