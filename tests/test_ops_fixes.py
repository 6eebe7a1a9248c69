"""Ops the audit against torch found wrong: each case is one expression evaluated with
`torch` bound to tinytensor and to torch, compared for value, dtype, shape or for the
exception class and message."""
import pytest

import tinytensor as tt
from oracle import assert_same

torch = pytest.importorskip("torch")


def outcome(expr, module):
    try:
        return eval(expr, {"torch": module, "inf": float("inf")}), None
    except Exception as e:          # noqa: BLE001 -- the exception is what we compare
        return None, e


def check(expr, message=True):
    """The same result or the same exception (class, and message unless told not)."""
    ours, e_ours = outcome(expr, tt)
    theirs, e_theirs = outcome(expr, torch)
    if e_theirs is not None:
        assert e_ours is not None, f"torch raised {e_theirs!r}; tinytensor returned {ours}"
        assert type(e_ours) is type(e_theirs), f"{e_ours!r} vs torch's {e_theirs!r}"
        if message:
            assert str(e_ours) == str(e_theirs)
        return
    assert e_ours is None, f"tinytensor raised {e_ours!r}; torch returned {theirs}"
    for o, t in zip(ours, theirs) if isinstance(theirs, tuple) else [(ours, theirs)]:
        assert_same(o, t, check_stride=False)


BROADCAST_ERRORS = [
    "torch.ones(2, 3) + torch.ones(3, 2)",
    "torch.ones(2, 3, 4) + torch.ones(3, 5, 4)",
    "torch.broadcast_tensors(torch.ones(3), torch.ones(2), torch.ones(5, 1, 1))",
    "torch.broadcast_tensors(torch.ones(2, 3), torch.ones(4, 1, 1), torch.ones(5, 1, 1))",
    "torch.where(torch.ones(2, 3) > 0, torch.ones(3, 2), torch.ones(5, 3))",
    "torch.addcmul(torch.ones(2, 3), torch.ones(4, 1, 1), torch.ones(5, 3))",
    "torch.lerp(torch.ones(3), torch.ones(2, 1), torch.ones(4, 1, 1))",
    "torch.ones(2, 3, 4).clamp(torch.ones(5, 1), torch.ones(3, 1))",
    "torch.ones(2, 3, 4) @ torch.ones(5, 4, 3)",
    "torch.normal(torch.zeros(2, 3), torch.ones(4))",
]


@pytest.mark.parametrize("expr", BROADCAST_ERRORS)
def test_broadcast_error_names_the_rightmost_mismatch(expr):
    check(expr)


B, I64 = "dtype=torch.bool", "dtype=torch.int64"
MATMUL_DTYPES = [
    f"torch.ones(2, 3, {B}) @ torch.ones(3, 2, {I64})",
    f"torch.ones(3, {B}) @ torch.ones(3, {I64})",
    f"torch.ones(2, 3, {I64}) @ torch.ones(3, dtype=torch.float32)",
    f"torch.ones(2, 2, 3, {B}) @ torch.ones(2, 3, 2, {I64})",
    f"torch.ones(2, 2, 3, {I64}) @ torch.ones(2, 3, 2, {B})",
    "torch.mm(torch.ones(2, 3, dtype=torch.float16), torch.ones(3, 2, dtype=torch.bfloat16))",
    "torch.mm(torch.ones(2, 3, dtype=torch.int8), torch.ones(3, 2, dtype=torch.uint8))",
    "torch.ones(3, dtype=torch.int8) @ torch.ones(3, dtype=torch.float64)",
]
BOOL_SHAPES = [("mv", (0, 3), (3,)), ("mv", (2, 0), (0,)), ("mv", (2, 3), (3,)),
               ("bmm", (1, 0, 3), (1, 3, 2)), ("bmm", (1, 2, 0), (1, 0, 2)),
               ("bmm", (1, 2, 3), (1, 3, 2)), ("matmul", (0,), (0, 2)),
               ("matmul", (2, 3, 0), (0,)), ("matmul", (2, 2, 3), (2, 3, 2)),
               ("mm", (2, 0), (0, 2)), ("mm", (0, 3), (3, 0)), ("dot", (0,), (0,))]


