"""Every code block of docs/tour/*.md runs, and prints what the chapter shows.

A ```python block is executed (blocks of one chapter share a namespace, in order); when
the next block is a ```text block, the printed output must equal it.  A python block
whose first line is `# requires: <module>` is skipped when that module is missing;
```python no-run blocks are shown but not run."""
import contextlib
import importlib.util
import io
import os
import re

import pytest

TOUR = os.path.join(os.path.dirname(__file__), "..", "docs", "tour")
CHAPTERS = sorted(f for f in os.listdir(TOUR) if f.endswith(".md")) if os.path.isdir(TOUR) else []
BLOCK = re.compile(r"```(\w[\w-]*(?: no-run)?)\n(.*?)```", re.S)


def blocks(path):
    with open(path) as f:
        return [(m.group(1), m.group(2)) for m in BLOCK.finditer(f.read())]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tour_chapter_runs_and_prints_what_it_shows(chapter):
    found = blocks(os.path.join(TOUR, chapter))
    namespace = {"__name__": "__tour__"}
    for i, (kind, code) in enumerate(found):
        if kind != "python":
            continue
        first = code.splitlines()[0] if code else ""
        if first.startswith("# requires:"):
            module = first.split(":", 1)[1].strip()
            if importlib.util.find_spec(module) is None:
                pytest.skip(f"{chapter}: block {i} needs {module}")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{chapter}[block {i}]", "exec"), namespace)
        if i + 1 < len(found) and found[i + 1][0] == "text":
            expected = found[i + 1][1]
            got = re.sub(r"0x[0-9a-f]+", "0x...", out.getvalue())
            assert got.rstrip() == expected.rstrip(), f"{chapter} block {i} printed:\n{got}"
