"""Sorting and selection, gather/scatter and einsum (issue 11's kernels).

sort and topk run along the last dim of a (rows, cols) float32 matrix: one long row
shows the 1-D sort, many short rows the per-row overhead and the threading over rows.
gather/scatter_add index a (rows, 512) matrix along dim 1 with random indices (the
cross-entropy / embedding-gradient pattern); einsum is a batched matmul and a
contraction that needs permutes, compared with torch's own einsum.
"""
import numpy as np

from bench.backends import NotApplicable
from bench.cases.base import Case, data, label_count, split

SIZES = (10_000, 100_000, 1_000_000)
QUICK = (100_000,)


def _one_row(n):
    return (1, n)


def _rows_of_100(n):
    return (max(n // 100, 1), 100)


def _indices(shape, high, seed=0):
    return np.random.default_rng(seed).integers(0, high, size=shape)


def sort_case(shape_of, stable):
    def setup(b, n):
        x = b.tensor(data(shape_of(n), "float32", 0))
        if b.is_numpy:
            kind = "stable" if stable else "quicksort"
            return lambda: (np.sort(x, axis=-1, kind=kind), np.argsort(x, axis=-1, kind=kind))
        return lambda: b.lib.sort(x, dim=-1, stable=stable)
    return setup


def topk_case(k):
    def setup(b, n):
        x = b.tensor(data(_rows_of_100(n) if k < 100 else split(n), "float32", 0))
        if b.is_numpy:
            return lambda: np.argpartition(x, -k, axis=-1)[..., -k:]
        return lambda: b.lib.topk(x, k, dim=-1)
    return setup


def gather_case(b, n):
    rows = max(n // 512, 1)
    x = b.tensor(data((rows, 512), "float32", 0))
    index = b.tensor(_indices((rows, 512), 512))
    if b.is_numpy:
        return lambda: np.take_along_axis(x, index, axis=1)
    return lambda: b.lib.gather(x, 1, index)


def scatter_add_case(b, n):
    rows = max(n // 512, 1)
    src = b.tensor(data((rows, 512), "float32", 0))
    index = b.tensor(_indices((rows, 512), 64))
    if b.is_numpy:
        def run():
            out = np.zeros((rows, 64), np.float32)
            np.add.at(out, (np.arange(rows)[:, None], index), src)
            return out
        return run
    zeros = b.lib.zeros(rows, 64)
    return lambda: zeros.scatter_add(1, index, src)


def einsum_case(equation, shapes_of):
    def setup(b, n):
        shapes = shapes_of(n)
        xs = [b.tensor(data(s, "float32", i)) for i, s in enumerate(shapes)]
        if b.is_numpy:
            return lambda: np.einsum(equation, *xs, optimize=False)
        if not hasattr(b.lib, "einsum"):
            raise NotApplicable("no einsum")
        return lambda: b.lib.einsum(equation, *xs)
    return setup


def _bmm_shapes(n):
    side = max(int(round((n / 8) ** 0.5)), 1)      # 8 batches of side x side
    return [(8, side, side), (8, side, side)]


def _attention_shapes(n):
    t = max(int(round((n / 32) ** 0.5)), 1)        # (batch 2, heads 4, t, 8) x (.., t, 8)
    return [(2, 4, t, 8), (2, 4, t, 8)]


CASES = [
    Case("sort/one row/float32", "select", SIZES, sort_case(_one_row, False), QUICK,
         label_count),
    Case("sort stable/one row/float32", "select", SIZES, sort_case(_one_row, True), QUICK,
         label_count),
    Case("sort/rows of 100/float32", "select", SIZES, sort_case(_rows_of_100, False), QUICK,
         label_count),
    Case("topk k=5/rows of 100/float32", "select", SIZES, topk_case(5), QUICK, label_count),
    Case("topk k=100/float32", "select", SIZES, topk_case(100), QUICK, label_count),
    Case("gather dim=1/float32", "select", SIZES, gather_case, QUICK, label_count),
    Case("scatter_add dim=1/float32", "select", SIZES, scatter_add_case, QUICK, label_count),
    Case("einsum bij,bjk->bik/float32", "select", SIZES,
         einsum_case("bij,bjk->bik", _bmm_shapes), QUICK, label_count),
    Case("einsum bhid,bhjd->bhij/float32", "select", SIZES,
         einsum_case("bhid,bhjd->bhij", _attention_shapes), QUICK, label_count),
]
