"""Casts against torch: every 16-bit float bit pattern, random float32 values including
ties and subnormals, and every dtype pair on special values (wrap-around, NaN, inf)."""
import numpy as np
import pytest

import tinytensor as tt
from oracle import DTYPE_NAMES, bits, pair, to_numpy, torch_module, tt_dtype, torch_dtype

torch = torch_module()


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_every_16bit_pattern_widens_and_narrows_like_torch(name):
    patterns = np.arange(65536, dtype=np.uint16).view(np.int16)
    ours16 = tt.from_numpy(patterns.copy()).view(tt_dtype(name))
    theirs16 = torch.from_numpy(patterns.copy()).view(torch_dtype(name))
    wide_ours, wide_theirs = ours16.float(), theirs16.float()
    np.testing.assert_array_equal(wide_ours.numpy().view(np.uint32),
                                  wide_theirs.numpy().view(np.uint32))
    np.testing.assert_array_equal(bits(wide_ours.to(tt_dtype(name))),
                                  bits(wide_theirs.to(torch_dtype(name))))
    # float64 -> 16-bit goes through float32 in torch (double rounding): same here
    np.testing.assert_array_equal(bits(ours16.double().to(tt_dtype(name))),
                                  bits(theirs16.double().to(torch_dtype(name))))


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_random_float32_rounds_to_nearest_even_like_torch(name):
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)
    # force many exact ties and near-ties in the dropped bits, and subnormal ranges
    keep = 13 if name == "float16" else 16
    ties = (raw & ~np.uint32((1 << keep) - 1)) | np.uint32(1 << (keep - 1))
    small = (rng.random(20000) * 2e-4).astype(np.float32).view(np.uint32)
    vals = np.concatenate([raw, ties, ties + 1, ties - 1, small]).view(np.float32)
    ours = tt.from_numpy(vals.copy()).to(tt_dtype(name))
    theirs = torch.from_numpy(vals.copy()).to(torch_dtype(name))
    np.testing.assert_array_equal(bits(ours), bits(theirs))


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -1.5, 127.0, 128.0, 255.0, 255.9, 256.0, 300.7,
           -300.7, -129.0, 70000.0, 2.0**31, 2.0**32 + 5, 3e9, -3e9, 1e10, 1e20, -1e20,
           float("nan"), float("inf"), -float("inf"), 1 / 3, 65504.0, 65520.0, 1e-8,
           6e-8, 2.0**63, -2.0**63]


@pytest.mark.parametrize("src", DTYPE_NAMES)
@pytest.mark.parametrize("dst", DTYPE_NAMES)
@pytest.mark.parametrize("n", [4, 100])   # torch has scalar and vectorised paths
def test_every_dtype_pair_matches_torch(src, dst, n):
    if src == "bool":
        base = np.array([0, 1, 1, 0], dtype=bool)
    elif src.startswith("int") or src == "uint8":
        info = np.iinfo(src)
        base = np.array([0, 1, -1, 127, 128, -129, 255, 256, 300, 70000, info.min, info.max,
                         2**31 - 1, -2**31], dtype=np.int64)
        base = base.astype(src)     # wraps into range, as torch's own source would hold
    else:
        base = np.array(SPECIAL, dtype=np.float64)
    a = np.resize(base, max(n, len(base)))
    ours, theirs = pair(a)
    ours, theirs = ours.to(tt_dtype(src)), theirs.to(torch_dtype(src))
    o, t = ours.to(tt_dtype(dst)), theirs.to(torch_dtype(dst))
    assert o.dtype.name == dst
    if dst in ("float16", "bfloat16"):
        np.testing.assert_array_equal(bits(o), bits(t))
    else:
        np.testing.assert_array_equal(to_numpy(o), to_numpy(t))


def test_seed_examples():
    assert tt.tensor([128]).to(tt.int8).tolist() == [-128]
    assert tt.tensor([255]).to(tt.uint8).tolist() == [255]
    assert tt.tensor([300]).to(tt.uint8).tolist() == [44]
    assert tt.tensor([300]).to(tt.int16).tolist() == [300]
    assert tt.tensor([300.7, -1.5]).to(tt.uint8).tolist() == [44, 255]
    assert tt.tensor([float("nan"), float("inf")]).to(tt.int32).tolist() == [-2**31] * 2
    with pytest.raises(RuntimeError, match="cannot be converted to type int8 without overflow"):
        tt.tensor([128], dtype=tt.int8)


def test_cast_methods_and_noncontiguous_source():
    x = tt.arange(12).reshape(3, 4).t()
    for m, name in [("float", "float32"), ("double", "float64"), ("half", "float16"),
                    ("bfloat16", "bfloat16"), ("int", "int32"), ("long", "int64"),
                    ("short", "int16"), ("char", "int8"), ("byte", "uint8"), ("bool", "bool")]:
        y = getattr(x, m)()
        assert y.dtype.name == name
        assert y.shape == x.shape
        assert y.float().tolist() == [[float(v) if name != "bool" else float(v != 0) for v in row]
                                      for row in x.tolist()]
    assert x.to(tt.int64) is x
    assert x.type() == "torch.LongTensor"
    assert x.type(tt.float64).dtype == tt.float64


@pytest.mark.parametrize("dst", ["float16", "bfloat16", "int8"])
@pytest.mark.parametrize("n", [1, 7, 9, 1001])
def test_float32_fast_casts_contiguous_and_strided_match_torch(dst, n):
    # contiguous runs take the vector loops of cast.c (Note [fast casts]), strided ones
    # the generic loop: both must give torch's bits, including the F16C tail
    rng = np.random.default_rng(n)
    vals = np.concatenate([np.array(SPECIAL), rng.standard_normal(2 * n) * 300,
                           rng.standard_normal(n) * 1e-6]).astype(np.float32)
    vals = np.resize(vals, 2 * n)
    ours, theirs = pair(vals)
    for o, t in [(ours, theirs), (ours[::2], theirs[::2])]:
        got, want = o.to(tt_dtype(dst)), t.to(torch_dtype(dst))
        np.testing.assert_array_equal(bits(got), bits(want))
    # and back to float32 from the 16-bit formats
    if dst != "int8":
        o16, t16 = ours.to(tt_dtype(dst)), theirs.to(torch_dtype(dst))
        for o, t in [(o16, t16), (o16[1::2], t16[1::2])]:
            np.testing.assert_array_equal(bits(o.float()), bits(t.float()))


LAYOUTS = {
    "transposed": lambda t: t.reshape(3, 4).t(),
    "permuted": lambda t: t.reshape(2, 3, 2).permute(2, 0, 1),
    "step-sliced": lambda t: t.reshape(3, 4).t()[:, ::2],
    "sliced rows": lambda t: t.reshape(6, 2)[::2, 1:],
    "expanded": lambda t: t[:4].reshape(4, 1).expand(4, 3),
    "contiguous": lambda t: t.reshape(3, 4),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_to_and_clone_keep_the_layout_as_torch(layout):
    """.to(dtype), .double() and .clone() lay the copy out like the input (torch's
    preserve_format); .contiguous() does not."""
    ours, theirs = (LAYOUTS[layout](lib.arange(12.0)) for lib in (tt, torch))
    for f in (lambda t, lib: t.to(lib.float16), lambda t, lib: t.double(),
              lambda t, lib: t.clone(), lambda t, lib: t.contiguous(),
              lambda t, lib: t.to(lib.int8)):
        a, b = f(ours, tt), f(theirs, torch)
        assert a.stride() == b.stride() and a.shape == b.shape
        np.testing.assert_array_equal(to_numpy(a), b.numpy())
