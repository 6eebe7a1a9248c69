"""Hypothesis strategies: shapes with 0-d, size-0 and size-1 dims, values per dtype, and
non-contiguous views of the same values."""
import numpy as np
from hypothesis import strategies as st


def shapes(max_dims=4, max_side=5, min_dims=0):
    return st.lists(st.integers(0, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def arrays(dtype_name, shape, draw):
    n = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype_name == "bool":
        a = rng.integers(0, 2, n).astype(bool)
    elif dtype_name == "uint8":
        a = rng.integers(0, 256, n).astype(np.uint8)
    elif dtype_name.startswith("int"):
        info = np.iinfo(dtype_name)
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        a = rng.integers(lo, hi + 1, n).astype(dtype_name)
    else:
        a = (rng.standard_normal(n) * 3).astype(np.float32 if dtype_name != "float64" else np.float64)
    return a.reshape(shape)


def view_kinds():
    return st.sampled_from(["plain", "transpose", "step", "expand", "permute"])


def make_view(pair_fn, a, kind, draw):
    """Apply the same view to both tensors of pair_fn(a); returns (ours, theirs)."""
    ours, theirs = pair_fn(a)
    nd = a.ndim
    if kind == "transpose" and nd >= 2:
        i, j = draw(st.integers(0, nd - 1)), draw(st.integers(0, nd - 1))
        return ours.transpose(i, j), theirs.transpose(i, j)
    if kind == "permute" and nd >= 2:
        perm = draw(st.permutations(list(range(nd))))
        return ours.permute(*perm), theirs.permute(*perm)
    if kind == "step" and nd >= 1:
        d = draw(st.integers(0, nd - 1))
        step = draw(st.integers(1, 3))
        idx = tuple([slice(None)] * d + [slice(None, None, step)])
        return ours[idx], theirs[idx]
    if kind == "expand" and nd >= 1:
        d = draw(st.integers(0, nd - 1))
        if a.shape[d] == 1:
            shape = list(a.shape)
            shape[d] = 3
            return ours.expand(*shape), theirs.expand(*shape)
    return ours, theirs
