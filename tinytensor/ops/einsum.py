"""einsum and the products built like it: tensordot, inner, kron, cross, and the fused
forms addmm, addmv, addr, baddbmm.

einsum contracts its operands left to right, as torch does without opt_einsum.  Each
pairwise step is one batched matmul: both operands are permuted so the labels they
share and keep (batch) come first, then the labels only one of them has, then the
labels summed away (contracted), and reshaped to (batch, rows, k) and (batch, k, cols)
-- views wherever the strides allow.  A label repeated inside one operand takes a
diagonal (a view); a label in only one operand and not wanted later is summed at once.

    einsum("bij,bjk->bik", a, b)   # a batched matmul
    einsum("ii->i", a)             # the diagonal, a view
    einsum("...ij->...ji", a)      # a transpose, a view
"""
import builtins
import functools

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops import _registry
from tinytensor.ops._registry import op

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# ---- parsing ---------------------------------------------------------------------------
def _parse(args):
    """(input terms, output term or None, operands) from either calling convention."""
    if isinstance(args[0], str):
        equation = args[0].replace(" ", "")
        rest = args[1:]
        one_list = len(rest) == 1 and isinstance(rest[0], (list, tuple))
        operands = list(rest[0]) if one_list else list(rest)
        lhs, arrow, rhs = equation.partition("->")
        terms = lhs.split(",")
        return terms, (rhs if arrow else None), operands
    # sublist format: einsum(op0, [0, 1], op1, [1, 2], [0, 2])
    operands, terms = [], []
    items = list(args)
    while len(items) >= 2:
        operands.append(items.pop(0))
        terms.append(_sublist(items.pop(0)))
    out = _sublist(items[0]) if items else None
    return terms, out, operands


def _sublist(labels):
    out = ""
    for x in labels:
        if x is Ellipsis:
            out += "..."
        elif isinstance(x, builtins.int) and 0 <= x < 52:
            out += _LETTERS[x]
        else:
            raise ValueError(f"einsum(): expected subscript to be within the range [0, 52) "
                             f"but got {x}")
    return out


def _labels(term, ndim, n_ell, index):
    """A term's labels as a list, '...' expanded to ('.', k) labels, right-aligned."""
    if term.count("...") > 1 or ("." in term.replace("...", "")):
        raise RuntimeError(f"einsum(): found '.' for operand {index} that is not part of any "
                           "ellipsis")
    before, ell, after = term.partition("...")
    for c in before + after:
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index "
                               f"{term.index(c)} in the equation string, subscripts must "
                               "be in [a-zA-Z]")
    letters = len(before) + len(after)
    if (ell and letters > ndim) or (not ell and letters != ndim):
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) "
                           f"{'is more than' if ell else 'does not match'} the number of "
                           f"dimensions ({ndim}) for operand {index}"
                           f"{' and no ellipsis was given' if not ell else ''}")
    k = ndim - letters if ell else 0
    return list(before) + [(".", n_ell - k + i) for i in range(k)] + list(after)


# ---- the steps -------------------------------------------------------------------------
def _take_diagonals(t, labels):
    """Merge dims that share a label into their diagonal (a view)."""
    while True:
        seen = {}
        for i, lab in enumerate(labels):
            if lab in seen:
                j = seen[lab]
                if t.shape[i] != t.shape[j]:
                    raise RuntimeError(f"einsum(): subscript {lab} is repeated for operand "
                                       f"but the sizes don't match, {t.shape[j]} != "
                                       f"{t.shape[i]}")
                t = t.diagonal(0, j, i).movedim(-1, j)
                labels = labels[:i] + labels[i + 1:]
                break
            seen[lab] = i
        else:
            return t, labels


def _sum_labels(t, labels, drop):
    dims = [i for i, lab in enumerate(labels) if lab in drop]
    if not dims:
        return t, labels
    return t.sum(dims), [lab for lab in labels if lab not in drop]


