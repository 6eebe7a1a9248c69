"""Every code block of docs/tour/*.md runs, and prints what the chapter shows.

A ```python block is executed (blocks of one chapter share a namespace, in order); when
the next block is a ```text block, the printed output must equal it.  A python block
whose first line is `# requires: <name>` needs that module or program (matplotlib,
Graphviz's `dot`): it runs with its chapter when the name is there; when it is missing
the chapter runs without it and a test of its own is skipped, saying why.
```python no-run blocks are shown but not run.

The introspection helpers the tour uses (tinytensor.explain, bits, loop_plan) are
checked against torch and against the strides they report at the end."""
import contextlib
import importlib.util
import io
import os
import re
import shutil

import pytest

import tinytensor as tt

TOUR = os.path.join(os.path.dirname(__file__), "..", "docs", "tour")
CHAPTERS = sorted(f for f in os.listdir(TOUR) if re.match(r"\d\d-.*\.md$", f)) \
    if os.path.isdir(TOUR) else []
BLOCK = re.compile(r"```(\w[\w-]*(?: no-run)?)\n(.*?)```", re.S)


def blocks(path):
    with open(path) as f:
        return [(m.group(1), m.group(2)) for m in BLOCK.finditer(f.read())]


def requirement(code):
    """The module or program a block needs (`# requires: name`), or None."""
    first = code.splitlines()[0] if code else ""
    return first.split(":", 1)[1].strip() if first.startswith("# requires:") else None


def available(name):
    return importlib.util.find_spec(name) is not None or shutil.which(name) is not None


def run_chapter(chapter):
    """Run the chapter's python blocks in order, leaving out those whose needs are missing."""
    found = blocks(os.path.join(TOUR, chapter))
    namespace = {"__name__": "__tour__"}
    for i, (kind, code) in enumerate(found):
        needs = requirement(code)
        if kind != "python" or (needs and not available(needs)):
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{chapter}[block {i}]", "exec"), namespace)
        if i + 1 < len(found) and found[i + 1][0] == "text":
            expected = found[i + 1][1]
            got = re.sub(r"0x[0-9a-f]+", "0x...", out.getvalue())
            assert got.rstrip() == expected.rstrip(), f"{chapter} block {i} printed:\n{got}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tour_chapter_runs_and_prints_what_it_shows(chapter):
    run_chapter(chapter)


MISSING = [(c, i, requirement(code)) for c in CHAPTERS
           for i, (kind, code) in enumerate(blocks(os.path.join(TOUR, c)))
           if kind == "python" and requirement(code) and not available(requirement(code))]


@pytest.mark.parametrize("chapter,block,needs", MISSING,
                         ids=[f"{c}[block {i}]" for c, i, _ in MISSING])
def test_tour_block_left_out(chapter, block, needs):
    pytest.skip(f"{chapter}: block {block} needs {needs}, which is not installed")


# ---- the helpers ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype,view", [("float16", "int16"), ("bfloat16", "int16"),
                                        ("float32", "int32"), ("float64", "int64")])
def test_bits_are_the_bytes_torch_stores(dtype, view):
    torch = pytest.importorskip("torch")
    values = [1 / 3, -2.5, 65504.0, 1e-7, float("inf")]
    ours = tt.bits(tt.tensor(values, dtype=getattr(tt, dtype)))
    raw = torch.tensor(values, dtype=getattr(torch, dtype)).view(getattr(torch, view))
    nbits = raw.element_size() * 8
    theirs = [format(int(v) & ((1 << nbits) - 1), f"0{nbits}b") for v in raw.tolist()]
    assert [b.replace(" ", "") for b in ours] == theirs


def test_explain_reports_torch_strides_offset_and_sharing():
    torch = pytest.importorskip("torch")
    base = tt.arange(24.0).reshape(4, 6)
    view = base[1:, ::2].t()
    ref = torch.arange(24.0).reshape(4, 6)[1:, ::2].t()
    text = tt.explain(view)
    assert f"strides  {ref.stride()} elements" in text
    assert f"offset   {ref.storage_offset()} elements" in text
    assert f"contiguous {ref.is_contiguous()}" in text
    assert "storage  96 bytes" in text
    another = view[0]               # one more tensor object on the same storage
    n = base._storage_refcount()
    assert f"shared by {n} tensor object(s)" in tt.explain(another) and n >= 3


@pytest.mark.parametrize("shapes", [((2, 3, 4), (2, 3, 4)), ((4, 3), (4, 1), (3,)),
                                    ((5, 1, 3), (1, 4, 1)), ((3, 4), ())])
def test_loop_plan_covers_every_element_once(shapes):
    out = tt.empty(tt.broadcast_shapes(*shapes))
    ins = [tt.zeros(s) for s in shapes]
    plan = tt.loop_plan(out, *ins)
    size = 1
    for n in plan["shape"]:
        size *= n
    assert size == plan["numel"] == out.numel()
    # the output's byte offsets reached by the plan are exactly its elements' offsets
    offsets = {0}
    for n, s in zip(plan["shape"], plan["strides"][0]):
        offsets = {o + i * s for o in offsets for i in range(n)}
    assert offsets == {i * 4 for i in range(out.numel())}
