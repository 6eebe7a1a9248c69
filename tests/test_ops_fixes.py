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
