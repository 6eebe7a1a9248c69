"""Special functions with their backward: digamma, polygamma, erfinv, i0 (and i1 for its
gradient), sinc, logit, mvlgamma.

There are no C kernels for these: each is evaluated on whole tensors in float64 (series,
recurrences, Newton steps; a fixed small number of passes, never a loop over elements)
and rounded once to the result dtype, which is torch's float promotion of the input.
"""
import math

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.elementwise import (where, isnan, abs, exp, log, sqrt, tan, erf,
                                        erfc, lgamma, clamp, sin, signbit, _with_out,
                                        _inplace)
from tinytensor.ops.promotion import float_result_type

Tensor = _C.TensorBase


def _f64(x):
    return x.detach().to(_C.float64)


# ---- digamma and polygamma -------------------------------------------------------------
# asymptotic series of digamma and Hurwitz zeta: B_2k / (2k) for k = 1..7 (Bernoulli numbers)
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]


def _digamma64(x):
    """psi(x) in float64: reflection below 1/2, recurrence up to 10, asymptotic series."""
    reflect = x < 0.5
    y = where(reflect, 1 - x, x)
    acc = y * 0
    for _ in range(10):                 # y >= 0.5, so ten steps reach 10
        small = y < 10
        acc = acc - where(small, 1 / y, 0.0)
        y = where(small, y + 1, y)
    inv2 = 1 / (y * y)
    series, power = y * 0, inv2
    for k, b in enumerate(_BERNOULLI, start=1):
        series = series + b / (2 * k) * power
        power = power * inv2
    res = acc + log(y) - 0.5 / y - series
    # psi(x) = psi(1 - x) - pi / tan(pi x); tan has period 1, so use x's fractional part
    frac = x - x.floor()
    res = where(reflect, res - math.pi / tan(math.pi * frac), res)
    res = where((x <= 0) & (frac == 0), math.nan, res)
    res = where(x == math.inf, math.inf, res)
    return where(x == 0, where(signbit(x), math.inf, -math.inf), res)   # psi(-0) = +inf


def _hurwitz_zeta64(s, x):
    """zeta(s, x) = sum_k (x + k)^-s for s > 1 (a number or a tensor), by Euler-Maclaurin
    after shifting x up past 10 + s."""
    w, acc = x, x * 0
    threshold = 10.0 + s
    while bool((w < threshold).any()):
        small = w < threshold
        acc = acc + where(small, w ** -s, 0.0)
        w = where(small, w + 1, w)
    res = acc + w ** (1 - s) / (s - 1) + 0.5 * w ** -s
    rising, power = s * 1.0, w ** (-s - 1)         # s (s+1) ... (s+2k-2), w^(-s-2k+1)
    fact = 2.0                                      # (2k)!
    for k, b in enumerate(_BERNOULLI, start=1):
        res = res + (b * rising / fact) * power
        rising = rising * (s + 2 * k - 1) * (s + 2 * k)
        fact *= (2 * k + 1) * (2 * k + 2)
        power = power / (w * w)
    return res


def _polygamma64(n, x):
    if n == 0:
        return _digamma64(x)
    sign = 1.0 if n % 2 else -1.0
    res = sign * math.factorial(n) * _hurwitz_zeta64(n + 1, x)
    return where((x <= 0) & (x == x.floor()), math.inf, res)


