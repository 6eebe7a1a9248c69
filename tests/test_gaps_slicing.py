"""unfold, ravel, split_with_sizes, h/v/dsplit (another branch's), narrow_copy, select_scatter,
slice_scatter, diagflat, fill_diagonal_, unravel_index, and numeric.py's vdot,
matrix_power, trapezoid, cdist, dist, renorm, isin, vander, combinations, and the
predicates against torch: values, views, errors, gradients."""
import numpy as np
import pytest

import tinytensor as tt
from _gaps_helpers import check, needs, rand, torch


@pytest.mark.parametrize("dim,size,step", [(0, 2, 1), (1, 3, 2), (-1, 1, 3), (2, 4, 4),
                                           (1, 0, 1), (1, 5, 1), (1, 2, 0)])
def test_unfold_is_a_strided_view(dim, size, step):
    a = rand(3, 4, 4)
    check(lambda m, x: x.unfold(dim, size, step), a)
    check(lambda m, x: x.unfold(dim, size, step).stride(), a)
    check(lambda m, x: x.transpose(0, 2).unfold(dim, size, step), a)
    ours = tt.tensor(a)
    if size <= 4 and step > 0:
        assert ours.unfold(dim, size, step)._is_view_of(ours) if hasattr(ours, "_is_view_of") \
            else True
        check(lambda m, x: x.unfold(dim, size, step) * 2, a, grad=True)


def test_unfold_of_scalar_and_views_share_memory():
    check(lambda m, x: x.unfold(0, 1, 1), np.array(3.0))
    x = tt.arange(6.0)
    x.unfold(0, 2, 2)[1, 0] = 9.0
    assert x.tolist() == [0.0, 1.0, 9.0, 3.0, 4.0, 5.0]


def test_ravel_and_splits():
    a = rand(4, 6, 2)
    check(lambda m, x: x.ravel(), a)
    check(lambda m, x: m.ravel(x.transpose(0, 1)), a)
    check(lambda m, x: x.split_with_sizes([1, 3], 0), a, grad=True)
    check(lambda m, x: m.split_with_sizes(x, [2, 3], 1), a)


@needs("hsplit")
def test_directional_splits():
    a = rand(4, 6, 2)
    for name in ("hsplit", "vsplit", "dsplit"):
        for arg in (2, [1, 3], 3, 0):
            check(lambda m, x: getattr(m, name)(x, arg), a)
        check(lambda m, x: getattr(x, name)(2), a[0, 0])
    check(lambda m, x: m.hsplit(x, 3), a[:, 0, 0])


def test_narrow_copy_select_slice_scatter():
    a = rand(3, 4, 5)
    check(lambda m, x: m.narrow_copy(x.transpose(0, 2), 1, 1, 2), a)
    check(lambda m, x: x.narrow_copy(2, 1, 3).is_contiguous(), a)
    check(lambda m, x, s: m.select_scatter(x, s, 1, -1), a, rand(3, 5), grad=True)
    check(lambda m, x, s: x.select_scatter(s, 0, 1), a, rand(4, 5), grad=True)
    check(lambda m, x, s: m.select_scatter(x, s, 1, 0), a, rand(3, 4))      # wrong size
    check(lambda m, x, s: m.slice_scatter(x, s, 2, 1, None, 2), a, rand(3, 4, 2), grad=True)
    check(lambda m, x, s: x.slice_scatter(s), a, rand(3, 4, 5), grad=True)
    check(lambda m, x, s: m.slice_scatter(x, s, 0, -2), a, rand(2, 4, 5))


def test_diagflat_fill_diagonal_unravel_index():
    check(lambda m, x: m.diagflat(x), rand(2, 2), grad=True)
    check(lambda m, x: x.diagflat(-1), np.arange(3))
    for shape, wrap in [((3, 3), False), ((5, 2), True), ((7, 3), True), ((7, 3), False),
                        ((2, 5), True), ((3, 3, 3), False)]:
        check(lambda m, x: x.clone().fill_diagonal_(-1.0, wrap), np.zeros(shape))
    check(lambda m, x: x.clone().fill_diagonal_(1), np.zeros((2, 3, 3)))
    check(lambda m, x: x.clone().fill_diagonal_(1), np.zeros(3))
    check(lambda m, x: m.unravel_index(x, (3, 4)), np.array([[0, 5], [11, -1]]))
    check(lambda m, x: m.unravel_index(x, 7), np.array([3, 6]))
    check(lambda m, x: m.unravel_index(x, (3, 4)), np.array([12]))
    check(lambda m, x: m.unravel_index(x, (3, 4)), np.array([1.0]))


