"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each is a context manager and a decorator.  The flag they flip lives in C
(`_C.is_grad_enabled()`), so Function.apply reads it without a Python lookup.
Note [grad mode is process-wide]: unlike torch, whose flag is thread-local, this flag is
one global: a `with no_grad():` in one thread turns recording off in all threads.  Run
training and inference in one thread, or switch modes only around whole steps.
"""
import functools
import inspect

from tinytensor import _C

_inference = False      # inference_mode only adds this flag to no_grad


class _Mode:
    """Base of the grad-mode context managers; subclasses say which flag to set."""

    enabled = True

    def __enter__(self):
        self._prev = _C._set_grad_enabled(self.enabled)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        """Use as a decorator: run fn (or each step of a generator) in this mode."""
        if inspect.isclass(fn):
            raise TypeError("grad mode decorators apply to functions, not classes")
        mode = self._fresh

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                try:
                    with mode():
                        request = gen.send(None)
                    while True:
                        try:
                            response = yield request
                        except GeneratorExit:
                            with mode():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with mode():
                                request = gen.throw(exc)
                        else:
                            with mode():
                                request = gen.send(response)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode():
                return fn(*args, **kwargs)
        return wrapper

    def _fresh(self):
        return type(self)()

    def clone(self):
        return self._fresh()


class no_grad(_Mode):
    """Context manager / decorator: operations inside record no graph.

        with torch.no_grad():
            w -= lr * w.grad
    """

    enabled = False

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)       # bare @no_grad


class enable_grad(_Mode):
    """Context manager / decorator: turn recording back on (e.g. inside no_grad)."""

    enabled = True

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class set_grad_enabled(_Mode):
    """Turn recording on or off: as a function call, a context manager, or a decorator."""

    def __init__(self, mode):
        self.enabled = bool(mode)
        self._prev = _C._set_grad_enabled(self.enabled)   # takes effect right away, as torch

    def __enter__(self):
        return self

    def _fresh(self):
        enabled = self.enabled
        return _Deferred(enabled)

    def __call__(self, fn):
        _C._set_grad_enabled(self._prev)      # used as a decorator: undo the eager switch
        return super().__call__(fn)


class _Deferred(_Mode):
    def __init__(self, enabled):
        self.enabled = enabled


class inference_mode(_Mode):
    """Like no_grad (tinytensor does not make special inference tensors)."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls(True)(mode)      # bare @inference_mode
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        global _inference
        self._prev_inference = _inference
        _inference = self.mode
        # inference_mode(False) leaves grad mode as it is
        self.enabled = False if self.mode else _C.is_grad_enabled()
        return super().__enter__()

    def __exit__(self, *exc):
        global _inference
        _inference = self._prev_inference
        return super().__exit__(*exc)

    def _fresh(self):
        return inference_mode(self.mode)


def is_inference_mode_enabled():
    """True inside `with inference_mode():`."""
    return _inference


def is_grad_enabled():
    """True when operations record autograd graphs (not inside no_grad)."""
    return _C.is_grad_enabled()
