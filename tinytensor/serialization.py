"""save and load: pickle tensors, state_dicts and nested containers to a file.

A tensor pickles as its values (a contiguous copy, so a view saves only the elements it
shows), its dtype and its requires_grad flag; a Parameter stays a Parameter.  As in torch
(2.6 and later), load() defaults to weights_only=True: it rebuilds tensors, numbers,
strings and containers, and refuses arbitrary classes unless weights_only=False.

    torch.save(model.state_dict(), "model.pt")
    model.load_state_dict(torch.load("model.pt"))
"""
import io
import os
import pickle

__all__ = ["save", "load"]

# What weights_only=True may rebuild: (module, name) pairs.
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"), ("collections", "defaultdict"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "slice"),
    ("builtins", "complex"), ("builtins", "dict"), ("builtins", "list"),
    ("builtins", "tuple"), ("builtins", "bytearray"), ("_codecs", "encode"),
    ("tinytensor._tensor", "_rebuild_tensor"),
    ("tinytensor.nn.parameter", "_rebuild_parameter"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
}


class _WeightsOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS or (module == "numpy.dtypes" and
                                               name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not "
            "an allowed global by default. In tinytensor, load(f, weights_only=False) "
            "rebuilds any object; do it only for files from a source you trust.")


def _open(f, mode):
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode), True
    return f, False


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write obj (tensors, state_dicts, containers, modules) to a path or binary file."""
    handle, owned = _open(f, "wb")
    try:
        pickle_module.dump(obj, handle, protocol=max(pickle_protocol, 2))
    finally:
        if owned:
            handle.close()


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read back what save() wrote (weights_only=True: tensors and plain containers only)."""
    if weights_only is None:
        weights_only = True
    handle, owned = _open(f, "rb")
    try:
        data = handle.read()
    finally:
        if owned:
            handle.close()
    if weights_only:
        return _WeightsOnlyUnpickler(io.BytesIO(data), **pickle_load_args).load()
    return (pickle_module or pickle).loads(data, **pickle_load_args)
