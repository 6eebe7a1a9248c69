"""Optax-style schedules against values worked out by hand from Optax's documented formulas.

Optax is not installed here (it needs JAX), so the oracle is arithmetic: each expectation is
written as the formula from Optax's docs, evaluated in float64 (see Note [schedule
precision] in the module), and compared exactly where the formula's order is the module's,
and within 1e-12 where the hand form is simpler than the formula.
"""

import importlib
import importlib.util
import math
import pathlib

import pytest


def _load(dotted, relative_path):
    """Import dotted, or load the file directly while the package has no __init__ yet."""
    try:
        return importlib.import_module(dotted)
    except ImportError:
        path = pathlib.Path(__file__).resolve().parents[1] / relative_path
        name = "_under_test_" + dotted.replace(".", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


S = _load("tinytensor.optax.schedules", "tinytensor/optax/schedules.py")


def values(schedule, steps):
    return [schedule(t) for t in steps]


def close(got, want, tol=1e-12):
    return len(got) == len(want) and all(abs(g - w) <= tol for g, w in zip(got, want))


# ---- constant, linear, polynomial ------------------------------------------------------

def test_constant_schedule_returns_value_unchanged():
    schedule = S.constant_schedule(5)
    assert values(schedule, [0, 1, 100, 10**9]) == [5] * 4


def test_linear_schedule_seed_lecture():
    # The seed lecture printed these float64 values, 0.19999999999999996 included.
    schedule = S.linear_schedule(init_value=1., end_value=0., transition_steps=5)
    assert values(schedule, range(6)) == [1.0, 0.8, 0.6, 0.4, 0.19999999999999996, 0.0]
    assert close(values(schedule, range(6)), [1.0, 0.8, 0.6, 0.4, 0.2, 0.0])


def test_linear_schedule_holds_before_begin_and_after_end():
    schedule = S.linear_schedule(1.0, 0.01, transition_steps=100, transition_begin=5)
    assert values(schedule, [0, 5]) == [1.0, 1.0]
    # I + (t - B) / T * (E - I) inside the transition
    assert close(values(schedule, [6, 55, 104]),
                 [1.0 + (t - 5) / 100 * (0.01 - 1.0) for t in [6, 55, 104]])
    assert values(schedule, [105, 106, 10_000]) == [0.01] * 3


def test_linear_schedule_increasing_warmup():
    schedule = S.linear_schedule(0.0, 0.1, transition_steps=4)
    assert close(values(schedule, range(7)), [0.0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1])


def test_polynomial_schedule_matches_docs_example():
    # Optax's docstring: power 2 from 1.0 to 0.01 over 100 steps, beginning at 5.
    schedule = S.polynomial_schedule(init_value=1.0, end_value=0.01, transition_steps=100,
                                     transition_begin=5, power=2)
    printed = [f"{schedule(t):.4f}" for t in [0, 5, 6, 104, 105, 110]]
    assert printed == ["1.0000", "1.0000", "0.9803", "0.0101", "0.0100", "0.0100"]


def test_polynomial_schedule_formula():
    init, end, power, T = 0.5, 0.1, 3.0, 20
    schedule = S.polynomial_schedule(init, end, power, T)
    want = [(init - end) * (1 - min(t, T) / T) ** power + end for t in range(30)]
    assert values(schedule, range(30)) == want


def test_polynomial_non_positive_steps_is_constant():
    assert values(S.polynomial_schedule(0.3, 0.0, 2, transition_steps=0), [0, 9]) == [0.3, 0.3]
    assert values(S.linear_schedule(0.3, 0.0, transition_steps=-4), [0, 9]) == [0.3, 0.3]


def test_negative_transition_begin_falls_back_to_zero():
    assert (values(S.linear_schedule(1.0, 0.0, 4, transition_begin=-3), range(6))
            == values(S.linear_schedule(1.0, 0.0, 4), range(6)))


# ---- piecewise constant ----------------------------------------------------------------

def test_piecewise_constant_schedule_scales_at_boundaries():
    schedule = S.piecewise_constant_schedule(1.0, {100: 0.1, 200: 0.01})
    assert values(schedule, [0, 50, 99]) == [1.0] * 3
    assert values(schedule, [100, 150, 199]) == [0.1] * 3    # the boundary step is scaled
    assert close(values(schedule, [200, 250]), [0.001, 0.001])


def test_piecewise_constant_applies_boundaries_in_step_order():
    # Given out of order, the boundaries still apply by step: 2 -> x0.5, 4 -> x3.
    schedule = S.piecewise_constant_schedule(2.0, {4: 3.0, 2: 0.5})
    assert values(schedule, range(6)) == [2.0, 2.0, 1.0, 1.0, 3.0, 3.0]


def test_piecewise_constant_without_boundaries_is_constant():
    assert values(S.piecewise_constant_schedule(0.7), [0, 10**6]) == [0.7, 0.7]


def test_piecewise_constant_rejects_negative_scales():
    with pytest.raises(ValueError, match="non-negative scale factors"):
        S.piecewise_constant_schedule(1.0, {10: -0.1})


# ---- exponential decay -----------------------------------------------------------------

def test_exponential_decay_continuous():
    schedule = S.exponential_decay(init_value=1.0, transition_steps=10, decay_rate=0.5)
    assert values(schedule, [0, 10, 20, 30]) == [1.0, 0.5, 0.25, 0.125]
    assert values(schedule, [5]) == [0.5 ** 0.5]


def test_exponential_decay_staircase_and_begin():
    schedule = S.exponential_decay(0.8, transition_steps=3, decay_rate=0.1,
                                   transition_begin=2, staircase=True)
    # held at 0.8 through step 2, then 0.8 * 0.1 ** floor((t - 2) / 3)
    want = [0.8, 0.8, 0.8, 0.8, 0.8, 0.8 * 0.1, 0.8 * 0.1, 0.8 * 0.1, 0.8 * 0.1 ** 2]
    assert values(schedule, range(9)) == want


def test_exponential_decay_end_value_is_floor_or_ceiling():
    down = S.exponential_decay(1.0, transition_steps=1, decay_rate=0.5, end_value=0.2)
    assert values(down, range(5)) == [1.0, 0.5, 0.25, 0.2, 0.2]
    up = S.exponential_decay(1.0, transition_steps=1, decay_rate=2.0, end_value=5.0)
    assert values(up, range(5)) == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_exponential_decay_degenerate_arguments_are_constant():
    assert values(S.exponential_decay(0.3, 0, 0.5), [0, 7]) == [0.3, 0.3]
    assert values(S.exponential_decay(0.3, 4, 0.0), [0, 7]) == [0.3, 0.3]


# ---- cosine decay ----------------------------------------------------------------------

def test_cosine_decay_schedule_formula():
    init, T = 0.1, 10
    schedule = S.cosine_decay_schedule(init, decay_steps=T)
    want = [init * (0.5 * (1 + math.cos(math.pi * min(t, T) / T))) for t in range(15)]
    assert close(values(schedule, range(15)), want, tol=1e-15)
    assert schedule(0) == init and schedule(5) == init / 2 and schedule(10) == 0.0


def test_cosine_decay_alpha_and_exponent():
    init, T, alpha, p = 2.0, 8, 0.1, 2.0
    schedule = S.cosine_decay_schedule(init, T, alpha=alpha, exponent=p)
    want = [init * ((1 - alpha) * (0.5 * (1 + math.cos(math.pi * min(t, T) / T))) ** p + alpha)
            for t in range(12)]
    assert values(schedule, range(12)) == want
    assert math.isclose(schedule(100), alpha * init, rel_tol=1e-15)


def test_cosine_decay_requires_positive_steps():
    with pytest.raises(ValueError, match="positive decay_steps"):
        S.cosine_decay_schedule(1.0, 0)


# ---- joins and warmups -----------------------------------------------------------------

def test_join_schedules_restarts_each_piece_at_zero():
    schedule = S.join_schedules(
        [S.constant_schedule(1.0), S.linear_schedule(1.0, 0.0, 4), S.constant_schedule(7.0)],
        [10, 20])
    assert values(schedule, [0, 9]) == [1.0, 1.0]
    assert values(schedule, [10, 11, 12, 14, 19]) == [1.0, 0.75, 0.5, 0.0, 0.0]
    assert values(schedule, [20, 1000]) == [7.0, 7.0]


def test_warmup_cosine_decay_schedule():
    init, peak, warmup, total, end = 0.0, 1.0, 5, 25, 0.1
    schedule = S.warmup_cosine_decay_schedule(init, peak, warmup, total, end_value=end)
    got = values(schedule, range(31))
    assert close(got[:6], [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])     # linear warmup to the peak
    alpha = end / peak
    want = [peak * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * min(t - warmup, 20) / 20))
                    + alpha) for t in range(5, 31)]
    assert close(got[5:], want)
    assert got[25] == pytest.approx(end, abs=1e-15) and got[30] == got[25]
    assert all(a >= b for a, b in zip(got[5:], got[6:]))


