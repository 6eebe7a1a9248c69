"""The seed lecture's "Broadcasting" section and its in-place sections, run on tinytensor:
which of six tensors multiply together (and torch's error when they do not), then
functions and arithmetic with a `_` suffix that overwrite their tensor.  Prints what
torch prints (tests/test_examples.py runs it both ways).

    python examples/broadcasting.py
"""
import itertools

import tinytensor as torch

torch.manual_seed(1234)
torch.set_printoptions(precision=8)

# Exercise 1: sizes are compared from the last dim back; each pair must be equal, or one
# of them 1, or missing.  An empty dim (size 0) only broadcasts against 1 or 0.
tensors = {"a": torch.rand(4, 3, 2), "b": torch.rand(3, 2), "c": torch.rand(2, 3),
           "d": torch.rand(0), "e": torch.rand(3, 1), "f": torch.rand(1, 2)}
for (n1, t1), (n2, t2) in itertools.combinations(tensors.items(), 2):
    try:
        print(f"{n1}*{n2}: {tuple(t1.shape)} * {tuple(t2.shape)} -> {tuple((t1 * t2).shape)}")
    except RuntimeError as e:
        print(f"{n1}*{n2}: {tuple(t1.shape)} * {tuple(t2.shape)} -> RuntimeError: {e}")
print(torch.broadcast_shapes((4, 3, 2), (3, 1), (1, 2)))
print(tensors["e"] * tensors["f"])
print(tensors["b"] + tensors["e"] - tensors["f"])

# In-place modification: exp makes a new tensor, exp_ overwrites a
a = torch.rand(2, 2)
print(a)
print(torch.exp(a))
print(a)
print(torch.exp_(a))
print(a)

# In-place arithmetic: a.add_(b) is a += b; a + b leaves both alone
a = torch.ones(2, 2)
b = torch.rand(2, 2)
print(a + b)
print(a)
print(b)
print(a.add_(b))
print(a)
print(b)

# an in-place result keeps self's shape and dtype: broadcasting may not grow self,
# and the result must be castable to self's dtype
a = torch.ones(2, 3)
print(a.mul_(torch.tensor([1.0, 2.0, 3.0])))
for bad in [lambda: torch.ones(3).add_(torch.ones(2, 3)),
            lambda: torch.ones(3, dtype=torch.int64).add_(1.5),
            lambda: torch.ones(3, dtype=torch.int64).div_(2)]:
    try:
        bad()
    except RuntimeError as e:
        print("RuntimeError:", e)
print(torch.ones(3, dtype=torch.int64).div_(2, rounding_mode="floor"))
