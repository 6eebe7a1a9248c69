"""Views against torch: shapes, strides, offsets, sharing, errors."""
import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import assert_same, pair, same_error, torch_module
from strategies import shapes

torch = torch_module()


def both(shape, dtype="float32"):
    a = np.arange(int(np.prod(shape)) if shape else 1, dtype=dtype).reshape(shape)
    return pair(a)


def shares(ours, base):
    return ours._storage_ptr() == base._storage_ptr()


OPS = [
    ("view", lambda t: t.view(4, 6)),
    ("view -1", lambda t: t.view(-1, 3)),
    ("reshape", lambda t: t.reshape(2, 12)),
    ("t reshape copies", lambda t: t[0].t().reshape(12)),
    ("flatten", lambda t: t.flatten()),
    ("flatten 1", lambda t: t.flatten(1)),
    ("transpose", lambda t: t.transpose(0, 2)),
    ("permute", lambda t: t.permute(2, 0, 1)),
    ("T of 2d", lambda t: t[0].T),
    ("mT", lambda t: t.mT),
    ("unsqueeze", lambda t: t.unsqueeze(1)),
    ("unsqueeze -1", lambda t: t.unsqueeze(-1)),
    ("squeeze all", lambda t: t[:, :1].squeeze()),
    ("squeeze dim", lambda t: t[:, :1].squeeze(1)),
    ("squeeze dims", lambda t: t[:1, :1].squeeze((0, 1))),
    ("expand", lambda t: t[:, :1].expand(2, 5, 4)),
    ("expand -1", lambda t: t[None].expand(3, -1, -1, -1)),
    ("narrow", lambda t: t.narrow(2, 1, 2)),
    ("select", lambda t: t.select(1, -1)),
    ("slice step", lambda t: t[:, ::2, 1:]),
    ("contiguous of transposed", lambda t: t.transpose(0, 1).contiguous()),
    ("clone", lambda t: t.clone()),
    ("movedim", lambda t: t.movedim(0, -1)),
    ("unflatten", lambda t: t.unflatten(2, (2, 2))),
    ("as_strided", lambda t: t.as_strided((3, 3), (1, 2), 1)),
    ("view_as", lambda t: t.view_as(t.reshape(6, 4))),
    ("expand_as", lambda t: t[:, :1].expand_as(t)),
    ("swapaxes", lambda t: t.swapaxes(0, 1)),
]


@pytest.mark.parametrize("name,fn", OPS, ids=[n for n, _ in OPS])
def test_view_ops_match_torch(name, fn):
    ours, theirs = both((2, 3, 4))
    o, t = fn(ours), fn(theirs)
    assert_same(o, t)
    assert o.storage_offset() == t.storage_offset()
    assert shares(o, ours) == (t.untyped_storage().data_ptr() == theirs.untyped_storage().data_ptr())


SPLITS = [
    ("unbind", lambda t: t.unbind(1)),
    ("split 2", lambda t: t.split(2, 2)),
    ("split sizes", lambda t: t.split([1, 2], 1)),
    ("chunk", lambda t: t.chunk(3, 2)),
    ("chunk uneven", lambda t: t.chunk(4, 1)),
    ("tensor_split", lambda t: t.tensor_split(3, 2)),
]


@pytest.mark.parametrize("name,fn", SPLITS, ids=[n for n, _ in SPLITS])
def test_splitting_matches_torch(name, fn):
    ours, theirs = both((2, 3, 4))
    os_, ts = fn(ours), fn(theirs)
    assert len(os_) == len(ts)
    for o, t in zip(os_, ts):
        assert_same(o, t)
        assert o.storage_offset() == t.storage_offset()


def test_seed_view_and_reshape_semantics():
    x = tt.zeros(3, 2)
    y = x.view(2, 3)
    x.fill_(1)
    assert y.tolist() == [[1.0] * 3] * 2
    x = tt.zeros(3, 2)
    y = x.t()
    with pytest.raises(RuntimeError, match="view size is not compatible with input "
                       "tensor's size and stride.*Use .reshape"):
        y.view(6)
    z = y.reshape(6)
    x.fill_(1)
    assert y.tolist() == [[1.0] * 3] * 2
    assert z.tolist() == [0.0] * 6


def test_squeeze_unsqueeze_seed():
    x = tt.zeros(1, 3, 1)
    assert x.squeeze().shape == (3,)
    assert x.squeeze(0).shape == (3, 1)
    assert x.squeeze(1).shape == (1, 3, 1)
    assert x.squeeze(2).shape == (1, 3)
    x = tt.zeros(3, 2)
    assert [x.unsqueeze(i).shape for i in range(3)] == [(1, 3, 2), (3, 1, 2), (3, 2, 1)]
    assert repr(x.unsqueeze(0).shape) == "torch.Size([1, 3, 2])"


