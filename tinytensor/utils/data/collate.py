"""Collation: turn a list of samples into one batch, as torch's default_collate does.

Tensors are stacked, numbers become a tensor (floats as float64), numpy arrays become
tensors, and dicts, tuples, lists and namedtuples are collated field by field (a tuple of
fields comes back as a list, as in torch).

    default_collate([(x0, 0), (x1, 1)])  ->  [stack([x0, x1]), tensor([0, 1])]
"""
import collections.abc
import copy
import re

from tinytensor import _C

__all__ = ["default_collate", "default_convert"]

_NP_STR_OBJ = re.compile(r"[SaUO]")
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
        "lists; found {}")


def _rebuild_like(elem, values):
    """A container of elem's type holding values (a list when the type refuses)."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return list(values)


def _rebuild_mapping(elem, items):
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(items)
            return clone
        return type(elem)(items)
    except TypeError:
        return dict(items)


def default_collate(batch):
    """Stack a list of samples into a batch, recursively through containers."""
    import tinytensor as tt
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, _C.TensorBase):
        return tt.stack(batch, 0)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ in ("ndarray", "memmap"):
            if _NP_STR_OBJ.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype))
            return default_collate([tt.as_tensor(b) for b in batch])
        if elem.shape == ():
            return tt.as_tensor(batch)
    if isinstance(elem, bool):
        return tt.tensor(batch)
    if isinstance(elem, float):
        return tt.tensor(batch, dtype=_C.float64)
    if isinstance(elem, int):
        return tt.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch])
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        collated = [default_collate(samples) for samples in transposed]
        return collated if isinstance(elem, tuple) else _rebuild_like(elem, collated)
    raise TypeError(_ERR.format(elem_type))


def default_convert(data):
    """Numpy arrays to tensors, recursively through containers (no batching)."""
    import tinytensor as tt
    elem_type = type(data)
    if isinstance(data, _C.TensorBase):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _NP_STR_OBJ.search(data.dtype.str):
            return data
        return tt.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data
