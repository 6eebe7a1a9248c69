"""Threads: ops running in several Python threads at once neither crash nor corrupt
results (compared with the same work done serially), the buffer cache and the random
generator stay consistent under contention, grad mode is per thread as in torch, and
kernels on large data release the GIL so other threads run meanwhile."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tinytensor as tt

WORKERS = 8


def work(seed):
    """A deterministic mix of creation, views, indexing, casts, copies and joins (and
    math where it exists); returns numpy results to compare."""
    rng = np.random.default_rng(seed)
    a = tt.from_numpy(rng.standard_normal((17, 9)).astype(np.float32))
    b = a.t()[::2, 1:]
    c = b.to(tt.float16).to(tt.float64)
    d = tt.cat([a[:3], a[-2:]], dim=0)
    e = a[tt.tensor([0, 5, 5, 16])]
    f = tt.zeros(9, 17)
    f.copy_(a.t())
    f[2:4] = 7.5
    big = tt.arange(40000, dtype=tt.float32).reshape(200, 200).t()
    g = big.contiguous().to(tt.int16)           # large: runs with the GIL released
    out = [c, d, e, f, g[::7, ::13]]
    if hasattr(tt.Tensor, "__add__"):
        try:
            out.append(a * 2 + 1)
            out.append((big + big.t()).sum(0) if hasattr(tt.Tensor, "sum") else big + 1)
        except (TypeError, AttributeError, NotImplementedError):
            pass
    return [np.array(t.float().numpy()) for t in out]


def same_results(x, y):
    return len(x) == len(y) and all(np.array_equal(p, q, equal_nan=True) for p, q in zip(x, y))


def test_separate_tensors_in_a_thread_pool_match_serial():
    seeds = list(range(48))
    serial = [work(s) for s in seeds]
    with ThreadPoolExecutor(WORKERS) as pool:
        parallel = list(pool.map(work, seeds))
    for s, (x, y) in enumerate(zip(serial, parallel)):
        assert same_results(x, y), f"seed {s} differs when run in threads"


def test_shared_tensor_read_by_many_threads():
    src = tt.from_numpy(np.random.default_rng(0).standard_normal((64, 300)).astype(np.float32))
    expected = src.t().contiguous().to(tt.float64).numpy().copy()

    def read(_):
        r = src.t().contiguous().to(tt.float64)
        return np.array_equal(r.numpy(), expected)

    with ThreadPoolExecutor(WORKERS) as pool:
        assert all(pool.map(read, range(64)))


def test_disjoint_writes_to_one_tensor_from_many_threads():
    rows, cols = 64, 50000          # each row big enough to run without the GIL
    shared = tt.zeros(rows, cols)
    src = [tt.full((cols,), float(i)) for i in range(rows)]

    def write(i):
        shared[i].copy_(src[i])
        shared[i, ::2].fill_(-float(i))
        return shared._version

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(write, range(rows)))
    got = shared.numpy()
    want = np.repeat(np.arange(rows, dtype=np.float32)[:, None], cols, axis=1)
    want[:, ::2] *= -1
    np.testing.assert_array_equal(got, want)
    assert shared._version >= 2 * rows      # no lost increments


def test_buffer_cache_under_contention():
    """Large buffers (the cache keeps blocks of 1 MiB and more) allocated, written,
    checked and freed in many threads while another empties the cache."""
    stop = threading.Event()

    def empty_cache_loop():
        while not stop.is_set():
            tt.empty_cache()
            time.sleep(0.001)

    def churn(i):
        for k in range(20):
            n = (1 << 18) + 4096 * ((i + k) % 5)        # ~1 MiB float32, a few sizes
            t = tt.full((n,), float(i))
            if not (t[::4096].numpy() == i).all():
                return False
            del t
        return True

    emptier = threading.Thread(target=empty_cache_loop)
    emptier.start()
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            assert all(pool.map(churn, range(32)))
    finally:
        stop.set()
        emptier.join()
    assert 0 <= tt._C.cached_bytes() <= 1 << 30
    tt.empty_cache()
    assert tt._C.cached_bytes() == 0


def test_random_generator_hands_out_each_number_once_under_threads():
    if not hasattr(tt, "rand") or not hasattr(tt, "manual_seed"):
        pytest.skip("random numbers not in tinytensor yet")
    n, calls = 1 << 15, 16           # large draws: kernels run without the GIL
    tt.manual_seed(1234)
    serial = np.sort(np.concatenate([tt.rand(n).numpy() for _ in range(calls)]))
    tt.manual_seed(1234)
    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(lambda _: tt.rand(n).numpy().copy(), range(calls)))
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), serial)


def test_grad_mode_is_per_thread():
    """torch's no_grad() affects only the thread that entered it."""
    x = tt.ones(3, requires_grad=True)
    inside = threading.Event()
    done = threading.Event()

    def hold_no_grad():
        with tt.no_grad():
            inside.set()
            done.wait(10)

    t = threading.Thread(target=hold_no_grad)
    t.start()
    try:
        assert inside.wait(10)
        assert tt.is_grad_enabled(), "another thread's no_grad() turned grad mode off here"
        y = x.expand(2, 3)
        assert y.requires_grad
    finally:
        done.set()
        t.join()


def test_autograd_in_threads_matches_serial():
    if not hasattr(tt.Tensor, "__mul__"):
        pytest.skip("math not in tinytensor yet")

    def grads(seed):
        rng = np.random.default_rng(seed)
        w = tt.from_numpy(rng.standard_normal((5, 4))).requires_grad_()
        x = tt.from_numpy(rng.standard_normal((4,)))
        y = (w * x).sum() if hasattr(tt.Tensor, "sum") else (w * x)[0, 0]
        y.backward()
        return w.grad.numpy().copy()

    serial = [grads(s) for s in range(32)]
    with ThreadPoolExecutor(WORKERS) as pool:
        parallel = list(pool.map(grads, range(32)))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def kernel_lets_others_run(kernel, seconds=0.3):
    """Run kernel() repeatedly in one thread while another counts loop iterations; return
    how many of those iterations happened while the kernel thread was inside a call."""
    windows, ticks = [], []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    def kernels():
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            kernel()
            windows.append((t0, time.perf_counter()))

    c = threading.Thread(target=counter)
    c.start()
    try:
        kernels()
    finally:
        stop.set()
        c.join()
    ticks = np.array(ticks)
    inside = 0
    for a, b in windows:
        # margin: the call's own Python entry and exit hold the GIL for a moment
        span = b - a
        inside += int(np.count_nonzero((ticks > a + span * 0.1) & (ticks < b - span * 0.1)))
    return inside, len(windows)


@pytest.mark.parametrize("what", ["copy", "cast", "fill"])
def test_large_kernels_release_the_gil(what):
    n = 1 << 24                                       # 64 MiB of float32
    src = tt.zeros(n)
    dst = tt.empty(n)
    kernel = {"copy": lambda: dst.copy_(src),
              "cast": lambda: src.to(tt.float64),
              "fill": lambda: dst.fill_(1.5)}[what]
    inside, calls = kernel_lets_others_run(kernel)
    assert calls >= 1
    assert inside > 0, f"no other thread ran during {calls} large {what} calls: GIL held"