@pytest.mark.parametrize("expr", MATMUL_DTYPES)
def test_matmul_dtype_errors_as_torch(expr):
    check(expr)


@pytest.mark.parametrize("fn,sa,sb", BOOL_SHAPES)
def test_bool_matmul_empty_products_and_errors(fn, sa, sb):
    check(f"torch.{fn}(torch.ones({sa}, {B}), torch.ones({sb}, {B}))")


PROMOTED_KERNELS = [
    f"torch.{f}(torch.ones(2) / 3, torch.arange(2))" for f in
    ("hypot", "logaddexp", "logaddexp2", "nextafter")] + [
    f"torch.{f}(torch.arange(2, dtype=torch.int32), torch.ones(2, dtype=torch.float16))"
    for f in ("hypot", "logaddexp")] + [
    f"torch.{f}(torch.arange(2, dtype=torch.int32), torch.ones(2, dtype=torch.int8))"
    for f in ("hypot", "logaddexp2", "gcd")] + [
    "torch.gcd(torch.ones(2), torch.arange(2))",
    "torch.hypot(torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.bool))",
]


@pytest.mark.parametrize("expr", PROMOTED_KERNELS)
def test_float_only_kernels_look_at_the_promoted_dtype(expr):
    check(expr)


@pytest.mark.parametrize("n", [0, 2])
def test_bool_of_a_tensor_without_one_value(n):
    check(f"bool(torch.ones({n}))")


INPLACE_UNDER_GRAD = [
    "torch.ones(3, dtype=torch.int16).sub_(torch.ones(3, requires_grad=True))",
    "torch.ones(3, dtype=torch.int16).mul_(torch.ones(3, requires_grad=True) * 2)",
    "torch.ones(3).mul_(torch.ones(2, 3, requires_grad=True))",
    "(torch.ones(3, requires_grad=True) * 1).mul_(torch.ones(2, 3))",
]


@pytest.mark.parametrize("expr", INPLACE_UNDER_GRAD)
def test_inplace_checks_hold_while_recording(expr):
    check(expr)


# ---- gradients torch has and tinytensor lacked or got wrong ------------------------------
def grads_of(module, expr, arrays, upstream):
    leaves = [module.tensor(a, requires_grad=True) for a in arrays]
    out = eval(expr, {"torch": module, "a": leaves[0], "b": leaves[-1]})
    out.backward(module.tensor(upstream))
    return type(out.grad_fn).__name__, [x.grad for x in leaves]


