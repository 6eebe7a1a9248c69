"""The seed lecture's "Math & Logic" and "Broadcasting" sections (examples/) print on
tinytensor exactly what they print on torch."""
import pytest

from test_examples import run

pytest.importorskip("torch")


def test_math_and_logic_example_prints_what_torch_prints():
    ours = run("math_and_logic.py")
    assert ours == run("math_and_logic.py", "torch")
    assert "tensor([[ 2,  4],\n        [ 8, 16]])" in ours       # the seed's 2 ** tensor


def _split(text):
    """(lines without broadcast errors, the broadcast error lines)."""
    lines = text.splitlines()
    return ([x for x in lines if "non-singleton" not in x],
            [x for x in lines if "non-singleton" in x])


def test_broadcasting_example_prints_what_torch_prints():
    ours, theirs = _split(run("broadcasting.py")), _split(run("broadcasting.py", "torch"))
    assert ours[0] == theirs[0]
    assert len(ours[1]) == len(theirs[1])


def test_broadcasting_example_errors_name_torchs_dimension():
    assert _split(run("broadcasting.py"))[1] == _split(run("broadcasting.py", "torch"))[1]
