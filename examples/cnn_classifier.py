"""A small CNN trained on synthetic 8x8 images: a horizontal bar, a vertical bar or a
diagonal, drawn in noise.  Conv2d, ReLU, MaxPool2d, Flatten and Linear, trained with SGD
with momentum on shuffled minibatches.

    python examples/cnn_classifier.py
"""
import numpy as np

import tinytensor as torch
from tinytensor import nn
from tinytensor.utils.data import DataLoader, TensorDataset


def bars(n, seed):
    rng = np.random.default_rng(seed)
    images = 0.5 * rng.standard_normal((n, 1, 8, 8))
    labels = rng.integers(0, 3, n)
    for img, label, pos in zip(images, labels, rng.integers(0, 8, n)):
        if label == 0:
            img[0, pos, :] += 1.5
        elif label == 1:
            img[0, :, pos] += 1.5
        else:
            img[0] += 1.5 * np.eye(8)[:, ::1 if pos % 2 else -1]
    return torch.from_numpy(images.astype(np.float32)), torch.from_numpy(labels)


X_train, y_train = bars(480, seed=0)
X_test, y_test = bars(160, seed=1)

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(4, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(8 * 2 * 2, 3))
print(model)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def accuracy(X, y):
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


for epoch in range(1, 9):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    print(f"epoch {epoch}: loss {total / len(y_train):.4f}, "
          f"train accuracy {accuracy(X_train, y_train):.4f}, "
          f"test accuracy {accuracy(X_test, y_test):.4f}")
