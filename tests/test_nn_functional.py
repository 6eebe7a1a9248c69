"""nn.functional against torch: activations (values, gradients, node names, in-place
forms), softmax family, every loss with every reduction, one_hot, embedding, normalize."""
import warnings

import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch, to_tt, assert_close

F = tt.nn.functional
TF = torch.nn.functional


def randn(*shape, seed=0, dtype=torch.float64):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape)).to(dtype)


def compare(fn_ours, fn_theirs, *inputs, rtol=1e-10, atol=1e-12, check_node=True):
    """Same values and input gradients (through a random weighting of the output)."""
    t_in = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    o_in = [to_tt(x) for x in t_in]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = fn_theirs(*t_in)
        got = fn_ours(*o_in)
    assert_close(got, expected, rtol, atol, "value")
    if check_node and expected.grad_fn is not None:
        assert got.grad_fn.name() == expected.grad_fn.name()
    if expected.requires_grad:
        w = randn(*expected.shape, seed=9, dtype=expected.dtype)
        (expected * w).sum().backward()
        (got * to_tt(w)).sum().backward()
        for i, (a, b) in enumerate(zip(o_in, t_in)):
            if b.grad is not None:
                assert_close(a.grad, b.grad, rtol, atol, f"grad {i}")


ACTIVATIONS = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("elu", {"alpha": 0.8}),
    ("selu", {}), ("celu", {"alpha": 1.5}), ("gelu", {}), ("gelu", {"approximate": "tanh"}),
    ("silu", {}), ("mish", {}), ("softplus", {"beta": 2, "threshold": 1.5}),
    ("logsigmoid", {}), ("hardtanh", {"min_val": -0.3, "max_val": 0.7}), ("relu6", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}),
    ("sigmoid", {}), ("tanh", {}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS,
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation(name, kwargs):
    x = randn(5, 7) * 3
    compare(lambda t: getattr(F, name)(t, **kwargs), lambda t: getattr(TF, name)(t, **kwargs),
            x, check_node=name not in ("softsign", "tanhshrink", "sigmoid", "tanh"))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu", "hardtanh", "relu6",
                                  "hardswish", "hardsigmoid", "mish", "selu", "celu"])
def test_inplace_activation_on_a_non_leaf(name):
    x = randn(4, 5) * 2

    def run(lib, mod):
        def fn(t):
            y = t * 1.5
            getattr(mod, name)(y, inplace=True)
            return y
        return fn
    compare(run(tt, F), run(torch, TF), x, check_node=False)


def test_inplace_activation_refuses_a_leaf():
    x = tt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(x, inplace=True)


def test_threshold():
    compare(lambda t: F.threshold(t, 0.2, -1.0), lambda t: TF.threshold(t, 0.2, -1.0),
            randn(3, 4))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family(fn, dim):
    x = randn(3, 4, 5) * 4
    compare(lambda t: getattr(F, fn)(t, dim=dim), lambda t: getattr(TF, fn)(t, dim=dim), x,
            check_node=fn != "softmin")


def test_softmax_dtype_and_implicit_dim_warning():
    x = randn(2, 3, dtype=torch.float32)
    assert_close(F.softmax(to_tt(x), 1, dtype=tt.float64), TF.softmax(x, 1, dtype=torch.float64))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(to_tt(x))
    assert_close(F.log_softmax(tt.tensor(2.0), 0), TF.log_softmax(torch.tensor(2.0), 0))


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [("mse_loss", {}), ("l1_loss", {}),
                                         ("smooth_l1_loss", {}),
                                         ("smooth_l1_loss", {"beta": 0.5}),
                                         ("smooth_l1_loss", {"beta": 0.0}),
                                         ("huber_loss", {}), ("huber_loss", {"delta": 0.3})])
def test_regression_losses(name, kwargs, reduction):
    a, b = randn(4, 5), randn(4, 5, seed=1)
    compare(lambda x, y: getattr(F, name)(x, y, reduction=reduction, **kwargs),
            lambda x, y: getattr(TF, name)(x, y, reduction=reduction, **kwargs), a, b,
            check_node=name == "mse_loss")


