"""Timing: calibrate an inner repeat count, warm up, then sample the backends interleaved.

One *sample* is `inner` back-to-back calls timed with perf_counter_ns; `inner` is chosen per
backend so a sample lasts at least `min_sample_ns` (a 1 µs op needs ~200 calls, or the clock
and loop overhead would be measured instead).  Samples go round-robin over the backends
(A, B, C, A, B, C, ...) so a burst of load from a neighbour on the machine hits all of them
alike, and the reported time is the median sample divided by `inner`: the median ignores
the few samples a page fault, a GC pass or another process inflated.
"""
import gc
import itertools
import statistics
import time
from dataclasses import dataclass

from bench.backends import SUBJECT, NotApplicable

# Ratios reported per entry: numerator / denominator of median times (below 1: faster).
RATIO_PAIRS = ((SUBJECT, "torch"), (SUBJECT, "numpy"), ("torch", "numpy"))


@dataclass(frozen=True)
class Settings:
    """How long to measure: per-sample floor, per-entry budget, sample counts."""

    min_sample_ns: int = 200_000          # one sample lasts at least this long
    budget_ns: int = 1_000_000_000        # one (case, size) entry, all backends together
    min_samples: int = 7
    max_samples: int = 300
    warmup_samples: int = 3
    slow_sample_ns: int = 1_000_000_000   # a backend this slow per call takes 3 samples


FULL = Settings()
QUICK = Settings(budget_ns=200_000_000, min_samples=5, max_samples=60, warmup_samples=1)


def _time(fn, inner):
    """Return the nanoseconds `inner` calls of fn take (itertools.repeat: a lean loop)."""
    start = time.perf_counter_ns()
    for _ in itertools.repeat(None, inner):
        fn()
    return time.perf_counter_ns() - start


def calibrate(fn, min_sample_ns):
    """Return (inner, ns): about the fewest calls per sample that last min_sample_ns."""
    inner = 1
    while True:
        elapsed = _time(fn, inner)
        if elapsed >= min_sample_ns:
            return inner, elapsed
        # Aim 20% above the floor, but grow at most 10x per try: one lucky fast sample
        # must not blow the count up.
        want = int(inner * min_sample_ns * 1.2 / max(elapsed, 1)) + 1
        inner = min(max(want, inner + 1), inner * 10)


# How Python says an operator or [] is not defined on a type: a missing op, like AttributeError.
_MISSING_OPERATOR = ("unsupported operand type", "not subscriptable")


def _missing(exc):
    if isinstance(exc, (AttributeError, NotImplementedError)):
        return True
    return isinstance(exc, TypeError) and any(m in str(exc) for m in _MISSING_OPERATOR)


def _failure(backend, exc):
    """Classify a setup/call exception: 'n/a' for a missing op, else 'error'."""
    if isinstance(exc, NotApplicable):
        return {"status": "n/a", "reason": str(exc)}
    reason = f"{type(exc).__name__}: {exc}"
    if backend.lenient and _missing(exc):
        return {"status": "n/a", "reason": reason}
    return {"status": "error", "reason": reason}


class _Run:
    """One backend's state within one entry: its callable, inner count and samples."""

    def __init__(self, backend):
        self.backend = backend
        self.fn = None
        self.inner = 1
        self.sample_ns = 0
        self.quota = 0
        self.samples = []       # ns per call
        self.outcome = None     # set when the backend drops out (n/a or error)

    def prepare(self, case, size, settings):
        """Set up, call once, calibrate and warm up; record n/a or error on failure."""
        if self.backend.unavailable:
            self.outcome = {"status": "n/a", "reason": self.backend.unavailable}
            return
        try:
            self.fn = case.setup(self.backend, size)
            self.fn()  # the first call proves the op exists and pays one-time costs
            self.inner, self.sample_ns = calibrate(self.fn, settings.min_sample_ns)
            if self.sample_ns < settings.slow_sample_ns // 2:
                for _ in range(settings.warmup_samples):
                    _time(self.fn, self.inner)
        except Exception as exc:
            self.drop(exc)

    def sample(self):
        """Take one timed sample, or drop out if the call raises."""
        try:
            self.samples.append(_time(self.fn, self.inner) / self.inner)
        except Exception as exc:
            self.drop(exc)

    def drop(self, exc):
        self.outcome = _failure(self.backend, exc)
        self.fn = None  # free the inputs now

    def result(self):
        if self.outcome is not None:
            return self.outcome
        s = sorted(self.samples)
        q1, _, q3 = statistics.quantiles(s, n=4) if len(s) > 1 else (s[0], None, s[0])
        return {"status": "ok", "median_ns": statistics.median(s), "min_ns": s[0],
                "q1_ns": q1, "q3_ns": q3, "samples": len(s), "inner": self.inner}


def _plan(runs, settings):
    """Give each live backend its number of samples, from the entry's time budget."""
    live = [r for r in runs if r.outcome is None]
    round_ns = sum(r.sample_ns for r in live) or 1
    rounds = settings.budget_ns // round_ns
    rounds = max(settings.min_samples, min(settings.max_samples, rounds))
    for r in live:
        r.quota = min(rounds, 3) if r.sample_ns >= settings.slow_sample_ns else rounds
    return rounds


def ratios(backends):
    """Return {"a/b": median_a / median_b} for every pair both of which were measured."""
    out = {}
    for num, den in RATIO_PAIRS:
        a, b = backends.get(num, {}), backends.get(den, {})
        ok = a.get("status") == "ok" and b.get("status") == "ok"
        out[f"{num}/{den}"] = a["median_ns"] / b["median_ns"] if ok else None
    return out


def measure(case, size, backends, settings):
    """Time one case at one size on every backend, interleaved, and return the entry."""
    start = time.perf_counter()
    runs = [_Run(b) for b in backends]
    for r in runs:
        r.prepare(case, size, settings)
    rounds = _plan(runs, settings)
    deadline = time.perf_counter_ns() + settings.budget_ns
    for i in range(rounds):
        for r in runs:
            if r.outcome is None and len(r.samples) < r.quota:
                r.sample()
        # The plan trusts calibration; a loaded machine can make samples far slower.
        if i + 1 >= settings.min_samples and time.perf_counter_ns() > deadline:
            break
    results = {r.backend.name: r.result() for r in runs}
    del runs
    gc.collect()  # free this entry's arrays before the next one allocates
    return {"group": case.group, "case": case.name, "id": case.id, "size": size,
            "label": case.label(size), "backends": results, "ratios": ratios(results),
            "elapsed_s": round(time.perf_counter() - start, 3)}


def run_suite(plan, backends, settings, on_start=None, on_done=None):
    """Measure every (case, size) in plan, calling on_start/on_done around each entry."""
    entries = []
    for i, (case, size) in enumerate(plan):
        if on_start:
            on_start(i, len(plan), case, size)
        entry = measure(case, size, backends, settings)
        entries.append(entry)
        if on_done:
            on_done(entry)
    return entries
