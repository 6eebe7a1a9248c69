"""dtype names, torch's aliases, and finfo/iinfo."""
import numpy as np

from tinytensor import _C

bool = _C.bool_
uint8 = _C.uint8
int8 = _C.int8
int16 = _C.int16
int32 = _C.int32
int64 = _C.int64
float16 = _C.float16
bfloat16 = _C.bfloat16
float32 = _C.float32
float64 = _C.float64

# torch's aliases
half = float16
float = float32
double = float64
short = int16
int = int32
long = int64

dtype = _C.dtype


def _complex_unsupported(name):
    class _Complex:
        def __repr__(self):
            return f"torch.{name}"

        def __getattr__(self, attr):
            raise TypeError(f"{name} is not supported by tinytensor (it has bool, "
                            "integer and floating dtypes only)")
    return _Complex()


complex64 = cfloat = _complex_unsupported("complex64")
complex128 = cdouble = _complex_unsupported("complex128")

_NUMPY_NAME = {"bool": "bool_", "float16": "float16", "float32": "float32",
               "float64": "float64", "uint8": "uint8", "int8": "int8", "int16": "int16",
               "int32": "int32", "int64": "int64"}


def to_numpy_dtype(d):
    if d is bfloat16:
        raise TypeError("Got unsupported ScalarType BFloat16")
    return np.dtype(_NUMPY_NAME[d.name])


class finfo:
    """Machine limits of a floating dtype, as torch.finfo."""

    _TABLE = {
        "float16": (16, 1.0 / 1024, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 0.001, 3),
        "bfloat16": (16, 0.0078125, 3.3895313892515355e38, 1.1754943508222875e-38,
                     9.183549615799121e-41, 0.01, 2),
        "float32": (32, 1.1920928955078125e-07, 3.4028234663852886e38,
                    1.1754943508222875e-38, 1.401298464324817e-45, 1e-06, 6),
        "float64": (64, 2.220446049250313e-16, 1.7976931348623157e308,
                    2.2250738585072014e-308, 5e-324, 1e-15, 15),
    }

    def __init__(self, type=None):
        type = _C.get_default_dtype() if type is None else type
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        (self.bits, self.eps, self.max, self.smallest_normal, self.tiny_subnormal,
         self.resolution, _) = self._TABLE[type.name]
        self.min = -self.max
        self.tiny = self.smallest_normal
        self.dtype = type.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:.6e}, "
                f"max={self.max:.6e}, eps={self.eps:.6e}, "
                f"smallest_normal={self.smallest_normal:.6e}, "
                f"tiny={self.tiny:.6e}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as torch.iinfo."""

    def __init__(self, type):
        if type.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use "
                            "torch.finfo to handle 'torch.iinfo'")
        self.bits = 8 if type is bool else type.itemsize * 8
        if type is bool:
            self.min, self.max = 0, 1
        elif type.is_signed:
            self.min, self.max = -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
        else:
            self.min, self.max = 0, (1 << self.bits) - 1
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
