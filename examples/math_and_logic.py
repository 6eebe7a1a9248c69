"""The seed lecture's "Math & Logic" section, run on tinytensor: arithmetic with scalars
and tensors, type promotion, comparisons, matmul, clamp and reductions.  Prints what
torch prints (tests/test_examples.py runs it both ways).

    python examples/math_and_logic.py
"""
import tinytensor as torch

torch.manual_seed(1234)
torch.set_printoptions(precision=8)

# arithmetic with Python numbers and tensors; int64 + float32 promotes to float32
print(torch.ones(2, 2) * 7 - 1)
print(torch.ones(2, 2) + torch.tensor([[1, 2], [3, 4]]))
print(2 ** torch.tensor([[1, 2], [3, 4]]))
print(2 ** torch.tensor([[1, 2], [3, 4]]) > 5)

x = torch.rand(2, 2)
print(torch.ones(2, 2) @ x)
print(torch.clamp(x * 2 - 1, -0.5, 0.5))
print(torch.mean(x))
print(torch.sum(x))
print(torch.min(x))

# type promotion: categories bool < integer < floating; Python numbers are "weak"
i = torch.tensor([1, 2, 3])
print((i * 2.5).dtype, (i / 2).dtype, (i // 2).dtype, (i * 2).dtype)
print((torch.ones(2, dtype=torch.float16) * 2.5).dtype)
print((torch.ones(2, dtype=torch.int8) + torch.ones(2, dtype=torch.uint8)).dtype)
print((torch.ones(2, dtype=torch.float16) + torch.ones(2, dtype=torch.bfloat16)).dtype)
print((torch.ones(2, dtype=torch.uint8) + torch.tensor(300)).dtype)
print(torch.result_type(i, 1.0), torch.promote_types(torch.int32, torch.float16))
print(torch.can_cast(torch.float32, torch.int32), torch.can_cast(torch.int32, torch.float32))

# comparisons and logic give bool tensors
y = torch.tensor([0.5, -1.0, float("nan"), 3.0])
print(y > 0, y == y, torch.isnan(y))
print((y > 0) & (y < 2), (y > 0) | torch.isnan(y), ~(y > 0))
print(torch.where(y > 0, y, torch.zeros(4)), y.where(y > 0, -1.0))
print(y.masked_fill(torch.isnan(y), 0.0), torch.nan_to_num(y))
print(torch.allclose(x, x + 1e-9), torch.equal(i, torch.tensor([1, 2, 3])))

# reductions along a dim: max gives (values, indices)
m = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
print(m.max(dim=1))
print(m.sum(0), m.mean(1, keepdim=True), m.std(), m.argmax())
print(torch.logsumexp(torch.tensor([[-float("inf"), -float("inf")], [0.0, 1.0]]), dim=1))
print(torch.cumsum(m, 1), torch.cumprod(m, 0))

# integer division by zero is an error; float division gives inf and nan
print(torch.tensor([1.0, -1.0, 0.0]) / 0)
try:
    torch.tensor([1, 2]) // 0
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.ones(2, 3) @ torch.ones(2, 3)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    -torch.tensor([True, False])
except RuntimeError as e:
    print("RuntimeError:", e)
