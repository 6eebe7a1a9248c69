"""The named Optax optimizers, each a chain of transformations from transform.py.

learning_rate may be a number or a schedule (step -> value) from optax.schedules.

    tx = optax.adam(learning_rate=optax.exponential_decay(1.0, 100, 0.9))
"""
from tinytensor.optax.transform import (chain, identity, scale_by_adam, scale_by_learning_rate,
                                        scale_by_rms, scale_by_rss, scale_by_stddev, trace,
                                        add_decayed_weights)

__all__ = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]


def sgd(learning_rate, momentum=None, nesterov=False, accumulator_dtype=None):
    """Gradient descent, with heavy-ball or Nesterov momentum when momentum is given."""
    return chain(trace(decay=momentum, nesterov=nesterov) if momentum is not None
                 else identity(),
                 scale_by_learning_rate(learning_rate))


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *,
         nesterov=False):
    """Adam: scale_by_adam then -learning_rate."""
    return chain(scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype,
                               nesterov=nesterov),
                 scale_by_learning_rate(learning_rate))


def adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None,
          weight_decay=1e-4, mask=None, *, nesterov=False):
    """Adam with decoupled weight decay (added after the Adam rescaling)."""
    return chain(scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype,
                               nesterov=nesterov),
                 add_decayed_weights(weight_decay, mask),
                 scale_by_learning_rate(learning_rate))


def rmsprop(learning_rate, decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt=True,
            centered=False, momentum=None, nesterov=False, bias_correction=False):
    """RMSprop (centered: by the running standard deviation), then optional momentum."""
    rescale = scale_by_stddev(decay=decay, eps=eps, initial_scale=initial_scale) \
        if centered else scale_by_rms(decay=decay, eps=eps, initial_scale=initial_scale,
                                      eps_in_sqrt=eps_in_sqrt,
                                      bias_correction=bias_correction)
    return chain(rescale, scale_by_learning_rate(learning_rate),
                 trace(decay=momentum, nesterov=nesterov) if momentum is not None
                 else identity())


def adagrad(learning_rate, initial_accumulator_value=0.1, eps=1e-7):
    """Adagrad: divide by the root of the sum of squared gradients so far."""
    return chain(scale_by_rss(initial_accumulator_value=initial_accumulator_value, eps=eps),
                 scale_by_learning_rate(learning_rate))
