"""Preparing a dataset from a CSV file (as the seed lecture does): a Dataset subclass
reads the rows, random_split makes train and validation sets, a DataLoader batches
them, and a linear model is fitted with MSELoss and SGD.

The CSV is written first (to a temporary directory), so the example is self-contained.

    python examples/csv_dataset.py
"""
import csv
import os
import tempfile

import numpy as np

import tinytensor as torch
from tinytensor.utils.data import DataLoader, Dataset, random_split


class CSVDataset(Dataset):
    """Rows of a CSV file: the feature columns as one float tensor, the target as another."""

    def __init__(self, path, features, target):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        self.X = torch.tensor([[float(r[c]) for c in features] for r in rows])
        self.y = torch.tensor([float(r[target]) for r in rows])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.X[idx], self.y[idx]


def write_csv(path, n=200, seed=0):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    y = 2.0 * x1 - 3.0 * x2 + 5.0 + rng.normal(0, 0.5, n)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "y"])
        for row in zip(x1, x2, y):
            w.writerow([f"{v:.4f}" for v in row])


path = os.path.join(tempfile.mkdtemp(), "data.csv")
write_csv(path)
data = CSVDataset(path, features=["x1", "x2"], target="y")
print(len(data), data[0])

train, val = random_split(data, [0.75, 0.25], generator=torch.Generator().manual_seed(0))
print(len(train), len(val), val.indices[:5])

torch.manual_seed(0)
model = torch.nn.Linear(2, 1)
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
train_loader = DataLoader(train, batch_size=16, shuffle=True)
val_loader = DataLoader(val, batch_size=64)

for epoch in range(1, 201):
    for xb, yb in train_loader:
        loss = loss_fn(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 50 == 0:
        with torch.no_grad():
            val_loss = sum(loss_fn(model(xb).squeeze(1), yb).item() * len(yb)
                           for xb, yb in val_loader) / len(val)
        print(f"epoch {epoch}: validation loss {val_loss:.4f}")
print(model.weight, model.bias)