def _contract(a, la, b, lb, keep):
    """The product of a and b summed over shared labels not in keep, as one matmul."""
    size = {}
    for t, ls in ((a, la), (b, lb)):
        for lab, s in zip(ls, tuple(t.shape)):
            if size.get(lab, 1) != 1 and s != 1 and size[lab] != s:
                raise RuntimeError("einsum(): operands do not broadcast with remapped shapes "
                                   f"(original->remapped): {list(a.shape)} and "
                                   f"{list(b.shape)}")
            size[lab] = s if size.get(lab, 1) == 1 else size[lab]      # 1 broadcasts
    batch = [lab for lab in la if lab in lb and lab in keep]
    summed = [lab for lab in la if lab in lb and lab not in keep]
    only_a = [lab for lab in la if lab not in lb]
    only_b = [lab for lab in lb if lab not in la]

    def arrange(t, ls, order, shape):
        perm = [ls.index(lab) for lab in order]
        if perm != list(range(len(perm))):
            t = t.permute(perm)
        full = [size[lab] for lab in order]
        if list(t.shape) != full:
            t = t.expand(*full)
        return _reshaped(t, shape)

    def prod(labs):
        n = 1
        for lab in labs:
            n *= size[lab]
        return n

    nb, m, k, n = prod(batch), prod(only_a), prod(summed), prod(only_b)
    lead = (nb,) if batch else ()        # no batch labels: a plain 2-D matmul
    lhs = arrange(a, la, batch + only_a + summed, lead + (m, k))
    rhs = arrange(b, lb, batch + summed + only_b, lead + (k, n))
    labels = batch + only_a + only_b
    return _reshaped(lhs @ rhs, tuple(size[lab] for lab in labels)), labels


def _reshaped(t, shape):
    """t.reshape(shape), skipped when t has that shape already (each call costs)."""
    return t if tuple(t.shape) == tuple(shape) else t.reshape(shape)


@functools.lru_cache(maxsize=512)
def _plan(terms, output, ndims):
    """(labels of each operand, output labels) for an equation and the operands' ndims;
    cached, since parsing costs more than a small contraction."""
    n_ell = builtins.max([nd - len(term.replace("...", "")) if "..." in term else 0
                          for term, nd in zip(terms, ndims)] + [0])
    labels = [_labels(term, nd, n_ell, i) for i, (term, nd) in enumerate(zip(terms, ndims))]
    ell = [(".", i) for i in range(n_ell)]
    if output is None:      # implicit: the ellipsis, then labels seen once, in order
        counts = {}
        for ls in labels:
            for lab in ls:
                counts[lab] = counts.get(lab, 0) + 1
        out_labels = ell + sorted((lab for lab, c in counts.items()
                                   if c == 1 and lab[0] != "."), key=_LETTERS.index)
    else:
        nd_out = len(output.replace("...", "")) + (n_ell if "..." in output else 0)
        out_labels = _labels(output, nd_out, n_ell, "output")
        for lab in out_labels:
            if lab[0] != "." and not builtins.any(lab in ls for ls in labels):
                raise RuntimeError(f"einsum(): output subscript {lab} does not appear in the "
                                   "equation for any input operand")
        if len(set(out_labels)) != len(out_labels):
            raise RuntimeError("einsum(): output subscript appears more than once in the "
                               "output")
    return tuple(tuple(ls) for ls in labels), tuple(out_labels)


