"""Recurrent layers RNN, LSTM, GRU and their single-step cells, with torch's weights.

Parameter names, shapes and gate order are torch's, so state_dicts load both ways:
weight_ih_l{k}[_reverse] is (gates * hidden, input), weight_hh_l{k} is (gates * hidden,
hidden), and the gates are stacked as LSTM (input, forget, cell, output) and GRU (reset,
update, new).  Like torch's CPU kernels, a layer projects the whole input sequence once
(x @ W_ih.T + b_ih) and then runs the recurrence one time step at a time.

    lstm = nn.LSTM(input_size=10, hidden_size=20, num_layers=2, bidirectional=True)
    output, (h_n, c_n) = lstm(x)           # x: (seq_len, batch, 10)
"""
import math
import numbers
import warnings

import tinytensor as tt
from tinytensor.nn import functional as F
from tinytensor.nn import init
from tinytensor.nn.modules.linear import _empty
from tinytensor.nn.modules.module import Module
from tinytensor.nn.parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one time step: torch's cell formulas, input already projected -------------------------
def _step(mode, x_proj, state, w_hh, b_hh, w_hr=None):
    """The new state from the projected input x @ W_ih.T + b_ih and the previous state
    (an LSTM with proj_size maps its hidden state through W_hr)."""
    if mode == "LSTM":
        h, c = state
        gates = F.linear(h, w_hh, b_hh) + x_proj
        i, f, g, o = gates.chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        return (h if w_hr is None else F.linear(h, w_hr)), c
    if mode == "GRU":
        h = state
        i_r, i_z, i_n = x_proj.chunk(3, 1)
        h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
        reset = (h_r + i_r).sigmoid()
        update = (h_z + i_z).sigmoid()
        new = (i_n + h_n * reset).tanh()
        return (h - new) * update + new
    pre = F.linear(state, w_hh, b_hh) + x_proj
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def _rows(state, start, stop):
    """Rows start:stop of a state (a tensor, or LSTM's (h, c) pair)."""
    if isinstance(state, tuple):
        return tuple(s[start:stop] for s in state)
    return state[start:stop]


def _join(top, bottom):
    if isinstance(top, tuple):
        return tuple(tt.cat([a, b], 0) for a, b in zip(top, bottom))
    return tt.cat([top, bottom], 0)


def _run_direction(mode, x_proj, state, w_hh, b_hh, w_hr, reverse, batch_sizes=None):
    """Run the recurrence over time (dim 0); returns (outputs stacked over time, state).

    With batch_sizes (a packed batch, longest sequences first) step t updates only the
    first batch_sizes[t] rows: the others have ended (or, in reverse, not yet begun)."""
    steps = range(x_proj.shape[0] - 1, -1, -1) if reverse else range(x_proj.shape[0])
    outputs = [None] * x_proj.shape[0]
    for t in steps:
        bs = x_proj.shape[1] if batch_sizes is None else batch_sizes[t]
        if bs == x_proj.shape[1]:
            state = _step(mode, x_proj[t], state, w_hh, b_hh, w_hr)
        else:
            active = _step(mode, x_proj[t, :bs], _rows(state, 0, bs), w_hh, b_hh, w_hr)
            state = _join(active, _rows(state, bs, None))
        outputs[t] = state[0] if mode == "LSTM" else state
    return tt.stack(outputs, 0), state


