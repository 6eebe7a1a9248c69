"""Window functions for signal processing (torch.hann_window and friends): cosine sums
and the Kaiser window over n = 0 .. N-1, computed in float64 and rounded once."""
import math

from tinytensor import _C
from tinytensor.ops._registry import op


def _window(name, window_length, periodic, dtype, requires_grad, values):
    """values(n, denom) -> the window at positions n (float64 tensor), denominator N."""
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dtype = dtype or _C.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    from tinytensor import arange, ones
    if window_length <= 1:
        w = ones(window_length, dtype=dtype)
    else:
        denom = window_length if periodic else window_length - 1
        w = values(arange(window_length, dtype=_C.float64), denom).to(dtype)
    return w.requires_grad_() if requires_grad else w


def _cosine_window(name, coeffs):
    def fn(window_length, periodic=True, *, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
        def values(n, denom):
            w = n * 0 + coeffs[0]
            for k, c in enumerate(coeffs[1:], start=1):
                w = w + c * (n * (2 * math.pi * k / denom)).cos()
            return w
        return _window(name, window_length, periodic, dtype, requires_grad, values)
    fn.__name__ = name
    fn.__doc__ = f"The {name.split('_')[0]} window of window_length points."
    return op(name, method=False)(fn)


hann_window = _cosine_window("hann_window", (0.5, -0.5))
blackman_window = _cosine_window("blackman_window", (0.42, -0.5, 0.08))


@op(method=False)
def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """The Hamming window alpha - beta cos(2 pi n / N)."""
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda n, denom: alpha - beta * (n * (2 * math.pi / denom)).cos())


@op(method=False)
def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangular window 1 - |2n/N - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda n, denom: 1 - (n * (2.0 / denom) - 1).abs())


@op(method=False)
def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """The Kaiser window i0(beta sqrt(1 - (2n/N - 1)^2)) / i0(beta)."""
    from tinytensor.ops.special import i0

    def values(n, denom):
        r = n * (2.0 / denom) - 1
        arg = (1 - r * r).clamp(min=0).sqrt() * beta
        return i0(arg) / i0(arg * 0 + beta)
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, values)
