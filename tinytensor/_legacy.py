"""torch's legacy tensor types: FloatTensor, LongTensor, ... and torch.Tensor(...).

    torch.FloatTensor([1, 2])              # data -> a float32 tensor
    torch.LongTensor(2, 3)                 # sizes -> an uninitialised int64 tensor
    isinstance(x, torch.FloatTensor)       # True for every float32 tensor
    x.type(torch.DoubleTensor)             # a cast, as x.double()

As in torch, the classes are not Tensor subclasses: constructing one returns a plain
Tensor, and isinstance() compares the dtype (their metaclass answers it)."""
import builtins

from tinytensor import _C
from tinytensor._size import Size

_DTYPES = [_C.float32, _C.float64, _C.float16, _C.bfloat16, _C.int64, _C.int32, _C.int16,
           _C.int8, _C.uint8, _C.bool_]


def _check_legacy_device(kwargs):
    """The legacy constructors take only device= (CPU), as torch's."""
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"keyword arguments {sorted(kwargs)}; only device= is accepted")
    if device is not None:
        from tinytensor._device import device as _device
        kind = _device(device).type
        if kind != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device "
                               f"type: {kind} was passed")


def _is_size(args):
    """True when args are sizes: ints (not bools) or one torch.Size."""
    if len(args) == 1 and isinstance(args[0], Size):
        return True
    return builtins.all(isinstance(a, builtins.int) and not isinstance(a, builtins.bool)
                        for a in args)


def legacy_new(dtype, args, kwargs, any_dtype_alias=False):
    """torch's legacy constructor: () empty, (*sizes), (tensor) an alias, or (data).

    A tensor argument of another dtype is aliased by torch.Tensor (any_dtype_alias) and
    refused by the typed classes, as torch does."""
    _check_legacy_device(dict(kwargs))
    if len(args) == 0:
        return _C.empty((0,), dtype)
    if _is_size(args):
        shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(args)
        if builtins.any(s < 0 for s in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{builtins.min(shape)}: {list(shape)}")
        return _C.empty(shape, dtype)
    if len(args) == 1 and isinstance(args[0], _C.TensorBase):
        other = args[0]
        if other.dtype != dtype and not any_dtype_alias:
            raise TypeError(f"expected {_C.legacy_type_name(_C.empty((0,), dtype))} (got "
                            f"{other.type()})")
        return other[...]           # an alias, AliasBackward0 as torch
    if len(args) == 1 and not isinstance(args[0], (str, builtins.bool, builtins.int,
                                                   builtins.float)):
        from tinytensor._creation import tensor
        return tensor(args[0], dtype=dtype)
    bad = next(a for a in args if not isinstance(a, builtins.int) or isinstance(a, builtins.bool))
    if len(args) == 1:
        raise TypeError(f"new(): data must be a sequence (got {type(bad).__name__})")
    raise TypeError(f"new(): argument 'size' must be tuple of ints, but found element of "
                    f"type {type(bad).__name__}")


def tensor_new(args, kwargs):
    """torch.Tensor(...): the legacy constructor of the default dtype."""
    return legacy_new(_C.get_default_dtype(), args, kwargs, any_dtype_alias=True)


class _LegacyTensorType(type):
    """The metaclass of FloatTensor etc.: isinstance() checks the dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _C.TensorBase) and obj.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_class(dtype):
    name = _C.legacy_type_name(_C.empty((0,), dtype)).split(".")[-1]

    def __new__(cls, *args, **kwargs):
        return legacy_new(dtype, args, kwargs)

    # `name` lets every dtype= argument (x.type(FloatTensor), x.to(...)) accept the class.
    return _LegacyTensorType(name, (), {
        "__new__": __new__, "dtype": dtype, "name": dtype.name, "is_cuda": False,
        "is_sparse": False, "__module__": "tinytensor",
        "__doc__": f"Legacy constructor: {name}(data) or {name}(*sizes) makes a {dtype} "
                   f"tensor; isinstance(x, {name}) is x.dtype == {dtype}."})


LEGACY_TYPES = {cls.__name__: cls for cls in map(_legacy_class, _DTYPES)}
FloatTensor = LEGACY_TYPES["FloatTensor"]
DoubleTensor = LEGACY_TYPES["DoubleTensor"]
HalfTensor = LEGACY_TYPES["HalfTensor"]
BFloat16Tensor = LEGACY_TYPES["BFloat16Tensor"]
LongTensor = LEGACY_TYPES["LongTensor"]
IntTensor = LEGACY_TYPES["IntTensor"]
ShortTensor = LEGACY_TYPES["ShortTensor"]
CharTensor = LEGACY_TYPES["CharTensor"]
ByteTensor = LEGACY_TYPES["ByteTensor"]
BoolTensor = LEGACY_TYPES["BoolTensor"]


def set_default_tensor_type(t):
    """Deprecated torch API: set the default float dtype from a legacy type or its name."""
    import warnings
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                  "use torch.set_default_dtype() and torch.set_default_device() as "
                  "alternatives.", UserWarning, stacklevel=2)
    if isinstance(t, str):
        if t.startswith("torch.cuda."):
            raise TypeError(f"type {t} not available. Torch not compiled with CUDA enabled.")
        if not (t.startswith("torch.") and t[len("torch."):] in LEGACY_TYPES):
            raise TypeError(f"invalid type: '{t}'")
        t = LEGACY_TYPES[t[len("torch."):]]
    if not isinstance(t, _LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as "
                        "the default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C.set_default_dtype(t.dtype)
