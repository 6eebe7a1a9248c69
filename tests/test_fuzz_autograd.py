"""Differential fuzzing of autograd against torch: random small graphs over float64 and
float32 leaves (views, elementwise math, reductions, matmul, indexing, joins, in-place
ops on non-leaves), a weighted sum of results as the loss, and every leaf's gradient
compared with torch's (see fuzz_harness.py; TT_FUZZ_SECONDS sets a longer budget)."""
import pytest

from fuzz_harness import run_campaign

torch = pytest.importorskip("torch")


def test_random_graphs_have_torch_gradients(tmp_path):
    run_campaign("autograd", tmp_path, default_programs=2500, default_seconds=100)
