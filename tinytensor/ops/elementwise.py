"""Elementwise math: arithmetic, comparisons, unary functions, where/clamp -- each a
Function with its backward beside its forward, and the Python operators.

The kernels are in ctensor/binary.c, unary.c, ternary.c (through tinytensor/_math.pxi);
this module decides the dtype (torch's promotion with weak scalars, promotion.py) and
records the graph.  The engine sums each gradient back to its input's shape and dtype,
so a backward here may return a broadcast-shaped gradient."""
import builtins
import math
import warnings

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.promotion import result_type, float_result_type, can_cast

Tensor = _C.TensorBase
_NUMBER = (builtins.int, builtins.float, builtins.bool)
_OPERAND = (Tensor,) + _NUMBER     # built once: the operators test it on every call


def _check_alpha(alpha, name):
    if not isinstance(alpha, _NUMBER):
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not "
                        f"{type(alpha).__name__}")


def _alpha_arg(alpha):
    """alpha for the kernel: None when it is a plain 1 (True still gets torch's check)."""
    return None if alpha == 1 and not isinstance(alpha, builtins.bool) else alpha


def _check_overlap(self, args):
    """torch refuses in-place ops whose input partly overlaps the written tensor."""
    for a in args:
        if isinstance(a, Tensor) and a is not self and self._overlaps(a) and not (
                a.storage_offset() == self.storage_offset() and a.stride() == self.stride()
                and tuple(a.shape) == tuple(self.shape)):
            raise RuntimeError("unsupported operation: some elements of the input tensor "
                               "and the written-to tensor refer to a single memory location. "
                               "Please clone() the tensor before performing the operation.")


def _check_input(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


# torch has no Scalar overload of these: a number as `other` is a TypeError
_TENSOR_OTHER = {"maximum", "minimum", "atan2", "fmax", "fmin", "logical_and", "logical_or",
                 "logical_xor"}


def _check_other_tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(x).__name__}")


def _check_operand(x, name):
    if not isinstance(x, _OPERAND):
        raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, not "
                        f"{type(x).__name__}")


