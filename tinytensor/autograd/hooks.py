"""Hook bookkeeping: handles that remove a registered hook, and running a hook list."""
import itertools

_next_id = itertools.count().__next__


class RemovableHandle:
    """What register_hook returns: `handle.remove()` unregisters the hook."""

    __slots__ = ("_hooks", "id")

    def __init__(self, hooks, fn, prepend=False):
        self.id = _next_id()
        hooks[self.id] = fn
        if prepend:                             # hooks is an OrderedDict then
            hooks.move_to_end(self.id, last=False)
        self._hooks = hooks

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def run_tensor_hooks(hooks, grad):
    """Call each hook(grad) in order; a hook returning a tensor replaces grad."""
    for fn in list(hooks.values()):
        out = fn(grad)
        if out is not None:
            grad = out
    return grad
