# _fast.pxi -- the hottest Tensor operators and methods, from the call straight to C.
#
# Note [fast path]: `a + b`, `a * 2.0`, `t.view(2, -1)`, `t[3]`, `t.sum(dim)`, `g.add_(h)`
# on tensors that need no gradient (grad mode off, or no operand requires grad) go from
# the operator slot to the kernel without a Python frame: one dtype (so no promotion),
# no autograd, no out=.  Every other call goes to the op's Python definition in
# tinytensor/ops/ (handed over by set_slow_path), so each op is still defined once: the
# fast path only takes calls whose result it computes with the very kernel call the
# Python op would make, and passes anything else on.  TensorBase's methods in
# _tensor.pxi call these; tests/test_core_fast_path.py checks both paths agree.

# the methods TensorBase defines here; ops/_registry.py hands their Python op to
# set_slow_path instead of installing it on Tensor
FAST_METHODS = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                "__truediv__", "__rtruediv__", "__getitem__", "view", "reshape", "expand",
                "sum", "add_", "mul_")

cdef dict SLOW = {}         # method name -> the Python op it falls back to

cdef int BIN_ADD = BINARY_OPS["add"]
cdef int BIN_SUB = BINARY_OPS["sub"]
cdef int BIN_MUL = BINARY_OPS["mul"]
cdef int BIN_DIV = BINARY_OPS["div"]


def set_slow_path(str name, fn):
    """Give the fast method `name` the Python op it falls back to."""
    if name not in FAST_METHODS:
        raise KeyError(f"{name} has no fast path")
    SLOW[name] = fn


cdef inline bint needs_grad(TensorBase t) noexcept:
    """An op on t records a graph (Function.apply's test, any_needs_grad)."""
    return tt_grad_enabled != 0 and (t._requires_grad or t._grad_fn is not None)


def any_needs_grad(tuple args):
    """True when grad mode is on and a tensor in args requires grad: the test
    Function.apply makes before recording a node."""
    if tt_grad_enabled == 0:
        return False
    for a in args:
        if isinstance(a, TensorBase) and needs_grad(<TensorBase>a):
            return True
    return False


cdef inline bint same_shape(const tt_view *a, const tt_view *b) noexcept:
    if a.ndim != b.ndim:
        return False
    cdef int i
    for i in range(a.ndim):
        if a.shape[i] != b.shape[i]:
            return False
    return True


# ---- a + b, a * 2, 2 - a, ... ----------------------------------------------------------
cdef object binary_op(int code, TensorBase a, object other, bint reflected, str name):
    """op(a, other), op(other, a) when reflected: fast, or by the Python op."""
    cdef object r = fast_binary(code, a, other, reflected, None, None)
    if r is None:
        return SLOW[name](a, other)
    return r


