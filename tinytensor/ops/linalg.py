"""matmul and its family (mm, bmm, mv, dot, outer) with torch's rules for 1-D and
batched operands, each with its backward.  The kernel (ctensor/matmul.c) multiplies
(..., m, k) @ (..., k, n) with equal batch dims; this module reshapes, broadcasts and
names the graph nodes as torch does."""
from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.ops.promotion import result_type


def _kernel(a, b):
    """(..., m, k) @ (..., k, n) for equal batch shapes and one dtype."""
    if hasattr(_C, "matmul"):
        return _C.matmul(a, b)
    # portable fallback: broadcast multiply and sum over k
    return (a.unsqueeze(-1) * b.unsqueeze(-3)).sum(-2)


def _check_dtypes(a, b, what):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name}")


class Mm(Function, node_name="MmBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _kernel(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (g @ b.mT if ctx.needs_input_grad[0] else None,
                a.mT @ g if ctx.needs_input_grad[1] else None)


class Bmm(Mm, node_name="BmmBackward0"):
    pass


class Mv(Function, node_name="MvBackward0"):
    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return _kernel(a, v.unsqueeze(1)).squeeze(1)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return (g.unsqueeze(1) * v.unsqueeze(0) if ctx.needs_input_grad[0] else None,
                a.t() @ g if ctx.needs_input_grad[1] else None)


class Dot(Function, node_name="DotBackward0"):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _kernel(a.unsqueeze(0), b.unsqueeze(1)).reshape(())

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


def _shape_error(a, b):
    sa = "x".join(str(s) for s in a.shape)
    sb = "x".join(str(s) for s in b.shape)
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


@op()
def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"{'self' if input.dim() != 2 else 'mat2'} must be a matrix")
    if input.shape[1] != mat2.shape[0]:
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
                           f"{input.dtype.name.capitalize()} and "
                           f"{tensor.dtype.name.capitalize()}")
    return _out(Dot.apply(input, tensor), out)


inner_1d = dot


@op()
def outer(input, vec2):
    """The outer product input[i] * vec2[j]."""
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = op("ger")(outer)


@op()
def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D operands are vectors, batch dims broadcast."""
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
        return _out(mm(a.unsqueeze(0), b).squeeze(0), out)
    if a.dim() == 2 and b.dim() == 2:
        return mm(a, b, out=out)
    # batched: broadcast the batch dims, then one bmm over the flattened batch
    va = a.unsqueeze(0) if a.dim() == 1 else a
    vb = b.unsqueeze(-1) if b.dim() == 1 else b
    if va.shape[-1] != vb.shape[-2]:
        _shape_error(va, vb)
    _check_dtypes(va, vb, "matmul")
    batch = _broadcast(va.shape[:-2], vb.shape[:-2])
    m, k, n = va.shape[-2], va.shape[-1], vb.shape[-1]
    nb = 1
    for s in batch:
        nb *= s
    a3 = va.expand(*batch, m, k).reshape(nb, m, k)
    b3 = vb.expand(*batch, k, n).reshape(nb, k, n)
    r = Bmm.apply(a3, b3).reshape(*batch, m, n)
    if a.dim() == 1:
        r = r.squeeze(-2)
    if b.dim() == 1:
        r = r.squeeze(-1)
    return _out(r, out)


def _broadcast(s1, s2):
    n = max(len(s1), len(s2))
    s1 = (1,) * (n - len(s1)) + tuple(s1)
    s2 = (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for x, y in zip(s1, s2):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor "
                               f"b ({y}) at non-singleton dimension")
        out.append(max(x, y))
    return tuple(out)


def _out(result, out):
    if out is None:
        return result
    _C.copy_(out, result)
    return out


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
