"""Square matmul from 64 to 2048 (cache blocking and threads show at the top end) and the
tall-skinny X @ beta of the linear-regression seed (a matrix-vector product)."""
from bench.cases.base import Case, data, label_square

SIDES = (64, 128, 256, 512, 1024, 2048)
QUICK = (64, 128, 256, 512)
ROWS = (1000, 10_000, 100_000)


def square(dtype):
    def setup(b, n):
        x, y = b.tensor(data((n, n), dtype, 0)), b.tensor(data((n, n), dtype, 1))
        return lambda: b.lib.matmul(x, y)
    return setup


def tall(dtype):
    def setup(b, rows):
        x, v = b.tensor(data((rows, 21), dtype, 0)), b.tensor(data((21,), dtype, 1))
        return lambda: x @ v
    return setup


CASES = []
for _dtype in ("float32", "float64"):
    CASES.append(Case(f"matmul/{_dtype}", "matmul", SIDES, square(_dtype), QUICK,
                      label_square))
for _dtype in ("float32", "float64"):
    CASES.append(Case(f"Nx21 @ 21/{_dtype}", "matmul", ROWS, tall(_dtype), (10_000,),
                      lambda n: f"{n}x21"))
