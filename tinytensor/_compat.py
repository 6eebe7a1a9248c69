"""The parts of torch's API that a CPU-only library answers without computing anything:
tensor.get_device(), pin_memory(), deterministic and matmul-precision flags, torch.pi.

Real torch code calls these to pick a device or set up reproducibility; each answers as
torch's CPU build does, so such code runs unchanged."""
import math

from tinytensor import _C
from tinytensor.ops import _registry
from tinytensor.ops._registry import method

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan

_flags = {"deterministic": False, "warn_only": False, "matmul_precision": "highest",
          "interop_threads": 1}


# ---- tensor methods --------------------------------------------------------------------
@_registry.op()
def get_device(self):
    """The CUDA device index, or -1 for a CPU tensor (always, here)."""
    return -1


@method()
def is_pinned(self, device=None):
    """False: pinned (page-locked) memory only exists next to an accelerator."""
    return False


@method()
def pin_memory(self, device=None):
    """Fails as on torch's CPU build: there is no accelerator to pin memory for."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


@method()
def share_memory_(self):
    """self: tinytensor's workers run in-process, so memory is shared already."""
    return self


@method()
def new(self, *args, **kwargs):
    """The legacy constructor of self's dtype: x.new(2, 3), x.new([1, 2]), x.new()."""
    from tinytensor._legacy import legacy_new
    return legacy_new(self.dtype, args, kwargs)


# ---- torch.* functions -----------------------------------------------------------------
def _tensor_arg(name, input):
    if not isinstance(input, _C.TensorBase):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def real(input):
    """input itself: every tinytensor dtype is real."""
    _tensor_arg("real", input)
    return input


def imag(input):
    """Fails as torch does for real dtypes (tinytensor has no complex ones)."""
    _tensor_arg("imag", input)
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


_registry.METHODS["real"] = property(real)
_registry.METHODS["imag"] = property(imag)


def is_storage(obj):
    """False: tinytensor has no separate Storage objects."""
    return False


def is_complex(input):
    """True for complex dtypes (tinytensor has none)."""
    _tensor_arg("is_complex", input)
    return input.is_complex()


@_registry.op()
def is_nonzero(input):
    """The truth value of a one-element tensor (torch's errors otherwise)."""
    _tensor_arg("is_nonzero", input)
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the flag: tinytensor's CPU kernels are deterministic already."""
    _flags["deterministic"], _flags["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _flags["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _flags["warn_only"]


def set_float32_matmul_precision(precision):
    """Record the setting: float32 matmul always runs in full float32 here."""
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _flags["matmul_precision"]


def get_num_interop_threads():
    """1: tinytensor runs no inter-op thread pool."""
    return _flags["interop_threads"]


def set_num_interop_threads(n):
    _flags["interop_threads"] = int(n)


def compile(model=None, **kwargs):
    """model unchanged: tinytensor has no compiler (usable as @torch.compile too)."""
    if model is None:
        return lambda m: m
    return model
