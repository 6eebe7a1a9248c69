"""Type promotion, out= and in-place rules against torch: the full dtype x dtype table of
the arithmetic and comparison ops (tensors with dims, 0-d tensors, Python scalars),
result_type / promote_types / can_cast, out= dtype and resize rules, and the in-place
castability and no-growth rules.  Values, dtypes, shapes and exception classes."""
import itertools
import warnings

import numpy as np
import pytest

import tinytensor as tt
from oracle import DTYPE_NAMES, to_numpy

torch = pytest.importorskip("torch")

OPS = {
    "add": lambda m, a, b: m.add(a, b),
    "sub": lambda m, a, b: m.sub(a, b),
    "mul": lambda m, a, b: m.mul(a, b),
    "div": lambda m, a, b: m.div(a, b),
    "truediv": lambda m, a, b: a / b,
    "floordiv": lambda m, a, b: a // b,
    "remainder": lambda m, a, b: a % b,
    "eq": lambda m, a, b: a == b,
    "lt": lambda m, a, b: a < b,
    "ge": lambda m, a, b: m.ge(a, b),
    "maximum": lambda m, a, b: m.maximum(a, b),
}
SHAPES = [((4,), (4,)), ((4,), ()), ((), (4,)), ((), ())]
SCALARS = [True, False, 3, -2, 2.5, 0.0]


def make(m, dtype, shape, values=(0, 1, 2, 5)):
    """The same small tensor in tinytensor or torch (m is the module)."""
    vals = [bool(v) for v in values] if dtype == "bool" else list(values)
    t = m.tensor(vals, dtype=getattr(m, dtype))
    return t if shape == (4,) else t[3]


