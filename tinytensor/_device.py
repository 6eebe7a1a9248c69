"""torch's device and legacy-type surface, for code written for torch: CPU only."""
from tinytensor import _C


# the device types torch.device() parses (tinytensor computes on "cpu" only)
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


class device:
    """torch.device('cpu'): tinytensor runs on the CPU only."""

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, int):           # torch.device(0) means the accelerator 0
            raise RuntimeError("Cannot access accelerator device when none is available.")
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at "
                               f"start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):         # a device never equals a string, as in torch
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        """`with torch.device('cpu'):` makes self the default device inside the block."""
        global _default_device
        _check_device(self)
        self._previous = _default_device
        _default_device = self
        return self

    def __exit__(self, *exc):
        global _default_device
        _default_device = self.__dict__.pop("_previous")


def _no_cuda(kind="cuda"):
    raise AssertionError(f"Torch not compiled with {kind.upper()} enabled (tinytensor runs "
                         f"on the CPU only; use device='cpu')")


def _check_device(d, moving=False):
    """Raise torch's error for any device but the CPU (moving: for Tensor.to(d))."""
    if d is None:
        return
    dev = d if isinstance(d, device) else device(d) if isinstance(d, str) else None
    if dev is None and isinstance(d, int):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if dev is not None and dev.type != "cpu":
        if dev.type in ("cuda", "xpu"):
            _no_cuda(dev.type)
        if moving:
            raise RuntimeError(f"PyTorch is not linked with support for {dev.type} devices "
                               f"(tinytensor runs on the CPU only)")
        # torch's class for a backend that has no kernels
        raise NotImplementedError(f"tinytensor runs on the CPU only: no '{dev.type}' device")


def _parse_to(t, args, kwargs):
    """(dtype or None, copy) from the many forms of Tensor.to()."""
    dtype = kwargs.pop("dtype", None)
    _check_device(kwargs.pop("device", None), moving=True)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, _C.dtype):
            dtype = a
        elif isinstance(a, _C.TensorBase):
            dtype = a.dtype
        elif isinstance(a, (str, device, int)):
            _check_device(a, moving=True)
        elif isinstance(a, bool):
            pass
        elif a is not None:
            dtype = _C.to_dtype(a)
    return dtype, copy


_LEGACY = {"torch.FloatTensor": "float32", "torch.DoubleTensor": "float64",
           "torch.HalfTensor": "float16", "torch.BFloat16Tensor": "bfloat16",
           "torch.LongTensor": "int64", "torch.IntTensor": "int32",
           "torch.ShortTensor": "int16", "torch.CharTensor": "int8",
           "torch.ByteTensor": "uint8", "torch.BoolTensor": "bool"}


def _dtype_from_legacy_name(name):
    if name not in _LEGACY:
        raise ValueError(f"invalid type: '{name}'")
    return _C._dtype_by_name(_LEGACY[name])


_default_device = device("cpu")


def set_default_device(d):
    """Set the default device: only 'cpu' (or None) exists in tinytensor."""
    global _default_device
    _check_device(d)
    _default_device = device("cpu" if d is None else d)


def get_default_device():
    return _default_device


class cuda:
    """torch.cuda on a machine without CUDA."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        pass

    @staticmethod
    def manual_seed_all(seed):
        pass
