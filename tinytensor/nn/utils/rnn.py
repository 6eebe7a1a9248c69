"""Variable-length sequences for RNNs: padding and PackedSequence, as torch.nn.utils.rnn.

A PackedSequence stores the time steps of a batch of sequences, longest first, one after
another: `data` holds step 0 of every sequence, then step 1 of those still running, and
`batch_sizes[t]` says how many sequences are still running at step t.  RNN layers take it
and skip the padding.

    packed = pack_padded_sequence(padded, lengths=[5, 3, 2], batch_first=True)
    output, h_n = gru(packed)
    output, lengths = pad_packed_sequence(output, batch_first=True)
"""
from collections import namedtuple

import tinytensor as tt
from tinytensor import _C

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Time-major packed steps of sorted sequences (data, batch_sizes, sorted/unsorted order)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes,
                                                         self.sorted_indices,
                                                         self.unsorted_indices)

    def double(self):
        return self.to(_C.float64)

    def float(self):
        return self.to(_C.float32)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The permutation that undoes permutation (None stays None)."""
    if permutation is None:
        return None
    order = permutation.tolist()
    inverse = [0] * len(order)
    for i, p in enumerate(order):
        inverse[p] = i
    return tt.tensor(inverse, dtype=_C.int64)


def _batch_sizes(lengths):
    """How many of the (descending) lengths exceed each time step."""
    return [sum(1 for n in lengths if n > t) for t in range(lengths[0])]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (or (B, T, *) with batch_first) of given lengths."""
    lengths = lengths.tolist() if isinstance(lengths, _C.TensorBase) else list(lengths)
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        sorted_indices = tt.tensor(order, dtype=_C.int64)
        lengths = [lengths[i] for i in order]
        input = input[sorted_indices] if batch_first else input[:, sorted_indices]
    if lengths and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    sizes = _batch_sizes(lengths)
    data = tt.cat([input[t, :bs] for t, bs in enumerate(sizes)], 0)
    return PackedSequence(data, tt.tensor(sizes, dtype=_C.int64), sorted_indices, None)


def _unpack(data, batch_sizes, padding_value=0.0, total_length=None):
    """(T, B, *) padded steps (sorted order) and lengths from packed data."""
    sizes = batch_sizes.tolist()
    batch = sizes[0]
    steps, offset = [], 0
    tail = tuple(data.shape[1:])
    for bs in sizes:
        rows = data[offset:offset + bs]
        if bs < batch:
            pad = tt.full((batch - bs,) + tail, padding_value, dtype=data.dtype)
            rows = tt.cat([rows, pad], 0)
        steps.append(rows)
        offset += bs
    for _ in range(len(sizes), total_length or 0):
        steps.append(tt.full((batch,) + tail, padding_value, dtype=data.dtype))
    lengths = [sum(1 for bs in sizes if bs > b) for b in range(batch)]
    return tt.stack(steps, 0), lengths


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded batch, lengths), in the original batch order."""
    max_len = sequence.batch_sizes.size(0)
    if total_length is not None and total_length < max_len:
        raise ValueError("Expected total_length to be at least the length of the longest "
                         f"sequence in input, but got total_length={total_length} and max "
                         f"sequence length being {max_len}")
    padded, lengths = _unpack(sequence.data, sequence.batch_sizes, padding_value,
                              total_length)
    lengths = tt.tensor(lengths, dtype=_C.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        idx = sequence.unsorted_indices
        padded = padded[idx] if batch_first else padded[:, idx]
        lengths = lengths[idx]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *), padding with padding_value."""
    if isinstance(sequences, _C.TensorBase):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    longest = max(s.size(0) for s in sequences)
    rows = []
    for s in sequences:
        extra = longest - s.size(0)
        if extra:
            pad = tt.full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = tt.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        rows.append(s)
    return tt.stack(rows, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = lengths.tolist() if isinstance(lengths, _C.TensorBase) else list(lengths)
    return [seq[:n] for seq, n in zip(padded_sequences, lengths)]


def unpack_sequence(packed_sequences):
    """The list of sequences in a PackedSequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
