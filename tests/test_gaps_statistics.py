"""softmax/log_softmax as torch.* and methods, nansum/nanmean, quantile/nanquantile
(every interpolation), aminmax, var_mean/std_mean, logcumsumexp, cov/corrcoef,
histogram against torch: values, shapes, dtypes, errors, gradients."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from _gaps_helpers import check, needs, rand

MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


def with_nans(shape, seed=0):
    a = rand(*shape, seed=seed)
    a[np.random.default_rng(seed).uniform(size=shape) < 0.2] = np.nan
    return a


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_function_and_method(name):
    a = rand(3, 4)
    check(lambda m, x: getattr(m, name)(x, 1), a, grad=True)
    check(lambda m, x: getattr(x, name)(0), a, dtype="float32")
    check(lambda m, x: getattr(x, name)(-1, dtype=m.float64), a, dtype="float32")


@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), ((0, 2), True)])
def test_nansum_nanmean(dim, keepdim):
    a = with_nans((3, 4, 2))
    check(lambda m, x: m.nansum(x, dim, keepdim), a, grad=True)
    check(lambda m, x: x.nanmean(dim, keepdim), a, grad=True)
    check(lambda m, x: m.nansum(x, dim, keepdim), np.arange(24).reshape(3, 4, 2))
    check(lambda m, x: m.nanmean(x, dim, keepdim), np.arange(24).reshape(3, 4, 2))


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       q=st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3)),
       mode=st.sampled_from(MODES), keepdim=st.booleans(), nan=st.booleans(),
       use_dim=st.booleans(), seed=st.integers(0, 100))
def test_quantile_matches_torch(shape, q, mode, keepdim, nan, use_dim, seed):
    a = with_nans(shape, seed) if nan else rand(*shape, seed=seed)
    dim = len(shape) - 1 if use_dim else None

    def run(name):
        def f(m, x):
            qq = m.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
            return getattr(m, name)(x, qq, dim, keepdim, interpolation=mode)
        return f
    check(run("quantile"), a)
    check(run("nanquantile"), a)
    check(run("quantile"), a, dtype="float32")


def test_quantile_gradient_and_errors():
    a = rand(4, 5)
    check(lambda m, x: m.quantile(x, 0.3, dim=1), a, grad=True)
    check(lambda m, x: x.nanquantile(m.tensor([0.2, 0.9], dtype=m.float64), 0), a, grad=True)
    check(lambda m, x: m.quantile(x, 1.5), a)
    check(lambda m, x: m.quantile(x, m.tensor([0.5])), a)                 # dtype mismatch
    check(lambda m, x: m.quantile(x, 0.5, interpolation="cubic"), a)
    check(lambda m, x: m.quantile(x, 0.5), np.arange(4))
    check(lambda m, x: m.quantile(x, m.ones(2, 2, dtype=m.float64) / 2), a)
    check(lambda m, x: m.nanquantile(x, 0.5, dim=1), np.full((2, 3), np.nan))


def test_aminmax_var_mean_std_mean():
    a = rand(3, 4)
    check(lambda m, x: m.aminmax(x), a)
    check(lambda m, x: x.aminmax(dim=1, keepdim=True), a)
    check(lambda m, x: m.aminmax(x, dim=0), np.arange(12).reshape(3, 4))
    check(lambda m, x: m.aminmax(x), np.zeros((0,)))
    for f in ("var_mean", "std_mean"):
        check(lambda m, x: getattr(m, f)(x), a, grad=True)
        check(lambda m, x: getattr(m, f)(x, 1, keepdim=True), a, grad=True)
        check(lambda m, x: getattr(m, f)(x, (0, 1), correction=0), a)
        check(lambda m, x: getattr(m, f)(x, False), a)
        check(lambda m, x: getattr(m, f)(x, 0, False, True), a)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp(dtype):
    a = rand(3, 9) * 300
    a[0, 0], a[1, 3] = -np.inf, np.inf
    check(lambda m, x: m.logcumsumexp(x, 1), a, dtype=dtype)
    check(lambda m, x: x.logcumsumexp(0), a, dtype=dtype)
    check(lambda m, x: x.logcumsumexp(-1), rand(2, 6), grad=True)
    check(lambda m, x: x.logcumsumexp(0), np.arange(3))
    check(lambda m, x: x.logcumsumexp(0), np.array(2.0))


def test_cov_corrcoef():
    a = rand(3, 6)
    check(lambda m, x: m.cov(x), a, grad=True)
    check(lambda m, x: m.cov(x, correction=0), a)
    check(lambda m, x: x.cov(), a[0])
    fw, aw = np.array([1, 2, 1, 3, 1, 1]), rand(6, low=0.1, high=2.0)
    check(lambda m, x, f, w: m.cov(x, fweights=f, aweights=w), a, fw, aw)
    check(lambda m, x, w: m.cov(x, aweights=w, correction=2), a, aw)
    check(lambda m, x: m.cov(x), np.arange(12).reshape(2, 6))
    check(lambda m, x: m.corrcoef(x), a, grad=True)
    check(lambda m, x: x.corrcoef(), np.arange(12).reshape(3, 4) ** 2)
    check(lambda m, x: m.cov(x), rand(2, 2, 2))


def test_histogram():
    a = rand(50) * 4
    check(lambda m, x: m.histogram(x, 7), a)
    check(lambda m, x: m.histogram(x, 5, range=(-1.0, 2.0), density=True), a)
    check(lambda m, x, w: m.histogram(x, 4, weight=w), a, rand(50, low=0, high=1))
    check(lambda m, x, e: m.histogram(x, e), a, np.array([-3.0, -1.0, 0.0, 2.5, 3.0]))
    check(lambda m, x: x.histogram(3), np.full(4, 2.0), dtype="float32")


@needs("rms_norm")
def test_rms_norm_at_top_level():
    a = rand(2, 3, 4)
    check(lambda m, x: m.rms_norm(x, [4]), a, grad=True)
    check(lambda m, x, w: m.rms_norm(x, (3, 4), w, 1e-3), a, rand(3, 4), grad=True)
    check(lambda m, x: m.rms_norm(x, [4]), a, dtype="float32")
    check(lambda m, x: m.rms_norm(x, [3]), a)


def test_norms_at_top_level():
    a = rand(2, 3, 4)
    check(lambda m, x, w, b: m.layer_norm(x, [4], w, b, 1e-5, True), a, rand(4), rand(4),
          grad=True)
    check(lambda m, x: m.group_norm(x, 3, None, None, 1e-5, True), a, grad=True)
