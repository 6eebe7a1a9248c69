"""The libraries under test, each behind one small adapter the cases program against.

A case receives a `Backend` and writes torch-style code with `b.lib` (tinytensor and torch
share the API); where numpy spells an operation differently the case branches on
`b.is_numpy`.  Every backend builds its inputs from the same numpy arrays via `b.tensor`.
"""
import importlib

import numpy as np

# The subject comes first: the table and the ratios read left to right from it.
SUBJECT = "tinytensor"
REFERENCES = ("torch", "numpy")
ALL_NAMES = (SUBJECT,) + REFERENCES


class NotApplicable(Exception):
    """Raised by a case's setup when a backend has no counterpart of the operation."""


class Backend:
    """One library: its module, version, and how it turns a numpy array into its tensor."""

    def __init__(self, name, lib=None, unavailable=None, lenient=False):
        self.name = name
        self.lib = lib                  # the imported module, or None
        self.unavailable = unavailable  # why it could not be imported, or None
        # lenient: a missing op (AttributeError / NotImplementedError) reads as "n/a",
        # not as a bug in the benchmark; true for the library being written.
        self.lenient = lenient

    @property
    def is_numpy(self):
        return self.name == "numpy"

    @property
    def version(self):
        return getattr(self.lib, "__version__", None) if self.lib else None

    def tensor(self, array, requires_grad=False):
        """Return this backend's own copy of a numpy array (in-place cases must not share)."""
        array = np.array(array, copy=True)
        if self.is_numpy:
            if requires_grad:
                raise NotApplicable("numpy has no autograd")
            return array
        if self.name == "torch":
            t = self.lib.from_numpy(array)
        elif hasattr(self.lib, "from_numpy"):
            t = self.lib.from_numpy(array)
        else:
            t = self.lib.tensor(array)
        return t.requires_grad_(True) if requires_grad else t

    def dtype(self, name):
        """Return the dtype object called `name` ("float32", "bfloat16", ...)."""
        if self.is_numpy and not hasattr(np, name):
            raise NotApplicable(f"numpy has no {name}")
        return getattr(self.lib, name)

    def manual_seed(self, seed):
        """Seed the library's generator where it has one (parameter init in nn cases)."""
        if not self.is_numpy and hasattr(self.lib, "manual_seed"):
            self.lib.manual_seed(seed)

    def need_autograd(self):
        """Raise NotApplicable for numpy, which cannot run a backward pass."""
        if self.is_numpy:
            raise NotApplicable("numpy has no autograd")


def _import(name):
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # a half-built tinytensor may fail in any way
        return None, f"import {name} failed: {type(exc).__name__}: {exc}"


def load_backends(names=ALL_NAMES):
    """Import each named library; a missing one stays in the list, marked unavailable."""
    backends = []
    for name in names:
        lib, why = _import(name)
        backends.append(Backend(name, lib, why, lenient=(name == SUBJECT)))
    return backends


def apply_threads(backends, n, env_was_early):
    """Set `n` threads in every library that allows it and return what took effect."""
    applied = {"requested": n}
    for b in backends:
        if b.lib is None:
            continue
        if b.name == "numpy":
            applied["numpy"] = _limit_numpy_threads(n, env_was_early)
        elif hasattr(b.lib, "set_num_threads"):
            b.lib.set_num_threads(n)
            getter = getattr(b.lib, "get_num_threads", None)
            applied[b.name] = getter() if getter else n
        else:
            applied[b.name] = "no set_num_threads"
    return applied


_threadpool_limits = None  # kept alive: the limit ends when the object is collected


def _limit_numpy_threads(n, env_was_early):
    global _threadpool_limits
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        if env_was_early:
            return f"{n} (OMP/OPENBLAS/MKL env set before import)"
        return "unchanged (numpy imported before the env was set; no threadpoolctl)"
    _threadpool_limits = threadpool_limits(limits=n)
    return f"{n} (threadpoolctl)"
