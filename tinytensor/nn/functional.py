"""nn.functional: activations, softmax, dropout, linear, embedding, normalisation, padding,
and (re-exported from their own files) losses, convolution and pooling.

Activations run one C kernel forward (ctensor/unary_ops.def has torch's formulas) and
write their derivative beside it, so `F.gelu(x).grad_fn` is a GeluBackward0 as in torch.

    import tinytensor.nn.functional as F
    p = F.softmax(logits, dim=1)
"""
import math
import warnings

import tinytensor as tt
from tinytensor import _C
from tinytensor.autograd.function import Function

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "celu",
    "gelu", "silu", "mish", "sigmoid", "tanh", "softplus", "logsigmoid", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "threshold", "threshold_", "softsign",
    "tanhshrink", "softmax", "log_softmax", "softmin", "glu", "dropout", "dropout1d",
    "dropout2d", "alpha_dropout", "linear", "bilinear", "one_hot", "embedding",
    "layer_norm", "batch_norm", "group_norm", "normalize", "pad", "cosine_similarity",
    "pairwise_distance",
]


# ---- pointwise activations: one kernel forward, the derivative beside it -----------------
def _activation(node_name, kernel, derivative, save_output=False):
    """A Function running _C.unary(kernel) with params, differentiated by derivative.

    derivative(grad, saved, *params) -> grad_input, where saved is the input (a copy of
    it for in-place calls), or the output when save_output (relu: out > 0 iff x > 0)."""

    def forward(ctx, input, params, inplace):
        p = dict(zip(("p0", "p1", "p2"), params))
        saved = None if save_output else _C.clone(input) if inplace else input
        out = _C.unary(kernel, input, out=input if inplace else None, **p)
        if inplace:
            ctx.mark_dirty(input)
        ctx.save_for_backward(out if save_output else saved)
        ctx.params = params
        return out

    def backward(ctx, grad):
        saved, = ctx.saved_tensors
        return derivative(grad, saved, *ctx.params), None, None

    return type(node_name.replace("Backward0", ""), (Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward),
                 "__module__": __name__}, node_name=node_name)


def _apply_activation(fn, input, params=(), inplace=False):
    if inplace:
        input._check_inplace()
    return fn.apply(input, tuple(params), inplace)


def _relu_grad(grad, saved):
    return tt.where(saved > 0, grad, 0.0)


def _leaky_relu_grad(grad, saved, slope):
    return tt.where(saved > 0, grad, grad * slope)


def _elu_grad(grad, x, alpha, scale, input_scale):
    neg = grad * (input_scale * alpha * scale) * (x * input_scale).exp()
    return tt.where(x > 0, grad * scale, neg)


def _gelu_grad(grad, x):
    cdf = 0.5 * (1 + (x * (0.5 ** 0.5)).erf())
    pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
    return grad * (cdf + x * pdf)


def _gelu_tanh_grad(grad, x):
    beta = math.sqrt(2.0 / math.pi)
    kappa = 0.044715
    inner = beta * (x + kappa * x * x * x)
    t = inner.tanh()
    left_derivative = 0.5 * (1 + t)
    right_derivative = 0.5 * x * (1 - t * t) * beta * (1 + 3 * kappa * x * x)
    return grad * (left_derivative + right_derivative)


def _silu_grad(grad, x):
    s = x.sigmoid()
    return grad * s * (1 + x * (1 - s))


def _mish_grad(grad, x):
    t = _C.unary("softplus", x, p0=1.0, p1=20.0).tanh()
    return grad * (t + x * x.sigmoid() * (1 - t * t))


def _softplus_grad(grad, x, beta, threshold):
    z = (x * beta).exp()
    return tt.where(x * beta > threshold, grad, grad * z / (z + 1))


def _logsigmoid_grad(grad, x):
    return grad * (-x).sigmoid()


def _hardsigmoid_grad(grad, x):
    # torch's kernel multiplies by the float 1.0f / 6.0f, in every dtype
    return tt.where((x > -3) & (x < 3), grad * 0.1666666716337204, 0.0)


