"""The engine: walks the backward graph from the outputs to the leaves.

`backward(tensors)` and `grad(outputs, inputs)` both come here:

1. roots: each output's edge (node, output_nr) and its first gradient (1 for a scalar);
2. dependencies: for every node reachable from the roots, how many edges point at it;
3. run: a node is ready once every edge into it has delivered (its count is 0), and of
   the ready nodes the one created last runs first (torch's order, so sums of gradients
   round the same way).  Running a node = its tensor hooks, capture (for grad()), its
   pre-hooks, its backward, its post-hooks; each gradient it returns is summed back to
   its input's shape, cast to its input's dtype, and added into the next node's buffer;
4. AccumulateGrad nodes add into leaf `.grad`; grad() captures at its inputs instead.

Backward formulas run with grad mode = create_graph, so with create_graph=True they
record a graph of their own and higher derivatives work.
"""
import heapq
import warnings

from tinytensor import _C
from tinytensor.autograd import anomaly_mode as _anomaly
from tinytensor.autograd.function import AccumulateGrad, BackwardNode, Function, _edge
from tinytensor.autograd.hooks import run_tensor_hooks

_grad_fits = _C.grad_fits       # g has its input's (shape, dtype): a C loop, no Size built


# ---- public entry points -----------------------------------------------------------------
def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's .grad (or only into `inputs`)."""
    tensors = _as_tuple(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between "
            "the parameter and its gradient which can cause a memory leak. We recommend "
            "using autograd.grad when creating the graph to avoid this. If you have to use "
            "this function, make sure to reset the .grad fields of your parameters to None "
            "after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    captured = _run(tensors, grads, retain_graph, create_graph, inputs)
    if inputs is not None:
        prev = _C._set_grad_enabled(create_graph)
        try:
            for t, g in zip(inputs, captured):
                if g is not None:
                    accumulate_grad(t, g, create_graph)
        finally:
            _C._set_grad_enabled(prev)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """The gradients of outputs with respect to inputs, returned (not stored in .grad)."""
    if is_grads_batched:
        raise NotImplementedError("tinytensor.autograd.grad: is_grads_batched=True is not "
                                  "supported (no vmap); loop over the batch instead")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    result = _run(outputs, grads, retain_graph, create_graph, inputs)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                t = inputs[i]
                result[i] = _C.fill_(_C.empty(t.shape, t.dtype), 0)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
    return tuple(result)


# ---- argument handling -------------------------------------------------------------------
def _as_tuple(x):
    if isinstance(x, _C.TensorBase):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads):
    """The first gradient of each output: the given one (checked) or 1 for scalars."""
    if grads is None or isinstance(grads, _C.TensorBase):
        grads = (grads,) * len(outputs) if grads is None else (grads,)
    else:
        grads = tuple(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs" if
                           not grads else f"Mismatch in number of gradients: got "
                           f"{len(grads)} gradients for {len(outputs)} outputs")
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if not isinstance(t, _C.TensorBase):
            raise TypeError(f"backward/grad expects Tensors, got {type(t).__name__}")
        if g is None:
            if t._requires_grad or t._grad_fn is not None:     # t.requires_grad
                if t.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar "
                                       "outputs")
                if not t.is_floating_point():
                    raise RuntimeError("grad can be implicitly created only for real scalar "
                                       f"outputs but got {t.dtype}")
                g = _C.fill_(_C.empty(t.shape if t.dim() else (), t.dtype), 1)
        elif not isinstance(g, _C.TensorBase):
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        out.append(g)
    return out


