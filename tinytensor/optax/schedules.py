"""Optax-style schedules: plain functions from a step count to a value.

A schedule is any callable ``step -> float``; these build the common ones with Optax's
names, arguments and formulas, so a JAX recipe ports over unchanged. Feed one to an
optimizer with ``tinytensor.optim.lr_scheduler.ScheduleLR(optimizer, schedule)``.

Note [schedule precision]: Optax evaluates in JAX, by default in float32. These evaluate in
Python floats (float64) with Optax's order of operations, so they agree with Optax under
``jax_enable_x64`` and differ from default Optax by float32 rounding (a relative 1e-7).
For example ``linear_schedule(1.0, 0.0, 5)`` gives 1 - 4/5 = 0.19999999999999996 at step 4,
as float64 arithmetic does, where float32 Optax shows 0.2.
"""

import math

__all__ = [
    "constant_schedule", "polynomial_schedule", "linear_schedule",
    "piecewise_constant_schedule",
    "exponential_decay", "cosine_decay_schedule", "join_schedules",
    "warmup_cosine_decay_schedule", "warmup_exponential_decay_schedule",
]


def constant_schedule(value):
    """Return a schedule that is value at every step.

    >>> constant_schedule(5)(100)
    5
    """
    return lambda count: value


def polynomial_schedule(init_value, end_value, power, transition_steps, transition_begin=0):
    """Return a schedule going from init_value to end_value as (1 - t/T) ** power.

    value(t) = (init - end) * (1 - clip(t - begin, 0, T) / T) ** power + end
    >>> polynomial_schedule(1.0, 0.01, power=2, transition_steps=100)(100)
    0.01
    """
    if transition_steps <= 0:    # Optax: no transition at all, hold init_value
        return constant_schedule(init_value)
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        count = min(max(count - transition_begin, 0), transition_steps)
        frac = 1 - count / transition_steps
        return (init_value - end_value) * (frac ** power) + end_value

    return schedule


def linear_schedule(init_value, end_value, transition_steps, transition_begin=0):
    """Return a schedule going linearly from init_value to end_value over transition_steps.

    >>> [linear_schedule(1.0, 0.0, 5)(t) for t in range(6)]
    [1.0, 0.8, 0.6, 0.4, 0.19999999999999996, 0.0]
    """
    return polynomial_schedule(init_value, end_value, power=1,
                               transition_steps=transition_steps,
                               transition_begin=transition_begin)


def piecewise_constant_schedule(init_value, boundaries_and_scales=None):
    """Return a schedule that multiplies init_value by scale at each step >= its boundary.

    >>> sched = piecewise_constant_schedule(1.0, {100: 0.1, 200: 0.01})
    >>> sched(50), sched(150), sched(250)
    (1.0, 0.1, 0.001)
    """
    if boundaries_and_scales is None:
        boundaries_and_scales = {}
    if not all(scale >= 0.0 for scale in boundaries_and_scales.values()):
        raise ValueError("`piecewise_constant_schedule` expects non-negative scale factors")
    steps = sorted(boundaries_and_scales.items())

    def schedule(count):
        value = init_value
        for boundary, scale in steps:
            if count >= boundary:
                value = scale * value
        return value

    return schedule


def exponential_decay(init_value, transition_steps, decay_rate, transition_begin=0,
                      staircase=False, end_value=None):
    """Return init_value * decay_rate ** ((t - begin) / transition_steps), floored if staircase.

    end_value, if given, is a floor when decay_rate < 1 and a ceiling otherwise.
    >>> exponential_decay(1.0, transition_steps=10, decay_rate=0.5)(20)
    0.25
    """
    if transition_steps <= 0 or decay_rate == 0:    # Optax: hold init_value
        return constant_schedule(init_value)
    transition_begin = max(transition_begin, 0)
    clip = max if decay_rate < 1.0 else min

    def schedule(count):
        decayed_count = count - transition_begin
        if decayed_count <= 0:
            value = init_value
        else:
            p = decayed_count / transition_steps
            if staircase:
                p = math.floor(p)
            value = init_value * decay_rate ** p
        if end_value is not None:
            value = clip(value, end_value)
        return value

    return schedule


def cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0):
    """Return a schedule decaying init_value to alpha * init_value along a half cosine.

    value(t) = init * ((1 - alpha) * (0.5 * (1 + cos(pi * min(t, T) / T))) ** exponent + alpha)
    >>> cosine_decay_schedule(1.0, decay_steps=10)(5)
    0.5
    """
    if not decay_steps > 0:
        raise ValueError("The cosine_decay_schedule requires positive decay_steps, got "
                         f"decay_steps={decay_steps!r}.")

    def schedule(count):
        count = min(count, decay_steps)
        cosine_decay = 0.5 * (1 + math.cos(math.pi * count / decay_steps))
        decayed = (1 - alpha) * cosine_decay ** exponent + alpha
        return init_value * decayed

    return schedule


def join_schedules(schedules, boundaries):
    """Return a schedule that runs schedules[i + 1] from step boundaries[i] on, restarted at 0.

    >>> sched = join_schedules([constant_schedule(1.0), linear_schedule(1.0, 0.0, 4)], [10])
    >>> sched(9), sched(10), sched(12)
    (1.0, 1.0, 0.5)
    """
    def schedule(step):
        # Later boundaries win, as in Optax (it need not be sorted there either).
        value = schedules[0](step)
        for boundary, later in zip(boundaries, schedules[1:]):
            if step >= boundary:
                value = later(step - boundary)
        return value

    return schedule


def warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps,
                                 end_value=0.0, exponent=1.0):
    """Return a linear warmup to peak_value, then a cosine decay to end_value at decay_steps.

    decay_steps counts the warmup too, so the cosine lasts decay_steps - warmup_steps.
    >>> warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=10)(1)
    0.5
    """
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join_schedules(
        [linear_schedule(init_value, peak_value, transition_steps=warmup_steps),
         cosine_decay_schedule(peak_value, decay_steps=decay_steps - warmup_steps,
                               alpha=alpha, exponent=exponent)],
        [warmup_steps])


def warmup_exponential_decay_schedule(init_value, peak_value, warmup_steps, transition_steps,
                                      decay_rate, transition_begin=0, staircase=False,
                                      end_value=None):
    """Return a linear warmup to peak_value, then exponential_decay from peak_value.

    >>> warmup_exponential_decay_schedule(0.0, 1.0, 2, transition_steps=1, decay_rate=0.5)(4)
    0.25
    """
    return join_schedules(
        [linear_schedule(init_value, peak_value, transition_steps=warmup_steps),
         exponential_decay(peak_value, transition_steps=transition_steps,
                           decay_rate=decay_rate, transition_begin=transition_begin,
                           staircase=staircase, end_value=end_value)],
        [warmup_steps])
