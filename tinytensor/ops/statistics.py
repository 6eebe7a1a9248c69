"""Reductions built from reductions: nansum/nanmean, quantile/nanquantile, aminmax,
var_mean/std_mean, logcumsumexp, cov/corrcoef, histogram, and softmax/log_softmax as
torch.* functions and Tensor methods (the kernels are nn.functional's).

All are compositions of differentiable ops, so each gradient is the composition's.
"""
import builtins
import math

from tinytensor import _C
from tinytensor.ops._registry import op
from tinytensor.ops.elementwise import where, isnan, _type_name, _with_out
from tinytensor.ops.movement import cat
from tinytensor.ops.pointwise import logaddexp
from tinytensor.ops.reduce import _dims, _correction
from tinytensor.ops.sorting import return_type, searchsorted

Tensor = _C.TensorBase
AminmaxResult = return_type("aminmax", ("min", "max"))
HistogramResult = return_type("histogram", ("hist", "bin_edges"))


# ---- softmax as torch.* and Tensor methods ---------------------------------------------
@op()
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along dim."""
    from tinytensor.nn.functional import softmax as f
    return f(input, dim, dtype=dtype)


@op()
def log_softmax(input, dim, dtype=None):
    """x - logsumexp(x) along dim."""
    from tinytensor.nn.functional import log_softmax as f
    return f(input, dim, dtype=dtype)


# ---- NaN-ignoring reductions -----------------------------------------------------------
@op()
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum treating NaN as zero."""
    x = where(isnan(input), 0.0, input) if input.is_floating_point() else input
    return x.sum(dim, keepdim, dtype=dtype) if dim is not None else (
        x.sum(dtype=dtype) if not keepdim else x.sum(tuple(range(x.dim())), True, dtype=dtype))


