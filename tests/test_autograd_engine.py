"""The autograd engine against torch: graph shape, gradient flow, accumulation, hooks,
retain_graph, errors, grad(), backward(inputs=), memory.

The math here runs through small custom Functions computed with numpy (named like
torch's nodes), so these tests pin the engine itself, independent of the math ops."""
import gc
import weakref

import numpy as np
import pytest

import tinytensor as tt
from tinytensor.autograd import Function

torch = pytest.importorskip("torch")


# ---- numpy-backed ops, so the engine is tested on its own ------------------------------------
def N(t):
    # tolist, not the buffer protocol: keeps these tests independent of buffer refcounts
    return np.array(t.detach().tolist(), dtype=np.float64 if t.dtype == tt.float64
                    else np.float32)


def T(a, like=None):
    a = np.asarray(a, dtype=np.float32 if like is None else np.asarray(N(like)).dtype)
    return tt.from_numpy(np.array(a, order="C"))       # (keeps 0-d, unlike ascontiguousarray)


def _reduce(g, shape):
    """numpy sum of g back to shape (what broadcasting backward does)."""
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(0)
    for d, s in enumerate(shape):
        if s == 1 and g.shape[d] != 1:
            g = g.sum(d, keepdims=True)
    return g


@pytest.fixture(autouse=True)
def numpy_math_fallback(monkeypatch):
    """Until the math ops land, give Tensor the three the engine uses (+, add_, sum_to_size)."""
    if not hasattr(tt.Tensor, "__add__"):
        monkeypatch.setattr(tt.Tensor, "__add__", lambda a, b: T(N(a) + N(b), a),
                            raising=False)
    if not hasattr(tt.Tensor, "add_"):
        def add_(a, b):
            a.copy_(T(N(a) + N(b), a))
            return a
        monkeypatch.setattr(tt.Tensor, "add_", add_, raising=False)
    if not hasattr(tt.Tensor, "sum_to_size"):
        monkeypatch.setattr(tt.Tensor, "sum_to_size",
                            lambda g, *s: T(_reduce(N(g), s[0] if len(s) == 1 and
                                                    not isinstance(s[0], int) else s), g),
                            raising=False)


