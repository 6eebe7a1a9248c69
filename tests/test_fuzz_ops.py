"""Differential fuzzing against torch: random programs of views, indexing, casts,
copies, joins, math, reductions, matmul and in-place ops (see fuzz_harness.py).

CI runs a bounded budget; a longer campaign is one environment variable away:
    TT_FUZZ_SECONDS=600 TT_FUZZ_SEED=12345 python -m pytest tests/test_fuzz_ops.py
Every failure prints a shrunk, self-contained program that reproduces it."""
import pytest

from fuzz_harness import check_program, run_campaign

torch = pytest.importorskip("torch")


def test_random_programs_match_torch(tmp_path):
    run_campaign("ops", tmp_path, default_programs=6000, default_seconds=150)


# Programs the fuzzer once failed on, kept as regression tests (each was a crash or a
# wrong answer; the commit that fixed it says which).
FOUND = {
    # index_put_(accumulate=True) called binary.c's add loop without its context: SIGSEGV
    "index_put_accumulate": """
t0 = torch.from_numpy(data((3, 2), 'int64', 1))
v0 = torch.from_numpy(data((3, 2), 'int64', 2))
t0.index_put_((torch.tensor([0, 0, -1]),), v0, accumulate=True)
t1 = torch.from_numpy(data((4,), 'float32', 3))
t1.index_put_((torch.tensor([1, 1]),), torch.tensor(2.5), accumulate=True)
""",
    # cat of 1-D empty tensors took the last one's dtype
    "cat_empty_promotes": """
t0 = torch.from_numpy(data((0,), 'int64', 5))
t1 = torch.cat([t0, torch.from_numpy(data((0,), 'float64', 6)), t0], dim=-1)
""",
    # a scalar written into an expanded view; a uint8 filled with a negative float
    "setitem_checks": """
t0 = torch.from_numpy(data((), 'float64', 7))
t1 = t0.expand(2,)
t1[...] = 1
t2 = torch.from_numpy(data((2, 2, 1), 'uint8', 8))
t2[..., :, 0] = -1.25
""",
    # copy_ grew its destination by a leading 1; t[[]] became a float index
    "copy_and_index_shapes": """
t0 = torch.from_numpy(data((), 'float16', 9))
t0.copy_(torch.from_numpy(data((1,), 'float32', 10)))
t1 = torch.from_numpy(data((5, 4), 'float32', 11))
t2 = t1[torch.tensor([], dtype=torch.int64), []]
""",
    # copy_ between overlapping views smeared values instead of raising
    "copy_partial_overlap": """
t0 = torch.from_numpy(data((6,), 'float32', 4))
t1 = t0[1:]
t1.copy_(t0[:-1])
""",
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_found_by_the_fuzzer(name):
    check_program(FOUND[name])
