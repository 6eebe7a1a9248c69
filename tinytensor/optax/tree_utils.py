"""Pytrees: nested tuples, lists, dicts and namedtuples whose leaves are tensors or numbers.

Optax-style transformations work leaf by leaf over such trees, so one optimizer handles a
single tensor, a list of tensors or a dict of named parameters alike.

    tree_map(lambda g: -0.1 * g, {"w": w_grad, "b": b_grad})
"""
__all__ = ["tree_map", "tree_leaves", "tree_zeros_like", "tree_full_like"]


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def tree_map(fn, tree, *rest):
    """A tree of fn(leaf, *matching leaves of rest), with tree's structure (None stays None)."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return type(tree)((k, tree_map(fn, v, *(r[k] for r in rest))) for k, v in tree.items())
    if _is_namedtuple(tree):
        return type(tree)(*(tree_map(fn, v, *(r[i] for r in rest))
                            for i, v in enumerate(tree)))
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, v, *(r[i] for r in rest)) for i, v in enumerate(tree))
    return fn(tree, *rest)


def tree_leaves(tree):
    """The leaves of tree, depth first (dicts in insertion order)."""
    if tree is None:
        return []
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in tree_leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in tree_leaves(v)]
    return [tree]


def tree_zeros_like(tree):
    """A tree of zero tensors shaped like tree's leaves."""
    from tinytensor._creation import zeros_like
    return tree_map(lambda t: zeros_like(t), tree)


def tree_full_like(tree, value):
    from tinytensor._creation import full_like
    return tree_map(lambda t: full_like(t, value), tree)
