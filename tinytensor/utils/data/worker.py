"""DataLoader workers, run in the calling process: torch's batches in torch's order.

torch's DataLoader(num_workers=N) starts N processes.  Batch k is fetched by worker k % N
(an exhausted IterableDataset worker drops out of the cycle); worker w seeds torch's and
Python's random generators with base_seed + w, calls worker_init_fn(w), iterates its own
iterator of an IterableDataset, and get_worker_info() tells dataset code which worker it
runs in.  Here a worker is a context the calling process switches into for its batches:
each keeps its own random states, so batches, their order and random augmentations come
out as torch's.  What differs: nothing runs in parallel, the dataset object is shared
rather than copied into each worker, and numpy's global random state is not re-seeded.
"""
import random
from dataclasses import dataclass

import tinytensor as tt

__all__ = ["WorkerInfo", "get_worker_info"]

_current = None


@dataclass(frozen=True)
class WorkerInfo:
    """Which worker is running: id, num_workers, seed and the dataset (as torch's)."""
    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The running worker's WorkerInfo, or None outside the DataLoader's workers."""
    return _current


class Worker:
    """One worker's random states and info; `with worker:` runs code as that worker."""

    def __init__(self, loader, worker_id, seed):
        self.info = WorkerInfo(worker_id, loader.num_workers, seed, loader.dataset)
        self._states = None
        with self:
            tt.manual_seed(seed)          # as torch seeds a new worker process
            random.seed(seed)
            if loader.worker_init_fn is not None:
                loader.worker_init_fn(worker_id)

    def __enter__(self):
        global _current
        self._outer = (tt.get_rng_state(), random.getstate(), _current)
        if self._states is not None:
            tt.set_rng_state(self._states[0])
            random.setstate(self._states[1])
        _current = self.info
        return self

    def __exit__(self, *exc):
        global _current
        self._states = (tt.get_rng_state(), random.getstate())
        tt.set_rng_state(self._outer[0])
        random.setstate(self._outer[1])
        _current = self._outer[2]
        return False
