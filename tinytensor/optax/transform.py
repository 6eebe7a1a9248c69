"""Optax-style gradient transformations: (init, update) pairs that compose with chain().

A GradientTransformation turns gradients into updates.  init(params) makes its state;
update(updates, state, params=None) returns (new_updates, new_state).  Nothing mutates:
apply_updates(params, updates) returns new parameters.  Building blocks here; the named
optimizers (sgd, adam, ...) are chains of them in alias.py.

    tx = chain(clip_by_global_norm(1.0), scale_by_adam(), scale(-1e-3))
    state = tx.init(params)
    updates, state = tx.update(grads, state, params)
    params = apply_updates(params, updates)
"""
from typing import Any, Callable, NamedTuple

from tinytensor import _C
from tinytensor.autograd.grad_mode import no_grad
from tinytensor.optax.tree_utils import tree_map, tree_leaves, tree_zeros_like, \
    tree_full_like

__all__ = ["GradientTransformation", "GradientTransformationExtraArgs", "EmptyState",
           "identity", "chain", "scale", "scale_by_learning_rate", "scale_by_schedule",
           "scale_by_adam", "scale_by_rms", "scale_by_stddev", "scale_by_rss", "trace",
           "add_decayed_weights", "clip", "clip_by_global_norm", "global_norm",
           "apply_updates", "ScaleByAdamState", "ScaleByScheduleState", "TraceState",
           "ScaleByRmsState", "ScaleByRStdDevState", "ScaleByRssState"]


class GradientTransformation(NamedTuple):
    """A pair of pure functions: init(params) -> state, update(updates, state, params)."""
    init: Callable
    update: Callable


class GradientTransformationExtraArgs(GradientTransformation):
    """What chain() and the named optimizers return (as in Optax)."""


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


class ScaleByScheduleState(NamedTuple):
    count: Any


class ScaleByAdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


class TraceState(NamedTuple):
    trace: Any


class ScaleByRmsState(NamedTuple):
    nu: Any


class ScaleByRStdDevState(NamedTuple):
    mu: Any
    nu: Any


class ScaleByRssState(NamedTuple):
    sum_of_squares: Any


def _stateless(update_fn):
    """A transformation without state whose update is update_fn(updates, params)."""
    def init(params):
        return EmptyState()

    def update(updates, state, params=None):
        with no_grad():
            return update_fn(updates, params), state

    return GradientTransformation(init, update)


def _require_params(params):
    if params is None:
        raise ValueError("You are using a transformation that requires the current value of "
                         "parameters, but you are not passing `params` when calling `update`.")


def identity():
    """Leaves updates unchanged."""
    return _stateless(lambda updates, params: updates)


def chain(*transforms):
    """Apply transforms one after another; the state is the tuple of their states."""
    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(updates, state, params=None):
        if len(state) != len(transforms):
            raise ValueError("The number of updates and states has to be the same in chain! "
                             "Make sure you have called init first!")
        new_states = []
        for t, s in zip(transforms, state):
            updates, s = t.update(updates, s, params)
            new_states.append(s)
        return updates, tuple(new_states)

    return GradientTransformationExtraArgs(init, update)


def scale(step_size):
    """updates * step_size."""
    return _stateless(lambda updates, params: tree_map(lambda g: g * step_size, updates))


def scale_by_schedule(step_size_fn):
    """updates * step_size_fn(count), count = 0, 1, 2, ... over calls."""
    def init(params):
        return ScaleByScheduleState(count=0)

    def update(updates, state, params=None):
        step_size = step_size_fn(state.count)
        with no_grad():
            updates = tree_map(lambda g: g * step_size, updates)
        return updates, ScaleByScheduleState(count=state.count + 1)

    return GradientTransformation(init, update)


def scale_by_learning_rate(learning_rate, *, flip_sign=True):
    """updates * -learning_rate (a number or a schedule of the step count)."""
    m = -1 if flip_sign else 1
    if callable(learning_rate):
        return scale_by_schedule(lambda count: m * learning_rate(count))
    return scale(m * learning_rate)


def _moment(updates, moments, decay, order):
    """(1 - decay) * g**order + decay * moment, leaf by leaf."""
    if order == 1:
        return tree_map(lambda g, t: (1 - decay) * g + decay * t, updates, moments)
    return tree_map(lambda g, t: (1 - decay) * (g * g) + decay * t, updates, moments)


def _bias_correction(moments, decay, count):
    correction = 1 - decay ** count
    return tree_map(lambda t: t / correction, moments)


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *,
                  nesterov=False):
    """Adam's rescaling: m_hat / (sqrt(v_hat + eps_root) + eps)."""
    def init(params):
        return ScaleByAdamState(count=0, mu=tree_zeros_like(params),
                                nu=tree_zeros_like(params))

    def update(updates, state, params=None):
        with no_grad():
            mu = _moment(updates, state.mu, b1, 1)
            nu = _moment(updates, state.nu, b2, 2)
            count = state.count + 1
            if nesterov:
                mu_hat = tree_map(lambda m, g: b1 * (m / (1 - b1 ** (count + 1)))
                                  + (1 - b1) * (g / (1 - b1 ** count)), mu, updates)
            else:
                mu_hat = _bias_correction(mu, b1, count)
            nu_hat = _bias_correction(nu, b2, count)
            updates = tree_map(lambda m, v: m / ((v + eps_root).sqrt() + eps), mu_hat, nu_hat)
        return updates, ScaleByAdamState(count=count, mu=mu, nu=nu)

    return GradientTransformation(init, update)


