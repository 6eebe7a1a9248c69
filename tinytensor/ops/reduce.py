"""Reductions: sum, mean, prod, max/min, var/std, norm, all/any, cumsum ... with their
backward (a reduction's gradient is the incoming gradient spread back over the reduced
dims).  Kernels: ctensor/reduce.c and scan.c, through tinytensor/_math.pxi."""
import builtins

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method

Tensor = _C.TensorBase
from tinytensor.ops.sorting import return_type

# the named tuples max/min(dim=) return, printed as torch's torch.return_types.max(...)
_RESULT = {name: return_type(name, ("values", "indices")) for name in ("max", "min")}


def _out(result, out, name, rule="castable"):
    """out= for a reduction, with the dtype check torch's kernel makes: 'castable' (the
    result must cast to out), 'accumulate' (computed in out's dtype), 'same' (dtypes
    equal), 'bool' or 'long' (out must be that dtype)."""
    if out is None:
        return result
    from tinytensor.ops.elementwise import _with_out, _type_name
    if rule == "accumulate":
        if name in ("cumsum", "cumprod") and out.dtype is _C.bool_:
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        result = result.to(out.dtype)
    elif rule == "same" and out.dtype != result.dtype:
        raise RuntimeError(f"Expected the dtype for input and out to match, but got "
                           f"{_type_name(result.dtype)} for input's dtype and "
                           f"{_type_name(out.dtype)} for out's dtype.")
    elif rule == "bool" and out.dtype != result.dtype:
        raise RuntimeError(f"{name} only supports bool tensor for result, got: "
                           f"{_type_name(out.dtype)}")
    elif rule == "long" and out.dtype != _C.int64:
        from tinytensor.ops.linalg import _CPP_NAME
        raise RuntimeError(f"Expected out tensor to have dtype long int, but got "
                           f"{_CPP_NAME[out.dtype.name]} instead")
    return _with_out(result, out, name)


def _dims(input, dim):
    """dim as a tuple of non-negative ints, or None for all dims."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(_C._wrap_dim(d, input.dim()) for d in dims)


def _unreduce(grad, input_shape, dims, keepdim):
    """Put back the reduced dims of grad (as size 1) so it broadcasts to input_shape."""
    if dims is None or len(input_shape) == 0:      # a 0-d input: its one dim is virtual
        return grad.reshape([1] * len(input_shape)) if len(input_shape) else grad.reshape(())
    if not keepdim:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    return grad


class Sum(Function, node_name="SumBackward1"):
    @staticmethod
    def forward(ctx, input, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = input.shape, dims, keepdim
        return _C.reduce("sum", input, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, g):
        return _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape), None, None, None


class SumAll(Sum, node_name="SumBackward0"):
    pass


@op()
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over dim (an int or tuple; all dims by default)."""
    dims = _dims(input, dim)
    return _out((SumAll if dims is None else Sum).apply(input, dims, keepdim, dtype), out,
                "sum", "accumulate")


class Mean(Function, node_name="MeanBackward1"):
    @staticmethod
    def forward(ctx, input, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = input.shape, dims, keepdim
        ctx.n = _reduced_numel(input, dims)
        return _C.reduce("mean", input, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, g):
        g = _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape)
        return g / ctx.n, None, None, None


class MeanAll(Mean, node_name="MeanBackward0"):
    pass


def _reduced_numel(input, dims):
    """How many elements each output of a reduction over dims sums (0-d: 1)."""
    if dims is None or input.dim() == 0:
        return input.numel()
    return _prod([input.shape[d] for d in dims])


def _prod(xs):
    n = 1
    for x in xs:
        n *= x
    return n


