"""Reductions over an n x n float32 matrix: all elements, along dim 0 and along dim 1.

dim 0 sums down columns (a strided walk the iterator should turn into row-wise adds);
dim 1 sums along contiguous rows.  1000x1000 is the 1e6-element point.
"""
from bench.cases.base import Case, data, label_square

SIDES = (100, 300, 1000, 3000)
QUICK = (100, 1000)

REDUCTIONS = {
    "sum": lambda x: x.sum(),
    "sum dim=0": lambda x: x.sum(0),
    "sum dim=1": lambda x: x.sum(1),
    "mean": lambda x: x.mean(),
    "max": lambda x: x.max(),
}


def reduction(f):
    def setup(b, n):
        x = b.tensor(data((n, n), "float32", 0))
        return lambda: f(x)
    return setup


CASES = [Case(f"{name}/float32", "reduce", SIDES, reduction(f), QUICK, label_square)
         for name, f in REDUCTIONS.items()]
