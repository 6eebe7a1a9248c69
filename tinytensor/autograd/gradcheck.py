"""gradcheck: compare autograd's Jacobian with central finite differences (in float64).

numerical  J[j, i] = (f(x + eps e_i)[j] - f(x - eps e_i)[j]) / (2 eps)
analytical J[j, :] = autograd.grad(f(x), x, grad_outputs=e_j)
and both must agree within atol + rtol * |numerical| everywhere.  The check is a second
oracle, independent of torch: it catches a wrong backward formula even where torch agrees.
"""
import warnings

import numpy as np

from tinytensor import _C
from tinytensor.autograd.engine import grad as _grad
from tinytensor.autograd.grad_mode import enable_grad, no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical Jacobians differ."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _outputs(func, inputs):
    out = _as_tuple(func(*inputs))
    return [o for o in out if isinstance(o, _C.TensorBase) and o.is_floating_point()]


def _numpy(t):
    return np.array(t.detach().to(_C.float64) if t.dtype != _C.float64 else t.detach(),
                    dtype=np.float64).reshape(-1)


def _numerical(func, inputs, wrt, eps):
    """Per (output, input): the finite-difference Jacobian, shape (out_numel, in_numel)."""
    result = {}
    with no_grad():
        for i in wrt:
            x = inputs[i].detach()
            values = np.asarray(x)          # shares memory: writes perturb the input
            for flat in range(x.numel()):
                idx = np.unravel_index(flat, values.shape) if values.ndim else ()
                orig = values[idx].copy()
                values[idx] = orig + eps
                plus = [_numpy(o) for o in _outputs(func, inputs)]
                values[idx] = orig - eps
                minus = [_numpy(o) for o in _outputs(func, inputs)]
                values[idx] = orig
                for k, (p, m) in enumerate(zip(plus, minus)):
                    col = result.setdefault((k, i), np.zeros((p.size, x.numel())))
                    col[:, flat] = (p - m) / (2 * eps)
    return result


def _analytical(func, inputs, wrt):
    """Per (output, input): autograd's Jacobian, one backward per output element."""
    outputs = _outputs(func, inputs)
    result = {}
    targets = [inputs[i] for i in wrt]
    for k, out in enumerate(outputs):
        for i in wrt:
            result[(k, i)] = np.zeros((out.numel(), inputs[i].numel()))
        if not out.requires_grad:
            continue
        for j in range(out.numel()):
            onehot = _C.fill_(_C.empty(out.shape, out.dtype), 0)
            onehot.reshape(-1)[j] = 1.0
            grads = _grad(out, targets, onehot, retain_graph=True, allow_unused=True)
            for i, g in zip(wrt, grads):
                if g is not None:
                    if tuple(g.shape) != tuple(inputs[i].shape):
                        raise GradcheckError(f"Gradient for input {i} has shape "
                                             f"{g.shape}, expected {inputs[i].shape}")
                    result[(k, i)][j, :] = _numpy(g)
    return result, len(outputs)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when autograd's gradients of func at inputs match finite differences."""
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs)
           if isinstance(t, _C.TensorBase) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    for i in wrt:
        if inputs[i].dtype != _C.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision "
                          "floating point or complex. This check will likely fail if all "
                          "the inputs are not of double precision floating point or "
                          "complex. ", UserWarning, stacklevel=2)
    numerical = _numerical(func, inputs, wrt, eps)
    analytical, n_out = _analytical(func, inputs, wrt)
    if not check_backward_ad:
        return True
    for (k, i), a in sorted(analytical.items()):
        n = numerical.get((k, i), np.zeros_like(a))
        if not np.all(np.abs(a - n) <= atol + rtol * np.abs(n)):
            message = (f"Jacobian mismatch for output {k} with respect to input {i},\n"
                       f"numerical:{_show(n.T)}\nanalytical:{_show(a.T)}\n")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _show(a):
    from tinytensor._creation import tensor
    return repr(tensor(a, dtype=_C.float64))


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False,
                  check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradients themselves: checks second derivatives."""
    from tinytensor._creation import tensor
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs)
           if isinstance(t, _C.TensorBase) and t.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        with no_grad():
            outs = _outputs(func, inputs)
        grad_outputs = tuple(tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype,
                                    requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():     # gradcheck evaluates this under no_grad for differences
            outs = _outputs(func, ins)
            pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
            if not pairs:
                return ()
            grads = _grad([o for o, _ in pairs], [ins[i] for i in wrt],
                          [g for _, g in pairs], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