# ---- the walk ------------------------------------------------------------------------------
def _run(outputs, grads, keep_graph, create_graph, inputs):
    """Run the graph below outputs; returns captured grads (per input) or None."""
    roots = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        e = _edge(t)
        if e[0] is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does "
                               "not have a grad_fn")
        if g is not None and g.dtype != t.dtype:
            grads[i] = g.to(t.dtype)
        roots.append(e)
    captures = None
    if inputs is not None:
        captures = {}
        for k, t in enumerate(inputs):
            if not isinstance(t, _C.TensorBase):
                raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
            e = _edge(t)
            if e[0] is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            captures.setdefault(e[0], []).append((e[1], k))
    prev = _C._set_grad_enabled(create_graph)
    try:
        # no hooks, nothing captured, first-order, no anomaly checks: the same walk as
        # _execute in C (Note [autograd fast loops]); it runs nothing when a node or a
        # leaf has a hook, and _execute takes over
        if captures is None and not create_graph and not _anomaly._enabled and \
                _C.run_plain_backward(roots, grads, keep_graph):
            return []
        return _execute(roots, grads, keep_graph, create_graph, captures,
                        len(inputs) if inputs is not None else 0)
    finally:
        _C._set_grad_enabled(prev)


def _graph(roots, targets):
    """Edge counts per node and, when targets are given, the nodes that lead to one.

    Iterative (deep graphs such as long RNNs must not hit the recursion limit).  With
    targets it is a post-order walk: a node is finished after all its next_functions,
    so `leads` is exact."""
    deps = {}
    if targets is None:
        roots = set(roots)
        stack = list(roots)
        while stack:        # deps doubles as the set of nodes seen (roots aside)
            for nxt, _ in stack.pop().next_functions:
                if nxt is not None:
                    d = deps.get(nxt)
                    if d is None:
                        deps[nxt] = 1
                        if nxt not in roots:
                            stack.append(nxt)
                    else:
                        deps[nxt] = d + 1
        return deps, None
    leads = set()
    seen = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, edges = stack[-1]
            for nxt, _ in edges:
                if nxt is None:
                    continue
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                if leads is not None and (node in targets or any(
                        n in leads for n, _ in node.next_functions)):
                    leads.add(node)
    return deps, leads


def _run_pre_hooks(node, grads):
    """A node's pre-hooks in order; each may replace the incoming gradients."""
    for fn in list((node._pre_hooks or {}).values()):
        r = fn(tuple(grads))
        if r is not None:
            grads = list(r)
    return grads


def _run_post_hooks(node, out, grads):
    """A node's post-hooks in order; each may replace the outgoing gradients."""
    for fn in list((node._post_hooks or {}).values()):
        r = fn(tuple(out), tuple(grads))
        if r is not None:
            out = list(r)
    return out


def _execute(roots, root_grads, keep_graph, create_graph, captures, n_inputs):
    root_nodes = [node for node, _ in roots]
    deps, leads = _graph(root_nodes, captures)
    captured = [None] * n_inputs
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        if g is not None:
            buf[nr] = g if buf[nr] is None else buf[nr] + g
    ready = []
    tick = 0
    for node in buffers:
        if deps.get(node, 0) == 0:
            tick += 1
            heapq.heappush(ready, (-node._seq, tick, node))
    heappush, heappop = heapq.heappush, heapq.heappop
    while ready:
        node = heappop(ready)[2]
        grads = buffers.pop(node)
        if type(node) is AccumulateGrad:
            _run_leaf(node, grads[0], create_graph, captures, captured)
            continue
        hooked = node._has_hooks
        if hooked:
            if node._tensor_hooks:
                for nr, hooks in node._tensor_hooks.items():
                    if grads[nr] is not None:
                        grads[nr] = run_tensor_hooks(hooks, grads[nr])
            if node._retained:
                _retain(node, grads, create_graph)
        if captures is not None:
            for nr, k in captures.get(node, ()):
                captured[k] = grads[nr]
            if not any(n in leads for n, _ in node.next_functions):
                continue
        if hooked:
            grads = _run_pre_hooks(node, grads)
        edges = node.next_functions
        for g in grads:
            if g is not None:
                if _anomaly._enabled:
                    out = _checked_backward(node, grads)
                else:
                    out = node._backward(grads)
                break
        else:                           # nothing flowed in: nothing flows out
            out = [None] * len(edges)
        if hooked:
            out = _run_post_hooks(node, out, grads)
        if not keep_graph:
            node._free_saved()
        meta = node._input_meta
        for i, (nxt, nr) in enumerate(edges):
            if nxt is None or leads is not None and nxt not in leads:
                continue
            g = out[i]
            if g is not None:
                if not _grad_fits(g, meta[i]):
                    g = _fit_to_input(node, i, g, meta[i])
                buf = buffers.get(nxt)
                if buf is None:
                    buf = buffers[nxt] = [None] * nxt._num_outputs
                    buf[nr] = g
                elif buf[nr] is None:
                    buf[nr] = g
                else:
                    buf[nr] = buf[nr] + g
            d = deps[nxt] - 1
            deps[nxt] = d
            if d == 0:
                if type(nxt) is AccumulateGrad:
                    # a leaf runs first of all ready nodes (its _seq is the largest), and
                    # ready leaves in the order they became ready: so run it right now
                    buf = buffers.pop(nxt, None)
                    _run_leaf(nxt, buf and buf[0], create_graph, captures, captured)
                    continue
                if nxt not in buffers:
                    buffers[nxt] = [None] * nxt._num_outputs
                tick += 1
                heappush(ready, (-nxt._seq, tick, nxt))
    return captured


