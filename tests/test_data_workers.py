"""DataLoader(num_workers > 0) against torch's worker processes: the same batches in the
same order, per-worker random streams (augmentations), IterableDataset sharding through
get_worker_info, worker_init_fn, persistent workers, and the main random stream after."""
import random

import pytest

import tinytensor as tt
from oracle import torch_module

torch = torch_module()
pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")


def lib_data(L):
    return tt.utils.data if L is tt else torch.utils.data


def batches_as_lists(loader):
    out = []
    for batch in loader:
        items = batch if isinstance(batch, (list, tuple)) else [batch]
        out.append([b.tolist() if hasattr(b, "tolist") else b for b in items])
    return out


def make_augmenting(L):
    """A map-style dataset whose items carry random noise drawn in the worker."""
    class Noisy(lib_data(L).Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            info = lib_data(L).get_worker_info()
            return (L.rand(2, dtype=L.float64) + i,
                    L.tensor(-1 if info is None else info.id),
                    L.tensor(random.randint(0, 1000)))
    return Noisy()


def make_stream(L, shard, lengths=(5, 2, 4)):
    """An IterableDataset: worker w yields lengths[w] items when shard, else all items."""
    class Stream(lib_data(L).IterableDataset):
        def __iter__(self):
            info = lib_data(L).get_worker_info()
            w = 0 if info is None else info.id
            n = lengths[w] if shard else sum(lengths)
            return iter([float(100 * w + k) for k in range(n)])
    return Stream()


def run_both(make_dataset, epochs=1, **options):
    """Batches (and the next main-stream draw) from tinytensor's and torch's loaders."""
    results = []
    for L in (tt, torch):
        L.manual_seed(5)
        random.seed(5)
        loader = lib_data(L).DataLoader(make_dataset(L), **options)
        got = [batches_as_lists(loader) for _ in range(epochs)]
        results.append((got, L.rand(3, dtype=L.float64).tolist(), random.random()))
    return results


@pytest.mark.parametrize("options", [
    dict(num_workers=2, batch_size=2),
    dict(num_workers=3, batch_size=2, shuffle=True),
    dict(num_workers=2, batch_size=3, shuffle=True, drop_last=True),
    dict(num_workers=2, batch_size=None, shuffle=True),
    dict(num_workers=2, batch_size=2, shuffle=True, prefetch_factor=1),
])
def test_map_dataset_batches_and_worker_random_streams(options):
    ours, theirs = run_both(make_augmenting, **options)
    assert ours == theirs


@pytest.mark.parametrize("shard", [True, False])
@pytest.mark.parametrize("options", [dict(num_workers=3, batch_size=2),
                                     dict(num_workers=3, batch_size=2, drop_last=True),
                                     dict(num_workers=2, batch_size=None)])
def test_iterable_dataset_order_with_workers(shard, options):
    lengths = (5, 2, 4)[:options["num_workers"]]
    ours, theirs = run_both(lambda L: make_stream(L, shard, lengths), **options)
    assert ours == theirs


def test_persistent_workers_keep_their_random_streams():
    ours, theirs = run_both(make_augmenting, epochs=2, num_workers=2, batch_size=3,
                            shuffle=True, persistent_workers=True)
    assert ours == theirs


def test_worker_init_fn_and_worker_info():
    for L in (tt, torch):
        seen = []

        def init(worker_id):
            info = lib_data(L).get_worker_info()
            seen.append((worker_id, info.id, info.num_workers))
            L.manual_seed(1000 + worker_id)
        L.manual_seed(0)
        loader = lib_data(L).DataLoader(make_augmenting(L), batch_size=2, num_workers=2,
                                        worker_init_fn=init)
        values = batches_as_lists(loader)
        if L is tt:
            ours, ours_seen = values, sorted(seen)
        else:
            theirs = values
    assert ours == theirs
    assert ours_seen == [(0, 0, 2), (1, 1, 2)]    # torch's calls happen in its workers
    assert tt.utils.data.get_worker_info() is None
