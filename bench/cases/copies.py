"""Copies and casts of an n x n float32 matrix: layout change and dtype conversion."""
from bench.cases.base import Case, data, label_square

SIDES = (100, 1000, 3000)
QUICK = (100, 1000)


def transpose_contiguous(b, n):
    x = b.tensor(data((n, n), "float32", 0))
    if b.is_numpy:
        return lambda: b.lib.ascontiguousarray(x.T)
    return lambda: x.t().contiguous()


def cast(dtype_name):
    def setup(b, n):
        # +-100 so the int8 cast sees real values, not all zeros
        x = b.tensor(data((n, n), "float32", 0, -100.0, 100.0))
        dtype = b.dtype(dtype_name)  # numpy has no bfloat16: n/a
        if b.is_numpy:
            return lambda: x.astype(dtype)
        return lambda: x.to(dtype)
    return setup


CASES = [Case("t().contiguous()/float32", "copy", SIDES, transpose_contiguous, QUICK,
              label_square)]
CASES += [Case(f"float32->{name}", "copy", SIDES, cast(name), QUICK, label_square)
          for name in ("float16", "bfloat16", "int8")]
