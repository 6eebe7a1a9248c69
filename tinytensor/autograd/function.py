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

The node *is* the ctx: forward stores what backward needs on it, and it carries the graph
edges `next_functions` = ((node, output_nr) or (None, 0), ...) one per tensor argument.
Note [graph without cycles]: tensors point to their node (`_grad_fn`), nodes point to
the nodes of their inputs, and a saved output is stored without its `_grad_fn` (rebuilt
on unpack), so dropping the last tensor frees the whole graph by reference counting.
"""
import itertools
import re

from tinytensor import _C
from tinytensor.autograd import anomaly_mode as _anomaly
from tinytensor.autograd.hooks import RemovableHandle

_next_seq = itertools.count().__next__      # creation order: later nodes run first
_align_grads = _C.align_grads


class Node:
    """A step of the backward graph: what `tensor.grad_fn` points to."""

    next_functions = ()
    _num_outputs = 1
    _seq = 0
    _pre_hooks = None       # register_prehook: fn(grad_outputs) -> grad_outputs or None
    _post_hooks = None      # register_hook: fn(grad_inputs, grad_outputs) -> ... or None
    _tensor_hooks = None    # {output_nr: {id: fn}} from Tensor.register_hook (non-leaves)
    _retained = None        # {output_nr: weakref(tensor)} from Tensor.retain_grad()
    _has_hooks = False      # any of the four above: the engine checks this one flag

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    def register_hook(self, fn):
        """Call fn(grad_inputs, grad_outputs) after this node runs; it may replace grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """Call fn(grad_outputs) before this node runs; it may replace grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._pre_hooks, fn)

    def _add_tensor_hook(self, output_nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._tensor_hooks.setdefault(output_nr, {}), fn)

    def _backward(self, grads):
        """Gradients for next_functions (one each, None allowed) from the output grads."""
        raise NotImplementedError

    def __call__(self, *grads):
        return self._backward(list(grads))

    def _free_saved(self):
        pass


class AccumulateGrad(Node):
    """The graph's leaf node: adds the incoming gradient into `variable.grad`."""

    _seq = 1 << 62          # run as soon as ready, as torch does

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"     # torch's node is C++, named so


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward.")


class _NeedsInputGrad:
    """ctx.needs_input_grad: one bool per forward argument, does it need a gradient?

    Computed on first use and then kept on the node (a non-data descriptor, so the
    instance's copy wins): backward formulas read it once per gradient they return."""

    def __get__(self, node, cls=None):
        if node is None:
            return self
        needs = [False] * node._nargs
        for i, (fn, _) in zip(node._edge_args, node.next_functions):
            needs[i] = fn is not None
        needs = node.__dict__["needs_input_grad"] = tuple(needs)
        return needs