@op(method=False)
def einsum(*args):
    """Sum of products over the labels an equation names, e.g. 'ij,jk->ik'."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand")
    terms, output, operands = _parse(args)
    if len(terms) != len(operands):
        more = len(operands) > len(terms)
        raise RuntimeError(f"einsum(): {'more' if more else 'fewer'} operands were provided "
                           "than specified in the equation")
    shapes = [tuple(t.shape) for t in operands]
    labels, out_labels = _plan(tuple(terms), output, tuple(len(sh) for sh in shapes))
    labels, out_labels = [list(ls) for ls in labels], list(out_labels)
    seen = {}
    for i, (shape, ls) in enumerate(zip(shapes, labels)):
        for d, lab in enumerate(ls):
            s, before = shape[d], seen.get(lab, 1)
            if before != 1 and s != 1 and s != before:
                raise RuntimeError(f"einsum(): subscript {lab} has size {s} for operand {i} "
                                   "which does not broadcast with previously seen size "
                                   f"{before}")
            seen[lab] = s if before == 1 else before
    # every operand: diagonals first, then sum labels no one else needs
    items = []
    for i, (t, ls) in enumerate(zip(operands, labels)):
        t, ls = _take_diagonals(t, ls)
        later = set(out_labels).union(*[set(o) for j, o in enumerate(labels) if j != i])
        t, ls = _sum_labels(t, ls, {lab for lab in ls if lab not in later})
        items.append((t, ls))
    t, ls = items[0]
    for j in range(1, len(items)):
        b, lb = items[j]
        keep = set(out_labels).union(*[set(o) for _, o in items[j + 1:]])
        t, ls = _contract(t, ls, b, lb, keep)
    t, ls = _sum_labels(t, ls, {lab for lab in ls if lab not in out_labels})
    # ellipsis dims the operands did not have come out as size 1
    for lab in out_labels:
        if lab not in ls:
            t, ls = t.unsqueeze(-1), ls + [lab]
    perm = [ls.index(lab) for lab in out_labels]
    return t.permute(perm) if perm != list(range(len(perm))) else t


# ---- tensordot / inner / kron ----------------------------------------------------------
@op(method=False)
def tensordot(a, b, dims=2, out=None):
    """Sum over the last `dims` dims of a and the first of b (or the listed pairs)."""
    if isinstance(dims, builtins.int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.dim() - dims, a.dim())), list(range(dims))
    elif isinstance(dims, _C.TensorBase):
        return tensordot(a, b, dims.tolist(), out)
    else:
        da, db = dims
        da = [da] if isinstance(da, builtins.int) else list(da)
        db = [db] if isinstance(db, builtins.int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [_C._wrap_dim(d, a.dim()) for d in da]
    db = [_C._wrap_dim(d, b.dim()) for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    m = 1
    for d in free_a:
        m *= a.shape[d]
    n = 1
    for d in free_b:
        n *= b.shape[d]
    lhs = a.permute(free_a + da).reshape(m, k)
    rhs = b.permute(db + free_b).reshape(k, n)
    result = (lhs @ rhs).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])
    return result if out is None else _C.copy_(out, result)


@op()
def inner(input, other, *, out=None):
    """Sum of products over the last dim of both (a plain product for a 0-d operand)."""
    if input.dim() == 0 or other.dim() == 0:
        result = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                               f"but got shapes {list(input.shape)} and {list(other.shape)}")
        result = tensordot(input, other, ([-1], [-1]))
    return result if out is None else _C.copy_(out, result)


@op()
def kron(input, other, *, out=None):
    """The Kronecker product: every element of input times a copy of other."""
    nd = builtins.max(input.dim(), other.dim())
    a = input.reshape((1,) * (nd - input.dim()) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.dim()) + tuple(other.shape))
    a_view = [x for s in a.shape for x in (s, 1)]
    b_view = [x for s in b.shape for x in (1, s)]
    prod = a.reshape(a_view) * b.reshape(b_view)
    result = prod.reshape([x * y for x, y in zip(a.shape, b.shape)])
    return result if out is None else _C.copy_(out, result)


# ---- cross -----------------------------------------------------------------------------
class Cross(Function, node_name="LinalgCrossBackward0"):
    """c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1} (indices mod 3), along dim."""

    @staticmethod
    def forward(ctx, a, b, dim):
        from tinytensor.ops.indexing import index_select
        i1 = _C.tensor_from_data([1, 2, 0])
        i2 = _C.tensor_from_data([2, 0, 1])
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return index_select(a, dim, i1) * index_select(b, dim, i2) - \
            index_select(a, dim, i2) * index_select(b, dim, i1)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return Cross.apply(b, grad, ctx.dim), Cross.apply(grad, a, ctx.dim), None


def _cross(input, other, dim):
    from tinytensor.ops.shape import broadcast_tensors
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    a, b = broadcast_tensors(input, other)
    d = _C._wrap_dim(dim, a.dim())
    if a.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    if a.dtype == _C.bool_:
        raise NotImplementedError("\"linalg_cross\" not implemented for 'Bool'")
    return Cross.apply(a, b, d)


@op()
def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along dim (the first dim of size 3 if None)."""
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use "
                      "torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning,
                      stacklevel=2)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), -1)
    result = _cross(input, other, dim)
    return result if out is None else _C.copy_(out, result)


