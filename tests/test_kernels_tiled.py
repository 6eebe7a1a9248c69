"""The iterator's tiled walk (Note [tiles] in ctensor/iter.c) against torch, bit for bit:
operand mixes whose fastest dims differ (transposed, permuted, sliced, broadcast, in
place, copies and casts), with sides that are not multiples of the tile, on 1 and 2
threads."""
import numpy as np
import pytest

import tinytensor as tt
from tinytensor import _C
from oracle import DTYPE_NAMES, assert_same, bits, pair, torch_module

torch = torch_module()

TILE_COLS = 128         # iter.c: plans with a longer inner dim are tiled,
MIN_SPAN = 8 << 20      # when a row of some operand spans this many bytes

# (m, n): inner dims past one tile and not a multiple of it; 300 x 211 passes the
# threading grain, so two threads split it in strips
SIZES = [(133, 141), (300, 211), (257, 129)]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = tt.get_num_threads()
    tt.set_num_threads(request.param)
    yield request.param
    tt.set_num_threads(before)


def reaches_tiles(out, *inputs):
    """Does the plan for out <- op(inputs) take the tiled walk (iter.c's tile_rows)?"""
    plan = _C.iter_plan(out, list(inputs))
    shape, strides = plan["shape"], plan["strides"]
    if len(shape) < 2 or shape[0] <= TILE_COLS or 0 in strides[0]:
        return False
    return any(0 < abs(s[1]) < abs(s[0]) and abs(s[0]) >= 64
               and abs(s[0]) * shape[0] >= MIN_SPAN for s in strides)


