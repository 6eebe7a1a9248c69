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
