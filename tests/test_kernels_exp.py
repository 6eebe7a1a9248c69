"""float32 exp: the AVX2 loop of contiguous runs (exp_f32_avx2 in unary.c) against the
generated loop that strided runs take (exp_vec_f), bit for bit, on sampled bit patterns,
lengths around the vector width, in place, 1 and 2 threads; and both against a correctly
rounded reference and torch where the results are exact (inf, 0, NaN, 1)."""
import numpy as np
import pytest

import tinytensor as tt
from oracle import pair, torch_module

torch = torch_module()


def sampled_inputs(count, seed=0):
    """float32 bit patterns over the whole line, dense in exp's finite range, and edges."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 2**32, count, dtype=np.uint64).astype(np.uint32).view(np.float32)
    dense = rng.uniform(-105.0, 90.0, count).astype(np.float32)
    small = (rng.standard_normal(count) * 10.0 ** rng.integers(-30, 1, count)).astype(
        np.float32)
    edges = np.array([0.0, -0.0, 1e-45, -1e-45, 88.72283, 88.72284, 88.7229, 89.0, 89.5,
                      -87.33654, -87.33655, -103.97208, -103.9721, -104.0, -104.5, -150.0,
                      np.inf, -np.inf, np.nan], dtype=np.float32)
    payload_nans = np.array([0x7F800001, 0xFFC00001, 0x7FFFFFFF], dtype=np.uint32).view(
        np.float32)
    return np.concatenate([raw, dense, small, edges, payload_nans])


def exp_bits(values, strided):
    """exp of values through a contiguous or a strided view, as uint32 bits."""
    if strided:
        holder = np.zeros(2 * len(values), dtype=np.float32)
        holder[::2] = values
        x = tt.from_numpy(holder)[::2]
    else:
        x = tt.from_numpy(values.copy())
    return np.asarray(tt.exp(x).contiguous()).view(np.uint32)


@pytest.mark.parametrize("threads", [1, 2])
def test_vector_loop_gives_the_strided_loops_bits(threads):
    vals = sampled_inputs(40_000)
    old = tt.get_num_threads()
    tt.set_num_threads(threads)
    try:
        want = exp_bits(vals, strided=True)
        np.testing.assert_array_equal(exp_bits(vals, strided=False), want)
        np.testing.assert_array_equal(exp_bits(vals[3:], strided=False), want[3:])
    finally:
        tt.set_num_threads(old)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 15, 16, 17, 100])
def test_lengths_around_the_vector_width_and_in_place(n):
    vals = sampled_inputs(8, seed=n)[-n:] if n <= 40 else sampled_inputs(40, seed=n)[:n]
    want = exp_bits(vals, strided=True)
    np.testing.assert_array_equal(exp_bits(vals, strided=False), want)
    x = tt.from_numpy(vals.copy())
    x.exp_()
    np.testing.assert_array_equal(np.asarray(x).view(np.uint32), want)


def test_correctly_rounded_away_from_ties():
    # computed in double and rounded once (Note [vectorised exp]): the float nearest to
    # e^x, except within ~1e-5 ulp of a tie, where the double reference cannot decide
    vals = sampled_inputs(40_000, seed=3)
    vals = vals[np.isfinite(vals)]
    got = np.asarray(tt.exp(tt.from_numpy(vals.copy())))
    with np.errstate(over="ignore", invalid="ignore"):     # overflow: inf - inf
        ref = np.exp(vals.astype(np.float64))
        rounded = ref.astype(np.float32)
        below = np.nextafter(rounded, np.float32(-np.inf)).astype(np.float64)
        above = np.nextafter(rounded, np.float32(np.inf)).astype(np.float64)
        near_tie = np.minimum(np.abs(ref - (rounded + below) / 2),
                              np.abs(ref - (rounded + above) / 2)) <= 1e-12 * ref
    np.testing.assert_array_equal(got[~near_tie], rounded[~near_tie])


def test_exact_results_match_torch():
    vals = sampled_inputs(10_000, seed=4)
    ours, theirs = pair(vals)
    got, want = np.asarray(tt.exp(ours)), torch.exp(theirs).numpy()
    exact = ~np.isfinite(want) | (want == 0) | (want == 1)
    np.testing.assert_array_equal(got[exact], want[exact])
    np.testing.assert_allclose(got[~exact], want[~exact], rtol=2.4e-7, atol=0)
