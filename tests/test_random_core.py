"""ctensor/random.c against torch's CPU generator, bit for bit.

The C file is compiled on its own (tests/_random_ctypes.py) and driven through ctypes
with numpy buffers.  Tests without torch check a hard-coded table taken from torch
2.13 and the standard mt19937 sequence; the rest compare with torch live.
"""
import os
import random
import subprocess
import sys
import threading

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import _random_ctypes as rc  # noqa: E402

FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["bool", "uint8", "int8", "int16", "int32", "int64"]
SIZES = [1, 2, 15, 16, 17, 100, 1000, 100_000]


@pytest.fixture(scope="module")
def lib():
    return rc.build()


@pytest.fixture
def gen(lib):
    return rc.Generator(lib)


def as_bits(a):
    """Values as comparable integers: floats by their bit patterns."""
    a = np.asarray(a)
    if a.dtype == np.float32:
        return a.view(np.uint32)
    if a.dtype == np.float64:
        return a.view(np.uint64)
    return a


# ---- without torch ---------------------------------------------------------------

def test_mt19937_is_the_standard_engine(gen):
    # C++ [rand.predef]: the 10000th output of mt19937 seeded 5489 is 4123659995
    gen.manual_seed(5489)
    assert gen.random() == 3499211612
    for _ in range(9998):
        gen.random()
    assert gen.random() == 4123659995


def test_random64_is_two_draws_high_word_first(gen):
    gen.manual_seed(5489)
    hi, lo = gen.random(), gen.random()
    gen.manual_seed(5489)
    assert gen.random64() == (hi << 32) | lo


def test_seed_uses_low_32_bits_but_is_kept_whole(gen):
    gen.manual_seed(2**40 + 7)
    a = gen.uniform(5)
    assert gen.initial_seed() == 2**40 + 7
    gen.manual_seed(7)
    assert np.array_equal(gen.uniform(5), a)


def test_fresh_generator_has_torch_default_seed(gen):
    assert gen.initial_seed() == 67280421310721


# (name, seed, call, expected values or bit patterns), taken from torch 2.13 on CPU
REFERENCE = [
    ('rand f32', 1234, lambda g: g.uniform(4),
     [0x3ced65e0, 0x3ecdc5a6, 0x3e850a4c, 0x3ebbb86a]),
    ('randn f32 scalar path', 0, lambda g: g.normal(3),
     [0x3fc53f5c, 0xbe963c50, 0xc00b7149]),
    ('randn f32 AVX2 path', 0, lambda g: g.normal(17)[-3:],
     [0x3f72409c, 0xbf57fb33, 0x3f6e8c30]),
    ('randn f64', 0, lambda g: g.normal(17, "float64")[-3:],
     [0xbfdcb2d8340fb171, 0xbfec8318cc163de5, 0x3fe5986ed8e63e98]),
    ('randn f16', 0, lambda g: g.normal(17, "float16")[-3:],
     [15960, 15250, 47808]),
    ('randn bf16', 0, lambda g: g.normal(40, "bfloat16")[-3:],
     [16403, 49084, 49099]),
    ('randint', 42, lambda g: g.from_to(6, "int64", -5, 1000),
     [367, 537, 11, 779, 781, 900]),
    ('randint wide', 42, lambda g: g.from_to(2, "int64", 0, 2**40),
     [0x66cbea3db3, 0x5c2ef5950e]),
    ('randperm', 42, lambda g: g.randperm(10),
     [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]),
    ('bernoulli', 42, lambda g: g.bernoulli(12, "int32", 0.3),
     [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0]),
    ('multinomial ties', 42,
     lambda g: g.multinomial(np.array([0.1, 0, 0.5, 0.4, 0, 1], np.float32), "float32",
                             6, False),
     [3, 2, 0, 5, 4, 1]),
    ('multinomial replacement', 42,
     lambda g: g.multinomial(np.array([0.1, 0.2, 0.7], np.float32), "float32", 8, True),
     [0, 0, 1, 0, 2, 2, 2, 2]),
    ('exponential f64', 7, lambda g: g.exponential(2, "float64", 2.0),
     [0x3fc4f81e377c8288, 0x3fc47755178bda9a]),
    ('random_ int64', 7, lambda g: g.random_(3, "int64"),
     [0x1388f0af3a32e4c4, 0x47a8c21951a829f6, 0x703b9643fa6cd0d3]),
    ('random_ uint8', 7, lambda g: g.random_(3, "uint8"),
     [175, 196, 25]),
]


