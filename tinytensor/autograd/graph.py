"""Looking at the backward graph: the Node type and a Graphviz DOT picture of a graph.

    y = (x * w).sum()
    print(torch.autograd.to_dot(y, params={"x": x, "w": w}))   # paste into `dot -Tpng`
"""
from tinytensor import _C
from tinytensor.autograd.function import AccumulateGrad, Node, _edge

__all__ = ["Node", "to_dot"]


def _shape_text(t):
    return "(" + ", ".join(str(d) for d in t.shape) + ")"


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(tensors, params=None):
    """Graphviz DOT text of the graph behind tensors: ops grey, leaves blue, outputs green."""
    roots = (tensors,) if isinstance(tensors, _C.TensorBase) else tuple(tensors)
    names = {id(t): name for name, t in (params or {}).items()}
    lines = ["digraph {",
             '    graph [rankdir=BT, size="12,12"];',
             '    node [shape=box, style="filled,rounded", fontname="monospace", '
             'fontsize=10, height=0.2];']
    ids = {}

    def node_id(node):
        if node not in ids:
            ids[node] = f"n{len(ids)}"
            if type(node) is AccumulateGrad:
                v = node.variable
                label = (names.get(id(v), "") + "\n" if id(v) in names else "") + \
                    f"{_shape_text(v)}\n{v.dtype.name}"
                color = "lightblue"
            else:
                label, color = node.name(), "lightgrey"
            lines.append(f"    {ids[node]} [label={_quote(label)}, fillcolor={color}];")
        return ids[node]

    seen = set()
    for k, t in enumerate(roots):
        out_id = f"out{k}"
        label = (names.get(id(t), "") + "\n" if id(t) in names else "") + \
            f"{_shape_text(t)}\n{t.dtype.name}"
        lines.append(f"    {out_id} [label={_quote(label)}, fillcolor=darkolivegreen1];")
        root = _edge(t)[0]
        if root is None:
            continue
        lines.append(f"    {node_id(root)} -> {out_id};")
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for nxt, _ in node.next_functions:
                if nxt is None:
                    continue
                lines.append(f"    {node_id(nxt)} -> {node_id(node)};")
                stack.append(nxt)
    lines.append("}")
    return "\n".join(lines) + "\n"
