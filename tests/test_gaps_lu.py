"""torch.lu, lu_unpack, lu_solve, triangular_solve (the pre-linalg API) against torch:
packed factors, 1-based int32 pivots, permutation matrices, solutions, gradients."""
import warnings

import numpy as np
import pytest

from _gaps_helpers import check, rand

warnings.filterwarnings("ignore", "torch.(lu|triangular_solve|lu_solve)")


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1)])
def test_lu_and_unpack(shape):
    a = rand(*shape, seed=4)
    check(lambda m, x: m.lu(x), a, rtol=1e-10)
    check(lambda m, x: x.lu(get_infos=True), a, rtol=1e-10)
    check(lambda m, x: m.lu_unpack(*m.lu(x)), a, rtol=1e-10)
    check(lambda m, x: m.lu_unpack(*m.lu(x), unpack_data=False)[0], a)
    check(lambda m, x: m.lu(x.float())[0], a)
    check(lambda m, x: m.lu(x), np.arange(4).reshape(2, 2))


def test_lu_solve_and_its_gradients():
    a, b = rand(2, 3, 3, seed=5), rand(2, 3, 2, seed=6)
    check(lambda m, x, y: m.lu_solve(y, *m.lu(x)), a, b, rtol=1e-10)
    check(lambda m, x, y: y.lu_solve(*m.lu(x)), a, b, grad=True, rtol=1e-9)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_triangular_solve(upper, transpose, unit):
    a = rand(2, 3, 3, seed=7) + 3 * np.eye(3)
    b = rand(2, 3, 2, seed=8)
    check(lambda m, y, x: m.triangular_solve(y, x, upper, transpose, unit), b, a,
          grad=True, rtol=1e-9)
    check(lambda m, y, x: y.triangular_solve(x, upper=upper), b, a, rtol=1e-10)


def test_lu_gradient():
    a = rand(2, 4, 4, seed=9)
    check(lambda m, x: m.lu(x)[0], a, grad=True, rtol=1e-9)
    check(lambda m, x: (m.lu(x)[0] * m.arange(16.0, dtype=m.float64).reshape(4, 4)), a,
          grad=True, rtol=1e-9)
