"""Loss functions of nn.functional (the nn.*Loss modules call these).

Each takes reduction='mean' | 'sum' | 'none' and torch's legacy size_average/reduce flags.
Losses with their own torch backward node (MseLossBackward0, NllLossBackward0,
BinaryCrossEntropyBackward0) are Functions here; the rest are composed from tensor ops.

    loss = F.cross_entropy(logits, labels)            # log_softmax + nll_loss
"""
import warnings

import tinytensor as tt
from tinytensor import _C
from tinytensor.autograd.function import Function

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss",
           "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "kl_div", "soft_margin_loss", "margin_ranking_loss", "poisson_nll_loss"]


def _legacy_reduction(size_average, reduce, reduction):
    """torch's _Reduction.legacy_get_string: map the old flags onto reduction."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", stacklevel=3)
    return reduction


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


# ---- regression losses ----------------------------------------------------------------------
class _MseLoss(Function, node_name="MseLossBackward0"):
    @staticmethod
    def forward(ctx, input, target, reduction):
        diff = input - target
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        diff, = ctx.saved_tensors
        norm = 2.0 / diff.numel() if ctx.reduction == "mean" else 2.0
        g = diff * norm * grad
        return g, -g, None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """mean((input - target)^2) (or its sum, or elementwise)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    if weight is not None:
        return _reduce(weight * (input - target) ** 2, reduction)
    return _MseLoss.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """mean(|input - target|)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = (input - target).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    """0.5 z^2 / beta where z = |input - target| < beta, else z - 0.5 beta."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    z = (input - target).abs()
    if beta == 0:
        return _reduce(z, reduction)
    return _reduce(tt.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 z^2 where z = |input - target| < delta, else delta * (z - 0.5 delta)."""
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    z = (input - target).abs()
    loss = tt.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    return _reduce(loss if weight is None else loss * weight, reduction)


# ---- classification losses ---------------------------------------------------------------------
class _NllLoss(Function, node_name="NllLossBackward0"):
    """-input[i, target[i]] * weight[target[i]] on (M, C) input and (M,) target."""

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        m, c = input.shape
        valid = target != ignore_index
        safe = tt.where(valid, target, 0)
        if m and (bool((safe < 0).any()) or bool((safe >= c).any())):
            bad = safe[(safe < 0) | (safe >= c)][0].item()
            raise IndexError(f"Target {bad} is out of bounds.")
        w = valid.to(input.dtype)
        if weight is not None:
            w = w * weight[safe]
        rows = tt.arange(m)
        losses = -input[rows, safe] * w
        ctx.save_for_backward(safe, w)
        ctx.shape = (m, c)
        ctx.reduction = reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        total = w.sum()
        ctx.total = total
        return losses.sum() / total

    @staticmethod
    def backward(ctx, grad):
        safe, w = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = grad / ctx.total
        values = -w * grad
        g = _C.fill_(_C.empty(ctx.shape, w.dtype), 0)
        g[tt.arange(ctx.shape[0]), safe] = values
        return g, None, None, None, None


def _flatten_classes(input, target):
    """(N, C, d1, ...) input and (N, d1, ...) target as (M, C) and (M,)."""
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported")
        return input.unsqueeze(0), target.reshape(1), ()
    if input.dim() == 2:
        if target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.dim() == 2:
        return input, target, (input.shape[0],)
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                           f"{list(target.shape)})")
    c = input.shape[1]
    flat = input.movedim(1, -1).reshape(-1, c)
    return flat, target.reshape(-1), tuple(target.shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[n, target[n]] (input holds log-probabilities), weighted and reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.dtype not in (_C.int64, _C.uint8, _C.int32):
        raise RuntimeError(f"expected scalar type Long but found {target.dtype}")
    if weight is not None and weight.numel() != input.shape[1 if input.dim() > 1 else 0]:
        raise RuntimeError(f"weight tensor should be defined either for all "
                           f"{input.shape[1 if input.dim() > 1 else 0]} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")
    flat, flat_target, out_shape = _flatten_classes(input, target.to(_C.int64))
    loss = _NllLoss.apply(flat, flat_target, weight, ignore_index, reduction)
    if reduction == "none":
        return loss.reshape(out_shape)
    return loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """nll_loss(log_softmax(input)) for class indices; -sum(p * log_softmax) for probabilities."""
    from tinytensor.nn.functional import log_softmax
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    wshape = [1] * input.dim()
    if weight is not None:
        wshape[class_dim] = n_classes
        weight_view = weight.reshape(wshape)

    if target.is_floating_point():         # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            logp = logp * weight_view
        loss = -(logp * target).sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() / n_classes)
        return _reduce(loss, reduction)

    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    ignore = target == ignore_index
    smooth = -(logp * weight_view).sum(class_dim) if weight is not None else \
        -logp.sum(class_dim)
    smooth = tt.where(ignore, 0.0, smooth)
    if reduction == "mean":
        if weight is not None:
            kept = target[~ignore]
            smooth = smooth.sum() / weight[kept].sum()
        else:
            smooth = smooth.sum() / (~ignore).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


class _BinaryCrossEntropy(Function, node_name="BinaryCrossEntropyBackward0"):
    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        if bool(((input < 0) | (input > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        log_x = input.log().clamp(min=-100)
        log_1mx = (-input).log1p().clamp(min=-100)
        loss = (target - 1) * log_1mx - target * log_x
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(input, target, weight)
        ctx.reduction = reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        # torch's order: the elementwise gradient, times the weight, then / numel (mean)
        # torch's EPSILON is the float 1e-12f; the target's gradient is -logit(x)
        grad_x = grad * (x - t) / ((1 - x) * x).clamp(min=9.99999996004197e-13)
        grad_t = -(x / (1 - x)).log() * grad
        if w is not None:
            grad_x = grad_x * w
            grad_t = grad_t * w
        if ctx.reduction == "mean":
            grad_x = grad_x / x.numel()
            grad_t = grad_t / x.numel()
        return grad_x, grad_t, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (t log(x) + (1 - t) log(1 - x)), each log clamped at -100 as torch does."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they "
                         "have the same size.")
    if weight is not None:
        import numpy as np
        weight = weight.expand(np.broadcast_shapes(tuple(target.shape), tuple(weight.shape)))
    return _BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from logits."""
    from tinytensor.nn.functional import logsigmoid
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    log_sig = logsigmoid(input)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    """target * (log(target) - input), input holding log-probabilities."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size.'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition.'mean' will be changed to "
                      "behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = tt.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-target * input).exp().log1p(), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        import math
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + tt.where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)