def test_warmup_cosine_decay_zero_peak_and_exponent():
    flat = S.warmup_cosine_decay_schedule(0.0, 0.0, 2, 10, end_value=0.5)
    assert values(flat, range(12)) == [0.0] * 12    # alpha falls back to 0
    base = S.warmup_cosine_decay_schedule(0.0, 1.0, 2, 12, exponent=1.0)
    steep = S.warmup_cosine_decay_schedule(0.0, 1.0, 2, 12, exponent=2.0)
    assert all(s <= b for s, b in zip(values(steep, range(2, 13)), values(base, range(2, 13))))


def test_warmup_cosine_decay_needs_decay_after_warmup():
    with pytest.raises(ValueError):
        S.warmup_cosine_decay_schedule(0.2, 1.2, warmup_steps=10, decay_steps=10)


def test_warmup_exponential_decay_schedule():
    schedule = S.warmup_exponential_decay_schedule(
        init_value=0.0, peak_value=1.0, warmup_steps=4, transition_steps=2, decay_rate=0.5,
        transition_begin=1, staircase=True, end_value=0.1)
    got = values(schedule, range(16))
    assert close(got[:4], [0.0, 0.25, 0.5, 0.75])
    # from step 4: held at the peak for one step, then halved every two steps, floored at 0.1
    assert got[4:] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1]
