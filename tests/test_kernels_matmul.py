"""The raw matmul kernel (_C.matmul) against numpy in float64: odd sizes, transposed,
strided and expanded operands, batches, every dtype, addmm's alpha and beta."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from tinytensor import _C
from oracle import assert_same, pair, to_numpy, torch_module

torch = torch_module()

EPS = {"float32": 2.0 ** -24, "float64": 2.0 ** -53, "float16": 2.0 ** -11,
       "bfloat16": 2.0 ** -8}


def check_close(ours, a64, b64, dtype_name, alpha=1.0, beta=0.0, c64=None):
    """|ours - ref| within a few roundings per term of K (the blocked sum's bound)."""
    ref = alpha * (a64 @ b64) + (beta * c64 if c64 is not None else 0)
    k = a64.shape[-1]
    scale = alpha * (np.abs(a64) @ np.abs(b64)) + (abs(beta) * np.abs(c64) if c64 is not None
                                                   else 0) + 1e-300
    got = to_numpy(ours).astype(np.float64)
    bound = EPS[dtype_name] * (k + 4) * scale
    if dtype_name in ("float16", "bfloat16"):      # accumulated in float32, rounded once
        bound = (EPS[dtype_name] + 2.0 ** -24 * (k + 4)) * scale
    assert np.all(np.abs(got - ref) <= bound), np.max(np.abs(got - ref) / scale)


@pytest.mark.parametrize("n", [1, 3, 17, 129, 1000])
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_odd_square_sizes(n, dtype_name):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    x, _ = pair(a.astype(dtype_name))
    y, _ = pair(b.astype(dtype_name))
    a64, b64 = a.astype(dtype_name).astype(np.float64), b.astype(dtype_name).astype(np.float64)
    check_close(_C.matmul(x, y), a64, b64, dtype_name)
    check_close(_C.matmul(y.t(), x.t()), b64.T, a64.T, dtype_name)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (1, 300, 1), (1, 300, 70), (70, 300, 1),
                                   (7, 0, 5), (0, 4, 3), (5, 17, 33), (130, 257, 65),
                                   (6, 256, 16), (12, 512, 32), (145, 1, 300)])
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_rectangular_and_edge_tiles(m, k, n, dtype_name):
    rng = np.random.default_rng(m * 1000 + k * 10 + n)
    a = rng.standard_normal((m, k)).astype(dtype_name)
    b = rng.standard_normal((k, n)).astype(dtype_name)
    x, _ = pair(a)
    y, _ = pair(b)
    check_close(_C.matmul(x, y), a.astype(np.float64), b.astype(np.float64), dtype_name)


@settings(max_examples=60)
@given(st.data())
def test_strided_operands(data):
    draw = data.draw
    m, k, n = (draw(st.integers(1, 40)) for _ in range(3))
    dtype_name = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(draw(st.integers(0, 999)))

    def operand(r, c):
        kind = draw(st.sampled_from(["plain", "t", "step", "expand"]))
        if kind == "t":
            base = rng.standard_normal((c, r)).astype(dtype_name)
            t, _ = pair(base)
            return t.t(), base.T.astype(np.float64)
        if kind == "step":
            base = rng.standard_normal((r * 2, c * 3)).astype(dtype_name)
            t, _ = pair(base)
            return t[::2, ::3], base[::2, ::3].astype(np.float64)
        if kind == "expand":
            base = rng.standard_normal((1, c)).astype(dtype_name)
            t, _ = pair(base)
            return t.expand(r, c), np.broadcast_to(base, (r, c)).astype(np.float64)
        base = rng.standard_normal((r, c)).astype(dtype_name)
        t, _ = pair(base)
        return t, base.astype(np.float64)

    x, a64 = operand(m, k)
    y, b64 = operand(k, n)
    check_close(_C.matmul(x, y), a64, b64, dtype_name)
    out = tt.from_numpy(np.zeros((n, m), dtype=dtype_name)).t()    # a transposed out
    _C.matmul(x, y, out=out)
    check_close(out, a64, b64, dtype_name)


