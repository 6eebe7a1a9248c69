"""numpy and DLPack sharing, Python scalars out, printing, pickling."""
import gc
import pickle
import weakref

import numpy as np
import pytest

import tinytensor as tt
from oracle import assert_same, pair, same_error, torch_module

torch = torch_module()


def test_from_numpy_shares_memory_both_ways_seed():
    a = np.eye(3, 3)
    t = tt.from_numpy(a)
    assert repr(t) == repr(torch.from_numpy(np.eye(3, 3)))
    t[0, 1] = 5
    assert a[0, 1] == 5
    a[2, 0] = 7
    assert t[2, 0].item() == 7
    b = np.array([1, 2, 3])
    assert repr(tt.from_numpy(b)) == "tensor([1, 2, 3])"
    d = tt.ones(2, 2, dtype=tt.int64).numpy()
    assert d.dtype == np.int64 and d.tolist() == [[1, 1], [1, 1]]


def test_numpy_view_keeps_memory_alive():
    t = tt.arange(6.0)
    a = t.numpy()
    del t
    gc.collect()
    assert a.tolist() == [0, 1, 2, 3, 4, 5]
    arr = np.arange(4.0)
    x = tt.from_numpy(arr)
    ref = weakref.ref(arr) if hasattr(arr, "__weakref__") else None
    del arr
    gc.collect()
    assert x.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "float32", "float64"])
def test_numpy_roundtrip_every_dtype(dtype):
    a = (np.arange(12) % 3).astype(dtype).reshape(3, 4)[:, ::2]
    t = tt.from_numpy(a)
    assert t.dtype.name == dtype and t.stride() == torch.from_numpy(a).stride()
    assert np.shares_memory(np.asarray(t), a)
    np.testing.assert_array_equal(t.numpy(), a)
    assert tt.tensor(a).numpy().flags.c_contiguous


def test_numpy_errors_match_torch():
    same_error(lambda: tt.from_numpy(np.array([1, None], dtype=object)),
               lambda: torch.from_numpy(np.array([1, None], dtype=object)))
    same_error(lambda: tt.from_numpy(np.arange(3.0)[::-1]),
               lambda: torch.from_numpy(np.arange(3.0)[::-1]))
    same_error(lambda: tt.from_numpy(np.arange(3.0).astype(">f8")),
               lambda: torch.from_numpy(np.arange(3.0).astype(">f8")))
    x = tt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    with pytest.raises(TypeError, match="BFloat16"):
        tt.ones(2, dtype=tt.bfloat16).numpy()
    with pytest.raises(TypeError):
        tt.from_numpy([1, 2])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "bfloat16", "float32", "float64"])
def test_dlpack_with_torch_both_ways(dtype):
    theirs = torch.arange(12).reshape(3, 4).to(getattr(torch, dtype))[:, 1:]
    ours = tt.from_dlpack(theirs)
    assert ours.dtype.name == dtype and ours.stride() == theirs.stride()
    assert ours.data_ptr() == theirs.data_ptr()
    back = torch.from_dlpack(ours)
    assert back.data_ptr() == ours.data_ptr() and back.dtype == theirs.dtype
    assert torch.equal(back, theirs)


def test_dlpack_with_numpy():
    t = tt.arange(6.0).reshape(2, 3)
    a = np.from_dlpack(t)
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    u = tt.from_dlpack(np.arange(5))
    assert u.tolist() == [0, 1, 2, 3, 4]
    del t
    gc.collect()
    assert a[0, 0] == 42


def test_scalars_out():
    x = tt.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert x.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert x[0, 0].item() == 1.5 and float(x[1, 1]) == 4.0 and int(x[0, 0]) == 1
    assert tt.tensor(True).item() is True and tt.tensor(3).item() == 3
    assert bool(tt.tensor([1])) and not bool(tt.tensor(0.0))
    assert [1, 2, 3][tt.tensor(1)] == 2
    assert len(x) == 2 and [r.tolist() for r in x] == [[1.5, 2.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError):
        bool(tt.tensor([1, 2]))
    with pytest.raises(TypeError):
        [1, 2][tt.tensor(1.0)]
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()
    assert f"{tt.tensor(2.5):.2f}" == "2.50"


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([1.0, 2.0, 3.0]),
    lambda m: m.tensor(1 / 3, dtype=m.float16),
    lambda m: m.tensor([[1, 2], [3, 4]], dtype=m.int32),
    lambda m: m.zeros(2, 3, dtype=m.float64),
    lambda m: m.tensor([True, False]),
    lambda m: m.arange(2000.0),
    lambda m: m.ones(2, requires_grad=True),
    lambda m: m.tensor([1e-8, 1e8]),
    lambda m: m.tensor([], dtype=m.int8),
    lambda m: m.empty(0, 3),
    lambda m: m.tensor([0.1, 0.2], dtype=m.bfloat16),
])
def test_repr_matches_torch(make):
    assert repr(make(tt)) == repr(make(torch))
    assert str(make(tt)) == str(make(torch))


def test_printoptions_seed_precision():
    tt.set_printoptions(precision=8)
    torch.set_printoptions(precision=8)
    try:
        for name in ["float16", "float32", "float64", "bfloat16"]:
            assert repr(tt.tensor(1 / 3, dtype=getattr(tt, name))) == \
                repr(torch.tensor(1 / 3, dtype=getattr(torch, name)))
        assert repr(tt.tensor(1 / 3, dtype=tt.float16)) == "tensor(0.33325195, dtype=torch.float16)"
    finally:
        tt.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_pickle_and_deepcopy():
    import copy
    x = tt.arange(6.0).reshape(2, 3).t()
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.is_contiguous()
    z = copy.deepcopy(tt.ones(2, requires_grad=True))
    assert z.requires_grad and z.is_leaf


def test_device_surface():
    x = tt.ones(2)
    assert x.device == tt.device("cpu") and str(x.device) == "cpu"
    assert x.to("cpu") is x and x.cpu() is x and not x.is_cuda
    assert not tt.cuda.is_available()
    with pytest.raises(AssertionError):
        x.cuda()
    with pytest.raises(AssertionError):
        tt.zeros(2, device="cuda")
    assert tt.zeros(2, device="cpu").shape == (2,)
    assert tt.FloatTensor([1, 2]).dtype == tt.float32
    assert tt.LongTensor([1, 2]).dtype == tt.int64
    assert tt.Tensor(2, 3).shape == (2, 3) and tt.Tensor([1, 2]).dtype == tt.float32
    assert tt.is_tensor(x) and not tt.is_tensor(1)


def test_threads():
    n = tt.get_num_threads()
    assert n >= 1
    tt.set_num_threads(1)
    assert tt.get_num_threads() == 1
    tt.set_num_threads(n)
    with pytest.raises(RuntimeError):       # as torch
        tt.set_num_threads(0)
