"""torch.special: special functions under their scipy-style names.

Most are ops defined elsewhere under a second name (expit is sigmoid, gammaln is lgamma,
multigammaln is mvlgamma); the rest (entr, ndtr, ndtri, log_ndtr, xlog1py) are short
compositions whose gradients come from their parts.
"""
import math

from tinytensor.ops.elementwise import (sigmoid as expit, lgamma as gammaln, erf, erfc,
                                        exp2, expm1, log1p, round, xlogy, where, isnan,
                                        log, _with_out)
from tinytensor._dtypes import float64
from tinytensor.ops.reduce import logsumexp
from tinytensor.ops.special import (digamma, polygamma, erfinv, i0, i1, i0e, i1e, sinc,
                                    logit, mvlgamma as multigammaln, igamma as gammainc,
                                    igammac as gammaincc, zeta, erfcx)
from tinytensor.ops.statistics import softmax, log_softmax

psi = digamma
modified_bessel_i0, modified_bessel_i1 = i0, i1

__all__ = ["digamma", "psi", "polygamma", "multigammaln", "gammaln", "erf", "erfc",
           "erfinv", "expit", "logit", "exp2", "expm1", "log1p", "round", "xlogy",
           "xlog1py", "entr", "ndtr", "ndtri", "log_ndtr", "i0", "i1", "i0e", "i1e",
           "modified_bessel_i0", "modified_bessel_i1", "sinc", "softmax", "log_softmax",
           "logsumexp", "gammainc", "gammaincc", "zeta", "erfcx"]


def entr(input, *, out=None):
    """-x log x elementwise (0 at 0, -inf for x < 0)."""
    r = where(input > 0, -input * log(where(input > 0, input, 1.0)), 0.0)
    r = where(input < 0, -math.inf, r)
    return _with_out(where(isnan(input), input, r), out)


def ndtr(input, *, out=None):
    """The standard normal CDF."""
    return _with_out(0.5 * erfc(input * (-1 / math.sqrt(2))), out)


def ndtri(input, *, out=None):
    """The inverse of the standard normal CDF."""
    return _with_out(math.sqrt(2) * erfinv(2 * input - 1), out)


def log_ndtr(input, *, out=None):
    """log(ndtr(x)), accurate far into the lower tail."""
    # in float64: float32's erfc underflows below -13, well before the tail formula starts
    dtype = expit(input.detach()).dtype
    x = input.to(float64)
    # each branch sees only inputs where it is finite, so no NaN gradient leaks through where
    xu = where(x > 0, x, 0.0)
    upper = log1p(-0.5 * erfc(xu * (1 / math.sqrt(2))))
    xm = where((x <= 0) & (x >= -20), x, 0.0)
    mid = log(0.5 * erfc(xm * (-1 / math.sqrt(2))))
    # below -20: log ndtr(x) ~ -x^2/2 - log(-x sqrt(2 pi)) + log(1 - 1/x^2 + 3/x^4 - ...)
    t = where(x < -20, x, -20.0)
    inv2 = 1 / (t * t)
    tail = (-0.5 * t * t - log(-t) - 0.5 * math.log(2 * math.pi)
            + log1p(-inv2 * (1 - 3 * inv2 * (1 - 5 * inv2))))
    r = where(x > 0, upper, where(x < -20, tail, mid))
    return _with_out(where(isnan(x), x, r).to(dtype), out)


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    # as torch: at input == 0 the gradient for input is still log1p(other)
    l = log1p(other)
    return _with_out(input * where((input == 0) & (other <= -1), 0.0, l), out)