GRAD_CASES = [
    ("torch.remainder(a, b)", 2), ("torch.remainder(a, 0.75)", 1),
    ("torch.fmod(a, b)", 2), ("torch.fmod(a, -1.5)", 1),
    ("torch.fmax(a, b)", 2), ("torch.fmin(a, b)", 2),
    ("torch.copysign(a, b)", 2), ("torch.copysign(a, -2.0)", 1),
    ("torch.lgamma(a)", 1), ("torch.floor(a)", 1), ("torch.ceil(a)", 1),
    ("torch.round(a)", 1), ("torch.trunc(a)", 1), ("torch.sign(a)", 1),
    ("torch.round(a, decimals=1)", 1),
    ("a.reciprocal()", 1), ("a.rsqrt()", 1), ("a.sigmoid()", 1), ("a.erf()", 1),
    ("a.erfc()", 1), ("torch.pow(a, b)", 2), ("a ** a", 1), ("a ** 2.5", 1), ("a ** 0", 1),
    ("2 ** a", 1), ("0.0 ** a", 1), ("(-2.0) ** a", 1), ("torch.atan2(a, b)", 2),
    ("torch.atan2(a, a)", 1),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr,arity", GRAD_CASES)
def test_gradients_match_torch(expr, arity, dtype):
    import numpy as np
    rng = np.random.default_rng(len(expr) + arity)
    vals = [np.array([0.0, -0.0, 1.5, -2.25, 3.0, 0.5, np.nan, np.inf]).astype(dtype)]
    vals.append(rng.permutation(vals[0]) if arity == 2 else None)
    vals[0] = np.concatenate([vals[0], (rng.standard_normal(8) * 3).astype(dtype)])
    if arity == 2:
        vals[1] = np.concatenate([vals[1], (rng.standard_normal(8) * 3).astype(dtype)])
    arrays = vals[:arity]
    upstream = np.concatenate([[np.inf, -1.0], rng.standard_normal(14)]).astype(dtype)
    node_o, ours = grads_of(tt, expr, arrays, upstream)
    node_t, theirs = grads_of(torch, expr, arrays, upstream)
    assert node_o == node_t
    for o, t in zip(ours, theirs):
        assert_same(o, t, check_stride=False)


@pytest.mark.parametrize("expr", ["torch.remainder(a, b)", "torch.fmod(a, b)",
                                  "torch.fmax(a, b)", "torch.copysign(a, b)",
                                  "torch.lgamma(a)"])
def test_gradients_pass_gradcheck(expr):
    a = tt.tensor([0.7, -1.3, 2.2], dtype=tt.float64, requires_grad=True)
    b = tt.tensor([0.4, 0.9, -1.7], dtype=tt.float64, requires_grad=True)
    assert tt.autograd.gradcheck(lambda a, b: eval(expr, {"torch": tt, "a": a, "b": b}),
                                 (a, b))


ZEROS = [[1.0, 0.0, 3.0, 0.0, 2.0], [0.0, 2.0, 2.0, 1.0, 1.0], [2.0, 3.0, 4.0, 5.0, 0.5]]
PRODUCTS = ["a.prod()", "a.prod(0)", "a.prod(1, keepdim=True)", "a.cumprod(1)",
            "a.cumprod(0)", "a[0].prod()", "a[:, :2].prod(-1)"]


@pytest.mark.parametrize("upstream", ["ones", "inf"])
@pytest.mark.parametrize("expr", PRODUCTS)
def test_product_gradients_with_zeros_match_torch(expr, upstream):
    import numpy as np
    x = np.array(ZEROS)
    shape = tuple(eval(expr, {"a": torch.tensor(x)}).shape)
    up = np.ones(shape)
    if upstream == "inf":
        up.flat[0] = np.inf             # meets a zero product: must not turn into NaN
    node_o, ours = grads_of(tt, expr, [x], up)
    node_t, theirs = grads_of(torch, expr, [x], up)
    assert node_o == node_t
    assert_same(ours[0], theirs[0], check_stride=False)


@pytest.mark.parametrize("expr", ["a.prod(1)", "a.prod()", "a.cumprod(1)", "a.cumprod(0)"])
def test_product_gradients_with_zeros_differentiate_again(expr):
    a = tt.tensor(ZEROS, dtype=tt.float64, requires_grad=True)
    f = lambda a: eval(expr, {"a": a})          # noqa: E731
    assert tt.autograd.gradcheck(f, (a,)) and tt.autograd.gradgradcheck(f, (a,))


INPLACE_ON_VIEWS = [
    "v.mul_(3)", "v.exp_()", "v.clamp_(0, 1.75)", "v.add_(w)", "v.addcmul_(w, w)",
    "v.masked_fill_(w > 2.5, 0.0)", "v.floor_()", "v.pow_(2)", "v.sub_(w, alpha=2)",
]


@pytest.mark.parametrize("view", ["b[0, 0:2]", "b[1]", "b.t()[1]", "b.reshape(4)[1:3]"])
@pytest.mark.parametrize("write", INPLACE_ON_VIEWS)
def test_inplace_math_on_a_view_reaches_the_base_gradient(write, view):
    def run(m):
        x = m.tensor([[1.5, 2.0], [-0.5, 3.0]], dtype=m.float64, requires_grad=True)
        w = m.tensor([2.0, 3.0], dtype=m.float64, requires_grad=True)
        b = x * 1
        v = eval(view, {"b": b})
        eval(write, {"v": v, "w": w})
        (b * m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=m.float64)).sum().backward()
        return type(b.grad_fn).__name__, b._version, x.grad, w.grad
    ours, theirs = run(tt), run(torch)
    assert ours[:2] == theirs[:2]
    for o, t in zip(ours[2:], theirs[2:]):
        assert (o is None) == (t is None)
        if t is not None:
            assert_same(o, t, check_stride=False)


