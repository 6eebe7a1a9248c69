"""The seed lecture's polynomial fit of sin(x): a torch.nn.Module holding the cubic's
coefficients, trained with SGD (with momentum), Adam and Adagrad.

    python examples/polyfit_sin.py
"""
import math

import tinytensor as torch


class Model(torch.nn.Module):
    def __init__(self, X, y, beta=None):
        super().__init__()
        self.X = X
        self.y = y
        if beta is None:
            beta = torch.zeros(X.shape[1])
        beta.requires_grad = True
        self.beta = torch.nn.Parameter(beta)

    def forward(self, X):
        return X @ self.beta

    def fit(self, opt, n=1000, loss_fn=torch.nn.MSELoss()):
        losses = []
        for i in range(n):
            loss = loss_fn(self(self.X).squeeze(), self.y.squeeze())
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        return losses


x = torch.linspace(-math.pi, math.pi, 200)
y = torch.sin(x)
X = torch.vstack((torch.ones_like(x), x, x ** 2, x ** 3)).T

# Demo 2 of the lecture: summed squared error, SGD(lr=1e-5), 3000 steps; the lecture
# prints beta = [2.7e-10, 0.852953434, 6.8e-11, -0.0925917700]
m = Model(X, y, beta=torch.zeros(4))
opt = torch.optim.SGD(m.parameters(), lr=1e-5)
for i in range(3000):
    loss = (m(X).squeeze() - y.squeeze()).pow(2).sum()
    loss.backward()
    opt.step()
    opt.zero_grad()
print(f"SGD lr=1e-5 summed loss: {loss.item():.5f}, odd coefficients "
      f"[{m.beta[1].item():.6f}, {m.beta[3].item():.7f}]")

for mt in [0, 0.5, 0.9]:
    m = Model(X, y)
    opt = torch.optim.SGD(m.parameters(), lr=1e-4, momentum=mt)
    losses = m.fit(opt, n=2000)
    print(f"SGD momentum={mt}: loss {losses[-1]:.6f}")

for opt_fn in (torch.optim.SGD, torch.optim.Adam, torch.optim.Adagrad):
    m = Model(X, y)
    opt = opt_fn(m.parameters(), lr=1e-3)
    losses = m.fit(opt, n=2000)
    # the even coefficients are 0 up to float32 noise: print what the fit determines
    beta = ", ".join(f"{b:.5f}" for b in m.beta.tolist())
    print(f"{opt_fn.__name__}: loss {losses[-1]:.6f}, beta [{beta}]")
