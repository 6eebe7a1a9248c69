"""Make the invisible visible: what a tensor is made of, the bits of its numbers, and
how the strided iterator will walk an operation.  Used by the guided tour (docs/tour/).

    >>> import tinytensor as tt
    >>> print(tt.explain(tt.zeros(2, 3).t()))        # storage, offset, strides, sharing
    >>> tt.bits(tt.tensor(1/3, dtype=tt.float16))     # '0 01101 0101010101'
    >>> tt.loop_plan(tt.zeros(4, 5), tt.ones(4, 1))  # the 1-D runs a kernel will see
"""
import struct

from tinytensor import _C

# (exponent bits, mantissa bits) of each floating dtype
_FLOAT_LAYOUT = {"float16": (5, 10), "bfloat16": (8, 7), "float32": (8, 23),
                 "float64": (11, 52)}


def explain(t):
    """A few lines describing t's storage, view and sharing, as a string."""
    lines = [
        f"dtype    {t.dtype} ({t.element_size()} bytes per element)",
        f"shape    {tuple(t.shape)}   numel {t.numel()}",
        f"strides  {t.stride()} elements = "
        f"{tuple(s * t.element_size() for s in t.stride())} bytes",
        f"offset   {t.storage_offset()} elements into the storage",
        f"storage  {t._storage_nbytes()} bytes, shared by {t._storage_refcount()} "
        f"tensor object(s)",
        f"contiguous {t.is_contiguous()}",
    ]
    if t.dtype.name in _FLOAT_LAYOUT:
        e, m = _FLOAT_LAYOUT[t.dtype.name]
        lines.append(f"layout   1 sign bit, {e} exponent bits, {m} mantissa bits")
    return "\n".join(lines)


def _bit_string(raw, nbits, dtype_name):
    s = format(raw, f"0{nbits}b")
    if dtype_name in _FLOAT_LAYOUT:
        e, _ = _FLOAT_LAYOUT[dtype_name]
        return f"{s[0]} {s[1:1 + e]} {s[1 + e:]}"
    return s


def bits(t):
    """The raw bit pattern of each element ('sign exponent mantissa' for floats)."""
    v = t.detach().contiguous()
    nbits = v.element_size() * 8
    code = {1: "B", 2: "H", 4: "I", 8: "Q"}[v.element_size()]
    import ctypes
    raw = ctypes.string_at(v.data_ptr(), v.numel() * v.element_size())
    values = struct.unpack(f"<{v.numel()}{code}", raw)
    out = [_bit_string(x, nbits, t.dtype.name) for x in values]
    if t.dim() == 0:
        return out[0]
    return out


class LoopPlan(dict):
    """loop_plan's answer: a dict (shape, strides, itemsize, numel, inner_loop, ...)
    whose str() is a small table, one line per operand (out first)."""

    def __str__(self):
        names = ["out"] + [f"in{k}" for k in range(1, len(self["strides"]))]
        lines = [f"loop dims {self['shape']} (innermost first), {self['numel']} elements"]
        lines += [f"  {n:3s} byte strides {s}" for n, s in zip(names, self["strides"])]
        lines.append(f"inner loop: {self['inner_loop']}")
        return "\n".join(lines)


def _inner_loop(inner, itemsize):
    """Which branch of a generated elementwise loop (binary.c) the innermost steps take."""
    if all(s == size for s, size in zip(inner, itemsize)):
        return "contiguous"
    fixed = [k for k in range(1, len(inner)) if inner[k] == 0]
    if len(inner) == 3 and len(fixed) == 1 and inner[0] == itemsize[0] and \
            inner[3 - fixed[0]] == itemsize[3 - fixed[0]]:
        return f"contiguous, in{fixed[0]} held fixed (a scalar)"
    return "strided"


def loop_plan(out, *inputs, coalesce=True):
    """How the iterator walks out <- f(*inputs): the loop dims (innermost first), byte
    strides per operand, and which inner-loop branch runs (contiguous ones vectorise)."""
    plan = LoopPlan(_C.iter_plan(out, inputs, coalesce))
    inner = [s[0] for s in plan["strides"]]
    plan["inner_loop"] = _inner_loop(inner, plan["itemsize"])
    plan["broadcast_operands"] = [k for k, s in enumerate(plan["strides"]) if 0 in s]
    return plan
