"""Anomaly detection: remember where each node was recorded, check gradients for NaN.

    with torch.autograd.detect_anomaly():
        loss.backward()     # a NaN gradient raises, naming the node and its forward line

While enabled, recording keeps the forward stack of every node (slow: for debugging only).
"""
import traceback
import warnings

_enabled = False
_check_nan = True

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled():
    """True inside detect_anomaly / after set_detect_anomaly(True)."""
    return _enabled


def is_anomaly_check_nan_enabled():
    return _enabled and _check_nan


def _set(mode, check_nan):
    global _enabled, _check_nan
    prev = (_enabled, _check_nan)
    _enabled, _check_nan = bool(mode), bool(check_nan)
    return prev


class detect_anomaly:
    """Context manager / decorator that enables anomaly detection."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", UserWarning,
                      stacklevel=2)

    def __enter__(self):
        self._prev = _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self._prev)
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (a call, or a context manager)."""

    def __init__(self, mode, check_nan=True):
        self._prev = _set(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(*self._prev)
        return False


def forward_trace():
    """The stack at recording time, without the autograd frames."""
    return "".join(traceback.format_stack()[:-3])


def report(node):
    """Warn with the forward stack of the node whose backward failed."""
    trace = node.__dict__.get("_forward_trace")
    if trace:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                      f"caused the error:\n{trace}", UserWarning)


def check_nan(node, grads):
    """Raise when a backward returned NaN (anomaly mode with check_nan)."""
    import numpy as np
    for i, g in enumerate(grads):
        if g is None or not g.is_floating_point():
            continue
        if np.isnan(np.array(g.detach().float().tolist())).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{i}th output.")