def test_products_and_integrals():
    check(lambda m, x, y: m.vdot(x, y), rand(5), rand(5, seed=1), grad=True)
    check(lambda m, x, y: m.vdot(x, y.float()), rand(5), rand(5, seed=1))
    for n in (0, 1, 2, 5, -1, -3):
        check(lambda m, x: m.matrix_power(x, n), rand(2, 3, 3), rtol=1e-9)
    check(lambda m, x: x.matrix_power(3), rand(3, 3), grad=True, rtol=1e-9)
    check(lambda m, x: m.matrix_power(x, 2), rand(2, 3))
    check(lambda m, x: m.matrix_power(x, 3), np.arange(4).reshape(2, 2))
    y, xs = rand(3, 5), np.sort(rand(5, seed=2))
    check(lambda m, a: m.trapezoid(a), y, grad=True)
    check(lambda m, a: m.trapz(a, dx=0.5, dim=0), y)
    check(lambda m, a, b: m.trapezoid(a, b), y, xs, grad=True)
    check(lambda m, a: m.trapezoid(a, 2.0), y)
    check(lambda m, a: m.cumulative_trapezoid(a), y, grad=True)
    check(lambda m, a, b: m.cumulative_trapezoid(a, b, dim=-1), y, xs)
    check(lambda m, a: m.cumulative_trapezoid(a, dim=0), y)


@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_cdist_dist(p):
    x1, x2 = rand(2, 4, 3), rand(2, 5, 3, seed=1)
    x2[0, 0] = x1[0, 0]                     # a zero distance: gradient 0 there, as torch
    kw = {"rtol": 1e-9, "atol": 1e-12}
    check(lambda m, a, b: m.cdist(a, b, p), x1, x2, grad=p != 0, **kw)
    check(lambda m, a, b: m.dist(a, b, p), x1, x2, grad=p != 0, **kw)
    check(lambda m, a, b: a.dist(b), x1[0], x2[0, 1], grad=True)


def test_cdist_errors():
    check(lambda m, a, b: m.cdist(a, b), rand(3), rand(3))
    check(lambda m, a, b: m.cdist(a, b), rand(2, 3), rand(2, 4))
    check(lambda m, a, b: m.cdist(a, b, -1), rand(2, 3), rand(2, 3))


@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.0), (1, 1, 3.0), (3, -1, 100.0)])
def test_renorm(p, dim, maxnorm):
    check(lambda m, x: m.renorm(x, p, dim, maxnorm), rand(3, 4), grad=True)
    check(lambda m, x: x.clone().renorm_(p, dim, maxnorm), rand(3, 4), dtype="float32")
    check(lambda m, x: x.renorm(-1, 0, 1.0), rand(3, 4))


def test_isin_vander_combinations():
    a, b = np.array([[1, 5, 3], [3, 7, 2]]), np.array([3, 7, 9, 3])
    check(lambda m, x, y: m.isin(x, y), a, b)
    check(lambda m, x, y: m.isin(x, y, invert=True), a, b)
    check(lambda m, x, y: m.isin(x, y), a.astype(np.float64), b)
    check(lambda m, x: m.isin(x, 3), a)
    check(lambda m, x: m.isin(x, m.tensor([], dtype=m.int64)), a)
    check(lambda m, x: m.vander(x), np.array([1, 2, 3]))
    check(lambda m, x: m.vander(x, 4, increasing=True), np.array([1.5, -2.0]))
    check(lambda m, x: m.vander(x, 0), np.array([1.5, -2.0]))
    check(lambda m, x: m.vander(x), np.ones((2, 2)))
    for r, rep in [(2, False), (3, False), (2, True), (0, False), (5, False)]:
        check(lambda m, x: m.combinations(x, r, rep), np.array([4, 5, 6, 7]))
    check(lambda m, x: m.combinations(x, 2), rand(4), grad=True)


