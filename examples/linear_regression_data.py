"""The regression data of the seed lectures (sklearn's make_regression, made with numpy):
10000 samples, an intercept column and 20 features of which 4 are informative."""
import numpy as np


def make_regression(n=10000, k=20, informative=4, bias=3.0, noise=1.0, seed=1234):
    """(X with a leading column of ones, y), both float64 numpy arrays."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    coef = np.zeros(k)
    coef[rng.choice(k, informative, replace=False)] = 100 * rng.uniform(size=informative)
    y = bias + X @ coef + noise * rng.standard_normal(n)
    return np.c_[np.ones(n), X], y
