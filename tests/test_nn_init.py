"""nn.init against torch: gains, fans, errors, and (after the same manual_seed) the very
same values, including nn.Linear's and nn.Conv2d's default initialisation."""
import math
import warnings

import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch, numpy

init = tt.nn.init
tinit = torch.nn.init


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                      ("tanh", None), ("relu", None), ("leaky_relu", None),
                                      ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain(nl, param):
    assert init.calculate_gain(nl, param) == tinit.calculate_gain(nl, param)


def test_calculate_gain_errors():
    for lib in (init, tinit):
        with pytest.raises(ValueError, match="Unsupported nonlinearity"):
            lib.calculate_gain("swish")
        with pytest.raises(ValueError, match="negative_slope"):
            lib.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3), (4, 6, 2)])
def test_fans(shape):
    assert init._calculate_fan_in_and_fan_out(tt.empty(*shape)) == \
        tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_error():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(tt.empty(3))


CASES = [
    ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {"mean": 1.0, "std": 0.5}),
    ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_uniform_", {"mode": "fan_out"}),
    ("kaiming_normal_", {"nonlinearity": "relu"}), ("trunc_normal_", {"std": 2.0}),
    ("trunc_normal_", {"mean": 0.5, "a": 1.0, "b": 3.0}), ("orthogonal_", {"gain": 1.5}),
    ("constant_", {"val": 0.3}), ("ones_", {}), ("zeros_", {}),
    ("eye_", {}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_values_match_torch_after_seed(name, kwargs, dtype):
    shape = (6, 4)
    torch.manual_seed(7)
    expected = getattr(tinit, name)(torch.empty(*shape, dtype=getattr(torch, dtype)), **kwargs)
    tt.manual_seed(7)
    got = getattr(init, name)(tt.empty(*shape, dtype=getattr(tt, dtype)), **kwargs)
    rtol = 1e-5 if name in ("orthogonal_", "trunc_normal_") else 1e-7
    np.testing.assert_allclose(numpy(got), expected.numpy(), rtol=rtol, atol=1e-6)


def test_orthogonal_rows_are_orthonormal():
    w = init.orthogonal_(tt.empty(3, 5))
    np.testing.assert_allclose(numpy(w) @ numpy(w).T, np.eye(3), atol=1e-6)


def test_zero_element_kaiming_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(tt.empty(0, 3))


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Linear(5, 3),
                                  lambda lib: lib.nn.Conv2d(2, 4, 3),
                                  lambda lib: lib.nn.Embedding(6, 2),
                                  lambda lib: lib.nn.LSTM(3, 4, num_layers=2),
                                  lambda lib: lib.nn.GRUCell(3, 2),
                                  lambda lib: lib.nn.Bilinear(2, 3, 4)])
def test_default_layer_init_matches_torch(make):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = make(torch)
    tt.manual_seed(0)
    ours = make(tt)
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(numpy(p), tp.detach().numpy(), err_msg=name)