@pytest.mark.parametrize("fn", ["sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_fused_backward_kernels_round_16_bit_floats_as_torch(fn, dtype):
    import numpy as np
    x = np.random.default_rng(1).standard_normal(500) * 3

    def grad(m):
        a = m.tensor(x, dtype=m.float32, requires_grad=True)
        getattr(m, fn)(a.to(getattr(m, dtype))).backward(
            m.tensor(x[::-1].copy()).to(getattr(m, dtype)))
        return a.grad
    assert_same(grad(tt), grad(torch), rtol=0, atol=0)


@pytest.mark.parametrize("other", ["int64", "int16"])
def test_empty_bmm_into_an_integer_result_cannot_record(other):
    check(f"torch.bmm(torch.ones(0, 4, 1, requires_grad=True), "
          f"torch.ones(0, 1, 1, dtype=torch.{other}))")
    check(f"torch.matmul(torch.ones(0, 4, 1, 1, requires_grad=True), "
          f"torch.ones(0, 4, 1, 1, dtype=torch.{other}))")


def test_linalg_lists_only_torchs_public_names():
    ours = {n for n in dir(tt.linalg) if not n.startswith("_")}
    assert ours <= set(dir(torch.linalg)), sorted(ours - set(dir(torch.linalg)))


LINALG_SPELLINGS = [
    "torch.linalg.vander(torch.tensor([1., 2, 3]))",
    "torch.linalg.vander(torch.tensor([[1., 2], [3, 4]]), N=3)",
    "torch.linalg.vander(torch.tensor([1, 2, 3]), N=4)",
    "torch.linalg.diagonal(torch.arange(24.).reshape(2, 3, 4), offset=1)",
    "torch.linalg.vecdot(torch.arange(6.).reshape(2, 3), torch.ones(3))",
    "torch.linalg.matrix_power(torch.tensor([[1., 2], [3, 4]]), 3)",
    "torch.linalg.matrix_exp(torch.tensor([[0., 1], [-1, 0]]))",
    "torch.linalg.multi_dot([torch.ones(3), torch.ones(3, 2), torch.ones(2)])",
    "torch.linalg.multi_dot([torch.ones(3, 3), torch.ones(3, 2), torch.ones(2, 4)])",
    "torch.linalg.lu_factor(torch.tensor([[1., 2], [3, 4]]))",
    "torch.linalg.lu(torch.tensor([[1., 2], [3, 4]], dtype=torch.float64))",
    "torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor([[1., 2], [3, 4]], "
    "dtype=torch.float64)), torch.tensor([[1.], [2]], dtype=torch.float64))",
    "torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor([[1., 2], [3, 4]], "
    "dtype=torch.float64)), torch.tensor([[1., 2]], dtype=torch.float64), left=False)",
]


@pytest.mark.parametrize("expr", LINALG_SPELLINGS)
def test_torch_linalg_spellings(expr):
    check(expr)
    ours, theirs = outcome(expr, tt)[0], outcome(expr, torch)[0]
    if isinstance(theirs, tuple):
        assert type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, float("inf"), 0])
def test_16_bit_vector_norms_accumulate_in_float32(dtype, ord):
    import numpy as np
    for x in [np.full(100, 300.0), np.random.default_rng(0).standard_normal((7, 9)) * 50]:
        ours = tt.linalg.vector_norm(tt.tensor(x).to(getattr(tt, dtype)), ord)
        theirs = torch.linalg.vector_norm(torch.tensor(x).to(getattr(torch, dtype)), ord)
        assert_same(ours, theirs, rtol=0, atol=0)


MULTI_VIEW_WRITES = [
    "x.unbind(0)[1].mul_(2)", "x.split(1)[2].mul_(2)", "x.chunk(2)[1].exp_()",
    "x.tensor_split(2)[1].exp_()", "x.split([1, 3])[1].clamp_(0, 1)",
]


@pytest.mark.parametrize("write", MULTI_VIEW_WRITES)
def test_inplace_on_one_of_several_views_raises_as_torch(write):
    check(f"(lambda x: {write})(torch.ones(4, 2, requires_grad=True) * 1)")
    check(f"(lambda x: {write})(torch.ones(4, 2))")      # nothing recorded: allowed


