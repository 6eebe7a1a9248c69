"""Tensor repr/str, character for character as torch 2.13 prints them.

This module owns the print options and the text layout; it gets plain numpy arrays of
values (float16/bfloat16 arrive widened to float32, which changes nothing: torch formats
them from Python floats too) and knows nothing of the Tensor class.  The rules below are
torch's, including its quirks (each quirk is marked "torch:" where it looks like a bug).
"""

import contextlib
import math

import numpy as np

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}
_OPTIONS = dict(_PROFILES["default"], sci_mode=None)

PARAMETER_HEADER = "Parameter containing:\n"


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing tensors, as torch.set_printoptions does."""
    if profile in _PROFILES:
        _OPTIONS.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _OPTIONS[name] = value
    _OPTIONS["sci_mode"] = sci_mode     # torch: any call resets sci_mode unless given


def get_printoptions():
    """Return the current print options as a dict that set_printoptions accepts."""
    return dict(_OPTIONS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options inside a with block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def format_tensor(values, dtype_name, *, default_float_name="float32", prefix="tensor(",
                  suffixes=()):
    """Return torch's repr of a tensor holding `values`, e.g. 'tensor([1., 2.])'.

    >>> format_tensor(np.array([1.0, 2.5]), "float64", suffixes=["requires_grad=True"])
    'tensor([1.0000, 2.5000], dtype=torch.float64, requires_grad=True)'
    """
    values = np.asarray(values)
    indent = len(prefix)
    shape_suffix = "size=" + str(tuple(values.shape))
    dtype_suffix = "dtype=torch." + dtype_name
    tags = []
    if values.size == 0:
        # nothing to show the dtype by, so every non-default dtype is named (int64 too)
        if values.ndim != 1:
            tags.append(shape_suffix)
        if dtype_name != default_float_name:
            tags.append(dtype_suffix)
        body = "[]"
    else:
        if not _OPTIONS["edgeitems"]:
            tags.append(shape_suffix)
        if dtype_name not in (default_float_name, "int64", "bool"):
            tags.append(dtype_suffix)
        body = _body(values, dtype_name.startswith(("float", "bfloat")), indent)
    return _add_suffixes(prefix + body, tags + list(suffixes), indent)


def format_parameter(values, dtype_name, **kwargs):
    """Return torch's repr of an nn.Parameter: a header line, then the tensor repr."""
    return PARAMETER_HEADER + format_tensor(values, dtype_name, **kwargs)


def _body(values, floating, indent):
    """Lay out the bracketed values, summarised with '...' above the threshold."""
    summarize = values.size > _OPTIONS["threshold"]
    shown = _summarized(values) if summarize else values
    formatter = _Formatter(shown, floating)
    return _nested_str(values, indent, summarize, formatter)


def _summarized(values):
    """Return the values that stay visible after summarising (they set the widths)."""
    edge = _OPTIONS["edgeitems"]
    if not edge:
        # torch: a 1-d tensor keeps everything (x[-0:] is all of x), higher dims nothing
        return values if values.ndim <= 1 else values[:0]
    keep = [np.r_[0:edge, n - edge:n] if n > 2 * edge else np.arange(n)
            for n in values.shape]
    return values[np.ix_(*keep)] if keep else values


class _Formatter:
    """One width and style (int, fixed, scientific) shared by every element."""

    def __init__(self, shown, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = _OPTIONS["precision"]
        if not floating:
            if shown.size:
                self.max_width = max(len(str(shown.max().item())),
                                     len(str(shown.min().item())))
            return
        finite = shown[np.isfinite(shown) & (shown != 0)].astype(np.float64)
        if finite.size == 0:
            return                      # zeros, nan and inf alone print as '0.', 'nan'
        magnitude = np.abs(finite)
        smallest, largest = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _OPTIONS["sci_mode"] is None:
            with np.errstate(over="ignore"):
                self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8
                                     or smallest < 1.0e-4)
        else:
            self.sci_mode = _OPTIONS["sci_mode"]
        if self.sci_mode:
            spec, extra = f".{precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1      # room for the '.' that marks a float
        else:
            spec, extra = f".{precision}f", 0
        self.max_width = max(len(format(x, spec)) + extra
                             for x in _widest_candidates(finite))

    def width(self):
        return self.max_width

    def format(self, value):
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = format(value, f"{self.max_width}.{_OPTIONS['precision']}e")
        elif self.int_mode:
            text = format(value, ".0f")
            if math.isfinite(value):
                text += "."
        else:
            text = format(value, f".{_OPTIONS['precision']}f")
        return text.rjust(self.max_width)


def _widest_candidates(finite):
    """Return the values whose text can be longest, so huge tensors need not be formatted.

    Within one sign the length of '%.pf' grows with |x|, and the exponent of '%.pe' has
    most digits at the largest or smallest |x|, so the extremes of each sign suffice.
    """
    picks = []
    for part in (finite[finite > 0], finite[finite < 0]):
        if part.size:
            picks += [part.min().item(), part.max().item()]
    return picks


def _nested_str(values, indent, summarize, formatter):
    """Bracket each dimension recursively; rank-r slices are split by r-1 newlines."""
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, formatter)
    edge, rows = _OPTIONS["edgeitems"], values.shape[0]
    if summarize and rows > 2 * edge:
        picks = list(range(edge)) + [None] + list(range(rows - edge, rows))
    else:
        picks = range(rows)
    slices = ["..." if i is None else
              _nested_str(values[i], indent + 1, summarize, formatter) for i in picks]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _vector_str(values, indent, summarize, formatter):
    """Lay out one row, wrapping so that each line fits in linewidth."""
    edge, linewidth = _OPTIONS["edgeitems"], _OPTIONS["linewidth"]
    per_line = max(1, math.floor((linewidth - indent) / (formatter.width() + 2)))
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = ([formatter.format(v) for v in values[:edge].tolist()] + [" ..."]
                + [formatter.format(v) for v in values[-edge:].tolist()])
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _add_suffixes(text, suffixes, indent):
    """Append ', dtype=...' and friends, each on a new line when it would not fit."""
    parts = [text]
    # torch: this overcounts the last line by two characters; kept for identical wrapping
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTIONS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
