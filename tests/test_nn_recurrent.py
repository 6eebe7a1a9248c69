"""RNN, LSTM, GRU and their cells against torch: outputs, final states and every gradient,
for layers, directions, batch_first, initial states and unbatched inputs."""
import warnings

import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch, check_module, copy_module, to_tt, to_torch, assert_close

nn = tt.nn
tnn = torch.nn


def randn(*shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape))


def pair(name, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (getattr(nn, name)(*args, **kwargs).double(),
                getattr(tnn, name)(*args, **kwargs).double())


CONFIGS = [
    {}, {"num_layers": 2}, {"bidirectional": True}, {"batch_first": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True}, {"bias": False},
]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("config", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_recurrent_layer(name, config):
    ours, theirs = pair(name, 3, 4, **config)
    shape = (2, 5, 3) if config.get("batch_first") else (5, 2, 3)
    check_module(ours, theirs, randn(*shape), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_recurrent_layer_with_initial_state(name):
    ours, theirs = pair(name, 3, 4, num_layers=2, bidirectional=True)
    x = randn(6, 2, 3)
    h0 = randn(4, 2, 4, seed=1)
    if name == "LSTM":
        c0 = randn(4, 2, 4, seed=2)

        class Wrap(tnn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x, h, c):
                return self.inner(x, (h, c))
        check_module(_TTWrap(ours), Wrap(theirs), x, h0, c0,
                     rtol=1e-10, atol=1e-12)
    else:
        check_module(ours, theirs, x, h0, rtol=1e-10, atol=1e-12)


class _TTWrap(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x, h, c):
        return self.inner(x, (h, c))


PROJ_CONFIGS = [{}, {"num_layers": 2, "bidirectional": True}, {"bias": False, "batch_first": True}]


@pytest.mark.parametrize("config", PROJ_CONFIGS, ids=[str(c) for c in PROJ_CONFIGS])
def test_lstm_with_projection(config):
    ours, theirs = pair("LSTM", 3, 5, proj_size=2, **config)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    shape = (2, 4, 3) if config.get("batch_first") else (4, 2, 3)
    check_module(ours, theirs, randn(*shape), rtol=1e-10, atol=1e-12)
    check_module(ours, theirs, randn(4, 3), rtol=1e-10, atol=1e-12)


def test_lstm_with_projection_initial_state_and_packed_input():
    from tinytensor.nn.utils import rnn
    ours, theirs = pair("LSTM", 3, 5, proj_size=2, num_layers=2, bidirectional=True)
    check_module(_TTWrap(ours), _TorchWrap(theirs), randn(4, 2, 3), randn(4, 2, 2, seed=1),
                 randn(4, 2, 5, seed=2), rtol=1e-10, atol=1e-12)
    x = randn(5, 3, 3)
    t_out, (t_h, t_c) = theirs(torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 2]))
    o_out, (o_h, o_c) = ours(rnn.pack_padded_sequence(to_tt(x), [5, 3, 2]))
    for a, b in ((o_out.data, t_out.data), (o_h, t_h), (o_c, t_c)):
        assert_close(a, b, rtol=1e-10)


def test_lstm_projection_errors_match_torch():
    for make in [lambda m: m.LSTM(3, 4, proj_size=4), lambda m: m.LSTM(3, 4, proj_size=-1),
                 lambda m: m.GRU(3, 4, proj_size=2), lambda m: m.RNN(3, 4, proj_size=2)]:
        with pytest.raises(ValueError) as e:
            make(tnn)
        with pytest.raises(ValueError, match=str(e.value)):
            make(nn)
    for L, m in ((torch, tnn), (tt, nn)):
        lstm = m.LSTM(3, 4, proj_size=2)
        with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 1, 2\), "
                                               r"got \[1, 1, 4\]"):
            lstm(L.zeros(2, 1, 3), (L.zeros(1, 1, 4), L.zeros(1, 1, 4)))
        with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 1, 4\), "
                                               r"got \[1, 1, 2\]"):
            lstm(L.zeros(2, 1, 3), (L.zeros(1, 1, 2), L.zeros(1, 1, 2)))


class _TorchWrap(tnn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x, h, c):
        return self.inner(x, (h, c))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(name):
    ours, theirs = pair(name, 3, 4, bidirectional=True)
    check_module(ours, theirs, randn(5, 3), rtol=1e-10, atol=1e-12)


def test_relu_rnn():
    ours, theirs = pair("RNN", 3, 4, nonlinearity="relu", num_layers=2)
    check_module(ours, theirs, randn(5, 2, 3), rtol=1e-10, atol=1e-12)


