"""Tensor printing: tinytensor's text must equal torch's repr character for character."""

import contextlib
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tinytensor import _printing as P

torch = pytest.importorskip("torch")

EXAMPLES = int(os.environ.get("PRINTING_EXAMPLES", "200"))
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
BIG_SHAPES = [(1001,), (1500,), (2, 600), (40, 30), (1, 1001), (1001, 1),
              (3, 20, 20), (5, 5, 5, 10), (11, 7, 13)]


def format_like_torch(t, prefix="tensor("):
    """Format torch tensor `t` with tinytensor, passing values as Tensor will."""
    name = str(t.dtype).replace("torch.", "")
    plain = t.detach()
    if name in ("float16", "bfloat16"):
        values = plain.float().numpy()          # 16-bit floats arrive widened to float32
    elif name in FLOATS or name == "bool":
        values = plain.numpy()
    else:
        values = plain.to(torch.int64).numpy()  # integers arrive as int64
    suffixes = []
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    default_float_name = str(torch.get_default_dtype()).replace("torch.", "")
    text = P.format_tensor(values, name, default_float_name=default_float_name,
                           prefix=prefix, suffixes=suffixes)
    if isinstance(t, torch.nn.Parameter):
        text = P.PARAMETER_HEADER + text
    return text


@contextlib.contextmanager
def both_printoptions(**options):
    """Set the same print options in torch and tinytensor, restoring defaults after."""
    try:
        torch.set_printoptions(**options)
        P.set_printoptions(**options)
        yield
    finally:
        torch.set_printoptions(profile="default")
        P.set_printoptions(profile="default")


@pytest.fixture(autouse=True)
def reset_printoptions():
    yield
    torch.set_printoptions(profile="default")
    P.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def assert_same(t):
    assert format_like_torch(t) == repr(t)
    assert str(t) == repr(t)


# ---------------------------------------------------------------- value generators

def float_values(rng, kind, shape):
    """Draw float64 values of one flavour: the formatter's choices depend on the mix."""
    n = int(np.prod(shape))
    if kind == "unit":
        v = rng.random(n)
    elif kind == "normal":
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 13)
    elif kind == "mixed":
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-10, 11, n)
    elif kind == "integers":
        v = rng.integers(-1000, 1000, n).astype(np.float64)
    elif kind == "big_integers":
        v = rng.integers(-10**12, 10**12, n).astype(np.float64)
    elif kind == "tiny":
        v = rng.standard_normal(n) * 1e-30
    elif kind == "huge":
        v = rng.standard_normal(n) * 1e300
    elif kind == "rounding":        # values that round up a digit: 9.99995, 99999.5 ...
        v = (10.0 ** rng.integers(-3, 9, n)) * (1 - 10.0 ** -rng.integers(3, 9, n))
    else:                           # "constant"
        v = np.full(n, rng.choice([0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 123456.0]))
    if rng.random() < 0.4 and n:
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
        where = rng.random(n) < 0.2
        v[where] = rng.choice(specials, where.sum())
    return v.reshape(shape)


def torch_tensor(rng, dtype_name, shape, kind):
    """Build a torch tensor of dtype `dtype_name` and shape `shape` from `rng`."""
    dtype = getattr(torch, dtype_name)
    if dtype_name in FLOATS:
        return torch.from_numpy(float_values(rng, kind, shape)).to(dtype)
    if dtype_name == "bool":
        return torch.from_numpy(np.asarray(rng.random(shape) < 0.5))
    info = np.iinfo(getattr(np, dtype_name))
    span = rng.choice([10, 1000, None])
    low, high = (info.min, info.max) if span is None else (max(info.min, -span), span)
    values = rng.integers(low, high, size=shape, endpoint=True, dtype=np.int64)
    return torch.from_numpy(values).to(dtype)


shapes = st.one_of(
    st.lists(st.integers(0, 6), min_size=0, max_size=4).map(tuple),
    st.sampled_from(BIG_SHAPES),
)
kinds = st.sampled_from(["unit", "normal", "mixed", "integers", "big_integers", "tiny",
                         "huge", "rounding", "constant"])