def outcome(fn):
    """What fn gives: ('ok', dtype name, shape, values) or ('raise', exception class)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn()
        except Exception as e:      # noqa: BLE001  (the class is what is compared)
            return ("raise", type(e))
    return ("ok", str(r.dtype).split(".")[-1], tuple(r.shape), to_numpy(r))


def assert_same_outcome(ours, theirs, what):
    assert ours[0] == theirs[0], f"{what}: {ours[:3]} vs {theirs[:3]}"
    if ours[0] == "raise":
        assert issubclass(ours[1], theirs[1]) or ours[1] is theirs[1], \
            f"{what}: raised {ours[1].__name__}, torch {theirs[1].__name__}"
        return
    assert ours[1:3] == theirs[1:3], f"{what}: {ours[1:3]} vs {theirs[1:3]}"
    np.testing.assert_array_equal(ours[3], theirs[3], err_msg=str(what))


def same(fn, what):
    assert_same_outcome(outcome(lambda: fn(tt)), outcome(lambda: fn(torch)), what)


# ---- the dtype x dtype table -----------------------------------------------------------
@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("lhs", DTYPE_NAMES)
def test_binary_dtype_table_matches_torch(op, lhs):
    f = OPS[op]
    for rhs, (sa, sb) in itertools.product(DTYPE_NAMES, SHAPES):
        same(lambda m: f(m, make(m, lhs, sa), make(m, rhs, sb, (1, 2, 3, 4))),
             (op, lhs, rhs, sa, sb))


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_tensor_with_python_scalar_matches_torch(op, dtype):
    f = OPS[op]
    for s, shape in itertools.product(SCALARS, [(4,), ()]):
        same(lambda m: f(m, make(m, dtype, shape), s), (op, dtype, shape, s))
        if op not in ("div",):          # torch.div(number, tensor) does not parse
            same(lambda m: f(m, s, make(m, dtype, shape, (1, 2, 3, 4))),
                 (op, s, dtype, shape))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_python_operators_reflected_match_torch(dtype):
    for s in SCALARS:
        for name, f in [("rsub", lambda a, b: b - a), ("rtruediv", lambda a, b: b / a),
                        ("rpow", lambda a, b: b ** a), ("radd", lambda a, b: b + a),
                        ("rmul", lambda a, b: b * a)]:
            same(lambda m: f(make(m, dtype, (4,), (1, 2, 3, 1)), s), (name, dtype, s))


def test_unary_minus_and_sub_of_bool_raise_as_torch():
    b = ("bool", (4,))
    for f in [lambda m: -make(m, *b), lambda m: m.neg(make(m, *b)),
              lambda m: make(m, *b).neg_(),
              lambda m: make(m, "float32", (4,)) - make(m, *b),
              lambda m: make(m, "float32", (4,)).sub_(make(m, *b)),
              lambda m: make(m, "int64", (4,)).sub(True),
              lambda m: make(m, *b) - make(m, *b), lambda m: 1 - make(m, *b),
              lambda m: m.rsub(make(m, *b), 1)]:
        ours = outcome(lambda: f(tt))
        with pytest.raises(RuntimeError) as theirs:
            f(torch)
        assert ours[0] == "raise" and ours[1] is RuntimeError, ours
        with pytest.raises(RuntimeError) as e:
            f(tt)
        assert str(e.value) == str(theirs.value)


# ---- result_type, promote_types, can_cast -------------------------------------------------
def test_promote_types_and_can_cast_tables_match_torch():
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        ours = tt.promote_types(getattr(tt, a), getattr(tt, b))
        assert ours.name == str(torch.promote_types(getattr(torch, a),
                                                    getattr(torch, b))).split(".")[-1]
        assert tt.can_cast(getattr(tt, a), getattr(tt, b)) == \
            torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_result_type_matches_torch():
    def name(d):
        return str(d).split(".")[-1]
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        for sa, sb in SHAPES:
            ours = tt.result_type(make(tt, a, sa), make(tt, b, sb))
            assert ours.name == name(torch.result_type(make(torch, a, sa),
                                                       make(torch, b, sb))), (a, b, sa, sb)
    for a, s in itertools.product(DTYPE_NAMES, SCALARS):
        for shape in [(4,), ()]:
            assert tt.result_type(make(tt, a, shape), s).name == \
                name(torch.result_type(make(torch, a, shape), s)), (a, shape, s)
            assert tt.result_type(s, make(tt, a, shape)).name == \
                name(torch.result_type(s, make(torch, a, shape))), (s, a, shape)
    for s, u in itertools.product(SCALARS, SCALARS):
        assert tt.result_type(s, u).name == name(torch.result_type(s, u)), (s, u)


def test_can_cast_rejects_non_dtypes_as_torch():
    same(lambda m: m.can_cast(m.float32, "int"), "can_cast str")


def test_default_dtype_steers_float_scalars_and_true_division():
    old = tt.get_default_dtype()
    try:
        tt.set_default_dtype(tt.float64)
        torch.set_default_dtype(torch.float64)
        for dtype in DTYPE_NAMES:
            same(lambda m: make(m, dtype, (4,)) * 2.5, ("default f64 mul", dtype))
            same(lambda m: make(m, dtype, (4,)) / make(m, dtype, (4,), (1, 2, 3, 4)),
                 ("default f64 div", dtype))
    finally:
        tt.set_default_dtype(old)
        torch.set_default_dtype(torch.float32)


# ---- out= -----------------------------------------------------------------------------------
@pytest.mark.parametrize("out_dtype", DTYPE_NAMES)
def test_out_dtype_must_be_castable_as_torch(out_dtype):
    for src in DTYPE_NAMES:
        for name, f in [
            ("add", lambda m, x, o: m.add(x, x, out=o)),
            ("div", lambda m, x, o: m.div(x, 2, out=o)),
            ("eq", lambda m, x, o: m.eq(x, 1, out=o)),
            ("mul", lambda m, x, o: m.mul(x, 2.5, out=o)),
            ("exp", lambda m, x, o: m.exp(x, out=o)),
            ("maximum", lambda m, x, o: m.maximum(x, x, out=o)),
        ]:
            same(lambda m: f(m, make(m, src, (4,)), m.empty(4, dtype=getattr(m, out_dtype))),
                 (name, src, out_dtype))


@pytest.mark.parametrize("out_shape", [(0,), (4,), (2,), (2, 3), (1, 4)])
def test_out_of_another_shape_is_resized_as_torch(out_shape):
    for f in [lambda m, o: m.add(m.ones(4), 1, out=o),
              lambda m, o: m.sqrt(m.ones(2, 2), out=o),
              lambda m, o: m.mm(m.ones(3, 2), m.ones(2, 2), out=o),
              lambda m, o: m.matmul(m.ones(2, 3, 2), m.ones(2, 2), out=o),
              lambda m, o: m.where(m.ones(4) > 0, m.ones(4), m.zeros(4), out=o)]:
        warned = []
        for m in (tt, torch):
            out = m.empty(out_shape)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                r = f(m, out)
            assert r is out
            warned.append((tuple(out.shape), out.stride(), to_numpy(out).tolist(),
                           [str(x.category.__name__) for x in w]))
        assert warned[0] == warned[1]


def test_out_refuses_autograd_as_torch():
    same(lambda m: m.add(m.ones(3, requires_grad=True), 1, out=m.empty(3)), "add out grad")
    same(lambda m: m.exp(m.ones(3, requires_grad=True), out=m.empty(3)), "exp out grad")
    same(lambda m: m.matmul(m.ones(2, 2, requires_grad=True), m.ones(2, 2), out=m.empty(0)),
         "matmul out grad")


def test_out_result_shares_memory_with_out():
    for m in (tt, torch):
        base = m.zeros(2, 4)
        r = m.mul(m.ones(4), 3, out=base[1])
        assert to_numpy(base).tolist() == [[0] * 4, [3] * 4]
        assert r.data_ptr() == base[1].data_ptr()


# ---- in place ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "remainder_", "maximum"])
def test_inplace_dtype_table_matches_torch(op):
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        if op == "maximum":
            continue
        same(lambda m: getattr(make(m, a, (4,)), op)(make(m, b, (4,), (1, 2, 3, 4))),
             (op, a, b))
        same(lambda m: getattr(make(m, a, (4,)), op)(make(m, b, (), (1, 2, 3, 4))),
             (op, a, b, "0-d"))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_inplace_with_scalars_matches_torch(dtype):
    for s in SCALARS:
        for op in ["add_", "mul_", "sub_", "div_", "clamp_", "pow_", "eq_", "lt_"]:
            same(lambda m: getattr(make(m, dtype, (4,)), op)(s), (op, dtype, s))


def test_inplace_result_must_be_castable_with_torchs_message():
    for f in [lambda m: m.ones(3, dtype=m.int64).add_(1.5),
              lambda m: m.ones(3, dtype=m.int64).div_(2),
              lambda m: m.ones(3, dtype=m.int32).mul_(m.ones(3)),
              lambda m: m.ones(3, dtype=m.bool).add_(1),
              lambda m: m.ones(3, dtype=m.int64).exp_()]:
        with pytest.raises(RuntimeError) as theirs:
            f(torch)
        with pytest.raises(RuntimeError) as ours:
            f(tt)
        assert str(ours.value) == str(theirs.value)


def test_inplace_broadcast_may_not_grow_self():
    for f in [lambda m: m.ones(3).add_(m.ones(2, 3)),
              lambda m: m.ones(1, 3).mul_(m.ones(2, 3)),
              lambda m: m.ones(3, 1).sub_(m.ones(1, 3)),
              lambda m: m.ones(()).add_(m.ones(2))]:
        with pytest.raises(RuntimeError) as theirs:
            f(torch)
        with pytest.raises(RuntimeError) as ours:
            f(tt)
        assert str(ours.value) == str(theirs.value)
    same(lambda m: m.ones(2, 3).add_(m.arange(3.0)), "broadcast other into self")
    same(lambda m: m.ones(2, 3).mul_(m.tensor(2.0)), "0-d other into self")


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_alpha_rules_match_torch(dtype):
    for alpha in [True, False, 2, 0, -1, 0.5]:
        for other in [lambda m: make(m, dtype, (4,), (1, 0, 1, 1)), lambda m: True,
                      lambda m: 2, lambda m: make(m, "float32", ())]:
            same(lambda m: m.add(make(m, dtype, (4,)), other(m), alpha=alpha),
                 ("add alpha", dtype, alpha))
            same(lambda m: m.sub(make(m, dtype, (4,)), other(m), alpha=alpha),
                 ("sub alpha", dtype, alpha))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_pow_shortcuts_keep_layout_and_dtype(dtype):
    for e in [0, 1, True, False, 2, 0.5]:
        ours, theirs = (m.arange(6).reshape(2, 3).to(getattr(m, dtype)).t() ** e
                        for m in (tt, torch)) if dtype != "bool" else (None, None)
        if dtype == "bool":
            ours, theirs = (outcome(lambda: m.tensor([[True, False, True]]).t() ** e)
                            for m in (tt, torch))
            assert_same_outcome(ours, theirs, ("pow", dtype, e))
            continue
        assert ours.dtype.name == str(theirs.dtype).split(".")[-1]
        assert ours.stride() == theirs.stride(), (dtype, e)
        np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float32"])
def test_promoting_unary_ops_keep_the_input_layout(dtype):
    for f in [lambda t: t.exp(), lambda t: t.sqrt(), lambda t: t.sigmoid(),
              lambda t: t ** 0.5, lambda t: t ** 2, lambda t: t.clamp(0.5),
              lambda t: t.clamp(max=2.5), lambda t: t.square(), lambda t: t.abs()]:
        results, strides = [], []
        for m in (tt, torch):
            t = m.arange(12).reshape(3, 4).to(getattr(m, dtype)).t()[::2]
            results.append(outcome(lambda: f(t)))
            strides.append(f(t).stride() if results[-1][0] == "ok" else None)
        assert_same_outcome(results[0], results[1], dtype)
        assert strides[0] == strides[1], (dtype, strides)


def test_inplace_into_an_expanded_tensor_raises_as_torch():
    for f in [lambda m: m.ones(3).expand(2, 3).add_(1), lambda m: m.ones(3).expand(2, 3).exp_(),
              lambda m: m.ones(3).expand(2, 3).clamp_(0),
              lambda m: m.ones(1).expand(3).mul_(m.ones(3)),
              lambda m: (m.ones(3, requires_grad=True) * 1).expand(2, 3).add_(1)]:
        with pytest.raises(RuntimeError) as theirs:
            f(torch)
        with pytest.raises(RuntimeError) as ours:
            f(tt)
        assert str(ours.value) == str(theirs.value)
    for f in [lambda m: m.ones(0).expand(2, 0).add_(1), lambda m: m.ones(1).expand(1).add_(1),
              lambda m: m.ones(3).expand(2, 3).masked_fill_(m.ones(2, 3, dtype=m.bool), 2)]:
        same(f, "allowed in-place write")
