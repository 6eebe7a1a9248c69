"""matmul and its family (mm, bmm, mv, dot, outer) with torch's rules for 1-D and
batched operands, each with its backward.  The kernel (ctensor/matmul.c) multiplies
(..., m, k) @ (..., k, n) with equal batch dims; this module reshapes, broadcasts and
names the graph nodes as torch does."""
from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.elementwise import _with_out, _type_name
from tinytensor.ops.movement import SqueezeDim
from tinytensor.ops.shape import infer_size


def _kernel(a, b, kernel="addmm_impl_cpu_"):
    """(..., m, k) @ (..., k, n) for equal batch shapes and one dtype."""
    if a.dtype is _C.bool_:
        # torch returns early for an empty product (zeros when k == 0) before it looks
        # for a bool kernel, which it has none of
        m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
        if kernel != "dot" and (m * n * a.shape[:-2].numel() == 0 or k == 0):
            return _C.fill_(_C.empty(tuple(a.shape[:-1]) + (n,), a.dtype), 0)
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if hasattr(_C, "matmul"):
        return _C.matmul(a, b)
    # portable fallback: broadcast multiply and sum over k
    return (a.unsqueeze(-1) * b.unsqueeze(-3)).sum(-2)


# the C++ type names torch's matmul errors print
_CPP_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
             "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
             "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool"}


def _check_dtypes(a, b, what):
    if a.dtype == b.dtype:
        return
    if what == "mv":        # torch's addmv lists (result, mat, vec); the result takes vec's
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_type_name(b.dtype)}, {_type_name(a.dtype)}, and "
                           f"{_type_name(b.dtype)}")
    if what == "bmm":
        if a.dtype is _C.bool_:
            raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
        raise RuntimeError(f"expected scalar type {_type_name(a.dtype)} but found "
                           f"{_type_name(b.dtype)}")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                       f"{_CPP_NAME[a.dtype.name]} != {_CPP_NAME[b.dtype.name]}")


def _save_crossed(ctx, a, b):
    """Save each operand only if the other needs its gradient (as torch's product nodes:
    an in-place change to an operand nobody differentiates through is allowed)."""
    need = ctx.needs_input_grad
    ctx.save_for_backward(a if len(need) > 1 and need[1] else None,
                          b if need and need[0] else None)


class Mm(Function, node_name="MmBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        _save_crossed(ctx, a, b)
        return _kernel(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (g @ b.mT if ctx.needs_input_grad[0] else None,
                a.mT @ g if ctx.needs_input_grad[1] else None)


class Bmm(Mm, node_name="BmmBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        _save_crossed(ctx, a, b)
        return _kernel(a, b, "bmm")


class Mv(Function, node_name="MvBackward0"):
    @staticmethod
    def forward(ctx, a, v):
        _save_crossed(ctx, a, v)
        return _kernel(a, v.unsqueeze(1), "addmv_impl_cpu").squeeze(1)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return (g.unsqueeze(1) * v.unsqueeze(0) if ctx.needs_input_grad[0] else None,
                a.t() @ g if ctx.needs_input_grad[1] else None)


class Dot(Function, node_name="DotBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        _save_crossed(ctx, a, b)
        return _kernel(a.unsqueeze(0), b.unsqueeze(1), "dot").reshape(())

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (g * b if ctx.needs_input_grad[0] else None,
                g * a if ctx.needs_input_grad[1] else None)


def _shape_error(a, b):
    sa = "x".join(str(s) for s in a.shape)
    sb = "x".join(str(s) for s in b.shape)
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


@op()
def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"{'self' if input.dim() != 2 else 'mat2'} must be a matrix")
    if input.size(1) != mat2.size(0):     # size(i): no Size object on this hot path
        _shape_error(input, mat2)
    _check_dtypes(input, mat2, "mm")
    return _out(Mm.apply(input, mat2), out)


@op()
def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors."""
    if input.dim() != 3 or mat2.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.dim() != 3
                           else "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    if input.dtype != mat2.dtype and (input.numel() == 0 or mat2.numel() == 0):
        # torch's bmm returns early for empty operands, in mat2's dtype, unchecked; a
        # gradient can't flow into an integer result
        if input.requires_grad and _C.is_grad_enabled() and not mat2.is_floating_point():
            raise RuntimeError(f"Autograd not support dtype: {_type_name(mat2.dtype)}")
        input = input.to(mat2.dtype)
    _check_dtypes(input, mat2, "bmm")
    return _out(Bmm.apply(input, mat2), out)


@op()
def mv(input, vec, *, out=None):
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, "
                           f"{vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    _check_dtypes(input, vec, "mv")
    return _out(Mv.apply(input, vec), out)


@op()
def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors of the same length."""
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and "
                           f"{tensor.dim()}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] "
                           f"and src [{tensor.shape[0]}] to have the same number of "
                           f"elements, but got {input.shape[0]} and {tensor.shape[0]} "
                           f"elements respectively")
    if input.dtype != tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_type_name(input.dtype)} and {_type_name(tensor.dtype)}")
    return _out(Dot.apply(input, tensor), out)


inner_1d = dot


@op()
def outer(input, vec2, *, out=None):
    """The outer product input[i] * vec2[j]."""
    return _out(input.unsqueeze(1) * vec2.unsqueeze(0), out, "outer")


ger = op("ger")(outer)


class UnsafeView(Function, node_name="UnsafeViewBackward0"):
    """torch's _unsafe_view: a reshape of a fresh product, whose result is not a view."""
    @staticmethod
    def forward(ctx, input, shape):
        ctx.input_shape = input.shape
        out = _C.view(input, shape)
        out._base = None            # the product is private: in-place ops need no tracking
        return out

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.input_shape), None


