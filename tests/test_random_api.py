"""The public random API against torch 2.13's CPU generator, bit for bit.

After the same seed and the same calls, tinytensor's samplers return torch's values
exactly (compared as bit patterns), and the generator ends in the same state (compared
as torch's get_rng_state bytes).  The first tests need no torch: a table of values taken
from torch 2.13 on an AVX2 machine; the rest compare with torch live.
"""
import copy
import hashlib
import pickle
import random
import warnings

import numpy as np
import pytest

import tinytensor as tt
from tinytensor import _C
from tinytensor.ops.random import _empty_like

FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["bool", "uint8", "int8", "int16", "int32", "int64"]
SIZES = [1, 2, 15, 16, 17, 31, 100, 1000, 4099]   # torch's normal_ switches path at 16


def bits(t):
    """A tinytensor or torch tensor as a numpy array of comparable integers."""
    widths = {2: "int16", 4: "int32", 8: "int64"}
    if isinstance(t, _C.TensorBase):
        t = _C.contiguous(t.detach())
        if t.is_floating_point():
            t = _C.view_dtype(t, getattr(tt, widths[t.element_size()]))
        return np.asarray(t)
    import torch
    t = t.detach().contiguous()
    if t.is_floating_point():
        t = t.view(getattr(torch, widths[t.element_size()]))
    return t.numpy()


def hex_bits(t):
    """Values as the table holds them: floats as unsigned bit patterns."""
    a = bits(t).reshape(-1)
    if t.is_floating_point():
        a = a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize])
    return a.tolist()


def assert_same(ours, theirs):
    """Same dtype, shape, strides and bits."""
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert tuple(ours.stride()) == tuple(theirs.stride())
    np.testing.assert_array_equal(bits(ours), bits(theirs))


@pytest.fixture
def avx2_normal():
    """Run with torch's AVX2 Box-Muller, the build the reference values come from."""
    before = _C.random_avx2_normal()
    _C.random_set_avx2_normal(True)
    yield
    _C.random_set_avx2_normal(before)


# ---- without torch ---------------------------------------------------------------------

