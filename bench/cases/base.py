"""The Case record and the helpers every case module shares (input data, size labels)."""
import functools
import math
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import numpy as np


def label_count(n):
    """Label an element count: 1e6 for powers of ten, else the number."""
    k = round(math.log10(n)) if n > 0 else 0
    return f"1e{k}" if n == 10 ** k and k >= 3 else str(n)


def label_square(n):
    """Label a square side n as 'n x n'."""
    return f"{n}x{n}"


@dataclass(frozen=True)
class Case:
    """One benchmark: setup(backend, size) builds inputs, returns the zero-arg callable timed.

    setup raises NotApplicable when the backend has no counterpart (numpy has no autograd);
    AttributeError / NotImplementedError from tinytensor also read as n/a.
    """

    name: str                                   # "add/contig/float32"
    group: str                                  # "elementwise"
    sizes: Tuple[int, ...]                      # the full sweep
    setup: Callable
    quick_sizes: Optional[Tuple[int, ...]] = None   # --quick sweep (None: sizes[:1])
    label: Callable[[int], str] = label_count   # how a size prints in tables

    @property
    def id(self):
        return f"{self.group}/{self.name}"

    def sweep(self, quick):
        """Return the sizes to run in quick or full mode."""
        if quick:
            return self.quick_sizes if self.quick_sizes is not None else self.sizes[:1]
        return self.sizes


@functools.lru_cache(maxsize=8)
def data(shape, dtype="float32", seed=0, low=-1.0, high=1.0):
    """Return a read-only uniform(low, high) array: every backend copies these same values."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, size=shape).astype(dtype)
    a.flags.writeable = False
    return a


def signs(shape, dtype="float32", seed=0):
    """Return random +1/-1: repeated in-place mul keeps magnitudes (no denormals)."""
    return np.sign(data(shape, dtype, seed)) + (data(shape, dtype, seed) == 0)


def split(n):
    """Split n elements into an (rows, cols) shape that is as square as powers of ten allow."""
    k = round(math.log10(n))
    if n == 10 ** k:
        rows = 10 ** (k // 2)
    else:
        rows = math.isqrt(n)
    return rows, n // rows
