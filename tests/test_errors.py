"""Bad input raises the exception class torch raises, with a message, and never crashes.

Each case is a line of code written against `torch` (and `np`).  It runs with real torch
in this process, which tells the expected exception class, and with tinytensor bound to
`torch` in a worker subprocess, so a segfault, an abort or a sanitizer report shows up as
a failing case instead of killing the test session.  A case that tinytensor cannot run
yet (an op that has not landed) is skipped, not failed.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import tinytensor

TIMEOUT = 60.0       # seconds per case before the worker counts as hung


class Case:
    def __init__(self, code, expect=None, mention=(), why=None, lenient=None, bug=None):
        self.code = code
        self.expect = expect        # our class where we knowingly differ (or torch accepts)
        self.mention = mention      # words the message must contain
        self.why = why              # the reason for expect
        self.lenient = lenient      # why tinytensor accepts what torch refuses
        self.bug = bug              # a reported difference not fixed yet (strict xfail)


def c(code, **kw):
    return Case(code, **kw)


DIMS_LIMIT = "tinytensor keeps numpy's limit of 64 dims"
NUMPY_DTYPES = "dtype= also takes numpy dtypes and their names"

CASES = {
    "creation": [
        c("torch.zeros(2**40, 2**40)"),
        c("torch.empty(2**45)", mention=["allocate"]),
        c("torch.empty(2**62, 4)"),
        c("torch.ones(-1)", mention=["-1"]),
        c("torch.ones(2, -3)", mention=["-3"]),
        c("torch.zeros('a')"),
        c("torch.zeros(2.5)"),
        c("torch.zeros((2, None))"),
        c("torch.zeros(2, dtype='float32')", lenient=NUMPY_DTYPES),
        c("torch.zeros(2, dtype=np.float32)", lenient=NUMPY_DTYPES),
        c("torch.zeros((1,) * 65)", expect=RuntimeError, why=DIMS_LIMIT),
        c("torch.full((2,), 'x')"),
        c("torch.full((2,), None)"),
        c("torch.tensor([[1, 2], [3]])"),
        c("torch.tensor([[1, 2], 3])"),
        c("torch.tensor('abc')"),
        c("torch.tensor(b'abc')"),
        c("torch.tensor(['a'])"),
        c("torch.tensor(object())"),
        c("torch.tensor([1, object()])"),
        c("torch.tensor(2**70)"),
        c("torch.tensor([2**64])"),
        c("torch.tensor([300], dtype=torch.int8)"),
        c("torch.tensor([1.0], device='cuda')"),
        c("torch.arange(0, 10, 0)"),
        c("torch.arange(0, 10, -1)"),
        c("torch.arange(float('nan'))"),
        c("torch.arange(0, float('inf'))"),
        c("torch.linspace(0, 1, -1)"),
        c("torch.eye(-1)"),
        c("torch.eye(2, -1)"),
        c("torch.empty_strided((2, 3), (1,))"),
        c("torch.empty_strided((4,), (2**62,))", mention=["overflow"]),
        c("torch.empty_strided((2,), (-1,))"),
        c("torch.zeros_like([1, 2])"),
        c("torch.ones_like(torch.ones(2), dtype='x')"),
        c("torch.set_default_dtype(torch.int64)"),
        c("torch.set_num_threads(0)"),
        c("torch.promote_types(torch.float32, 'x')"),
        c("torch.ones(2).to('float32')"),
        c("torch.ones(2).type('foo')"),
    ],
    "from_numpy": [
        c("torch.from_numpy([1, 2])"),
        c("torch.from_numpy(np.array([object()]))", mention=["object"]),
        c("torch.from_numpy(np.array([1 + 2j]))", expect=TypeError,
          why="tinytensor has no complex dtypes"),
        c("torch.from_numpy(np.zeros(3, dtype=np.uint16))", expect=TypeError,
          why="tinytensor has no uint16"),
        c("torch.from_numpy(np.zeros(3, dtype=np.uint64))", expect=TypeError,
          why="tinytensor has no uint64"),
        c("torch.from_numpy(np.arange(3, dtype='>i4'))", mention=["byte order"]),
        c("torch.from_numpy(np.arange(3.0, dtype='>f8'))"),
        c("torch.from_numpy(np.arange(5)[::-1])", mention=["negative"]),
        c("torch.from_numpy(np.arange(6).reshape(2, 3)[:, ::-1])"),
        c("torch.from_numpy(np.zeros(3, dtype='U3'))"),
        c("torch.from_numpy(np.zeros(3, dtype=[('a', 'i4'), ('b', 'f4')]))"),
        c("torch.from_numpy(np.zeros(3, dtype='datetime64[s]'))"),
        c("torch.from_numpy(np.zeros(3, dtype=np.longdouble))"),
        c("torch.from_numpy(np.lib.stride_tricks.as_strided(np.zeros(4, np.int32), (2,), (3,)))"),
        c("torch.as_tensor(np.array([object()]))", expect=RuntimeError,
          why="tensor() converts object arrays element by element (torch refuses them), "
          "so a non-number fails as in tensor([object()])"),
        c("torch.tensor(np.array(['a']))"),
    ],
    "views": [
        c("torch.ones(6).view(4)", mention=["[4]", "6"]),
        c("torch.ones(2, 3).t().view(6)", mention=["reshape"]),
        c("torch.ones(6).view(-1, -1)"),
        c("torch.ones(6).view(-2, 3)"),
        c("torch.ones(6).view(2**40, 2**40, -1)"),
        c("torch.ones(6).view('a')"),
        c("torch.ones(6).reshape(4, -1)"),
        c("torch.ones(0).reshape(-1, 0)"),
        c("torch.ones(2, 3).reshape(2**62, 2**62, 0)"),
        c("torch.ones(2, 3).permute(0)"),
        c("torch.ones(2, 3).permute(0, 0)"),
        c("torch.ones(2, 3).permute(0, 5)"),
        c("torch.ones(2, 3).transpose(0, 2)"),
        c("torch.ones(2, 3).transpose(0, 'a')"),
        c("torch.ones(2, 3).expand(3, 3)"),
        c("torch.ones(2, 3).expand(3)"),
        c("torch.ones(2, 3).expand(-1, -1, 3)"),
        c("torch.ones(1).expand(2**40, 2**40)", mention=["overflow"]),
        c("torch.ones(3).expand(2**62, 2**62, 3).reshape(-1)"),
        c("torch.ones(2, 3).squeeze(3)"),
        c("torch.ones(2, 3).unsqueeze(4)"),
        c("torch.ones(2, 3).narrow(0, 1, 5)"),
        c("torch.ones(2, 3).narrow(0, -5, 1)"),
        c("torch.ones(2, 3).select(0, 2)"),
        c("torch.ones(2, 3).select(2, 0)"),
        c("torch.ones(2, 3).split(0)"),
        c("torch.ones(2, 3).chunk(0)"),
        c("torch.ones(2, 3).flatten(1, 0)"),
        c("torch.ones(2, 3).unflatten(1, (2, 2))"),
        c("torch.ones(2, 3).movedim(0, 5)"),
        c("torch.ones(6).as_strided((3,), (4,))"),
        c("torch.ones(6).as_strided((3,), (-1,))"),
        c("torch.ones(6).as_strided((2,), (1,), -1)"),
        c("torch.ones(6).as_strided((2**62,), (2**62,))"),
        c("torch.ones(6).as_strided((2, 3), (1,))"),
        c("torch.cat([])"),
        c("torch.cat([torch.ones(2, 3), torch.ones(3, 2)])"),
        c("torch.cat([torch.ones(2, 3), torch.ones(2, 3)], dim=2)"),
        c("torch.cat([torch.ones(2), 3])"),
        c("torch.stack([torch.ones(2), torch.ones(3)])"),
        c("torch.stack([torch.ones(2), torch.ones(2)], dim=3)"),
        c("torch.stack([])"),
    ],
    "getitem": [
        c("torch.ones(6)[::0]"),
        c("torch.ones(6)[::-1]"),
        c("torch.ones(6)[7]", mention=["7"]),
        c("torch.ones(6)[-7]"),
        c("torch.ones(2, 3)[0, 0, 0]"),
        c("torch.ones(2, 3)[..., 0, 0, 0]"),
        c("torch.ones(6)['a']"),
        c("torch.ones(6)[1.5]"),
        c("torch.ones(6)[torch.tensor([7])]"),
        c("torch.ones(6)[torch.tensor([-7])]"),
        c("torch.ones(6)[torch.tensor(7)]"),
        c("torch.ones(6)[torch.tensor([1.0])]"),
        c("torch.ones(6)[[0, 9]]"),
        c("torch.ones(2, 3)[torch.tensor([True, False, True])]"),
        c("torch.ones(2)[torch.ones(3, dtype=torch.bool)]"),
        c("torch.ones(2, 3)[torch.tensor([0, 1]), torch.tensor([0, 1, 2])]"),
        c("torch.ones(3)[2**70]", expect=OverflowError,
          why="int64 conversion raises Python's OverflowError, torch a ValueError"),
        c("torch.ones(3)[(None,) * 70]", expect=IndexError, why=DIMS_LIMIT),
        c("torch.ones(3)[(torch.tensor(True),) * 70]", expect=IndexError, why=DIMS_LIMIT),
    ],
    "setitem": [
        c("x = torch.ones(3); x[5] = 1"),
        c("x = torch.ones(3); x[0] = 'a'"),
        c("x = torch.ones(3); x[:2] = torch.ones(3)"),
        c("x = torch.ones(3); x[[0, 1]] = torch.ones(3)"),
        c("x = torch.ones(3, dtype=torch.int64); x[0] = 2**70", expect=RuntimeError,
          why="the overflow is found by the value check, not by int64 unpacking"),
        c("x = torch.ones(3); x[torch.tensor([5])] = 1"),
        c("x = torch.ones(3); x[None, None, None, 5] = 1"),
        c("x = torch.arange(6.); x[1:] = x[:-1]", mention=["memory location"]),
    ],
    "copy_fill": [
        c("torch.ones(3).copy_(torch.ones(4))"),
        c("torch.ones(3).copy_([1, 2, 3])"),
        c("torch.ones(3).copy_(torch.ones(2, 3))"),
        c("torch.ones(1).expand(3).copy_(torch.ones(3))", mention=["memory location"]),
        c("x = torch.arange(6.); x[1:].copy_(x[:-1])", mention=["memory location"]),
        c("x = torch.arange(4.).view(2, 2); x.copy_(x.t())"),
        c("torch.ones(3).fill_(torch.ones(2))"),
        c("torch.ones(3).fill_('a')"),
        c("torch.ones(3).fill_(None)"),
    ],
    "scalars_out": [
        c("torch.ones(2).item()", mention=["2"]),
        c("torch.ones(0).item()"),
        c("len(torch.tensor(1.0))"),
        c("float(torch.ones(2))"),
        c("int(torch.ones(0))"),
        c("bool(torch.ones(2))"),
        c("iter(torch.tensor(1.0))"),
        c("torch.ones(2, requires_grad=True).numpy()", mention=["detach"]),
        c("torch.ones(2, dtype=torch.bfloat16).numpy()"),
        c("torch.ones(2).size(2)"),
        c("torch.ones(2).stride(-2)"),
    ],
    "math": [
        c("torch.ones(2, 3) + torch.ones(3, 2)", mention=["3", "2"]),
        c("torch.ones(2, 3) + 'a'"),
        c("torch.add(torch.ones(3), torch.ones(3), alpha='x')"),
        c("torch.ones(3, dtype=torch.int64).add_(1.5)"),
        c("torch.ones(3).add_(torch.ones(2, 3))"),
        c("torch.ones(1).expand(3).add_(1)"),
        c("x = torch.arange(6.); x[1:].add_(x[:-1])"),
        c("torch.ones(3, dtype=torch.int64) // 0"),
        c("torch.ones(3, dtype=torch.int64) % 0"),
        c("torch.ones(3) & torch.ones(3)"),
        c("~torch.ones(3)"),
        c("-torch.ones(2, dtype=torch.bool)"),
        c("torch.ones(2, dtype=torch.bool) - torch.ones(2, dtype=torch.bool)"),
        c("torch.ones(3, dtype=torch.int64).sqrt_()"),
        c("torch.clamp(torch.ones(3))"),
        c("torch.where(torch.ones(3), torch.ones(3), torch.ones(3))"),
        c("torch.ones(3).pow('a')"),
        c("torch.ones(3).sum(dim=2)"),
        c("torch.ones(3).sum(dim=(0, 0))"),
        c("torch.ones(3).sum(dim='a')"),
        c("torch.tensor([1, 2]).mean()"),
        c("torch.ones(0).max()"),
        c("torch.ones(0).argmax()"),
        c("torch.ones(3).max(dim=1)"),
        c("torch.ones(3).cumsum(1)"),
        c("torch.softmax(torch.ones(3), dim=1)"),
        c("torch.ones(2, 3) @ torch.ones(2, 3)"),
        c("torch.ones(3) @ torch.ones(4)"),
        c("torch.matmul(torch.ones(()), torch.ones(3))"),
        c("torch.mm(torch.ones(3), torch.ones(3))"),
        c("torch.ones(2, 3, dtype=torch.int64) @ torch.ones(3, 2)"),
    ],
    "autograd": [
        c("x = torch.ones(2, requires_grad=True); y = (x * 2).sum(); y.backward(); y.backward()",
          mention=["second time"]),
        c("torch.ones(2, requires_grad=True).backward()"),
        c("(torch.ones(2, requires_grad=True) * 2).backward()", mention=["scalar"]),
        c("torch.ones(2).sum().backward()"),
        c("torch.ones(2, dtype=torch.int64, requires_grad=True)"),
        c("torch.ones(2, dtype=torch.int64).requires_grad_()"),
        c("x = torch.ones(2, requires_grad=True); x.add_(1)", mention=["leaf"]),
        c("x = torch.ones(2, requires_grad=True); x[0] = 5"),
        c("x = torch.ones(2, requires_grad=True); x.view(2).add_(1)"),
        c("x = torch.ones(2, requires_grad=True); y = x * 1; y.requires_grad_(False)"),
        c("x = torch.ones(2, requires_grad=True); y = x * 1; z = y.sin(); y.add_(1); "
          "z.sum().backward()", mention=["inplace"]),
        c("x = torch.ones(2, requires_grad=True); torch.autograd.grad(x * 2, x)"),
        c("x = torch.ones(2, requires_grad=True); torch.autograd.grad(x.sum(), torch.ones(2))"),
        c("x = torch.ones(2, requires_grad=True); x.grad = torch.ones(3)"),
        c("x = torch.ones(2, requires_grad=True); x.grad = 'a'"),
        c("x = torch.ones(2, requires_grad=True); x.grad = torch.ones(2, dtype=torch.int64)"),
        c("x = torch.ones(2, requires_grad=True); (x * 2).backward(torch.ones(3))"),
        c("x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\n"
          "y.sum().backward()"),
    ],
}

ALL = [(f"{group}:{case.code}", case) for group, cases in CASES.items() for case in cases]


# ---- the worker: runs one case at a time with tinytensor as `torch` --------------------
WORKER = r"""
import json, sys, traceback
import numpy as np
import tinytensor
for line in sys.stdin:
    code = json.loads(line)
    env = {"torch": tinytensor, "np": np}
    try:
        try:
            compiled = compile(code, "<case>", "eval")
        except SyntaxError:
            exec(compile(code, "<case>", "exec"), env)
        else:
            eval(compiled, env)
        reply = {"raised": False}
    except BaseException as e:
        reply = {"raised": True, "type": type(e).__name__,
                 "mro": [k.__name__ for k in type(e).__mro__], "message": str(e),
                 "where": traceback.format_exc(limit=-3)}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"""


class Worker:
    """A subprocess with tinytensor imported; restarted after a crash or a hang."""

    def __init__(self):
        self.proc = None
        self.log = tempfile.TemporaryFile()

    def start(self):
        root = os.path.dirname(os.path.dirname(os.path.abspath(tinytensor.__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.log.seek(0)
        self.log.truncate()
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, env=env,
                                     text=True, bufsize=1)

    def run(self, code):
        """The reply for one case, or {"crashed": description} when the worker died."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        reply, timed_out = self._read_line()
        if reply:
            return json.loads(reply)
        how = self._stop(timed_out)
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace")[-3000:]
        return {"crashed": f"{how}\n{tail}"}

    def _read_line(self):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(TIMEOUT)
        sel.close()
        if not ready:
            return None, True
        return self.proc.stdout.readline(), False

    def _stop(self, timed_out):
        if timed_out:
            self.proc.kill()
            self.proc.wait()
            return f"hung for more than {TIMEOUT:.0f}s"
        rc = self.proc.wait()       # end of output: the worker is exiting
        if rc < 0:
            return f"killed by signal {signal.Signals(-rc).name}"
        return f"exited with status {rc}"

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


