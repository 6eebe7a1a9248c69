"""utils.data: datasets, samplers and the DataLoader that batches them (as torch's).

    ds = TensorDataset(X, y)
    for xb, yb in DataLoader(ds, batch_size=32, shuffle=True):
        ...
"""
from tinytensor.utils.data.dataset import (Dataset, IterableDataset, TensorDataset,
                                           StackDataset, ConcatDataset, ChainDataset, Subset,
                                           random_split)
from tinytensor.utils.data.sampler import (Sampler, SequentialSampler, RandomSampler,
                                           SubsetRandomSampler, WeightedRandomSampler,
                                           BatchSampler)
from tinytensor.utils.data.collate import default_collate, default_convert
from tinytensor.utils.data.dataloader import DataLoader
from tinytensor.utils.data.worker import WorkerInfo, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo"]
