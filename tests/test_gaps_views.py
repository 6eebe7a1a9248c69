"""The gap ops on non-contiguous views, 0-d and size-0 tensors (hypothesis): the same
results as torch whatever the strides of the operands."""
import numpy as np
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from _gaps_helpers import compare, torch
from oracle import same_error
from strategies import arrays, make_view, shapes, view_kinds

ONE_TENSOR_OPS = {
    "nansum_dim": lambda m, x: m.nansum(x, -1) if x.dim() else m.nansum(x),
    "nanmean": lambda m, x: m.nanmean(x),
    "logcumsumexp": lambda m, x: m.logcumsumexp(x, -1) if x.dim() else m.logcumsumexp(x, 0),
    "aminmax": lambda m, x: m.aminmax(x),
    "var_mean": lambda m, x: m.var_mean(x, correction=0),
    "frexp": lambda m, x: m.frexp(x),
    "digamma": lambda m, x: m.digamma(x),
    "erfinv": lambda m, x: m.erfinv(x / 10),
    "logaddexp": lambda m, x: m.logaddexp(x, x.flip(-1) if x.dim() else x),
    "hypot": lambda m, x: m.hypot(x, m.ones(x.shape[-1:], dtype=x.dtype)),
    "ravel": lambda m, x: x.ravel(),
    "unfold": lambda m, x: x.unfold(-1, 1, 2) if x.dim() else x.unfold(0, 1, 1),
    "quantile": lambda m, x: m.quantile(x, 0.25, dim=-1) if x.dim() else m.quantile(x, 0.5),
    "sinc": lambda m, x: m.sinc(x),
    "deg2rad": lambda m, x: m.deg2rad(x),
}
if hasattr(tt.Tensor, "masked_fill"):          # from another branch
    ONE_TENSOR_OPS["masked_fill"] = lambda m, x: x.masked_fill(x > 0, -1.5)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(ONE_TENSOR_OPS)), shape=shapes(max_dims=3),
       dtype=st.sampled_from(["float32", "float64"]), kind=view_kinds(), data=st.data())
def test_gap_ops_on_views(name, shape, dtype, kind, data):
    a = arrays(dtype, shape, data.draw)
    ours, theirs = make_view(lambda v: (tt.from_numpy(v.copy()), torch.from_numpy(v.copy())),
                             a, kind, data.draw)
    fn = ONE_TENSOR_OPS[name]
    try:
        expected = fn(torch, theirs)
    except Exception:
        same_error(lambda: fn(tt, ours), lambda: fn(torch, theirs))
        return
    compare(fn(tt, ours), expected, rtol=1e-5 if dtype == "float32" else 1e-10,
            atol=1e-5 if dtype == "float32" else 1e-12)
