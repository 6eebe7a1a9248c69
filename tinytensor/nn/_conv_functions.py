"""Convolution and pooling for nn.functional, built on strided views and matmul.

Note [im2col]: a convolution's sliding windows are a strided view of the (padded) input:
windows[n, c, i, j, y, x] = input[n, c, y*stride + i*dilation, x*stride + j*dilation].
Copying that view into a (C*KH*KW, OH*OW) matrix per sample turns the convolution into
one matmul with the (O, C*KH*KW) weight.  The backward runs the other way: the window
gradient is added back into the input once per kernel offset (i, j), a loop over KH*KW
whole-tensor adds, because windows overlap.  Pooling reuses the same window view.

    y = F.conv2d(x, w, b, stride=1, padding=1)      # x: (N, C, H, W), w: (O, C, 3, 3)
"""
import math

import tinytensor as tt
from tinytensor import _C
from tinytensor.autograd.function import Function, once_differentiable

__all__ = ["conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "unfold"]


def _pair(x, name="kernel_size"):
    if isinstance(x, int):
        return (x, x)
    x = tuple(x)
    if len(x) == 1:
        return (x[0], x[0])
    return x


def _zeros(shape, dtype):
    return _C.fill_(_C.empty(tuple(shape), dtype), 0)


def _padded(x, pads, value=0.0):
    """x (N, C, H, W) inside a new contiguous tensor with pads = (top, bottom, left, right)."""
    top, bottom, left, right = pads
    if not any(pads):
        return _C.contiguous(x)
    n, c, h, w = x.shape
    out = _C.fill_(_C.empty((n, c, h + top + bottom, w + left + right), x.dtype), value)
    out[:, :, top:top + h, left:left + w] = x
    return out


def _windows(x, kernel, stride, dilation, out_hw):
    """The (N, C, KH, KW, OH, OW) view of windows of a contiguous x; see Note [im2col]."""
    n, c = x.shape[0], x.shape[1]
    sn, sc, sh, sw = x.stride()
    return _C.as_strided(x, (n, c, kernel[0], kernel[1], out_hw[0], out_hw[1]),
                         (sn, sc, dilation[0] * sh, dilation[1] * sw, stride[0] * sh,
                          stride[1] * sw), x.storage_offset())


def _add_windows_back(grad_windows, padded_shape, kernel, stride, dilation, out_hw):
    """The input gradient from window gradients (N, C, KH, KW, OH, OW): sum over offsets."""
    g = _zeros(padded_shape, grad_windows.dtype)
    oh, ow = out_hw
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            y0, x0 = i * dilation[0], j * dilation[1]
            region = g[:, :, y0:y0 + stride[0] * (oh - 1) + 1:stride[0],
                       x0:x0 + stride[1] * (ow - 1) + 1:stride[1]]
            _C.binary("add", region, grad_windows[:, :, i, j], out=region)
    return g


def _out_size(size, pad_total, kernel, stride, dilation, ceil_mode=False, pad_left=0):
    span = size + pad_total - dilation * (kernel - 1) - 1
    if ceil_mode:
        out = -(-span // stride) + 1
        if (out - 1) * stride >= size + pad_left:   # the last window must start inside
            out -= 1
        return out
    return span // stride + 1


# ---- convolution ----------------------------------------------------------------------------
class _Conv2d(Function, node_name="ConvolutionBackward0"):
    @staticmethod
    def forward(ctx, input, weight, bias, stride, pads, dilation, groups):
        n, c, h, w = input.shape
        o, cg, kh, kw = weight.shape
        x = _padded(input, pads)
        oh = _out_size(h, pads[0] + pads[1], kh, stride[0], dilation[0])
        ow = _out_size(w, pads[2] + pads[3], kw, stride[1], dilation[1])
        if oh <= 0 or ow <= 0:
            raise RuntimeError(
                f"Calculated padded input size per channel: ({x.shape[2]} x {x.shape[3]}). "
                f"Kernel size: ({dilation[0] * (kh - 1) + 1} x {dilation[1] * (kw - 1) + 1}). "
                "Kernel size can't be greater than actual input size")
        cols = _windows(x, (kh, kw), stride, dilation, (oh, ow)) \
            .reshape(n, groups, cg * kh * kw, oh * ow)
        wmat = weight.reshape(groups, o // groups, cg * kh * kw)
        out = wmat.matmul(cols).reshape(n, o, oh, ow)
        if bias is not None:
            out = out + bias.reshape(1, o, 1, 1)
        ctx.save_for_backward(cols, weight)
        ctx.geometry = (tuple(input.shape), tuple(x.shape), pads, stride, dilation, groups,
                        (oh, ow), bias is not None)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        cols, weight = ctx.saved_tensors
        in_shape, padded_shape, pads, stride, dilation, groups, out_hw, has_bias = ctx.geometry
        n = in_shape[0]
        o, cg, kh, kw = weight.shape
        go = grad.reshape(n, groups, o // groups, out_hw[0] * out_hw[1])
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            wmat = weight.reshape(groups, o // groups, cg * kh * kw)
            gcols = wmat.transpose(-1, -2).matmul(go).reshape(
                n, in_shape[1], kh, kw, out_hw[0], out_hw[1])
            g = _add_windows_back(gcols, padded_shape, (kh, kw), stride, dilation, out_hw)
            grad_input = g[:, :, pads[0]:pads[0] + in_shape[2], pads[2]:pads[2] + in_shape[3]]
        if ctx.needs_input_grad[1]:
            grad_weight = go.matmul(cols.transpose(-1, -2)).sum(0).reshape(weight.shape)
        if has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad.sum((0, 2, 3))
        return grad_input, grad_weight, grad_bias, None, None, None, None


def _conv_padding(padding, kernel, dilation, stride):
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    ph, pw = _pair(padding)
    return (ph, ph, pw, pw)


def _check_conv(input, weight, groups, name, spatial):
    if input.dim() not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(input.shape)}")
    channels = input.shape[-spatial - 1]
    if weight.shape[1] * groups != channels:
        batched = input if input.dim() == spatial + 2 else input.unsqueeze(0)
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(batched.shape)} to have "
                           f"{weight.shape[1] * groups} channels, but got {channels} "
                           "channels instead")
    if weight.shape[0] % groups != 0:
        raise RuntimeError("out_channels must be divisible by groups")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of (N, C, H, W) input with (O, C/groups, KH, KW) weight."""
    _check_conv(input, weight, groups, "conv2d", 2)
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    stride, dilation = _pair(stride), _pair(dilation)
    pads = _conv_padding(padding, weight.shape[2:], dilation, stride)
    out = _Conv2d.apply(input, weight, bias, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation of (N, C, L) input with (O, C/groups, K) weight."""
    _check_conv(input, weight, groups, "conv1d", 1)
    unbatched = input.dim() == 2
    if unbatched:
        input = input.unsqueeze(0)
    one = lambda v: v if isinstance(v, int) else tuple(v)[0]  # noqa: E731
    if isinstance(padding, str):
        pads = (0, 0) + _conv_padding(padding, weight.shape[2:], (one(dilation),),
                                      (one(stride),))
    else:
        pads = (0, 0, one(padding), one(padding))
    out = _Conv2d.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, one(stride)),
                        pads, (1, one(dilation)), groups).squeeze(2)
    return out.squeeze(0) if unbatched else out


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) to (N, C*KH*KW, L) sliding-window columns."""
    if input.dim() != 4:
        raise NotImplementedError("Input Error: Only 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    n, c = input.shape[:2]
    kernel = _pair(kernel_size)
    eye = tt.eye(c * kernel[0] * kernel[1], dtype=input.dtype).reshape(-1, c, *kernel)
    # A convolution with one-hot kernels copies each window element to its own channel.
    return conv2d(input, eye, None, stride, padding, dilation).reshape(
        n, c * kernel[0] * kernel[1], -1)


# ---- pooling --------------------------------------------------------------------------------
def _pool_geometry(shape, kernel, stride, padding, dilation, ceil_mode, name):
    kernel = _pair(kernel)
    stride = kernel if stride is None or (not isinstance(stride, int) and not stride) \
        else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            if name == "max_pool2d":
                raise RuntimeError(f"pad should be at most half of effective kernel size, but "
                                   f"got pad={p}, kernel_size={k} and dilation={d}")
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={p} "
                               f"and kernel_size={k}")
    out = tuple(_out_size(s, 2 * p, k, st, d, ceil_mode, p)
                for s, p, k, st, d in zip(shape[-2:], padding, kernel, stride, dilation))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(str(s) for s in shape[-3:])}). "
                           f"Calculated output size: ({shape[-3]}x{out[0]}x{out[1]}). Output "
                           "size is too small")
    # rows/cols read by the last window, beyond the input and its left padding
    extra = tuple(max(0, (o - 1) * st + d * (k - 1) + 1 - s - p)
                  for o, st, d, k, s, p in zip(out, stride, dilation, kernel, shape[-2:],
                                               padding))
    pads = (padding[0], extra[0], padding[1], extra[1])
    return kernel, stride, dilation, pads, out


class _MaxPool2d(Function, node_name="MaxPool2DWithIndicesBackward0"):
    @staticmethod
    def forward(ctx, input, kernel, stride, dilation, pads, out_hw):
        x = _padded(input, pads, value=-math.inf)
        n, c = input.shape[:2]
        win = _windows(x, kernel, stride, dilation, out_hw)
        flat = win.permute(0, 1, 4, 5, 2, 3).reshape(n, c, out_hw[0], out_hw[1], -1)
        values, arg = flat.max(-1)
        ctx.save_for_backward(arg)
        ctx.geometry = (tuple(input.shape), tuple(x.shape), kernel, stride, dilation, pads,
                        out_hw)
        ctx.mark_non_differentiable(arg)
        return values, arg

    @staticmethod
    @once_differentiable
    def backward(ctx, grad, grad_arg=None):
        arg, = ctx.saved_tensors
        in_shape, padded_shape, kernel, stride, dilation, pads, out_hw = ctx.geometry
        n, c = in_shape[:2]
        kk = kernel[0] * kernel[1]
        # the gradient of each window goes to the position of its maximum
        picks = arg.unsqueeze(2) == tt.arange(kk).reshape(1, 1, kk, 1, 1)
        gwin = (picks.to(grad.dtype) * grad.unsqueeze(2)).reshape(
            n, c, kernel[0], kernel[1], out_hw[0], out_hw[1])
        g = _add_windows_back(gwin, padded_shape, kernel, stride, dilation, out_hw)
        return (g[:, :, pads[0]:pads[0] + in_shape[2], pads[2]:pads[2] + in_shape[3]],
                None, None, None, None, None)


def _flat_indices(arg, in_shape, kernel, stride, dilation, pads):
    """torch's return_indices: positions in the flattened H*W input plane."""
    oh, ow = arg.shape[-2:]
    ki, kj = arg // kernel[1], arg % kernel[1]
    rows = tt.arange(oh).reshape(oh, 1) * stride[0] - pads[0] + ki * dilation[0]
    cols = tt.arange(ow).reshape(1, ow) * stride[1] - pads[2] + kj * dilation[1]
    return rows * in_shape[-1] + cols


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each (KH, KW) window of an (N, C, H, W) input."""
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    kernel, stride, dilation, pads, out_hw = _pool_geometry(
        input.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    values, arg = _MaxPool2d.apply(input, kernel, stride, dilation, pads, out_hw)
    if unbatched:
        values, arg = values.squeeze(0), arg.squeeze(0)
    if return_indices:
        return values, _flat_indices(arg, input.shape, kernel, stride, dilation, pads)
    return values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window of length kernel_size of an (N, C, L) input."""
    one = lambda v: v if v is None or isinstance(v, int) else tuple(v)[0]  # noqa: E731
    stride = one(stride)
    out = max_pool2d(input.unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, stride), (0, one(padding)),
                     (1, one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


class _AvgPool2d(Function, node_name="AvgPool2DBackward0"):
    @staticmethod
    def forward(ctx, input, kernel, stride, pads, out_hw, divisor):
        x = _padded(input, pads)
        sums = _windows(x, kernel, stride, (1, 1), out_hw).sum((2, 3))
        ctx.save_for_backward(divisor)
        ctx.geometry = (tuple(input.shape), tuple(x.shape), kernel, stride, pads, out_hw)
        return sums / divisor

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        divisor, = ctx.saved_tensors
        in_shape, padded_shape, kernel, stride, pads, out_hw = ctx.geometry
        share = (grad / divisor).unsqueeze(2).unsqueeze(3).expand(
            in_shape[0], in_shape[1], kernel[0], kernel[1], out_hw[0], out_hw[1])
        g = _add_windows_back(share, padded_shape, kernel, stride, (1, 1), out_hw)
        return (g[:, :, pads[0]:pads[0] + in_shape[2], pads[2]:pads[2] + in_shape[3]],
                None, None, None, None, None)


def _window_counts(size, out, kernel, stride, pad, include_pad):
    """Per output position: how many elements torch divides by along one dim."""
    counts = []
    for i in range(out):
        start = i * stride - pad
        end = min(start + kernel, size + pad)
        if not include_pad:
            start, end = max(start, 0), min(end, size)
        counts.append(end - start)
    return counts


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each (KH, KW) window of an (N, C, H, W) input."""
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    kernel, stride, _, pads, out_hw = _pool_geometry(
        input.shape, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override:
        divisor = tt.tensor(float(divisor_override), dtype=input.dtype)
    else:
        rows = _window_counts(input.shape[2], out_hw[0], kernel[0], stride[0], pads[0],
                              count_include_pad)
        cols = _window_counts(input.shape[3], out_hw[1], kernel[1], stride[1], pads[2],
                              count_include_pad)
        divisor = tt.tensor([[float(r * c) for c in cols] for r in rows], dtype=input.dtype)
    out = _AvgPool2d.apply(input, kernel, stride, pads, out_hw, divisor)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window of length kernel_size of an (N, C, L) input."""
    one = lambda v: v if v is None or isinstance(v, int) else tuple(v)[0]  # noqa: E731
    stride = one(stride)
    return avg_pool2d(input.unsqueeze(-2), (1, one(kernel_size)),
                      None if stride is None else (1, stride), (0, one(padding)), ceil_mode,
                      count_include_pad).squeeze(-2)


def _adaptive_bins(size, out):
    """torch's adaptive pooling bins: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _bin_matrix(size, out, dtype):
    rows = [[1.0 if s <= j < e else 0.0 for j in range(size)]
            for s, e in _adaptive_bins(size, out)]
    return tt.tensor(rows, dtype=dtype)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (OH, OW) output, with torch's bin edges."""
    if input.dim() not in (3, 4):
        raise RuntimeError("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    h, w = input.shape[-2:]
    oh, ow = _pair(output_size)
    oh = h if oh is None else oh
    ow = w if ow is None else ow
    if h % oh == 0 and w % ow == 0:
        return avg_pool2d(input, (h // oh, w // ow))
    # each bin's sum is a product with 0/1 bin matrices: rows_h @ x @ rows_w.T
    mh, mw = _bin_matrix(h, oh, input.dtype), _bin_matrix(w, ow, input.dtype)
    counts = mh.sum(1).reshape(oh, 1) * mw.sum(1).reshape(1, ow)
    return mh.matmul(input).matmul(mw.t()) / counts


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of an (N, C, L) input to a fixed output length."""
    size = output_size if isinstance(output_size, int) else tuple(output_size)[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)
