"""utils.data against torch.utils.data: datasets, collation of tensors, numbers, numpy
arrays, dicts, tuples and namedtuples, DataLoader batching options, samplers, and the
shuffled order / random_split after the same seed."""
import collections

import numpy as np
import pytest

import tinytensor as tt
from tinytensor.utils import data
from _nn_oracle import torch, numpy

tdata = torch.utils.data


def same(ours, theirs):
    """Recursive comparison of collated structures (tensors by dtype and values)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tt.Tensor), type(ours)
        assert str(ours.dtype) == str(theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(numpy(ours), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
    else:
        assert ours == theirs


Point = collections.namedtuple("Point", "x y")


def batches(lib, np_samples):
    def convert(s):
        if isinstance(s, np.ndarray) and s.dtype != object:
            return lib.from_numpy(s.copy())
        if isinstance(s, dict):
            return {k: convert(v) for k, v in s.items()}
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return type(s)(*(convert(v) for v in s))
        if isinstance(s, (list, tuple)):
            return type(s)(convert(v) for v in s)
        return s
    return [convert(s) for s in np_samples]


SAMPLES = {
    "tensors": [np.arange(3.0) + i for i in range(4)],
    "ints": [1, 2, 3],
    "floats": [0.5, 1.5],
    "bools": [True, False],
    "strings": ["a", "b"],
    "tuples": [(np.ones(2) * i, i, "s") for i in range(3)],
    "lists": [[np.zeros(2), 1.0], [np.ones(2), 2.0]],
    "dicts": [{"x": np.full(2, i, dtype=np.int32), "y": float(i)} for i in range(3)],
    "namedtuples": [Point(np.array([i, i + 1]), i) for i in range(2)],
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_default_collate_matches_torch(kind):
    same(data.default_collate(batches(tt, SAMPLES[kind])),
         tdata.default_collate(batches(torch, SAMPLES[kind])))


def test_default_collate_numpy_and_errors():
    arrays = [np.arange(4.0).reshape(2, 2), np.ones((2, 2))]
    same(data.default_collate(arrays), tdata.default_collate(arrays))
    scalars = [np.float32(1.5), np.float32(2.0)]
    same(data.default_collate(scalars), tdata.default_collate(scalars))
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        data.default_collate([object(), object()])


def test_default_convert_matches_torch():
    sample = {"a": np.arange(3), "b": (np.ones(2), "s")}
    same(data.default_convert(sample), tdata.default_convert(sample))


def test_tensor_dataset_subset_concat():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    ds = data.TensorDataset(tt.from_numpy(X), tt.from_numpy(y))
    tds = tdata.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(ds) == len(tds) == 10
    same(ds[3], tds[3])
    same(ds[2:5], tds[2:5])
    sub, tsub = data.Subset(ds, [9, 0, 4]), tdata.Subset(tds, [9, 0, 4])
    same(sub[1], tsub[1])
    cat, tcat = data.ConcatDataset([ds, sub]), tdata.ConcatDataset([tds, tsub])
    assert len(cat) == 13
    same(cat[11], tcat[11])
    same(cat[-1], tcat[-1])
    same((ds + sub)[10], (tds + tsub)[10])
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        data.TensorDataset(tt.zeros(3), tt.zeros(4))
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        cat[-14]
    assert len(data.StackDataset(a=sub, b=sub)) == 3
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(ds, sub)


class Squares(data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": float(i), "y": i * i}


class Stream(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TSquares(tdata.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": float(i), "y": i * i}


LOADER_OPTIONS = [
    {}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": None},
    {"batch_size": 3, "collate_fn": lambda b: b},
    {"sampler": [9, 3, 3, 0], "batch_size": 2},
    {"batch_sampler": [[1, 2], [0], [9, 8, 7]]},
]


@pytest.mark.parametrize("options", LOADER_OPTIONS, ids=range(len(LOADER_OPTIONS)))
def test_dataloader_batches_like_torch(options):
    ours = list(data.DataLoader(Squares(10), **options))
    theirs = list(tdata.DataLoader(TSquares(10), **options))
    assert len(ours) == len(theirs) == len(data.DataLoader(Squares(10), **options))
    for a, b in zip(ours, theirs):
        same(a, b)


@pytest.mark.parametrize("options", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                     {"batch_size": None}])
def test_dataloader_iterable_dataset(options):
    ours = list(data.DataLoader(Stream(10), **options))
    theirs = list(tdata.DataLoader(TStream(10), **options))
    assert len(ours) == len(theirs) == len(data.DataLoader(Stream(10), **options))
    for a, b in zip(ours, theirs):
        same(a, b)


def test_dataloader_option_errors_match_torch():
    cases = [dict(shuffle=True, sampler=[0, 1]), dict(batch_sampler=[[0]], batch_size=2),
             dict(batch_size=None, drop_last=True), dict(num_workers=-1),
             dict(persistent_workers=True), dict(prefetch_factor=2)]
    for kwargs in cases:
        with pytest.raises(ValueError) as expected:
            tdata.DataLoader(TSquares(3), **kwargs)
        with pytest.raises(ValueError) as got:
            data.DataLoader(Squares(3), **kwargs)
        assert str(got.value) == str(expected.value)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        data.DataLoader(Stream(3), shuffle=True)


def test_shuffled_batches_match_torch_after_manual_seed():
    X = np.arange(50.0).reshape(25, 2)
    torch.manual_seed(11)
    theirs = [b for epoch in range(2)
              for b in tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(X)),
                                        batch_size=4, shuffle=True)]
    after = torch.rand(3)
    tt.manual_seed(11)
    ours = [b for epoch in range(2)
            for b in data.DataLoader(data.TensorDataset(tt.from_numpy(X)), batch_size=4,
                                     shuffle=True)]
    for a, b in zip(ours, theirs):
        same(a, b)
    # the global stream is left where torch leaves it
    np.testing.assert_array_equal(numpy(tt.rand(3)), after.numpy())


def test_loader_generator_and_samplers_match_torch():
    g, tg = tt.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert list(data.DataLoader(range(12), batch_size=5, shuffle=True, generator=g)) != []
    g, tg = tt.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    for a, b in zip(data.DataLoader(list(range(12)), batch_size=5, shuffle=True, generator=g),
                    tdata.DataLoader(list(range(12)), batch_size=5, shuffle=True,
                                     generator=tg)):
        same(a, b)
    g, tg = tt.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    assert list(data.RandomSampler(range(10), replacement=True, num_samples=40, generator=g)) \
        == list(tdata.RandomSampler(range(10), replacement=True, num_samples=40, generator=tg))
    g, tg = tt.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    assert list(data.SubsetRandomSampler([5, 7, 9, 11], generator=g)) == \
        list(tdata.SubsetRandomSampler([5, 7, 9, 11], generator=tg))
    g, tg = tt.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    w = [0.1, 0.5, 0.2, 0.2]
    assert list(data.WeightedRandomSampler(w, 8, generator=g)) == \
        list(tdata.WeightedRandomSampler(w, 8, generator=tg))


def test_batch_sampler_and_sequential_sampler():
    for drop_last in (False, True):
        assert list(data.BatchSampler(data.SequentialSampler(range(10)), 3, drop_last)) == \
            list(tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, drop_last))
        assert len(data.BatchSampler(range(10), 3, drop_last)) == \
            len(tdata.BatchSampler(range(10), 3, drop_last))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        data.BatchSampler(range(3), 0, False)


def test_random_split_matches_torch():
    for lengths in ([3, 7], [0.3, 0.7], [0.34, 0.33, 0.33]):
        g, tg = tt.Generator().manual_seed(42), torch.Generator().manual_seed(42)
        ours = data.random_split(range(10), lengths, generator=g)
        theirs = tdata.random_split(range(10), lengths, generator=tg)
        assert [list(s) for s in ours] == [list(s) for s in theirs]
    torch.manual_seed(1)
    theirs = tdata.random_split(range(10), [5, 5])
    tt.manual_seed(1)
    ours = data.random_split(range(10), [5, 5])
    assert [s.indices for s in ours] == [s.indices for s in theirs]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        data.random_split(range(10), [3, 3])


def test_pin_memory_warns_like_torch_without_an_accelerator():
    for lib in (tdata, data):
        with pytest.warns(UserWarning, match="no accelerator is found") as record:
            batches = list(lib.DataLoader(list(range(4)), batch_size=2, pin_memory=True))
        assert len(batches) == 2 and len(record) == 1