def test_dropout_between_layers_is_off_in_eval():
    ours, theirs = pair("LSTM", 3, 4, num_layers=3, dropout=0.5)
    ours.eval()
    theirs.eval()
    check_module(ours, theirs, randn(5, 2, 3), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                         ("LSTMCell", {}), ("GRUCell", {}),
                                         ("GRUCell", {"bias": False})])
def test_cells(name, kwargs):
    ours, theirs = pair(name, 3, 4, **kwargs)
    check_module(ours, theirs, randn(2, 3), rtol=1e-10, atol=1e-12)
    check_module(ours, theirs, randn(3), rtol=1e-10, atol=1e-12)


def test_cell_with_state():
    ours, theirs = pair("LSTMCell", 3, 4)
    copy_module(ours, theirs)
    x, h, c = randn(2, 3), randn(2, 4, seed=1), randn(2, 4, seed=2)
    got = ours(to_tt(x), (to_tt(h), to_tt(c)))
    expected = theirs(x, (h, c))
    for a, b in zip(got, expected):
        assert_close(a, b, rtol=1e-12)


def test_state_dict_loads_into_torch_and_back():
    ours, theirs = pair("LSTM", 3, 4, num_layers=2, bidirectional=True)
    theirs.load_state_dict({k: to_torch(v) for k, v in ours.state_dict().items()})
    x = randn(4, 1, 3)
    out, (h, c) = ours(to_tt(x))
    t_out, (t_h, t_c) = theirs(x)
    assert_close(out, t_out, rtol=1e-12)
    assert_close(c, t_c, rtol=1e-12)


def test_errors_match_torch():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        lstm(tt.zeros(2, 1, 5))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        lstm(tt.zeros(2, 1, 1, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 1, 4\), got \[1, 2, 4\]"):
        nn.GRU(3, 4)(tt.zeros(2, 1, 3), tt.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.RNN(3, 4, dropout=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")


def _packed_pair(batch_first=False, enforce_sorted=True):
    lengths = [5, 3, 2] if enforce_sorted else [3, 5, 2]
    x = randn(3, 5, 3) if batch_first else randn(5, 3, 3)
    return x, lengths


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences_match_torch(name, enforce_sorted):
    from tinytensor.nn.utils import rnn
    tr = torch.nn.utils.rnn
    ours, theirs = pair(name, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    copy_module(ours, theirs)
    x, lengths = _packed_pair(batch_first=True, enforce_sorted=enforce_sorted)
    tx = x.clone().requires_grad_()
    ox = to_tt(tx)
    t_out, t_h = theirs(tr.pack_padded_sequence(tx, lengths, batch_first=True,
                                                enforce_sorted=enforce_sorted))
    o_out, o_h = ours(rnn.pack_padded_sequence(ox, lengths, batch_first=True,
                                               enforce_sorted=enforce_sorted))
    assert_close(o_out.data, t_out.data, rtol=1e-10)
    assert o_out.batch_sizes.tolist() == t_out.batch_sizes.tolist()
    t_pad, t_len = tr.pad_packed_sequence(t_out, batch_first=True)
    o_pad, o_len = rnn.pad_packed_sequence(o_out, batch_first=True)
    assert_close(o_pad, t_pad, rtol=1e-10)
    assert o_len.tolist() == t_len.tolist()
    t_h = t_h if name != "LSTM" else t_h[0] + 2 * t_h[1]
    o_h = o_h if name != "LSTM" else o_h[0] + 2 * o_h[1]
    assert_close(o_h, t_h, rtol=1e-10)
    w = randn(*t_pad.shape, seed=3)
    ((t_pad * w).sum() + t_h.sum()).backward()
    ((o_pad * to_tt(w)).sum() + o_h.sum()).backward()
    assert_close(ox.grad, tx.grad, rtol=1e-10)


def test_pad_and_pack_utilities_match_torch():
    from tinytensor.nn.utils import rnn
    tr = torch.nn.utils.rnn
    seqs = [randn(4, 2), randn(2, 2, seed=1), randn(3, 2, seed=2)]
    for kwargs in ({}, {"batch_first": True, "padding_value": -1.0},
                   {"padding_side": "left"}):
        assert_close(rnn.pad_sequence([to_tt(s) for s in seqs], **kwargs),
                     tr.pad_sequence(seqs, **kwargs))
    packed = rnn.pack_sequence([to_tt(s) for s in seqs], enforce_sorted=False)
    t_packed = tr.pack_sequence(seqs, enforce_sorted=False)
    assert_close(packed.data, t_packed.data)
    assert packed.sorted_indices.tolist() == t_packed.sorted_indices.tolist()
    assert packed.unsorted_indices.tolist() == t_packed.unsorted_indices.tolist()
    for a, b in zip(rnn.unpack_sequence(packed), tr.unpack_sequence(t_packed)):
        assert_close(a, b)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn.pack_sequence([to_tt(s) for s in seqs])