NORM_ARGUMENTS = [
    "torch.linalg.norm(torch.ones(2, 3), dim=(0, 1, 1))",
    "torch.linalg.norm(torch.ones(2, 3, 4), ord='fro', dim=(0, 1, 2))",
    "torch.linalg.norm(torch.ones(2, 3, 4), dim=(0, 1, 2))",
    "torch.linalg.norm(torch.ones(2, 3), ord='nuc', dim=0)",
    "torch.linalg.norm(torch.ones(2, 3), ord=2, dim=(0, 0))",
    "torch.linalg.matrix_norm(torch.ones(2, 3), dim=(0,))",
    "torch.linalg.matrix_norm(torch.ones(2, 3), dim=(-2, 0))",
    "torch.linalg.matrix_norm(torch.ones(2, 3), ord=3)",
    "torch.linalg.matrix_norm(torch.ones(2, 3), ord='abc')",
    "torch.linalg.matrix_norm(torch.ones(2, 3, dtype=torch.int64))",
    "torch.linalg.norm(torch.ones(3), ord='fro')",
    "torch.norm(torch.ones(2, 3), p='fro', dim=(0, 1, 1))",
    "torch.norm(torch.ones(2, 3), p='nuc', dim=0)",
    "torch.norm(torch.ones(2, 3, 4), p='nuc')",
    "torch.norm(torch.arange(6.).reshape(2, 3), p='fro', dim=0)",
    "torch.linalg.norm(torch.arange(24.).reshape(2, 3, 4), ord=float('inf'), dim=(2, 0))",
]


@pytest.mark.parametrize("expr", NORM_ARGUMENTS)
def test_norm_argument_checks_as_torch(expr):
    check(expr)


def test_norm_result_is_no_view_and_saves_itself():
    check("(lambda x: (lambda y: (y.mul_(2), y.sum().backward()))(x.norm()))"
          "(torch.tensor([2.5, 1], requires_grad=True))", message=False)
    assert tt.linalg.vector_norm(tt.ones(2, 3), dim=1)._base is None


@pytest.mark.parametrize("write", ["add_(1)", "exp_()", "mul_(torch.ones(3, 2))"])
def test_inplace_into_an_expanded_view_raises_while_recording(write):
    check(f"(torch.ones(3, 1, requires_grad=True) * 1).expand(3, 2).{write}")


OUT_FORMS = ["torch.sum(x, 1, out=o)", "torch.mean(x, 1, out=o)", "torch.prod(x, 1, out=o)",
             "torch.amax(x, 1, out=o)", "torch.amin(i, 0, out=o)", "torch.all(x, 1, out=o)",
             "torch.any(x, 0, out=o)", "torch.std(x, 1, out=o)", "torch.var(x, 1, out=o)",
             "torch.cumsum(x, 1, out=o)", "torch.cumprod(x, 1, out=o)",
             "torch.outer(x[0], x[1], out=o)", "torch.argmax(x, 1, out=o)",
             "torch.argmin(x, 1, out=o)", "torch.logsumexp(x, 1, out=o)",
             "torch.sum(i, 1, out=o)"]


