"""Tensor: the user-facing class.

The fields live in the Cython base class (_C.TensorBase: the view of the storage and the
autograd slots).  This class adds the Python-level behaviour: autograd properties,
casts, printing, numpy/DLPack interop, and every op registered by tinytensor/ops/."""
import builtins
import warnings
import weakref

from tinytensor import _C, _printing
from tinytensor._device import _dtype_from_legacy_name, _no_cuda, _parse_to, device
from tinytensor._dtypes import to_numpy_dtype
from tinytensor._size import Size
from tinytensor.ops import _registry


class Tensor(_C.TensorBase):
    """A strided view of a block of memory, with autograd (like torch.Tensor)."""

    __array_priority__ = 1000       # numpy defers `ndarray * tensor` to us

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(*sizes): the legacy float32 constructor
        from tinytensor._legacy import tensor_new
        return tensor_new(args, kwargs)

    def __init__(self, *args, **kwargs):
        pass

    __hash__ = object.__hash__

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _C.recycle_objects(cls)     # as Tensor's: `t.__class__ = cls` needs one deallocator

    # ---- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf "
                               "variables." + ("" if value else " If you want to use a "
                               "computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach()."))
        if value and not (self.is_floating_point()):
            raise RuntimeError("only Tensors of floating point dtype can require "
                               "gradients")
        self._requires_grad = builtins.bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad on a leaf in place; returns self (a no-op on non-leaves
        asked to require grad, as in torch)."""
        if requires_grad and self._grad_fn is not None:
            return self
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._base is None:
            return self._grad_fn
        return _current_grad_fn(self)    # a view whose base changed in place: rebuilt

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being "
                "accessed. Its .grad attribute won't be populated during "
                "autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                "access the non-leaf Tensor by mistake, make sure you access the leaf "
                "Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                "informations.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, _C.TensorBase):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value.dtype != self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def _accumulator(self):
        """The AccumulateGrad node of this leaf (one per leaf while a graph uses it)."""
        return _leaf_accumulator(self)

    def detach(self):
        """A new tensor sharing storage, cut from the graph (and from its view base)."""
        out = _C.alias(self)
        out._base = None
        return out

    def detach_(self):
        """Cut self from the graph in place."""
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, value):
        # self takes value's memory, keeping its identity: Module.to() converts the very
        # Parameter objects an optimizer holds (as torch's `param.data = new`)
        if not isinstance(value, _C.TensorBase):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(value).__name__}")
        if self._requires_grad and not value.is_floating_point():
            raise RuntimeError("data set to a tensor that requires gradients must be "
                               "floating point or complex dtype")
        _C.rebind(self, value)

    # ---- device compatibility (CPU only) -----------------------------------------------
    @property
    def device(self):
        return device("cpu")

    is_cuda = False
    is_cpu = True
    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "torch.strided"

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        _no_cuda()

    # ---- dtype conversion -----------------------------------------------------------------
    def to(self, *args, **kwargs):
        """Convert dtype (and accept device='cpu'): returns self when nothing changes."""
        dtype, copy = _parse_to(self, args, kwargs)
        if dtype is None or dtype == self.dtype:
            return self.clone() if copy else self
        return _movement.ToCopy.apply(self, dtype)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The legacy type name ('torch.FloatTensor'), or a cast to dtype."""
        if dtype is None:
            return _C.legacy_type_name(self)
        if isinstance(dtype, str):
            dtype = _dtype_from_legacy_name(dtype)
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(_C.float32)

    def double(self):
        return self.to(_C.float64)

    def half(self):
        return self.to(_C.float16)

    def bfloat16(self):
        return self.to(_C.bfloat16)

    def int(self):
        return self.to(_C.int32)

    def long(self):
        return self.to(_C.int64)

    def short(self):
        return self.to(_C.int16)

    def char(self):
        return self.to(_C.int8)

    def byte(self):
        return self.to(_C.uint8)

    def bool(self):
        return self.to(_C.bool_)

    # ---- in-place writes ------------------------------------------------------------------
    def _check_inplace(self):
        if _C.is_grad_enabled() and self._grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")

    def fill_(self, value):
        """Set every element to value; returns self."""
        self._check_inplace()
        return _C.fill_(self, value)

    def zero_(self):
        """Set every element to 0; returns self."""
        self._check_inplace()
        return _C.fill_(self, 0)

    def copy_(self, src, non_blocking=False):
        """Copy src's values into self (broadcasting and casting); returns self."""
        self._check_inplace()
        if not isinstance(src, _C.TensorBase):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not "
                            f"{type(src).__name__}")
        return _C.copy_(self, src, True)     # with torch's overlap checks

    def __setitem__(self, index, value):
        if _C.is_grad_enabled() and (self.requires_grad or (
                isinstance(value, _C.TensorBase) and value.requires_grad)):
            _setitem_with_grad(self, index, value)      # records CopySlices/IndexPut
            return
        _C.setitem(self, index, value)

    # ---- Python protocol ------------------------------------------------------------------
    def __repr__(self, *, tensor_contents=None):
        return _format(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __float__(self):
        return builtins.float(self._scalar("float"))

    def __int__(self):
        return builtins.int(self._scalar("int"))

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with "
                               f"{'no values' if self.numel() == 0 else 'more than one value'}"
                               f" is ambiguous")
        return builtins.bool(self.item())

    def __index__(self):
        if self.is_floating_point() or self.numel() != 1 or self.dtype == _C.bool_:
            raise TypeError("only integer tensors of a single element can be converted "
                            "to an index")
        return self.item()

    def _scalar(self, what):
        if self.numel() != 1:
            raise ValueError(f"only one element tensors can be converted to Python "
                             f"scalars")
        return self.item()

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reversed__(self):
        return iter(self.flip(0) if hasattr(self, "flip") else self.unbind(0)[::-1])

    def __contains__(self, element):
        return builtins.bool((self == element).any())

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor, (self.detach().contiguous().numpy().copy()
                                  if self.dtype != _C.bfloat16
                                  else self.detach().float().numpy().copy(),
                                  self.dtype.name, self.requires_grad))

    def __deepcopy__(self, memo):
        out = self.detach().clone()
        out._requires_grad = self._requires_grad and self.is_leaf
        if self._grad is not None:
            out._grad = self._grad.clone()
        memo[id(self)] = out
        return out

    # ---- numpy and DLPack ---------------------------------------------------------------------
    def numpy(self, *, force=False):
        """An ndarray sharing this tensor's memory."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        import numpy as np
        if self.dtype == _C.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return np.asarray(self)

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        a = np.asarray(memoryview(self)) if self.dtype != _C.bfloat16 else \
            np.asarray(memoryview(self.float()))
        return a if dtype is None else a.astype(dtype)

    def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use "
                               "tensor.detach()")
        return _C.to_dlpack(self, max_version is not None and max_version[0] >= 1)

    def __dlpack_device__(self):
        return (1, 0)       # kDLCPU, device 0

    # ---- views (the ops live in tinytensor/ops/movement.py) -------------------------------------
    @property
    def T(self):
        if self.dim() == 2:
            return self.t()
        return self.permute(tuple(range(self.dim() - 1, -1, -1)))

    @property
    def mT(self):
        if self.dim() < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of "
                               "matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T

    @property
    def mH(self):
        return self.mT

    def new_empty(self, *size, dtype=None, requires_grad=False, **kwargs):
        from tinytensor._creation import empty
        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad, **kwargs)

    def new_zeros(self, *size, dtype=None, requires_grad=False, **kwargs):
        from tinytensor._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad, **kwargs)

    def new_ones(self, *size, dtype=None, requires_grad=False, **kwargs):
        from tinytensor._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad, **kwargs)

    def new_full(self, size, fill_value, *, dtype=None, requires_grad=False, **kwargs):
        from tinytensor._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad,
                    **kwargs)

    def new_tensor(self, data, dtype=None, requires_grad=False, **kwargs):
        from tinytensor._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=kwargs.get("device"),
                      requires_grad=requires_grad)


def _rebuild_tensor(array, dtype_name, requires_grad):
    from tinytensor._creation import tensor
    t = tensor(array, dtype=_C._dtype_by_name(dtype_name))
    t._requires_grad = requires_grad
    return t


def _format(t, prefix="tensor("):
    """The repr of t via tinytensor/_printing.py."""
    import numpy as np
    v = t.detach()
    if v.dtype in (_C.float16, _C.bfloat16):
        values = np.asarray(_C.cast(v, _C.float32))
    else:
        values = np.asarray(v)
    suffixes = []
    fn = t.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _printing.format_tensor(values, t.dtype.name,
                                   default_float_name=_C.get_default_dtype().name,
                                   prefix=prefix, suffixes=suffixes)


_C.set_tensor_type(Tensor, Size)

from tinytensor.autograd.function import (current_grad_fn as _current_grad_fn,  # noqa: E402
                                          _accumulator as _leaf_accumulator)
from tinytensor.autograd.inplace import setitem_with_grad as _setitem_with_grad  # noqa: E402
from tinytensor.ops import movement as _movement  # noqa: E402  (imports Tensor: after it)