def _run_leaf(node, g, create_graph, captures, captured):
    """An AccumulateGrad node: the leaf's hooks, then g into its .grad (or captured)."""
    var = node.variable
    if g is not None and var._hooks:
        g = run_tensor_hooks(var._hooks, g)
    if captures is not None:
        for _, k in captures.get(node, ()):
            captured[k] = g
        return
    if node._has_hooks:
        (g,) = _run_pre_hooks(node, [g])
    if g is not None:
        accumulate_grad(var, g, create_graph)
    if node._has_hooks:
        _run_post_hooks(node, [], [g])      # a leaf has no grad_inputs


def _checked_backward(node, grads):
    """node._backward in anomaly mode: name the forward line on error, refuse NaN."""
    try:
        out = node._backward(grads)
        if _anomaly._check_nan:
            _anomaly.check_nan(node, out)
    except Exception:
        _anomaly.report(node)
        raise
    return out


def _fit_to_input(node, i, g, meta):
    """g summed to the input's shape (undoing broadcasting) and cast to its dtype."""
    if meta is None:
        return g
    shape, dtype = meta
    if g.shape != shape:
        if not _expandable(shape, g.shape):
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at "
                               f"index {i} - got {list(g.shape)} but expected shape "
                               f"compatible with {list(shape)}")
        g = g.sum_to_size(shape)
    if g.dtype != dtype:
        g = g.to(dtype)
    return g


def _expandable(shape, to):
    """True when shape broadcasts to `to` (so a gradient of shape `to` sums back to it)."""
    if len(shape) > len(to):
        return False
    for s, t in zip(reversed(shape), reversed(to)):
        if s != t and s != 1:
            return False
    return True


# ---- leaves and retained non-leaves -------------------------------------------------------
class _GradCopy(Function, node_name="CopyBackwards"):
    """The first .grad under create_graph: a copy that stays differentiable."""

    @staticmethod
    def forward(ctx, g):
        return _C.clone(g)

    @staticmethod
    def backward(ctx, grad):
        return grad


def accumulate_grad(t, g, create_graph=False):
    """t.grad += g: the first gradient is copied (never aliased), later ones are added."""
    old = t._grad
    if old is None:
        t._grad = _GradCopy.apply(g) if create_graph else _C.clone(g)
    elif create_graph or not hasattr(old, "add_"):
        t._grad = old + g
    else:
        old.add_(g)
    hooks = t.__dict__.get("_post_accumulate_hooks")
    if hooks:
        for fn in list(hooks.values()):
            fn(t)


def _retain(node, grads, create_graph):
    """Store the gradient flowing into retained non-leaf outputs of node into their .grad."""
    for nr, ref in list(node._retained.items()):
        t = ref()
        g = grads[nr]
        if t is None or g is None:
            continue
        if t._grad is None:
            t._grad = _GradCopy.apply(g) if create_graph else _C.clone(g)
        else:
            t._grad = t._grad + g


_C.set_engine_helpers(BackwardNode._backward, BackwardNode._free_saved, _fit_to_input,
                      accumulate_grad)