ERRORS = [
    lambda t: t.view(5, 5),
    lambda t: t.view(-1, -1),
    lambda t: t.reshape(7),
    lambda t: t.transpose(0, 3),
    lambda t: t.permute(0, 1),
    lambda t: t.permute(0, 0, 1),
    lambda t: t.expand(3, 3, 4),
    lambda t: t.narrow(0, 1, 5),
    lambda t: t.select(0, 2),
    lambda t: t.unsqueeze(4),
    lambda t: t.squeeze(5),
    lambda t: t.flatten(2, 1),
    lambda t: t[0].t().view(12),
    lambda t: t.split([1, 1], 0) if False else t.split([1, 5], 1),
    lambda t: t.as_strided((100,), (1,)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_view_errors_raise_torch_exception_class(i):
    ours, theirs = both((2, 3, 4))
    same_error(lambda: ERRORS[i](ours), lambda: ERRORS[i](theirs))


@settings(max_examples=150, deadline=None)
@given(shape=shapes(max_dims=4, max_side=4), data=st.data())
def test_reshape_view_or_copy_like_torch(shape, data):
    """For random shapes and permutations, reshape agrees with torch on values, strides
    and whether it made a view."""
    ours, theirs = both(shape)
    if len(shape) >= 2:
        perm = data.draw(st.permutations(list(range(len(shape)))))
        ours, theirs = ours.permute(*perm), theirs.permute(*perm)
    n = int(np.prod(shape)) if shape else 1
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    d = data.draw(st.sampled_from(divisors))
    target = (d, -1) if n else (0,)
    o, t = ours.reshape(*target), theirs.reshape(*target)
    assert_same(o, t)
    assert (o._storage_ptr() == ours._storage_ptr()) == \
        (t.untyped_storage().data_ptr() == theirs.untyped_storage().data_ptr())


def test_view_keeps_storage_alive_after_base_is_deleted():
    x = tt.arange(10.0)
    v = x[2:5]
    del x
    gc.collect()
    assert v.tolist() == [2.0, 3.0, 4.0]
    w = v.t() if v.dim() == 2 else v.view(3)
    del v
    gc.collect()
    assert w.tolist() == [2.0, 3.0, 4.0]
    ref = weakref.ref(w)
    del w
    gc.collect()
    assert ref() is None        # nothing else holds the tensor


def test_cat_stack_hstack_vstack():
    a, ta = both((2, 3))
    b, tb = both((2, 3), "float64")
    for fn in [lambda m, x, y: m.cat([x, y]), lambda m, x, y: m.cat([x, y], 1),
               lambda m, x, y: m.cat((x, y), -1), lambda m, x, y: m.stack([x, y]),
               lambda m, x, y: m.stack([x, y], 2), lambda m, x, y: m.hstack([x, y]),
               lambda m, x, y: m.vstack([x, y]), lambda m, x, y: m.vstack([x[0], y[1]]),
               lambda m, x, y: m.hstack([x[0], y[1]]), lambda m, x, y: m.dstack([x, y]),
               lambda m, x, y: m.column_stack([x[0], y[0]]),
               lambda m, x, y: m.cat([x, m.zeros(0)])]:
        assert_same(fn(tt, a, b), fn(torch, ta, tb))
    x = tt.linspace(-3, 3, 5)
    X = tt.vstack((tt.ones_like(x), x, x, x)).T
    assert X.shape == (5, 4)
    same_error(lambda: tt.cat([a, tt.zeros(3, 2)]), lambda: torch.cat([ta, torch.zeros(3, 2)]))
    same_error(lambda: tt.stack([a, tt.zeros(3, 3)]), lambda: torch.stack([ta, torch.zeros(3, 3)]))
    same_error(lambda: tt.cat([]), lambda: torch.cat([]))


def test_facts():
    x, t = both((2, 3, 4), "float64")
    for attr in ["ndim", "nbytes", "itemsize"]:
        assert getattr(x, attr) == getattr(t, attr)
    for m in ["dim", "numel", "element_size", "stride", "size", "storage_offset",
              "is_contiguous", "nelement"]:
        assert getattr(x, m)() == getattr(t, m)()
    assert x.size(1) == 3 and x.size(-1) == 4 and x.stride(0) == 12
    assert len(x) == 2
    assert x.shape.numel() == 24
    assert x.data_ptr() + 8 == x[0, 0, 1].data_ptr()


def test_zero_dim_reshapes_to_any_single_element_shape():
    for shape in [(1,), (1, 1), ()]:
        o, t = tt.tensor(3.0).reshape(shape), torch.tensor(3.0).reshape(shape)
        assert_same(o, t)
        assert_same(tt.tensor(3.0).view(shape), torch.tensor(3.0).view(shape))
