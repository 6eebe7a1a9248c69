"""tensor(...) and the creation functions against torch: dtype inference, values,
shapes, errors."""
import numpy as np
import pytest

import tinytensor as tt
from oracle import assert_same, same_error, torch_module

torch = torch_module()

DATA = [1, 2.5, True, [1, 2, 3], (1, 2), [[1, 2, 3], [4, 5, 6]], [(1, 2, 3), [4, 5, 6]],
        [True, False], [True, 2], [1, 2.5], [], [[], []], [[True]], 1 / 3, [[1.5], [2]],
        [-0.0, float("inf"), float("nan")], [2**62, -2**63]]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_dtype_and_values_like_torch(data):
    assert_same(tt.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "bfloat16", "float32", "float64"])
def test_tensor_with_explicit_dtype(dtype):
    data = [[0, 1, 2], [3, 4, 5]]
    assert_same(tt.tensor(data, dtype=getattr(tt, dtype)),
                torch.tensor(data, dtype=getattr(torch, dtype)))
    assert_same(tt.tensor(1 / 3, dtype=getattr(tt, dtype)),
                torch.tensor(1 / 3, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [(1, 1, 1), [4, 5]], ["A"], [None],
                                 [[1, 2], 3]], ids=repr)
def test_tensor_errors_match_torch(bad):
    e1, e2 = same_error(lambda: tt.tensor(bad), lambda: torch.tensor(bad))
    if isinstance(e2, ValueError):
        assert str(e1) == str(e2)


@pytest.mark.parametrize("data,dtype", [([128], "int8"), ([-129], "int8"), ([256], "uint8"),
                                        ([1e20], "int64"), ([300.5], "uint8"),
                                        ([2**31], "int32"), ([-2.0], "uint8"), (-2.0, "uint8"),
                                        ([-0.9], "uint8"), ([255.5], "uint8"), ([127.5], "int8"),
                                        ([-256], "uint8"), ([float("nan")], "int64"),
                                        ([float("inf")], "int32"), ([2**64], "uint8"),
                                        ([2**1030], "float64")])
def test_out_of_range_for_explicit_integer_dtype_raises(data, dtype):
    e1, e2 = same_error(lambda: tt.tensor(data, dtype=getattr(tt, dtype)),
                        lambda: torch.tensor(data, dtype=getattr(torch, dtype)))
    assert str(e1) == str(e2)


def test_unsigned_accepts_negatives_by_wrapping_like_torch():
    assert_same(tt.tensor([255, -1], dtype=tt.uint8), torch.tensor([255, -1], dtype=torch.uint8))


@pytest.mark.parametrize("data,dtype", [([-255, -0.0], "uint8"), ([2.7, -2.7], "int64"),
                                        ([1e40, -1e40], "float32"), ([7e4], "float16"),
                                        ([2**64], "float32"), ([2**70, 1], "float64"),
                                        ([2**64, -1, 0.5, float("nan")], "bool")])
def test_in_range_or_float_targets_convert_like_torch(data, dtype):
    assert_same(tt.tensor(data, dtype=getattr(tt, dtype)),
                torch.tensor(data, dtype=getattr(torch, dtype)))


def test_tensor_from_numpy_and_tensor_copies():
    a = np.arange(6.0).reshape(2, 3)
    t = tt.tensor(a)
    a[0, 0] = 100
    assert t[0, 0].item() == 0
    assert t.dtype == tt.float64
    with pytest.warns(UserWarning):
        u = tt.tensor(t)
    assert u.tolist() == t.tolist() and u.data_ptr() != t.data_ptr()
    assert tt.tensor(np.float32(1.5)).dtype == tt.float32
    assert tt.tensor([np.int32(1)]).dtype == tt.int32


SHAPE_ARGS = [(3,), (2, 3), ((2, 3),), ([4],), (0,), ((),), (1, 0, 2)]


@pytest.mark.parametrize("args", SHAPE_ARGS, ids=repr)
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_fill_creators(fn, args):
    ours = getattr(tt, fn)(*args)
    theirs = getattr(torch, fn)(*args)
    if fn == "empty":
        assert ours.shape == theirs.shape and ours.dtype.name == "float32"
    else:
        assert_same(ours, theirs)
    assert_same(getattr(tt, fn)(*args, dtype=tt.int16).fill_(3) if fn == "empty" else
                getattr(tt, fn)(*args, dtype=tt.int16),
                getattr(torch, fn)(*args, dtype=torch.int16).fill_(3) if fn == "empty" else
                getattr(torch, fn)(*args, dtype=torch.int16))


