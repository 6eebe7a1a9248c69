"""JAX-style function transforms: grad(f) and value_and_grad(f) return new functions.

    def f(x):
        return (3 * x + 2).sum()
    tinytensor.func.grad(f)(torch.linspace(0, 2, 21))     # tensor([3., 3., ..., 3.])

Unlike `.backward()`, nothing is stored in `.grad`: the gradient is the return value.  The
transforms nest (grad(grad(f)) is the second derivative): inside an outer transform the
inner one keeps its graph so the outer one can differentiate through it.
"""
import functools

from tinytensor import _C
from tinytensor.autograd.engine import grad as _autograd_grad
from tinytensor.autograd.grad_mode import enable_grad

__all__ = ["grad", "value_and_grad"]


def _flatten(tree):
    """Leaves of nested tuples/lists/dicts, and a function that rebuilds the structure."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(x) for x in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(values, parts=parts, kind=type(tree)):
            out, i = [], 0
            for p_leaves, p_build in parts:
                out.append(p_build(values[i:i + len(p_leaves)]))
                i += len(p_leaves)
            return kind(out) if kind in (tuple, list) else kind(*out)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, build = _flatten([tree[k] for k in keys])
        return leaves, lambda values: dict(zip(keys, build(values)))
    return [tree], lambda values: values[0]


def _prepare(x, nested):
    """A leaf to differentiate at: a fresh leaf, or a differentiable alias when nested."""
    if not isinstance(x, _C.TensorBase):
        raise TypeError(f"grad: expected the differentiated arguments to be Tensors, got "
                        f"{type(x).__name__}")
    if not x.is_floating_point():
        raise RuntimeError("grad: only floating point Tensors can be differentiated, got "
                           f"{x.dtype}")
    if nested:
        return x.view_as(x)
    d = x.detach()
    d._base = None
    return d.requires_grad_(True)


def value_and_grad(func, argnums=0, has_aux=False):
    """A function returning (func(*args), grad w.r.t. args[argnums]), as JAX's.

    With has_aux=True, func returns (value, aux) and the result is ((value, aux), grad).
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        if not nums:
            raise RuntimeError("grad: argnums must be non-empty")
        for n in nums:
            if not -len(args) <= n < len(args):
                raise RuntimeError(f"Got argnums={n}, but only {len(args)} positional "
                                   "inputs")
        nums = tuple(n % len(args) for n in nums)
        args = list(args)
        trees = {}
        nested = False
        for n in nums:
            leaves, rebuild = _flatten(args[n])
            nested = nested or any(isinstance(x, _C.TensorBase) and x.requires_grad
                                   for x in leaves)
            trees[n] = (leaves, rebuild)
        diff = {}
        for n in nums:
            leaves, rebuild = trees[n]
            diff[n] = [_prepare(x, nested) for x in leaves]
            args[n] = rebuild(diff[n])
        with enable_grad():
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f "
                                       "should be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, _C.TensorBase):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe "
                                   "you wanted to use the vjp or jacrev APIs instead?")
            flat = [x for n in nums for x in diff[n]]
            if out.requires_grad:
                grads = _autograd_grad(out, flat, create_graph=nested, allow_unused=True,
                                       materialize_grads=True)
            else:
                grads = tuple(_C.fill_(_C.empty(x.shape, x.dtype), 0) for x in flat)
        results, i = [], 0
        for n in nums:
            leaves, rebuild = trees[n]
            results.append(rebuild(list(grads[i:i + len(leaves)])))
            i += len(leaves)
        g = results[0] if isinstance(argnums, int) else tuple(results)
        if not nested:
            out = out.detach()
        return ((out, aux), g) if has_aux else (out, g)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of scalar func w.r.t. args[argnums] (JAX's grad)."""
    vg = value_and_grad(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g     # (grad, aux), as JAX and torch.func
    return wrapper
