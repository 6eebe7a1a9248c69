"""The seed lecture's "Tensors" section, run on tinytensor: creation, dtypes, casts,
views and numpy sharing.  Prints what torch prints.

    python examples/seed_tensors.py
"""
import numpy as np

import tinytensor as torch

print(torch.zeros(3))
print(torch.ones(3, 2))
print(torch.tensor([(1, 2, 3), [4, 5, 6]]))
print(torch.tensor([[True]]).dtype)
for bad in ([(1, 1, 1), [4, 5]], ["A"]):
    try:
        torch.tensor(bad)
    except ValueError as e:
        print("ValueError:", e)

# dtypes and casts: int8/uint8 wrap around, 16-bit floats round to nearest even
print(torch.tensor([1, 2, 3], dtype=torch.float16))
try:
    torch.tensor([128], dtype=torch.int8)
except RuntimeError as e:
    print("RuntimeError:", e)
print(torch.tensor([128]).to(torch.int8))
print(torch.tensor([300]).to(torch.uint8))
torch.set_printoptions(precision=8)
for dt in (torch.float16, torch.float32, torch.float64, torch.bfloat16):
    print(torch.tensor(1 / 3, dtype=dt))
torch.set_printoptions(profile="default")

# numpy shares memory both ways
a = np.eye(3, 3)
t = torch.from_numpy(a)
t[0, 2] = 9
print(t)
print(a[0])

# view vs reshape
x = torch.zeros(3, 2)
y = x.t()
try:
    y.view(6)
except RuntimeError as e:
    print("RuntimeError:", str(e)[:60], "...")
z = y.reshape(6)
x.fill_(1)
print(y)
print(z)
x = torch.zeros(1, 3, 1)
print(x.squeeze().shape, x.squeeze(0).shape, x.unsqueeze(0).shape)
