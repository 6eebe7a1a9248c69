"""torch's second names and in-place forms of ops defined elsewhere, from four tables.

An alias shares the original's function, method and in-place method (torch records the
same node: `x.arccos()` has AcosBackward0).  In-place methods come from elementwise's
one `_inplace` mechanism (compute, check the cast, write into self, rebase the graph), and
`torch.<name>_(t, ...)` module functions forward to the method; torch.conv2d and others
forward to nn.functional.  Imported last (see tinytensor/__init__.py) so that every
target already exists.
"""
from tinytensor.ops import _registry
from tinytensor.ops._registry import op
from tinytensor.ops.elementwise import _inplace, _module_inplace

# alias -> existing op (torch's numpy-style and long names)
ALIASES = {
    "arccos": "acos", "arcsin": "asin", "arctan": "atan", "arccosh": "acosh",
    "arcsinh": "asinh", "arctanh": "atanh", "fix": "trunc", "negative": "neg",
    "absolute": "abs", "multiply": "mul", "subtract": "sub", "divide": "div",
    "true_divide": "div", "greater": "gt", "greater_equal": "ge", "less": "lt",
    "less_equal": "le", "not_equal": "ne", "clip": "clamp", "arctan2": "atan2",
    "swapaxes": "transpose", "swapdims": "transpose", "trapz": "trapezoid", "sgn": "sign",
    "unsafe_chunk": "chunk", "unsafe_split": "split",
    "unsafe_split_with_sizes": "split_with_sizes",
}

# ops that get a `_` method when they lack one (the result is written into self)
INPLACE = ["copysign", "bitwise_left_shift", "bitwise_right_shift", "cumsum", "cumprod",
           "hypot", "deg2rad", "rad2deg", "heaviside", "ldexp", "gcd", "lcm", "nextafter",
           "logit", "sinc", "i0", "digamma", "erfinv", "mvlgamma", "renorm", "xlogy",
           "igamma", "igammac", "addbmm"]

# torch.<name>_(input, ...) module functions that forward to input.<name>_(...)
MODULE_INPLACE = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "arccos", "arccosh",
                  "arcsin", "arcsinh", "arctan", "arctanh", "cosh", "sinh", "tan", "erf",
                  "erfc", "exp2", "expm1", "frac", "log10", "log1p", "log2", "reciprocal", "rsqrt", "square", "clamp_max", "clamp_min", "clip",
                  "nan_to_num", "negative", "fix", "deg2rad", "rad2deg", "gcd", "lcm",
                  "ldexp", "logit", "sinc", "i0", "xlogy", "zero", "fill", "detach",
                  "sigmoid", "relu", "addmv", "index_put"]


# torch.<name> functions that are nn.functional.<name> with the same positional arguments
# -> how many of them nn.functional takes (None: all; torch's later ones are cudnn flags)
FROM_FUNCTIONAL = {"threshold": None, "threshold_": None, "selu": None, "celu": None,
                   "dropout": None, "alpha_dropout": None, "conv1d": None, "conv2d": None,
                   "max_pool1d": None, "max_pool2d": None, "avg_pool1d": None,
                   "adaptive_avg_pool1d": None, "cosine_similarity": None,
                   "pairwise_distance": None, "bilinear": None, "layer_norm": 5,
                   "group_norm": 5, "rms_norm": None}


def _install_aliases():
    F, M = _registry.FUNCTIONS, _registry.METHODS
    for alias, target in ALIASES.items():
        if target in F and alias not in F:
            F[alias] = F[target]
        if target in M and alias not in M:
            M[alias] = M[target]
        if target + "_" in M and alias + "_" not in M:
            M[alias + "_"] = M[target + "_"]


def _install_functional():
    def forward_to(name, arity):
        def fn(*args, **kwargs):
            from tinytensor.nn import functional
            return getattr(functional, name)(*args[:arity], **kwargs)
        fn.__name__ = name
        fn.__doc__ = f"torch.{name}: nn.functional.{name}."
        return fn
    from tinytensor.nn import functional
    for name, arity in FROM_FUNCTIONAL.items():
        if name not in _registry.FUNCTIONS and hasattr(functional, name):
            op(name, method=False)(forward_to(name, arity))


def _install_inplace():
    for name in INPLACE:
        fn = _registry.METHODS.get(name) or _registry.FUNCTIONS.get(name)
        if fn is not None and name + "_" not in _registry.METHODS:
            _inplace(fn, name)


def _install_module_inplace():
    from tinytensor._tensor import Tensor
    for name in MODULE_INPLACE:
        if name + "_" not in _registry.FUNCTIONS and (
                name + "_" in _registry.METHODS or hasattr(Tensor, name + "_")):
            _module_inplace(name)


@op(method=False)
def fill(input, value):
    """A new tensor shaped like input holding value (torch.fill)."""
    from tinytensor.ops.movement import clone
    return clone(input).fill_(value)


@op(method=False)
def detach(input):
    """input.detach() as a function."""
    return input.detach()


_install_aliases()
_install_functional()
_install_inplace()
_install_module_inplace()