option_sets = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 12),
    "threshold": st.sampled_from([0, 1, 5, 10, 50, 1000, math.inf]),
    "edgeitems": st.integers(0, 5),
    "linewidth": st.integers(5, 200),
    "sci_mode": st.sampled_from([None, True, False]),
    "profile": st.sampled_from(["default", "short", "full"]),
})
hypothesis_settings = settings(max_examples=EXAMPLES, deadline=None,
                               suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- property tests

@hypothesis_settings
@given(dtype=st.sampled_from(DTYPES), shape=shapes, kind=kinds, options=option_sets,
       seed=st.integers(0, 2**32 - 1))
def test_repr_matches_torch_random_tensors(dtype, shape, kind, options, seed):
    t = torch_tensor(np.random.default_rng(seed), dtype, shape, kind)
    with both_printoptions(**options):
        assert format_like_torch(t) == repr(t)


@hypothesis_settings
@given(dtype=st.sampled_from(FLOATS), shape=shapes, kind=kinds, options=option_sets,
       seed=st.integers(0, 2**32 - 1), autograd=st.sampled_from(["leaf", "op", "param"]))
def test_repr_matches_torch_autograd_suffixes(dtype, shape, kind, options, seed,
                                              autograd):
    t = torch_tensor(np.random.default_rng(seed), dtype, shape, kind)
    if autograd == "param":
        t = torch.nn.Parameter(t)
    else:
        t = t.requires_grad_()
        if autograd == "op":
            t = t * 1
    with both_printoptions(**options):
        assert format_like_torch(t) == repr(t)


@hypothesis_settings
@given(dtype=st.sampled_from(DTYPES), shape=shapes, kind=kinds, options=option_sets,
       seed=st.integers(0, 2**32 - 1))
def test_repr_matches_torch_with_float64_default(dtype, shape, kind, options, seed):
    t = torch_tensor(np.random.default_rng(seed), dtype, shape, kind)
    torch.set_default_dtype(torch.float64)
    try:
        with both_printoptions(**options):
            assert format_like_torch(t) == repr(t)
    finally:
        torch.set_default_dtype(torch.float32)


class Wrapped(torch.Tensor):
    """A subclass: torch prints it with its class name as the prefix."""


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(dtype=st.sampled_from(DTYPES), shape=shapes, kind=kinds, options=option_sets,
       seed=st.integers(0, 2**32 - 1))
def test_prefix_sets_indent_like_torch_subclass(dtype, shape, kind, options, seed):
    t = torch_tensor(np.random.default_rng(seed), dtype, shape, kind).as_subclass(Wrapped)
    with both_printoptions(**options):
        assert format_like_torch(t, prefix="Wrapped(") == repr(t)


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(options=option_sets)
def test_printoption_dict_matches_torch(options):
    with both_printoptions(**options):
        assert P.get_printoptions() == torch._tensor_str.get_printoptions()


# ---------------------------------------------------------------- explicit cases

EXPLICIT = [
    lambda: torch.tensor(3.0),
    lambda: torch.tensor(-0.0),
    lambda: torch.tensor(float("nan")),
    lambda: torch.tensor(7),
    lambda: torch.tensor(True),
    lambda: torch.tensor([]),
    lambda: torch.tensor([], dtype=torch.int64),
    lambda: torch.tensor([], dtype=torch.bool),
    lambda: torch.tensor([], dtype=torch.float64),
    lambda: torch.zeros(0, 3),
    lambda: torch.zeros(2, 0, 4, dtype=torch.int8),
    lambda: torch.tensor([1.0, 2.0, 3.0]),
    lambda: torch.tensor([1, 2, 3], dtype=torch.float16),
    lambda: torch.tensor([-0.0, 0.0]),
    lambda: torch.tensor([0.0, float("inf"), float("-inf"), float("nan")]),
    lambda: torch.tensor([1.5, float("nan"), -2.25]),
    lambda: torch.tensor([1e10, 1.0]),
    lambda: torch.tensor([1e-5, 1.0]),
    lambda: torch.tensor([1e-4, 0.1]),
    lambda: torch.tensor([1e8, 1.0e5]),
    lambda: torch.tensor([123456789.0]),
    lambda: torch.tensor([9.99996, 1.0]),
    lambda: torch.tensor([True, False, True]),
    lambda: torch.tensor([-128, 127], dtype=torch.int8),
    lambda: torch.tensor([255], dtype=torch.uint8),
    lambda: torch.tensor([2**63 - 1, -2**63]),
    lambda: torch.tensor([300]).to(torch.uint8),
    lambda: torch.eye(3, dtype=torch.float64),
    lambda: torch.ones(3, 2),
    lambda: torch.zeros(2, 2, 2),
    lambda: torch.arange(10.0),
    lambda: torch.arange(2000.0).reshape(20, 100),
    lambda: torch.arange(3000).reshape(10, 10, 30),
    lambda: torch.full((14,), 3.0),
    lambda: torch.linspace(-1, 1, 100, dtype=torch.bfloat16),
    lambda: torch.tensor(65504.0, dtype=torch.float16),
    lambda: torch.tensor([1e-45, 3.4e38]),
    lambda: torch.tensor([5e-324, 1e308], dtype=torch.float64),
    lambda: torch.randn(4, 5, dtype=torch.float64).t(),
]


@pytest.mark.parametrize("make", EXPLICIT)
@pytest.mark.parametrize("options", [{}, {"precision": 8}, {"sci_mode": True},
                                     {"sci_mode": False}, {"edgeitems": 0},
                                     {"threshold": 5, "edgeitems": 1}, {"linewidth": 20},
                                     {"profile": "short"}, {"profile": "full"}])
def test_explicit_cases_match_torch(make, options):
    torch.manual_seed(0)
    t = make()
    with both_printoptions(**options):
        assert_same(t)


def test_set_printoptions_profiles_and_reset_sci_mode():
    P.set_printoptions(profile="full", sci_mode=True)
    assert P.get_printoptions() == dict(precision=4, threshold=math.inf, edgeitems=3,
                                        linewidth=80, sci_mode=True)
    P.set_printoptions(precision=6)      # like torch, leaving sci_mode out resets it
    assert P.get_printoptions()["sci_mode"] is None
    P.set_printoptions(profile="short")
    assert P.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=2,
                                        linewidth=80, sci_mode=None)