@op()
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over dim (all dims by default)."""
    if not (input.is_floating_point() or (dtype is not None and dtype.is_floating_point)):
        from tinytensor.ops.elementwise import _type_name
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{_type_name(input.dtype)}")
    dims = _dims(input, dim)
    return _out((MeanAll if dims is None else Mean).apply(input, dims, keepdim, dtype), out,
                "mean")


class Prod(Function, node_name="ProdBackward1"):
    @staticmethod
    def forward(ctx, input, dims, keepdim, dtype):
        out = _C.reduce("prod", input, dims, keepdim, dtype)
        ctx.save_for_backward(input, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, g):
        input, out = ctx.saved_tensors
        if input.dim() == 0:
            return g, None, None, None
        x = input.to(out.dtype)
        g = _unreduce(g, input.shape, ctx.dims, ctx.keepdim)
        out = _unreduce(out, input.shape, ctx.dims, ctx.keepdim)
        if not builtins.bool((x == 0).any()):
            return g * (out / x), None, None, None
        if ctx.dims is None:                    # over everything: one flat dim
            if not _C.is_grad_enabled() and builtins.int((x == 0).sum()) > 1:
                return _C.fill_(_C.empty(tuple(x.shape), x.dtype), 0), None, None, None
            others = _product_of_the_others(x.reshape(-1), 0).reshape(x.shape)
        else:
            others = _product_of_the_others(x, ctx.dims[0])
        return g * others, None, None, None


def _product_of_the_others(x, d):
    """prod of x along d leaving out each element in turn, without dividing (so zeros
    are fine): the exclusive cumulative products from the front and from the back."""
    from tinytensor.ops.movement import cat
    n = x.shape[d]
    ones = _C.fill_(_C.empty(tuple(x.shape[:d]) + (1,) + tuple(x.shape[d + 1:]), x.dtype), 1)
    front = cat([ones, x.narrow(d, 0, n - 1)], d).cumprod(d)
    back = cat([ones, x.narrow(d, 1, n - 1).flip(d)], d).cumprod(d).flip(d)
    return front * back


class ProdAll(Prod, node_name="ProdBackward0"):
    pass


@op()
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product over dim (all elements by default)."""
    dims = _dims(input, dim)
    return _out((ProdAll if dims is None else Prod).apply(input, dims, keepdim, dtype), out,
                "prod", "accumulate")


class _Extreme(Function, node_name="MaxBackward1"):
    """max/min over everything: the gradient is shared evenly between tied extremes."""
    @staticmethod
    def forward(ctx, input, is_min):
        out = _C.reduce("amin" if is_min else "amax", input, None, False, None,
                        name="min" if is_min else "max", nan_all_ones=True)
        ctx.save_for_backward(input, out)
        return out

    @staticmethod
    def backward(ctx, g):
        input, out = ctx.saved_tensors
        mask = input == out
        return g * mask / mask.sum(), None


class _MinAll(_Extreme, node_name="MinBackward1"):
    pass


class _ExtremeDim(Function, node_name="MaxBackward0"):
    """max/min along dim: (values, indices); the gradient goes to the chosen index."""
    @staticmethod
    def forward(ctx, input, dim, keepdim, is_min):
        values, indices = _C.reduce_with_index(input, dim, keepdim, is_min)
        ctx.shape, ctx.dim, ctx.keepdim = input.shape, dim, keepdim
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, g, g_indices=None):
        (indices,) = ctx.saved_tensors
        if not ctx.keepdim:
            g, indices = g.unsqueeze(ctx.dim), indices.unsqueeze(ctx.dim)
        out = _C.fill_(_C.empty(tuple(ctx.shape), g.dtype), 0)
        return out.scatter(ctx.dim, indices, g), None, None, None


class _MinDim(_ExtremeDim, node_name="MinBackward0"):
    pass


def _max_or_min(input, dim, keepdim, other, is_min):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        from tinytensor.ops.elementwise import maximum, minimum
        return (minimum if is_min else maximum)(input, other)
    if dim is None:
        return (_MinAll if is_min else _Extreme).apply(input, is_min)
    d = _C._wrap_dim(dim, input.dim())
    v, i = (_MinDim if is_min else _ExtremeDim).apply(input, d, keepdim, is_min)
    return _RESULT["min" if is_min else "max"](v, i)


@op()
def max(input, dim=None, keepdim=False, *, other=None):
    """The largest element; along dim, the named tuple (values, indices)."""
    return _max_or_min(input, dim, keepdim, other, False)


@op()
def min(input, dim=None, keepdim=False, *, other=None):
    """The smallest element; along dim, the named tuple (values, indices)."""
    return _max_or_min(input, dim, keepdim, other, True)


class _AmaxAmin(Function, node_name="AmaxBackward0"):
    @staticmethod
    def forward(ctx, input, dims, keepdim, is_min):
        out = _C.reduce("amin" if is_min else "amax", input, dims, keepdim)
        ctx.save_for_backward(input, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, g):
        input, out = ctx.saved_tensors
        out = _unreduce(out, input.shape, ctx.dims, ctx.keepdim)
        g = _unreduce(g, input.shape, ctx.dims, ctx.keepdim)
        mask = input == out
        count = mask.sum(ctx.dims, keepdim=True) if ctx.dims is not None else mask.sum()
        return g * mask / count, None, None, None


