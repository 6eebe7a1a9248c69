"""t[index] and t[index] = v against torch, for basic, advanced and mixed indices."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytensor as tt
from oracle import assert_same, pair, same_error, torch_module

torch = torch_module()


def base(shape=(4, 5, 6)):
    return pair(np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape))


def mirror(index, lib):
    """The same index expression with lists/arrays turned into lib tensors."""
    def conv(x):
        if isinstance(x, np.ndarray):
            return lib.from_numpy(x.copy())
        return x
    if isinstance(index, tuple):
        return tuple(conv(x) for x in index)
    return conv(index)


INDICES = [
    0, -1, (1, 2), (1, 2, 3), slice(1, 3), (slice(None), 2), (Ellipsis, 1), (None, 1),
    (1, None, slice(None, None, 2)), (slice(None, None, 3), Ellipsis, None),
    [0, 2], ([0, 2], [1, 3]), (slice(None), [0, 4]), (slice(None), [0, 4], [1, 2]),
    ([0, 1], slice(None), [2, 3]), ([[0, 1], [2, 3]],), (np.array([True, False, True, False]),),
    (np.arange(30).reshape(5, 6) % 2 == 0,) if False else (slice(None), np.arange(30).reshape(5, 6) % 2 == 0),
    (Ellipsis, [1, 1, 1]), (np.array([3, -1]),), (1, [0, 1], None), (slice(1, None), [2]),
    (np.array(2),), (0, 0, np.array([5, 0])),
]


@pytest.mark.parametrize("index", INDICES, ids=[repr(i)[:40] for i in INDICES])
def test_getitem_matches_torch(index):
    ours, theirs = base()
    o = ours[mirror(index, tt)]
    t = theirs[mirror(index, torch)]
    assert_same(o, t)
    is_view = t.untyped_storage().data_ptr() == theirs.untyped_storage().data_ptr()
    assert (o._storage_ptr() == ours._storage_ptr()) == is_view


@pytest.mark.parametrize("index", INDICES, ids=[repr(i)[:40] for i in INDICES])
def test_setitem_matches_torch(index):
    ours, theirs = base()
    ours[mirror(index, tt)] = 7.5
    theirs[mirror(index, torch)] = 7.5
    assert_same(ours, theirs)
    ours, theirs = base()
    shape = theirs[mirror(index, torch)].shape
    vals = np.asarray(np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + 100)
    ours[mirror(index, tt)] = tt.from_numpy(vals.copy())
    theirs[mirror(index, torch)] = torch.from_numpy(vals.copy())
    assert_same(ours, theirs)


def test_setitem_broadcasts_and_casts():
    ours, theirs = base()
    ours[:, 1] = tt.tensor([1, 2, 3, 4, 5, 6])
    theirs[:, 1] = torch.tensor([1, 2, 3, 4, 5, 6])
    assert_same(ours, theirs)
    ours[[0, 0]] = tt.tensor(9.0)
    theirs[[0, 0]] = torch.tensor(9.0)
    assert_same(ours, theirs)


BAD = [(4,), (0, 5), (0, 0, -7), ([4],), (slice(None), [5]), (0, 0, 0, 0),
       (np.array([True, False]),), (1.5,), ("a",)]


@pytest.mark.parametrize("index", BAD, ids=[repr(i)[:30] for i in BAD])
def test_bad_indices_raise_like_torch(index):
    ours, theirs = base()
    e1, e2 = same_error(lambda: ours[mirror(index, tt)], lambda: theirs[mirror(index, torch)])


def test_index_message_names_dim_and_size():
    x = tt.zeros(3)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[[0, 3]]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_random_index_expressions(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ours, theirs = base(shape)
    index = []
    for d in shape:
        kind = data.draw(st.sampled_from(["int", "slice", "list", "none", "full"]))
        if kind == "int":
            index.append(data.draw(st.integers(-d, d - 1)))
        elif kind == "slice":
            a = data.draw(st.integers(-d - 1, d + 1))
            b = data.draw(st.integers(-d - 1, d + 1))
            index.append(slice(a, b, data.draw(st.integers(1, 3))))
        elif kind == "list":
            index.append(np.array(data.draw(st.lists(st.integers(-d, d - 1), min_size=1, max_size=3))))
        elif kind == "none":
            index.append(None)
            index.append(slice(None))
        else:
            index.append(slice(None))
    index = tuple(index)
    arrays = [x for x in index if isinstance(x, np.ndarray)]
    try:
        np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        return
    o, t = ours[mirror(index, tt)], theirs[mirror(index, torch)]
    assert_same(o, t, check_stride=not arrays)
    ours[mirror(index, tt)] = -1.0
    theirs[mirror(index, torch)] = -1.0
    assert_same(ours, theirs)


@pytest.mark.parametrize("index", [(None,), (slice(None),), (Ellipsis,), (1, slice(None)),
                                   (1, slice(2, 4)), (slice(2, 4), 1), (None, 1), (1, None),
                                   (slice(None, None, 2),), (slice(0, 3),), (Ellipsis, None),
                                   ([0, 2],)], ids=repr)
def test_index_node_names_match_torch(index):
    x = tt.ones(3, 4, requires_grad=True)
    tx = torch.ones(3, 4, requires_grad=True)
    assert x[index].grad_fn.name() == type(tx[index].grad_fn).__name__