class RNNBase(Module):
    """Shared parameter layout and multi-layer, bidirectional driver of RNN/LSTM/GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, "
                          "so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: "
                            f"{type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size     # the size of h (of c: hidden_size)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else out_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, out_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for stem, shape in shapes:
                    name = f"{stem}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_empty(*shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op kept for torch code (cuDNN packs weights; tinytensor needs nothing)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ------------------------------------------------------------------------------
    def _check_input(self, input):
        if input.dtype != self._flat_weights[0].dtype:
            w = self._flat_weights[0].dtype
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w}). Convert input: input.to({w}), or convert model: "
                             f"model.to({input.dtype})")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _state_shapes(self, batch):
        """The shapes of h (and of an LSTM's c) for a batch."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        h = (layers, batch, self.proj_size or self.hidden_size)
        return (h, (layers, batch, self.hidden_size)) if self.mode == "LSTM" else (h,)

    def _check_hidden(self, parts, batch):
        """torch's error when a given initial state has the wrong shape."""
        names = ["hidden[0]", "hidden[1]"] if self.mode == "LSTM" else ["hidden"]
        for p, expected, name in zip(parts, self._state_shapes(batch), names):
            if tuple(p.size()) != expected:
                raise RuntimeError(f"Expected {name} size {expected}, got {list(p.size())}")

    def _layers(self, input, hx, cx, batch_sizes=None):
        """Run all layers on time-major input; returns (output, h_n, c_n or None)."""
        lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        layer_input = input
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                names = self._all_weights[k]
                w_ih, w_hh = getattr(self, names[0]), getattr(self, names[1])
                b_ih, b_hh = (getattr(self, names[2]), getattr(self, names[3])) \
                    if self.bias else (None, None)
                w_hr = getattr(self, names[-1]) if self.proj_size else None
                x_proj = F.linear(layer_input, w_ih, b_ih)
                state = (hx[k], cx[k]) if lstm else hx[k]
                out, state = _run_direction(self.mode, x_proj, state, w_hh, b_hh, w_hr,
                                            direction == 1, batch_sizes)
                outputs.append(out)
                if lstm:
                    h_n.append(state[0])
                    c_n.append(state[1])
                else:
                    h_n.append(state)
            layer_input = outputs[0] if num_directions == 1 else tt.cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, tt.stack(h_n, 0), tt.stack(c_n, 0) if lstm else None

    def _forward_packed(self, packed, hx):
        """forward() for a PackedSequence: the recurrence skips each sequence's padding."""
        from tinytensor.nn.utils.rnn import PackedSequence, _unpack
        lstm = self.mode == "LSTM"
        sizes = packed.batch_sizes.tolist()
        padded, _ = _unpack(packed.data, packed.batch_sizes)
        if hx is None:
            parts = [tt.zeros(s, dtype=padded.dtype) for s in self._state_shapes(sizes[0])]
        else:
            parts = list(hx) if lstm else [hx]
            if packed.sorted_indices is not None:
                parts = [p[:, packed.sorted_indices] for p in parts]
        self._check_input(padded)
        self._check_hidden(parts, sizes[0])
        output, h_n, c_n = self._layers(padded, parts[0], parts[1] if lstm else None, sizes)
        data = tt.cat([output[t, :bs] for t, bs in enumerate(sizes)], 0)
        out = PackedSequence(data, packed.batch_sizes, packed.sorted_indices,
                             packed.unsorted_indices)
        if packed.unsorted_indices is not None:
            h_n = h_n[:, packed.unsorted_indices]
            c_n = c_n[:, packed.unsorted_indices] if lstm else None
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def forward(self, input, hx=None):
        from tinytensor.nn.utils.rnn import PackedSequence
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        lstm = self.mode == "LSTM"
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             + ("instead" if lstm else "tensor instead"))
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        batch = input.size(0) if self.batch_first else input.size(1)
        if hx is not None:
            parts = hx if lstm else (hx,)
            want = 3 if batched else 2
            if any(p.dim() != want for p in parts):
                if lstm:
                    raise RuntimeError(
                        f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx and "
                        f"cx should also be {want}-D but got ({parts[0].dim()}-D, "
                        f"{parts[1].dim()}-D) tensors")
                raise RuntimeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} "
                                   f"input, hx should also be {want}-D but got "
                                   f"{parts[0].dim()}-D tensor")
            if not batched:
                parts = tuple(p.unsqueeze(1) for p in parts)
        else:
            parts = tuple(tt.zeros(s, dtype=input.dtype) for s in self._state_shapes(batch))
        self._check_input(input)
        self._check_hidden(parts, batch)
        seq = input.transpose(0, 1) if self.batch_first else input
        output, h_n, c_n = self._layers(seq, parts[0], parts[1] if lstm else None)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(batch_dim)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        return (output, (h_n, c_n)) if lstm else (output, h_n)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from "
                             "'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: returns output, (h_n, c_n)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: returns output, h_n."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ---- cells ------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Parameters weight_ih, weight_hh, bias_ih, bias_hh of one time step."""

    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty(num_chunks * hidden_size, input_size,
                                          device=device, dtype=dtype))
        self.weight_hh = Parameter(_empty(num_chunks * hidden_size, hidden_size,
                                          device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_empty(num_chunks * hidden_size, device=device,
                                            dtype=dtype))
            self.bias_hh = Parameter(_empty(num_chunks * hidden_size, device=device,
                                            dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input, hx, name, lstm=False):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            for h in (hx if lstm else (hx,)):
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected hx to be 1D or 2D, got {h.dim()}D "
                                     "instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = tt.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (zeros, tt.zeros(input.size(0), self.hidden_size, dtype=input.dtype)) \
                if lstm else zeros
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if lstm else hx.unsqueeze(0)
        return input, hx, batched

    def _step(self, input, state):
        return _step(self._mode, F.linear(input, self.weight_ih, self.bias_ih), state,
                     self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        input, hx, batched = self._prepare(input, hx, "RNNCell")
        h = self._step(input, hx)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM: returns (h, c)."""

    _mode = "LSTM"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._prepare(input, hx, "LSTMCell", lstm=True)
        h, c = self._step(input, hx)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    _mode = "GRU"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._prepare(input, hx, "GRUCell")
        h = self._step(input, hx)
        return h if batched else h.squeeze(0)
