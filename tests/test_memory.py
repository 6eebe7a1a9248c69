"""Memory: what is made is freed (weakref checks on tensors, storages, graphs and
numpy-borrowed buffers), shared memory stays valid while any user lives, and long loops
of small work keep the resident set bounded."""
import gc
import os
import sys
import weakref

import numpy as np
import pytest

import tinytensor as tt

LOOPS = int(os.environ.get("TT_MEMORY_LOOPS", "100000"))


def freed(make):
    """True when the object make() returns dies as soon as the last reference goes."""
    ref = weakref.ref(make())
    gc.collect()
    return ref() is None


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def assert_rss_bounded(step, loops=LOOPS, slack=32 << 20):
    """Run step() loops times; the resident set may not grow by more than slack after
    a warm-up (allocator caches settle in the first few thousand rounds)."""
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("needs /proc")
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("ASan's quarantine holds freed memory; LeakSanitizer checks leaks there")
    for _ in range(min(2000, loops)):
        step()
    gc.collect()
    before = rss_bytes()
    for _ in range(loops):
        step()
    gc.collect()
    grown = rss_bytes() - before
    assert grown < slack, f"RSS grew by {grown / 2**20:.1f} MiB over {loops} rounds"


# ---- tensors and storages are freed -------------------------------------------------
def test_tensor_freed_when_last_reference_goes():
    assert freed(lambda: tt.ones(3, 4))


def test_view_freed_and_base_freed_after_both_go():
    base = tt.zeros(4, 4)
    view = base.t()[1:, ::2]
    base_ref, view_ref = weakref.ref(base), weakref.ref(view)
    del base
    gc.collect()
    assert view_ref() is not None
    del view
    gc.collect()
    assert base_ref() is None and view_ref() is None


def test_view_keeps_storage_alive_after_base_deleted():
    base = tt.arange(12).reshape(3, 4)
    view = base[1]
    del base
    gc.collect()
    # allocate and write elsewhere so a freed block would be reused and overwritten
    junk = [tt.full((3, 4), 99) for _ in range(50)]
    assert view.tolist() == [4, 5, 6, 7]
    del junk


def test_tensor_exported_to_numpy_is_freed():
    # the buffer protocol once took two references and released one: every .numpy()
    # leaked its tensor and the storage behind it
    def make():
        t = tt.ones(5)
        a = t.numpy()
        assert a.sum() == 5
        return t
    assert freed(make)


def test_tensor_exported_through_memoryview_is_freed():
    def make():
        t = tt.arange(6, dtype=tt.int32)
        m = memoryview(t)
        assert m.tolist() == [0, 1, 2, 3, 4, 5]
        m.release()
        return t
    assert freed(make)


def test_storage_count_stays_flat_over_numpy_round_trips():
    t = tt.ones(8)
    before = sys.getrefcount(t)
    for _ in range(100):
        a = t.numpy()
        del a
    gc.collect()
    assert sys.getrefcount(t) == before


def test_storage_freed_with_its_last_view():
    """The storage block goes back to the allocator: with many short-lived tensors the
    same (cached) address comes back, which it would not if blocks leaked."""
    n = 1 << 20                          # 4 MiB: served by the buffer cache
    tt.empty_cache()
    first = tt.empty(n)
    ptr = first._storage_ptr()
    view = first[10:]
    del first
    gc.collect()
    assert view._storage_ptr() == ptr    # still held by the view
    del view
    gc.collect()
    assert tt._C.cached_bytes() > 0      # returned to the cache, not leaked
    again = tt.empty(n)
    assert again._storage_ptr() == ptr
    del again
    tt.empty_cache()
    assert tt._C.cached_bytes() == 0


def test_autograd_graph_freed_after_backward():
    if not hasattr(tt.Tensor, "__mul__"):
        pytest.skip("math not in tinytensor yet")
    x = tt.ones(4, requires_grad=True)
    y = x * 2
    node = weakref.ref(y.grad_fn)
    out = weakref.ref(y)
    y.sum().backward() if hasattr(y, "sum") else y.backward(tt.ones(4))
    del y
    gc.collect()
    assert out() is None and node() is None
    assert x.grad is not None


