"""Random sampling: rand, randn, randint, randperm, normal, bernoulli, multinomial, the
*_like functions and the in-place samplers (uniform_, normal_, random_, bernoulli_, ...).

Every function is torch's own recipe over a C sampler (ctensor/random.c): `rand(size)`
is `empty(size).uniform_()`, `randint` is `random_(low, high)`, `normal(mean_t, std_t)`
is `normal_(0, 1)` then `mul_(std)` then `add_(mean)`, ... so that, draw for draw, the
same seed gives torch's numbers.  The generator is `generator=` or the default one
(tinytensor.random.default_generator).  Samples carry no gradient: torch's derivative
of every sampler is zero, recorded under torch's node names (UniformBackward0, ...).
"""
import builtins
import warnings

import numpy as np

from tinytensor import _C
from tinytensor._device import _check_device
from tinytensor.autograd.function import Function
from tinytensor.ops._registry import op, method
from tinytensor.random import default_generator
from tinytensor.ops.shape import infer_size


# ---- arguments ---------------------------------------------------------------------------
def _gen(generator, name):
    """The generator to draw from: generator= or the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, _C.Generator):
        raise TypeError(f"{name}(): argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    return generator


def _num(x):
    return x.item() if isinstance(x, _C.TensorBase) else x


def _int(x, name, what):
    x = _num(x)
    if isinstance(x, builtins.float) or not hasattr(x, "__index__"):
        raise TypeError(f"{name}(): argument '{what}' must be int, not {type(x).__name__}")
    return x.__index__()


def _size(size, kwargs, name):
    """The shape from *size, or from size= (torch accepts both)."""
    if "size" in kwargs:
        size = (kwargs.pop("size"),)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(size) == 0:
        raise TypeError(f"{name}() missing 1 required positional argument: 'size'")
    return size


def _type_name(dtype):
    """torch's ScalarType name of a dtype: 'Long' for int64."""
    return _C.legacy_type_name(_C.empty((0,), dtype))[len("torch."):-len("Tensor")]


def _new(name, size, dtype, out, device, default=None):
    """The tensor a sampling function fills: out (resized to size) or a new one."""
    _check_device(device)
    shape = _C._parse_shape(size)
    if out is None:
        return _C.empty(shape, dtype if dtype is not None else default)
    if dtype is not None and dtype != out.dtype:
        raise RuntimeError(f"dtype {dtype} does not match dtype of out parameter "
                           f"({out.dtype})")
    return _resized(out, shape)


def _resized(out, shape):
    if tuple(out.shape) != tuple(shape):
        if not hasattr(out, "resize_"):
            raise RuntimeError(f"out= has shape {list(out.shape)}, expected {list(shape)}")
        out.resize_(shape)
    return out


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


from tinytensor._creation import _empty_like  # noqa: E402 (torch's *_like layout)


# ---- autograd: every sampler's derivative is zero ------------------------------------------
class _Sample(Function):
    """forward runs sample(first, *rest); backward gives each tensor argument a zero
    gradient.  When sample writes into first and returns it, first is marked dirty."""

    @staticmethod
    def forward(ctx, first, sample, *rest):
        args = (first, sample) + rest
        ctx.inputs = [(a.shape, a.dtype) if isinstance(a, _C.TensorBase) else None
                      for a in args]
        out = sample(first, *rest)
        if out is first:
            ctx.mark_dirty(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(None if m is None else _C.fill_(_C.empty(tuple(m[0]), m[1]), 0)
                     for m in ctx.inputs)


def _node(name):
    return type(name.replace("Backward", ""), (_Sample,), {}, node_name=name)


_NODES = {name: _node(name) for name in [
    "UniformBackward0", "NormalBackward0", "NormalBackward1", "NormalBackward2",
    "NormalBackward3", "RandomBackward0", "RandomBackward1", "RandomBackward2",
    "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2",
    "ExponentialBackward0", "GeometricBackward0", "LogNormalBackward0", "CauchyBackward0"]}


def _inplace(self, node, fill, *args):
    """Run fill(self, *args) as the in-place op `node` (torch's checks and graph)."""
    self._check_inplace()
    if not (self._requires_grad or self._grad_fn is not None) or not _C.is_grad_enabled():
        return fill(self, *args)
    return _NODES[node].apply(self, fill, *args)


# ---- in-place samplers ------------------------------------------------------------------------
@method()
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill with samples of U[from, to): self.uniform_(-1, 1)."""
    from_ = kwargs.pop("from", from_)
    gen = _gen(generator, "uniform_")
    return _inplace(self, "UniformBackward0", _C.random_uniform, gen, float(_num(from_)),
                    float(_num(to)))


@method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std^2)."""
    gen = _gen(generator, "normal_")
    return _inplace(self, "NormalBackward0", _C.random_normal, gen, float(_num(mean)),
                    float(_num(std)))


# digits of each floating dtype and the name torch's warning gives it
_FLOAT_DIGITS = {"float32": (24, "float"), "float64": (53, "double"),
                 "float16": (11, "c10::Half"), "bfloat16": (8, "c10::BFloat16")}


def _warn_float_bounds(t, low, high_inclusive):
    """torch's warning when integers drawn into a float tensor exceed its exact range."""
    if not t.is_floating_point():
        return
    digits, name = _FLOAT_DIGITS[t.dtype.name]
    for value, what in ((low, "from"), (high_inclusive, "to - 1")):
        if value < -(1 << digits) or value > (1 << digits):
            warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                          f"precision limitations {name} can support discrete uniform "
                          f"distribution only within this range. This warning will become "
                          f"an error in version 1.7 release, please fix the code in "
                          f"advance", UserWarning, stacklevel=3)


