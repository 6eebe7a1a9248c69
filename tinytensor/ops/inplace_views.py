"""In-place view ops: `t.unsqueeze_(0)`, `t.t_()`, `t.as_strided_(...)`, `t.resize_(n)`, `t.set_(s)`.

Each makes the out-of-place view and then points t itself at it (_C.rebind), so t keeps
its identity (the object an optimizer or a list holds) as in torch.  Under autograd t
takes the view's node, as any in-place op rebases t's history (autograd/inplace.py)."""
from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.autograd.inplace import check_inplace
from tinytensor.ops import movement
from tinytensor.ops._registry import method, op


def _become(self, view, node_name=None):
    """Make self the view `view` (storage, dtype, shape, strides, offset) and its history;
    the node takes torch's name for the in-place form (UnsqueezeBackward1, ...)."""
    _C.rebind(self, view)
    self._bump_version()
    node = view._grad_fn
    if node is not None:
        if node_name is not None:
            node.__class__ = _renamed(type(node), node_name)
        self._grad_fn, self._output_nr = node, view._output_nr
    if "_view_version" in self.__dict__:
        self.__dict__["_view_version"] = self._version
    return self


_RENAMED = {}


def _renamed(cls, name):
    """cls under another name (a subclass that adds nothing), made once."""
    if (cls, name) not in _RENAMED:
        _RENAMED[cls, name] = type(name, (cls,), {"__module__": cls.__module__})
    return _RENAMED[cls, name]


def _inplace_view(view_fn, name, node_name, function=False):
    def inplace(self, *args, **kwargs):
        check_inplace(self)
        return _become(self, view_fn(self, *args, **kwargs), node_name)
    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place {view_fn.__name__}: self becomes that view of its storage."
    return op(name, function=function)(inplace)


unsqueeze_ = _inplace_view(movement.unsqueeze, "unsqueeze_", "UnsqueezeBackward1")
transpose_ = _inplace_view(movement.transpose, "transpose_", "TransposeBackward1")
swapaxes_ = _inplace_view(movement.transpose, "swapaxes_", "TransposeBackward1")
swapdims_ = _inplace_view(movement.transpose, "swapdims_", "TransposeBackward1")
as_strided_ = _inplace_view(movement.as_strided, "as_strided_", "AsStridedBackward1",
                            function=True)


@method()
def squeeze_(self, dim=None):
    """In-place squeeze(): self loses its size-1 dims (all, or those named by dim)."""
    check_inplace(self)
    node = "SqueezeBackward3" if dim is None else \
        "SqueezeBackward4" if hasattr(dim, "__index__") else "SqueezeBackward5"
    return _become(self, movement.squeeze(self, dim), node)


@method()
def t_(self):
    """In-place t(): self becomes its transpose (0-d and 1-d tensors stay as they are)."""
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{self.dim()}D")
    check_inplace(self)
    return _become(self, movement.t(self), "TBackward1")


@method()
def resize_(self, *sizes, memory_format=None):
    """Give self the shape sizes (contiguous), growing its storage and keeping its data."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    sizes = tuple(sizes[0]) if len(sizes) == 1 and not hasattr(sizes[0], "__index__") \
        else sizes
    if tuple(self.shape) != sizes:          # torch keeps the strides when nothing changes
        _C.resize_out(self, sizes)
    self._bump_version()
    return self


@op()
def resize_as_(input, the_template, memory_format=None):
    """Resize input to the_template's shape."""
    return resize_(input, the_template.shape)


# C++ type names in torch's set_ dtype error
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool"}


@method()
def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make self use source's memory: its whole view, or (offset, size, stride) from its start."""
    check_inplace(self)
    if source is None:
        view = _C.empty((0,), self.dtype)
    elif source.dtype != self.dtype:
        raise RuntimeError(f"Could not set tensor of type {_CPP_NAMES[source.dtype.name]} "
                           f"to a tensor of type {_CPP_NAMES[self.dtype.name]}")
    elif size is None:
        view = _C.alias(source)
    else:
        size = tuple(size)
        if stride is None:
            stride = _contiguous_strides(size)
        # tinytensor never grows a storage that other tensors share: out of range raises
        view = _C.as_strided(source, size, tuple(stride),
                             source.storage_offset() + storage_offset)
    if self.requires_grad and _C.is_grad_enabled():
        view = _SetStorage.apply(self, view)
    return _become(self, view)


class _SetStorage(Function, node_name="NotImplemented"):
    """set_ of a tensor in a graph: torch has no derivative for it, so backward raises."""

    @staticmethod
    def forward(ctx, input, view):
        out = _C.alias(view)
        out._base = None
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for set_ is not implemented")


def _contiguous_strides(size):
    strides, step = [], 1
    for s in reversed(size):
        strides.append(step)
        step *= max(s, 1)
    return tuple(reversed(strides))
