"""tinytensor: a small, fast, PyTorch-compatible tensor library.

    import tinytensor as torch
    x = torch.linspace(0, 2, steps=21, requires_grad=True)
    (3 * x + 2).sum().backward()
"""
import importlib as _importlib

from tinytensor import _C
from tinytensor._C import (get_num_threads, set_num_threads, empty_cache,
                           get_default_dtype, set_default_dtype, promote_types,
                           is_grad_enabled)
from tinytensor._dtypes import (bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                                float32, float64, half, float, double, short, int, long,
                                dtype, finfo, iinfo, complex64, complex128, cfloat, cdouble)
from tinytensor._size import Size
from tinytensor._tensor import Tensor
from tinytensor._creation import (tensor, as_tensor, asarray, from_numpy, from_dlpack,
                                  empty, zeros, ones, full, empty_like, zeros_like, ones_like,
                                  full_like, empty_strided, arange, linspace, logspace, eye)
from tinytensor._legacy import (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor,
                                LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
                                BoolTensor, set_default_tensor_type)
from tinytensor._creation import range  # noqa: A001  (torch.range, deprecated there too)
from tinytensor._device import device, set_default_device, get_default_device
from tinytensor import backends, cuda, version
from tinytensor.version import __version__
from tinytensor._compat import (pi, e, inf, nan, is_storage, is_complex, is_nonzero,
                                use_deterministic_algorithms,
                                are_deterministic_algorithms_enabled,
                                is_deterministic_algorithms_warn_only_enabled,
                                set_float32_matmul_precision, get_float32_matmul_precision,
                                get_num_interop_threads, set_num_interop_threads, compile,
                                real, imag)
from tinytensor._printing import set_printoptions
from tinytensor.explain import explain, bits, loop_plan
from tinytensor.serialization import save, load
from tinytensor.random import (manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
                               Generator, default_generator)
from tinytensor.ops import _registry

# Each ops module registers its functions and Tensor methods when imported.  Modules
# that are not written yet are skipped, so the package imports at every stage.
_OPS_MODULES = ["movement", "elementwise", "reduce", "linalg", "indexing", "sorting",
                "shape", "einsum", "random"]
_OPS_MODULES += ["pointwise", "special", "statistics", "slicing", "numeric", "predicates",
                 "windows", "lu", "aliases", "inplace_views"]
for _name in _OPS_MODULES:
    try:
        _importlib.import_module(f"tinytensor.ops.{_name}")
    except ModuleNotFoundError as _e:
        if _e.name != f"tinytensor.ops.{_name}":
            raise
import tinytensor.linalg  # noqa: E402,F401  (registers torch.det, Tensor.norm, ...)
_registry.install_methods(Tensor)
globals().update({k: v for k, v in _registry.FUNCTIONS.items() if k not in globals()})

for _name in ["autograd", "nn", "optim", "utils", "func", "optax", "linalg", "special"]:
    try:
        globals()[_name] = _importlib.import_module(f"tinytensor.{_name}")
    except ModuleNotFoundError as _e:
        if _e.name != f"tinytensor.{_name}":
            raise

try:
    from tinytensor.autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled,
                                               inference_mode, is_inference_mode_enabled)
except ModuleNotFoundError:
    pass


def is_tensor(obj):
    """True when obj is a tinytensor Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from tinytensor.ops.promotion import result_type as _rt
    return _rt(tensor1, tensor2)


def typename(obj):
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


strided = "torch.strided"
