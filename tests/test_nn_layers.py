"""Every layer's forward and gradients (inputs and parameters) against torch's, with torch's
weights copied in; float64 where the comparison should be tight."""
import warnings

import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch, check_module, to_tt, assert_close, numpy

nn = tt.nn
tnn = torch.nn


def randn(*shape, dtype=torch.float64, seed=0):
    g = np.random.default_rng(seed)
    return torch.from_numpy(g.standard_normal(shape)).to(dtype)


def pair(name, *args, dtype=torch.float64, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(tnn, name)(*args, **kwargs).to(dtype)
        ours = getattr(nn, name)(*args, **kwargs).to(getattr(tt, str(dtype).split(".")[-1]))
    return ours, theirs


LAYER_CASES = [
    ("Linear", (5, 3), {}, [(4, 5)]),
    ("Linear", (5, 3), {"bias": False}, [(2, 7, 5)]),
    ("Linear", (5, 3), {}, [(5,)]),
    ("Bilinear", (3, 4, 2), {}, [(5, 3), (5, 4)]),
    ("Identity", (), {}, [(3, 2)]),
    ("ReLU", (), {}, [(4, 6)]), ("LeakyReLU", (0.2,), {}, [(4, 6)]),
    ("ELU", (0.7,), {}, [(4, 6)]), ("SELU", (), {}, [(4, 6)]), ("CELU", (1.3,), {}, [(4, 6)]),
    ("GELU", (), {}, [(4, 6)]), ("GELU", ("tanh",), {}, [(4, 6)]), ("SiLU", (), {}, [(4, 6)]),
    ("Mish", (), {}, [(4, 6)]), ("Sigmoid", (), {}, [(4, 6)]), ("Tanh", (), {}, [(4, 6)]),
    ("Softplus", (2.0, 1.0), {}, [(4, 6)]), ("LogSigmoid", (), {}, [(4, 6)]),
    ("Hardtanh", (-0.5, 0.5), {}, [(4, 6)]), ("ReLU6", (), {}, [(4, 6)]),
    ("Hardsigmoid", (), {}, [(4, 6)]), ("Hardswish", (), {}, [(4, 6)]),
    ("Threshold", (0.1, -2.0), {}, [(4, 6)]), ("Softsign", (), {}, [(4, 6)]),
    ("Tanhshrink", (), {}, [(4, 6)]), ("GLU", (), {}, [(4, 6)]), ("PReLU", (), {}, [(4, 6)]),
    ("PReLU", (3,), {}, [(4, 3, 5)]),
    ("Softmax", (1,), {}, [(4, 6)]), ("LogSoftmax", (-1,), {}, [(2, 3, 6)]),
    ("Softmin", (0,), {}, [(4, 6)]), ("Softmax", (), {}, [(3, 4, 5)]),
    ("Flatten", (), {}, [(2, 3, 4)]), ("Flatten", (0, 1), {}, [(2, 3, 4)]),
    ("Unflatten", (1, (2, 3)), {}, [(4, 6)]),
    ("LayerNorm", (6,), {}, [(4, 6)]), ("LayerNorm", ((3, 4),), {}, [(2, 3, 4)]),
    ("LayerNorm", (6,), {"elementwise_affine": False}, [(4, 6)]),
    ("LayerNorm", (6,), {"bias": False}, [(4, 6)]),
    ("GroupNorm", (2, 4), {}, [(3, 4, 5)]), ("GroupNorm", (2, 4), {"affine": False}, [(3, 4, 5)]),
    ("RMSNorm", (6,), {}, [(4, 6)]), ("RMSNorm", ((3, 4),), {"eps": 1e-3}, [(2, 3, 4)]),
    ("RMSNorm", (6,), {"elementwise_affine": False}, [(4, 6)]),
    ("BatchNorm1d", (4,), {"bias": False}, [(8, 4)]),
    ("BatchNorm1d", (4,), {}, [(8, 4)]), ("BatchNorm1d", (4,), {}, [(8, 4, 5)]),
    ("BatchNorm1d", (4,), {"affine": False}, [(8, 4)]),
    ("BatchNorm2d", (3,), {}, [(4, 3, 5, 5)]),
    ("BatchNorm1d", (4,), {"track_running_stats": False}, [(8, 4)]),
    ("Conv1d", (2, 4, 3), {}, [(3, 2, 10)]),
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": 1, "dilation": 2}, [(3, 2, 11)]),
    ("Conv1d", (4, 4, 3), {"groups": 2, "padding": "same"}, [(3, 4, 9)]),
    ("Conv1d", (2, 3, 3), {}, [(2, 7)]),
    ("Conv2d", (3, 5, 3), {}, [(2, 3, 8, 8)]),
    ("Conv2d", (3, 4, (3, 2)), {"stride": (2, 1), "padding": (1, 2), "bias": False},
     [(2, 3, 7, 6)]),
    ("Conv2d", (4, 6, 3), {"groups": 2, "dilation": 2, "padding": 2}, [(2, 4, 9, 9)]),
    ("Conv2d", (2, 3, 4), {"padding": "same"}, [(1, 2, 7, 7)]),
    ("Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}, [(1, 2, 6, 6)]),
    ("Conv2d", (2, 3, 3), {"padding": 2, "padding_mode": "replicate"}, [(1, 2, 6, 6)]),
    ("Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": "circular"}, [(1, 2, 6, 6)]),
    ("Conv2d", (2, 3, 3), {}, [(2, 6, 6)]),
    ("MaxPool2d", (2,), {}, [(2, 3, 8, 8)]),
    ("MaxPool2d", (3, 2, 1), {}, [(2, 3, 9, 9)]),
    ("MaxPool2d", (3, 2), {"ceil_mode": True}, [(1, 2, 8, 8)]),
    ("MaxPool2d", (2, 1), {"dilation": 2}, [(1, 2, 7, 7)]),
    ("MaxPool1d", (3, 2), {}, [(2, 3, 11)]),
    ("AvgPool2d", (2,), {}, [(2, 3, 8, 8)]),
    ("AvgPool2d", (3, 2, 1), {}, [(2, 3, 9, 9)]),
    ("AvgPool2d", (3, 2, 1), {"count_include_pad": False}, [(2, 3, 9, 9)]),
    ("AvgPool2d", (3, 2), {"ceil_mode": True}, [(1, 2, 8, 8)]),
    ("AvgPool2d", (2,), {"divisor_override": 3}, [(1, 2, 4, 4)]),
    ("AvgPool1d", (3, 2), {}, [(2, 3, 11)]),
    ("AdaptiveAvgPool2d", ((2, 3),), {}, [(2, 3, 8, 9)]),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, [(2, 3, 7, 5)]),
    ("AdaptiveAvgPool2d", (1,), {}, [(2, 3, 5, 5)]),
    ("AdaptiveAvgPool1d", (4,), {}, [(2, 3, 10)]),
]