# (name, seed, call, expected bit patterns or integers), from torch 2.13 on CPU
REFERENCE = [
    ("rand 2x2x2x2", 1234, lambda m: m.rand(2, 2, 2, 2),
     [0x3ced65e0, 0x3ecdc5a6, 0x3e850a4c, 0x3ebbb86a, 0x3d6eccc0, 0x3f335d74, 0x3d542980,
      0x3eefaff2, 0x3f2c7e8f, 0x3ea9b562, 0x3f48a117, 0x3f1024e9, 0x3f465c9a, 0x3f52201e,
      0x3e8efd56, 0x3f2e849e]),
    ("randn scalar path", 0, lambda m: m.randn(3), [0x3fc53f5c, 0xbe963c50, 0xc00b7149]),
    ("randn vector path", 0, lambda m: m.randn(17)[-3:],
     [0x3f72409c, 0xbf57fb33, 0x3f6e8c30]),
    ("randn float64", 0, lambda m: m.randn(20, dtype=m.float64)[-2:],
     [0x3fc3bff1c51bd9a4, 0xbfe7ff1c81c48b11]),
    ("rand float16", 7, lambda m: m.rand(4, dtype=m.float16),
     [0x3848, 0x325d, 0x3946, 0x3941]),
    ("randn bfloat16", 7, lambda m: m.randn(2, 9, dtype=m.bfloat16)[1, -3:],
     [0x3f2d, 0xbfa9, 0xbfae]),
    ("randint", 42, lambda m: m.randint(-5, 1000, (6,)), [367, 537, 11, 779, 781, 900]),
    ("randint int8", 42, lambda m: m.randint(-100, 100, (2, 3), dtype=m.int8),
     [42, -33, -24, -86, -74, 35]),
    ("randperm", 42, lambda m: m.randperm(10), [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]),
    ("uniform_ transposed", 5, lambda m: m.empty(3, 4).t().uniform_(),
     [0x3f548b63, 0x3f6b8be6, 0x3d084080, 0x3e012338, 0x3deee3b0, 0x3f7e82e4, 0x3f684fef,
      0x3e285640, 0x3f1b3ee7, 0x3f51e6bd, 0x3f3ce849, 0x3f1087be]),
    ("normal_ transposed", 5, lambda m: m.empty(8, 3).t().normal_()[-1],
     [0xbf0edf65, 0x3ff8ad21, 0x3f219734, 0x3f30d2f2, 0x3f2f44b6, 0x3f4497d1, 0xbf10ddd5,
      0x3e58a61a]),
    ("bernoulli", 11, lambda m: m.bernoulli(m.full((12,), 0.3)),
     [0x3f800000, 0, 0, 0x3f800000, 0, 0, 0, 0x3f800000, 0, 0, 0x3f800000, 0]),
    ("multinomial", 13, lambda m: m.multinomial(m.tensor([0.1, 0.2, 0.3, 0.4]), 4),
     [2, 1, 3, 0]),
    ("multinomial replacement", 13,
     lambda m: m.multinomial(m.tensor([0.1, 0.2, 0.3, 0.4]), 10, True),
     [3, 2, 1, 3, 3, 3, 2, 1, 0, 3]),
    ("normal tensors", 21, lambda m: m.normal(m.arange(4.0), m.full((4,), 0.5)),
     [0x3d5d64c6, 0x3f47fe00, 0x3fcebd75, 0x4039d3a6]),
    ("random_ int64", 7, lambda m: m.empty(3, dtype=m.int64).random_(),
     [1407639518939636932, 5163590386780219894, 8087222774582268115]),
    ("exponential_", 7, lambda m: m.empty(3).exponential_(2.0),
     [0x3e27c0f2, 0x3e23baa9, 0x3f7d9728]),
    ("generator", 0, lambda m: m.rand(3, generator=m.Generator().manual_seed(3)),
     [0x3b8bb500, 0x3dd834c0, 0x3e9259f2]),
]


@pytest.mark.parametrize("name,seed,call,expected", REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_values_from_torch(avx2_normal, name, seed, call, expected):
    tt.random.manual_seed(seed)
    assert hex_bits(call(tt)) == expected


def test_first_acceptance_rand_2x2x2x2():
    tt.random.manual_seed(1234)
    x = tt.rand(2, 2, 2, 2)
    assert tuple(x.shape) == (2, 2, 2, 2)
    first = np.asarray(x).reshape(-1)[:4].astype(np.float64)
    assert np.round(first, 4).tolist() == [0.0290, 0.4019, 0.2598, 0.3666]
    assert "0.0290, 0.4019" in repr(x)


def test_state_bytes_after_known_calls():
    tt.random.manual_seed(1234)
    tt.rand(10)
    tt.randn(3, dtype=tt.float64)       # leaves a cached normal sample in the state
    state = tt.random.get_rng_state()
    assert state.dtype == tt.uint8 and tuple(state.shape) == (5056,)
    assert hashlib.sha256(np.asarray(state).tobytes()).hexdigest() == \
        "85337bed2b7e0a1a2fc202788ff0ee08c21493db9b9f247cfccb572bcfe4cc6a"


def test_public_names_are_exported():
    for name in ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
                 "Generator", "default_generator", "rand", "randn", "randint", "randperm",
                 "rand_like", "randn_like", "randint_like", "normal", "bernoulli",
                 "multinomial"]:
        assert hasattr(tt, name), name
    for name in ["uniform_", "normal_", "random_", "bernoulli_", "exponential_",
                 "geometric_", "log_normal_", "cauchy_", "bernoulli", "multinomial"]:
        assert hasattr(tt.Tensor, name), name
    assert tt.manual_seed is tt.random.manual_seed
    assert tt.default_generator is tt.random.default_generator


