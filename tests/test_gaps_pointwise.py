"""masked_fill (from another branch), logaddexp(2), hypot, float_power, heaviside, ldexp, frexp, gcd/lcm,
nextafter, deg2rad/rad2deg, positive against torch: values, dtypes, errors, gradients."""
import numpy as np
import pytest

import tinytensor as tt
from _gaps_helpers import check, needs, rand, torch

FLOATS = ["float32", "float64"]
INTS = np.array([[12, -18, 0, 7], [8, 6, 0, -21]])


@needs("masked_fill")
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "float16"])
@pytest.mark.parametrize("value", [2.5, -1, True])
def test_masked_fill_values_and_dtypes(dtype, value):
    a, mask = rand(3, 4), rand(4) > 0
    check(lambda m, x, k: x.masked_fill(k, value), a, mask, dtype=dtype)
    check(lambda m, x, k: m.masked_fill(x, k.reshape(1, 4), value), a, mask, dtype=dtype)


@needs("masked_fill")
def test_masked_fill_grad_and_tensor_value():
    a, mask = rand(3, 4), rand(3, 4) > 0
    check(lambda m, x, k: x.masked_fill(k, 7.0) * x, a, mask, grad=True)
    check(lambda m, x, v, k: x.masked_fill(k, v.sum()), a, rand(2), mask, grad=True)


@needs("masked_fill")
def test_masked_fill_errors_and_broadcast():
    a = rand(3)
    check(lambda m, x: x.masked_fill(m.tensor([1, 0, 1], dtype=m.uint8), 1.0), a)
    check(lambda m, x: x.masked_fill(m.tensor([True, False, True]), m.ones(1)), a)
    check(lambda m, x: m.masked_fill(x, m.ones(2, 3, dtype=m.bool), 1.0), a)  # grows
    check(lambda m, x: x.clone().masked_fill_(m.ones(2, 3, dtype=m.bool), 1.0), a)
    check(lambda m, x: x.clone().masked_fill_(x > 0, -1.0), a)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "hypot"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_float_ops(name, dtype):
    a, b = rand(4, 5), rand(5, seed=1) * 40
    a[0, 0], b[0] = -np.inf, -np.inf
    a[1, 1], b[1] = np.inf, np.inf
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, dtype=dtype)
    check(lambda m, x, y: getattr(x, name)(y), a[2:], b, dtype="float64", grad=True)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "hypot", "nextafter", "gcd",
                                  "lcm"])
def test_kernel_dtype_errors(name):
    check(lambda m, x: getattr(m, name)(x, x), INTS if name not in ("gcd", "lcm")
          else rand(3))


@pytest.mark.parametrize("dtype", ["float32", "int64", "float16"])
def test_float_power_is_double(dtype):
    check(lambda m, x: m.float_power(x, 2), rand(5), dtype=dtype)
    check(lambda m, x: m.float_power(x, x), rand(5), dtype=dtype)
    check(lambda m, x: m.float_power(2, x), rand(5), dtype=dtype)
    check(lambda m, x: x.clone().float_power_(2), rand(5), dtype=dtype)
    check(lambda m, x: x.float_power(1.5), rand(5, low=0.5), dtype="float64", grad=True)


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64", "bool"])
def test_deg2rad_rad2deg(dtype):
    check(lambda m, x: m.deg2rad(x), rand(7) * 100, dtype=dtype)
    check(lambda m, x: x.rad2deg(), rand(7), dtype=dtype)
    check(lambda m, x: x.clone().deg2rad_(), rand(7) * 100, dtype=dtype)


def test_positive_heaviside_ldexp():
    check(lambda m, x: m.positive(x), rand(3))
    check(lambda m, x: x.positive(), rand(3) > 0)
    a = np.array([-1.5, 0.0, 2.0, np.nan, -0.0])
    check(lambda m, x, v: m.heaviside(x, v), a, np.array([0.5]))
    check(lambda m, x: m.heaviside(x, m.tensor([1])), a)
    check(lambda m, x, y: m.ldexp(x, y), rand(4), np.array([1, -2, 3, 0]))
    check(lambda m, x, y: m.ldexp(x, y), rand(4), np.array([1, -2, 3, 0]), dtype="float16")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_frexp(dtype):
    a = np.concatenate([rand(20) * 1e3, [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, 0.5,
                                          2.0 ** -20, 3.0]])
    if dtype == "float64":
        a = np.concatenate([a, [5e-324, 1e-310, 1.7e308]])
    check(lambda m, x: m.frexp(x), a, dtype=dtype)
    check(lambda m, x: x.frexp(), np.array([1, 2]))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8"])
def test_gcd_lcm(dtype):
    a = INTS if dtype != "uint8" else np.abs(INTS)
    check(lambda m, x: m.gcd(x, x.flip(0)), a, dtype=dtype)
    check(lambda m, x: x.lcm(x.flip(1)), a, dtype=dtype)
    check(lambda m, x: x.clone().gcd_(x.flip(1)), a, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nextafter(dtype):
    a = np.array([0.0, 1.0, -1.0, 1.0, np.nan, 3.0, -0.0, 1e-45, np.inf])
    b = np.array([1.0, 2.0, -2.0, 0.0, 1.0, 3.0, -1.0, 0.0, 0.0])
    check(lambda m, x, y: m.nextafter(x, y), a, b, dtype=dtype, exact=True)
    check(lambda m, x, y: x.nextafter(y), a, b, dtype=dtype, exact=True)


def test_nextafter_promotes():
    ours = tt.nextafter(tt.ones(2), tt.zeros(2, dtype=tt.float64))
    theirs = torch.nextafter(torch.ones(2), torch.zeros(2, dtype=torch.float64))
    assert ours.dtype.name == "float64" and ours.tolist() == theirs.tolist()


def test_hardshrink_prelu():
    a = rand(2, 3, 4)
    check(lambda m, x: m.hardshrink(x, 1.0), a, grad=True)
    check(lambda m, x: x.hardshrink(), a, dtype="float32")
    check(lambda m, x: m.hardshrink(x), np.arange(3))
    check(lambda m, x, w: m.prelu(x, w), a, np.array([0.1, 0.2, 0.3]), grad=True)
    check(lambda m, x, w: x.prelu(w), a, np.array([0.25]), grad=True)
    check(lambda m, x, w: m.prelu(x, w), a[0, 0], np.array([0.25]))
    check(lambda m, x, w: m.prelu(x, w), a, np.array([0.1, 0.2]))
    check(lambda m, x, w: m.prelu(x, w), a, np.ones((1, 1)))


@needs("masked_fill")
def test_masked_fill_inplace_on_a_graph_tensor():
    # the attention idiom: scores.masked_fill_(mask, -inf) on a non-leaf, then softmax
    a, mask = rand(3, 4), np.triu(np.ones((4, 4), dtype=bool), 1)[:3]
    check(lambda m, x, k: (x * 2).masked_fill_(k, float("-inf")).softmax(-1), a, mask,
          grad=True)
    check(lambda m, x, k: x.masked_fill_(k, 0.0), a, mask, grad=True)   # leaf: refused