def test_predicates():
    a = rand(2, 3)
    for dt in ("float32", "int64", "uint8", "bool", "int8"):
        check(lambda m, x: (x.is_signed(), m.is_signed(x)), a, dtype=dt)
    check(lambda m, x: (x.is_same_size(x.t()), m.is_same_size(x, x + 1)), a)
    check(lambda m, x: (x.is_inference(), x.output_nr), a)
    check(lambda m: m.scalar_tensor(3), )
    check(lambda m: m.scalar_tensor(True, dtype=m.int32))


@needs("is_nonzero")
def test_is_nonzero_is_complex():
    check(lambda m, x: m.is_complex(x), rand(2))
    for arr in (np.array([0.0]), np.array(2), np.zeros(0), np.zeros(2)):
        check(lambda m, x: (m.is_nonzero(x), x.is_nonzero()), arr)


def test_output_nr_of_multi_output_op():
    o = tt.ones(4, requires_grad=True).split(2)
    t = torch.ones(4, requires_grad=True).split(2)
    assert [x.output_nr for x in o] == [x.output_nr for x in t]


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin", "sum"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(reduce, include_self):
    import warnings
    warnings.filterwarnings("ignore", "index_reduce")
    a, src, idx = rand(4, 3), rand(3, 3, seed=1), np.array([0, 2, 0])
    check(lambda m, x, s, i: x.index_reduce(0, i, s, reduce, include_self=include_self),
          a, src, idx)
    check(lambda m, x, s, i: x.clone().index_reduce_(1, i, s.t(), reduce,
                                                     include_self=include_self), a.T.copy(),
          src, idx)
    check(lambda m, x, s, i: m.index_reduce(x, 0, i, s, reduce), a, src, idx, grad=True)


def test_nonzero_static_adjoint_device_and_python_callables():
    a = np.array([[0, 1, 2], [3, 0, 0]])
    for size, fill in [(2, -1), (3, -1), (6, 9), (0, -1), (-1, 0)]:
        check(lambda m, x: m.nonzero_static(x, size=size, fill_value=fill), a)
    check(lambda m, x: x.adjoint(), rand(2, 3, 4))
    check(lambda m, x: x.adjoint(), rand(3))
    check(lambda m, x: x.clone().apply_(lambda v: v * v - 1), rand(2, 3))
    check(lambda m, x: x.clone().map_(m.arange(3.0, dtype=m.float64), lambda u, v: u * v),
          rand(2, 3))
    check(lambda m, x: x.clone().map_(m.arange(3.0), lambda u, v: u * v), rand(2, 3))


def test_matrix_functions():
    a = rand(2, 3, 3)
    check(lambda m, x, b1, b2: m.addbmm(x, b1, b2), rand(3, 2), rand(4, 3, 5),
          rand(4, 5, 2), grad=True, rtol=1e-10)
    check(lambda m, x, b1, b2: x.addbmm(b1, b2, beta=0, alpha=0.5), rand(3, 2) * np.nan,
          rand(4, 3, 5), rand(4, 5, 2))
    check(lambda m, x: m.pinverse(x), rand(3, 5), grad=True, rtol=1e-8, atol=1e-10)
    check(lambda m, x: x.pinverse(), a[:, :, :2], rtol=1e-8, atol=1e-10)
    check(lambda m, x: m.matrix_exp(x), a, rtol=1e-10, atol=1e-12)
    check(lambda m, x: x.matrix_exp(), a * 6, rtol=1e-9)
    check(lambda m, x: m.matrix_exp(x), a[0], grad=True, rtol=1e-9)
    check(lambda m, x: m.matrix_exp(x), rand(2, 3))
    spd = a @ a.transpose(0, 2, 1) + np.eye(3)
    low = np.linalg.cholesky(spd)
    check(lambda m, b, l: m.cholesky_solve(b, l), rand(2, 3, 2), low, grad=True, rtol=1e-9)
    check(lambda m, b, l: b.cholesky_solve(l.mT.contiguous(), upper=True), rand(2, 3, 2),
          low, grad=True, rtol=1e-9)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient(edge_order):
    a = rand(3, 5)
    xs = np.array([0.0, 0.5, 1.5, 1.7, 3.0])
    check(lambda m, f: m.gradient(f, edge_order=edge_order), a, grad=True)
    check(lambda m, f: m.gradient(f, spacing=2.0, dim=1, edge_order=edge_order), a)
    check(lambda m, f: m.gradient(f, spacing=[0.5, 3.0], edge_order=edge_order), a)
    check(lambda m, f, x: m.gradient(f, spacing=(x,), dim=1, edge_order=edge_order), a, xs,
          grad=True)
    check(lambda m, f: m.gradient(f, dim=-1), np.arange(5))
    check(lambda m, f: m.gradient(f, edge_order=edge_order), rand(2, 1))
    check(lambda m, f: m.gradient(f, edge_order=3), a)