class Polygamma(Function, node_name="PolygammaBackward0"):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma64(n, _f64(x)).to(float_result_type(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x), None


class Digamma(Polygamma, node_name="DigammaBackward0"):
    pass


@op()
def digamma(input, *, out=None):
    """The logarithmic derivative of the gamma function, psi(x)."""
    return _with_out(Digamma.apply(input, 0), out)


@op(method=False)
def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _with_out(Polygamma.apply(input, n), out)


@method("polygamma")
def _polygamma_method(self, n):
    return polygamma(n, self)


_polygamma_inplace = _inplace(_polygamma_method, "polygamma")


# ---- erfinv ----------------------------------------------------------------------------
def _erfinv64(x):
    """Giles' single-precision approximation, then Newton steps on erf (erfc in the tails,
    where 1 - |x| is exact and erf would cancel)."""
    a = abs(x)
    w = -log((1 - a) * (1 + a))
    central, tail = w - 2.5, sqrt(w) - 3.0
    p1 = _poly(central, [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                         0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                         1.50140941])
    p2 = _poly(tail, [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                      0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682])
    y = where(w < 5, p1, p2) * a
    tails = a > 0.5
    log_c = log(where(tails, 1 - a, 1.0))
    for _ in range(4):
        # tails: Newton on log(erfc(y)) = log(1 - |x|), nearly linear in y^2 out there
        slope = 2 / math.sqrt(math.pi) * exp(-y * y)
        c = erfc(y)
        tail_step = (log(c) - log_c) * c / -slope
        y = y - where(tails, tail_step, (erf(y) - a) / slope)
    y = where(a == 1, a * math.inf, y)
    y = where(a > 1, a * math.nan, y)
    return where(x < 0, -y, y)


def _poly(t, coeffs):
    r = t * 0 + coeffs[0]
    for c in coeffs[1:]:
        r = r * t + c
    return r


class Erfinv(Function, node_name="ErfinvBackward0"):
    @staticmethod
    def forward(ctx, x):
        y = _erfinv64(_f64(x)).to(float_result_type(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * exp(y * y)


@op()
def erfinv(input, *, out=None):
    """The inverse of erf on (-1, 1)."""
    return _with_out(Erfinv.apply(input), out)


# ---- modified Bessel functions I0, I1 --------------------------------------------------
def _bessel_i64(nu, x, scaled=False):
    """I_nu(|x|) for nu in {0, 1} (times exp(-|x|) when scaled): power series up to 15,
    the asymptotic series beyond."""
    a = abs(x)
    small = where(a <= 15, a, 0.0)
    half_sq = small * small * 0.25
    term = (small * 0.5) ** nu                  # (x/2)^nu / nu!
    series = term
    for k in range(1, 40):
        term = term * half_sq / (k * (k + nu))
        series = series + term
    big = where(a > 15, a, 15.0)
    acc, coeff = big.new_ones(big.shape), 1.0
    for k in range(1, 30):                      # terms shrink until k ~ 2x >= 30
        coeff *= -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8)
        acc = acc + coeff * big ** -k
    asym = acc / sqrt(2 * math.pi * big)
    r = where(a <= 15, series * exp(-small), asym) if scaled else \
        where(a <= 15, series, asym * exp(big))
    return where(isnan(x), x, r)


class _BesselI(Function):
    """I0, I1 and their exponentially scaled forms I0e, I1e (odd orders are odd)."""
    nu, scaled = 0, False

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        x64 = _f64(x)
        r = _bessel_i64(cls.nu, x64, cls.scaled)
        if cls.nu == 1:
            r = where(x64 < 0, -r, r)
        return r.to(float_result_type(x))

    @classmethod
    def backward(cls, ctx, g):
        # I0' = I1;  I1' = I0 - I1 / x (1/2 at 0);  scaling by exp(-|x|) adds -sign(x) f
        (x,) = ctx.saved_tensors
        i0_, i1_ = (I0e, I1e) if cls.scaled else (I0, I1)
        if cls.nu == 0:
            d = i1_.apply(x)
        else:
            d = i0_.apply(x) - i1_.apply(x) / where(x == 0, 1.0, x)
            d = where(x == 0, 0.5, d)
        if cls.scaled:
            d = d - x.sign() * cls.apply(x)
        return g * d


class I0(_BesselI, node_name="I0Backward0"):
    pass


class I1(_BesselI, node_name="SpecialI1Backward0"):
    nu = 1


class I0e(_BesselI, node_name="SpecialI0EBackward0"):
    scaled = True


class I1e(_BesselI, node_name="SpecialI1EBackward0"):
    nu, scaled = 1, True


@op()
def i0(input, *, out=None):
    """The modified Bessel function of the first kind, order 0."""
    return _with_out(I0.apply(input), out)


def i1(input, *, out=None):
    """The modified Bessel function of the first kind, order 1 (torch.special.i1)."""
    return _with_out(I1.apply(input), out)


def i0e(input, *, out=None):
    """exp(-|x|) * i0(x), without overflow (torch.special.i0e)."""
    return _with_out(I0e.apply(input), out)


def i1e(input, *, out=None):
    """exp(-|x|) * i1(x), without overflow (torch.special.i1e)."""
    return _with_out(I1e.apply(input), out)


# ---- sinc, logit, mvlgamma -------------------------------------------------------------
@op()
def sinc(input, *, out=None):
    """sin(pi x) / (pi x), and 1 at 0."""
    if not input.is_floating_point():
        input = input.to(float_result_type(input))
    zero = input == 0
    # keep the division away from 0 so that the gradient there is 0, not NaN
    safe = where(zero, 1.0, input) * math.pi
    return _with_out(where(zero, 1.0, sin(safe) / safe), out)


@op()
def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    if not input.is_floating_point():
        input = input.to(float_result_type(input))
    p = input if eps is None else clamp(input, eps, 1 - eps)
    return _with_out(log(p / (1 - p)), out)


class Mvlgamma(Function, node_name="MvlgammaBackward0"):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        x64 = _f64(x)
        total = x64 * 0 + p * (p - 1) / 4 * math.log(math.pi)
        for j in range(p):
            total = total + lgamma(x64 - j / 2)
        return total.to(float_result_type(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        d = x * 0
        for j in range(ctx.p):
            d = d + digamma(x - j / 2)
        return g * d, None


@op()
def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(input, p)


# ---- regularized incomplete gamma functions ---------------------------------------------
def _igamma64(a, x):
    """(P, Q) = regularized lower / upper incomplete gamma, a > 0, x >= 0 (float64):
    the power series where x < a + 1, Lentz's continued fraction for Q elsewhere."""
    use_series = x < a + 1
    log_prefix = a * log(where(x > 0, x, 1.0)) - x - lgamma(a)
    # series: sum_n x^n / ((a+1)...(a+n))
    xs = where(use_series, x, 0.0)
    term = xs * 0 + 1 / a
    total, ap = term, a
    for _ in range(_MAX_TERMS):
        ap = ap + 1
        term = term * xs / ap
        total = total + term
        if not bool((abs(term) > abs(total) * 1e-17).any()):
            break
    p_series = where(x > 0, total * exp(log_prefix), 0.0)
    # continued fraction for Q (modified Lentz)
    xc = where(use_series, a + 2, x)
    tiny = 1e-300
    b = xc + 1 - a
    c = b * 0 + 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = where(abs(d) < tiny, tiny, d)
        c = b + an / c
        c = where(abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if not bool((abs(delta - 1) > 1e-16).any()):
            break
    q_cf = exp(a * log(xc) - xc - lgamma(a)) * h
    P = where(use_series, p_series, 1 - q_cf)
    Q = where(use_series, 1 - p_series, q_cf)
    bad = (a < 0) | (x < 0) | isnan(a) | isnan(x)
    zero_a = (a == 0) & (x > 0)
    P = where(bad, math.nan, where(zero_a | (x == math.inf), 1.0, P))
    Q = where(bad, math.nan, where(zero_a | (x == math.inf), 0.0, Q))
    return P, Q


_MAX_TERMS = 2000


class Igamma(Function, node_name="IgammaBackward0"):
    upper = False

    @classmethod
    def forward(cls, ctx, a, x):
        ctx.save_for_backward(a, x)
        from tinytensor.ops.promotion import result_type
        dt = result_type(a, x)
        P, Q = _igamma64(_f64(a), _f64(x))
        return (Q if cls.upper else P).to(dt)

    @classmethod
    def backward(cls, ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            name = "igammac" if cls.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}' with respect to 'self' "
                                      f"is not implemented")
        d = exp(-x + (a - 1) * log(x) - lgamma(a))
        return None, g * (-d if cls.upper else d)


class Igammac(Igamma, node_name="IgammacBackward0"):
    upper = True


def _check_igamma(name, input, other):
    from tinytensor.ops.promotion import result_type
    dt = result_type(input, other)
    if not dt.is_floating_point:
        from tinytensor.ops.elementwise import _type_name
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_name(dt)}'")


@op()
def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    _check_igamma("igamma", input, other)
    return _with_out(Igamma.apply(input, other), out)


@op()
def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other)."""
    _check_igamma("igammac", input, other)
    return _with_out(Igammac.apply(input, other), out)


# ---- Hurwitz zeta, scaled complementary error function ---------------------------------
class Zeta(Function, node_name="SpecialZetaBackward0"):
    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        from tinytensor.ops.promotion import result_type
        dt = result_type(s, q)
        s64 = _f64(s) if isinstance(s, Tensor) else float(s)
        q64 = _f64(q) if isinstance(q, Tensor) else float(q)
        if not isinstance(q64, Tensor):
            q64 = s64.new_full(s64.shape, q64)
        if not isinstance(s64, Tensor):
            s64 = q64.new_full(q64.shape, s64)
        safe_s = where(s64 > 1, s64, 2.0)
        r = _hurwitz_zeta64(safe_s, q64)
        whole_q = (q64 <= 0) & (q64 == q64.floor())
        r = where((q64 <= 0) & (s64 != s64.floor()), math.nan, r)
        r = where(whole_q, math.inf, r)
        r = where(s64 < 1, math.nan, where(s64 == 1, math.inf, r))
        return where(isnan(s64) | isnan(q64), math.nan, r).to(dt)

    @staticmethod
    def backward(ctx, g):
        # d/dq = -s zeta(s + 1, q); d/ds has no closed form (torch refuses it too)
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -s * Zeta.apply(s + 1, q)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (other + k)^-input (torch.special.zeta)."""
    return _with_out(Zeta.apply(input, other), out)


def _erfcx64(x):
    """exp(x^2) erfc(x): directly up to 25, an asymptotic series beyond (where erfc
    underflows)."""
    near = where(x <= 25, x, 0.0)
    direct = exp(near * near) * erfc(near)
    far = where(x > 25, x, 25.0)
    inv = 1 / (2 * far * far)
    acc, term = far.new_ones(far.shape), far.new_ones(far.shape)
    for k in range(1, 12):
        term = term * -(2 * k - 1) * inv
        acc = acc + term
    r = where(x <= 25, direct, acc / (far * math.sqrt(math.pi)))
    return where(isnan(x), x, r)


class Erfcx(Function, node_name="SpecialErfcxBackward0"):
    @staticmethod
    def forward(ctx, x):
        y = _erfcx64(_f64(x)).to(float_result_type(x))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (2 * x * y - 2 / math.sqrt(math.pi))


def erfcx(input, *, out=None):
    """exp(x^2) * erfc(x), without overflow (torch.special.erfcx)."""
    return _with_out(Erfcx.apply(input), out)
