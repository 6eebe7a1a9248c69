"""Elementwise add/mul/exp from 1e3 to 1e7 elements, in four memory layouts.

contig: out-of-place on contiguous inputs (a fresh output each call: the allocator counts);
inplace: add_/mul_ (no allocation); broadcast: (N,1) op (1,M); transposed: a.t() op b,
where one operand walks memory with a large stride.
"""
from bench.cases.base import Case, data, signs, split

SIZES = (10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6, 10 ** 7)
QUICK = (10 ** 3, 10 ** 5, 10 ** 6)
DTYPES = ("float32", "float64")

# op name -> (torch-style binary call, numpy ufunc name); exp is unary.
BINARY = {"add": (lambda x, y: x + y, "add"), "mul": (lambda x, y: x * y, "multiply")}


def contig(op, dtype):
    def setup(b, n):
        x = b.tensor(data((n,), dtype, 0))
        if op == "exp":
            return lambda: b.lib.exp(x)
        y = b.tensor(data((n,), dtype, 1))
        f = BINARY[op][0]
        return lambda: f(x, y)
    return setup


def inplace(op, dtype):
    def setup(b, n):
        x = b.tensor(data((n,), dtype, 0))
        # add_ drifts by at most 1 per call; mul_ by +-1 keeps every magnitude.
        y = b.tensor(data((n,), dtype, 1) if op == "add" else signs((n,), dtype, 1))
        if b.is_numpy:
            ufunc = getattr(b.lib, BINARY[op][1])
            return lambda: ufunc(x, y, out=x)
        method = getattr(x, op + "_")
        return lambda: method(y)
    return setup


def broadcast(op, dtype):
    def setup(b, n):
        rows, cols = split(n)
        x = b.tensor(data((rows, 1), dtype, 0))
        y = b.tensor(data((1, cols), dtype, 1))
        f = BINARY[op][0]
        return lambda: f(x, y)
    return setup


def transposed(op, dtype):
    def setup(b, n):
        rows, cols = split(n)
        x = b.tensor(data((cols, rows), dtype, 0))
        t = (lambda a: a.T) if b.is_numpy else (lambda a: a.t())
        if op == "exp":
            return lambda: b.lib.exp(t(x))
        y = b.tensor(data((rows, cols), dtype, 1))
        f = BINARY[op][0]
        return lambda: f(t(x), y)
    return setup


def _cases():
    variants = (("contig", contig, ("add", "mul", "exp")),
                ("inplace", inplace, ("add", "mul")),
                ("broadcast", broadcast, ("add", "mul")),
                ("transposed", transposed, ("add", "mul", "exp")))
    for dtype in DTYPES:
        for variant, make, ops in variants:
            for op in ops:
                name = f"{op}{'_' if variant == 'inplace' else ''}/{variant}/{dtype}"
                yield Case(name, "elementwise", SIZES, make(op, dtype), QUICK)


CASES = list(_cases())