def _random_from_to(out, gen, low, high):
    if low < high:
        _warn_float_bounds(out, low, high - 1)
    return _C.random_from_to(out, gen, low, high)


def _random_from(out, gen, low):
    if low == -2 ** 63 and out.dtype in (_C.bool_, _C.float16):
        # torch's 64-bit kernel is not even compiled for these two
        raise NotImplementedError(f"\"random_full_64_bits_range_kernel_cpu\" not "
                                  f"implemented for '{_type_name(out.dtype)}'")
    if out.is_floating_point():
        _warn_float_bounds(out, low, 1 << _FLOAT_DIGITS[out.dtype.name][0])
    return _C.random_from(out, gen, low)


def _bernoulli_tensor(out, gen, p):
    """bernoulli_(p tensor), with torch's check that every p is a probability."""
    if p.is_floating_point() and p.numel():
        v = np.asarray(_C.cast(p.detach(), _C.float64))
        if not ((v >= 0) & (v <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please "
                               "report an enhancement request to PyTorch.)")
    return _C.random_bernoulli_tensor(out, gen, p)


@method()
def random_(self, *args, generator=None, **kwargs):
    """Fill with integers: random_() in [0, 2^mantissa or max], random_(to) in [0, to),
    random_(from, to) in [from, to), random_(from, None) in [from, max]."""
    gen = _gen(generator, "random_")
    if "from" in kwargs:
        args = (kwargs.pop("from"),) + args
    if "to" in kwargs:
        args = (args[0] if args else 0, kwargs.pop("to"))
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")
    if len(args) == 0:
        return _inplace(self, "RandomBackward2", _C.random_default, gen)
    if len(args) == 1:
        return _inplace(self, "RandomBackward1", _random_from_to, gen, 0,
                        _int(args[0], "random_", "to"))
    low = _int(args[0], "random_", "from")
    if args[1] is None:
        return _inplace(self, "RandomBackward0", _random_from, gen, low)
    return _inplace(self, "RandomBackward0", _random_from_to, gen, low,
                    _int(args[1], "random_", "to"))


@method()
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 (probability p, a number or a tensor broadcast to self) or 0."""
    gen = _gen(generator, "bernoulli_")
    if isinstance(p, _C.TensorBase):
        return _inplace(self, "BernoulliBackward1", _bernoulli_tensor, gen, p)
    return _inplace(self, "BernoulliBackward2", _C.random_bernoulli, gen, float(p))


@method()
def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples of Exp(lambd)."""
    gen = _gen(generator, "exponential_")
    return _inplace(self, "ExponentialBackward0", _C.random_exponential, gen,
                    float(_num(lambd)))


@method()
def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    gen = _gen(generator, "geometric_")
    return _inplace(self, "GeometricBackward0", _C.random_geometric, gen, float(_num(p)))


@method()
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp of samples of N(mean, std^2)."""
    gen = _gen(generator, "log_normal_")
    return _inplace(self, "LogNormalBackward0", _C.random_log_normal, gen,
                    float(_num(mean)), float(_num(std)))


@method()
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples of the Cauchy distribution."""
    gen = _gen(generator, "cauchy_")
    return _inplace(self, "CauchyBackward0", _C.random_cauchy, gen, float(_num(median)),
                    float(_num(sigma)))


# ---- new tensors ----------------------------------------------------------------------------
@op(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    """Samples of U[0, 1): rand(2, 3) or rand((2, 3))."""
    t = _new("rand", _size(size, kwargs, "rand"), dtype, out, device, _C.get_default_dtype())
    return _finish(_C.random_uniform(t, _gen(generator, "rand"), 0.0, 1.0), requires_grad)


@op(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """Samples of N(0, 1): randn(2, 3) or randn((2, 3))."""
    t = _new("randn", _size(size, kwargs, "randn"), dtype, out, device, _C.get_default_dtype())
    return _finish(_C.random_normal(t, _gen(generator, "randn"), 0.0, 1.0), requires_grad)


@op(method=False)
def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, **kwargs):
    """Integers in [low, high): randint(high, size) or randint(low, high, size)."""
    names = ("low", "high", "size") if len(args) + len(kwargs) >= 3 else ("high", "size")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    if "high" not in bound or "size" not in bound:
        raise TypeError("randint() missing required arguments 'high' and 'size'")
    size = bound["size"]
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' (position {len(names)}) must be tuple "
                        f"of ints, not {type(size).__name__}")
    low = _int(bound.get("low", 0), "randint", "low")
    high = _int(bound["high"], "randint", "high")
    t = _new("randint", (tuple(size),), dtype, out, device, _C.int64)
    return _finish(_random_from_to(t, _gen(generator, "randint"), low, high),
                   requires_grad)


@op(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1 (torch's shuffle, draw for draw)."""
    n = _int(n, "randperm", "n")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    t = _new("randperm", (n,), dtype, out, device, _C.int64)
    return _finish(_C.random_randperm(t, _gen(generator, "randperm")), requires_grad)


def _like(name, input, dtype, device, memory_format):
    _check_device(device)
    if memory_format is not None and "preserve" not in str(memory_format):
        return _C.empty(tuple(input.shape), dtype if dtype is not None else input.dtype)
    return _empty_like(input, dtype)


@op(method=False)
def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """rand with input's shape, dtype and layout."""
    t = _like("rand_like", input, dtype, device, memory_format)
    return _finish(_C.random_uniform(t, _gen(generator, "rand_like"), 0.0, 1.0),
                   requires_grad)


@op(method=False)
def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """randn with input's shape, dtype and layout."""
    t = _like("randn_like", input, dtype, device, memory_format)
    return _finish(_C.random_normal(t, _gen(generator, "randn_like"), 0.0, 1.0),
                   requires_grad)


@op(method=False)
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """randint with input's shape, dtype and layout: randint_like(x, 10)."""
    if high is None:
        low, high = 0, low
    t = _like("randint_like", input, dtype, device, memory_format)
    gen = _gen(generator, "randint_like")
    return _finish(_random_from_to(t, gen, _int(low, "randint_like", "low"),
                                     _int(high, "randint_like", "high")), requires_grad)


# ---- normal with tensor arguments ------------------------------------------------------------
def _compute_dtype(out, other):
    """torch's dtype for out.op_(other): a 0-d other of no higher kind keeps out's dtype."""
    if other.dim() == 0 and out.dim() > 0 and not (
            other.is_floating_point() and not out.is_floating_point()):
        return out.dtype
    return _C.promote_types(out.dtype, other.dtype)


def _check_std(std):
    if isinstance(std, _C.TensorBase):
        if std.numel() and not _C.cast(std, _C.float64).numpy().min() >= 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _normal_tensors(out, gen, mean, std):
    """torch's normal(mean, std) with a tensor among them, into the contiguous out."""
    if isinstance(std, _C.TensorBase):
        _C.random_normal(out, gen, 0.0, 1.0)
        _C.binary("mul", out, std, out=out, dtype=_compute_dtype(out, std))
    else:
        _C.random_normal(out, gen, 0.0, float(std))
    if not isinstance(mean, _C.TensorBase):
        mean = _C.fill_(_C.empty((), out.dtype), mean)   # torch adds a 0-d tensor
    _C.binary("add", out, mean, out=out, dtype=_compute_dtype(out, mean))
    return out


@op(method=False)
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False, pin_memory=False):
    """Samples of N(mean, std^2): normal(0., 1., size), or mean/std tensors broadcast."""
    gen = _gen(generator, "normal")
    mt, st = isinstance(mean, _C.TensorBase), isinstance(std, _C.TensorBase)
    if not (mt or st):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with "
                            "float mean and std it expects a size")
        _check_std(std)
        t = _new("normal", (size,), dtype, out, device, _C.get_default_dtype())
        return _finish(_C.random_normal(t, gen, float(mean), float(std)), requires_grad)
    if size is not None:
        raise TypeError("normal() received an invalid combination of arguments: size is "
                        "taken only with float mean and std")
    _check_std(std)
    like = mean if mt else std
    shape = infer_size(mean.shape, std.shape) if mt and st else like.shape
    node = "NormalBackward3" if mt and st else "NormalBackward1" if mt else "NormalBackward2"

    def sample(mean, std):
        t = _C.empty(tuple(shape), like.dtype) if out is None else _resized(out, shape)
        return _normal_tensors(t, gen, mean, std)
    return _NODES[node].apply(mean, sample, std)


# ---- bernoulli, multinomial ---------------------------------------------------------------------
@op()
def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability input[i] (or p), else 0, in input's dtype."""
    gen = _gen(generator, "bernoulli")

    def sample(input):
        t = _C.empty(tuple(input.shape), input.dtype) if out is None else \
            _resized(out, input.shape)
        if p is None:
            return _bernoulli_tensor(t, gen, input)
        return _C.random_bernoulli(t, gen, float(_num(p)))
    if p is not None:
        return sample(input)        # torch records no usable gradient here either
    return _NODES["BernoulliBackward0"].apply(input, sample)


@op()
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from each row of input's (unnormalised) probabilities."""
    gen = _gen(generator, "multinomial")
    if out is not None and out.dtype != _C.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: "
                           f"{_type_name(out.dtype)}")
    result = _C.random_multinomial(input.detach(), gen,
                                   _int(num_samples, "multinomial", "num_samples"),
                                   builtins.bool(replacement))
    if out is None:
        return result
    return _C.copy_(_resized(out, result.shape), result)
