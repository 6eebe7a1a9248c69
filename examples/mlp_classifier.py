"""A small MLP classifier trained on synthetic data: three Gaussian blobs in 2-D,
minibatches from a shuffling DataLoader, CrossEntropyLoss and Adam.

The data come from numpy; the weights and the shuffling from torch.manual_seed, so torch
and tinytensor train the same network on the same batches and reach the same accuracy.

    python examples/mlp_classifier.py
"""
import numpy as np

import tinytensor as torch
from tinytensor import nn
from tinytensor.utils.data import DataLoader, TensorDataset


def blobs(n_per_class=200, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 2.0], [-1.7, -1.0], [1.7, -1.0]])
    X = np.concatenate([c + rng.standard_normal((n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return X.astype(np.float32), y


X, y = blobs()
rng = np.random.default_rng(1)
test = rng.random(len(y)) < 0.25
X_train, y_train = torch.from_numpy(X[~test]), torch.from_numpy(y[~test])
X_test, y_test = torch.from_numpy(X[test]), torch.from_numpy(y[test])

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                      nn.Linear(16, 3))
print(model)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)


def accuracy(X, y):
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


for epoch in range(1, 21):
    model.train()
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    if epoch % 5 == 0:
        model.eval()
        print(f"epoch {epoch}: loss {total / len(y_train):.4f}, "
              f"train accuracy {accuracy(X_train, y_train):.4f}, "
              f"test accuracy {accuracy(X_test, y_test):.4f}")