def _hardswish_grad(grad, x):
    return tt.where(x < -3, 0.0, tt.where(x <= 3, grad * (x / 3 + 0.5), grad))


_Relu = _activation("ReluBackward0", "relu", _relu_grad, save_output=True)
_LeakyRelu = _activation("LeakyReluBackward0", "leaky_relu", _leaky_relu_grad)
_Elu = _activation("EluBackward0", "elu", _elu_grad)
def _celu_grad(grad, x, alpha, scale, input_scale):
    # torch's derivative formula takes 1 / alpha.toFloat(): alpha rounded to float first
    import numpy as np
    return _elu_grad(grad, x, alpha, scale, 1.0 / float(np.float32(alpha)))


_Celu = _activation("CeluBackward0", "elu", _celu_grad)
_Gelu = _activation("GeluBackward0", "gelu", _gelu_grad)
_GeluTanh = _activation("GeluBackward0", "gelu_tanh", _gelu_tanh_grad)
_Silu = _activation("SiluBackward0", "silu", _silu_grad)
_Mish = _activation("MishBackward0", "mish", _mish_grad)
_Softplus = _activation("SoftplusBackward0", "softplus", _softplus_grad)
_LogSigmoid = _activation("LogSigmoidBackward0", "logsigmoid", _logsigmoid_grad)
_Hardsigmoid = _activation("HardsigmoidBackward0", "hardsigmoid", _hardsigmoid_grad)
_Hardswish = _activation("HardswishBackward0", "hardswish", _hardswish_grad)


def relu(input, inplace=False):
    """max(x, 0) elementwise."""
    return _apply_activation(_Relu, input, (), inplace)


