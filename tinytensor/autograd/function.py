"""Function: one differentiable operation, its forward and its backward side by side.

Every op in tinytensor is a Function subclass.  `Op.apply(*args)` runs `forward`; when
grad mode is on and some input requires grad, it also records a node of the backward
graph (the object users see as `y.grad_fn`) whose `backward` the engine calls later.

    class Mul(Function, node_name="MulBackward0", numbers_are_inputs=True):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return _C.mul(a, b)

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a     # one per forward argument; None = no gradient
"""
from tinytensor import _C


class Node:
    """A step of the backward graph: what `tensor.grad_fn` points to."""

    next_functions = ()

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"


class AccumulateGrad(Node):
    """The graph's leaf node: adds the incoming gradient into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self._pre_hooks = []


class _SavedTensor:
    """A tensor kept for backward, with the storage version it had when saved."""

    __slots__ = ("tensor", "version", "output_of")

    def __init__(self, tensor, output_of):
        self.tensor = tensor
        self.version = tensor._version
        self.output_of = output_of


class BackwardNode(Node):
    """The ctx of one call of a Function, and its node in the backward graph."""

    _forward_cls = None     # set per Function subclass

    def __init__(self):
        self._saved = ()
        self._freed = False
        self.needs_input_grad = ()
        self.materialize_grads = True
        self._dirty = ()
        self._non_differentiable = ()
        self.next_functions = ()
        self._input_meta = ()       # (shape, dtype) per forward argument that is a tensor
        self._edge_args = ()        # which forward arguments have an edge

    # ---- the ctx API of torch.autograd.Function ----------------------------------------
    def save_for_backward(self, *tensors):
        self._saved = tuple(None if t is None else _SavedTensor(t, self) for t in tensors)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access "
                "saved tensors after they have already been freed). Saved intermediate "
                "values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward "
                "through the graph a second time or if you need to access saved tensors "
                "after calling backward.")
        out = []
        for s in self._saved:
            if s is None:
                out.append(None)
                continue
            if s.tensor._version != s.version:
                t = s.tensor
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been "
                    f"modified by an inplace operation: [{t.type()} {list(t.shape)}], "
                    f"which is output 0 of {self.name()}, is at version {t._version}; "
                    f"expected version {s.version} instead. Hint: the backtrace further "
                    "above can show the operation that failed to compute its gradient. "
                    "The variable in question was changed in there or anywhere later. "
                    "Good luck!")
            out.append(s.tensor)
        return tuple(out)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def _free_saved(self):
        self._saved = ()
        self._freed = True

    def apply(self, *grads):
        """Run the Function's backward for these output gradients."""
        return self._forward_cls.backward(self, *grads)


class _NoGradCtx:
    """The ctx forward sees when nothing is recorded: saving is a no-op."""

    needs_input_grad = ()
    materialize_grads = True

    def save_for_backward(self, *tensors):
        pass

    def mark_dirty(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass

    def __setattr__(self, name, value):
        pass        # forward may stash values on ctx; nobody will read them


_NO_CTX = _NoGradCtx()


def _edge(t):
    """The (node, output index) a gradient for tensor t flows to, or (None, 0)."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (t._accumulator(), 0)
    return (None, 0)


class Function:
    """Base class of differentiable operations (and of users' custom functions)."""

    _node_cls = BackwardNode
    numbers_are_inputs = False      # Python numbers get a (None, 0) edge, as in x + 2

    def __init_subclass__(cls, node_name=None, numbers_are_inputs=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if numbers_are_inputs is not None:
            cls.numbers_are_inputs = numbers_are_inputs
        name = node_name or cls.__name__ + "Backward"
        cls._node_cls = type(name, (BackwardNode,), {"_forward_cls": cls,
                                                      "__module__": cls.__module__})

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or the vjp "
                                  "method for your custom autograd.Function to use it "
                                  "with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _C.TensorBase
        if _C.is_grad_enabled():
            for a in args:
                if isinstance(a, Tensor) and (a._requires_grad or a._grad_fn is not None):
                    return _record(cls, args, kwargs)
        return cls.forward(_NO_CTX, *args, **kwargs)


def _record(cls, args, kwargs):
    """Run forward with a real ctx and wire its outputs into the graph."""
    Tensor = _C.TensorBase
    ctx = cls._node_cls()
    needs, edges, edge_args, meta = [], [], [], []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            req = a._requires_grad or a._grad_fn is not None
            needs.append(req)
            edges.append(_edge(a))
            edge_args.append(i)
            meta.append((a.shape, a.dtype))
        else:
            needs.append(False)
            if cls.numbers_are_inputs and isinstance(a, (int, float, bool)):
                edges.append((None, 0))
                edge_args.append(i)
                meta.append(None)
    ctx.needs_input_grad = tuple(needs)
    ctx.next_functions = tuple(edges)
    ctx._edge_args = tuple(edge_args)
    ctx._input_meta = tuple(meta)
    prev = _C._set_grad_enabled(False)
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        _C._set_grad_enabled(prev)
    outputs = out if isinstance(out, tuple) else (out,)
    non_diff = {id(t) for t in ctx._non_differentiable}
    dirty = {id(t) for t in ctx._dirty}
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor) or id(t) in non_diff:
            continue
        if not t.is_floating_point():
            continue            # integer outputs (indices) never require grad
        if id(t) in dirty:
            _check_inplace_allowed(t)
        t._grad_fn = ctx
        t._output_nr = i
    ctx._num_outputs = len(outputs)
    ctx._output_meta = tuple((t.shape, t.dtype) if isinstance(t, Tensor) else None
                             for t in outputs)
    return out


def _check_inplace_allowed(t):
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


class once_differentiable:
    """Decorator for backward methods that are not themselves differentiable (no-op)."""

    def __new__(cls, fn):
        return fn