class SqueezeInplace(SqueezeDim, node_name="SqueezeBackward4"):
    """1-D @ 2-D: torch squeezes the (1, n) product in place."""


@op()
def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D operands are vectors, batch dims broadcast.
    Graph nodes as torch's: dot, mv, mm, or (>= 3-D) a folded mm / a bmm under an
    UnsafeViewBackward0."""
    a, b = input, other
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.dim()}D and {b.dim()}D")
    if a.dim() == 1 and b.dim() == 1:
        return dot(a, b, out=out)
    if a.dim() == 2 and b.dim() == 1:
        return mv(a, b, out=out)
    if a.dim() == 1 and b.dim() == 2:
        if a.shape[0] != b.shape[0]:
            _shape_error(a.unsqueeze(0), b)
        return _out(SqueezeInplace.apply(mm(a.unsqueeze(0), b), 0), out)
    if a.dim() == 2 and b.dim() == 2:
        return mm(a, b, out=out)
    if _should_fold(a, b):
        return _out(_folded(a, b), out)
    return _out(_batched(a, b), out)


def _should_fold(a, b):
    """torch folds the batch of the >= 3-D operand into mm rows when the other is 1-D or
    2-D and the fold needs no copy (or the small operand wants its gradient)."""
    big, small = (a, b) if a.dim() >= b.dim() else (b.mT, a)
    if not (big.dim() >= 3 and small.dim() <= 2):
        return False
    if small.requires_grad:
        return True
    if a.dim() == 2:
        return False
    if big.numel() == 0:
        return True
    shape, strides = big.shape, big.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.dim() - 2))


def _folded(a, b):
    transpose = b.dim() > a.dim()
    t1 = b.mT if transpose else a
    t2 = (a.t() if a.dim() == 2 else a) if transpose else b
    if t1.shape[-1] != t2.shape[0]:
        _shape_error(a, b)
    _check_dtypes(t1, t2, "matmul")
    shape = tuple(t1.shape[:-1]) + ((t2.shape[1],) if t2.dim() == 2 else ())
    rows = 1
    for s in t1.shape[:-1]:
        rows *= s
    folded = t1.reshape(rows, t1.shape[-1])
    if t2.dim() == 1:
        return UnsafeView.apply(mv(folded, t2), shape)
    r = UnsafeView.apply(mm(folded, t2), shape)
    return r.mT.contiguous() if transpose else r


def _batched(a, b):
    """Broadcast the batch dims, then one bmm over the flattened batch."""
    n = a.shape[-2] if a.dim() > 1 else 1
    k = a.shape[-1]
    k2 = b.shape[-2] if b.dim() > 1 else b.shape[0]
    p = b.shape[-1] if b.dim() > 1 else 1
    if k != k2:
        _shape_error(a if a.dim() > 1 else a.unsqueeze(0), b if b.dim() > 1 else b.unsqueeze(1))
    batch = infer_size(a.shape[:max(a.dim() - 2, 0)], b.shape[:max(b.dim() - 2, 0)])
    nb = 1
    for s in batch:
        nb *= s
    a3 = a.expand(*batch, n, k).reshape(nb, n, k)
    if b.dim() == 1:
        b3 = b.expand(*batch, k).reshape(nb, k).unsqueeze(2)
    else:
        b3 = b.expand(*batch, k, p).reshape(nb, k, p)
    shape = tuple(batch) + ((n,) if a.dim() > 1 else ()) + ((p,) if b.dim() > 1 else ())
    r = bmm(a3, b3)
    return UnsafeView.apply(r.squeeze(-1) if b.dim() == 1 else r, shape)


def _out(result, out, name="matmul"):
    return _with_out(result, out, name)


@method("__matmul__")
def _matmul(self, other):
    if not isinstance(other, _C.TensorBase):
        return NotImplemented
    return matmul(self, other)


@method("__rmatmul__")
def _rmatmul(self, other):
    if not isinstance(other, _C.TensorBase):
        return NotImplemented
    return matmul(other, self)