@pytest.mark.parametrize("name,args,kwargs,shapes", LAYER_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAYER_CASES)])
def test_layer_forward_and_gradients(name, args, kwargs, shapes):
    ours, theirs = pair(name, *args, **kwargs)
    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_module(ours, theirs, *inputs, rtol=1e-10, atol=1e-12)
    # running statistics and other buffers move as torch's do
    for (n, b), (tn, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert n == tn
        np.testing.assert_allclose(numpy(b), tb.numpy(), rtol=1e-12, err_msg=n)


def test_layers_in_float32_match_torch():
    ours, theirs = pair("Conv2d", 3, 4, 3, padding=1, dtype=torch.float32)
    check_module(ours, theirs, randn(2, 3, 6, 6, dtype=torch.float32), rtol=1e-5, atol=1e-5)
    for name in ("LayerNorm", "RMSNorm"):
        ours, theirs = pair(name, 8, dtype=torch.float32)
        check_module(ours, theirs, randn(3, 8, dtype=torch.float32), rtol=1e-5, atol=1e-5)


def test_batchnorm_eval_uses_running_stats():
    ours, theirs = pair("BatchNorm1d", 3, momentum=None)
    x = randn(6, 3)
    for _ in range(3):
        check_module(ours, theirs, x * 2 + 1)
    ours.eval()
    theirs.eval()
    check_module(ours, theirs, x)
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 3


def test_batchnorm_needs_more_than_one_value_per_channel():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(tt.zeros(1, 3))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(tt.zeros(1, 3, 1, 1))


def test_embedding_forward_gradient_and_padding():
    ours, theirs = pair("Embedding", 7, 3, padding_idx=1)
    idx = torch.tensor([[0, 1, 2, 1], [6, 6, 0, 3]])
    check_module(ours, theirs, idx, grad_inputs=False, rtol=1e-12)
    pre = torch.from_numpy(np.arange(12.0).reshape(4, 3))
    e = nn.Embedding.from_pretrained(to_tt(pre))
    te = tnn.Embedding.from_pretrained(pre)
    assert not e.weight.requires_grad
    assert_close(e(tt.tensor([3, 0])), te(torch.tensor([3, 0])))


def test_embedding_max_norm_renormalises_rows():
    ours, theirs = pair("Embedding", 5, 4, max_norm=1.0)
    idx = torch.tensor([0, 2, 2, 4])
    check_module(ours, theirs, idx, grad_inputs=False, rtol=1e-6, atol=1e-7)
    assert_close(ours.weight, theirs.weight, rtol=1e-6, atol=1e-7)


def test_dropout_is_identity_in_eval_and_scales_in_train():
    d = nn.Dropout(0.4)
    x = tt.ones(1000, dtype=tt.float64)
    d.eval()
    assert d(x) is x
    d.train()
    y = numpy(d(x))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.6)
    assert 0.5 < kept.mean() < 0.7
    assert float(nn.Dropout(1.0)(x).abs().sum()) == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_matches_torch_after_manual_seed():
    x = randn(8, 16, dtype=torch.float32)
    torch.manual_seed(3)
    expected = tnn.functional.dropout(x, 0.3)
    expected2 = tnn.functional.dropout2d(x.reshape(2, 4, 4, 4), 0.5)
    tt.manual_seed(3)
    assert_close(nn.functional.dropout(to_tt(x), 0.3), expected)
    assert_close(nn.functional.dropout2d(to_tt(x).reshape(2, 4, 4, 4), 0.5), expected2)