@pytest.mark.parametrize("threads", [1, 2])
def test_batched_and_broadcast_batches(threads):
    prev = tt.get_num_threads()
    tt.set_num_threads(threads)
    try:
        rng = np.random.default_rng(2)
        for batch, (m, k, n) in [((4,), (5, 6, 7)), ((2, 3), (33, 20, 17)),
                                 ((64,), (8, 8, 8)), ((3,), (130, 70, 90))]:
            a = rng.standard_normal(batch + (m, k)).astype(np.float32)
            b = rng.standard_normal((k, n)).astype(np.float32)
            x, _ = pair(a)
            y, _ = pair(b)
            yb = y.expand(*batch, k, n)                     # stride-0 batch dims
            check_close(_C.matmul(x, yb), a.astype(np.float64), b.astype(np.float64),
                        "float32")
    finally:
        tt.set_num_threads(prev)


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
def test_16_bit_floats_accumulate_in_float32(dtype_name):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((37, 300)).astype(np.float32)
    b = rng.standard_normal((300, 29)).astype(np.float32)
    (x, tx), (y, ty) = pair(a, dtype_name), pair(b, dtype_name)
    a64 = to_numpy(tx).astype(np.float64)
    b64 = to_numpy(ty).astype(np.float64)
    r = _C.matmul(x, y)
    assert r.dtype == getattr(tt, dtype_name)
    check_close(r, a64, b64, dtype_name)


@pytest.mark.parametrize("dtype_name", ["uint8", "int8", "int16", "int32", "int64"])
def test_integer_matmul_exact(dtype_name):
    rng = np.random.default_rng(6)
    a = rng.integers(-100, 100, (9, 23)).astype(dtype_name)
    b = rng.integers(-100, 100, (23, 5)).astype(dtype_name)
    (x, tx), (y, ty) = pair(a), pair(b)
    assert_same(_C.matmul(x, y), tx @ ty, exact=True, check_stride=False)


def test_addmm_alpha_beta():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((20, 30))
    b = rng.standard_normal((30, 10))
    c = rng.standard_normal((20, 10))
    out, _ = pair(c.copy())
    x, _ = pair(a)
    y, _ = pair(b)
    _C.matmul(x, y, out=out, alpha=0.5, beta=2.0)
    check_close(out, a, b, "float64", alpha=0.5, beta=2.0, c64=c)


def test_errors():
    x = tt.from_numpy(np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(3x4 and 3x4\)"):
        _C.matmul(x, x)
    b = tt.from_numpy(np.zeros((2, 2), dtype=bool))
    with pytest.raises(NotImplementedError, match="Bool"):
        _C.matmul(b, b)
    with pytest.raises(RuntimeError, match="same dtype"):
        _C.matmul(x.t(), tt.from_numpy(np.zeros((3, 2))))


def test_output_overlapping_an_input():
    a = np.arange(16.0).reshape(4, 4)
    x, _ = pair(a.copy())
    _C.matmul(x, x, out=x)                          # computed into a copy, then written
    np.testing.assert_allclose(to_numpy(x), a @ a)


@pytest.mark.parametrize("k", [1, 3, 7, 8, 9, 21, 33, 300])
@pytest.mark.parametrize("m", [1, 3, 4, 5, 1001])
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_matvec_row_and_column_layouts(m, k, dtype_name):
    # rows contiguous (X @ w) and columns contiguous (X^T @ r): Note [GEMV layouts]
    rng = np.random.default_rng(m * 100 + k)
    a = rng.standard_normal((m, k)).astype(dtype_name)
    v = rng.standard_normal((k, 1)).astype(dtype_name)
    x, _ = pair(a)
    xt, _ = pair(np.ascontiguousarray(a.T))
    y, _ = pair(v)
    a64, v64 = a.astype(np.float64), v.astype(np.float64)
    check_close(_C.matmul(x, y), a64, v64, dtype_name)
    check_close(_C.matmul(xt.t(), y), a64, v64, dtype_name)
    check_close(_C.matmul(y.t(), xt.t().t()), v64.T, a64.T, dtype_name)   # 1 x k @ k x m
    check_close(_C.matmul(y.t(), x.t()), v64.T, a64.T, dtype_name)


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_matvec_keeps_inf_and_nan_like_torch(dtype_name):
    # the masked last vector of a row must not turn an inf into NaN (0 * inf)
    a = np.ones((9, 21), dtype=dtype_name)
    a[0, 2] = np.inf
    a[1, 20] = -np.inf
    a[2, 13] = np.nan
    v = np.ones((21, 1), dtype=dtype_name)
    (x, tx), (y, ty) = pair(a), pair(v)
    assert_same(_C.matmul(x, y), tx @ ty)
    assert_same(_C.matmul(y.t(), x.t()), ty.t() @ tx.t())