def test_printoptions_context_restores():
    with P.printoptions(precision=1, linewidth=40):
        assert P.get_printoptions()["precision"] == 1
    assert P.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                        linewidth=80, sci_mode=None)


# ---------------------------------------------------------------- lecture (seed) examples

@pytest.mark.parametrize("dtype, expected", [
    ("float16", "tensor(0.33325195, dtype=torch.float16)"),
    ("float32", "tensor(0.33333334)"),
    ("float64", "tensor(0.33333333, dtype=torch.float64)"),
    ("bfloat16", "tensor(0.33398438, dtype=torch.bfloat16)"),
])
def test_seed_one_third_at_precision_8(dtype, expected):
    t = torch.tensor(1 / 3, dtype=getattr(torch, dtype))
    with both_printoptions(precision=8):
        assert repr(t) == expected
        assert format_like_torch(t) == expected


def test_seed_parameter_containing_wraps_requires_grad():
    beta = torch.nn.Parameter(torch.tensor([2.66870664e-10, 8.52953434e-01,
                                            6.79866718e-11, -9.25917700e-02]))
    expected = ("Parameter containing:\n"
                "tensor([ 2.66870664e-10,  8.52953434e-01,  6.79866718e-11, "
                "-9.25917700e-02],\n"
                "       requires_grad=True)")
    with both_printoptions(precision=8):
        assert repr(beta) == expected
        values = beta.detach().numpy()
        text = P.format_parameter(values, "float32", suffixes=["requires_grad=True"])
        assert text == expected


def test_seed_float64_parameter_in_scientific_notation():
    printed = [3.00966e+00, 1.68516e-02, 4.60588e-03, 1.17352e-02, -8.00591e-03,
               2.92673e-03, 2.75073e-02, -2.41682e-03, -2.09060e-03, 1.22680e+01,
               4.44430e+01, 3.63872e+00, 1.75074e-02, 6.13183e+01, 4.31299e-03,
               5.35222e-03, 1.24837e-02, -1.45383e-02, -1.50216e-03, 5.14881e-04,
               3.18094e-02]
    beta = torch.nn.Parameter(torch.tensor(printed, dtype=torch.float64))
    with both_printoptions(precision=5):
        text = format_like_torch(beta)
        assert text == repr(beta)
    assert text.startswith("Parameter containing:\ntensor([ 3.00966e+00,  1.68516e-02,")
    assert text.endswith("3.18094e-02], dtype=torch.float64, requires_grad=True)")


@pytest.mark.parametrize("values, expected", [
    ([1.7761, 0.1064], "tensor([1.7761, 0.1064], requires_grad=True)"),
    # the slide shows one space before 5.3671; torch pads to the width of -17.3012
    ([5.3671, -17.3012], "tensor([  5.3671, -17.3012], requires_grad=True)"),
])
def test_seed_requires_grad_params(values, expected):
    t = torch.tensor(values, requires_grad=True)
    assert repr(t) == expected
    assert format_like_torch(t) == expected


def test_seed_linspace_grad_fn_at_precision_5():
    x = torch.linspace(2, 1, steps=11, requires_grad=True)
    y = torch.linspace(1, 2, steps=11, requires_grad=True)
    z = torch.log(x * y)
    with both_printoptions(precision=5):
        for t in (x, y, z, z.sum()):
            assert format_like_torch(t) == repr(t)
        assert format_like_torch(z.sum()) == "tensor(8.41071, grad_fn=<SumBackward0>)"
        assert format_like_torch(x).startswith(
            "tensor([2.00000, 1.90000, 1.80000, 1.70000, 1.60000, 1.50000, 1.40000, "
            "1.30000,\n")


def test_seed_integer_and_float16_literals():
    assert P.format_tensor(np.array([1, 2, 3]), "int64") == "tensor([1, 2, 3])"
    assert P.format_tensor(np.array([1.0, 2.0, 3.0], np.float32), "float16") == \
        "tensor([1., 2., 3.], dtype=torch.float16)"
    assert P.format_tensor(np.array([-128]), "int8") == "tensor([-128], dtype=torch.int8)"
    assert P.format_tensor(np.eye(3), "float64") == (
        "tensor([[1., 0., 0.],\n"
        "        [0., 1., 0.],\n"
        "        [0., 0., 1.]], dtype=torch.float64)")