class BackwardNode(Node):
    """The ctx of one call of a Function, and its node in the backward graph."""

    _forward_cls = None     # set per Function subclass
    _saved = ()             # saved tensors (or None entries); None once freed
    _saved_versions = ()    # their storage versions when saved
    _saved_outputs = None   # {index in _saved: output_nr} for saved outputs of this node
    _dirty = ()
    _non_differentiable = ()
    materialize_grads = True
    _nargs = 0
    _edge_args = ()         # which forward arguments own an edge in next_functions
    _input_meta = ()        # (shape, dtype) per edge, None for numbers
    _output_meta = ()       # (shape, dtype) per output, to make zeros for unused outputs

    # ---- the ctx API of torch.autograd.Function ----------------------------------------
    needs_input_grad = _NeedsInputGrad()

    # keeps the tensors (a tuple, saved_tensors returns it as is) and the storage version
    # of each (0 for None), checked when unpacked; C (Note [recording bookkeeping]), so
    # a forward pays no Python frame for it; raises TypeError for a non-tensor
    save_for_backward = _C.save_for_backward

    # the saved tensors, each checked against its version: _C.unpack_saved answers the
    # common case (nothing modified, no saved output) and calls _unpack_saved for the rest
    saved_tensors = property(_C.unpack_saved)
    saved_variables = saved_tensors

    def _unpack_saved(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        versions = self._saved_versions
        outputs = self._saved_outputs
        if outputs is None and _C.saved_unchanged(saved, versions):
            return saved        # the common case: nothing to rebuild, nothing modified
        out = []
        for i, t in enumerate(saved):
            if t is not None:
                if t._version != versions[i]:
                    self._raise_modified(i)
                if outputs is not None and i in outputs:   # Note [graph without cycles]
                    t = _C.alias(t)
                    t._base = None
                    t._grad_fn, t._output_nr = self, outputs[i]
            out.append(t)
        return tuple(out)

    def _raise_modified(self, i):
        t = self._saved[i]
        if self._saved_outputs is not None and i in self._saved_outputs:
            owner, nr = self, self._saved_outputs[i]
        else:
            owner, nr = current_grad_fn(t), t._output_nr
        what = ""
        if owner is not None:   # torch names the op without "Backward0": "output 0 of Exp"
            op = re.sub(r"Backward\d*$", "", owner.name())
            what = f", which is output {nr} of {op},"
        hint = ("the backtrace further above shows the operation that failed to compute "
                "its gradient. The variable in question was changed in there or anywhere "
                "later. Good luck!" if _anomaly.is_anomaly_enabled() else
                "enable anomaly detection to find the operation that failed to compute its "
                "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{t.type()} [{', '.join(map(str, t.shape))}]]{what} is "
            f"at version {t._version}; expected version {self._saved_versions[i]} instead. "
            f"Hint: {hint}")

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def _free_saved(self):
        if self._saved:
            self._saved = None      # later access raises "backward ... a second time"

    def apply(self, *grads):
        """Run the Function's backward for these output gradients."""
        return self._forward_cls.backward(self, *grads)

    # ---- the engine's view -------------------------------------------------------------
    def _backward(self, grads):
        if self._output_meta and self.materialize_grads and _is_in(None, grads):
            for i, g in enumerate(grads):
                if g is None and self._output_meta[i] is not None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = _C.fill_(_C.empty(shape, dtype), 0)
        # one gradient per edge (those of non-tensor arguments dropped), or torch's error
        # for a wrong count: _C.align_grads, shared with the engine's C loop
        return _align_grads(self, self._forward_cls.backward(self, *grads))


# The ctx forward sees when nothing is recorded: saving and stashing values are no-ops
# (_C.NoGradCtx, a C type: `ctx.alpha = alpha` in a forward costs no Python frame).
_NO_CTX = _C.NO_GRAD_CTX


def _edge(t):
    """The (node, output index) a gradient for tensor t flows to, or (None, 0)."""
    fn = t._grad_fn
    if fn is not None:
        if t._base is not None:
            fn = current_grad_fn(t)
        return (fn, t._output_nr)
    if t._requires_grad:
        return (_accumulator(t), 0)
    return _NO_EDGE


def current_grad_fn(t):
    """t.grad_fn, rebuilt for a view whose base was changed in place since it was made."""
    fn = t._grad_fn
    if t._base is None or fn is None:
        return fn
    made_at = t.__dict__.get("_view_version")
    if made_at is None or made_at == t._version:
        return fn
    from tinytensor.autograd.inplace import regenerate_view_grad_fn
    return regenerate_view_grad_fn(t)


class Function:
    """Base class of differentiable operations (and of users' custom functions)."""

    _node_cls = BackwardNode
    numbers_are_inputs = False      # Python numbers get a (None, 0) edge, as in x + 2
    _separate_setup = False         # forward(*args) + setup_context(ctx, inputs, output)

    def __init_subclass__(cls, node_name=None, numbers_are_inputs=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if numbers_are_inputs is not None:
            cls.numbers_are_inputs = numbers_are_inputs
        cls._separate_setup = cls.setup_context is not Function.setup_context
        name = node_name or cls.__name__ + "Backward"
        cls._node_cls = type(name, (BackwardNode,), {"_forward_cls": cls,
                                                      "__module__": cls.__module__})

    def __init__(self, *args, **kwargs):
        pass

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

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optional (torch 2 style): fill ctx here and write forward without ctx."""
        raise NotImplementedError("setup_context is not implemented.")

    # apply(*args, **kwargs): forward, with a node recorded when grad mode is on and a
    # tensor argument requires grad.  It runs for every op, so it is _C.record, the C
    # loop of Note [autograd fast loops]: forward alone when nothing records, else
    # _record below.
    apply = classmethod(_C.record)


# Run forward with a real ctx (a node of cls) and wire its outputs into the graph: make
# the node, list its edges (collect_edges), forward with grad mode off, then wire the
# output.  A C function (Note [autograd fast loops] in _fast.pxi), as every recorded op
# pays for it; it hands tuples, dirty and non-differentiable outputs to _finish_record.
_record = _C.record_node


def _finish_record(ctx, out, args):
    """Wire forward's output(s) into the graph as outputs of node ctx (record_node wires
    a single fresh output itself)."""
    if isinstance(out, tuple):
        ctx._num_outputs = len(out)
        return tuple(_wire_outputs(ctx, list(out), args))
    return _wire_outputs(ctx, [out], args)[0]


_NO_EDGE = (None, 0)


# the AccumulateGrad node of a leaf (one per leaf while a graph uses it, held weakly by
# the leaf): a C function, since collect_edges asks for it on every recorded op
_accumulator = _C.accumulator


def _is_in(t, seq):
    for x in seq:
        if x is t:
            return True
    return False


def _wire_outputs(ctx, outputs, args):
    """Point each differentiable output at ctx (rebasing dirty ones); returns outputs."""
    Tensor = _C.TensorBase
    dirty = ctx._dirty
    non_diff = ctx._non_differentiable
    meta = []
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            meta.append(None)
            continue
        meta.append((t.shape, t.dtype))
        if dirty and _is_in(t, dirty):
            from tinytensor.autograd.inplace import rebase_history
            rebase_history(t, ctx, i)
            continue
        if _is_in(t, args):
            t = outputs[i] = _C.alias(t)      # an input returned as is: a new tensor
        if non_diff and _is_in(t, non_diff) or not t.is_floating_point():
            continue                            # integer outputs never require grad
        t._grad_fn = ctx
        t._output_nr = i
        if t._base is not None:
            t.__dict__["_view_version"] = t._version
    ctx._output_meta = tuple(meta)
    if ctx._saved:
        _detach_saved_outputs(ctx)
    return outputs


def _detach_saved_outputs(ctx):
    """Saved outputs of ctx keep no _grad_fn (see Note [graph without cycles])."""
    saved = None
    for i, t in enumerate(ctx._saved):
        if t is not None and t._grad_fn is ctx:
            if saved is None:
                saved = list(ctx._saved)
                ctx._saved_outputs = {}
            ctx._saved_outputs[i] = t._output_nr
            plain = saved[i] = _C.alias(t)
            plain._base = None
    if saved is not None:
        ctx._saved = tuple(saved)


def once_differentiable(fn):
    """Decorator for a backward that cannot itself be differentiated (runs it under no_grad)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        prev = _C._set_grad_enabled(False)
        try:
            out = fn(ctx, *grads)
        finally:
            _C._set_grad_enabled(prev)
        tracked = [g for g in grads if isinstance(g, _C.TensorBase) and g.requires_grad]
        if not (prev and tracked):
            return out
        # under create_graph: results that raise if someone differentiates through them
        outs = out if isinstance(out, tuple) else (out,)
        wrapped = tuple(_DelayedError.apply(g, *tracked) if isinstance(g, _C.TensorBase)
                        else g for g in outs)
        return wrapped if isinstance(out, tuple) else wrapped[0]
    return wrapper


class _DelayedError(Function, node_name="DelayedError"):
    """Passes a value through; its backward raises (double backward of once_differentiable)."""

    @staticmethod
    def forward(ctx, value, *grads):
        out = _C.alias(value)
        out._base = None
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("trying to differentiate twice a function that was marked "
                           "with @once_differentiable")


class Variable:
    """Deprecated torch.autograd.Variable: returns the tensor (requires_grad applied)."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if requires_grad:
            data.requires_grad_(True)
        return data


_C.set_edge_helpers(_accumulator, current_grad_fn)
_C.set_record_helpers(AccumulateGrad, _next_seq, _finish_record, _detach_saved_outputs,
                      _anomaly)

__all__ = ["Function", "Node", "AccumulateGrad", "BackwardNode", "once_differentiable",
           "current_grad_fn", "Variable"]
