"""The suite: every case module's CASES, in the order the table shows them.

To add a case, write `setup(b, size)` returning a zero-argument callable in the group's
module and append a `Case(name, group, sizes, setup, quick_sizes)` to its CASES list.
"""
from bench.cases import (copies, elementwise, latency, matmul, reduce, rng, select,
                         training)
from bench.cases.base import Case

ALL_CASES = (latency.CASES + training.CASES + elementwise.CASES + reduce.CASES
             + copies.CASES + matmul.CASES + rng.CASES + select.CASES)


def plan(cases=ALL_CASES, quick=False, substr=None):
    """Return the (case, size) pairs to run, keeping those whose id contains substr
    (or any of its comma-separated parts: `latency,autograd`)."""
    parts = [p for p in (substr or "").lower().split(",") if p]
    wanted = [c for c in cases if not parts or any(p in c.id.lower() for p in parts)]
    return [(case, size) for case in wanted for size in case.sweep(quick)]


__all__ = ["ALL_CASES", "Case", "plan"]