def test_full_and_likes():
    for v in [3, 2.5, True]:
        assert_same(tt.full((2, 3), v), torch.full((2, 3), v))
    x, y = tt.ones(2, 3, dtype=tt.float64), torch.ones(2, 3, dtype=torch.float64)
    for fn in ["zeros_like", "ones_like"]:
        assert_same(getattr(tt, fn)(x), getattr(torch, fn)(y))
        assert_same(getattr(tt, fn)(x, dtype=tt.int8), getattr(torch, fn)(y, dtype=torch.int8))
    assert_same(tt.full_like(x, 7), torch.full_like(y, 7))
    assert tt.empty_like(x).shape == (2, 3)
    z = tt.zeros(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf


@pytest.mark.parametrize("args", [(5,), (1, 10), (0, 2, 0.25), (1.0, 2.0, 0.1), (10, 0, -3),
                                  (-3.5, 4), (0, 1, 0.1), (2**40, 2**40 + 5)])
def test_arange(args):
    assert_same(tt.arange(*args), torch.arange(*args))
    assert_same(tt.arange(*args, dtype=tt.float64), torch.arange(*args, dtype=torch.float64))


@pytest.mark.parametrize("args", [(0, 2, 21), (2, 1, 11), (1, 2, 11), (-1, 1, 1), (0, 1, 0),
                                  (0, 10, 7), (-3.3, 7.7, 1000), (0, 1, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linspace_bit_exact(args, dtype):
    ours = tt.linspace(*args, dtype=getattr(tt, dtype))
    theirs = torch.linspace(*args, dtype=getattr(torch, dtype))
    assert_same(ours, theirs, exact=True)


def test_logspace_and_eye():
    assert_same(tt.logspace(0, 3, 4), torch.logspace(0, 3, 4))
    assert_same(tt.logspace(-2, 2, 9, base=2, dtype=tt.float64),
                torch.logspace(-2, 2, 9, base=2, dtype=torch.float64))
    for args in [(3,), (2, 4), (4, 2), (0,)]:
        assert_same(tt.eye(*args), torch.eye(*args))


def test_huge_and_negative_sizes_raise_cleanly():
    same_error(lambda: tt.zeros(2**40, 2**40), lambda: torch.zeros(2**40, 2**40))
    same_error(lambda: tt.empty(2**45), lambda: torch.empty(2**45))
    same_error(lambda: tt.zeros(-1), lambda: torch.zeros(-1))
    with pytest.raises(RuntimeError):
        tt.zeros(*([1] * 65))


def test_dtype_facts_match_torch():
    for name in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                 "float32", "float64"]:
        ours, theirs = getattr(tt, name), getattr(torch, name)
        assert repr(ours) == repr(theirs)
        assert ours.itemsize == theirs.itemsize
        assert ours.is_floating_point == theirs.is_floating_point
        assert ours.is_signed == theirs.is_signed
        for other in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
                      "bfloat16", "float32", "float64"]:
            assert repr(tt.promote_types(ours, getattr(tt, other))) == \
                repr(torch.promote_types(theirs, getattr(torch, other)))
    assert tt.float is tt.float32 and tt.double is tt.float64 and tt.long is tt.int64
    assert tt.half is tt.float16 and tt.int is tt.int32 and tt.short is tt.int16
    for name in ["float16", "bfloat16", "float32", "float64"]:
        a, b = tt.finfo(getattr(tt, name)), torch.finfo(getattr(torch, name))
        for attr in ["eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits"]:
            assert getattr(a, attr) == getattr(b, attr), (name, attr)
    for name in ["uint8", "int8", "int16", "int32", "int64"]:
        a, b = tt.iinfo(getattr(tt, name)), torch.iinfo(getattr(torch, name))
        assert (a.min, a.max, a.bits) == (b.min, b.max, b.bits)
    with pytest.raises(TypeError, match="complex"):
        tt.complex64.is_floating_point


def test_default_dtype():
    assert tt.get_default_dtype() is tt.float32
    tt.set_default_dtype(tt.float64)
    try:
        assert tt.tensor([1.5]).dtype is tt.float64
        assert tt.zeros(2).dtype is tt.float64
        assert tt.tensor([1]).dtype is tt.int64
    finally:
        tt.set_default_dtype(tt.float32)
    with pytest.raises(TypeError):
        tt.set_default_dtype(tt.int64)


def test_like_functions_keep_the_layout_like_torch():
    base = np.arange(24.0).reshape(2, 3, 4)
    for view in [lambda t: t, lambda t: t.transpose(0, 2), lambda t: t.permute(1, 2, 0),
                 lambda t: t[:, ::2], lambda t: t[:, :1].expand(2, 5, 4)]:
        o, t = view(tt.from_numpy(base.copy())), view(torch.from_numpy(base.copy()))
        for fn in ["empty_like", "zeros_like", "ones_like"]:
            assert getattr(tt, fn)(o).stride() == getattr(torch, fn)(t).stride()
        assert tt.full_like(o, 2).stride() == torch.full_like(t, 2).stride()
