"""Elementwise ops beyond the core set, composed from the kernels elementwise.py wraps:
logaddexp(2), hypot, float_power, heaviside, ldexp, frexp, gcd/lcm,
nextafter, deg2rad/rad2deg, positive.

Where torch has a kernel for one dtype family only, the same NotImplementedError is
raised for the others (`_only_for`).  Composites keep torch's gradients; a Function is
written only where the composition would differentiate wrongly.
"""
import math

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.elementwise import (where, isnan, isinf, abs, log1p, exp2,
                                        _type_name, _with_out, _inplace)
from tinytensor.ops.promotion import result_type
from tinytensor.ops.sorting import return_type
from tinytensor.ops.shape import broadcast_tensors

Tensor = _C.TensorBase


def _only_for(kernel, kinds, *xs):
    """torch's NotImplementedError when the promoted dtype ('float' or 'int' kinds) has no
    CPU kernel: torch checks the common dtype, so hypot(float, int) runs."""
    dt = result_type(*xs) if len(xs) > 1 else xs[0].dtype
    is_float = dt.is_floating_point
    if (kinds == "float" and not is_float) or (kinds == "int" and (
            is_float or dt is _C.bool_)):
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for "
                                  f"'{_type_name(dt)}'")


def _tensor_other(name, other, argname="other"):
    """torch's TypeError for ops whose second operand must be a tensor."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument '{argname}' must be Tensor, not "
                        f"{type(other).__name__}")


def _full(shape, dtype, value):
    return _C.fill_(_C.empty(tuple(shape), dtype), value)


# ---- log-sum of two, hypot -------------------------------------------------------------
class LogAddExp(Function, node_name="LogaddexpBackward0"):
    base = math.e

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _log_add(a, b, math.e)

    @classmethod
    def backward(cls, ctx, g):
        # torch's form: 1 / (1 + base^(b - a)) stays finite where a or b is infinite
        a, b = ctx.saved_tensors
        return g / (1 + cls.base ** (b - a)), g / (1 + cls.base ** (a - b))


class LogAddExp2(LogAddExp, node_name="Logaddexp2Backward0"):
    base = 2.0

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _log_add(a, b, 2.0)


def _log_add(a, b, base):
    dt = result_type(a, b)
    if base == math.e:
        r = _C.binary("logaddexp", a, b, dtype=dt)
    else:
        m = _C.binary("maximum", a, b, dtype=dt)
        r = m + log1p(exp2(-abs(a - b))) * (1 / math.log(2.0))
    # equal infinities: their difference is NaN, the answer is the infinity itself
    return where(isinf(a) & (a == b), a, r)


@op()
def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)) without overflow."""
    _only_for("logaddexp", "float", input, other)
    return _with_out(LogAddExp.apply(input, other), out)


@op()
def logaddexp2(input, other, *, out=None):
    """log2(2**input + 2**other) without overflow."""
    _only_for("logaddexp2", "float", input, other)
    return _with_out(LogAddExp2.apply(input, other), out)