def torch_outcome(code):
    """The builtin exception class torch raises for code, or None when it accepts it."""
    env = {"torch": torch, "np": np}
    try:
        try:
            compiled = compile(code, "<case>", "eval")
        except SyntaxError:
            exec(compile(code, "<case>", "exec"), env)
        else:
            eval(compiled, env)
    except Exception as e:
        # torch's own classes (OutOfMemoryError, _LinAlgError) derive from a builtin one
        return next(k for k in type(e).__mro__ if k.__module__ == "builtins")
    return None


def not_there_yet(reply):
    """tinytensor lacks the function or operator the case calls."""
    msg = reply.get("message", "")
    return (reply["type"] == "AttributeError" and
            ("tinytensor" in msg or "'Tensor' object" in msg)) or \
        (reply["type"] == "TypeError" and "unsupported operand" in msg) or \
        (reply["type"] == "TypeError" and "bad operand type for unary" in msg)


@pytest.mark.parametrize("name,case", ALL, ids=[n for n, _ in ALL])
def test_bad_input(worker, name, case, request):
    if case.bug:
        request.applymarker(pytest.mark.xfail(reason=case.bug, strict=False))
    expected = case.expect or torch_outcome(case.code)
    reply = worker.run(case.code)
    assert "crashed" not in reply, f"tinytensor crashed on {case.code!r}: {reply.get('crashed')}"
    if expected is None:
        assert not reply["raised"], (f"torch accepts {case.code!r}; tinytensor raised "
                                     f"{reply['type']}: {reply['message']}")
        return
    if not reply["raised"] and case.lenient:
        return
    if not reply["raised"]:
        pytest.fail(f"{case.code!r} should raise {expected.__name__} as torch does; "
                    "tinytensor accepted it")
    if expected.__name__ not in reply["mro"] and not_there_yet(reply):
        pytest.skip(f"not in tinytensor yet: {reply['message']}")
    assert expected.__name__ in reply["mro"], (
        f"{case.code!r}: torch raises {expected.__name__}, tinytensor raised "
        f"{reply['type']}: {reply['message']}\n{reply['where']}")
    assert reply["message"].strip(), f"{case.code!r}: {reply['type']} without a message"
    for word in case.mention:
        assert word in reply["message"], \
            f"{case.code!r}: the message should mention {word!r}: {reply['message']}"


def test_catalogue_divergences_are_real():
    """Every `expect` override is where torch accepts the input or raises another class."""
    for name, case in ALL:
        if case.expect is not None:
            assert case.why, f"{name}: say why tinytensor differs"
            assert torch_outcome(case.code) is not case.expect, \
                f"{name}: torch raises {case.expect.__name__} too; drop the override"


def test_worker_reports_a_crash_as_a_failure(worker):
    """The harness itself: a child that dies by a signal is reported, and the next case
    gets a fresh worker."""
    reply = worker.run("__import__('os').kill(__import__('os').getpid(), 9)")
    assert "SIGKILL" in reply["crashed"]
    assert worker.run("torch.ones(2)") == {"raised": False}
