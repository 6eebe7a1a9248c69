"""The vector loops of float32 -> bfloat16 / int8 casts (cast.c's narrow_i8, half.h's
tt_narrow_bf16) against torch bit for bit: bit patterns from every class (NaN payloads,
infinities, subnormals, round-to-even ties, int8 wrap-around and values beyond int32),
lengths around the vector widths, unaligned and strided views, 1 and 2 threads."""
import numpy as np
import pytest

import tinytensor as tt
from oracle import bits, pair, torch_module, torch_dtype, tt_dtype

torch = torch_module()

# 16 floats per AVX2 step for bfloat16, 32 for int8: lengths on both sides of each
LENGTHS = [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000]


def sampled_bit_patterns(count, seed=0):
    """float32 values drawn as raw bits, plus the bit patterns every branch turns on."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 2**32, count, dtype=np.uint64).astype(np.uint32)
    ties = (raw & np.uint32(0xFFFF0000)) | np.uint32(0x8000)  # bfloat16 exact ties
    special = np.array([0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001,
                        0xFFFFFFFF, 0x7FBFFFFF, 0x00000001, 0x807FFFFF, 0x7F7FFFFF,
                        0x7F7F8000, 0xFF7F8000, 0x4F000000, 0xCF000000, 0x4EFFFFFF,
                        0xCEFFFFFF, 0x5F000000, 0xDF000000], dtype=np.uint32)
    # around the int8 wrap points and int32's range, as floats
    edges = np.array([127.9, 128.0, 255.5, 256.0, -128.5, -129.0, -255.9, 300.7, -300.7,
                      2.0**24 + 2, 2.0**31 - 128, -2.0**31, 2.0**31, 3e9, -3e9, 1e10,
                      2.0**63, -2.0**63, 1e30, -0.9, 0.9], dtype=np.float32).view(np.uint32)
    # magnitudes where an int8 result is not 0: random values below 2^31
    moderate = (rng.standard_normal(count) * 10.0 ** rng.integers(0, 10, count)).astype(
        np.float32).view(np.uint32)
    allbits = np.concatenate([raw, ties, ties + 1, ties - 1, special, edges, moderate])
    return allbits.view(np.float32)


def assert_same_cast(ours, theirs, dst):
    got, want = ours.to(tt_dtype(dst)), theirs.to(torch_dtype(dst))
    assert got.dtype == tt_dtype(dst)
    np.testing.assert_array_equal(bits(got), bits(want))


@pytest.mark.parametrize("dst", ["bfloat16", "int8"])
@pytest.mark.parametrize("threads", [1, 2])
def test_sampled_bit_patterns_cast_like_torch(dst, threads):
    vals = sampled_bit_patterns(100_000)
    ours, theirs = pair(vals)
    old = tt.get_num_threads()
    tt.set_num_threads(threads)
    try:
        assert_same_cast(ours, theirs, dst)             # contiguous: the vector loop
        assert_same_cast(ours[1:], theirs[1:], dst)     # starts one element in
        assert_same_cast(ours[::3], theirs[::3], dst)   # strided: the scalar loop
    finally:
        tt.set_num_threads(old)


@pytest.mark.parametrize("dst", ["bfloat16", "int8"])
@pytest.mark.parametrize("n", LENGTHS)
def test_lengths_around_the_vector_width(dst, n):
    vals = np.resize(sampled_bit_patterns(64, seed=n), n + 1)
    ours, theirs = pair(vals)
    assert_same_cast(ours[:n], theirs[:n], dst)
    assert_same_cast(ours[1:], theirs[1:], dst)


def test_two_dimensional_sources():
    vals = sampled_bit_patterns(3000, seed=1)[:200 * 33].reshape(200, 33)
    ours, theirs = pair(vals)
    # rows of 32 contiguous elements: the vector loop once per row
    for dst in ["bfloat16", "int8"]:
        assert_same_cast(ours[:, 1:], theirs[:, 1:], dst)
    # torch keeps a transposed layout (strides (1, 200)) and so writes NaN as a
    # contiguous cast does; tinytensor's .to() returns row-major and takes the strided
    # loop (Note [bfloat16 NaN]): equal values, NaN aside
    finite = np.where(np.isnan(vals), np.float32(1.5), vals)
    ours, theirs = pair(finite)
    for dst in ["bfloat16", "int8"]:
        assert_same_cast(ours.t(), theirs.t(), dst)
