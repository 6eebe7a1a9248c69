"""Per-call overhead on tiny tensors, where Python and dispatch cost dominate the math.

The sweep from 10 to 1000 elements should stay flat: growth here means per-element
work is hiding in what should be a constant-cost path.
"""
from bench.cases.base import Case, data

SIZES = (10, 100, 1000)
QUICK = (10,)


def _vec(b, n, seed=0):
    return b.tensor(data((n,), "float32", seed))


def add(b, n):
    x, y = _vec(b, n, 0), _vec(b, n, 1)
    return lambda: x + y


def mul(b, n):
    x, y = _vec(b, n, 0), _vec(b, n, 1)
    return lambda: x * y


def sum_all(b, n):
    x = _vec(b, n)
    return lambda: x.sum()


def view(b, n):
    x = _vec(b, n)
    if b.is_numpy:
        return lambda: x.reshape(2, -1)  # numpy's view() reinterprets the dtype instead
    return lambda: x.view(2, -1)


def index(b, n):
    x = _vec(b, n)
    return lambda: x[3]


def from_list(b, n):
    values = data((n,), "float32").tolist()
    if b.is_numpy:
        np = b.lib
        return lambda: np.array(values, dtype=np.float32)  # torch.tensor's default dtype
    return lambda: b.lib.tensor(values)


def item(b, n):
    x = _vec(b, n)
    s = b.lib.asarray(x.sum()) if b.is_numpy else x.sum()  # a 0-d tensor, like a loss
    return lambda: s.item()


CASES = [
    Case("add", "latency", SIZES, add, QUICK),
    Case("mul", "latency", SIZES, mul, QUICK),
    Case("sum", "latency", SIZES, sum_all, QUICK),
    Case("view", "latency", SIZES, view, QUICK),
    Case("index[3]", "latency", SIZES, index, QUICK),
    Case("tensor(list)", "latency", SIZES, from_list, QUICK),
    Case("item", "latency", (10,), item, (10,)),
]