class _Amin(_AmaxAmin, node_name="AminBackward0"):
    pass


@op()
def amax(input, dim=(), keepdim=False, *, out=None):
    """The largest value over dim (all dims by default); ties share the gradient."""
    return _out(_AmaxAmin.apply(input, _dims(input, dim), keepdim, False), out, "amax", "same")


@op()
def amin(input, dim=(), keepdim=False, *, out=None):
    """The smallest value over dim (all dims by default); ties share the gradient."""
    return _out(_Amin.apply(input, _dims(input, dim), keepdim, True), out, "amin", "same")


def _no_bool(name, input):
    if input.dtype is _C.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")


@op()
def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the largest element (of the flattened input when dim is None)."""
    _no_bool("argmax", input)
    if dim is None:
        return _out(_C.reduce("argmax", input.reshape(-1), (0,), False), out, "argmax", "long")
    return _out(_C.reduce("argmax", input, _dims(input, dim), keepdim), out, "argmax", "long")


@op()
def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the smallest element (of the flattened input when dim is None)."""
    _no_bool("argmin", input)
    if dim is None:
        return _out(_C.reduce("argmin", input.reshape(-1), (0,), False), out, "argmin", "long")
    return _out(_C.reduce("argmin", input, _dims(input, dim), keepdim), out, "argmin", "long")


@op()
def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element over dim is nonzero."""
    return _out(_C.reduce("all", input, _dims(input, dim), keepdim), out, "all", "bool")


@op()
def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over dim is nonzero."""
    return _out(_C.reduce("any", input, _dims(input, dim), keepdim), out, "any", "bool")


def _floating_only(input):
    if not input.is_floating_point():
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _correction(unbiased, correction):
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


class Var(Function, node_name="VarBackward0"):
    @staticmethod
    def forward(ctx, input, dims, keepdim, correction):
        ctx.save_for_backward(input)
        ctx.dims, ctx.keepdim, ctx.correction = dims, keepdim, correction
        return _C.reduce("var", input, dims, keepdim, correction=correction)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        n = _reduced_numel(x, ctx.dims)
        centered = x - x.mean(ctx.dims, keepdim=True) if ctx.dims is not None else x - x.mean()
        g = _unreduce(g, x.shape, ctx.dims, ctx.keepdim)
        return g * 2 * centered / builtins.max(n - ctx.correction, 0), None, None, None


@op()
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over dim with Bessel's correction by default."""
    _floating_only(input)
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return _out(Var.apply(input, _dims(input, dim), keepdim, _correction(unbiased, correction)),
                out, "var")


class Std(Function, node_name="StdBackward0"):
    """sqrt(var); where the deviation is 0 the gradient is 0, as torch's (not 0 * inf)."""
    @staticmethod
    def forward(ctx, input, dims, keepdim, correction):
        out = _C.reduce("std", input, dims, keepdim, correction=correction)
        ctx.save_for_backward(input, out)
        ctx.dims, ctx.keepdim, ctx.correction = dims, keepdim, correction
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        from tinytensor.ops.elementwise import where
        g_var = where(out == 0, 0.0, g / (2 * out))
        n = _reduced_numel(x, ctx.dims)
        centered = x - x.mean(ctx.dims, keepdim=True) if ctx.dims is not None else x - x.mean()
        g_var = _unreduce(g_var, x.shape, ctx.dims, ctx.keepdim)
        return g_var * 2 * centered / builtins.max(n - ctx.correction, 0), None, None, None


@op()
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation with Bessel's correction by default."""
    _floating_only(input)
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return _out(Std.apply(input, _dims(input, dim), keepdim, _correction(unbiased, correction)),
                out, "std")


class LogSumExp(Function, node_name="LogsumexpBackward0"):
    """log(sum(exp(x))) as torch: shift by the max (an infinite max shifts by 0, so
    all -inf gives -inf and a +inf entry gives +inf), integers in the default float."""
    @staticmethod
    def forward(ctx, input, dims, keepdim):
        x = input if input.is_floating_point() else _C.cast(input, _C.get_default_dtype())
        if x.numel() == 0:
            out = _C.unary("log", _C.reduce("sum", _C.unary("exp", x), dims, keepdim))
        else:
            m = _C.reduce("amax", x, dims, True)
            m = _C.ternary("where", _C.unary("isinf", m), 0, m, dtype=m.dtype)
            s = _C.reduce("sum", _C.unary("exp", _C.binary("sub", x, m)), dims, keepdim)
            out = _C.binary("add", _C.unary("log", s), _C.view(m, tuple(s.shape)))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = _unreduce(g, x.shape, ctx.dims, ctx.keepdim)
        out = _unreduce(out, x.shape, ctx.dims, ctx.keepdim)
        return g * (x - out).exp(), None, None