cdef object fast_binary(int code, TensorBase a, object other, bint reflected,
                        TensorBase out, object alpha):
    """The kernel's result, or None when the Python op must decide.

    Taken: a tensor of one dtype as a, and as other a tensor of the same dtype (of any
    shape that broadcasts with a's, except in place) or a Python number that keeps a's dtype (torch's weak scalars: a float only with a
    floating a).  With those, result_type is a's dtype and the op's only call is the
    kernel.  out: write into it (an in-place op on a) instead of a new tensor."""
    cdef tt_dtype dt = a.v.dtype
    cdef int cat = tt_dtypes[dt].category
    if cat == TT_CAT_BOOL or (code == BIN_DIV and cat != TT_CAT_FLOAT) or needs_grad(a):
        return None
    if (dt == TT_FLOAT16 or dt == TT_BFLOAT16) and (code == BIN_MUL or code == BIN_DIV):
        return None         # binary() keeps a one-element factor in float: not here
    cdef tt_binary_args args
    args.alpha_f = 1.0
    args.alpha_i = 1
    args.b_is_value = False
    args.b_value = 0.0
    if alpha is not None:   # add_(x, alpha=a) on floats: binary()'s a + alpha * x
        if cat != TT_CAT_FLOAT or not (type(alpha) is float or type(alpha) is int):
            return None
        if alpha != 1:      # as Add.forward: alpha 1 is the plain kernel
            args.alpha_f = <double>alpha
            args.alpha_i = alpha if type(alpha) is int else 0
            if code == BIN_SUB:
                args.alpha_f = -args.alpha_f
                args.alpha_i = -args.alpha_i
            code = TT_BIN_ADD_ALPHA
    cdef TensorBase b
    cdef tt_view sb
    cdef tt_storage fb
    cdef int64_t bb = 0
    cdef const tt_view *ins[2]
    ins[0] = &a.v
    cdef bint broadcast = False
    if isinstance(other, TensorBase):
        b = <TensorBase>other
        if reflected or b.v.dtype != dt or needs_grad(b):
            return None
        if not same_shape(&a.v, &b.v):
            if out is not None:
                return None     # an in-place op may not grow self: the Python op says so
            broadcast = True    # (N, 1) + (1, M): the shapes meet in the kernel
        ins[1] = &b.v
    elif type(other) is float or type(other) is int or type(other) is bool:
        if type(other) is bool and code == BIN_SUB:
            return None     # torch refuses `-` with a bool: the Python op raises its error
        if type(other) is float and cat != TT_CAT_FLOAT:
            return None     # int tensor * 2.5 computes in the default float dtype
        tt_scalar_to(&bb, dt, to_scalar(other))
        tt_scalar_view(&sb, &fb, &bb, dt)
        ins[1] = &sb
        if reflected:
            ins[0], ins[1] = &sb, &a.v
    else:
        return None
    cdef TensorBase res = out
    cdef int nd = a.v.ndim
    cdef int64_t bshape[TT_MAX_DIMS]
    cdef const int64_t *shape = a.v.shape
    if broadcast:
        if tt_broadcast_shape(&nd, bshape, 2, ins) != TT_OK:
            return None     # the Python op raises torch's error
        shape = bshape
    if out is None:
        res = new_empty(dt, nd, shape)
        if nd > 1:          # torch's layout (Note [output layout] in binary.c)
            tt_elementwise_strides(res.v.strides, nd, shape, 2, ins)
    cdef tt_status s
    if tt_view_numel(&res.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_binary(&res.v, ins[0], ins[1], code, &args)
    else:
        s = tt_binary(&res.v, ins[0], ins[1], code, &args)
    check_kernel(s)
    if out is not None:
        out.v.storage.version += 1
    return res


cdef object inplace_binary(int code, str name, TensorBase self, object other, tuple args,
                           dict kwargs):
    """self.add_(other[, alpha=...]), self.mul_(other): fast when other is a number or a
    tensor of self's dtype and shape in other memory, and self is contiguous (so no
    element is written twice); else the Python op, with its overlap and autograd checks."""
    cdef object alpha = None, r = None
    if not args and (not kwargs or (code == BIN_ADD and len(kwargs) == 1 and "alpha" in kwargs)):
        if kwargs:
            alpha = kwargs["alpha"]
        if tt_is_contiguous(&self.v) and (
                not isinstance(other, TensorBase) or other is self or
                (<TensorBase>other).v.storage != self.v.storage) and (
                tt_grad_enabled == 0 or not (isinstance(other, TensorBase) and
                                             needs_grad(<TensorBase>other))):
            r = fast_binary(code, self, other, False, self, alpha)
    if r is None:
        return SLOW[name](self, other, *args, **kwargs)
    return r


# ---- views, t[i], sum ------------------------------------------------------------------
cdef object fast_view(TensorBase self, tuple shape):
    if needs_grad(self) or (len(shape) == 1 and isinstance(shape[0], dtype)):
        return SLOW["view"](self, *shape)
    return view_impl(self, shape)


cdef inline bint plain_shape(tuple shape) noexcept:
    """Ints, or one tuple/list of them: what view/reshape/expand parse alike."""
    return len(shape) == 0 or type(shape[0]) is int or (
        len(shape) == 1 and (type(shape[0]) is tuple or type(shape[0]) is list
                             or type(shape[0]) is Size))


cdef object fast_reshape(TensorBase self, tuple shape):
    """reshape as a view when strides allow it; a copy is the Python op's business."""
    cdef object r = None
    if not needs_grad(self) and plain_shape(shape):
        r = try_view_impl(self, shape)
    if r is None:
        return SLOW["reshape"](self, *shape)
    return r


cdef object fast_expand(TensorBase self, tuple sizes):
    if needs_grad(self) or not plain_shape(sizes):
        return SLOW["expand"](self, *sizes)
    return expand_impl(self, sizes)


cdef object fast_getitem(TensorBase self, object index):
    if needs_grad(self):
        return SLOW["__getitem__"](self, index)
    cdef tt_view out
    if type(index) is int and self.v.ndim > 0:     # t[3]: basic_view's int case
        check(tt_view_select(&out, &self.v, 0, index))
        return view_of(self, &out)
    return getitem_impl(self, index)


cdef object fast_sum(TensorBase self, object dim, object keepdim, object dtype, object out):
    """t.sum(), t.sum(dim[, keepdim]) of a floating tensor: the steps of
    reduce("sum", t, dims, keepdim) with no Python call between them.  The kernel writes
    through a keepdim view (a C struct on the stack) of the result, so one object is made
    and the result is no view (as torch)."""
    if (dtype is not None or out is not None or needs_grad(self) or type(keepdim) is not bool
            or tt_dtypes[self.v.dtype].category != TT_CAT_FLOAT):
        return SLOW["sum"](self, dim, keepdim, dtype=dtype, out=out)
    cdef bint mask[TT_MAX_DIMS]
    reduce_dims(dim, self.v.ndim, mask)     # _math.pxi: torch's dim errors, as reduce()'s
    cdef int64_t kshape[TT_MAX_DIMS]
    cdef int64_t rshape[TT_MAX_DIMS]
    cdef int i, rdim = 0
    for i in range(self.v.ndim):
        kshape[i] = 1 if mask[i] else self.v.shape[i]
        if keepdim or not mask[i]:
            rshape[rdim] = kshape[i]
            rdim += 1
    cdef TensorBase r = new_empty(self.v.dtype, rdim, rshape)
    cdef tt_view keep
    check(tt_view_reshape(&keep, &r.v, self.v.ndim, kshape))
    cdef tt_reduce_args rargs
    rargs.p = 2.0
    rargs.correction = 1.0
    cdef tt_status s
    if tt_view_numel(&self.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_reduce(&keep, &self.v, TT_RED_SUM, &rargs)
    else:
        s = tt_reduce(&keep, &self.v, TT_RED_SUM, &rargs)
    check_kernel(s)
    return r


# ---- autograd bookkeeping --------------------------------------------------------------
# Note [recording bookkeeping]: when an op records a node, Function.apply's _record
# (autograd/function.py) must list, for each argument, the edge its gradient flows to,
# which arguments own an edge, and each input's (shape, dtype); the engine later checks
# every gradient against that (shape, dtype); save_for_backward notes each saved tensor's
# version and saved_tensors compares them; a fresh output gets its _grad_fn.  Those loops
# are pure bookkeeping -- no autograd decision is made in them -- yet they run once per
# recorded op and once per edge in backward, so they live here, as C loops.
# The decisions stay Python: the leaf's AccumulateGrad node and the grad_fn of a view
# whose base changed in place come from the callbacks function.py registers.

cdef object ACCUMULATOR = None      # function._accumulator(leaf) -> its AccumulateGrad
cdef object CURRENT_GRAD_FN = None  # function.current_grad_fn(view) -> its grad_fn
cdef tuple NO_EDGE = (None, 0)
cdef tuple ALL_ARGS = tuple([tuple(range(n)) for n in range(9)])  # edge_args when all own one


def set_edge_helpers(accumulator, current_grad_fn):
    """Give collect_edges the Python functions that make leaf and view edges."""
    global ACCUMULATOR, CURRENT_GRAD_FN
    ACCUMULATOR, CURRENT_GRAD_FN = accumulator, current_grad_fn


cdef inline tuple shape_tuple(const tt_view *v):
    cdef tuple t = PyTuple_New(v.ndim)
    cdef int i
    cdef object x       # an object: PyTuple_SET_ITEM takes over the reference we add
    for i in range(v.ndim):
        x = v.shape[i]
        Py_INCREF(x)
        PyTuple_SET_ITEM(t, i, x)
    return t


cpdef collect_edges(tuple args, bint numbers_are_inputs):
    """(next_functions, edge_args, input_meta) of a node whose forward gets args: one
    edge (node, output_nr) or (None, 0) per tensor argument (and per number when numbers
    are inputs), the argument index of each, and each tensor's (shape, dtype)."""
    cdef list edges = [], idx = [], meta = []
    cdef Py_ssize_t i, n = len(args)
    cdef TensorBase t
    cdef bint all_args = True
    for i in range(n):
        a = args[i]
        if isinstance(a, TensorBase):
            t = <TensorBase>a
            fn = t._grad_fn
            if fn is not None:
                if t._base is not None:
                    fn = CURRENT_GRAD_FN(t)
                edges.append((fn, t._output_nr))
            elif t._requires_grad:
                edges.append((ACCUMULATOR(t), 0))
            else:
                edges.append(NO_EDGE)
            meta.append((shape_tuple(&t.v), DTYPES[t.v.dtype]))
        elif numbers_are_inputs and isinstance(a, (int, float)):
            edges.append(NO_EDGE)
            meta.append(None)
        else:
            all_args = False
            continue
        idx.append(i)
    edge_args = ALL_ARGS[n] if all_args and n < 9 else tuple(idx)
    return tuple(edges), edge_args, tuple(meta)


cpdef grad_fits(TensorBase g, tuple meta):
    """True when gradient g already has meta's (shape, dtype): the engine's common case."""
    shape, dt = meta
    if DTYPES[g.v.dtype] is not dt or len(shape) != g.v.ndim:
        return False
    cdef int i
    for i in range(g.v.ndim):
        if shape[i] != g.v.shape[i]:
            return False
    return True


def plain_result_type(a, b):
    """result_type(a, b) when it is plainly one tensor's dtype, else None (the Python
    rules decide): two tensors of one dtype, or a tensor and a number of a category no
    higher than its own (torch's weak scalars: float32_t * 2.5 stays float32)."""
    cdef TensorBase t
    if isinstance(a, TensorBase):
        t = <TensorBase>a
        if isinstance(b, TensorBase):
            return DTYPES[t.v.dtype] if (<TensorBase>b).v.dtype == t.v.dtype else None
        other = b
    elif isinstance(b, TensorBase):
        t = <TensorBase>b
        other = a
    else:
        return None
    cdef int cat = tt_dtypes[t.v.dtype].category
    if type(other) is bool or (type(other) is int and cat != TT_CAT_BOOL) or (
            type(other) is float and cat == TT_CAT_FLOAT):
        return DTYPES[t.v.dtype]
    return None


cpdef saved_versions(tuple tensors):
    """The storage version of each tensor save_for_backward keeps (0 for None): the
    versions saved_tensors checks again, to catch an in-place change in between."""
    cdef list out = []
    for t in tensors:
        if t is None:
            out.append(0)
        elif isinstance(t, TensorBase):
            out.append((<TensorBase>t).v.storage.version)
        else:
            raise TypeError("save_for_backward can only save variables, but argument "
                            f"{len(out)} is of type {type(t).__name__}")
    return out


cpdef saved_unchanged(tuple saved, versions):
    """True when no saved tensor's storage was written since save_for_backward."""
    cdef Py_ssize_t i
    for i in range(len(saved)):
        t = saved[i]
        if t is not None and (<TensorBase>t).v.storage.version != <int64_t>versions[i]:
            return False
    return True


cpdef wire_fresh_output(ctx, TensorBase out, tuple args):
    """The common end of recording: out, one tensor the forward made (not one of args),
    becomes output 0 of node ctx when floating (integer outputs never require grad).
    Returns False when out is one of args (the caller's general path decides)."""
    for a in args:
        if a is out:
            return False
    if tt_dtypes[out.v.dtype].category == TT_CAT_FLOAT:
        out._grad_fn = ctx
        out._output_nr = 0
        if out._base is not None:   # Note [graph without cycles]'s view bookkeeping
            out.__dict__["_view_version"] = out.v.storage.version
    return True


# ---- recording and the engine's walk, as C loops ---------------------------------------
# Note [autograd fast loops]: an op that records runs Function.apply and the engine runs
# every node once per backward; on tensors of 10 elements the Python frames of that
# bookkeeping (make the node, list its edges, switch grad mode, wire the output; count
# dependencies, order ready nodes, sum gradients into buffers) cost more than the math.
# So they run here: `record` is Function.apply (it wires one fresh output itself and
# hands tuples, dirty or non-differentiable outputs to function._finish_record), and
# `run_plain_backward` is the engine when no node or leaf on the graph has a hook and no
# input is captured.  Both only move objects around and call the Python that decides:
# the op's forward and backward formulas, the leaf's AccumulateGrad, engine._execute for
# every other graph (which it hands over to before doing anything); engine.py holds the
# readable version of the backward walk.

from heapq import heappush, heappop
from cpython.weakref cimport PyWeakref_NewRef

cdef object NO_CTX = None           # forward's ctx when not recording (NoGradCtx below)
cdef object NEXT_SEQ = None         # function._next_seq: creation order of nodes
cdef object FINISH_RECORD = None    # function._finish_record: wire a non-plain output
cdef object DETACH_SAVED = None     # function._detach_saved_outputs
cdef object ANOMALY = None          # the anomaly_mode module (its _enabled flag)
cdef object ACCUMULATE_GRAD = None  # function.AccumulateGrad (the leaf node class)
cdef object PLAIN_BACKWARD = None   # function.BackwardNode._backward (not overridden)
cdef object FIT_TO_INPUT = None     # engine._fit_to_input: sum/cast g to its input
cdef object ACCUMULATE = None       # engine.accumulate_grad(leaf, g)
cdef object PLAIN_FREE = None       # function.BackwardNode._free_saved (not overridden)


def set_record_helpers(accumulate_grad_cls, next_seq, finish_record, detach_saved, anomaly):
    """Give record the Python pieces it calls (function.py registers them)."""
    global ACCUMULATE_GRAD, NEXT_SEQ, FINISH_RECORD, DETACH_SAVED, ANOMALY
    ACCUMULATE_GRAD, NEXT_SEQ, FINISH_RECORD, DETACH_SAVED, ANOMALY = (
        accumulate_grad_cls, next_seq, finish_record, detach_saved, anomaly)


def set_engine_helpers(plain_backward, plain_free, fit_to_input, accumulate):
    """Give run_plain_backward the Python pieces it calls (engine.py registers them)."""
    global PLAIN_BACKWARD, PLAIN_FREE, FIT_TO_INPUT, ACCUMULATE
    PLAIN_BACKWARD, PLAIN_FREE, FIT_TO_INPUT, ACCUMULATE = (
        plain_backward, plain_free, fit_to_input, accumulate)


cdef class NoGradCtx:
    """The ctx forward sees when nothing is recorded: saving and stashing values on it
    are no-ops (a C type, so `ctx.alpha = alpha` in a forward costs no Python frame)."""

    @property
    def needs_input_grad(self):
        return ()

    @property
    def materialize_grads(self):
        return True

    @property
    def saved_tensors(self):
        return ()

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


NO_CTX = NoGradCtx()
NO_GRAD_CTX = NO_CTX                # the same object, for Python (function._NO_CTX)


def accumulator(TensorBase t):
    """The AccumulateGrad node of leaf t: one per leaf while a graph uses it, so the
    leaf keeps only a weak reference (the graph owns the node)."""
    d = t.__dict__
    ref = d.get("_accumulate_ref")
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    node = ACCUMULATE_GRAD(t)
    d["_accumulate_ref"] = PyWeakref_NewRef(node, None)
    return node


def unpack_saved(node):
    """ctx.saved_tensors in the common case (nothing modified, no saved output to
    rebuild); node._unpack_saved() does the rest and raises the errors."""
    saved = node._saved
    if saved is not None and node._saved_outputs is None and \
            saved_unchanged(saved, node._saved_versions):
        return saved
    return node._unpack_saved()


def record(cls, *args, **kwargs):
    """Function.apply: forward, and when an input needs grad, a node for its output."""
    if not any_needs_grad(args):
        if cls._separate_setup:
            return cls.forward(*args, **kwargs)
        return cls.forward(NO_CTX, *args, **kwargs)
    return record_node(cls, args, kwargs)


cpdef record_node(cls, tuple args, dict kwargs):
    """Run forward with a real ctx (a node of cls) and wire its outputs into the graph."""
    global tt_grad_enabled
    ctx = cls._node_cls()
    ctx._seq = NEXT_SEQ()
    ctx.next_functions, ctx._edge_args, ctx._input_meta = collect_edges(
        args, cls.numbers_are_inputs)
    ctx._nargs = len(args)
    if ANOMALY._enabled:
        ctx._forward_trace = ANOMALY.forward_trace()
    cdef int prev = tt_grad_enabled
    tt_grad_enabled = 0
    try:
        if cls._separate_setup:
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    finally:
        tt_grad_enabled = prev
    if type(out) is tuple or not isinstance(out, TensorBase) or ctx._dirty or \
            ctx._non_differentiable or not wire_fresh_output(ctx, out, args):
        return FINISH_RECORD(ctx, out, args)
    if is_in(out, ctx._saved):      # Note [graph without cycles]: a saved output
        DETACH_SAVED(ctx)
    return out


cdef inline bint is_in(object x, object seq):
    for y in seq:
        if y is x:
            return True
    return False


def save_for_backward(self, *tensors):
    """ctx.save_for_backward: keep tensors and their storage versions for backward."""
    self._saved_versions = saved_versions(tensors)
    self._saved = tensors


def align_grads(node, out):
    """A Function's backward result as one gradient per edge of node (or raise)."""
    if type(out) is not tuple:
        out = tuple(out) if isinstance(out, tuple) else (out,)
    cdef Py_ssize_t n = len(out), nargs = node._nargs
    edge_args = node._edge_args
    if n != nargs:
        if n < nargs or any(g is not None for g in out[nargs:]):
            raise RuntimeError(f"function {node.name()} returned an incorrect number "
                               f"of gradients (expected {nargs}, got {n})")
    elif len(edge_args) == nargs:
        return out                  # every argument has an edge: already aligned
    return [out[i] for i in edge_args]


cdef object node_backward(node, list grads):
    """node._backward(grads), without its Python frame for a plain Function node."""
    if type(node)._backward is not PLAIN_BACKWARD or (
            node._output_meta and node.materialize_grads and is_in(None, grads)):
        return node._backward(grads)   # it makes zeros for the missing gradients
    return align_grads(node, node._forward_cls.backward(node, *grads))


cdef bint plain_graph(list roots, dict deps):
    """Fill deps (edges into each node) for the graph below roots; False when a node
    or leaf has hooks (the Python engine runs them), before anything has run."""
    cdef set root_set = set(roots)
    cdef list stack = list(root_set)
    while stack:
        node = stack.pop()
        if node._has_hooks:
            return False
        if type(node) is ACCUMULATE_GRAD:
            var = node.variable
            d = getattr(var, "__dict__", None)
            if var._hooks or (d and "_post_accumulate_hooks" in d):
                return False
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None:
                d = deps.get(nxt)
                if d is None:
                    deps[nxt] = 1
                    if nxt not in root_set:
                        stack.append(nxt)
                else:
                    deps[nxt] = d + 1
    return True


cdef int accumulate(object var, object g) except -1:
    """engine.accumulate_grad(var, g) for a leaf with no hooks (plain_graph checked):
    the first gradient is copied (never aliased), later ones added in place."""
    if g is None:
        return 0
    old = (<TensorBase>var)._grad
    if old is None:
        (<TensorBase>var)._grad = clone(g)
    elif isinstance(old, TensorBase):
        old.add_(g)
    else:
        ACCUMULATE(var, g)
    return 0


cdef inline void into_buffer(dict buffers, object node, int nr, object g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * node._num_outputs
    old = buf[nr]
    buf[nr] = g if old is None else old + g


def run_plain_backward(list roots, list root_grads, bint keep_graph):
    """engine._execute for a graph with no hooks and nothing captured: True when done,
    False (nothing run) when the graph needs the Python engine."""
    cdef dict deps = {}
    root_nodes = [node for node, _ in roots]
    if not plain_graph(root_nodes, deps):
        return False
    cdef dict buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        if g is None:
            if node not in buffers:
                buffers[node] = [None] * node._num_outputs
        else:
            into_buffer(buffers, node, nr, g)
    cdef list ready = []
    cdef Py_ssize_t tick = 0, i, n
    for node in buffers:
        if deps.get(node, 0) == 0:
            tick += 1
            heappush(ready, (-node._seq, tick, node))
    while ready:
        node = heappop(ready)[2]
        grads = buffers.pop(node)
        if type(node) is ACCUMULATE_GRAD:
            accumulate(node.variable, grads[0])
            continue
        edges = node.next_functions
        n = len(edges)
        for g in grads:
            if g is not None:
                out = node_backward(node, grads)
                break
        else:                           # nothing flowed in: nothing flows out
            out = [None] * n
        if not keep_graph:
            if type(node)._free_saved is not PLAIN_FREE:
                node._free_saved()
            elif node._saved:
                node._saved = None      # later access raises "backward ... a second time"
        meta = node._input_meta
        for i in range(n):
            nxt, nr = edges[i]
            if nxt is None:
                continue
            g = out[i]
            if g is not None:
                m = meta[i]
                if not grad_fits(g, m):
                    g = FIT_TO_INPUT(node, i, g, m)
                into_buffer(buffers, nxt, nr, g)
            d = deps[nxt] - 1
            deps[nxt] = d
            if d == 0:
                if type(nxt) is ACCUMULATE_GRAD:
                    # a leaf runs first of all ready nodes (the largest _seq), in the
                    # order leaves became ready: so run it now, as engine._execute does
                    buf = buffers.pop(nxt, None)
                    if buf is not None:
                        accumulate(nxt.variable, buf[0])
                    continue
                if nxt not in buffers:
                    buffers[nxt] = [None] * nxt._num_outputs
                tick += 1
                heappush(ready, (-nxt._seq, tick, nxt))
    return True
