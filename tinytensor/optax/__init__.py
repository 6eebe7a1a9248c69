"""tinytensor.optax: Optax's composable gradient transformations, on tinytensor tensors.

Where torch.optim updates parameters in place, an Optax optimizer is a pair of pure
functions, and any pytree (a tensor, a list or dict of tensors) can be the parameters:

    from tinytensor import optax
    tx = optax.sgd(learning_rate=1e-5)
    state = tx.init(beta)
    for _ in range(30):
        grad = torch.func.grad(loss_fn)(beta, X, y)
        updates, state = tx.update(grad, state)
        beta = optax.apply_updates(beta, updates)

optax.sgd / optax.adam give the parameters torch.optim.SGD / Adam give (to rounding).
"""
from tinytensor.optax import schedules, tree_utils
from tinytensor.optax.schedules import (constant_schedule, polynomial_schedule,
                                        linear_schedule, piecewise_constant_schedule,
                                        exponential_decay, cosine_decay_schedule,
                                        join_schedules, warmup_cosine_decay_schedule,
                                        warmup_exponential_decay_schedule)
from tinytensor.optax.transform import (GradientTransformation,
                                        GradientTransformationExtraArgs, EmptyState,
                                        identity, chain, scale, scale_by_learning_rate,
                                        scale_by_schedule, scale_by_adam, scale_by_rms,
                                        scale_by_stddev, scale_by_rss, trace,
                                        add_decayed_weights, clip, clip_by_global_norm,
                                        global_norm, apply_updates, ScaleByAdamState,
                                        ScaleByScheduleState, TraceState, ScaleByRmsState,
                                        ScaleByRStdDevState, ScaleByRssState)
from tinytensor.optax.alias import sgd, adam, adamw, rmsprop, adagrad
