"""Creation functions: tensor, zeros, ones, full, arange, linspace, eye, *_like, ..."""
import builtins
import math

import numpy as np

from tinytensor import _C
from tinytensor._device import _check_device


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of data (nested lists, numbers, ndarrays, tensors)."""
    _check_device(device)
    if isinstance(data, _C.TensorBase):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        t = _C.cast(data, dtype if dtype is not None else data.dtype)
    elif isinstance(data, np.ndarray):
        t = _C.clone(from_numpy(data)) if data.dtype != object else _C.tensor_from_data(data.tolist(), dtype)
        if dtype is not None and t.dtype != dtype:
            t = _C.cast(t, dtype)
    else:
        t = _C.tensor_from_data(data, dtype)
    return _finish(t, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, sharing memory when data already is one (or an ndarray)."""
    _check_device(device)
    if isinstance(data, _C.TensorBase):
        return data if dtype is None or dtype == data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype != object:
        t = from_numpy(data)
        return t if dtype is None or dtype == t.dtype else t.to(dtype)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing ndarray's memory: writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.kind == "c":
        raise TypeError("complex arrays are not supported by tinytensor")
    if ndarray.dtype.kind not in "biuf" or (ndarray.dtype.kind == "u" and
                                            ndarray.dtype.itemsize > 1):
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype.name}. The "
                        "only supported types are: float64, float32, float16, int64, int32, "
                        "int16, int8, uint8, and bool.")
    return _C.from_buffer_object(ndarray)


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of any DLPack producer (torch, numpy, ...)."""
    if hasattr(ext_tensor, "__dlpack__"):
        try:
            capsule = ext_tensor.__dlpack__(stream=None)
        except TypeError:
            capsule = ext_tensor.__dlpack__()
    else:
        capsule = ext_tensor
    return _C.from_dlpack_capsule(capsule)


def _new(shape, dtype, value, requires_grad, device=None):
    _check_device(device)
    t = _C.empty(_C._parse_shape(shape), dtype)
    if value is not None:
        _C.fill_(t, value)
    return _finish(t, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, **kwargs):
    """An uninitialised tensor of the given shape."""
    return _new(size, dtype, None, requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, **kwargs):
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3))."""
    return _new(size, dtype, 0, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, **kwargs):
    """A tensor of ones."""
    return _new(size, dtype, 1, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor filled with fill_value (dtype inferred from it as torch does)."""
    if fill_value is None:      # _new would read None as "leave uninitialised"
        raise TypeError("full(): argument 'fill_value' must be Number, not NoneType")
    if dtype is None:
        if isinstance(fill_value, builtins.bool):
            dtype = _C.bool_
        elif isinstance(fill_value, builtins.int):
            dtype = _C.int64
    if isinstance(size, builtins.int):
        size = (size,)
    return _new((tuple(size),), dtype, fill_value, requires_grad, device)


def _non_overlapping_and_dense(t):
    """True when t's elements fill a block of memory exactly once (any dim order)."""
    dims = sorted((s, n) for n, s in zip(t.shape, t.stride()) if n != 1)
    expected = 1
    for stride, n in dims:
        if stride != expected:
            return False
        expected *= n
    return True


def _empty_like(input, dtype=None):
    """torch.empty_like's layout (memory_format=preserve): input's strides when it is
    dense, else dense strides in the same dim order.  Samplers fill in this order."""
    dtype = input.dtype if dtype is None else dtype
    strides = input.stride() if _non_overlapping_and_dense(input) else \
        _C.dense_strides_like(input)
    return _C.empty_strided(tuple(input.shape), strides, dtype)


def _like(input, dtype, value, requires_grad, device, memory_format=None):
    if not isinstance(input, _C.TensorBase):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    _check_device(device)
    if memory_format is not None and "contiguous" in str(memory_format):
        t = _C.empty(tuple(input.shape), input.dtype if dtype is None else dtype)
    else:
        t = _empty_like(input, dtype)
    if value is not None:
        _C.fill_(t, value)
    return _finish(t, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               **kwargs):
    """An uninitialised tensor with input's shape, dtype and layout."""
    return _like(input, dtype, None, requires_grad, device, memory_format)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               **kwargs):
    return _like(input, dtype, 0, requires_grad, device, memory_format)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              **kwargs):
    return _like(input, dtype, 1, requires_grad, device, memory_format)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, **kwargs):
    return _like(input, dtype, fill_value, requires_grad, device, memory_format)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **kwargs):
    _check_device(device)
    return _finish(_C.empty_strided(tuple(size), tuple(stride), dtype), requires_grad)


def _is_float(x):
    return isinstance(x, builtins.float) or (isinstance(x, _C.TensorBase) and x.is_floating_point())


def _num(x):
    return x.item() if isinstance(x, _C.TensorBase) else x


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           out=None, **kwargs):
    """Values start, start+step, ... below end (int64 unless a bound is a float)."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not builtins.all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = _C.get_default_dtype() if builtins.any(_is_float(v) for v in (start, end, step)) \
            else _C.int64
    n = math.ceil((end - start) / step)
    if dtype.is_floating_point:
        # torch: start + i * step in double, then rounded to the dtype
        values = start + np.arange(n, dtype=np.float64) * step
    else:
        values = np.arange(n, dtype=np.int64) * builtins.int(step) + builtins.int(start) \
            if builtins.all(isinstance(v, builtins.int) for v in (start, step)) \
            else np.trunc(start + np.arange(n, dtype=np.float64) * step).astype(np.int64)
    return _finish(_C.cast(from_numpy(np.ascontiguousarray(values)), dtype), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but including end (float by default)."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    n = builtins.int(math.floor((end - start) / step)) + 1
    values = start + np.arange(n, dtype=np.float64) * step
    return _finish(_C.cast(from_numpy(values), dtype or _C.get_default_dtype()), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None,
             **kwargs):
    """steps values evenly spaced from start to end, computed as torch's CPU kernel does."""
    _check_device(device)
    start, end = _num(start), _num(end)
    if not isinstance(steps, builtins.int) or steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dtype = dtype or _C.get_default_dtype()
    if not dtype.is_floating_point:
        values = np.linspace(start, end, steps, dtype=np.float64)
        return _finish(_C.cast(from_numpy(np.trunc(values)), dtype), requires_grad)
    return _finish(_C.linspace(start, end, steps, dtype), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             **kwargs):
    """base ** linspace(start, end, steps)."""
    dtype = dtype or _C.get_default_dtype()
    ftype = np.float64 if dtype == _C.float64 else np.float32
    exps = np.asarray(linspace(start, end, steps, dtype=_C.float64, device=device))
    exps = exps.astype(np.float64)
    values = np.power(np.float64(base), exps).astype(ftype)
    return _finish(_C.cast(from_numpy(values), dtype), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, **kwargs):
    """An n x m matrix with ones on the diagonal."""
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    t = zeros(n, m, dtype=dtype, device=device)
    k = builtins.min(n, m)
    if k:
        _C.fill_(_C.as_strided(t, (k,), (m + 1,), 0), 1)
    return _finish(t, requires_grad)