def wide(shape, dtype, seed):
    """A (tinytensor, torch) pair of views of the given shape whose first dim steps so far
    in one storage that walking it spans MIN_SPAN bytes, without computing that much."""
    rows, cols = shape[0], int(np.prod(shape[1:]))
    itemsize = tt.empty(0, dtype=getattr(tt, dtype)).element_size()
    length = max(cols, -(-MIN_SPAN // (rows * itemsize)))
    a = tt.zeros(rows, length, dtype=getattr(tt, dtype))
    b = torch.zeros(rows, length, dtype=getattr(torch, dtype))
    va, vb = pair(values((rows, cols), dtype, seed), dtype)
    a[:, :cols].copy_(va), b[:, :cols].copy_(vb)
    return a[:, :cols].view(*shape), b[:, :cols].view(*shape)


def values(shape, dtype, seed):
    """Values every dtype holds exactly: small integers, halves, signs, zeros."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-40, 40, size=shape) / 2.0
    if dtype == "bool":
        return a > 0
    if dtype == "uint8":
        return np.abs(a).astype(np.uint8)
    if dtype.startswith("int"):
        return a.astype(np.int64)
    return a


def same_bits(ours, theirs):
    """Equal dtype, shape, strides and bit patterns (16-bit floats compared as bits)."""
    assert_same(ours, theirs, exact=True)
    np.testing.assert_array_equal(bits(ours), bits(theirs))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("m,n", SIZES)
def test_binary_transposed_operand(dtype, m, n, threads):
    xs, xt = wide((n, m), dtype, 0)
    ys, yt = wide((m, n), dtype, 1)
    assert reaches_tiles(xs.t() + ys, xs.t(), ys)
    assert reaches_tiles(ys * xs.t(), ys, xs.t())
    same_bits(xs.t() + ys, xt.t() + yt)
    same_bits(ys * xs.t(), yt * xt.t())
    same_bits(tt.maximum(xs.t(), ys), torch.maximum(xt.t(), yt))
    same_bits(xs.t() == ys, xt.t() == yt)


@pytest.mark.parametrize("dtype", ["float32", "uint8", "float16"])
@pytest.mark.parametrize("m,n", [(3000, 20), (4001, 7), (5000, 2)])
def test_binary_long_narrow(dtype, m, n, threads):
    # few rows: tiles get lower so that threads still have strips to share; with steps
    # under a cache line (5000 x 2 float32) there is nothing to tile
    xs, xt = pair(values((n, m), dtype, 16), dtype)
    ys, yt = wide((m, n), dtype, 17)
    same_bits(xs.t() + ys, xt.t() + yt)
    same_bits(ys.t().contiguous(), yt.t().contiguous())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "bfloat16"])
def test_binary_permuted_3d(dtype, threads):
    xs, xt = wide((5, 140, 131), dtype, 2)
    for perm in [(2, 0, 1), (2, 1, 0), (1, 2, 0)]:
        shape = tuple(xs.shape[p] for p in perm)
        ys, yt = wide(shape, dtype, 4)
        if perm == (2, 0, 1):           # an outer dim around the tiles
            assert reaches_tiles(xs.permute(*perm) + ys, xs.permute(*perm), ys)
        same_bits(xs.permute(*perm) + ys, xt.permute(*perm) + yt)
        same_bits(ys - xs.permute(*perm), yt - xt.permute(*perm))


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64"])
def test_binary_sliced_and_broadcast(dtype, threads):
    xs, xt = pair(values((400, 300), dtype, 5), dtype)
    ys, yt = wide((149, 200), dtype, 6)
    a, b = xs[::2, 1:150].t(), xt[::2, 1:150].t()            # (149, 200), strided both ways
    assert reaches_tiles(a + ys, a, ys)
    same_bits(a + ys, b + yt)
    rs, rt = pair(values((1, 200), dtype, 7), dtype)
    cs, ct = pair(values((149, 1), dtype, 8), dtype)
    same_bits(a * rs, b * rt)
    same_bits(a + ys + cs, b + yt + ct)
    same_bits(tt.where(ys > 0, a, cs), torch.where(yt > 0, b, ct))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_inplace_into_transposed(dtype, threads):
    xs, xt = pair(values((211, 300), dtype, 9), dtype)
    ys, yt = wide((300, 211), dtype, 10)
    assert reaches_tiles(xs.t(), xs.t(), ys)
    if dtype == "bool":
        xs.t().logical_or_(ys), xt.t().logical_or_(yt)
    else:
        xs.t().add_(ys), xt.t().add_(yt)
        xs.t().mul_(ys), xt.t().mul_(yt)
    same_bits(xs, xt)


def test_inplace_overlapping_inputs(threads):
    xs, xt = wide((300, 300), "float32", 11)
    assert reaches_tiles(xs + xs.t(), xs, xs.t())
    same_bits(xs + xs.t(), xt + xt.t())                      # two reads of one storage
    xs.t().add_(xs.t()), xt.t().add_(xt.t())                  # the same view: allowed
    same_bits(xs, xt)
    ds, dt = pair(values((300, 300), "float32", 11), "float32")
    with pytest.raises(RuntimeError):               # partial overlap of dense views
        dt.t().add_(dt)
    with pytest.raises(RuntimeError):
        ds.t().add_(ds)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("m,n", SIZES)
def test_copy_transposed_contiguous(dtype, m, n, threads):
    xs, xt = wide((m, n), dtype, 12)
    assert reaches_tiles(tt.empty(n, m, dtype=xs.dtype), xs.t())
    same_bits(xs.t().contiguous(), xt.t().contiguous())
    zs, zt = wide((4, m, n), dtype, 13)
    same_bits(zs.permute(2, 0, 1).contiguous(), zt.permute(2, 0, 1).contiguous())
    same_bits(zs.transpose(1, 2).contiguous(), zt.transpose(1, 2).contiguous())


@pytest.mark.parametrize("to", ["float16", "bfloat16", "int8", "bool", "float64"])
@pytest.mark.parametrize("frm", ["float32", "int16", "bfloat16"])
def test_cast_of_transposed_input(frm, to, threads):
    xs, xt = wide((300, 211), frm, 14)
    os_ = tt.empty(211, 300, dtype=getattr(tt, to))
    ot = torch.empty(211, 300, dtype=getattr(torch, to))
    assert reaches_tiles(os_, xs.t())
    os_.copy_(xs.t()), ot.copy_(xt.t())
    same_bits(os_, ot)
    # .to() is a layout question for the Python layer; the values must match either way
    np.testing.assert_array_equal(bits(xs.t().to(getattr(tt, to)).contiguous()),
                                  bits(xt.t().to(getattr(torch, to)).contiguous()))


def test_unary_into_other_layout(threads):
    xs, xt = wide((300, 211), "float32", 15)
    os_, ot = tt.empty(211, 300), torch.empty(211, 300)
    tt.neg(xs.t(), out=os_), torch.neg(xt.t(), out=ot)
    same_bits(os_, ot)
    # exp of a transposed input keeps its layout (no tiles) and equals exp of the copy
    same_bits(tt.exp(xs.t()).contiguous(), tt.exp(xs.t().contiguous()))
    assert tt.exp(xs.t()).stride() == torch.exp(xt.t()).stride()
    tt.exp(xs.t(), out=os_)
    same_bits(os_, tt.exp(xs.t().contiguous()))


@pytest.mark.parametrize("shape", [(0, 200), (200, 0), (3, 0, 150)])
def test_zero_size(shape, threads):
    xs, xt = tt.ones(*shape), torch.ones(*shape)
    back = tuple(range(len(shape) - 1, -1, -1))
    ys, yt = tt.ones(*shape[::-1]).permute(*back), torch.ones(*shape[::-1]).permute(*back)
    # torch gives the empty 3-D sum strides (150, 150, 1), tinytensor (150, 450, 1): the
    # output layout of empty results is binary.c's, not the iterator's
    assert_same(xs + ys, xt + yt, check_stride=len(shape) == 2)
    same_bits(xs.transpose(0, 1).contiguous(), xt.transpose(0, 1).contiguous())


def test_short_rows_stay_untiled():
    """Inner dims within one tile, contiguous and broadcast plans walk as before."""
    xs = tt.ones(100, 120)
    assert not reaches_tiles(xs.t() + tt.ones(120, 100), xs.t(), tt.ones(120, 100))
    big = tt.ones(300, 400)
    assert not reaches_tiles(big + big, big, big)
    assert not reaches_tiles(big, tt.ones(300, 1), tt.ones(1, 400))