class Hypot(Function, node_name="HypotBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        out = _C.binary("hypot", a, b, dtype=result_type(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        return g * a / out, g * b / out


@op()
def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2) elementwise, without overflow."""
    _tensor_other("hypot", other)
    _only_for("hypot", "float", input, other)
    return _with_out(Hypot.apply(input, other), out)


# ---- powers and scales -----------------------------------------------------------------
@op()
def float_power(input, exponent, *, out=None):
    """input ** exponent computed in float64."""
    dd = _C.float64
    a = input.to(dd) if isinstance(input, Tensor) else float(input)
    e = exponent.to(dd) if isinstance(exponent, Tensor) else float(exponent)
    return _with_out(a ** e if isinstance(a, Tensor) else e.__rpow__(a), out)


_float_power_inplace = _inplace(float_power, "float_power")


@method("float_power_")
def float_power_(self, exponent):
    """self = self ** exponent, allowed only for a float64 self."""
    if self.dtype is not _C.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_type_name(self.dtype)}"
                           f" but the operation's result requires dtype Double")
    return _float_power_inplace(self, exponent)


@op()
def ldexp(input, other, *, out=None):
    """input * 2 ** other."""
    _tensor_other("ldexp", other)
    return _with_out(input * other.__rpow__(2.0), out)


@op()
def deg2rad(input, *, out=None):
    """Degrees to radians."""
    return _with_out(input * (math.pi / 180.0), out)


@op()
def rad2deg(input, *, out=None):
    """Radians to degrees."""
    return _with_out(input * (180.0 / math.pi), out)


@op()
def positive(input):
    """input itself (unary +); bool tensors are refused as torch does."""
    if input.dtype is _C.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@op()
def heaviside(input, values, *, out=None):
    """0 where input < 0, values where input == 0, 1 where input > 0."""
    _tensor_other("heaviside", values, "values")
    if values.dtype != input.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    step = _C.cast(_C.binary("gt", input, 0), input.dtype)
    return _with_out(_C.ternary("where", input == 0, values, step, dtype=input.dtype), out)


# ---- bit-level float ops ---------------------------------------------------------------
FrexpResult = return_type("frexp", ("mantissa", "exponent"))
_INT_OF = {"float64": _C.int64, "float32": _C.int32, "float16": _C.int16,
           "bfloat16": _C.int16}


@op()
def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent and 0.5 <= |mantissa| < 1."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    x = input.detach().to(_C.float64)
    special = (x == 0) | isnan(x) | isinf(x)
    safe = where(special, 1.0, x)
    e = (abs(safe).log2().floor() + 1)
    # 2**-e in two halves: for float64 subnormals 2**1074 alone overflows
    h = (e * 0.5).floor()
    m = safe * (-h).exp2() * (h - e).exp2()
    # log2 can be off by one next to a power of two
    big, small = abs(m) >= 1, abs(m) < 0.5
    m = where(big, m * 0.5, where(small, m * 2, m))
    e = e + where(big, 1.0, where(small, -1.0, 0.0))
    mantissa = where(special, x, m).to(input.dtype)
    exponent = where(special, 0.0, e).to(_C.int32)
    if out is not None:
        _C.copy_(out[0], mantissa), _C.copy_(out[1], exponent)
        return FrexpResult(*out)
    return FrexpResult(mantissa, exponent)


@op()
def nextafter(input, other, *, out=None):
    """The next float after input in the direction of other."""
    _tensor_other("nextafter", other)
    _only_for("nextafter", "float", input, other)
    dt = result_type(input, other)
    x = input.detach().to(dt)
    y = other.detach().to(dt)
    x, y = broadcast_tensors(x, y)
    bits = x.contiguous().view(_INT_OF[dt.name])
    away = (y > x) == (x > 0)                 # moving away from zero: one unit up in bits
    step = _C.cast(away, bits.dtype) * 2 - 1
    stepped = (bits + step).view(dt)
    tiny = _C.cast(_full((), _INT_OF[dt.name], 1).view(dt), dt)   # the smallest subnormal
    from_zero = where(y > x, tiny, -tiny)
    r = where(x == 0, from_zero, stepped)
    r = where(x == y, y, r)
    r = where(isnan(x) | isnan(y), x + y, r)
    return _with_out(r, out)


# ---- integer ops -----------------------------------------------------------------------
def _int_operands(name, a, b):
    _only_for(name, "int", a, b)
    dt = result_type(a, b)
    a = a.to(dt) if isinstance(a, Tensor) else _full((), dt, a)
    b = b.to(dt) if isinstance(b, Tensor) else _full((), dt, b)
    return broadcast_tensors(a, b)


def _gcd(a, b):
    # Euclid on whole tensors: as many passes as the slowest element needs (~log n)
    a, b = abs(a), abs(b)
    while bool((b != 0).any()):
        nz = b != 0
        safe = where(nz, b, 1)
        a, b = where(nz, b, a), where(nz, a % safe, b)
    return a


@op()
def gcd(input, other, *, out=None):
    """Greatest common divisor, elementwise (integers)."""
    a, b = _int_operands("gcd", input, other)
    return _with_out(_gcd(a, b).clone(), out)


@op()
def lcm(input, other, *, out=None):
    """Least common multiple, elementwise (integers); 0 when either is 0."""
    a, b = _int_operands("lcm", input, other)
    dt = a.dtype
    a, b = a.to(_C.int64), b.to(_C.int64)      # as torch: |a / g * b| before narrowing
    g = _gcd(a, b)
    safe = where(g == 0, 1, g)
    r = where(g == 0, 0, abs(a.div(safe, rounding_mode="trunc") * b))
    return _with_out(r.to(dt), out)


@op()
def angle(input, *, out=None):
    """The argument of each (real) element: 0 for x >= 0, pi for x < 0, NaN for NaN."""
    x = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    return _with_out(where(isnan(x), x, where(x < 0, math.pi, _full(x.shape, x.dtype, 0))),
                     out)


# ---- activations torch exposes at the top level -----------------------------------------
@op()
def hardshrink(input, lambd=0.5):
    """input where |input| > lambd, else 0."""
    _only_for("hardshrink", "float", input)
    return where(abs(input) > lambd, input, 0.0)


@op()
def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one for all."""
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    channels = input.shape[1] if input.dim() >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    w = weight.reshape(-1)
    if n != 1:
        w = w.reshape([1, n] + [1] * (input.dim() - 2))
    elif input.dim() == 0:
        w = w.reshape(())
    return where(input > 0, input, w * input)
