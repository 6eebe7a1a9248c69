"""Smoke tests of the benchmark harness: structure and ratios, never timings."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cases, harness, report  # noqa: E402
from bench.backends import Backend, NotApplicable, load_backends  # noqa: E402

TINY = harness.Settings(min_sample_ns=20_000, budget_ns=10_000_000, min_samples=3,
                        max_samples=5, warmup_samples=1)
GRAD = "autograd/((a*w+a).exp()*c).sum().backward()"
SOME = ("latency/add", "reduce/sum dim=1/float32", GRAD)


def _stand_in_backends():
    """torch and numpy, plus torch posing as tinytensor so every ratio has both sides."""
    ref = {b.name: b for b in load_backends(("torch", "numpy"))}
    return [Backend("tinytensor", torch, lenient=True), ref["torch"], ref["numpy"]]


def _plan():
    chosen = [c for c in cases.ALL_CASES if c.id in SOME]
    assert len(chosen) == len(SOME)
    return [(c, c.sweep(quick=True)[0]) for c in chosen]


def test_bench_entries_have_medians_and_ratios():
    entries = harness.run_suite(_plan(), _stand_in_backends(), TINY)
    by_id = {e["id"]: e for e in entries}
    add = by_id["latency/add"]
    for name in ("tinytensor", "torch", "numpy"):
        res = add["backends"][name]
        assert res["status"] == "ok"
        assert res["median_ns"] > 0 and 3 <= res["samples"] <= 5 and res["inner"] >= 1
    for key in ("tinytensor/torch", "tinytensor/numpy", "torch/numpy"):
        assert add["ratios"][key] > 0
    grad = by_id[GRAD]
    assert grad["backends"]["numpy"]["status"] == "n/a"  # no autograd in numpy
    assert grad["ratios"]["tinytensor/torch"] > 0
    assert grad["ratios"]["tinytensor/numpy"] is None


def test_bench_missing_op_reads_as_na_and_report_is_json():
    def setup(b, n):
        if b.name == "tinytensor":
            raise AttributeError("module 'tinytensor' has no attribute 'frobnicate'")
        if b.is_numpy:
            raise NotApplicable("no such thing")
        x = b.tensor(cases.base.data((n,)))
        return lambda: x + x

    case = cases.Case("frobnicate", "test", (10,), setup)
    entries = harness.run_suite([(case, 10)], _stand_in_backends(), TINY)
    result = report.build(entries, {"cpu": "x"}, {"quick": True})
    loaded = json.loads(json.dumps(result))
    entry = loaded["results"][0]
    assert [entry["backends"][n]["status"] for n in ("tinytensor", "torch", "numpy")] == \
        ["n/a", "ok", "n/a"]
    assert entry["ratios"] == {"tinytensor/torch": None, "tinytensor/numpy": None,
                               "torch/numpy": None}
    assert loaded["summary"]["test"]["entries"] == 1


def test_bench_cli_writes_json(tmp_path):
    out = tmp_path / "r.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--filter", "latency/item", "--threads",
         "1", "--json", str(out), "--no-plot", "--markdown"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == report.SCHEMA
    assert {"cpu", "cores", "threads", "isa", "versions", "date"} <= set(data["machine"])
    assert set(data["machine"]["isa"]) == {"avx2", "avx512f", "fma", "f16c"}
    [entry] = data["results"]
    assert entry["id"] == "latency/item" and entry["backends"]["torch"]["status"] == "ok"
    assert "| `latency/item` |" in proc.stdout