class Mul(Function, node_name="MulBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return T(N(a) * N(b), a)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return T(N(g) * N(b), g), T(N(g) * N(a), g)


class Add(Function, node_name="AddBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        return T(N(a) + N(b), a)

    @staticmethod
    def backward(ctx, g):
        return g, g


class Exp(Function, node_name="ExpBackward0"):
    @staticmethod
    def forward(ctx, a):
        out = T(np.exp(N(a)), a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return T(N(g) * N(out), g)


class Double_(Function, node_name="MulBackward0"):
    @staticmethod
    def forward(ctx, a):
        a.copy_(T(N(a) * 2))
        ctx.mark_dirty(a)
        return a

    @staticmethod
    def backward(ctx, g):
        return T(N(g) * 2)


class Sum(Function, node_name="SumBackward0"):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return T(N(a).sum(), a)

    @staticmethod
    def backward(ctx, g):
        return T(np.broadcast_to(N(g), tuple(ctx.shape)), g)


def mul(a, b):
    return Mul.apply(a, b)


def add(a, b):
    return Add.apply(a, b)


def pair(values, requires_grad=True, dtype=np.float32):
    a = np.asarray(values, dtype=dtype)
    x = tt.from_numpy(a.copy()).requires_grad_(requires_grad)
    y = torch.from_numpy(a.copy()).requires_grad_(requires_grad)
    return x, y


def close(t, ref):
    np.testing.assert_allclose(N(t), ref.detach().numpy(), rtol=1e-6, atol=1e-6)


# ---- graph structure -------------------------------------------------------------------------
def test_grad_fn_names_and_next_functions_follow_torch():
    x, tx = pair([1.0, 2.0, 3.0])
    w, tw = pair([0.5, -1.0, 2.0])
    c, tc = pair([1.0, 1.0, 1.0], requires_grad=False)
    y = add(mul(x, w), c)
    ty = tx * tw + tc
    assert y.grad_fn.name() == type(ty.grad_fn).__name__ == "AddBackward0"
    (m, _), (none, nr) = y.grad_fn.next_functions
    assert m.name() == "MulBackward0" and none is None and nr == 0
    leaves = m.next_functions
    assert [type(n).__name__ for n, _ in leaves] == ["AccumulateGrad", "AccumulateGrad"]
    assert leaves[0][0].variable is x and leaves[1][0].variable is w
    assert leaves[0][0].next_functions == ()
    assert repr(y).endswith("grad_fn=<AddBackward0>)")
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    assert not y.is_leaf and x.is_leaf and c.is_leaf and y.requires_grad


def test_same_leaf_shares_one_accumulate_grad_node():
    x, _ = pair([1.0, 2.0])
    a, b = mul(x, x).grad_fn.next_functions
    assert a[0] is b[0]


def test_view_chain_gradient_matches_torch():
    x, tx = pair(np.arange(12.0).reshape(3, 4))
    y = x.t().reshape(2, 6)[1, 1:4]
    ty = tx.t().reshape(2, 6)[1, 1:4]
    g = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    y.backward(T(g))
    ty.backward(torch.from_numpy(g))
    close(x.grad, tx.grad)
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_diamond_sums_gradients_from_both_paths():
    x, tx = pair([1.0, 2.0, 3.0])
    e = Exp.apply(x)
    y = Sum.apply(add(mul(e, x), e))
    (tx.exp() * tx + tx.exp()).sum().backward()
    y.backward()
    close(x.grad, tx.grad)


def test_broadcast_gradient_is_reduced_to_input_shape():
    x, tx = pair(np.ones((2, 3)))
    b, tb = pair([[1.0, 2.0, 3.0]])
    Sum.apply(Mul.apply(x, b.expand(2, 3))).backward()
    (tx * tb).sum().backward()
    close(b.grad, tb.grad)


def test_gradient_of_wrong_shape_names_the_node():
    class Bad(Function, node_name="BadBackward"):
        @staticmethod
        def forward(ctx, a):
            return T(N(a))

        @staticmethod
        def backward(ctx, g):
            return T(np.ones((2, 3)))

    x, _ = pair([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(RuntimeError, match=r"Function BadBackward returned an invalid "
                       r"gradient at index 0 - got \[2, 3\] but expected shape compatible "
                       r"with \[4\]"):
        Sum.apply(Bad.apply(x)).backward()


def test_gradient_is_cast_back_to_input_dtype():
    x, tx = pair([1.0, 2.0], dtype=np.float32)
    y = x.to(tt.float64)
    Sum.apply(Mul.apply(y, y)).backward()
    (tx.double() * tx.double()).sum().backward()
    assert x.grad.dtype == tt.float32
    close(x.grad, tx.grad)


# ---- accumulation, retain_graph, errors ------------------------------------------------------
def test_grad_accumulates_across_backward_calls():
    x, tx = pair([1.0, 2.0])
    for _ in range(2):
        Sum.apply(mul(x, x)).backward()
        (tx * tx).sum().backward()
    close(x.grad, tx.grad)


def test_first_grad_does_not_alias_the_incoming_gradient():
    x, _ = pair([1.0, 2.0])
    g = T([1.0, 1.0])
    x.reshape(2).backward(g)
    assert x.grad._storage_ptr() != g._storage_ptr()
    before = x.grad
    x.reshape(2).backward(g)
    assert x.grad is before and N(x.grad).tolist() == [2.0, 2.0]   # added in place


def test_second_backward_through_freed_graph_raises_and_retain_graph_allows_it():
    x, tx = pair([1.0, 2.0])
    y = Sum.apply(mul(x, x))
    y.backward(retain_graph=True)
    y.backward()
    ty = (tx * tx).sum()
    ty.backward(retain_graph=True)
    ty.backward()
    close(x.grad, tx.grad)
    with pytest.raises(RuntimeError) as ours:
        y.backward()
    with pytest.raises(RuntimeError) as theirs:
        ty.backward()
    assert str(ours.value) == str(theirs.value)


def test_graph_without_saved_tensors_can_run_twice():
    x, _ = pair([1.0, 2.0])
    y = Sum.apply(add(x, x))
    y.backward()
    y.backward()
    assert N(x.grad).tolist() == [4.0, 4.0]


@pytest.mark.parametrize("case", ["non_scalar", "no_grad_fn", "shape_mismatch",
                                  "unused_input", "input_without_grad", "empty_inputs"])
def test_error_messages_match_torch(case):
    x, tx = pair([1.0, 2.0, 3.0])
    c, tc = pair([1.0, 2.0], requires_grad=False)

    def run(lib, x, c, mulf):
        if case == "non_scalar":
            mulf(x, x).backward()
        elif case == "no_grad_fn":
            c.backward(lib.ones(2))
        elif case == "shape_mismatch":
            mulf(x, x).backward(lib.ones(2))
        elif case == "unused_input":
            other = lib.ones(2, requires_grad=True)
            lib.autograd.grad(mulf(x, x).sum() if lib is torch else Sum.apply(mulf(x, x)),
                              [x, other])
        elif case == "input_without_grad":
            lib.autograd.grad(mulf(x, x).sum() if lib is torch else Sum.apply(mulf(x, x)),
                              [x, c])
        elif case == "empty_inputs":
            (mulf(x, x).sum() if lib is torch else Sum.apply(mulf(x, x))).backward(inputs=[])

    with pytest.raises(Exception) as theirs:
        run(torch, tx, tc, lambda a, b: a * b)
    with pytest.raises(Exception) as ours:
        run(tt, x, c, mul)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_saved_tensor_modified_in_place_raises_version_error():
    x, tx = pair([1.0, 2.0])
    e = Exp.apply(mul(x, x))
    y = Sum.apply(e)
    e.fill_(0.0)
    te = (tx * tx).exp()
    ty = te.sum()
    with torch.no_grad():
        te.fill_(0.0)
    with pytest.raises(RuntimeError) as theirs:
        ty.backward()
    with pytest.raises(RuntimeError) as ours:
        y.backward()
    assert str(ours.value) == str(theirs.value)


def test_version_error_names_the_current_node_of_a_saved_input():
    x, tx = pair([1.0, 2.0])
    h = Exp.apply(x)
    y = Sum.apply(mul(h, h))
    Double_.apply(h)
    th = tx.exp()
    ty = (th * th).sum()
    th.mul_(2)
    with pytest.raises(RuntimeError) as theirs:
        ty.backward()
    with pytest.raises(RuntimeError) as ours:
        y.backward()
    assert str(ours.value) == str(theirs.value)


def test_anomaly_mode_names_nan_producing_node():
    class NanGrad(Function, node_name="NanBackward"):
        @staticmethod
        def forward(ctx, a):
            return T(N(a))

        @staticmethod
        def backward(ctx, g):
            return T(N(g) * np.nan)

    x, _ = pair([1.0])
    with pytest.warns(UserWarning):
        with tt.autograd.detect_anomaly():
            y = Sum.apply(NanGrad.apply(x))
            with pytest.raises(RuntimeError, match="Function 'NanBackward' returned nan "
                               "values in its 0th output."):
                y.backward()
    assert not tt.autograd.is_anomaly_enabled()


def test_in_place_on_leaf_requiring_grad_raises_like_torch():
    x, tx = pair([1.0, 2.0])
    with pytest.raises(RuntimeError) as theirs:
        tx.fill_(1.0)
    with pytest.raises(RuntimeError) as ours:
        x.fill_(1.0)
    assert str(ours.value) == str(theirs.value)
    with tt.no_grad():
        x.fill_(3.0)        # allowed under no_grad, as in optimizer steps
    assert N(x).tolist() == [3.0, 3.0]


# ---- autograd.grad and backward(inputs=) ----------------------------------------------------
def test_autograd_grad_returns_gradients_without_touching_grad():
    x, tx = pair([1.0, 2.0])
    w, tw = pair([3.0, 4.0])
    gx, gw = tt.autograd.grad(Sum.apply(mul(x, w)), [x, w])
    tgx, tgw = torch.autograd.grad((tx * tw).sum(), [tx, tw])
    close(gx, tgx)
    close(gw, tgw)
    assert x.grad is None and w.grad is None


def test_autograd_grad_wrt_intermediate_runs_only_what_is_needed():
    x, tx = pair([1.0, 2.0])
    calls = []

    class Spy(Function, node_name="SpyBackward"):
        @staticmethod
        def forward(ctx, a):
            return T(N(a))

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g

    h = mul(Spy.apply(x), x)
    y = Sum.apply(Exp.apply(h))
    (gh,) = tt.autograd.grad(y, h)
    th = tx * tx
    (tgh,) = torch.autograd.grad(th.exp().sum(), th)
    close(gh, tgh)
    assert calls == [] and x.grad is None


def test_allow_unused_and_materialize_grads():
    x, _ = pair([1.0, 2.0])
    u, _ = pair([5.0])
    y = Sum.apply(mul(x, x))
    gx, gu = tt.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True)
    assert gu is None
    gx, gu = tt.autograd.grad(y, [x, u], materialize_grads=True)
    assert N(gu).tolist() == [0.0]


def test_backward_with_inputs_accumulates_only_into_those():
    x, tx = pair([1.0, 2.0])
    w, tw = pair([3.0, 4.0])
    h = mul(x, w)
    th = tx * tw
    Sum.apply(Exp.apply(h)).backward(inputs=[w, h])
    th.retain_grad()
    th.exp().sum().backward(inputs=[tw, th])
    assert x.grad is None and tx.grad is None
    close(w.grad, tw.grad)
    close(h._grad, th.grad)


def test_backward_on_a_leaf_sets_its_grad():
    x, tx = pair([1.0, 2.0])
    x.backward(T([3.0, 4.0]))
    tx.backward(torch.tensor([3.0, 4.0]))
    close(x.grad, tx.grad)


def test_multiple_roots_with_grad_tensors():
    x, tx = pair([1.0, 2.0])
    a, b = mul(x, x), Exp.apply(x)
    ta, tb = tx * tx, tx.exp()
    tt.autograd.backward([a, b], [T([1.0, 2.0]), T([3.0, 4.0])])
    torch.autograd.backward([ta, tb], [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    close(x.grad, tx.grad)


def test_root_that_feeds_another_root_waits_for_it():
    x, tx = pair([1.0, 2.0])
    a = mul(x, x)
    b = Exp.apply(a)
    ta = tx * tx
    tb = ta.exp()
    tt.autograd.backward([a, b], [T([1.0, 1.0]), T([1.0, 1.0])])
    torch.autograd.backward([ta, tb], [torch.ones(2), torch.ones(2)])
    close(x.grad, tx.grad)


# ---- hooks and retain_grad -------------------------------------------------------------------
def test_tensor_hooks_replace_gradients_and_retain_grad_sees_the_result():
    x, tx = pair([1.0, 2.0])
    seen = []
    z = mul(x, T([2.0, 2.0]))
    tz = tx * torch.tensor([2.0, 2.0])
    for t in (z, tz):
        t.register_hook(lambda g: g + g)
        t.retain_grad()
    x.register_hook(lambda g: seen.append(N(g).tolist()))
    Sum.apply(z).backward()
    tz.sum().backward()
    close(z.grad, tz.grad)
    close(x.grad, tx.grad)
    assert seen == [[4.0, 4.0]] and z.retains_grad and not x.retains_grad


def test_hook_handle_removes_the_hook():
    x, _ = pair([1.0, 2.0])
    h = x.register_hook(lambda g: g + g)
    h.remove()
    Sum.apply(mul(x, x)).backward()
    assert N(x.grad).tolist() == [2.0, 4.0]


def test_register_hook_on_tensor_without_grad_raises():
    c, tc = pair([1.0], requires_grad=False)
    with pytest.raises(RuntimeError) as theirs:
        tc.register_hook(lambda g: g)
    with pytest.raises(RuntimeError) as ours:
        c.register_hook(lambda g: g)
    assert str(ours.value) == str(theirs.value)


def test_node_pre_and_post_hooks():
    x, _ = pair([1.0, 2.0])
    y = mul(x, T([3.0, 3.0]))
    log = []
    y.grad_fn.register_prehook(lambda go: log.append(("pre", len(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", len(gi), len(go))))
    Sum.apply(y).backward()
    assert log == [("pre", 1), ("post", 2, 1)]


def test_accumulate_grad_node_hooks_run_in_torchs_order():
    def run(lib):
        x = lib.tensor([1.0], requires_grad=True)
        y = (x * 2).sum()
        acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
        log = [acc.name()]
        acc.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        acc.register_prehook(lambda go: (go[0] + 1,))
        acc.register_hook(lambda gi, go: log.append(("post", gi, go[0].tolist(),
                                                      x.grad.tolist())))
        x.register_hook(lambda g: g * 10)
        y.backward(retain_graph=True)
        log.append(x.grad.tolist())
        log.append([g.tolist() for g in lib.autograd.grad(y, x)])   # grad(): no node hooks
        return log

    assert run(tt) == run(torch)


def test_non_leaf_grad_warns_and_is_none():
    x, _ = pair([1.0, 2.0])
    y = mul(x, x)
    Sum.apply(y).backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_post_accumulate_grad_hook_runs_after_accumulation():
    x, _ = pair([1.0, 2.0])
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(N(t.grad).tolist()))
    Sum.apply(mul(x, x)).backward()
    assert seen == [[2.0, 4.0]]


# ---- memory ----------------------------------------------------------------------------------
def test_graph_is_freed_by_reference_counting_after_backward():
    gc.collect()
    gc.disable()
    try:
        x, _ = pair([1.0, 2.0, 3.0])
        e = Exp.apply(mul(x, x))        # Exp saves its own output: the classic cycle
        y = Sum.apply(e)
        node_ref = weakref.ref(e.grad_fn)
        e_ref = weakref.ref(e)
        y.backward()
        del e, y
        assert node_ref() is None and e_ref() is None
        assert x.grad is not None
    finally:
        gc.enable()


def test_graph_kept_alive_only_by_its_outputs():
    gc.disable()
    try:
        x, _ = pair([1.0, 2.0, 3.0])
        y = Sum.apply(Exp.apply(mul(x, x)))
        ref = weakref.ref(y.grad_fn.next_functions[0][0])
        del y
        assert ref() is None
        assert x.__dict__.get("_accumulate_ref") is None or \
            x.__dict__["_accumulate_ref"]() is None
    finally:
        gc.enable()


def test_saved_output_unpacks_with_its_grad_fn():
    x, _ = pair([1.0])
    e = Exp.apply(x)
    (out,) = e.grad_fn.saved_tensors
    assert out.grad_fn is e.grad_fn and N(out).tolist() == N(e).tolist()


# ---- custom Functions ------------------------------------------------------------------------
def test_custom_function_ctx_api_like_torch():
    class Scale(Function):
        @staticmethod
        def forward(ctx, a, factor, flag):
            ctx.factor = factor
            ctx.seen = ctx.needs_input_grad
            return T(N(a) * factor)

        @staticmethod
        def backward(ctx, g):
            return T(N(g) * ctx.factor), None, None

    x, _ = pair([1.0, 2.0])
    y = Scale.apply(x, 3.0, True)
    assert y.grad_fn.name() == "ScaleBackward" and y.grad_fn.seen == (True, False, False)
    assert len(y.grad_fn.next_functions) == 1
    Sum.apply(y).backward()
    assert N(x.grad).tolist() == [3.0, 3.0]


def test_custom_function_wrong_number_of_gradients():
    class Two(Function):
        @staticmethod
        def forward(ctx, a, b):
            return T(N(a) + N(b))

        @staticmethod
        def backward(ctx, g):
            return g

    x, _ = pair([1.0])
    with pytest.raises(RuntimeError, match=r"function TwoBackward returned an incorrect "
                       r"number of gradients \(expected 2, got 1\)"):
        Sum.apply(Two.apply(x, x)).backward()


def test_mark_non_differentiable_and_multiple_outputs():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, a):
            v = N(a)
            idx = np.argsort(v)
            ctx.idx = idx
            out, ind = T(v[idx]), tt.from_numpy(idx.astype(np.int64))
            ctx.mark_non_differentiable(ind)
            return out, ind

        @staticmethod
        def backward(ctx, g, g_ind):
            out = np.zeros_like(N(g))
            out[ctx.idx] = N(g)
            return T(out)

    x, _ = pair([3.0, 1.0, 2.0])
    v, i = SortLike.apply(x)
    assert v.requires_grad and not i.requires_grad
    v.backward(T([1.0, 2.0, 3.0]))
    assert N(x.grad).tolist() == [3.0, 1.0, 2.0]


def test_unused_output_gets_zero_gradient_when_materialized():
    class Split2(Function):
        @staticmethod
        def forward(ctx, a):
            v = N(a)
            return T(v[:1]), T(v[1:])

        @staticmethod
        def backward(ctx, g1, g2):
            return T(np.concatenate([N(g1), N(g2)]))

    x, _ = pair([1.0, 2.0])
    a, b = Split2.apply(x)
    Sum.apply(b).backward()
    assert N(x.grad).tolist() == [0.0, 1.0]


def test_input_returned_as_is_becomes_a_new_tensor():
    class Ident(Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, g):
            return g

    x, _ = pair([1.0])
    y = Ident.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name() == "IdentBackward"


def test_mark_dirty_on_non_leaf_rebases_history():
    class Double_(Function, node_name="MulBackward0"):
        @staticmethod
        def forward(ctx, a):
            a.copy_(T(N(a) * 2))
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, g):
            return T(N(g) * 2)

    x, tx = pair([1.0, 2.0])
    h = Exp.apply(x)
    old = h.grad_fn
    out = Double_.apply(h)
    assert out is h and h.grad_fn.name() == "MulBackward0"
    assert h.grad_fn.next_functions[0][0] is old
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        Sum.apply(h).backward()         # Exp saved its output, now changed in place


def test_mark_dirty_on_leaf_requiring_grad_raises():
    class Inc_(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, g):
            return g

    x, _ = pair([1.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                       "used in an in-place operation."):
        Inc_.apply(x)


def test_once_differentiable_runs_backward_without_grad():
    seen = []

    class F(Function):
        @staticmethod
        def forward(ctx, a):
            return T(N(a) * 2)

        @staticmethod
        @tt.autograd.once_differentiable
        def backward(ctx, g):
            seen.append(tt.is_grad_enabled())
            return T(N(g) * 2)

    x, _ = pair([1.0])
    Sum.apply(F.apply(x)).backward()
    assert seen == [False] and N(x.grad).tolist() == [2.0]


def test_to_dot_names_nodes_and_leaves():
    x, _ = pair([[1.0, 2.0]])
    y = Sum.apply(Exp.apply(mul(x, x)))
    dot = tt.autograd.to_dot(y, params={"x": x})
    assert dot.startswith("digraph {") and dot.rstrip().endswith("}")
    for name in ("SumBackward0", "ExpBackward0", "MulBackward0", "x\\n(1, 2)\\nfloat32"):
        assert name in dot
    assert dot.count("->") == 5     # mul gets x twice, plus the output edge


def test_setup_context_style_function():
    class Cube(Function):
        @staticmethod
        def forward(a):
            return T(N(a) ** 3)

        @staticmethod
        def setup_context(ctx, inputs, output):
            (a,) = inputs
            ctx.save_for_backward(a)

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return T(3 * N(g) * N(a) ** 2)

    x, tx = pair([1.0, 2.0])
    Sum.apply(Cube.apply(x)).backward()
    assert N(x.grad).tolist() == [3.0, 12.0]
    with tt.no_grad():
        assert N(Cube.apply(x)).tolist() == [1.0, 8.0]


# ---- the C fast loops (Note [autograd fast loops]) hand over to the Python engine ------------
def test_hooks_registered_after_a_hook_free_backward_run_on_the_next():
    x, tx = pair([1.0, 2.0])
    seen = []
    for leaf in (x, tx):
        Sum.apply(mul(x, x)).backward() if leaf is x else (tx * tx).sum().backward()
    x.register_hook(lambda g: seen.append(N(g).tolist()))
    tx.register_hook(lambda g: seen.append(g.tolist()))
    z, tz = mul(x, x), tx * tx
    z.retain_grad()
    tz.retain_grad()
    Sum.apply(z).backward()
    tz.sum().backward()
    assert seen[0] == seen[1] == [2.0, 4.0]
    close(x.grad, tx.grad)
    close(z.grad, tz.grad)


def test_post_accumulate_hook_added_after_a_hook_free_backward_sees_the_sum():
    x, tx = pair([1.0, 2.0])
    Sum.apply(mul(x, x)).backward()
    (tx * tx).sum().backward()
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(N(t.grad).tolist()))
    tx.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    Sum.apply(mul(x, x)).backward()
    (tx * tx).sum().backward()
    assert seen[0] == seen[1] == [4.0, 8.0]


def test_no_grad_ctx_ignores_values_a_forward_stashes():
    class Stash(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.big = a             # dropped when nothing records: nothing keeps a alive
            ctx.save_for_backward(a)
            return T(N(a) * 2, a)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = T([1.0, 2.0])
    out = Stash.apply(x)
    assert N(out).tolist() == [2.0, 4.0] and out.grad_fn is None
    with pytest.raises(AttributeError):
        tt.autograd.function._NO_CTX.big