# ---- binary arithmetic ------------------------------------------------------------------
class Add(Function, node_name="AddBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return _C.binary("add", a, b, dtype=result_type(a, b), alpha=_alpha_arg(alpha))

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class Sub(Function, node_name="SubBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _no_bool_sub(a, b)
        ctx.alpha = alpha
        return _C.binary("sub", a, b, dtype=result_type(a, b), alpha=_alpha_arg(alpha))

    @staticmethod
    def backward(ctx, g):
        return g, -g if ctx.alpha == 1 else g * -ctx.alpha


class Rsub(Sub, node_name="RsubBackward1"):
    """other - self, from `2 - x` (torch records it as rsub with self first)."""
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _no_bool_sub(a, b)
        ctx.alpha = alpha
        return _C.binary("sub", b, a, dtype=result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        return -g, g


def _is_bool(x):
    return isinstance(x, builtins.bool) or (isinstance(x, Tensor) and x.dtype is _C.bool_)


def _no_bool_sub(a, b):
    """torch refuses `-` with a bool operand (a Python bool counts as a bool tensor)."""
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _save_operands(ctx, a, b):
    """Keep a binary op's operands for backward: tensors through save_for_backward (so
    in-place changes are caught), Python numbers as they are."""
    ctx.save_for_backward(a if isinstance(a, Tensor) else None,
                          b if isinstance(b, Tensor) else None)
    ctx.numbers = (a, b)


def _saved_operands(ctx):
    """The operands _save_operands kept, numbers back in their places."""
    a, b = ctx.saved_tensors
    return (ctx.numbers[0] if a is None else a, ctx.numbers[1] if b is None else b)


class Mul(Function, node_name="MulBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b):
        _save_operands(ctx, a, b)
        return _C.binary("mul", a, b, dtype=result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = _saved_operands(ctx)
        return (g * b if ctx.needs_input_grad[0] else None,
                g * a if ctx.needs_input_grad[1] else None)


class Div(Function, node_name="DivBackward0", numbers_are_inputs=True):
    @staticmethod
    def forward(ctx, a, b):
        _save_operands(ctx, a, b)
        return _C.binary("div", a, b, dtype=float_result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = _saved_operands(ctx)
        return (g / b if ctx.needs_input_grad[0] else None,
                -g * a / (b * b) if ctx.needs_input_grad[1] else None)


class Pow(Function, node_name="PowBackward1"):
    """tensor ** tensor."""
    @staticmethod
    def forward(ctx, a, b):
        out = _C.binary("pow", a, b, dtype=result_type(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        # torch's formulas: 0 where the exponent is 0 / at 0 ** (b >= 0); the log of a
        # negative base is NaN, as in torch
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = where(b == 0, 0.0, g * (b * a ** (b - 1)))
        if ctx.needs_input_grad[1]:
            gb = g * where((a == 0) & (b >= 0), 0.0, out * log(a.to(out.dtype)))
        return ga, gb


class PowScalar(Function, node_name="PowBackward0"):
    """tensor ** number (the exponent is not an input of the graph)."""
    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        dt = result_type(a, exponent)
        if dt is _C.bool_:      # bool ** True / False: torch's copy / fill_(1) shortcuts
            return _C.binary("logical_or" if exponent == 0 else "logical_and", a, True)
        return _C.pow_scalar(a, exponent, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return zeros_like_(a), None
        # x ** 1 is x exactly: skip that pass for squares (the seeds' losses)
        return g * (e * (a if e - 1 == 1 else a ** (e - 1))), None


class RPowScalar(Function, node_name="PowBackward2"):
    """number ** tensor."""
    @staticmethod
    def forward(ctx, a, base):
        dt = result_type(a, base)
        out = _C.binary("pow", base, a, dtype=dt)
        ctx.save_for_backward(out)
        ctx.exponent = a if base == 0 else None     # only 0 ** x reads it
        ctx.base = base
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        base = ctx.base
        log_base = math.log(base) if base > 0 else -math.inf if base == 0 else math.nan
        if base == 0:           # 0 ** x: 0 for x >= 0, else out * log(0)
            return g * where(ctx.exponent >= 0, 0.0, out * log_base), None
        return g * (out * log_base), None


@op()
def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcast and promoted as torch."""
    _check_operand(other, "add")
    _check_alpha(alpha, "add")
    result = Add.apply(input, other, alpha=alpha)
    return result if out is None else _with_out(result, out, "add")


@op()
def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    _check_operand(other, "sub")
    _check_alpha(alpha, "sub")
    result = Sub.apply(input, other, alpha=alpha)
    return result if out is None else _with_out(result, out, "sub")


subtract = op("subtract")(sub)


@op()
def rsub(input, other, *, alpha=1):
    return Rsub.apply(input, other, alpha=alpha)


@op()
def mul(input, other, *, out=None):
    """input * other, broadcast and promoted as torch."""
    _check_operand(other, "mul")
    result = Mul.apply(input, other)
    return result if out is None else _with_out(result, out, "mul")


multiply = op("multiply")(mul)


@op()
def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give floats), or 'trunc' / 'floor' rounding."""
    _check_operand(other, "div")
    if rounding_mode is None:
        result = Div.apply(input, other)
        return result if out is None else _with_out(result, out, "div")
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                         f"'floor' but found '{rounding_mode}'")
    return _with_out(_C.binary("div_" + rounding_mode, input, other,
                               dtype=result_type(input, other)), out)


divide = op("divide")(div)
true_divide = op("true_divide")(div)


@op()
def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


@op()
def pow(input, exponent, *, out=None):
    """input ** exponent (tensor or number on either side)."""
    if isinstance(input, _NUMBER):
        return _with_out(RPowScalar.apply(exponent, input), out)
    if isinstance(exponent, _NUMBER):
        return _with_out(PowScalar.apply(input, exponent), out)
    return _with_out(Pow.apply(input, exponent), out)


def _with_out(result, out, name=None):
    """Write result into out= as torch: no autograd, a castable dtype, and an out of
    another shape resized (with torch's warning unless it was empty)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name or 'op'}(): argument 'out' must be Tensor, not "
                        f"{type(out).__name__}")
    if _C.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name or 'op'}(): functions with out=... arguments don't "
                           f"support automatic differentiation, but one of the arguments "
                           f"requires grad.")
    if not can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {_type_name(result.dtype)} can't be cast to the "
                           f"desired output type {_type_name(out.dtype)}")
    resize_out(out, result.shape)
    _C.copy_(out, result.detach())
    return out


def resize_out(out, shape):
    """Give out= the result's shape, as torch's resize of an output tensor."""
    shape = tuple(shape)
    if tuple(out.shape) == shape:
        return out
    if out.numel() != 0:
        warnings.warn(f"An output with one or more elements was resized since it had shape "
                      f"{list(out.shape)}, which does not match the required output shape "
                      f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                      f"release outputs will not be resized unless they have zero elements. "
                      f"You can explicitly reuse an out tensor t by resizing it, inplace, "
                      f"to zero elements with t.resize_(0).", UserWarning, stacklevel=4)
    return _C.resize_out(out, shape)


def _type_name(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half",
            "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
            "int8": "Char", "uint8": "Byte", "bool": "Bool"}[d.name]


# ---- binary ops without gradients (integer-valued or piecewise constant) ------------------
def _nograd_binary(name, kernel=None, out_float=False):
    kernel = kernel or name

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor) and (not isinstance(other, Tensor) or name not in (
                "remainder", "bitwise_and", "bitwise_or", "bitwise_xor")):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        if name in _TENSOR_OTHER:
            _check_other_tensor(other, name)
        dt = float_result_type(input, other) if out_float else result_type(input, other)
        return _with_out(_C.binary(kernel, input, other, dtype=dt), out, name)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}, broadcast and promoted as torch."
    return op(name)(fn)


for _name in ["bitwise_and", "bitwise_or", "bitwise_xor",
              "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt", "le", "gt",
              "ge"]:
    globals()[_name] = _nograd_binary(_name)


# ---- remainder, fmod, fmax, fmin, copysign: the same checks, with torch's gradients -------
def _saves_tensor_operands(ctx, a, b, out=None):
    ctx.save_for_backward(a, b if isinstance(b, Tensor) else None, out)


class Remainder(Function, node_name="RemainderBackward1"):
    """remainder(a, b) = a - b * floor(a / b): d/da = 1, d/db = -floor(a / b)."""
    kernel, rounding = "remainder", "floor"

    @classmethod
    def forward(cls, ctx, a, b):
        _saves_tensor_operands(ctx, a, b)
        return _C.binary(cls.kernel, a, b, dtype=result_type(a, b))

    @classmethod
    def backward(cls, ctx, g):
        a, b, _ = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = -g * div(a, b, rounding_mode=cls.rounding) if b is not None and need[1] else None
        return g, gb


class Fmod(Remainder, node_name="FmodBackward1"):
    kernel, rounding = "fmod", "trunc"


class Fmax(Function, node_name="FmaxBackward0"):
    """The gradient goes to the operand chosen: self where self >= other or other is NaN."""
    kernel = "fmax"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return _C.binary(cls.kernel, a, b, dtype=result_type(a, b))

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        to_a = ((a >= b) if cls.kernel == "fmax" else (a <= b)) | isnan(b)
        zero = zeros_like_(g)
        return where(to_a, g, zero), where(to_a, zero, g)


class Fmin(Fmax, node_name="FminBackward0"):
    kernel = "fmin"


class Copysign(Function, node_name="CopysignBackward0"):
    """d/da copysign(a, b) = result / a (0 where a == 0); no gradient flows to b."""
    @staticmethod
    def forward(ctx, a, b):
        out = _C.binary("copysign", a, b, dtype=float_result_type(a, b))
        _saves_tensor_operands(ctx, a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ratio = where(a == 0, 0.0, out / a)
        return g * ratio, zeros_like_(b) if b is not None else None


# with a number as `other`, torch records the Scalar overload's node
_SCALAR_NODE = {}
for _cls, _node in [(Remainder, "RemainderBackward0"), (Fmod, "FmodBackward0"),
                    (Copysign, "CopysignBackward1")]:
    _SCALAR_NODE[_cls] = type(_cls.__name__ + "Scalar", (_cls,), {"__module__": __name__},
                              node_name=_node)


def _graded_binary(name, cls):
    check = _nograd_binary(name, out_float=name == "copysign")        # argument checks, no-grad path and out= as before
    scalar_cls = _SCALAR_NODE.get(cls, cls)

    def fn(input, other, *, out=None):
        if not ((isinstance(input, Tensor) and input.requires_grad) or (
                isinstance(other, Tensor) and other.requires_grad)) \
                or not _C.is_grad_enabled() or not isinstance(input, Tensor):
            return check(input, other, out=out)
        if name in _TENSOR_OTHER:
            _check_other_tensor(other, name)
        node = cls if isinstance(other, Tensor) else scalar_cls
        return _with_out(node.apply(input, other), out, name)
    fn.__name__ = name
    fn.__doc__ = check.__doc__
    return op(name)(fn)


remainder = _graded_binary("remainder", Remainder)
fmod = _graded_binary("fmod", Fmod)
fmax = _graded_binary("fmax", Fmax)
fmin = _graded_binary("fmin", Fmin)
copysign = _graded_binary("copysign", Copysign)
bitwise_left_shift = _nograd_binary("bitwise_left_shift", "lshift")
bitwise_right_shift = _nograd_binary("bitwise_right_shift", "rshift")
for _alias, _name in [("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
                      ("less_equal", "le"), ("not_equal", "ne")]:
    op(_alias)(globals()[_name] if _name in globals() else None)


class Maximum(Function, node_name="MaximumBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _C.binary("maximum", a, b, dtype=result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # ties share the gradient equally; where, not a product, so a NaN gradient does
        # not leak into the other side (as torch)
        tie = where(a == b, g / 2, g)
        return (where(a < b, 0, tie) if ctx.needs_input_grad[0] else None,
                where(b < a, 0, tie) if ctx.needs_input_grad[1] else None)


class Minimum(Maximum, node_name="MinimumBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(b, a)
        return _C.binary("minimum", a, b, dtype=result_type(a, b))


@op()
def maximum(input, other, *, out=None):
    _check_input(input, "maximum")
    _check_other_tensor(other, "maximum")
    return _with_out(Maximum.apply(input, other), out, "maximum")


@op()
def minimum(input, other, *, out=None):
    _check_input(input, "minimum")
    _check_other_tensor(other, "minimum")
    return _with_out(Minimum.apply(input, other), out, "minimum")


class Atan2(Function, node_name="Atan2Backward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _C.binary("atan2", a, b, dtype=float_result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # torch's reciprocal of the squared radius is 0 at the origin (not inf, not NaN)
        d = a * a + b * b
        r = where(d == 0, 0.0, d.reciprocal())
        return g * b * r, g * -a * r


@op()
def atan2(input, other, *, out=None):
    _check_input(input, "atan2")
    _check_other_tensor(other, "atan2")
    return _with_out(Atan2.apply(input, other), out, "atan2")


arctan2 = op("arctan2")(atan2)

# ---- unary functions ----------------------------------------------------------------------
# name -> (node name, gradient from (x, y, g), computes in float?)
UNARY = {
    "neg": ("NegBackward0", lambda x, y, g: -g, False),
    "abs": ("AbsBackward0", lambda x, y, g: g * sign(x), False),
    "exp": ("ExpBackward0", lambda x, y, g: g * y, True),
    "exp2": ("Exp2Backward0", lambda x, y, g: g * y * math.log(2.0), True),
    "expm1": ("Expm1Backward0", lambda x, y, g: g * (y + 1), True),
    "log": ("LogBackward0", lambda x, y, g: g / x, True),
    "log2": ("Log2Backward0", lambda x, y, g: g / (x * math.log(2.0)), True),
    "log10": ("Log10Backward0", lambda x, y, g: g / (x * math.log(10.0)), True),
    "log1p": ("Log1PBackward0", lambda x, y, g: g / (x + 1), True),
    "sqrt": ("SqrtBackward0", lambda x, y, g: g / (2 * y), True),
    "rsqrt": ("RsqrtBackward0", lambda x, y, g: g * -0.5 * (y * y * y), True),
    "sin": ("SinBackward0", lambda x, y, g: g * cos(x), True),
    "cos": ("CosBackward0", lambda x, y, g: -g * sin(x), True),
    "tan": ("TanBackward0", lambda x, y, g: g * (1 + y * y), True),
    "asin": ("AsinBackward0", lambda x, y, g: g * rsqrt(1 - x * x), True),
    "acos": ("AcosBackward0", lambda x, y, g: -g * rsqrt(1 - x * x), True),
    "atan": ("AtanBackward0", lambda x, y, g: g / (1 + x * x), True),
    "sinh": ("SinhBackward0", lambda x, y, g: g * cosh(x), True),
    "cosh": ("CoshBackward0", lambda x, y, g: g * sinh(x), True),
    "tanh": ("TanhBackward0", lambda x, y, g: _in_float32(lambda y, g: g * (1 - y * y), y, g),
             True),
    "asinh": ("AsinhBackward0", lambda x, y, g: g * rsqrt(x * x + 1), True),
    "acosh": ("AcoshBackward0", lambda x, y, g: g * rsqrt(x * x - 1), True),
    "atanh": ("AtanhBackward0", lambda x, y, g: g / (1 - x * x), True),
    "erf": ("ErfBackward0", lambda x, y, g: (2 / math.sqrt(math.pi)) * exp(-x * x) * g, True),
    "erfc": ("ErfcBackward0", lambda x, y, g: (-2 / math.sqrt(math.pi)) * exp(-x * x) * g, True),
    "sigmoid": ("SigmoidBackward0",
                lambda x, y, g: _in_float32(lambda y, g: g * (1 - y) * y, y, g, (_C.bfloat16,)),
                True),
    "reciprocal": ("ReciprocalBackward0", lambda x, y, g: -g * (y * y), True),
    "square": ("PowBackward0", lambda x, y, g: g * 2 * x, False),
    "relu": ("ReluBackward0", lambda x, y, g: where(y <= 0, 0, g), False),
    "sign": ("SignBackward0", lambda x, y, g: zeros_like_(g), False),
    "floor": ("FloorBackward0", lambda x, y, g: zeros_like_(g), False),
    "ceil": ("CeilBackward0", lambda x, y, g: zeros_like_(g), False),
    "round": ("RoundBackward0", lambda x, y, g: zeros_like_(g), False),
    "trunc": ("TruncBackward0", lambda x, y, g: zeros_like_(g), False),
    "frac": ("FracBackward0", lambda x, y, g: g, False),
    # (torch's rounding order in each formula above, so float32 gradients match bit for bit;
    # piecewise-constant ops give zeros, not g * 0, which an inf gradient would turn NaN)
    "lgamma": ("LgammaBackward0", lambda x, y, g: g * _digamma(x), True),
}


# what each backward reads (torch's nodes save only that, so later in-place writes to the
# other are allowed): nothing, the result y, or (by default) the input x
_SAVES_NOTHING = {"neg", "sign", "floor", "ceil", "round", "trunc", "frac"}
_SAVES_RESULT = {"exp", "exp2", "expm1", "sqrt", "rsqrt", "tan", "tanh", "sigmoid",
                 "reciprocal", "relu"}


def _in_float32(formula, y, g, dtypes=(_C.float16, _C.bfloat16)):
    """torch's fused tanh/sigmoid backward kernels compute these 16-bit floats in float32
    and round once (sigmoid's float16 kernel computes in float16)."""
    if g.dtype not in dtypes:
        return formula(y, g)
    return formula(y.to(_C.float32), g.to(_C.float32)).to(g.dtype)


def _digamma(x):
    from tinytensor.ops.special import digamma      # special.py builds on this module
    return digamma(x)


def _make_unary(name, node_name, grad, to_float):
    def forward(ctx, x):
        if name == "relu" and x.dtype is _C.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        if name == "neg" and x.dtype is _C.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` "
                               "or `logical_not()` operator instead.")
        dt = float_result_type(x) if to_float else (
            result_type(x, 2) if name == "square" else x.dtype)
        y = _C.unary(name, x, dtype=dt)      # a cast input keeps its layout, as torch
        saves_x = name not in _SAVES_NOTHING and name not in _SAVES_RESULT
        # saving the output makes no cycle (function.py)
        ctx.save_for_backward(x if saves_x else None, y if name in _SAVES_RESULT else None)
        return y

    def backward(ctx, g):
        if grad is None:
            raise NotImplementedError(f"the derivative of {name} is not implemented")
        x, y = ctx.saved_tensors
        return grad(x, y, g)

    cls = type(name.capitalize(), (Function,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "__module__": __name__}, node_name=node_name)

    def fn(input, *, out=None):
        return _with_out(cls.apply(input), out, name)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}."
    op(name)(fn)
    return fn


for _name, (_node, _grad, _float) in UNARY.items():
    globals()[_name] = _make_unary(_name, _node, _grad, _float)


class RoundDecimals(Function, node_name="RoundBackward1"):
    @staticmethod
    def forward(ctx, x, decimals):
        return _C.rounded(x, decimals)

    @staticmethod
    def backward(ctx, g):
        return zeros_like_(g), None


_round_half_even = round  # noqa: F821


@op("round")
def round(input, *, decimals=None, out=None):
    """Round half to even (to `decimals` places: nearbyint(x * 10^d) / 10^d)."""
    if decimals is None:
        return _round_half_even(input, out=out)
    return _with_out(RoundDecimals.apply(input, decimals), out, "round")
negative = op("negative")(neg)  # noqa: F821
absolute = op("absolute")(abs)  # noqa: F821
arcsin, arccos, arctan = asin, acos, atan  # noqa: F821
fix = trunc  # noqa: F821


def _nograd_unary(name):
    def fn(input, *, out=None):
        return _with_out(_C.unary(name, input), out)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (no gradient)."
    return op(name)(fn)


for _name in ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "signbit",
              "logical_not", "bitwise_not"]:
    globals()[_name] = _nograd_unary(_name)


def ones_like_(t):
    return _C.fill_(_C.empty(tuple(t.shape), t.dtype), 1)


def zeros_like_(t):
    return _C.fill_(_C.empty(tuple(t.shape), t.dtype), 0)


# ---- where, clamp --------------------------------------------------------------------------
class Where(Function, node_name="WhereBackward0"):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return _C.ternary("where", cond, a, b, dtype=result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        zero = zeros_like_(g)       # where, not g * cond: an inf gradient must not give NaN
        return (None, where(cond, g, zero) if ctx.needs_input_grad[1] else None,
                where(cond, zero, g) if ctx.needs_input_grad[2] else None)


@op(method=False)
def where(condition, input=None, other=None, *, out=None):
    """input where condition else other (or condition.nonzero(as_tuple=True))."""
    if input is None and other is None:
        return tuple(_C.select(_C.nonzero(condition), 1, i) for i in range(condition.dim()))
    if condition.dtype is _C.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        condition = _C.cast(condition, _C.bool_)
    elif condition.dtype is not _C.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {_type_name(condition.dtype)}")
    return _with_out(Where.apply(condition, input, other), out, "where")


@method("where")
def _where_method(self, condition, y):
    """self.where(condition, y) is torch.where(condition, self, y)."""
    return where(condition, self, y)


# ---- masked_fill -----------------------------------------------------------------------
class MaskedFill(Function, node_name="MaskedFillBackward0"):
    """self with value (a number) where mask is True; mask broadcasts."""
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        return _C.ternary("where", mask, value, x, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return where(mask, zeros_like_(g) if g.dim() else 0, g), None, None


class MaskedFillTensor(Function, node_name="MaskedFillBackward1"):
    """masked_fill with a 0-d tensor value: the value gets the masked gradients summed."""
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        return _C.ternary("where", mask, value.detach(), x, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        zero = zeros_like_(g)
        return (where(mask, zero, g), None,
                where(mask, g, zero).sum() if ctx.needs_input_grad[2] else None)


def _masked_fill_args(mask, value):
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' must be Tensor, not "
                        f"{type(mask).__name__}")
    if mask.dtype is not _C.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                           f"dtype {_C_type_name(mask.dtype)}")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, "
                               f"but got tensor with {value.dim()} dimension(s).")
    elif not isinstance(value, _NUMBER):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got "
                        f"(Tensor, {type(value).__name__})")


_CPP_NAME = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
             "int64": "int64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
             "float32": "float", "float64": "double"}


def _check_fits(value, dtype):
    """torch converts a Scalar argument with an overflow check (c10::checked_convert):
    integers take no NaN/inf and nothing out of range (unsigned: |value| <= max), floats
    no finite value beyond their largest."""
    if isinstance(value, builtins.bool) or dtype is _C.bool_:
        return
    if dtype.is_floating_point:
        from tinytensor._dtypes import finfo
        big = finfo(dtype).max
        bad = math.isfinite(value) and builtins.abs(value) > big
    else:
        from tinytensor._dtypes import iinfo
        info = iinfo(dtype)
        lo = -info.max if info.min == 0 else info.min
        bad = not math.isfinite(value) or not (lo <= value <= info.max)
    if bad:
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAME[dtype.name]} "
                           f"without overflow")


def _C_type_name(d):
    """The C type torch's masked_fill message names (c10's toString of the ScalarType)."""
    return {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
            "int32": "int", "int64": "long int", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}[d.name]


@op()
def masked_fill(input, mask, value):
    """input with value where mask (a broadcastable bool tensor) is True."""
    _masked_fill_args(mask, value)
    _check_fits(value.item() if isinstance(value, Tensor) else value, input.dtype)
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, mask, value)
    return MaskedFill.apply(input, mask, value)


class Clamp(Function, node_name="ClampBackward1"):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        dt = result_type(x, *(v for v in (lo, hi) if v is not None))
        return _C.clamp(x, lo, hi, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return where(_inside(x, lo, hi), g, 0), None, None


class ClampTensor(Function, node_name="ClampBackward0"):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        y = x
        if lo is not None:
            y = _C.binary("maximum", y, lo, dtype=result_type(y, lo))
        if hi is not None:
            y = _C.binary("minimum", y, hi, dtype=result_type(y, hi))
        return y

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        return (where(_inside(x, lo, hi), g, 0), None if lo is None else where(x < lo, g, 0),
                None if hi is None else where(x > hi, g, 0))


def _inside(x, lo, hi):
    """lo <= x <= hi (a missing bound always holds; NaN is outside, as torch)."""
    mask = x == x
    if lo is not None:
        mask = mask & (x >= lo)
    if hi is not None:
        mask = mask & (x <= hi)
    return mask


@op()
def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max] (numbers or tensors; either may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _with_out(ClampTensor.apply(input, min, max), out)
    return _with_out(Clamp.apply(input, min, max), out)


clip = op("clip")(clamp)


@op()
def clamp_min(input, min):
    return clamp(input, min=min)


@op()
def clamp_max(input, max):
    return clamp(input, max=max)


@op()
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    return _with_out(_C.nan_to_num(input, nan, posinf, neginf), out)


class Lerp(Function, node_name="LerpBackward0"):
    """input + weight * (end - input) with a number weight, by torch's two-sided formula
    (ctensor/ternary.c: weight < 0.5 ? input + w*(end-input) : end - (end-input)*(1-w))."""
    @staticmethod
    def forward(ctx, input, end, weight):
        ctx.weight = weight
        return _C.ternary("lerp", input, end, weight, dtype=result_type(input, end))

    @staticmethod
    def backward(ctx, g):
        return g * (1 - ctx.weight), g * ctx.weight, None


class LerpTensor(Function, node_name="LerpBackward1"):
    @staticmethod
    def forward(ctx, input, end, weight):
        ctx.save_for_backward(input, end, weight)
        return _C.ternary("lerp", input, end, weight, dtype=result_type(input, end, weight))

    @staticmethod
    def backward(ctx, g):
        input, end, weight = ctx.saved_tensors
        return (g * (1 - weight) if ctx.needs_input_grad[0] else None,
                g * weight if ctx.needs_input_grad[1] else None,
                g * (end - input) if ctx.needs_input_grad[2] else None)


@op()
def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input), rounded as torch's kernel."""
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp(): argument 'end' must be Tensor, not {type(end).__name__}")
    if isinstance(weight, Tensor) and weight.dim() == 0 and not weight.requires_grad:
        weight = weight.item()          # torch binds a 0-d weight to its Scalar overload
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != input.dtype:
            raise RuntimeError(f"expected dtype {_C_type_name(input.dtype)} for `{what}` but "
                               f"got dtype {_C_type_name(t.dtype)}")
    cls = LerpTensor if isinstance(weight, Tensor) else Lerp
    return _with_out(cls.apply(input, end, weight), out, "lerp")


class Addcmul(Function, node_name="AddcmulBackward0"):
    """input + value * tensor1 * tensor2 in one rounding pass (ctensor/ternary.c)."""
    @staticmethod
    def forward(ctx, input, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return _C.ternary("addcmul", input, t1, t2, dtype=result_type(input, t1, t2),
                          value=value)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        return (g, g * (t2 * ctx.value) if ctx.needs_input_grad[1] else None,
                g * (t1 * ctx.value) if ctx.needs_input_grad[2] else None, None)


class Addcdiv(Function, node_name="AddcdivBackward0"):
    """input + value * tensor1 / tensor2."""
    @staticmethod
    def forward(ctx, input, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return _C.ternary("addcdiv", input, t1, t2, dtype=result_type(input, t1, t2),
                          value=value)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        return (g, g * ctx.value / t2 if ctx.needs_input_grad[1] else None,
                -g * ctx.value * t1 / (t2 * t2) if ctx.needs_input_grad[2] else None, None)


@op()
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    return _with_out(Addcmul.apply(input, tensor1, tensor2, value), out, "addcmul")


@op()
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (true division; integer tensor1/tensor2 raise)."""
    if not tensor1.is_floating_point() and not tensor2.is_floating_point():
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future  release addcdiv will perform a true division of tensor1 "
                           "and tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all "
                           "dtypes.")
    return _with_out(Addcdiv.apply(input, tensor1, tensor2, value), out, "addcdiv")


class Xlogy(Function, node_name="XlogyBackward0", numbers_are_inputs=True):
    """input * log(other), 0 where input is 0 unless other is NaN (ctensor/binary_ops.def)."""
    @staticmethod
    def forward(ctx, a, b):
        _save_operands(ctx, a, b)
        return _C.binary("xlogy", a, b, dtype=float_result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = _saved_operands(ctx)
        return (g * xlogy(a != 0, b) if ctx.needs_input_grad[0] else None,
                g * a / b if ctx.needs_input_grad[1] else None)


@op()
def xlogy(input, other, *, out=None):
    """input * log(other), with 0 where input is 0 (NaN other stays NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected a Tensor")
    return _with_out(Xlogy.apply(input, other), out, "xlogy")


@op()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| (a finite error), or equal, elementwise."""
    _check_other_tensor(other, "isclose")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{_type_name(input.dtype)} did not match {_type_name(other.dtype)}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}")
    close = input == other
    if equal_nan and input.is_floating_point():
        close = close | (isnan(input) & isnan(other))  # noqa: F821
    if rtol == 0 and atol == 0:
        return close
    if input.dtype is _C.bool_:         # bools compare as numbers of the default dtype
        input, other = input.to(_C.get_default_dtype()), other.to(_C.get_default_dtype())
    error = abs(input - other)  # noqa: F821
    return close | (isfinite(error) & (error <= atol + abs(rtol * other)))  # noqa: F821


@op()
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).all())


@op()
def equal(input, other):
    """True when both have the same shape and elements."""
    return tuple(input.shape) == tuple(other.shape) and builtins.bool((input == other).all())


# ---- in-place forms ------------------------------------------------------------------------
def _inplace(fn, name):
    """self.<name>_(...): compute fn, write it into self, and (under grad) make self's
    new value the result of the recorded op."""
    def method_(self, *args, **kwargs):
        _check_overlap(self, args)
        recording = _C.is_grad_enabled() and (self.requires_grad or builtins.any(
            isinstance(a, Tensor) and a.requires_grad for a in args))
        if not recording:
            result = _fits(self, fn(self, *args, **kwargs))
            # checked: an expanded self (one element seen twice) raises as torch, except
            # for masked_fill_, which torch only warns about
            return _C.copy_(self, result, name != "masked_fill")
        from tinytensor.autograd.inplace import check_inplace
        check_inplace(self)
        _check_multi_view(self)
        from tinytensor.ops.movement import clone
        result = _fits(self, fn(clone(self), *args, **kwargs))
        return _rebase(self, result, name != "masked_fill")
    method_.__name__ = name + "_"
    return method(name + "_")(method_)


def _check_multi_view(t):
    """torch's error for an in-place write to one of unbind's / split's views."""
    mark = t.__dict__.get("_multi_view")
    if mark is not None:
        raise RuntimeError(f"Output {mark[0]} of {mark[1]} is a view and is being modified "
                           "inplace. This view is the output of a function that returns "
                           "multiple views. Such functions do not allow the output views to "
                           "be modified inplace. You should replace the inplace operation by "
                           "an out-of-place one.")


def _fits(self, result):
    """result, if it can be written into self: castable, and not broadcast larger."""
    if not can_cast(result.dtype, self.dtype):
        raise RuntimeError(f"result type {_type_name(result.dtype)} can't be cast "
                           f"to the desired output type {_type_name(self.dtype)}")
    if tuple(result.shape) != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                           f"broadcast shape {list(result.shape)}")
    return result


def _rebase(self, result, check_overlap=True):
    """self takes result's values and becomes the output of result's node; a view passes
    the write on to its base (CopySlices), or the base's gradient would miss it."""
    if self._base is not None and result._grad_fn is not None:
        from tinytensor.autograd.inplace import _CopyInto
        if check_overlap and builtins.any(n > 1 and st == 0 for n, st in
                                          zip(self.shape, self.stride())):
            _C.copy_(self, result.detach(), True)   # raises binary.c's overlap error
        return _CopyInto.apply(self, result)
    _C.copy_(self, result.detach(), check_overlap)
    self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
    return self


for _name in ["add", "sub", "mul", "div", "pow", "remainder", "fmod", "clamp",
              "clamp_min", "clamp_max", "maximum", "minimum", "atan2", "floor_divide",
              "nan_to_num", "lerp", "addcmul", "addcdiv", "xlogy", "bitwise_and", "bitwise_or", "bitwise_xor",
              "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt", "le", "gt", "ge",
              "masked_fill"] + list(UNARY) + ["logical_not", "bitwise_not"]:
    _inplace(globals()[_name], _name)


def _module_inplace(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name + "_")(*args, **kwargs)
    fn.__name__ = name + "_"
    return op(name + "_", method=False)(fn)


for _name in ["exp", "log", "sqrt", "abs", "neg", "sigmoid", "tanh", "relu", "clamp",
              "add", "mul", "sub", "div", "sin", "cos", "floor", "ceil", "round", "trunc"]:
    _module_inplace(_name)


# ---- Python operators ----------------------------------------------------------------------
def _binary_dunder(fn, reflected=False):
    def dunder(self, other):
        if not isinstance(other, _OPERAND):
            return NotImplemented
        return fn(other, self) if reflected and isinstance(other, Tensor) else fn(self, other)
    return dunder


OPERATORS = {
    "__add__": add, "__radd__": add, "__sub__": sub, "__mul__": mul, "__rmul__": mul,
    "__truediv__": div, "__floordiv__": floor_divide, "__mod__": remainder,  # noqa: F821
    "__pow__": pow, "__and__": bitwise_and, "__rand__": bitwise_and,  # noqa: F821
    "__or__": bitwise_or, "__ror__": bitwise_or, "__xor__": bitwise_xor,  # noqa: F821
    "__rxor__": bitwise_xor, "__lshift__": bitwise_left_shift,  # noqa: F821
    "__rshift__": bitwise_right_shift,  # noqa: F821
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt,  # noqa: F821
    "__ge__": ge,  # noqa: F821
}
for _dname, _fn in OPERATORS.items():
    method(_dname)(_binary_dunder(_fn))


@method("__rsub__")
def _rsub(self, other):
    if not isinstance(other, _OPERAND):
        return NotImplemented
    return Rsub.apply(self, other)


@method("__rtruediv__")
def _rtruediv(self, other):
    if not isinstance(other, _OPERAND):
        return NotImplemented
    return mul(reciprocal(self), other) if isinstance(other, _NUMBER) else div(other, self)  # noqa: F821


@method("__rpow__")
def _rpow(self, other):
    if not isinstance(other, _NUMBER):
        return NotImplemented
    return RPowScalar.apply(self, other)


@method("__rfloordiv__")
def _rfloordiv(self, other):
    return _C.binary("div_floor", other, self, dtype=result_type(self, other))


@method("__rmod__")
def _rmod(self, other):
    return _C.binary("remainder", other, self, dtype=result_type(self, other))


@method("__neg__")
def _neg(self):
    return neg(self)  # noqa: F821


@method("__pos__")
def _pos(self):
    return self


@method("__abs__")
def _abs(self):
    return abs(self)  # noqa: F821


@method("__invert__")
def _invert(self):
    if self.dtype is _C.bool_:
        return logical_not(self)  # noqa: F821
    if self.is_floating_point():
        raise TypeError("~ (operator.invert) is only implemented on integer and "
                        "Boolean-type tensors")
    return bitwise_not(self)  # noqa: F821


for _dname, _name in [("__iadd__", "add_"), ("__isub__", "sub_"), ("__imul__", "mul_"),
                      ("__itruediv__", "div_"), ("__ipow__", "pow_"), ("__iand__", "bitwise_and_"),
                      ("__ior__", "bitwise_or_"), ("__ixor__", "bitwise_xor_"),
                      ("__imod__", "remainder_"), ("__ifloordiv__", "floor_divide_")]:
    def _make(n):
        def idunder(self, other):
            return getattr(self, n)(other)
        return idunder
    method(_dname)(_make(_name))