def test_graph_without_backward_freed_with_its_output():
    x = tt.ones(4, requires_grad=True)
    y = x.t().expand(2, 4)[1]            # view nodes only: no math needed
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


# ---- numpy-borrowed buffers ------------------------------------------------------------
def test_numpy_array_kept_alive_by_tensor():
    a = np.arange(10, dtype=np.float64)
    ref = weakref.ref(a)
    t = tt.from_numpy(a)
    del a
    gc.collect()
    assert ref() is not None             # the tensor holds the buffer
    junk = [np.full(10, 99.0) for _ in range(100)]
    assert t.tolist() == list(map(float, range(10)))
    del t, junk
    gc.collect()
    assert ref() is None                 # and lets it go with its last view


def test_numpy_buffer_released_after_views_of_the_tensor():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    ref = weakref.ref(a)
    t = tt.from_numpy(a)
    v = t.t()[1:]
    del a, t
    gc.collect()
    assert ref() is not None
    assert v.tolist() == [[1, 5, 9], [2, 6, 10], [3, 7, 11]]
    del v
    gc.collect()
    assert ref() is None


def test_tensor_and_numpy_share_writes_while_either_lives():
    a = np.zeros(6, dtype=np.float32)
    t = tt.from_numpy(a)
    t[2] = 5.0
    assert a[2] == 5.0
    a[3] = 7.0
    assert t[3].item() == 7.0
    back = t.numpy()                     # numpy view of the tensor of the array
    del a, t
    gc.collect()
    back[0] = 1.5
    assert back.tolist() == [1.5, 0.0, 5.0, 7.0, 0.0, 0.0]


def test_numpy_of_tensor_outlives_the_tensor():
    t = tt.arange(6, dtype=tt.float64)
    a = t.numpy()
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is not None             # the array's base keeps the tensor
    junk = [tt.full((6,), 42.0, dtype=tt.float64) for _ in range(100)]
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    del a, junk
    gc.collect()
    assert ref() is None


# ---- recycled Tensor objects (Note [tensor free list] in _tensor.pxi) -----------------
def churn(n=200):
    """Make and drop enough small tensors that the next ones reuse freed objects."""
    x = tt.ones(3)
    for _ in range(n):
        x + x


def test_freed_tensor_releases_its_storage_at_once():
    base = tt.ones(4)
    views = [base[1:], base.view(2, 2), base.t()]
    assert base._storage_refcount() == 4
    del views                             # no gc.collect: plain refcounting
    assert base._storage_refcount() == 1
    churn()
    assert base._storage_refcount() == 1


def test_recycled_tensor_has_no_dict_weakrefs_or_autograd_state():
    called = []
    for _ in range(100):                  # some of these reuse an earlier one's memory
        t = tt.ones(3, requires_grad=True)
        t.note = "old"
        t.grad = tt.ones(3)
        y = t * 2
        y.retain_grad()
        ref = weakref.ref(y, lambda r: called.append(r))
        v = tt.zeros(4)[1:]
        del t, y, v
        assert ref() is None
        fresh = [tt.zeros(2) + 1 for _ in range(4)]
        for f in fresh:
            assert f.__dict__ == {} and not hasattr(f, "note")
            assert weakref.getweakrefcount(f) == 0
            assert f.grad is None and f.grad_fn is None and f.is_leaf
            assert not f.requires_grad and not f._retains_grad and f._base is None
            assert f._output_nr == 0 and f._hooks is None
    assert len(called) == 100


def test_free_list_is_bounded():
    many = [tt.ones(2) for _ in range(1000)]
    del many
    assert tt._C._free_tensor_count() <= 64


def test_tensor_in_a_cycle_is_collected_and_recycled():
    t = tt.ones(3)
    t.me = t
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is None
    churn()
    assert ref() is None


