"""Autograd methods of Tensor: backward, register_hook, retain_grad, retains_grad."""
import weakref

from tinytensor.autograd import engine
from tinytensor.autograd.hooks import RemovableHandle
from tinytensor.ops._registry import method


@method()
def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradient of self into the .grad of the leaves it depends on."""
    engine.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


@method()
def register_hook(self, hook):
    """Call hook(grad) when the gradient of self is computed; a returned tensor replaces it."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                           "gradient")
    fn = self._grad_fn
    if fn is None:                      # a leaf: the hooks live on the tensor
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, hook)
    from tinytensor.autograd.function import current_grad_fn
    return current_grad_fn(self)._add_tensor_hook(self._output_nr, hook)


@method()
def register_post_accumulate_grad_hook(self, hook):
    """Call hook(tensor) after a gradient was accumulated into this leaf's .grad."""
    if self._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                           "tensors")
    hooks = self.__dict__.setdefault("_post_accumulate_hooks", {})
    return RemovableHandle(hooks, hook)


@method()
def retain_grad(self):
    """Keep the .grad of this non-leaf tensor during backward (no-op on leaves)."""
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self._grad_fn is None or self._retains_grad:
        return
    from tinytensor.autograd.function import current_grad_fn
    node = current_grad_fn(self)
    if node._retained is None:
        node._retained = {}
    node._retained[self._output_nr] = weakref.ref(self)
    node._has_hooks = True
    self._retains_grad = True


def _retains_grad(self):
    return self._grad_fn is not None and self._retains_grad


method("retains_grad")(property(_retains_grad, doc="True after retain_grad() on a non-leaf."))