# ---- beta * input + alpha * (product): addmm, addmv, addr, baddbmm --------------------------
def _scaled_sum(input, product, beta, alpha):
    """beta * input + alpha * product; beta == 0 ignores input (its NaNs too), as torch."""
    from tinytensor.ops.shape import broadcast_shapes
    if tuple(broadcast_shapes(input.shape, product.shape)) != tuple(product.shape):
        raise RuntimeError(f"The expanded size of the tensor ({product.shape[-1]}) must match "
                           f"the existing size ({input.shape[-1]}) at non-singleton dimension "
                           f"{input.dim() - 1}.  Target sizes: {list(product.shape)}.  Tensor "
                           f"sizes: {list(input.shape)}")
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return (input if beta == 1 else input * beta) + product


class _AddProduct(Function):
    """out = beta * input + alpha * (a x b) for the product `x` of the subclass."""

    @staticmethod
    def forward(ctx, input, a, b, beta, alpha, product):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        return _scaled_sum(input, product(a, b), beta, alpha)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        g_a, g_b = ctx.product_grads(grad, a, b)
        if ctx.alpha != 1:
            g_a, g_b = g_a * ctx.alpha, g_b * ctx.alpha
        g_input = None if ctx.beta == 0 else (grad if ctx.beta == 1 else grad * ctx.beta)
        return g_input, g_a, g_b, None, None, None


def _mm_grads(grad, a, b):
    return grad @ b.transpose(-2, -1), a.transpose(-2, -1) @ grad


def _mv_grads(grad, a, b):
    return grad.unsqueeze(-1) * b, a.transpose(-2, -1) @ grad


def _outer_grads(grad, a, b):
    return grad @ b, grad.transpose(-2, -1) @ a


class Addmm(_AddProduct, node_name="AddmmBackward0"):
    pass


class Addmv(_AddProduct, node_name="AddmvBackward0"):
    pass


class Addr(_AddProduct, node_name="AddrBackward0"):
    pass


class Baddbmm(_AddProduct, node_name="BaddbmmBackward0"):
    pass


Addmm._node_cls.product_grads = staticmethod(_mm_grads)
Baddbmm._node_cls.product_grads = staticmethod(_mm_grads)
Addmv._node_cls.product_grads = staticmethod(_mv_grads)
Addr._node_cls.product_grads = staticmethod(_outer_grads)


def _check_dims(**tensors):
    for arg, (t, nd) in tensors.items():
        if t.dim() != nd:
            what = {1: "vector", 2: "matrix", 3: "3D tensor"}[nd]
            raise RuntimeError(f"{arg} must be a {what}, got {t.dim()}-D tensor")


def _matmul(a, b):
    return a @ b


def _outer(a, b):
    return a.unsqueeze(-1) * b.unsqueeze(-2)


def _apply(cls, input, a, b, beta, alpha, product, out):
    result = cls.apply(input, a, b, beta, alpha, product)
    return result if out is None else _C.copy_(out, result)


@op()
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    _check_dims(mat1=(mat1, 2), mat2=(mat2, 2))
    return _apply(Addmm, input, mat1, mat2, beta, alpha, _matmul, out)


@op()
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    _check_dims(mat=(mat, 2), vec=(vec, 1))
    return _apply(Addmv, input, mat, vec, beta, alpha, _matmul, out)


@op()
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    _check_dims(vec1=(vec1, 1), vec2=(vec2, 1))
    return _apply(Addr, input, vec1, vec2, beta, alpha, _outer, out)


@op()
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    _check_dims(batch1=(batch1, 3), batch2=(batch2, 3))
    return _apply(Baddbmm, input, batch1, batch2, beta, alpha, _matmul, out)


def _inplace(fn):
    def method(self, *args, **kwargs):
        from tinytensor.autograd.inplace import check_inplace
        check_inplace(self)
        return self.copy_(fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"{fn.__name__} in place; returns self."
    return method


for _fn in (addmm, addmv, addr, baddbmm):
    _registry.method(_fn.__name__ + "_")(_inplace(_fn))