@pytest.mark.parametrize("name,seed,call,expected", REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_values_from_torch(lib, name, seed, call, expected):
    before = lib.tt_random_avx2_normal()
    lib.tt_random_set_avx2_normal(True)     # the table is from torch's AVX2 build
    try:
        g = rc.Generator(lib).manual_seed(seed)
        assert as_bits(call(g)).tolist() == expected
    finally:
        lib.tt_random_set_avx2_normal(before)


def test_first_acceptance_rand_2x2x2x2(gen):
    gen.manual_seed(1234)
    first = gen.uniform(16)[:4].astype(np.float64)
    assert np.round(first, 4).tolist() == [0.0290, 0.4019, 0.2598, 0.3666]


def test_state_layout(gen):
    gen.manual_seed(5489)
    s = gen.get_state()
    assert s.size == rc.STATE_BYTES == 5056
    assert s[0:8].view(np.uint64)[0] == 5489                    # the_initial_seed
    assert s[8:12].view(np.int32)[0] == 1                       # left
    assert s[12:16].view(np.int32)[0] == 1                      # seeded
    assert s[16:24].view(np.uint64)[0] == 0                     # next
    assert s[24:32].view(np.uint64)[0] == 5489                  # state[0]
    assert not s[5016:].any()                                   # no cached normal
    gen.normal(1, "float64")                                    # caches the sine sample
    s = gen.get_state()
    assert s[5040:5044].view(np.int32)[0] == 1
    gen.set_state(s)
    assert np.array_equal(gen.get_state(), s)


def test_set_state_round_trips_float_cache(gen):
    s = gen.get_state()
    s[5048:5052] = np.array([1.5], np.float32).view(np.uint8)
    s[5052] = 1
    gen.set_state(s)
    assert np.array_equal(gen.get_state(), s)


def test_set_state_rejects_bad_states(gen):
    with pytest.raises(rc.RandomError, match="Expected a CPUGeneratorImplState of size 5056"):
        gen.set_state(np.zeros(100, np.uint8))
    bad = gen.get_state()
    bad[8:12] = np.array([0], np.int32).view(np.uint8)          # left = 0
    with pytest.raises(rc.RandomError, match="Invalid mt19937 state"):
        gen.set_state(bad)


@pytest.mark.parametrize("call,message", [
    (lambda g: g.uniform(3, "float32", 2, 1), "uniform_ expects to return a [from, to) range"),
    (lambda g: g.uniform(3, "int64"), "not implemented for 'Long'"),
    (lambda g: g.normal(3, "float32", 0, -1), "normal expects std >= 0.0"),
    (lambda g: g.from_to(3, "int64", 5, 5), "random_ expects 'from' to be less than 'to'"),
    (lambda g: g.from_to(3, "int8", 0, 1000), "to - 1 is out of bounds for signed char"),
    (lambda g: g.bernoulli(3, "float32", 1.5), "bernoulli_ expects p to be in [0, 1]"),
    (lambda g: g.exponential(3, "int32"), "Exponential distribution is a continuous"),
    (lambda g: g.randperm(3000, "float16"), "n cannot be greater than 2049 for Half type."),
    (lambda g: g.randperm(300, "int8"), "value cannot be converted to type int8_t"),
    (lambda g: g.multinomial(np.zeros(3, np.float32), "float32", 1, False),
     "sum of probabilities <= 0"),
    (lambda g: g.multinomial(np.ones(3, np.float32), "float32", 4, False),
     "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
])
def test_errors_carry_torch_messages(gen, call, message):
    with pytest.raises(rc.RandomError) as info:
        call(gen)
    assert message in str(info.value)


def test_threads_share_one_generator_safely(lib):
    g = rc.Generator(lib).manual_seed(3)
    chunks = []

    def work():
        for _ in range(50):
            chunks.append(g.uniform(1000))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ref = rc.Generator(lib).manual_seed(3)
    ref.uniform(200 * 1000)
    assert np.array_equal(g.get_state(), ref.get_state())


# ---- against torch ------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def tbits(t):
    """A torch tensor as the numpy storage our buffers use (16-bit floats as raw bits)."""
    import torch
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.contiguous().view(torch.int16).numpy().view(np.uint16)
    return t.contiguous().numpy()


def same(ours, theirs):
    theirs = tbits(theirs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(as_bits(ours), as_bits(theirs))


def same_state(gen, torch):
    np.testing.assert_array_equal(gen.get_state(), torch.get_rng_state().numpy())


def both(gen, torch, seed):
    gen.manual_seed(seed)
    torch.manual_seed(seed)


@pytest.mark.parametrize("seed", [0, 1, 1234, 2**32 + 5, 2**63 - 1])
def test_state_bytes_equal_torch_after_seeding(gen, torch, seed):
    both(gen, torch, seed)
    same_state(gen, torch)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_uniform_matches_torch(gen, torch, dtype, n):
    for seed, (low, high) in enumerate([(0, 1), (-3.7, 11.3), (-1e3, 1e-3), (2.5, 2.5)]):
        both(gen, torch, seed)
        same(gen.uniform(n, dtype, low, high),
             torch.empty(n, dtype=getattr(torch, dtype)).uniform_(low, high))
        same_state(gen, torch)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_normal_matches_torch(gen, torch, dtype, n):
    for seed, (mean, std) in enumerate([(0, 1), (3.5, 0.25), (-100, 7.7)]):
        both(gen, torch, seed)
        same(gen.normal(n, dtype, mean, std),
             torch.empty(n, dtype=getattr(torch, dtype)).normal_(mean, std))
        same_state(gen, torch)


def test_normal_cache_carries_across_calls(gen, torch):
    # the scalar path keeps the sine sample in the generator, shared by every dtype
    both(gen, torch, 11)
    steps = [(1, "float64"), (3, "float32"), (2, "float16"), (5, "float64"), (1, "bfloat16"),
             (16, "float32"), (1, "float64"), (7, "float32")]
    for n, dtype in steps:
        same(gen.normal(n, dtype), torch.randn(n, dtype=getattr(torch, dtype)))
        same_state(gen, torch)
        same(gen.log_normal(1, "float64", 0.5, 0.5),
             torch.empty(1, dtype=torch.float64).log_normal_(0.5, 0.5))
        same_state(gen, torch)


INT_RANGES = [(0, 2), (-5, 5), (0, 100), (-(1 << 27), 1 << 27), (0, 1 << 28),
              (-(1 << 40), 1 << 40), (3, 2**62)]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_random_from_to_matches_torch(gen, torch, dtype):
    T = getattr(torch, dtype)
    for seed, (low, high) in enumerate(INT_RANGES):
        for n in (1, 17, 1000):
            torch.manual_seed(seed)
            try:
                expected = torch.empty(n, dtype=T).random_(low, high)
            except RuntimeError:
                with pytest.raises(rc.RandomError):
                    gen.from_to(n, dtype, low, high)
                continue
            gen.manual_seed(seed)
            same(gen.from_to(n, dtype, low, high), expected)
            same_state(gen, torch)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_random_from_matches_torch(gen, torch, dtype):
    T = getattr(torch, dtype)
    for seed, low in enumerate([0, -3, 100, -2**63]):
        torch.manual_seed(seed)
        try:
            expected = torch.empty(257, dtype=T).random_(low, None)
        except RuntimeError:
            with pytest.raises(rc.RandomError):
                gen.from_(257, dtype, low)
            continue
        gen.manual_seed(seed)
        same(gen.from_(257, dtype, low), expected)
        same_state(gen, torch)


@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_random_default_matches_torch(gen, torch, dtype):
    both(gen, torch, 5)
    same(gen.random_(1000, dtype), torch.empty(1000, dtype=getattr(torch, dtype)).random_())
    same_state(gen, torch)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"] + FLOATS)
def test_randperm_matches_torch(gen, torch, dtype):
    for n in (0, 1, 2, 5, 100, 2049, 5000, 100_000):
        torch.manual_seed(n)
        try:
            expected = torch.randperm(n, dtype=getattr(torch, dtype))
        except RuntimeError:
            with pytest.raises(rc.RandomError):
                gen.randperm(n, dtype)
            continue
        gen.manual_seed(n)
        same(gen.randperm(n, dtype), expected)
        same_state(gen, torch)


@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_bernoulli_scalar_matches_torch(gen, torch, dtype):
    for seed, p in enumerate([0.0, 0.3, 0.5, 1.0]):
        for n in (1, 17, 1000):
            both(gen, torch, seed)
            same(gen.bernoulli(n, dtype, p),
                 torch.empty(n, dtype=getattr(torch, dtype)).bernoulli_(p))
            same_state(gen, torch)


@pytest.mark.parametrize("dtype", INTS + FLOATS)
@pytest.mark.parametrize("p_dtype", FLOATS)
def test_bernoulli_tensor_matches_torch(gen, torch, dtype, p_dtype):
    torch.manual_seed(99)
    p = torch.rand(1000, dtype=torch.float64).to(getattr(torch, p_dtype))
    both(gen, torch, 3)
    same(gen.bernoulli_tensor(dtype, tbits(p), p_dtype),
         torch.empty(1000, dtype=getattr(torch, dtype)).bernoulli_(p))
    same_state(gen, torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_continuous_samplers_match_torch(gen, torch, dtype):
    T = getattr(torch, dtype)
    samplers = [
        (lambda n: gen.exponential(n, dtype, 1.0), lambda n: torch.empty(n, dtype=T).exponential_()),
        (lambda n: gen.exponential(n, dtype, 0.37),
         lambda n: torch.empty(n, dtype=T).exponential_(0.37)),
        (lambda n: gen.log_normal(n, dtype, 0.2, 0.5),
         lambda n: torch.empty(n, dtype=T).log_normal_(0.2, 0.5)),
        (lambda n: gen.cauchy(n, dtype, -2.0, 3.0),
         lambda n: torch.empty(n, dtype=T).cauchy_(-2.0, 3.0)),
        (lambda n: gen.geometric(n, dtype, 0.3),
         lambda n: torch.empty(n, dtype=T).geometric_(0.3)),
    ]
    for seed, (ours, theirs) in enumerate(samplers):
        for n in (1, 17, 1000):
            both(gen, torch, seed)
            same(ours(n), theirs(n))
            same_state(gen, torch)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_geometric_into_integers_matches_torch(gen, torch, dtype):
    both(gen, torch, 8)
    same(gen.geometric(1000, dtype, 0.05),
         torch.empty(1000, dtype=getattr(torch, dtype)).geometric_(0.05))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(5,), (3, 7), (4, 100), (1000,)])
def test_multinomial_matches_torch(gen, torch, dtype, shape):
    T = getattr(torch, dtype)
    for seed in range(4):
        torch.manual_seed(100 + seed)
        probs = (torch.rand(shape, dtype=torch.float64) ** 3).to(T)
        if seed % 2:
            probs.view(-1)[::4] = 0     # zero probabilities make topk ties
        for n_sample, replacement in [(1, False), (1, True), (3, False), (3, True),
                                      (15, False), (17, False), (shape[-1], False),
                                      (50, True)]:
            torch.manual_seed(seed)
            try:
                expected = torch.multinomial(probs, n_sample, replacement)
            except RuntimeError:
                with pytest.raises(rc.RandomError):
                    gen.multinomial(tbits(probs), dtype, n_sample, replacement)
                continue
            gen.manual_seed(seed)
            same(gen.multinomial(tbits(probs), dtype, n_sample, replacement), expected)
            same_state(gen, torch)


def test_interleaved_calls_match_torch(gen, torch):
    rng = random.Random(2024)
    ops = [
        lambda n, d: (gen.uniform(n, d), torch.rand(n, dtype=getattr(torch, d))),
        lambda n, d: (gen.normal(n, d), torch.randn(n, dtype=getattr(torch, d))),
        lambda n, d: (gen.from_to(n, "int64", -3, 9), torch.randint(-3, 9, (n,))),
        lambda n, d: (gen.bernoulli(n, d, 0.25),
                      torch.empty(n, dtype=getattr(torch, d)).bernoulli_(0.25)),
        lambda n, d: (gen.exponential(n, d), torch.empty(n, dtype=getattr(torch, d)).exponential_()),
        lambda n, d: (gen.randperm(n), torch.randperm(n)),
        lambda n, d: (gen.log_normal(n, d, 0.0, 1.0),
                      torch.empty(n, dtype=getattr(torch, d)).log_normal_(0.0, 1.0)),
    ]
    both(gen, torch, 77)
    for _ in range(300):
        op, n, dtype = rng.choice(ops), rng.choice([1, 2, 3, 15, 16, 17, 33, 640]), rng.choice(FLOATS)
        ours, theirs = op(n, dtype)
        same(ours, theirs)
        same_state(gen, torch)


def test_state_round_trips_with_torch(gen, torch):
    torch.manual_seed(31)
    torch.randn(3, dtype=torch.float64)             # leaves a cached normal sample
    torch.rand(700)                                  # crosses a twist
    gen.set_state(torch.get_rng_state().numpy())
    same_state(gen, torch)
    same(gen.normal(5, "float64"), torch.randn(5, dtype=torch.float64))
    gen.uniform(1000)
    torch.set_rng_state(torch.from_numpy(gen.get_state()))
    same(gen.normal(100, "float32"), torch.randn(100))
    same_state(gen, torch)


def test_torch_fills_permuted_tensors_in_storage_order(gen, torch):
    # Note [fill order] in random.c: what the Cython layer relies on
    torch.manual_seed(4)
    t = torch.empty(5, 3).t()
    t.uniform_()
    gen.manual_seed(4)
    np.testing.assert_array_equal(gen.uniform(15), t.t().contiguous().view(-1).numpy())


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_of_noncontiguous_tensor_is_serial(gen, torch, dtype):
    # torch skips its blockwise Box-Muller for non-contiguous tensors of any size
    both(gen, torch, 6)
    t = torch.empty(9, 8, dtype=getattr(torch, dtype)).t()
    t.normal_(1.0, 2.0)
    same(gen.normal_serial(72, dtype, 1.0, 2.0), t.t().contiguous().view(-1))
    same_state(gen, torch)


def test_portable_normal_matches_torch_default_capability(lib, torch):
    # ATEN_CPU_CAPABILITY=default makes torch run its non-AVX2 Box-Muller
    code = ("import torch, sys\n"
            "torch.manual_seed(3)\n"
            "sys.stdout.buffer.write(torch.randn(1000).numpy().tobytes())\n")
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         check=True).stdout
    before = lib.tt_random_avx2_normal()
    lib.tt_random_set_avx2_normal(False)
    try:
        g = rc.Generator(lib).manual_seed(3)
        assert g.normal(1000).tobytes() == out
    finally:
        lib.tt_random_set_avx2_normal(before)
