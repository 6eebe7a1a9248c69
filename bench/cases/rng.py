"""Random float32 generation; numpy's default_rng (PCG64) stands in for torch.rand/randn."""
import numpy as np

from bench.cases.base import Case

SIZES = (10 ** 4, 10 ** 6, 10 ** 7)
QUICK = (10 ** 6,)


def rand(b, n):
    if b.is_numpy:
        rng = np.random.default_rng(0)
        return lambda: rng.random(n, dtype=np.float32)
    b.manual_seed(0)
    return lambda: b.lib.rand(n)


def randn(b, n):
    if b.is_numpy:
        rng = np.random.default_rng(0)
        return lambda: rng.standard_normal(n, dtype=np.float32)
    b.manual_seed(0)
    return lambda: b.lib.randn(n)


CASES = [Case("rand/float32", "random", SIZES, rand, QUICK),
         Case("randn/float32", "random", SIZES, randn, QUICK)]