@op()
def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over dim, computed stably."""
    if out is not None:         # computed in out's floating dtype
        if not out.is_floating_point():
            from tinytensor.ops.elementwise import _type_name
            raise RuntimeError(f"logsumexp(): Expected floating point type for result "
                               f"tensor, but got: {_type_name(out.dtype)}")
        input = input.to(out.dtype)
    return _out(LogSumExp.apply(input, _dims(input, dim), keepdim), out, "logsumexp")


class CumSum(Function, node_name="CumsumBackward0"):
    @staticmethod
    def forward(ctx, input, dim, dtype):
        ctx.dim = dim
        return _C.scan(input, dim, False, dtype)

    @staticmethod
    def backward(ctx, g):
        if g.dim() == 0:
            return g, None, None
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None, None


@op()
def cumsum(input, dim, *, dtype=None, out=None):
    """Cumulative sum along dim."""
    return _out(CumSum.apply(input, _C._wrap_dim(dim, input.dim()), dtype), out, "cumsum",
                "accumulate")


class CumProd(Function, node_name="CumprodBackward0"):
    """out[j] = prod(x[:j+1]).  d out[j] / d x[k] is the product of the others: divided
    out of out[j] before the first zero; at the first zero, the products with that zero
    left out, up to the second zero; 0 after it (every later product holds that zero).
    Each sum is masked to its range before summing, so an inf gradient met only by a zero
    product stays out (as torch).  Under create_graph the quadratic formula, which
    differentiates again at zeros too."""
    @staticmethod
    def forward(ctx, input, dim, dtype):
        out = _C.scan(input, dim, True, dtype)
        ctx.save_for_backward(input, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.dim
        x = x.to(out.dtype)
        if x.numel() <= 1 or x.dim() == 0 or x.shape[d] == 1:
            return g, None, None
        zero = x == 0
        if not builtins.bool(zero.any()):
            return _reversed_cumsum(g * out, d) / x, None, None
        if _C.is_grad_enabled():
            return _cumprod_grad_quadratic(g, x, d), None, None
        from tinytensor.ops.elementwise import where
        zeros_so_far = zero.cumsum(d)
        before = zeros_so_far == 0
        first_zero = zero & (zeros_so_far == 1)
        grad = where(before, _reversed_cumsum(where(before, g * out, 0.0), d)
                     / where(before, x, 1.0), 0.0)
        out_without = where(first_zero, 1.0, x).cumprod(d)
        up_to_second = where(zeros_so_far == 1, g * out_without, 0.0)
        grad = where(first_zero, _reversed_cumsum(up_to_second, d), grad)
        return grad, None, None


def _reversed_cumsum(t, d):
    return t.flip(d).cumsum(d).flip(d)


def _cumprod_grad_quadratic(g, x, d):
    """grad[k] = sum_{j >= k} g[j] * prod_{i <= j, i != k} x[i], one slice of d at a time
    (torch's formula for gradients that are differentiated again)."""
    from tinytensor.ops.movement import cat, stack
    n = x.shape[d]
    ones = _C.fill_(_C.empty(tuple(x.shape[:d]) + (1,) + tuple(x.shape[d + 1:]), x.dtype), 1)
    before_k = ones
    parts = []
    for k in range(n):
        after = [ones] + ([x.narrow(d, k + 1, n - k - 1).cumprod(d)] if k + 1 < n else [])
        omitted = cat(after, d) * before_k
        parts.append((g.narrow(d, k, n - k) * omitted).sum(d))
        before_k = before_k * x.narrow(d, k, 1)
    return stack(parts, d)


@op()
def cumprod(input, dim, *, dtype=None, out=None):
    """Cumulative product along dim."""
    return _out(CumProd.apply(input, _C._wrap_dim(dim, input.dim()), dtype), out, "cumprod",
                "accumulate")


@method()
def sum_to_size(self, *size):
    """Sum self down to size (the shape it was broadcast from)."""
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    lead = self.dim() - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and self.shape[i + lead] != 1)
    out = self.sum(dims, keepdim=True) if dims else self
    return out.reshape(shape) if tuple(out.shape) != shape else out
