"""The seed lecture's first optimization: make z = 2 * (a - b) + c large by changing b.

dz/db = -2, so SGD with maximize=True and lr=0.1 moves b down by 0.2 per step: after
10 steps b = 2.0.

    python examples/maximize_z.py
"""
import tinytensor as torch

a = torch.tensor(3.0)
b = torch.tensor(4.0, requires_grad=True)
c = torch.tensor(5.0)

optimizer = torch.optim.SGD([b], maximize=True, lr=0.1)

for epoch in range(10):
    z = 2 * (a - b) + c
    z.backward()
    print(f"epoch {epoch}: z = {z.item():.4f}, b.grad = {b.grad.item():.1f}")
    optimizer.step()
    optimizer.zero_grad()

print(b)
