"""save and load in torch's file format: a zip of data.pkl plus one raw file per storage.

Note [torch's checkpoint format]: torch.save writes a zip archive `name/data.pkl`,
`name/data/0`, `name/data/1`, ... `name/version`.  The pickle refers to each tensor as
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`,
where `storage` is a persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
naming the raw little-endian bytes in `name/data/<key>`.  Writing the same records makes
our checkpoints load in torch (torch.load(path) with its default weights_only=True),
and reading them lets us load torch's.  We write these names as plain pickle opcodes,
so saving needs no torch installed.  Each tensor is saved as its own contiguous storage,
so a view saves only the elements it shows.

load() defaults to weights_only=True as torch (2.6+) does: it rebuilds tensors, numbers,
strings and containers, and refuses other classes unless weights_only=False.

    torch.save(model.state_dict(), "model.pt")
    model.load_state_dict(torch.load("model.pt"))
"""
import io
import os
import pickle
import zipfile

import numpy as np

from tinytensor import _C

__all__ = ["save", "load"]

# torch's storage class name per dtype, and the numpy dtype of its raw bytes
_STORAGES = {"float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
             "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
             "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
             "bool": "BoolStorage"}
_RAW = {"float64": "<f8", "float32": "<f4", "float16": "<f2", "bfloat16": "<u2",
        "int64": "<i8", "int32": "<i4", "int16": "<i2", "int8": "i1", "uint8": "u1",
        "bool": "?"}


# ---- writing ----------------------------------------------------------------------------------
class _Global:
    """A name written into the pickle as GLOBAL 'module name' (torch's, not imported)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):      # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} only names a function in a pickle")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _Storage:
    """One tensor's bytes, written as data/<key>."""

    def __init__(self, key, dtype_name, raw, numel):
        self.key, self.dtype_name, self.raw, self.numel = key, dtype_name, raw, numel


def _raw_bytes(t):
    """The contiguous little-endian bytes of tensor t (bfloat16 as its 16-bit patterns)."""
    t = t.detach().contiguous()
    if t.dtype == _C.bfloat16:
        bits = np.asarray(t.float()).view(np.uint32) >> 16      # exact: bf16 -> f32 widens
        return bits.astype("<u2").tobytes()
    return np.ascontiguousarray(np.asarray(t)).astype(_RAW[t.dtype.name]).tobytes()


class _TorchPickler(pickle._Pickler):
    """A pickler writing tensors as torch's rebuild calls over persistent storages."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = []

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", _Global("torch", _STORAGES[obj.dtype_name]), obj.key, "cpu",
                    obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, _Global):
            return NotImplemented
        if isinstance(obj, _C.TensorBase):
            from tinytensor.nn.parameter import Parameter
            storage = _Storage(str(len(self.storages)), obj.dtype.name, _raw_bytes(obj),
                               obj.numel())
            self.storages.append(storage)
            stride = tuple(int(s) for s in _C.contiguous(obj.detach()).stride())
            args = (storage, 0, tuple(obj.shape), stride,
                    obj.requires_grad and not isinstance(obj, Parameter), _HOOKS)
            if isinstance(obj, Parameter):
                return _REBUILD_PARAMETER, (_Rebuilt(args), obj.requires_grad, _HOOKS)
            return _REBUILD_TENSOR, args
        if isinstance(obj, _Rebuilt):
            return _REBUILD_TENSOR, obj.args
        if isinstance(obj, _EmptyOrderedDict):
            return _ORDERED_DICT, ()
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
            return
        super().save(obj, save_persistent_id)


class _Rebuilt:
    """The tensor inside a rebuilt Parameter."""

    def __init__(self, args):
        self.args = args


class _EmptyOrderedDict:
    """torch's empty backward_hooks argument: OrderedDict()."""


_HOOKS = _EmptyOrderedDict()


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write obj (tensors, state_dicts, containers, modules) to a path or binary file."""
    buf = io.BytesIO()
    pickler = _TorchPickler(buf, max(pickle_protocol, 2))
    pickler.dump(obj)
    name = "archive"
    if isinstance(f, (str, os.PathLike)):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{name}/data.pkl", buf.getvalue())
        z.writestr(f"{name}/.format_version", "1")
        z.writestr(f"{name}/byteorder", "little")
        for s in pickler.storages:
            z.writestr(f"{name}/data/{s.key}", s.raw)
        z.writestr(f"{name}/version", "3\n")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            handle.write(target.getvalue())
    else:
        f.write(target.getvalue())


# ---- reading ----------------------------------------------------------------------------------
def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    from tinytensor._creation import from_numpy
    array, dtype_name = storage
    size, stride = tuple(size), tuple(stride)
    item = array.itemsize
    view = np.lib.stride_tricks.as_strided(array[storage_offset:], shape=size,
                                           strides=tuple(s * item for s in stride))
    values = np.array(view)     # a copy, in our own memory
    if dtype_name == "bfloat16":
        widened = (values.astype(np.uint32) << 16).view(np.float32)
        t = from_numpy(widened).to(_C.bfloat16)
    else:
        t = from_numpy(values)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, state=None):
    from tinytensor.nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _torch_device(*args):
    from tinytensor._device import device
    return device(*args)


_TORCH_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch", "device"): _torch_device,
}
_TORCH_GLOBALS.update({("torch", storage): name for name, storage in _STORAGES.items()})

# What weights_only=True may rebuild besides torch's tensor records.
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"), ("collections", "defaultdict"), ("builtins", "set"),
    ("builtins", "frozenset"), ("builtins", "slice"), ("builtins", "complex"),
    ("builtins", "dict"), ("builtins", "list"), ("builtins", "tuple"),
    ("builtins", "bytearray"), ("_codecs", "encode"),
    ("tinytensor._tensor", "_rebuild_tensor"), ("tinytensor.nn.parameter", "_rebuild_parameter"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
}


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, weights_only, read_storage, **kwargs):
        super().__init__(file, **kwargs)
        self.weights_only = weights_only
        self.read_storage = read_storage
        self.cache = {}

    def find_class(self, module, name):
        if (module, name) in _TORCH_GLOBALS:
            return _TORCH_GLOBALS[(module, name)]
        if not self.weights_only or (module, name) in _SAFE_GLOBALS or (
                module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not "
            "an allowed global by default. In tinytensor, load(f, weights_only=False) "
            "rebuilds any object; do it only for files from a source you trust.")

    def persistent_load(self, pid):
        kind, dtype_name, key, location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        if key not in self.cache:
            raw = self.read_storage(key)
            self.cache[key] = (np.frombuffer(raw, dtype=_RAW[dtype_name]), dtype_name)
        return self.cache[key]


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read back a file written by save() or by torch.save (tensors come back as ours)."""
    if weights_only is None:
        weights_only = True
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            data = handle.read()
    else:
        data = f.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):      # a plain pickle
        return _Unpickler(io.BytesIO(data), weights_only, None, **pickle_load_args).load()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        pkl = next(n for n in z.namelist() if n.endswith("data.pkl"))
        prefix = pkl[:-len("data.pkl")]

        def read_storage(key):
            return z.read(f"{prefix}data/{key}")
        return _Unpickler(io.BytesIO(z.read(pkl)), weights_only, read_storage,
                          **pickle_load_args).load()
