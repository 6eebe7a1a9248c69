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
