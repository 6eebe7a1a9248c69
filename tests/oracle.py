"""Differential testing helpers: build the same tensor in tinytensor and torch from one
numpy array, and compare results (dtype, shape, strides, values, view-ness)."""
import numpy as np
import pytest

import tinytensor as tt

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64"]
FLOAT_NAMES = ["float16", "bfloat16", "float32", "float64"]


def torch_module():
    return pytest.importorskip("torch")


def tt_dtype(name):
    return getattr(tt, name)


def torch_dtype(name):
    return getattr(torch_module(), name)


def to_numpy(t):
    """Values of a tinytensor or torch tensor as numpy (bfloat16 widened to float32)."""
    if t.dtype.__repr__().endswith("bfloat16") or str(t.dtype).endswith("bfloat16"):
        t = t.float()
    if hasattr(t, "detach"):
        t = t.detach()
    return np.array(t.numpy() if not isinstance(t, np.ndarray) else t)


def bits(t):
    """Raw bit patterns (for exact comparisons of 16-bit floats)."""
    name = str(t.dtype).split(".")[-1]
    if name in ("float16", "bfloat16"):
        t = t.contiguous().view(-1)
        if isinstance(t, tt.Tensor):
            return np.frombuffer(_raw_bytes(t), dtype=np.uint16)
        return t.view(torch_module().int16).numpy().view(np.uint16)
    return to_numpy(t)


def _raw_bytes(t):
    """The bytes of a contiguous tinytensor (works for bfloat16 too)."""
    import ctypes
    n = t.numel() * t.element_size()
    return ctypes.string_at(t.data_ptr(), n)


def pair(array, dtype_name=None):
    """(tinytensor, torch) tensors with the same values from a numpy array."""
    torch = torch_module()
    a = np.ascontiguousarray(array)
    if dtype_name is None:
        return tt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    return (tt.from_numpy(a.copy()).to(tt_dtype(dtype_name)),
            torch.from_numpy(a.copy()).to(torch_dtype(dtype_name)))


def assert_same(ours, theirs, *, rtol=None, atol=None, check_stride=True, exact=None):
    """Same dtype, shape, (strides) and values; exact for ints/bool, tolerance for floats."""
    name = str(theirs.dtype).split(".")[-1]
    assert ours.dtype.name == name, f"dtype {ours.dtype} != {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"shape {ours.shape} != {theirs.shape}"
    if check_stride:
        assert ours.stride() == theirs.stride(), f"stride {ours.stride()} != {theirs.stride()}"
    a, b = to_numpy(ours), to_numpy(theirs)
    if exact is None:
        exact = name not in FLOAT_NAMES
    if exact:
        np.testing.assert_array_equal(a, b)
    else:
        tol = {"float16": 1e-3, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-12}[name]
        np.testing.assert_allclose(a, b, rtol=rtol if rtol is not None else tol,
                                   atol=atol if atol is not None else tol, equal_nan=True)


def same_error(fn_ours, fn_theirs):
    """Both raise, and with the same exception class; returns the two exceptions."""
    with pytest.raises(Exception) as e1:
        fn_ours()
    with pytest.raises(Exception) as e2:
        fn_theirs()
    assert type(e1.value) is type(e2.value) or isinstance(e1.value, type(e2.value)), \
        f"{type(e1.value).__name__}({e1.value}) vs {type(e2.value).__name__}({e2.value})"
    return e1.value, e2.value