def test_mse_loss_broadcast_warns_like_torch():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(tt.zeros(3, 1), tt.zeros(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_nll_and_cross_entropy_with_class_indices(reduction, weighted, ignore_index):
    x = randn(6, 4)
    target = torch.tensor([0, 3, 2, 1, 2, 0])
    weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64) if weighted else None
    for ours, theirs in ((F.cross_entropy, TF.cross_entropy), (F.nll_loss, TF.nll_loss)):
        compare(lambda t: ours(t, to_tt(target), None if weight is None else to_tt(weight),
                               ignore_index=ignore_index, reduction=reduction),
                lambda t: theirs(t, target, weight, ignore_index=ignore_index,
                                 reduction=reduction),
                x, check_node=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_label_smoothing_and_nd(reduction, weighted):
    x = randn(3, 4, 2, 5)
    target = torch.from_numpy(np.random.default_rng(2).integers(0, 4, (3, 2, 5)))
    target[0, 0, 0] = -100
    weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64) if weighted else None
    compare(lambda t: F.cross_entropy(t, to_tt(target),
                                      None if weight is None else to_tt(weight),
                                      reduction=reduction, label_smoothing=0.2),
            lambda t: TF.cross_entropy(t, target, weight, reduction=reduction,
                                       label_smoothing=0.2),
            x, check_node=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probabilities(reduction, smoothing):
    x = randn(5, 3)
    p = torch.softmax(randn(5, 3, seed=4), 1)
    w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)
    compare(lambda t, q: F.cross_entropy(t, q, to_tt(w), reduction=reduction,
                                         label_smoothing=smoothing),
            lambda t, q: TF.cross_entropy(t, q, w, reduction=reduction,
                                          label_smoothing=smoothing),
            x, p, check_node=False)


def test_nll_loss_errors_match_torch():
    x = tt.zeros(3, 4)
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.nll_loss(x, tt.tensor([0, 7, 1]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\)"):
        F.cross_entropy(x, tt.tensor([0, 1]))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.nll_loss(x, tt.tensor([0, 1, 1]), reduction="avg")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    p = torch.sigmoid(randn(4, 3))
    p[0, 0] = 0.0           # log clamped at -100 as in torch
    t = torch.from_numpy(np.random.default_rng(3).random((4, 3)))
    w = randn(4, 3, seed=7).abs() if weighted else None
    compare(lambda a, b: F.binary_cross_entropy(a, b, None if w is None else to_tt(w),
                                                reduction=reduction),
            lambda a, b: TF.binary_cross_entropy(a, b, w, reduction=reduction),
            p, t, rtol=1e-9)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_binary_cross_entropy_with_logits(reduction, pos_weight):
    x = randn(4, 3) * 10
    t = torch.from_numpy(np.random.default_rng(3).random((4, 3)))
    pw = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64) if pos_weight else None
    w = randn(4, 3, seed=8).abs()
    compare(lambda a, b: F.binary_cross_entropy_with_logits(
                a, b, to_tt(w), reduction=reduction, pos_weight=None if pw is None else to_tt(pw)),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, w, reduction=reduction,
                                                             pos_weight=pw),
            x, t, check_node=False)


def test_bce_errors_match_torch():
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(tt.zeros(3), tt.zeros(3, 1))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(tt.tensor([1.5]), tt.tensor([1.0]))


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = torch.log_softmax(randn(3, 4), 1)
    t = torch.softmax(randn(3, 4, seed=1), 1)
    if log_target:
        t = t.log()
    compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
            lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
            x, t, check_node=False)


@pytest.mark.parametrize("name", ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss",
                                  "BCEWithLogitsLoss"])
def test_loss_modules(name):
    a, b = randn(3, 4), torch.sigmoid(randn(3, 4, seed=1))
    for reduction in REDUCTIONS:
        compare(lambda x, y: getattr(tt.nn, name)(reduction=reduction)(x, y),
                lambda x, y: getattr(torch.nn, name)(reduction=reduction)(x, y), a, b,
                check_node=False)


def test_legacy_size_average_and_reduce():
    a, b = randn(3, 4), randn(3, 4, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa, red in [(False, None), (None, False), (True, True)]:
            assert_close(tt.nn.MSELoss(size_average=sa, reduce=red)(to_tt(a), to_tt(b)),
                         torch.nn.MSELoss(size_average=sa, reduce=red)(a, b))


def test_one_hot():
    t = torch.tensor([[0, 2], [1, 4]])
    assert_close(F.one_hot(to_tt(t)), TF.one_hot(t))
    assert_close(F.one_hot(to_tt(t), 6), TF.one_hot(t, 6))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(to_tt(t), 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(tt.zeros(2))


def test_embedding_functional_and_linear():
    w = randn(5, 3)
    idx = torch.tensor([[4, 0], [0, 0]])
    compare(lambda m: F.embedding(to_tt(idx), m, padding_idx=0),
            lambda m: TF.embedding(idx, m, padding_idx=0), w)
    x, lw, lb = randn(2, 3, 4), randn(5, 4, seed=1), randn(5, seed=2)
    compare(F.linear, TF.linear, x, lw, lb, check_node=False)


def test_normalize_cosine_similarity_and_distance():
    a, b = randn(4, 5), randn(4, 5, seed=1)
    compare(lambda x: F.normalize(x, dim=1), lambda x: TF.normalize(x, dim=1), a,
            check_node=False)
    compare(lambda x: F.normalize(x, p=3, dim=0), lambda x: TF.normalize(x, p=3, dim=0), a,
            check_node=False)
    compare(F.cosine_similarity, TF.cosine_similarity, a, b, check_node=False)
    compare(F.pairwise_distance, TF.pairwise_distance, a, b, check_node=False)
