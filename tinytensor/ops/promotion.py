"""torch's type promotion with "weak" Python scalars (result_type).

Three running results, as torch's ResultTypeState: tensors with dims, 0-d tensors, and
Python numbers.  A lower group only matters when it is of a higher category
(bool < integer < floating): int64_tensor * 2.5 is float32, float16_tensor * 2.5 stays
float16, uint8_tensor + int64_0d stays uint8."""
import builtins

from tinytensor import _C
from tinytensor.ops._registry import op

_CATEGORY = {"bool": 0, "uint8": 1, "int8": 1, "int16": 1, "int32": 1, "int64": 1,
             "float16": 2, "bfloat16": 2, "float32": 2, "float64": 2}


def _combine(higher, lower):
    """torch's combine_categories: the lower group only wins by being of a higher kind."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _CATEGORY[higher.name] == 2:
        return higher
    if higher is _C.bool_ or _CATEGORY[lower.name] == 2:
        return _C.promote_types(higher, lower)
    return higher


_plain_result_type = _C.plain_result_type


def _promote(a, b):
    return b if a is None else _C.promote_types(a, b)


def result_type(*args):
    """The dtype an elementwise op on these tensors and numbers computes in."""
    if len(args) == 2:      # most ops: settled by one C test when nothing is promoted
        dt = _plain_result_type(args[0], args[1])
        if dt is not None:
            return dt
    elif len(args) == 1 and isinstance(args[0], _C.TensorBase):
        return args[0].dtype    # unary ops (exp, relu): nothing to promote against
    dim = zero = wrapped = None
    for x in args:
        if isinstance(x, _C.TensorBase):
            if x.dim():
                dim = _promote(dim, x.dtype)
            else:
                zero = _promote(zero, x.dtype)
        elif isinstance(x, builtins.bool):
            wrapped = _promote(wrapped, _C.bool_)
        elif isinstance(x, builtins.int):
            wrapped = _promote(wrapped, _C.int64)
        elif isinstance(x, builtins.float):
            wrapped = _promote(wrapped, _C.get_default_dtype())
        elif isinstance(x, _C.dtype):
            dim = _promote(dim, x)
        elif isinstance(x, complex):
            raise TypeError("complex numbers are not supported by tinytensor")
        elif x is not None:
            raise TypeError(f"unsupported operand type {type(x).__name__}")
    return _combine(dim, _combine(zero, wrapped))


@op(method=False)
def can_cast(from_, to):
    """torch.can_cast: no cast to a lower category (float -> int, int -> bool)."""
    if not isinstance(from_, _C.dtype) or not isinstance(to, _C.dtype):
        bad = from_ if not isinstance(from_, _C.dtype) else to
        raise TypeError(f"can_cast(): argument must be torch.dtype, not "
                        f"{type(bad).__name__}")
    return _CATEGORY[from_.name] <= _CATEGORY[to.name]


def float_result_type(*args):
    """result_type, but integers and bool become the default float (true division, exp)."""
    dt = result_type(*args)
    return dt if dt.is_floating_point else _C.get_default_dtype()