def relu_(input):
    return relu(input, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    return _apply_activation(_LeakyRelu, input, (float(negative_slope),), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _apply_activation(_Elu, input, (float(alpha), 1.0, 1.0), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _apply_activation(_Elu, input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _apply_activation(_Celu, input, (float(alpha), 1.0, 1.0 / alpha), inplace)


def gelu(input, approximate="none"):
    """x * Phi(x) (or its tanh approximation when approximate='tanh')."""
    if approximate == "none":
        return _Gelu.apply(input, (), False)
    if approximate == "tanh":
        return _GeluTanh.apply(input, (), False)
    raise RuntimeError(f"approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _apply_activation(_Silu, input, (), inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _apply_activation(_Mish, input, (), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear above threshold."""
    return _Softplus.apply(input, (float(beta), float(threshold)), False)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return _LogSigmoid.apply(input, (), False)


def hardsigmoid(input, inplace=False):
    return _apply_activation(_Hardsigmoid, input, (), inplace)


def hardswish(input, inplace=False):
    return _apply_activation(_Hardswish, input, (), inplace)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


class _Hardtanh(Function, node_name="HardtanhBackward0"):
    @staticmethod
    def forward(ctx, input, min_val, max_val, inplace):
        out = _C.clamp(input, min_val, max_val, out=input if inplace else None)
        if inplace:
            ctx.mark_dirty(input)
        ctx.save_for_backward(out if inplace else input)
        ctx.bounds = (min_val, max_val)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        lo, hi = ctx.bounds
        return tt.where((x > lo) & (x < hi), grad, 0.0), None, None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val] (gradient 0 at and beyond the bounds)."""
    if inplace:
        input._check_inplace()
    return _Hardtanh.apply(input, min_val, max_val, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class _Threshold(Function, node_name="ThresholdBackward0"):
    @staticmethod
    def forward(ctx, input, threshold, value, inplace):
        out = tt.where(input <= threshold, value, input).to(input.dtype)
        if inplace:
            _C.copy_(input, out)
            ctx.mark_dirty(input)
            out = input
        ctx.save_for_backward(out if inplace else input)
        ctx.threshold = threshold
        return out

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return tt.where(x <= ctx.threshold, 0.0, grad), None, None, None


def threshold(input, threshold, value, inplace=False):
    """value where x <= threshold, else x."""
    if inplace:
        input._check_inplace()
    return _Threshold.apply(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _Threshold.apply(input, threshold, value, True)


def glu(input, dim=-1):
    """a * sigmoid(b) for the two halves a, b of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


# ---- softmax family ------------------------------------------------------------------------
def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


class _Softmax(Function, node_name="SoftmaxBackward0"):
    @staticmethod
    def forward(ctx, input, dim):
        e = (input - input.amax(dim, keepdim=True)).exp()
        out = e / e.sum(dim, keepdim=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True)), None


class _LogSoftmax(Function, node_name="LogSoftmaxBackward0"):
    @staticmethod
    def forward(ctx, input, dim):
        shifted = input - input.amax(dim, keepdim=True)
        out = shifted - shifted.exp().sum(dim, keepdim=True).log()
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True), None


def _softmax_input(input, dtype):
    return input if dtype is None else input.to(dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    input = _softmax_input(input, dtype)
    if input.dim() == 0:
        return _Softmax.apply(input.reshape(1), 0).reshape(())
    return _Softmax.apply(input, _C._wrap_dim(dim, input.dim()))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along dim."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return softmax(-_softmax_input(input, dtype), dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along dim."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    input = _softmax_input(input, dtype)
    if input.dim() == 0:
        return _LogSoftmax.apply(input.reshape(1), 0).reshape(())
    return _LogSoftmax.apply(input, _C._wrap_dim(dim, input.dim()))


# ---- dropout ---------------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, noise_shape):
    # torch's CPU path (_dropout_impl): a bernoulli(1 - p) mask scaled by 1 / (1 - p)
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        mask = _C.fill_(_C.empty((), input.dtype), 0)
    else:
        mask = _C.empty(noise_shape, input.dtype).bernoulli_(1 - p)
        _C.binary("div", mask, 1 - p, out=mask)
    return input.mul_(mask) if inplace else input * mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p)."""
    return _dropout(input, p, training, inplace, tuple(input.shape))


def _feature_dropout(input, p, training, inplace, name, feature_dims):
    nd = input.dim()
    if nd not in feature_dims:
        warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and "
                      "will result in an error in a future release.", stacklevel=3)
    batched = nd == max(feature_dims)
    shape = tuple(input.shape[:2]) if batched else tuple(input.shape[:1])
    shape = shape + (1,) * (nd - len(shape))
    return _dropout(input, p, training, inplace, shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, L) or (C, L) input."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a "
                           f"{input.dim()}D input.")
    return _feature_dropout(input, p, training, inplace, "dropout1d", (2, 3))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, H, W) or (C, H, W) input."""
    return _feature_dropout(input, p, training, inplace, "dropout2d", (3, 4))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the self-normalising mean and variance (for SELU)."""
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    keep = _C.empty(tuple(input.shape), input.dtype).bernoulli_(1 - p)
    alpha = 1.7580993408473766
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = (keep - 1) * (alpha * a) + alpha * a * p
    out = input * (keep * a) + b
    return input.copy_(out) if inplace else out


# ---- linear layers --------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """input @ weight.T + bias."""
    if bias is not None and input.dim() == 2 and weight.dim() == 2 and bias.dim() == 1 \
            and input.size(1) == weight.size(1) and bias.size(0) == weight.size(0) \
            and input.dtype == weight.dtype == bias.dtype:
        return _Addmm.apply(bias, input, weight.t())    # torch's node for a 2-D input
    out = input.matmul(weight.t()) if weight.dim() == 2 else input.matmul(weight)
    return out if bias is None else out + bias


class _Addmm(Function, node_name="AddmmBackward0"):
    """bias + input @ weight_t: one node for a Linear layer's product and bias, as torch
    records linear on a matrix (its bias gradient is the column sum, not a broadcast
    gradient the engine would have to sum back)."""

    @staticmethod
    def forward(ctx, bias, input, weight_t):
        need = ctx.needs_input_grad     # () when nothing records
        if need:    # each factor only for the other's gradient, as torch's addmm
            ctx.save_for_backward(input if need[2] else None, weight_t if need[1] else None)
        return _C.binary("add", _C.matmul(input, weight_t), bias, dtype=bias.dtype)

    @staticmethod
    def backward(ctx, g):
        input, weight_t = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g.sum(0) if need[0] else None,
                g.mm(weight_t.t()) if need[1] else None,
                input.t().mm(g) if need[2] else None)


def bilinear(input1, input2, weight, bias=None):
    """out[..., k] = input1 @ weight[k] @ input2 (+ bias[k])."""
    # (..., 1, 1, i) @ (o, i, j) -> (..., o, 1, j); then with input2 as (..., 1, j, 1)
    left = input1.unsqueeze(-2).unsqueeze(-3).matmul(weight)
    out = left.matmul(input2.unsqueeze(-2).unsqueeze(-1)).squeeze(-1).squeeze(-1)
    return out if bias is None else out + bias


def one_hot(tensor, num_classes=-1):
    """An int64 tensor with a trailing dim of num_classes, 1 at each index."""
    if tensor.dtype != _C.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.max()) + 1
        elif int(tensor.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = tt.arange(num_classes)
    return (tensor.unsqueeze(-1) == classes).to(_C.int64)


class _Embedding(Function, node_name="EmbeddingBackward0"):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight.shape[0]
        ctx.padding_idx = padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        indices, = ctx.saved_tensors
        flat = indices.reshape(-1)
        g = grad.reshape(flat.shape[0], -1)
        if ctx.padding_idx is not None:
            g = g * (flat != ctx.padding_idx).unsqueeze(1).to(g.dtype)
        # rows hit by several indices sum their gradients
        grad_weight = tt.zeros(ctx.num_weights, g.shape[1], dtype=g.dtype)
        return grad_weight.index_add_(0, flat, g), None, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of weight picked by the integer tensor input."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    if input.dtype not in (_C.int64, _C.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    return _Embedding.apply(weight, input, padding_idx)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescale in place the rows used by input whose norm exceeds max_norm."""
    from tinytensor.autograd.grad_mode import no_grad
    with no_grad():
        rows = sorted(set(input.reshape(-1).tolist()))
        idx = tt.tensor(rows, dtype=_C.int64)
        picked = weight[idx]
        norms = (picked.abs() ** norm_type).sum(1, keepdim=True) ** (1.0 / norm_type)
        scale = tt.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[idx] = picked * scale


# ---- normalisation --------------------------------------------------------------------------
def _trailing_dims(input, normalized_shape):
    """The dims of input that normalized_shape names (its last ones), or torch's error."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(normalized_shape)
    n = len(normalized_shape)
    if tuple(input.shape[input.dim() - n:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}")
    return tuple(range(input.dim() - n, input.dim()))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing normalized_shape dims, then scale and shift."""
    dims = _trailing_dims(input, normalized_shape)
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divide by the root mean square over the trailing dims (eps: the dtype's), then scale."""
    dims = _trailing_dims(input, normalized_shape)
    if eps is None:
        eps = tt.finfo(input.dtype).eps
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def _channel_view(t, ndim):
    """t of shape (C,) viewed to broadcast over (N, C, *spatial)."""
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel by batch statistics (training) or running ones (eval)."""
    ndim = input.dim()
    if training:
        size = input.numel() // input.shape[1]
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape}")
        dims = (0,) + tuple(range(2, ndim))
        mean = input.mean(dims)
        centered = input - _channel_view(mean, ndim)
        var = (centered * centered).mean(dims)
        if running_mean is not None:
            from tinytensor.autograd.grad_mode import no_grad
            with no_grad():
                running_mean.mul_(1 - momentum).add_(mean.detach() * momentum)
                unbiased = var.detach() * (size / (size - 1))
                running_var.mul_(1 - momentum).add_(unbiased * momentum)
        out = centered * _channel_view((var + eps).rsqrt(), ndim)
    else:
        out = (input - _channel_view(running_mean, ndim)) * \
            _channel_view((running_var + eps).rsqrt(), ndim)
    if weight is not None:
        out = out * _channel_view(weight, ndim)
    if bias is not None:
        out = out + _channel_view(bias, ndim)
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise over groups of channels (and all spatial positions) per sample."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {input.shape} and "
                           f"num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    mean = grouped.mean(-1, keepdim=True)
    centered = grouped - mean
    var = (centered * centered).mean(-1, keepdim=True)
    out = (centered * (var + eps).rsqrt()).reshape(input.shape)
    if weight is not None:
        out = out * _channel_view(weight, input.dim())
    if bias is not None:
        out = out + _channel_view(bias, input.dim())
    return out


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    if p == 2:
        norm = (input * input).sum(dim, keepdim=True).sqrt()
    else:
        norm = (input.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    result = input / norm.clamp(min=eps).expand_as(input)
    return result if out is None else out.copy_(result)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """<x1, x2> / max(||x1|| * ||x2||, eps) along dim."""
    w12 = (x1 * x2).sum(dim)
    n1 = (x1 * x1).sum(dim)
    n2 = (x2 * x2).sum(dim)
    return w12 / (n1 * n2).clamp(min=eps * eps).sqrt()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    d = (x1 - x2 + eps).abs()
    return (d ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


# ---- padding --------------------------------------------------------------------------------
class _ConstantPad(Function, node_name="ConstantPadNdBackward0"):
    @staticmethod
    def forward(ctx, input, pad, value):
        shape = list(input.shape)
        src, dst = [slice(None)] * len(shape), [slice(None)] * len(shape)
        for i in range(len(pad) // 2):
            d = len(shape) - 1 - i
            before, after = pad[2 * i], pad[2 * i + 1]
            size = shape[d]
            new = size + before + after
            if new < 0:
                raise RuntimeError(f"The input size {size}, plus negative padding "
                                   f"{before} and {after} resulted in a negative output "
                                   f"size, which is invalid. Check dimension {d} of your "
                                   "input.")
            src[d] = slice(max(-before, 0), size - max(-after, 0))
            dst[d] = slice(max(before, 0), new - max(after, 0))
            shape[d] = new
        out = _C.fill_(_C.empty(tuple(shape), input.dtype), value)
        out[tuple(dst)] = input[tuple(src)]
        ctx.slices = (tuple(src), tuple(dst), tuple(input.shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        src, dst, shape = ctx.slices
        g = _C.fill_(_C.empty(shape, grad.dtype), 0)
        g[src] = grad[dst]
        return g, None, None


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: pad = (left, right, top, bottom, ...)."""
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.dim()}")
    pad = tuple(int(p) for p in pad)
    if mode == "constant":
        return _ConstantPad.apply(input, pad, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if mode in ("reflect", "replicate", "circular"):
        return _index_pad(input, pad, mode)
    raise NotImplementedError(f"Unrecognised padding mode {mode}")


def _index_pad(input, pad, mode):
    """reflect / replicate / circular padding as a gather of input positions per dim."""
    out = input
    for i in range(len(pad) // 2):
        d = input.dim() - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        n = input.shape[d]
        pos = list(range(-before, n + after))
        if mode == "replicate":
            idx = [min(max(p, 0), n - 1) for p in pos]
        elif mode == "circular":
            idx = [p % n for p in pos]
        else:
            if before >= n or after >= n:
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding "
                                   f"({before}, {after}) at dimension {d} of input "
                                   f"{list(input.shape)}")
            idx = [-p if p < 0 else 2 * (n - 1) - p if p >= n else p for p in pos]
        index = (slice(None),) * d + (tt.tensor(idx, dtype=_C.int64),)
        out = out[index]
    return out


# Losses, convolution and pooling live in their own files; F exports them all.
from tinytensor.nn._loss_functions import *  # noqa: E402,F401,F403
from tinytensor.nn._loss_functions import __all__ as _loss_all  # noqa: E402
from tinytensor.nn._conv_functions import *  # noqa: E402,F401,F403
from tinytensor.nn._conv_functions import __all__ as _conv_all  # noqa: E402

__all__ += _loss_all + _conv_all