@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("expr", OUT_FORMS)
def test_reductions_take_out_with_torchs_dtype_rules(expr, out_dtype):
    import warnings

    def run(m):
        x, i = m.arange(6.).reshape(2, 3), m.arange(6).reshape(2, 3)
        o = m.empty(0, dtype=getattr(m, out_dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr, {"torch": m, "x": x, "i": i, "o": o})
        assert r is o
        return r
    ours, e_ours = outcome_of(run, tt)
    theirs, e_theirs = outcome_of(run, torch)
    if e_theirs is not None:
        assert type(e_ours) is type(e_theirs) and str(e_ours) == str(e_theirs)
    else:
        assert e_ours is None, e_ours
        assert_same(ours, theirs, rtol=1e-6, atol=1e-6)     # torch's mixed-precision paths


def outcome_of(fn, module):
    try:
        return fn(module), None
    except Exception as e:          # noqa: BLE001 -- the exception is what we compare
        return None, e


AUDIT_CASES = [
    "torch.ones(2, 3, dtype=torch.int64).mean(5)", "torch.ones(2, 3, dtype=torch.int64).mean(0)",
    "torch.ones(2, 3, dtype=torch.bool).std(5)", "torch.ones(2, 3, dtype=torch.int64).var(0)",
    "torch.ones(2, 3, dtype=torch.bool).argmax(5)", "torch.ones(2, 3, dtype=torch.bool).argmin()",
    "torch.ones(2, 3, dtype=torch.bool).relu()",
    "torch.isclose(torch.tensor([True, False]), torch.tensor([True, True]))",
    "torch.isclose(torch.tensor([1, 5]), torch.tensor([1, 6]), rtol=0.2)",
    "torch.isclose(torch.ones(2), 2)",
    "torch.isclose(torch.ones(2), torch.ones(2, dtype=torch.float64))",
    "torch.isclose(torch.tensor([inf, 1.0, -inf]), torch.tensor([-inf, 1.00001, -inf]))",
    "torch.isclose(torch.ones(2), torch.ones(2), rtol=-1)",
    "torch.isclose(torch.tensor([1., 2]), torch.tensor([1., 2.5]), rtol=0, atol=0)",
]


@pytest.mark.parametrize("expr", AUDIT_CASES)
def test_checks_and_edges_found_by_the_audit(expr):
    check(expr)


def test_allclose_of_bools():
    assert tt.allclose(tt.tensor([True, False]), tt.tensor([True, False]))


LINALG_GRADS = [
    ("torch.linalg.det(a)", (3, 3)), ("torch.linalg.det(a)", (2, 3, 3)),
    ("torch.linalg.inv(a)", (3, 3)), ("torch.linalg.solve(a, a.sin())", (2, 3, 3)),
    ("torch.linalg.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=torch.float64))", (3, 3)),
    ("torch.linalg.eigh(a + a.mT)[0]", (3, 3)), ("torch.linalg.eigvalsh(a + a.mT)", (2, 3, 3)),
    ("(lambda r: r[0].sum() + (r[1] ** 2 * torch.arange(9.).reshape(3, 3).double()).sum())"
     "(torch.linalg.eigh(a + a.mT))", (3, 3)),
    ("torch.linalg.qr(a)[1]", (3, 3)), ("torch.linalg.qr(a)[0]", (4, 3)),
    ("(lambda r: (r[0] * 2).sum() + (r[1] ** 2).sum())(torch.linalg.qr(a))", (2, 4, 3)),
    ("torch.linalg.matrix_norm(a, 1)", (3, 4)),
    ("torch.linalg.matrix_norm(a, -float('inf'), dim=(2, 0))", (2, 3, 4)),
    ("torch.linalg.matrix_norm(a, float('inf'), dim=(0, 2), keepdim=True)", (2, 3, 4)),
]


@pytest.mark.parametrize("expr,shape", LINALG_GRADS)
def test_linalg_gradients_match_torch(expr, shape):
    import numpy as np
    x = np.random.default_rng(len(expr)).standard_normal(shape)
    out_shape = tuple(eval(expr, {"torch": torch, "a": torch.tensor(x)}).shape)
    up = np.random.default_rng(1).standard_normal(out_shape)
    node_o, ours = grads_of(tt, expr, [x], up)
    node_t, theirs = grads_of(torch, expr, [x], up)
    assert node_o == node_t
    assert_same(ours[0], theirs[0], rtol=1e-9, atol=1e-9, check_stride=False)


@pytest.mark.parametrize("fn", [lambda a: tt.linalg.qr(a),
                                lambda a: tt.linalg.eigh(a + a.mT)[0],
                                lambda a: tt.linalg.eigh(a + a.mT)[1].abs(),
                                lambda a: tt.linalg.det(a), lambda a: tt.linalg.inv(a)])
def test_linalg_gradients_pass_gradcheck(fn):
    import numpy as np
    a = tt.tensor(np.random.default_rng(3).standard_normal((3, 3)), requires_grad=True)
    assert tt.autograd.gradcheck(fn, (a,))
