"""Full backward hooks of a Module: an identity Function around its tensor inputs and outputs.

Forward wraps the module's tensor arguments in one `BackwardHookFunction` node and its tensor
outputs in another. In backward the output node runs first: it records grad_output (after the
backward pre-hooks may replace it); the input node runs later and hands the user hooks
(grad_input, grad_output), where a hook may return a replacement grad_input. Non-tensor
positions read as None, as in torch.
"""
import warnings

from tinytensor import _C
from tinytensor.autograd.function import Function
from tinytensor.autograd.grad_mode import is_grad_enabled


class BackwardHookFunction(Function):
    """Identity on tensors; exists only so that its node can carry the module's hooks."""

    @staticmethod
    def forward(ctx, *tensors):
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return grads


def _pack(indices, values, size):
    """A tuple of length size with values at indices and None elsewhere."""
    out = [None] * size
    for i, v in zip(indices, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """Wires one forward call of module to its full backward (pre-)hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    def _wrap(self, values, on_node):
        """values with their tensors passed through a hook node (or as is if no grad)."""
        index = [i for i, v in enumerate(values) if isinstance(v, _C.TensorBase)]
        if not (is_grad_enabled() and any(values[i].requires_grad for i in index)):
            return values, None
        wrapped = BackwardHookFunction.apply(*[values[i] for i in index])
        on_node(next(t.grad_fn for t in wrapped if t.grad_fn is not None))
        out = list(values)
        for i, t in zip(index, wrapped):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args):
        """Wrap the forward arguments; their node calls the user hooks with grad_input."""
        self.n_inputs = len(args)
        args, self.input_index = self._wrap(args, lambda node: node.register_hook(
            self._on_grad_input))
        return args

    def setup_output_hook(self, result):
        """Wrap the module's output(s); their node records grad_output."""
        is_tuple = isinstance(result, tuple)
        values = result if is_tuple else (result,)
        self.n_outputs = len(values)
        values, self.output_index = self._wrap(values, lambda node: node.register_hook(
            self._on_grad_output))
        return values if is_tuple else values[0]

    def _on_grad_output(self, grad_inputs, grad_outputs):
        self.grad_outputs = _pack(self.output_index, grad_outputs, self.n_outputs)
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(new)}, but expected "
                                   f"{len(self.grad_outputs)}")
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_index is None:        # no input needs grad: the hooks fire here
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients.")
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple)
                                            and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _on_grad_input(self, grad_inputs, grad_outputs):
        if self.grad_outputs is None:       # the gradient did not pass the module's output
            return None
        res = _pack(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)