def scale_by_rms(decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt=True,
                 bias_correction=False):
    """updates / sqrt(running mean of squares) (RMSprop's rescaling)."""
    def init(params):
        state = ScaleByRmsState(nu=tree_full_like(params, initial_scale))
        return (state, 0) if bias_correction else state

    def update(updates, state, params=None):
        count = None
        if bias_correction:
            state, count = state
        with no_grad():
            nu = _moment(updates, state.nu, decay, 2)
            nu_hat = _bias_correction(nu, decay, count + 1) if bias_correction else nu
            if eps_in_sqrt:
                updates = tree_map(lambda g, n: g * (n + eps).rsqrt(), updates, nu_hat)
            else:
                updates = tree_map(lambda g, n: g / (n.sqrt() + eps), updates, nu_hat)
        new = ScaleByRmsState(nu=nu)
        return updates, ((new, count + 1) if bias_correction else new)

    return GradientTransformation(init, update)


def scale_by_stddev(decay=0.9, eps=1e-8, initial_scale=0.0):
    """updates / sqrt(running variance) (centered RMSprop's rescaling)."""
    def init(params):
        return ScaleByRStdDevState(mu=tree_zeros_like(params),
                                   nu=tree_full_like(params, initial_scale))

    def update(updates, state, params=None):
        with no_grad():
            mu = _moment(updates, state.mu, decay, 1)
            nu = _moment(updates, state.nu, decay, 2)
            updates = tree_map(lambda g, m, n: g * (n - m * m + eps).rsqrt(), updates, mu, nu)
        return updates, ScaleByRStdDevState(mu=mu, nu=nu)

    return GradientTransformation(init, update)


def scale_by_rss(initial_accumulator_value=0.1, eps=1e-7):
    """updates / sqrt(sum of all squared updates so far) (Adagrad's rescaling)."""
    import tinytensor as tt

    def init(params):
        return ScaleByRssState(sum_of_squares=tree_full_like(params,
                                                             initial_accumulator_value))

    def update(updates, state, params=None):
        with no_grad():
            sos = tree_map(lambda g, s: g * g + s, updates, state.sum_of_squares)
            updates = tree_map(lambda s, g: tt.where(s > 0, (s + eps).rsqrt(), 0.0) * g,
                               sos, updates)
        return updates, ScaleByRssState(sum_of_squares=sos)

    return GradientTransformation(init, update)


def trace(decay, nesterov=False, accumulator_dtype=None):
    """Momentum: t = g + decay * t; updates = t (or g + decay * t with nesterov)."""
    def init(params):
        return TraceState(trace=tree_zeros_like(params))

    def update(updates, state, params=None):
        with no_grad():
            new_trace = tree_map(lambda g, t: g + decay * t, updates, state.trace)
            if nesterov:
                updates = tree_map(lambda g, t: g + decay * t, updates, new_trace)
            else:
                updates = new_trace
        return updates, TraceState(trace=new_trace)

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay=0.0, mask=None):
    """updates + weight_decay * params (decoupled weight decay, as in AdamW)."""
    def update_fn(updates, params):
        _require_params(params)
        return tree_map(lambda g, p: g + weight_decay * p, updates, params)
    return _stateless(update_fn)


def clip(max_delta):
    """Clamp every update into [-max_delta, max_delta]."""
    return _stateless(lambda updates, params: tree_map(
        lambda g: g.clamp(-max_delta, max_delta), updates))


def global_norm(updates):
    """sqrt of the sum of squares of every element of every leaf."""
    total = sum((g * g).sum() for g in tree_leaves(updates))
    return total.sqrt() if isinstance(total, _C.TensorBase) else total ** 0.5


def clip_by_global_norm(max_norm):
    """Scale all updates by max_norm / global_norm when that norm exceeds max_norm."""
    def update_fn(updates, params):
        g_norm = global_norm(updates)
        if g_norm < max_norm:
            return updates
        return tree_map(lambda t: (t / g_norm) * max_norm, updates)
    return _stateless(update_fn)


def apply_updates(params, updates):
    """params + updates, leaf by leaf, as new leaf tensors (requires_grad kept)."""
    def add(p, u):
        if u is None:
            return p
        with no_grad():
            out = (p + u).to(p.dtype) if isinstance(p, _C.TensorBase) else p + u
        if isinstance(p, _C.TensorBase) and p.requires_grad:
            out.requires_grad_(True)
        return out
    return tree_map(add, params, updates)
