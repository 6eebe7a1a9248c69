"""DataLoader: iterate over a dataset in (shuffled) batches, collated into tensors.

Each `iter(loader)` draws a base seed from the generator and a shuffling RandomSampler
draws its own seed, in torch's order, so the global random stream stays in step with
torch's: the same seed gives the same batches and the same dropout masks afterwards.
num_workers > 0 runs torch's workers in the calling process (see worker.py): the same
batches in the same order as torch's worker processes give.

    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for xb, yb in loader:
        ...
"""
import warnings
from collections import deque
from itertools import islice

from tinytensor import _C
from tinytensor.utils.data.collate import default_collate, default_convert
from tinytensor.utils.data.dataset import IterableDataset
from tinytensor.utils.data.sampler import (BatchSampler, RandomSampler, Sampler,
                                           SequentialSampler)
from tinytensor.utils.data.worker import Worker, get_worker_info

__all__ = ["DataLoader", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """The index sampler of an iterable dataset: None forever."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Batches of samples from a dataset (torch.utils.data.DataLoader, in one process)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None, generator=None,
                 *, prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else \
            prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._iterator = None                   # kept across epochs by persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return _LoaderIter(self)
        if not self.persistent_workers:
            return _WorkersIter(self)
        # torch keeps the workers (and their random states) from one epoch to the next
        if self._iterator is None:
            self._iterator = _WorkersIter(self)
        else:
            self._iterator._reset()
        return self._iterator


class _Fetcher:
    """Turns the sampler's indices into collated batches (one per worker, or the loader's)."""

    def __init__(self, loader):
        self._loader = loader
        self._dataset_iter = iter(loader.dataset) if loader._iterable else None
        self.ended = False

    def _fetch_iterable(self, index):
        loader = self._loader
        if not loader._auto_collation:
            return next(self._dataset_iter)
        data = []
        for _ in index:
            try:
                data.append(next(self._dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.ended and loader.drop_last and len(data) < len(index)):
            raise StopIteration
        return data

    def fetch(self, index):
        """The batch for index; StopIteration when an iterable dataset has run out."""
        loader = self._loader
        if self.ended:
            raise StopIteration
        if loader._iterable:
            data = self._fetch_iterable(index)
        elif loader._auto_collation:
            getitems = getattr(loader.dataset, "__getitems__", None)
            data = getitems(index) if callable(getitems) else \
                [loader.dataset[i] for i in index]
        else:
            data = loader.dataset[index]
        return loader.collate_fn(data)


class _LoaderIter:
    """One pass over a DataLoader, loading in the calling process (num_workers=0)."""

    def __init__(self, loader):
        import tinytensor as tt
        self._loader = loader
        # torch draws a base seed for workers on every iter(), workers or not
        kwargs = {} if loader.generator is None else {"generator": loader.generator}
        self._base_seed = tt.empty((), dtype=_C.int64).random_(**kwargs).item()
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._reset()

    def _reset(self):
        self._sampler_iter = iter(self._loader._index_sampler)
        self._fetcher = _Fetcher(self._loader)

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def __next__(self):
        if self._fetcher.ended:
            raise StopIteration
        return self._fetcher.fetch(next(self._sampler_iter))


class _WorkersIter(_LoaderIter):
    """One pass with num_workers > 0: batch k is loaded as worker k % num_workers, skipping
    workers whose IterableDataset iterator has run out (torch's order)."""

    def __init__(self, loader):
        self._workers = None
        super().__init__(loader)

    def _reset(self):
        loader = self._loader
        if self._workers is None:
            self._workers = [Worker(loader, w, self._base_seed + w)
                             for w in range(loader.num_workers)]
        # torch hands prefetch_factor indices per worker out at once, so a sampler draws
        # its random numbers when the pass starts (then one index per batch returned)
        self._sampler_iter = iter(loader._index_sampler)
        self._pending = deque(islice(self._sampler_iter,
                                     loader.prefetch_factor * loader.num_workers))
        self._fetchers = []
        for worker in self._workers:        # each worker iterates its own dataset iterator
            with worker:
                self._fetchers.append(_Fetcher(loader))
        self._active = list(range(len(self._workers)))
        self._turn = 0

    def __next__(self):
        while self._active and self._pending:
            w = self._active[self._turn % len(self._active)]
            index = self._pending.popleft()
            self._pending.extend(islice(self._sampler_iter, 1))
            try:
                with self._workers[w]:
                    batch = self._fetchers[w].fetch(index)
            except StopIteration:
                pos = self._active.index(w)
                self._active.remove(w)
                self._turn = pos            # the next worker in the cycle takes its turn
                continue
            self._turn = self._active.index(w) + 1
            return batch
        raise StopIteration
