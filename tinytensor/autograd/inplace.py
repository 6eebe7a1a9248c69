"""In-place operations under autograd: rebasing history, CopySlices, `x[idx] = value`.

An in-place op on a tensor t makes t's *new* value the output of the op's node ("rebase
history").  When t is a view of a base, the base's values changed too, so the base gets a
CopySlices node: its gradient is the incoming one, except inside the view's region, where
the op's backward decides (torch's design).  The view itself then reads its gradient out
of the base again (AsStridedBackward0), and so does every other view of that base the
next time it is used, because its storage version moved (see current_grad_fn).

Note [CopySlices geometry]: a view and its base share a storage, so the view's region is
(sizes, strides, storage_offset) in storage elements.  The base's gradient is copied into
a fresh buffer laid out with the base's strides; the same triple then finds the region
in that buffer (offsets shifted by the base's own offset).
"""
import builtins

from tinytensor import _C
from tinytensor.autograd.function import (Function, Node, _edge, _next_seq, _record)


def check_inplace(t):
    """Raise torch's error when an in-place op would overwrite a leaf that requires grad."""
    if not _C.is_grad_enabled():
        return
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    base = t._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                           "an in-place operation.")


def rebase_history(t, node, output_nr):
    """Record that t was modified in place and now holds output output_nr of node."""
    base = t._base
    if base is None or output_nr != 0 or node._edge_args[:1] != (0,):
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        _move_retained(t, node, output_nr)
        t._grad_fn, t._output_nr = node, output_nr
        return
    if base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                           "an in-place operation.")
    copy = CopySlices(base, t, node)
    _move_retained(base, copy, 0)
    base._grad_fn, base._output_nr = copy, 0
    _view_from_base(t, base)


def _move_retained(t, node, output_nr):
    """retain_grad follows a tensor to its new node when an in-place op rebases it."""
    if t._retains_grad and t._grad_fn is not None and t._grad_fn._retained:
        ref = t._grad_fn._retained.pop(t._output_nr, None)
        if ref is not None:
            if node._retained is None:
                node._retained = {}
            node._retained[output_nr] = ref
            node._has_hooks = True


def _view_from_base(view, base):
    node = AsStridedBackward0(base, view)
    _move_retained(view, node, 0)
    view._grad_fn, view._output_nr = node, 0
    view.__dict__["_view_version"] = view._version
    return node


def regenerate_view_grad_fn(view):
    """A stale view's node: read its gradient region out of the base's new gradient."""
    base = view._base
    if _edge(base)[0] is None:
        view.__dict__["_view_version"] = view._version
        return view._grad_fn
    return _view_from_base(view, base)


def _geometry(t):
    return (tuple(t.shape), t.stride(), t.storage_offset())


class CopySlices(Node):
    """The base's node after an in-place op on one of its views."""

    def __init__(self, base, view, fn):
        self._seq = fn._seq
        self.fn = fn
        self._base_geometry = _geometry(base)
        self._view_geometry = _geometry(view)
        self.next_functions = (_edge(base),) + fn.next_functions[1:]
        self._input_meta = ((base.shape, base.dtype),) + fn._input_meta[1:]
        self._output_meta = ((base.shape, base.dtype),)

    def _backward(self, grads):
        grad = grads[0]
        shape, stride, offset = self._base_geometry
        result = _C.empty_strided(shape, stride, grad.dtype)
        _C.copy_(result, grad)
        vshape, vstride, voffset = self._view_geometry
        region = _C.as_strided(result, vshape, vstride, voffset - offset)
        res = self.fn._backward([_C.clone(region)])
        if res[0] is None:
            _C.fill_(region, 0)
        else:
            _C.copy_(region, res[0])
        return [result] + list(res[1:])

    def _free_saved(self):
        self.fn._free_saved()


class AsStridedBackward0(Node):
    """A view's node rebuilt from its base: the gradient lands in the view's region."""

    def __init__(self, base, view):
        self._seq = _next_seq()
        self._base_geometry = _geometry(base)
        self._view_geometry = _geometry(view)
        self.next_functions = (_edge(base),)
        self._input_meta = ((base.shape, base.dtype),)
        self._output_meta = ((view.shape, view.dtype),)

    def _backward(self, grads):
        grad = grads[0]
        shape, stride, offset = self._base_geometry
        result = _C.fill_(_C.empty_strided(shape, stride, grad.dtype), 0)
        vshape, vstride, voffset = self._view_geometry
        _C.copy_(_C.as_strided(result, vshape, vstride, voffset - offset), grad)
        return [result]


# ---- x[index] = value ------------------------------------------------------------------------
class _CopyInto(Function, node_name="CopyBackwards", numbers_are_inputs=True):
    """dst.copy_(value) for a view dst of the indexed tensor (basic indexing)."""

    @staticmethod
    def forward(ctx, dst, value):
        ctx.mark_dirty(dst)
        if isinstance(value, _C.TensorBase):
            _C.copy_(dst, value)
        else:
            _C.fill_(dst, value)
        return dst

    @staticmethod
    def backward(ctx, grad):
        return None, grad       # None: the old values of dst get no gradient


class _Index:
    """An index held opaquely, so it does not become an edge of IndexPutBackward0."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class _IndexPut(Function, node_name="IndexPutBackward0", numbers_are_inputs=True):
    """dst[index] = value for advanced (tensor, list, mask) indices."""

    @staticmethod
    def forward(ctx, dst, index, value):
        ctx.mark_dirty(dst)
        ctx.index = index.index
        _C.setitem(dst, index.index, value)
        return dst

    @staticmethod
    def backward(ctx, grad):
        g_self = _C.clone(grad)
        _C.setitem(g_self, ctx.index, 0)
        return g_self, None, _C.getitem(grad, ctx.index)


def setitem_with_grad(self, index, value):
    """self[index] = value, recorded (CopySlices or IndexPutBackward0) as torch does."""
    if not isinstance(value, (_C.TensorBase, int, float, builtins.bool)):
        value = _C.tensor_from_data(value, self.dtype)
    if not _is_advanced(index):
        view = _C.getitem(self, index)
        if view._is_view_of(self):          # torch: self[index].copy_(value)
            check_inplace(view)
            _record(_CopyInto, (view, value), {})
            if self._base is not None:
                _view_from_base(self, self._base)
            return
    check_inplace(self)                     # torch: self.index_put_(index, value)
    _record(_IndexPut, (self, _Index(index), value), {})


def _is_advanced(index):
    """True when index selects with tensors, lists or masks (the result is a copy)."""
    for x in index if isinstance(index, tuple) else (index,):
        if x is None or x is Ellipsis or isinstance(x, slice):
            continue
        if isinstance(x, builtins.bool):
            return True
        if isinstance(x, _C.TensorBase):
            if x.dim() == 0 and not x.is_floating_point() and x.dtype not in (
                    _C.bool_, _C.uint8):
                continue
            return True
        if hasattr(x, "__index__"):
            continue
        return True
    return False