def test_linear_grad_fn_and_inplace_relu():
    x = tt.randn(3, 4) if hasattr(tt, "randn") else tt.ones(3, 4)
    lin = nn.Linear(4, 2)
    y = nn.ReLU(inplace=True)(lin(x))
    assert y.grad_fn.name() == "ReluBackward0"
    y.sum().backward()
    assert lin.weight.grad is not None


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
def test_pad_modes(mode):
    x = randn(2, 3, 5, 6)
    pads = (1, 2, 2, 1)
    t_in = x.clone().requires_grad_()
    o_in = to_tt(t_in)
    expected = tnn.functional.pad(t_in, pads, mode=mode)
    got = nn.functional.pad(o_in, pads, mode=mode)
    assert_close(got, expected, rtol=1e-12)
    w = randn(*expected.shape, seed=5)
    (expected * w).sum().backward()
    (got * to_tt(w)).sum().backward()
    assert_close(o_in.grad, t_in.grad, rtol=1e-12)


def test_constant_pad_negative_crops():
    x = randn(3, 6)
    assert_close(nn.functional.pad(to_tt(x), (-1, 2), value=3.0),
                 tnn.functional.pad(x, (-1, 2), value=3.0))


def test_linear_on_a_matrix_records_addmm_like_torch():
    torch.manual_seed(0)
    ref = tnn.Linear(3, 2)
    lin = nn.Linear(3, 2)
    with tt.no_grad():
        lin.weight.copy_(to_tt(ref.weight.detach()))
        lin.bias.copy_(to_tt(ref.bias.detach()))
    x = randn(4, 3, dtype=torch.float32)
    for needs_input_grad in (False, True):
        tx = x.clone().requires_grad_(needs_input_grad)
        ox = to_tt(tx.detach()).requires_grad_(needs_input_grad)
        expected, got = ref(tx), lin(ox)
        assert got.grad_fn.name() == expected.grad_fn.name() == "AddmmBackward0"
        names = [None if f is None else f.name() for f, _ in got.grad_fn.next_functions]
        assert names == [None if f is None else f.name()
                         for f, _ in expected.grad_fn.next_functions]
        assert_close(got, expected)
        w = randn(4, 2, dtype=torch.float32, seed=1)
        (expected * w).sum().backward()
        (got * to_tt(w)).sum().backward()
        assert_close(lin.weight.grad, ref.weight.grad)
        assert_close(lin.bias.grad, ref.bias.grad)
        if needs_input_grad:
            assert_close(ox.grad, tx.grad)