def test_seeds_are_taken_like_torch():
    g = tt.random.manual_seed(-1)
    assert g is tt.random.default_generator
    assert tt.random.initial_seed() == 2 ** 64 - 1
    assert tt.random.manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    assert tt.random.manual_seed(1.5).initial_seed() == 1      # int(seed), as torch
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        tt.random.manual_seed(2 ** 64)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        _C.Generator().manual_seed(1.5)
    # the engine uses the low 32 bits, but the whole seed is kept
    a = tt.rand(5, generator=_C.Generator().manual_seed(2 ** 40 + 7))
    b = tt.rand(5, generator=_C.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()


def test_fresh_generators_and_the_default_seed():
    assert _C.Generator().initial_seed() == 67280421310721          # torch's default
    assert _C.Generator(device="cpu").device.type == "cpu"
    s = tt.random.seed()
    assert s == tt.random.initial_seed() and 0 <= s < 2 ** 64
    g = _C.Generator()
    assert g.seed() == g.initial_seed()


def test_get_set_state_round_trip():
    tt.random.manual_seed(3)
    tt.randn(5, dtype=tt.float64)
    state = tt.random.get_rng_state()
    a = [tt.rand(7).tolist(), tt.randn(3).tolist(), tt.randint(0, 9, (20,)).tolist()]
    tt.random.set_rng_state(state)
    b = [tt.rand(7).tolist(), tt.randn(3).tolist(), tt.randint(0, 9, (20,)).tolist()]
    assert a == b
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        tt.random.set_rng_state(tt.zeros(5056))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056"):
        tt.random.set_rng_state(tt.zeros(3, dtype=tt.uint8))


def test_generators_are_independent_of_the_default():
    g1, g2 = _C.Generator().manual_seed(1), _C.Generator().manual_seed(2)
    tt.random.manual_seed(1)
    a = tt.rand(10, generator=g1).tolist()
    tt.rand(3, generator=g2)
    assert tt.rand(10).tolist() == a
    assert tt.rand(10, generator=g1).tolist() == tt.rand(10).tolist()


def test_generator_copies_keep_the_state():
    g = _C.Generator().manual_seed(9)
    tt.rand(3, generator=g)
    for h in (copy.deepcopy(g), pickle.loads(pickle.dumps(g)), g.clone_state()):
        assert h.initial_seed() == 9
        assert tt.rand(4, generator=h).tolist() == \
            tt.rand(4, generator=g.clone_state()).tolist()


def test_fork_rng_restores_the_state():
    tt.random.manual_seed(4)
    with tt.random.fork_rng():
        tt.rand(100)
    assert tt.rand(3).tolist() == tt.rand(3, generator=_C.Generator().manual_seed(4)).tolist()


def test_inplace_samplers_bump_the_version_and_return_self():
    x = tt.zeros(3, 4)
    for call in [lambda t: t.uniform_(), lambda t: t.normal_(), lambda t: t.random_(5),
                 lambda t: t.bernoulli_(0.5), lambda t: t.exponential_(),
                 lambda t: t.geometric_(0.5), lambda t: t.log_normal_(),
                 lambda t: t.cauchy_(), lambda t: t.bernoulli_(tt.full((4,), 0.5))]:
        v = x._version
        assert call(x) is x
        assert x._version == v + 1


def test_inplace_samplers_refuse_leaves_that_require_grad():
    a = tt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        a.uniform_()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        a[1:].normal_()
    with tt.no_grad():
        a.uniform_(-1, 1)           # how nn.init writes parameters
    assert a.requires_grad and a.grad_fn is None


def test_samplers_record_zero_gradients_under_torch_names():
    a = tt.ones(3, requires_grad=True)
    cases = [(lambda x: x.uniform_(), "UniformBackward0"),
             (lambda x: x.normal_(), "NormalBackward0"),
             (lambda x: x.random_(), "RandomBackward2"),
             (lambda x: x.random_(4), "RandomBackward1"),
             (lambda x: x.random_(1, 4), "RandomBackward0"),
             (lambda x: x.bernoulli_(0.5), "BernoulliBackward2"),
             (lambda x: x.bernoulli_(tt.full((3,), 0.5)), "BernoulliBackward1"),
             (lambda x: x.exponential_(), "ExponentialBackward0"),
             (lambda x: x.geometric_(0.5), "GeometricBackward0"),
             (lambda x: x.log_normal_(), "LogNormalBackward0"),
             (lambda x: x.cauchy_(), "CauchyBackward0")]
    for call, name in cases:
        a.grad = None
        x = a.to(tt.float64)
        call(x)
        assert x.grad_fn.name() == name
        x.backward(tt.ones(3, dtype=tt.float64))
        assert a.grad.tolist() == [0.0, 0.0, 0.0]
    m = tt.zeros(3, requires_grad=True)
    assert tt.normal(m, 1.0).grad_fn.name() == "NormalBackward1"
    assert tt.normal(1.0, m).grad_fn.name() == "NormalBackward2"
    assert tt.normal(m, m).grad_fn.name() == "NormalBackward3"
    assert tt.bernoulli(tt.full((3,), 0.5, requires_grad=True)).grad_fn.name() == \
        "BernoulliBackward0"
    r = tt.rand(3, requires_grad=True)
    assert r.requires_grad and r.is_leaf


ERRORS = [
    (lambda m: m.randint(5, 3, (2,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
    (lambda m: m.randint(0, 300, (2,), dtype=m.uint8), RuntimeError,
     "to - 1 is out of bounds for unsigned char"),
    (lambda m: m.randint(5, 3), TypeError, None),
    (lambda m: m.rand(2, dtype=m.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda m: m.randn(2, dtype=m.int32), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Int'"),
    (lambda m: m.randperm(5, dtype=m.bool), NotImplementedError,
     "\"randperm\" not implemented for 'Bool'"),
    (lambda m: m.randperm(-1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [-1]"),
    (lambda m: m.normal(0.0, -1.0, (3,)), RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    (lambda m: m.normal(m.zeros(3), m.full((3,), -1.0)), RuntimeError,
     "normal expects all elements of std >= 0.0"),
    (lambda m: m.normal(m.zeros(3, dtype=m.int64), m.ones(3)), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda m: m.bernoulli(m.full((3,), 1.5)), RuntimeError,
     "Expected p_in >= 0 && p_in <= 1 to be true, but got false."),
    (lambda m: m.bernoulli(m.ones(3, dtype=m.int64)), NotImplementedError,
     "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"),
    (lambda m: m.ones(3).bernoulli_(1.5), RuntimeError,
     "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    (lambda m: m.ones(3).uniform_(2, 1), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    (lambda m: m.ones(3, dtype=m.int32).uniform_(), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Int'"),
    (lambda m: m.ones(3).normal_(0, -1), RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    (lambda m: m.ones(3).exponential_(-1), RuntimeError,
     "exponential_ expects lambda > 0.0, but found lambda=-1"),
    (lambda m: m.ones(3, dtype=m.int32).exponential_(), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a "
     "floating point but you specified Int"),
    (lambda m: m.ones(3).geometric_(1.5), RuntimeError,
     "geometric_ expects p to be in (0, 1), but got p=1.5"),
    (lambda m: m.ones(3).log_normal_(0, -1), RuntimeError,
     "log_normal_ expects std > 0.0, but found std=-1"),
    (lambda m: m.ones(3).cauchy_(0, -1), RuntimeError,
     "cauchy_ expects sigma > 0.0, but found sigma=-1"),
    (lambda m: m.ones(3).random_(5, 3), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
    (lambda m: m.ones(3).random_(1.5), TypeError, None),
    (lambda m: m.ones(3).expand(2, 3).uniform_(), RuntimeError,
     "unsupported operation: more than one element of the written-to tensor refers to a "
     "single memory location. Please clone() the tensor before performing the operation."),
    (lambda m: m.ones(3).expand(2, 3).normal_(), RuntimeError,
     "more than one element of the written-to tensor refers to a single memory location"),
    (lambda m: m.multinomial(m.ones(2, 3, 4), 2), RuntimeError,
     "prob_dist must be 1 or 2 dim"),
    (lambda m: m.multinomial(m.ones(3, dtype=m.int64), 2), RuntimeError,
     "multinomial only supports floating-point dtypes for input, got: Long"),
    (lambda m: m.multinomial(m.ones(3), 0), RuntimeError,
     "cannot sample n_sample <= 0 samples"),
    (lambda m: m.multinomial(m.ones(3), 4), RuntimeError,
     "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    (lambda m: m.multinomial(m.tensor([-1.0, 1.0]), 2, True), RuntimeError,
     "invalid multinomial distribution (encountering probability entry < 0)"),
    (lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1), RuntimeError,
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    (lambda m: m.multinomial(m.tensor([float("nan"), 0.0]), 1), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda m: m.multinomial(m.ones(3), 2, out=m.empty(2, dtype=m.int32)), RuntimeError,
     "multinomial expects Long tensor out, got: Int"),
    (lambda m: m.rand(2, generator=3), TypeError, None),
    (lambda m: m.Generator().set_state([1]), TypeError,
     "expected a torch.ByteTensor, but got list"),
]


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_errors_are_torch_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call(tt)
    if message is not None:
        assert message in str(info.value)


# ---- against torch ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def both(torch, seed):
    tt.random.manual_seed(seed)
    torch.manual_seed(seed)


def assert_same_state(torch, gen=None, tgen=None):
    ours = tt.random.get_rng_state() if gen is None else gen.get_state()
    theirs = torch.get_rng_state() if tgen is None else tgen.get_state()
    np.testing.assert_array_equal(np.asarray(ours), theirs.numpy())


def test_reference_table_is_torch(torch, avx2_normal):
    for name, seed, call, expected in REFERENCE:
        torch.manual_seed(seed)
        assert hex_bits(call(torch)) == expected, name


@pytest.mark.parametrize("seed", [0, 1, 1234, 2 ** 32 + 5, 2 ** 63, 2 ** 64 - 1])
def test_seeded_state_is_torch_state(torch, seed):
    both(torch, seed)
    assert_same_state(torch)
    assert tt.random.initial_seed() == torch.initial_seed()


@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_and_randn_match_torch(torch, dtype):
    for seed, n in enumerate(SIZES):
        both(torch, seed)
        for shape in [(n,), (3, n)]:
            assert_same(tt.rand(*shape, dtype=getattr(tt, dtype)),
                        torch.rand(*shape, dtype=getattr(torch, dtype)))
            assert_same(tt.randn(shape, dtype=getattr(tt, dtype)),
                        torch.randn(shape, dtype=getattr(torch, dtype)))
        assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_default_dtype_and_out(torch, dtype):
    both(torch, 8)
    if dtype in ("float32", "float64"):
        prev = tt.get_default_dtype()
        tt.set_default_dtype(getattr(tt, dtype))
        try:
            assert_same(tt.randn(20), torch.randn(20, dtype=getattr(torch, dtype)))
        finally:
            tt.set_default_dtype(prev)
    out, tout = tt.empty(5, 4, dtype=getattr(tt, dtype)), torch.empty(5, 4, dtype=getattr(torch, dtype))
    assert tt.rand(5, 4, out=out) is out
    torch.rand(5, 4, out=tout)
    assert_same(out, tout)
    assert_same(tt.normal(2.0, 3.0, size=(5, 4), out=out), torch.normal(2.0, 3.0, (5, 4), out=tout))
    assert_same_state(torch)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_randint_and_random_match_torch(torch, dtype):
    T, TT = getattr(torch, dtype), getattr(tt, dtype)
    for seed, (low, high) in enumerate([(0, 2), (-5, 5), (0, 100), (-(1 << 27), 1 << 27),
                                         (3, 2 ** 40)]):
        both(torch, seed)
        try:
            theirs = torch.randint(low, high, (3, 17), dtype=T)
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=str(e).split(",")[0]):
                tt.randint(low, high, (3, 17), dtype=TT)
            continue
        assert_same(tt.randint(low, high, (3, 17), dtype=TT), theirs)
        assert_same(tt.randint(high, size=(4,), dtype=TT), torch.randint(high, size=(4,), dtype=T))
        assert_same_state(torch)
    for args in [(), (5,), (2, 9), (1, None), (-3, None), (-2 ** 63, None)]:
        both(torch, 11)
        try:
            theirs = torch.empty(4, 6, dtype=T).t().random_(*args)
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=str(e).split(",")[0][:40]):
                tt.empty(4, 6, dtype=TT).t().random_(*args)
            continue
        assert_same(tt.empty(4, 6, dtype=TT).t().random_(*args), theirs)
        assert_same_state(torch)


def test_float_range_warnings_match_torch(torch):
    def record(m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m.randint(0, 2 ** 30, (3,), dtype=m.float32)
            m.empty(3, dtype=m.float16).random_(-5000, None)
            m.empty(3, dtype=m.bfloat16).random_(300)
            m.empty(3, dtype=m.float64).random_(5)
        return [str(x.message).split(" (Triggered internally")[0] for x in w]
    assert record(tt) == record(torch)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32",
                                   "float64", "float16", "bfloat16"])
def test_randperm_matches_torch(torch, dtype):
    for n in [0, 1, 2, 10, 255, 257, 3000, 70000]:
        both(torch, n)
        try:
            theirs = torch.randperm(n, dtype=getattr(torch, dtype))
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=str(e)[:30]):
                tt.randperm(n, dtype=getattr(tt, dtype))
            continue
        assert_same(tt.randperm(n, dtype=getattr(tt, dtype)), theirs)
        assert_same_state(torch)
    both(torch, 5)
    out, tout = tt.zeros(20, dtype=tt.int64)[::2], torch.zeros(20, dtype=torch.int64)[::2]
    tt.randperm(10, out=out)
    torch.randperm(10, out=tout)
    assert out.tolist() == tout.tolist()


def _views(m, dtype):
    """Non-contiguous tensors of each kind, built the same way in both libraries."""
    z = lambda *s: m.zeros(*s, dtype=getattr(m, dtype))  # noqa: E731
    return [z(5, 7).t(), z(6, 8)[:, ::2], z(4, 5, 6).permute(2, 0, 1),
            z(4, 5, 6).permute(1, 2, 0)[1:, :, ::3], z(40, 3)[::2], z(2, 1, 9).transpose(0, 2),
            z(3, 4, 5)[:, 1], z(9, 10).t()[2:]]


INPLACE = [("uniform_", (-2.0, 3.0)), ("normal_", (1.0, 2.0)), ("exponential_", (1.5,)),
           ("cauchy_", (0.5, 2.0)), ("log_normal_", (0.1, 0.5)), ("bernoulli_", (0.3,)),
           ("random_", (0, 7)), ("geometric_", (0.4,))]


@pytest.mark.parametrize("dtype", FLOATS)
def test_inplace_samplers_on_noncontiguous_tensors_match_torch(torch, dtype):
    for i, (ours, theirs) in enumerate(zip(_views(tt, dtype), _views(torch, dtype))):
        for name, args in INPLACE:
            both(torch, i)
            assert_same(getattr(ours, name)(*args), getattr(theirs, name)(*args))
            assert_same_state(torch)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_samplers_on_contiguous_tensors_match_torch(torch, dtype):
    for n in SIZES:
        for name, args in INPLACE:
            both(torch, n)
            ours = getattr(tt.empty(n, dtype=getattr(tt, dtype)), name)(*args)
            assert_same(ours, getattr(torch.empty(n, dtype=getattr(torch, dtype)), name)(*args))
            assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_like_functions_keep_the_layout_like_torch(torch, dtype):
    both(torch, 5)
    for ours, theirs in zip(_views(tt, dtype), _views(torch, dtype)):
        assert_same(tt.rand_like(ours), torch.rand_like(theirs))
        assert_same(tt.randn_like(ours), torch.randn_like(theirs))
        assert_same(tt.randint_like(ours, 10), torch.randint_like(theirs, 10))
        assert_same(tt.randint_like(ours, 3, 10), torch.randint_like(theirs, 3, 10))
        assert_same(tt.randn_like(ours, dtype=tt.float64),
                    torch.randn_like(theirs, dtype=torch.float64))
    assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_with_tensor_arguments_matches_torch(torch, dtype):
    T, TT = getattr(torch, dtype), getattr(tt, dtype)
    for ms, ss in [((20,), (20,)), ((3, 1), (7,)), ((5,), (1,)), ((4, 5), ()), ((), ()),
                   ((3, 16), (3, 16))]:
        both(torch, 2)
        mean, std = tt.rand(ms, dtype=TT), tt.rand(ss, dtype=TT)
        tmean, tstd = torch.rand(ms, dtype=T), torch.rand(ss, dtype=T)
        assert_same(tt.normal(mean, std), torch.normal(tmean, tstd))
        assert_same(tt.normal(mean, 0.5), torch.normal(tmean, 0.5))
        assert_same(tt.normal(mean), torch.normal(tmean))
        assert_same(tt.normal(1.7, std), torch.normal(1.7, tstd))
        assert_same(tt.normal(mean.t() if mean.dim() == 2 else mean, 2.0),
                    torch.normal(tmean.t() if tmean.dim() == 2 else tmean, 2.0))
        assert_same_state(torch)
    both(torch, 3)      # mixed dtypes: torch multiplies in the promoted dtype
    mean, std = tt.rand(20, dtype=TT), tt.rand(20, dtype=tt.float64)
    tmean, tstd = torch.rand(20, dtype=T), torch.rand(20, dtype=torch.float64)
    assert_same(tt.normal(mean, std), torch.normal(tmean, tstd))
    assert_same(tt.normal(std, mean), torch.normal(tstd, tmean))


@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_bernoulli_forms_match_torch(torch, dtype):
    T, TT = getattr(torch, dtype), getattr(tt, dtype)
    for pd in FLOATS:
        both(torch, 9)
        p, tp = tt.rand(4, 30, dtype=getattr(tt, pd)), torch.rand(4, 30, dtype=getattr(torch, pd))
        if dtype == pd:
            assert_same(tt.bernoulli(p), torch.bernoulli(tp))
            assert_same(tt.bernoulli(p.t()), torch.bernoulli(tp.t()))
            assert_same(p.bernoulli(), tp.bernoulli())
            assert_same(tt.bernoulli(p, 0.3), torch.bernoulli(tp, 0.3))
        out, tout = tt.zeros(30, 4, dtype=TT).t(), torch.zeros(30, 4, dtype=T).t()
        assert_same(out.bernoulli_(p), tout.bernoulli_(tp))
        assert_same(out.bernoulli_(p[:1]), tout.bernoulli_(tp[:1]))         # broadcast
        out, tout = tt.zeros(4, 30, dtype=TT), torch.zeros(4, 30, dtype=T)
        assert_same(out.bernoulli_(p[:, :1]), tout.bernoulli_(tp[:, :1]))
        assert_same(out.bernoulli_(p.t().contiguous().t()),
                    tout.bernoulli_(tp.t().contiguous().t()))
        assert_same_state(torch)


def test_dropout_masks_match_torch(torch):
    # torch's CPU dropout: input * empty_like(input).bernoulli_(1 - p).div_(1 - p), the mask
    # laid out like the input; dropout2d draws one value per (N, C) channel
    F = torch.nn.functional
    for x, tx in [(tt.ones(40, 30), torch.ones(40, 30)), (tt.ones(4, 6).t(), torch.ones(4, 6).t())]:
        both(torch, 3)
        mask = _empty_like(x).bernoulli_(0.7)
        assert bits(mask).astype(bool).tolist() == (F.dropout(tx, 0.3) != 0).tolist()
    both(torch, 4)
    mask = tt.empty(2, 3, 1, 1).bernoulli_(0.5)
    dropped = F.dropout2d(torch.ones(2, 3, 4, 4), 0.5)
    assert bits(mask).astype(bool).reshape(2, 3).tolist() == (dropped[:, :, 0, 0] != 0).tolist()
    assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial_matches_torch(torch, dtype):
    T, TT = getattr(torch, dtype), getattr(tt, dtype)
    both(torch, 4)
    p, tp = tt.rand(3, 50, dtype=TT), torch.rand(3, 50, dtype=T)
    for n, replacement in [(1, False), (1, True), (5, False), (5, True), (50, False),
                           (200, True)]:
        assert_same(tt.multinomial(p, n, replacement), torch.multinomial(tp, n, replacement))
        assert_same(p[1].multinomial(n, replacement), tp[1].multinomial(n, replacement))
        k = min(n, 25)
        assert_same(tt.multinomial(p[:, ::2], k, replacement),
                    torch.multinomial(tp[:, ::2], k, replacement))
        assert_same_state(torch)
    out, tout = tt.empty(3, 4, dtype=tt.int64), torch.empty(3, 4, dtype=torch.int64)
    assert tt.multinomial(p, 4, out=out) is out
    torch.multinomial(tp, 4, out=tout)
    assert_same(out, tout)


def test_interleaved_calls_on_three_generators_match_torch(torch):
    gens = [(None, None), (_C.Generator(), torch.Generator()),
            (_C.Generator(), torch.Generator())]
    for k, (g, tg) in enumerate(gens[1:]):
        g.manual_seed(100 + k)
        tg.manual_seed(100 + k)
    both(torch, 77)
    ops = [
        lambda m, g, n, d: m.rand(n, dtype=getattr(m, d), generator=g),
        lambda m, g, n, d: m.randn(n, dtype=getattr(m, d), generator=g),
        lambda m, g, n, d: m.randint(-3, 9, (n,), generator=g),
        lambda m, g, n, d: m.randperm(n, generator=g),
        lambda m, g, n, d: m.empty(n, dtype=getattr(m, d)).bernoulli_(0.25, generator=g),
        lambda m, g, n, d: m.empty(n, dtype=getattr(m, d)).exponential_(generator=g),
        lambda m, g, n, d: m.empty(3, n, dtype=getattr(m, d)).t().normal_(generator=g),
        lambda m, g, n, d: m.normal(m.zeros(n, dtype=getattr(m, d)), 2.0, generator=g),
        lambda m, g, n, d: m.multinomial(m.ones(n), 1, generator=g),
        lambda m, g, n, d: m.empty(n, dtype=getattr(m, d)).log_normal_(generator=g),
    ]
    rng = random.Random(2024)
    for _ in range(200):
        op = rng.choice(ops)
        g, tg = rng.choice(gens)
        n, dtype = rng.choice([1, 2, 3, 15, 16, 17, 33, 640]), rng.choice(FLOATS)
        assert_same(op(tt, g, n, dtype), op(torch, tg, n, dtype))
    assert_same_state(torch)
    for g, tg in gens[1:]:
        assert_same_state(torch, g, tg)


def test_state_round_trips_with_torch(torch):
    torch.manual_seed(31)
    torch.randn(3, dtype=torch.float64)         # leaves a cached normal sample
    torch.rand(700)                              # crosses a twist of the state
    tt.random.set_rng_state(tt.from_numpy(torch.get_rng_state().numpy()))
    assert_same_state(torch)
    assert_same(tt.randn(5, dtype=tt.float64), torch.randn(5, dtype=torch.float64))
    tt.rand(1000)
    torch.set_rng_state(torch.from_numpy(np.asarray(tt.random.get_rng_state()).copy()))
    assert_same(tt.randn(100), torch.randn(100))
    g, tg = _C.Generator(), torch.Generator()
    g.set_state(tt.from_numpy(torch.get_rng_state().numpy()))
    tg.set_state(torch.get_rng_state())
    assert_same(tt.rand(9, generator=g), torch.rand(9, generator=tg))
    assert_same_state(torch, g, tg)


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_error_table_is_torch(torch, call, exc, message):
    with pytest.raises(exc) as info:
        call(torch)
    if message is not None:
        assert message in str(info.value)