def test_64_dim_tensors_after_small_ones_and_back():
    torch = pytest.importorskip("torch")
    shape = [1] * 30 + [2] + [1] * 32 + [3]
    for _ in range(3):
        churn()
        big = tt.arange(6.0).reshape(shape)
        tbig = torch.arange(6.0).reshape(shape)
        assert big.shape == tbig.shape and big.stride() == tbig.stride()
        perm = list(range(63, -1, -1))
        v = big.permute(perm)[0].unsqueeze(0)
        tv = tbig.permute(perm)[0].unsqueeze(0)
        assert v.shape == tv.shape and v.stride() == tv.stride()
        assert v.sum().item() == tv.sum().item()
        del big, v
        small = tt.ones(3).view(3, 1)     # may reuse a 64-dim object's memory
        assert small.shape == (3, 1) and small.stride() == (1, 1)
        assert small.contiguous().tolist() == [[1.0], [1.0], [1.0]]


def test_views_of_views_keep_base_and_storage_until_the_last_goes():
    torch = pytest.importorskip("torch")
    base = tt.arange(24.0).reshape(4, 6).clone()
    tbase = torch.arange(24.0).reshape(4, 6).clone()
    v = base.t()[1:, ::2].unsqueeze(0)[0][2]
    tv = tbase.t()[1:, ::2].unsqueeze(0)[0][2]
    assert v._base is base and tv._base is tbase
    assert base._storage_refcount() == 2
    base_ref = weakref.ref(base)
    del base
    churn()
    assert v._base is base_ref()          # the view keeps its base object alive
    assert v.tolist() == tv.tolist() and v.stride() == tv.stride()
    del v
    assert base_ref() is None
    churn()
    assert base_ref() is None


def test_subclass_objects_recycle_and_change_class():
    class Marked(tt.Tensor):
        pass
    for _ in range(50):
        p = tt.nn.Parameter(tt.ones(2))
        m = tt.zeros(2)
        m.__class__ = Marked
        assert type(p) is tt.nn.Parameter and p.requires_grad and p.is_leaf
        assert type(m + p) is tt.Tensor and (m + 1).tolist() == [1.0, 1.0]
        del p, m


# ---- long loops keep the resident set bounded ---------------------------------------------
def test_rss_bounded_creating_small_tensors():
    def step():
        t = tt.zeros(4, 4)
        t.fill_(1.0)
        tt.tensor([1.0, 2.0, 3.0])
    assert_rss_bounded(step)


def test_rss_bounded_making_views():
    base = tt.arange(24.0).reshape(2, 3, 4)

    def step():
        v = base.permute(2, 0, 1)[1:, :, ::2].unsqueeze(0).expand(3, -1, -1, -1)
        v.reshape(-1)
        base[:, 1].t()
    assert_rss_bounded(step)


def test_rss_bounded_indexing_casting_copying():
    base = tt.arange(24.0).reshape(6, 4)
    idx = tt.tensor([0, 2, 5])

    def step():
        base[idx].to(tt.float16)
        base[idx] = 1.0
        tt.cat([base, base], 0)
        base.clone().copy_(base.t().t())
    assert_rss_bounded(step, loops=LOOPS // 2)


def test_rss_bounded_numpy_round_trips():
    a = np.ones(8, dtype=np.float32)

    def step():
        t = tt.from_numpy(a)
        t.numpy()
        np.asarray(t)
    assert_rss_bounded(step)


def test_rss_bounded_math_and_autograd_steps():
    if not hasattr(tt.Tensor, "__mul__"):
        pytest.skip("math not in tinytensor yet")
    w = tt.ones(4, 4, requires_grad=True)
    x = tt.ones(4)

    def step():
        y = (w * x + 1).sum() if hasattr(tt.Tensor, "sum") else (w * x)[0, 0]
        y.backward()
        w.grad = None
    assert_rss_bounded(step, loops=LOOPS // 4)
