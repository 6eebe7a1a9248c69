"""unique, unique_consecutive, searchsorted, bucketize, nonzero, argwhere, count_nonzero,
bincount and histc against torch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import DTYPE_NAMES, assert_same, same_error, torch_module

torch = torch_module()


def pair(a, dtype=None):
    a = np.ascontiguousarray(a)
    ours, theirs = tt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if dtype:
        ours, theirs = ours.to(getattr(tt, dtype)), theirs.to(getattr(torch, dtype))
    return ours, theirs


def small(shape, dtype, seed, nan=False):
    rng = np.random.default_rng(seed)
    a = np.asarray(rng.integers(-3, 4, size=shape))
    if dtype == "bool":
        return a > 0
    if dtype == "uint8":
        return (a + 3).astype(np.uint8)
    if dtype.startswith("int"):
        return a.astype(dtype)
    f = np.asarray(a / 2.0)
    if nan:
        f[np.asarray(rng.random(shape)) < 0.1] = np.nan
    return f


def same_tuple(r1, r2):
    r1 = r1 if isinstance(r1, tuple) else (r1,)
    r2 = r2 if isinstance(r2, tuple) else (r2,)
    assert len(r1) == len(r2)
    for a, b in zip(r1, r2):
        assert_same(a, b, check_stride=False, exact=True)


@settings(max_examples=80)
@given(st.sampled_from(DTYPE_NAMES), st.lists(st.integers(0, 5), max_size=3),
       st.integers(0, 2**31), st.booleans(), st.booleans(), st.booleans())
def test_unique_matches_torch(dtype, shape, seed, inverse, counts, consecutive):
    a = small(tuple(shape), dtype, seed, nan=True)
    x1, x2 = pair(a, dtype)
    if consecutive:
        same_tuple(tt.unique_consecutive(x1, return_inverse=inverse, return_counts=counts),
                   torch.unique_consecutive(x2, return_inverse=inverse, return_counts=counts))
    else:
        r1 = tt.unique(x1, return_inverse=inverse, return_counts=counts)
        r2 = torch.unique(x2, return_inverse=inverse, return_counts=counts)
        if inverse and dtype in ("float32", "float64") and np.isnan(a).any():
            # torch sorts these with x86-simd-sort: which NaN comes first is its own
            keep = ~np.isnan(a)
            np.testing.assert_array_equal(r1[1].numpy()[keep], r2[1].numpy()[keep])
            r1, r2 = r1[:1] + r1[2:], r2[:1] + r2[2:]
        same_tuple(r1, r2)


@settings(max_examples=60)
@given(st.sampled_from(DTYPE_NAMES), st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.integers(0, 2**31), st.data(), st.booleans())
def test_unique_along_dim(dtype, shape, seed, data, consecutive):
    a = small(tuple(shape), dtype, seed)
    a = np.concatenate([a, a], axis=0)      # repeated slices
    x1, x2 = pair(a, dtype)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    f1 = tt.unique_consecutive if consecutive else tt.unique
    f2 = torch.unique_consecutive if consecutive else torch.unique
    same_tuple(f1(x1, return_inverse=True, return_counts=True, dim=dim),
               f2(x2, return_inverse=True, return_counts=True, dim=dim))


@settings(max_examples=80)
@given(st.sampled_from([d for d in DTYPE_NAMES if d != "bool"]),
       st.lists(st.integers(0, 4), max_size=2), st.integers(0, 8), st.integers(0, 2**31),
       st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_searchsorted_matches_torch(dtype, lead, m, seed, right, one_d, int32, use_sorter):
    rng = np.random.default_rng(seed)
    bshape = (m,) if one_d else tuple(lead) + (m,)
    boundaries = np.sort(small(bshape, dtype, seed, nan=True), axis=-1)
    values = small(tuple(lead) + (rng.integers(0, 4),), dtype, seed + 1, nan=True)
    b1, b2 = pair(boundaries, dtype)
    v1, v2 = pair(values, dtype)
    kw = dict(right=right, out_int32=int32)
    if use_sorter:
        perm = np.argsort(rng.random(bshape), axis=-1)
        shuffled = np.take_along_axis(boundaries, perm, -1)
        sorter = np.argsort(shuffled, axis=-1, kind="stable")
        b1, b2 = pair(shuffled, dtype)
        s1, s2 = pair(sorter)
        assert_same(tt.searchsorted(b1, v1, sorter=s1, **kw),
                    torch.searchsorted(b2, v2, sorter=s2, **kw))
        return
    assert_same(tt.searchsorted(b1, v1, **kw), torch.searchsorted(b2, v2, **kw))
    if one_d:
        assert_same(tt.bucketize(v1, b1, **kw), torch.bucketize(v2, b2, **kw))


def test_searchsorted_forms_and_errors():
    b1, b2 = pair(np.array([1.0, 2.0, 3.0]))
    assert_same(tt.searchsorted(b1, 2.5), torch.searchsorted(b2, 2.5))
    assert_same(tt.searchsorted(b1, tt.tensor([2, 3]), side="right"),
                torch.searchsorted(b2, torch.tensor([2, 3]), side="right"))
    assert_same(tt.bucketize(2, b1), torch.bucketize(2, b2))
    same_error(lambda: tt.searchsorted(b1, tt.tensor([2.0]), side="left", right=True),
               lambda: torch.searchsorted(b2, torch.tensor([2.0]), side="left", right=True))
    same_error(lambda: tt.searchsorted(b1.reshape(1, 3), tt.ones(2, 2)),
               lambda: torch.searchsorted(b2.reshape(1, 3), torch.ones(2, 2)))
    same_error(lambda: tt.bucketize(tt.ones(2), b1.reshape(1, 3)),
               lambda: torch.bucketize(torch.ones(2), b2.reshape(1, 3)))


@settings(max_examples=60)
@given(st.sampled_from(DTYPE_NAMES), st.lists(st.integers(0, 4), max_size=3),
       st.integers(0, 2**31))
def test_nonzero_argwhere_count_nonzero(dtype, shape, seed):
    a = small(tuple(shape), dtype, seed, nan=True)
    x1, x2 = pair(a, dtype)
    # strides: only those of dims longer than 1 mean anything
    assert_same(tt.nonzero(x1), torch.nonzero(x2), check_stride=False)
    assert_same(tt.argwhere(x1), torch.argwhere(x2), check_stride=False)
    same_tuple(tt.nonzero(x1, as_tuple=True), torch.nonzero(x2, as_tuple=True))
    assert_same(tt.count_nonzero(x1), torch.count_nonzero(x2))
    if len(shape):
        assert_same(tt.count_nonzero(x1, dim=0), torch.count_nonzero(x2, dim=0))


@pytest.mark.parametrize("wdtype", [None, "float32", "float64", "int64", "float16"])
def test_bincount(wdtype):
    rng = np.random.default_rng(0)
    x1, x2 = pair(rng.integers(0, 7, size=50))
    kw1, kw2 = {}, {}
    if wdtype:
        w1, w2 = pair(rng.standard_normal(50), wdtype)
        kw1, kw2 = {"weights": w1}, {"weights": w2}
    assert_same(tt.bincount(x1, **kw1), torch.bincount(x2, **kw2), exact=True)
    assert_same(tt.bincount(x1, minlength=12, **kw1), torch.bincount(x2, minlength=12, **kw2),
                exact=True)
    e1, e2 = pair(np.zeros(0, np.int64))
    assert_same(tt.bincount(e1, minlength=3), torch.bincount(e2, minlength=3))
    for bad in (np.array([-1, 2]), np.array([[1, 2]]), np.array([1.0, 2.0])):
        b1, b2 = pair(bad)
        same_error(lambda: tt.bincount(b1), lambda: torch.bincount(b2))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("bins,lo,hi", [(10, 0, 0), (7, -1.5, 2.25), (100, -3, 3), (3, 1, 1)])
def test_histc(dtype, bins, lo, hi):
    rng = np.random.default_rng(bins)
    a = np.round(rng.standard_normal(300) * 4) / 4        # values on bin edges too
    x1, x2 = pair(a, dtype)
    assert_same(tt.histc(x1, bins, lo, hi), torch.histc(x2, bins, lo, hi), exact=True)


def test_histc_errors():
    for a, kw in [([1.0, float("nan")], {}), ([1.0, float("inf")], {}),
                  ([1.0, 2.0], {"min": 3, "max": 1}), ([1.0, 2.0], {"bins": 0})]:
        x1, x2 = pair(np.array(a))
        same_error(lambda: tt.histc(x1, **kw), lambda: torch.histc(x2, **kw))
    i1, i2 = pair(np.array([1, 2]))
    same_error(lambda: tt.histc(i1), lambda: torch.histc(i2))
    assert_same(tt.histc(tt.tensor([]), bins=3), torch.histc(torch.tensor([]), bins=3))