@op()
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """mean over the elements that are not NaN."""
    if not input.is_floating_point():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                           f"dtype but got {_type_name(input.dtype)}")
    count = nansum(~isnan(input), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


# ---- quantiles -------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    name = "nanquantile" if ignore_nan else "quantile"
    if input.dtype not in (_C.float32, _C.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    q_scalar = not isinstance(q, Tensor)
    qt = _C.fill_(_C.empty((), input.dtype), q) if q_scalar else q
    if qt.dim() > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if qt.dtype != input.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if qt.numel() and not bool(((qt >= 0) & (qt <= 1)).all()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if dim is None:
        x, d = input.reshape(-1), 0
        out_shape = [1] * input.dim() if keepdim else []
    else:
        d = _C._wrap_dim(dim, input.dim())
        x = input if input.dim() else input.reshape(1)
        out_shape = list(input.shape)
        if input.dim():
            if keepdim:
                out_shape[d] = 1
            else:
                del out_shape[d]
    x = x.movedim(d, -1)
    n = x.shape[-1]
    sorted_ = x.sort(-1)[0]                       # NaN sorts last
    nan_count = isnan(x).sum(-1, keepdim=True)
    valid = (n - nan_count) if ignore_nan else nan_count * 0 + n
    qv = qt.reshape(-1).detach()
    # ranks (one per q) along a new leading axis: q * (number of valid values - 1)
    last = (valid - 1).clamp(min=0).to(input.dtype)
    ranks = qv.reshape([-1] + [1] * x.dim()) * last
    if not ignore_nan:       # any NaN makes the quantile NaN: point at the last (a NaN)
        ranks = where(nan_count > 0, float(n - 1), ranks)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.floor().to(_C.int64).clamp(0, builtins.max(n - 1, 0))
    above = ranks.ceil().to(_C.int64).clamp(0, builtins.max(n - 1, 0))
    expanded = sorted_.unsqueeze(0).expand([qv.numel()] + list(sorted_.shape))
    lo = expanded.gather(-1, below)
    hi = expanded.gather(-1, above)
    if interpolation == "midpoint":
        w = where(above > below, 0.5, 0.0)
    else:
        w = (ranks - below.to(input.dtype)).detach()
    # torch's lerp: from the nearer end, so w = 1 gives hi exactly
    res = where(w < 0.5, lo + w * (hi - lo), hi - (hi - lo) * (1 - w))
    if ignore_nan:
        res = where(valid == 0, math.nan, res)
    res = res.squeeze(-1).reshape([qv.numel()] + out_shape)
    return res.reshape(out_shape) if q_scalar or qt.dim() == 0 else res


@op()
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles of input (along dim), interpolated as torch."""
    return _with_out(_quantile(input, q, dim, keepdim, interpolation, False), out)


@op()
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile ignoring NaN values."""
    return _with_out(_quantile(input, q, dim, keepdim, interpolation, True), out)


# ---- several results from one pass -----------------------------------------------------
@op()
def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) of input (along dim)."""
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        lo, hi = input.min(), input.max()      # torch.max()'s NaN bits, not amax's
        if keepdim:
            shape = [1] * input.dim()
            lo, hi = lo.reshape(shape), hi.reshape(shape)
        return AminmaxResult(lo, hi)
    # min(dim)/max(dim), not amin/amax: torch keeps the input's NaN bits here
    return AminmaxResult(input.min(dim, keepdim).values, input.max(dim, keepdim).values)


def _var_args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return dim, _correction(unbiased, correction), keepdim


@op()
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim."""
    dim, c, keepdim = _var_args(dim, unbiased, keepdim, correction)
    mean = input.mean(dim, keepdim) if _dims(input, dim) is not None else (
        input.mean().reshape([1] * input.dim()) if keepdim else input.mean())
    return input.var(dim, keepdim=keepdim, correction=c), mean


@op()
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return v.sqrt(), m


# ---- logcumsumexp ----------------------------------------------------------------------
@op()
def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along dim, without overflow or underflow."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    if input.dim() == 0:
        return input.clone()
    d = _C._wrap_dim(dim, input.dim())
    n = input.shape[d]
    y, k = input, 1
    # Hillis-Steele scan: after the pass with offset k each entry holds its last 2k terms
    while k < n:
        head = y.narrow(d, 0, k)
        tail = logaddexp(y.narrow(d, k, n - k), y.narrow(d, 0, n - k))
        y = cat([head, tail], d)
        k *= 2
    return _with_out(y if y is not input else input.clone(), out)


# ---- covariance ------------------------------------------------------------------------
@op()
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in input's rows (observations in columns)."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.is_floating_point():
        x = x.to(_C.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        norm = n - correction
        sw = None
    else:
        sw = w.sum()
        avg = (x * w).sum(1) / sw
        if correction == 0:
            norm = sw
        elif aweights is None:
            norm = sw - correction
        else:
            norm = sw - correction * (w * aweights).sum() / sw
    if not isinstance(norm, Tensor):
        norm = builtins.max(norm, 0)
    else:
        norm = norm.clamp(min=0)
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = (xw @ xm.t()) / norm
    return c.squeeze() if input.dim() < 2 else c


@op()
def corrcoef(input):
    """Pearson correlation coefficients of input's rows."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    sd = d.sqrt()
    c = c / sd.unsqueeze(1) / sd.unsqueeze(0)
    return c.clamp(-1, 1)


# ---- histogram -------------------------------------------------------------------------
@op()
def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(counts, bin_edges) of input's values in bins (a count or the edges)."""
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the "
                           f"same dtype, but got input {_type_name(input.dtype).lower()} and "
                           f"bins {_type_name(input.dtype).lower()}")
    x = input.detach().reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins.detach()
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif x.numel():
            lo, hi = float(x.min()), float(x.max())
        else:
            lo, hi = 0.0, 0.0
        if lo > hi:
            raise RuntimeError(f"torch.histogram(): max must be larger than min")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        from tinytensor import linspace
        edges = linspace(lo, hi, bins + 1, dtype=input.dtype)
    nbins = edges.numel() - 1
    inside = (x >= edges[0]) & (x <= edges[-1])
    # bucket i holds edges[i] <= x < edges[i+1]; the last edge belongs to the last bucket
    idx = (searchsorted(edges, x, right=True) - 1).clamp(0, builtins.max(nbins - 1, 0))
    w = inside.to(input.dtype) if weight is None else where(inside, weight.reshape(-1),
                                                            0.0)
    hist = _C.fill_(_C.empty((nbins,), input.dtype), 0).index_add(0, idx, w)
    if density:
        widths = edges[1:] - edges[:-1]
        hist = hist / (hist.sum() * widths)
    return HistogramResult(hist, edges)