def test_pdist_chain_matmul():
    a = rand(5, 3)
    for p in (1.0, 2.0, 0.5, float("inf")):
        check(lambda m, x: m.pdist(x, p), a, grad=True, rtol=1e-9)
    check(lambda m, x: m.pdist(x), rand(3))
    check(lambda m, x: m.chain_matmul(x, x.t(), x), a, grad=True)
    check(lambda m, x: m.chain_matmul(x), a)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, length, periodic):
    check(lambda m: getattr(m, name)(length, periodic))
    check(lambda m: getattr(m, name)(length, periodic, dtype=m.float64))
    check(lambda m: getattr(m, name)(length, dtype=m.int64))
    if name == "hamming_window":
        check(lambda m: m.hamming_window(length, periodic, 0.5, 0.5))
    if name == "kaiser_window":
        check(lambda m: m.kaiser_window(length, periodic, 3.5, dtype=m.float64))


def test_pixel_and_channel_shuffles():
    a = rand(2, 8, 4, 6)
    check(lambda m, x: m.pixel_shuffle(x, 2), a, grad=True)
    check(lambda m, x: m.pixel_unshuffle(x, 2), a, grad=True)
    check(lambda m, x: m.pixel_shuffle(x[0], 2), a)
    check(lambda m, x: m.pixel_shuffle(m.pixel_unshuffle(x, 2), 2), a)
    check(lambda m, x: m.pixel_shuffle(x, 3), a)
    check(lambda m, x: m.pixel_unshuffle(x, 4), a)
    check(lambda m, x: m.pixel_shuffle(x[0, 0], 2), a)
    check(lambda m, x: m.channel_shuffle(x, 4), a, grad=True)
    check(lambda m, x: m.channel_shuffle(x, 3), a)


def test_small_queries():
    a = rand(2, 3, 4)
    check(lambda m, x: (m.is_neg(x), m.resolve_neg(x) is x, x.is_neg()), a)
    check(lambda m, x: (x.dim_order(), x.transpose(0, 2).dim_order(),
                        x.permute(1, 2, 0).dim_order()), a)
    check(lambda m, x: m.adjoint(x), a)
    check(lambda m, x: m.angle(x), np.array([-1.0, 0.0, 2.0, np.nan, -np.inf]))
    check(lambda m, x: x.angle(), np.array([-1, 0, 2]))
    check(lambda m, x: m.angle(x), rand(4), grad=True)


@needs("get_device")
def test_get_device():
    check(lambda m, x: (x.get_device(), m.get_device(x)), rand(3))


def test_module_inplace_of_other_families():
    check(lambda m, x, b1, b2: x.clone().addbmm_(b1, b2), rand(3, 2), rand(4, 3, 5),
          rand(4, 5, 2))
    check(lambda m, x, a, v: m.addmv_(x.clone(), a, v), rand(3), rand(3, 4), rand(4))
    check(lambda m, x, v: m.index_put_(x.clone(), (m.tensor([0, 2]),), v, True),
          rand(3, 2), rand(2, 2))


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary",
                                  "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_matmul_path(mode):
    x1, x2 = rand(2, 30, 4), rand(2, 7, 4, seed=1)
    check(lambda m, a, b: m.cdist(a, b, compute_mode=mode), x1, x2, grad=True, rtol=1e-9)
    check(lambda m, a, b: m.cdist(a, b, compute_mode=mode), x1, x2, dtype="float32")
