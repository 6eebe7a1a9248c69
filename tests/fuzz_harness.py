"""Differential fuzzing of tinytensor against torch: random programs, run by both.

A program is a list of Python statements over variables t0, t1, ... written against
`torch`: inputs made from seeded numpy data, then random views (transpose, slices with
steps, expand, permute, reshape), indexing reads and writes, casts, copy_/fill_,
cat/stack, unary and broadcasting binary math, reductions with dims and keepdim, matmul
and in-place ops (and, for the autograd family, a backward pass).  The program is built
step by step against torch (each step is chosen to fit the shapes and dtypes torch
produced so far), then run again with tinytensor bound to `torch`.  Both must agree on
which steps raise (and the exception class), and on every variable's dtype, shape,
strides, values and which variables share memory.

A failure is shrunk (statements are dropped while it persists) and reported as a
self-contained Python program.  Ops tinytensor does not have yet are noted and avoided.

Run as a script for a longer campaign (see README "Reliability"):
    python tests/fuzz_harness.py --family ops --seconds 600 --seed 1000
"""
import argparse
import json
import os
import re
import sys
import time
import traceback

import numpy as np

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]
DTYPE_WEIGHTS = [4, 3, 3, 2, 3, 8, 5, 4, 16, 8]
FLOATS = ("float16", "bfloat16", "float32", "float64")
INTS = ("uint8", "int8", "int16", "int32", "int64")

# ---- inputs: the helper every program starts with ---------------------------------------
PRELUDE = '''import numpy as np


def data(shape, dtype, seed):
    """Reproducible values: mostly exact quarters, sometimes wide, rarely inf/nan/-0."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    style = rng.integers(0, 10)
    if dtype == "bool":
        a = rng.integers(0, 2, n).astype(bool)
    elif dtype in ("uint8", "int8"):
        a = rng.integers(-128 if dtype == "int8" else 0, 128 if dtype == "int8" else 256, n)
    elif dtype.startswith("int"):
        lo = -(2 ** 31) if style == 0 and dtype == "int32" else -9
        a = rng.integers(lo, -lo if lo < -9 else 10, n)
    else:
        a = rng.integers(-16, 17, n) / 4
        if style == 0:
            a = a * 97.3                        # float->int8/uint8 casts wrap
        elif style == 1:
            a = rng.standard_normal(n) * 3
        elif style == 2 and n:
            a[rng.integers(0, n, 2)] = rng.choice([np.inf, -np.inf, np.nan, -0.0], 2)
    np_dtype = "float32" if dtype == "bfloat16" else dtype
    return np.asarray(a).astype(np_dtype).reshape(shape).copy()     # 0-d stays 0-d


def mask(shape, seed):
    return np.random.default_rng(seed).integers(0, 2, shape).astype(bool)
'''
_prelude_env = {}
exec(PRELUDE, _prelude_env)


def input_expr(shape, dtype, seed):
    e = f"torch.from_numpy(data({tuple(shape)!r}, {dtype!r}, {seed}))"
    return e + ".to(torch.bfloat16)" if dtype == "bfloat16" else e


# ---- the program ------------------------------------------------------------------------
class Var:
    def __init__(self, name, shape, dtype, exact, grad=False, tol=None):
        self.name, self.shape, self.dtype, self.exact, self.grad = \
            name, tuple(shape), dtype, exact, grad
        # the tolerance its value is compared at: its dtype's, or a looser one carried in
        # from an inexact operand (float32 log values stacked into a float64 tensor)
        self.tol = TOL.get(dtype, 0.0) if tol is None else tol

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def numel(self):
        return int(np.prod(self.shape)) if self.shape else 1


class Step:
    def __init__(self, code, op, new=None, check_strides=True):
        self.code, self.op, self.new, self.check_strides = code, op, new, check_strides


def run_steps(module, steps, stop_at=None):
    """Run steps with `torch` bound to module: (env, per-step outcome: None or exception)."""
    env = dict(_prelude_env)
    env["torch"] = module
    outcomes = []
    for step in steps[:stop_at]:
        try:
            exec(step.code, env)
            outcomes.append(None)
        except Exception as e:           # noqa: BLE001 -- the exception is the result
            outcomes.append(e)
    return env, outcomes


def builtin_class(e):
    return next(k for k in type(e).__mro__ if k.__module__ == "builtins")


def not_there_yet(e):
    """tinytensor has not got this function, method or operator yet."""
    msg = str(e)
    return (isinstance(e, AttributeError) and ("tinytensor" in msg or "'Tensor'" in msg)) \
        or (isinstance(e, TypeError) and ("unsupported operand" in msg or
                                          "bad operand type" in msg)) \
        or isinstance(e, NotImplementedError)


# ---- comparing one variable -------------------------------------------------------------
TOL = {"float16": 2e-3, "bfloat16": 1.6e-2, "float32": 2e-5, "float64": 1e-12}


def as_numpy(t):
    t = t.detach() if hasattr(t, "detach") else t
    if str(t.dtype).endswith("bfloat16"):
        t = t.float()
    return np.array(t.contiguous().numpy() if hasattr(t, "contiguous") else t)


def storage_key(t, is_torch):
    if hasattr(t, "_storage_ptr"):      # tinytensor
        return t._storage_ptr()
    return t.untyped_storage()._cdata


def compare_tensor(ours, theirs, exact, check_strides, what, loosest=0.0):
    """None when ours matches theirs, else a sentence saying how they differ.
    loosest: a tolerance looser than the dtype's that the value may carry (Var.tol)."""
    if not hasattr(ours, "dtype") or not hasattr(ours, "shape"):
        return f"{what}: tinytensor gave {type(ours).__name__}, torch a tensor"
    name = str(theirs.dtype).split(".")[-1]
    if str(ours.dtype).split(".")[-1] != name:
        return f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
    if tuple(ours.shape) != tuple(theirs.shape):
        return f"{what}: shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
    if check_strides and theirs.numel() > 1:
        so, st = ours.stride(), theirs.stride()
        dims = [d for d in range(theirs.dim()) if theirs.shape[d] > 1]
        if [so[d] for d in dims] != [st[d] for d in dims]:
            return f"{what}: strides {so} != torch's {st} (shape {tuple(theirs.shape)})"
    a, b = as_numpy(ours), as_numpy(theirs)
    if name in FLOATS and not exact:
        tol = max(TOL[name], loosest)
        scale = max(1.0, float(np.nanmax(np.abs(np.where(np.isinf(b), 0, b)), initial=0)))
        ok = np.isclose(a, b, rtol=tol * 8, atol=tol * 8 * scale, equal_nan=True)
        ok |= (a == b)                   # infinities of the same sign
        if not ok.all():
            i = np.argwhere(~ok)[0]
            return (f"{what}: values differ beyond tolerance at {tuple(i)}: "
                    f"{a[tuple(i)]!r} vs torch's {b[tuple(i)]!r}")
        return None
    same = (a == b) | (np.isnan(a) & np.isnan(b)) if name in FLOATS else (a == b)
    if not np.all(same):
        i = np.argwhere(~np.asarray(same))[0] if a.ndim else ()
        return (f"{what}: values differ at {tuple(i)}: {a[tuple(i)]!r} vs torch's "
                f"{b[tuple(i)]!r}")
    return None


def compare_runs(steps, vars_, tt, torch, stop_at=None, grads=()):
    """Run both, compare step outcomes and final variables: None or (step index, kind,
    message)."""
    env_t, out_t = run_steps(torch, steps, stop_at)
    try:
        env_o, out_o = run_steps(tt, steps, stop_at)
    except BaseException as e:          # a harness-level failure still gets a reproducer
        return (len(steps) - 1, "harness", f"{type(e).__name__}: {e}")
    n = len(out_t)
    for i in range(n):
        et, eo = out_t[i], out_o[i]
        if et is None and eo is not None:
            if not_there_yet(eo):
                return (i, "missing", f"{type(eo).__name__}: {eo}")
            return (i, "raised", f"tinytensor raised {type(eo).__name__}: {eo}\n"
                    + "".join(traceback.format_exception(eo)[-4:]))
        if et is not None and eo is None:
            if isinstance(et, TypeError):
                continue                # tinytensor takes more argument types: lenient
            return (i, "accepted", f"torch raised {type(et).__name__}: {et}; "
                    "tinytensor did not")
        if et is not None and not isinstance(eo, builtin_class(et)):
            if not_there_yet(eo):
                return (i, "missing", f"{type(eo).__name__}: {eo}")
            return (i, "exception", f"torch raised {type(et).__name__}: {et}; tinytensor "
                    f"{type(eo).__name__}: {eo}")
    # final values of every variable both have
    defined = [v for v in vars_ if v.name in env_t and v.name in env_o]
    index_of = {s.new: i for i, s in enumerate(steps[:n]) if s.new}
    loosest = max((TOL[v.dtype] for v in defined if v.dtype in FLOATS and not v.exact),
                  default=0.0)
    for v in defined:
        step = steps[index_of.get(v.name, 0)]
        msg = compare_tensor(env_o[v.name], env_t[v.name], v.exact, step.check_strides,
                             v.name, v.tol)
        if msg:
            return (index_of.get(v.name, n - 1), "value", msg)
    for name in grads:
        go, gt = env_o.get(name), env_t.get(name)
        if (go is None) != (gt is None):
            return (n - 1, "grad", f"{name}: tinytensor {'has no' if go is None else 'has a'} "
                    f"gradient, torch {'has' if gt is not None else 'has none'}")
        if gt is not None:
            # a float64 leaf's gradient may have passed through any of the program's
            # inexact values, so it is compared at the loosest of their tolerances
            msg = compare_tensor(go, gt, False, False, name, loosest)
            if msg:
                return (n - 1, "grad", msg)
    # memory sharing: every pair of variables shares storage in both or in neither
    keys_t = {v.name: storage_key(env_t[v.name], True) for v in defined}
    keys_o = {v.name: storage_key(env_o[v.name], False) for v in defined}
    for i, a in enumerate(defined):
        for b in defined[i + 1:]:
            st = keys_t[a.name] == keys_t[b.name]
            so = keys_o[a.name] == keys_o[b.name]
            if st != so and env_t[a.name].numel() and env_t[b.name].numel():
                return (index_of.get(b.name, n - 1), "sharing",
                        f"{a.name} and {b.name} share memory in "
                        f"{'torch' if st else 'tinytensor'} only")
    return None


# Differences found and reported to the owners of the code, not fixed yet: (failure kind,
# op of the failing step or None, words of the message).  The campaign lists how often
# each was met instead of failing on it; delete an entry once its fix lands.
KNOWN_BUGS = [
    # autograd/inplace.py: copy_ into a view of a leaf that requires grad is not refused
    ("accepted", None, "a view of a leaf Variable that requires grad"),
    # autograd: a saved result changed in place through a view of it is not caught
    ("accepted", None, "which is output 0 of"),
    # in-place writes to unbind/split views other than elementwise ops (copy_, setitem,
    # views of those views) are not refused yet; elementwise ops are (elementwise.py)
    ("accepted", None, "returns multiple views"),
]


def missing_name(step, msg):
    """What to avoid from now on: the missing attribute (exp2, logsumexp, ...) when the
    message names one, else the whole op family of the step."""
    import re
    m = re.search(r"has no attribute '(\w+)'", msg)
    if m:
        return m.group(1)
    if step.op in ("loss", "backward", "grads", "grad"):
        return "(backward of some op)"      # not an op family: keep generating
    return step.op


def known_bug(steps, failure):
    i, kind, msg = failure
    op = steps[i].op if i < len(steps) else None
    for k, o, words in KNOWN_BUGS:
        if k in (None, kind) and (o is None or o == op) and words in msg:
            return f"{k}/{o or '*'}/{words or '*'}"
    return None


def reproducer(steps, failure, seed):
    i, kind, msg = failure
    lines = [f"# fuzz seed {seed}: tinytensor differs from torch ({kind}) at statement "
             f"{i + 1} of {len(steps)}:",
             *[f"#   {line}" for line in msg.splitlines()[:6]],
             "import tinytensor as torch    # run again with `import torch` to compare",
             PRELUDE]
    lines += [s.code for s in steps]
    return "\n".join(lines)


def shrink(steps, vars_, failure, tt, torch, grads):
    """Drop statements while the same kind of failure at the same statement remains."""
    target = steps[failure[0]]
    if failure[1] in ("raised", "accepted", "exception", "harness"):
        steps = steps[:failure[0] + 1]      # the failing statement is the last one
    i = len(steps) - 1
    while i >= 0:
        if steps[i] is target:
            i -= 1
            continue
        trial = steps[:i] + steps[i + 1:]
        got = compare_runs(trial, vars_, tt, torch, grads=grads)
        if got and got[1] == failure[1] and trial[got[0]] is target:
            steps, failure = trial, got
        i -= 1
    return steps, failure


# ---- choosing things ------------------------------------------------------------------
class Gen:
    """Random choices for one program, all drawn from one seed."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.seed_counter = seed * 1000

    def int(self, lo, hi):
        """An integer in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    def coin(self, p=0.5):
        return bool(self.rng.random() < p)

    def pick(self, seq, weights=None):
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            return seq[int(self.rng.choice(len(seq), p=w / w.sum()))]
        return seq[int(self.rng.integers(0, len(seq)))]

    def data_seed(self):
        self.seed_counter += 1
        return self.seed_counter

    def dtype(self, among=None):
        if among is None:
            return self.pick(DTYPES, DTYPE_WEIGHTS)
        w = [DTYPE_WEIGHTS[DTYPES.index(d)] for d in among]
        return self.pick(list(among), w)

    def side(self):
        return self.pick([0, 1, 1, 2, 2, 3, 3, 4, 5], None)

    def shape(self, max_dims=5, min_dims=0):
        nd = self.pick(list(range(min_dims, max_dims + 1)),
                       [1, 3, 4, 3, 2, 1][min_dims:max_dims + 1])
        shape = [self.side() for _ in range(nd)]
        while int(np.prod(shape)) > 400:            # keep programs fast
            shape[self.int(0, nd - 1)] = self.int(1, 2)
        return tuple(shape)

    def dim(self, ndim, allow_neg=True):
        n = max(ndim, 1)
        return self.int(-n if allow_neg else 0, n - 1)

    def broadcast_shape_to(self, target, max_extra=0):
        """A shape that broadcasts to target (some dims 1 or dropped)."""
        shape = [1 if self.coin(0.3) else s for s in target]
        drop = self.int(0, len(shape))
        return tuple(shape[drop:]) if self.coin(0.4) else tuple(shape)

    def scalar(self, dtype):
        if dtype == "bool":
            return self.pick(["True", "False", "0", "1"])
        if dtype in INTS:
            return self.pick(["0", "1", "2", "-3", "7", "0.5", "-1.5"] if dtype != "uint8"
                             else ["0", "1", "3", "200", "1.5"])
        return self.pick(["0", "1", "-2", "0.5", "-1.25", "3", "1e-3", "2.5"])


# ---- the op catalogue ---------------------------------------------------------------------
# Each maker gets (g, prog, x) -- x a Var to act on -- and returns (expression or
# statement, result exactness, kind) or None when the op does not fit x.
# kind: "view", "new", "layout" (a new tensor torch may lay out otherwise: made
# contiguous before comparing, see KNOWN_DIFFERENCES), or "stmt" (no new var).
KNOWN_DIFFERENCES = """
- clone() and .to(dtype) keep the input's memory layout in torch (preserve_format:
  x.t().clone().stride() == (1, n)); tinytensor's results are contiguous.
- advanced indexing results follow the input's layout in torch (TensorIterator);
  tinytensor's are contiguous.
- index_put_/setitem whose values alias the destination raise in torch; the fuzzer
  does not generate them.
"""
OPS = {}


def op(name, weight=1.0, family=("ops", "autograd")):
    def register(fn):
        OPS[name] = (fn, weight, family)
        return fn
    return register


def index_expr(g, x):
    """A basic index: ints, slices with steps, None and ... ."""
    parts = []
    nd_left = x.ndim
    for d in range(x.ndim):
        size = x.shape[d]
        r = g.rng.random()
        if r < 0.25 and size > 0:
            parts.append(str(g.int(-size, size - 1)))
        elif r < 0.8:
            start = g.pick(["", str(g.int(-size - 1, size + 1))])
            stop = g.pick(["", str(g.int(-size - 1, size + 1))])
            step = g.pick(["", "", "2", "3"])
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        else:
            parts.append(":")
        if g.coin(0.1):
            parts.append("None")
        nd_left -= 1
    while parts and parts[-1] == ":" and g.coin(0.7):
        parts.pop()
    if parts and g.coin(0.15):
        parts[g.int(0, len(parts) - 1)] = "..."
        if parts.count("...") > 1:
            return None
    return ", ".join(parts) if parts else "..."


@op("transpose", 2)
def _transpose(g, prog, x):
    if x.ndim == 0:
        return None
    return f"{x.name}.transpose({g.dim(x.ndim)}, {g.dim(x.ndim)})", True, "view"


@op("permute", 2)
def _permute(g, prog, x):
    if x.ndim == 0:
        return None                     # torch wants the dims argument
    perm = [int(p) for p in g.rng.permutation(x.ndim)]
    return f"{x.name}.permute({', '.join(map(str, perm))}{',' if len(perm) == 1 else ''})", \
        True, "view"


@op("t", 0.5)
def _t(g, prog, x):
    return (f"{x.name}.t()", True, "view") if x.ndim <= 2 else None


@op("basic_index", 3)
def _basic_index(g, prog, x):
    idx = index_expr(g, x)
    return (f"{x.name}[{idx}]", True, "view") if idx is not None else None


@op("unsqueeze", 1)
def _unsqueeze(g, prog, x):
    return f"{x.name}.unsqueeze({g.int(-x.ndim - 1, x.ndim)})", True, "view"


@op("squeeze", 1)
def _squeeze(g, prog, x):
    arg = str(g.dim(x.ndim)) if x.ndim and g.coin() else ""
    return f"{x.name}.squeeze({arg})", True, "view"


@op("expand", 2)
def _expand(g, prog, x):
    lead = [g.int(0, 3) for _ in range(g.int(0 if x.ndim else 1, 2 if x.ndim < 5 else 0))]
    sizes = [(g.int(0, 4) if g.coin(0.7) else -1) if s == 1 else
             (-1 if g.coin() else s) for s in x.shape]
    args = ", ".join(map(str, lead + sizes)) + ("," if len(lead + sizes) == 1 else "")
    return f"{x.name}.expand({args})", True, "view"


def factor_shape(g, numel):
    """A random shape with numel elements, maybe with one -1."""
    if numel == 0:
        shape = [g.pick([0, 1, 2, 3]) for _ in range(g.int(1, 3))]
        shape[g.int(0, len(shape) - 1)] = 0
        return shape
    shape, rest = [], numel
    for p in (2, 3, 5, 7):
        while rest % p == 0:
            rest //= p
            if shape and g.coin(0.5):
                shape[g.int(0, len(shape) - 1)] *= p
            else:
                shape.append(p)
    if rest > 1:
        shape.append(rest)
    g.rng.shuffle(shape)
    for _ in range(g.int(0, 2)):
        shape.insert(g.int(0, len(shape)), 1)
    if shape and g.coin(0.4):
        shape[g.int(0, len(shape) - 1)] = -1
    return [int(s) for s in shape]


@op("reshape", 2)
def _reshape(g, prog, x):
    shape = factor_shape(g, x.numel)
    method = g.pick(["reshape", "view", "reshape"])
    return f"{x.name}.{method}({tuple(shape)!r})", True, "view"


@op("flatten", 0.5)
def _flatten(g, prog, x):
    if x.ndim == 0 or g.coin(0.3):
        return f"{x.name}.flatten()", True, "view"
    a, b = sorted([g.dim(x.ndim, False), g.dim(x.ndim, False)])
    return f"{x.name}.flatten({a}, {b})", True, "view"


@op("narrow", 0.5)
def _narrow(g, prog, x):
    if x.ndim == 0:
        return None
    d = g.dim(x.ndim, False)
    start = g.int(0, x.shape[d])
    return f"{x.name}.narrow({d}, {start}, {g.int(0, x.shape[d] - start)})", True, "view"


@op("movedim", 0.5)
def _movedim(g, prog, x):
    if x.ndim == 0:
        return None
    return f"{x.name}.movedim({g.dim(x.ndim)}, {g.dim(x.ndim)})", True, "view"


@op("split", 0.7)
def _split(g, prog, x):
    if x.ndim == 0:
        return None
    d = g.dim(x.ndim, False)
    how = g.pick(["split", "chunk", "unbind"])
    if how == "unbind":
        if x.shape[d] == 0:
            return None
        return f"{x.name}.unbind({d})[{g.int(0, x.shape[d] - 1)}]", True, "view"
    k = g.int(1, 3)
    pieces = -(-x.shape[d] // k) if how == "split" else min(k, x.shape[d])
    if pieces == 0:
        return None
    return f"{x.name}.{how}({k}, {d})[{g.int(0, pieces - 1)}]", True, "view"


@op("contiguous", 0.7)
def _contiguous(g, prog, x):
    how = g.pick(['contiguous', 'clone', 'detach'])
    return f"{x.name}.{how}()", x.exact, "layout" if how == "clone" else "view"


@op("cast", 2)
def _cast(g, prog, x):
    dt = g.dtype()
    how = g.pick(["to", "to", "method"])
    method = {"float32": "float", "float64": "double", "float16": "half",
              "bfloat16": "bfloat16", "int64": "long", "int32": "int", "bool": "bool",
              "int16": "short", "uint8": "byte", "int8": "char"}[dt]
    expr = f"{x.name}.to(torch.{dt})" if how == "to" else f"{x.name}.{method}()"
    if dt not in FLOATS and x.dtype in FLOATS and not x.exact:
        return None                     # float -> int of inexact values: may differ by 1
    # a float -> narrower float cast is a rounding both must do alike: keep exactness
    return expr, x.exact, "layout"


@op("advanced_index", 2)
def _advanced_index(g, prog, x):
    if x.ndim == 0 or x.shape[0] == 0:
        return None
    n = x.shape[0]
    if g.coin(0.3):
        return (f"{x.name}[torch.from_numpy(mask({x.shape[:1]!r}, {g.data_seed()}))]",
                True, "layout")
    k = g.int(0, 4)
    idx = [g.int(-n, n - 1) for _ in range(k)]
    if g.coin(0.5):
        e = f"{x.name}[{idx!r}]"
    else:
        e = f"{x.name}[torch.tensor({idx!r}, dtype=torch.int64)]"
    if x.ndim >= 2 and x.shape[1] > 0 and g.coin(0.4):
        j = [g.int(0, x.shape[1] - 1) for _ in range(k)]
        e = f"{x.name}[torch.tensor({idx!r}, dtype=torch.int64), {j!r}]"
    elif x.ndim >= 2 and x.shape[1] > 0 and g.coin(0.3):
        e = f"{x.name}[:, {[g.int(0, x.shape[1] - 1) for _ in range(k)]!r}]"
    return e, True, "layout"


def value_for(g, prog, target_shape, dtype=None, target=None):
    """An expression broadcastable to target_shape: a scalar, a fresh input or a var."""
    r = g.rng.random()
    if r < 0.3:
        return g.scalar(dtype or "float32"), True
    fits = [v for v in prog.vars if v.shape == tuple(target_shape) and
            not prog.aliases(v, target) and (dtype is None or v.dtype == dtype)]
    if r < 0.45 and fits:
        v = g.pick(fits)
        return v.name, v.exact
    shape = g.broadcast_shape_to(target_shape)
    return input_expr(shape, dtype or g.dtype(), g.data_seed()), True


@op("setitem", 2, family=("ops",))
def _setitem(g, prog, x):
    idx = index_expr(g, x)
    if idx is None:
        return None
    try:
        shape = tuple(prog.env[x.name][eval(f"np.s_[{idx}]")].shape)
    except Exception:                   # noqa: BLE001 -- let torch report it
        shape = ()
    val, exact = value_for(g, prog, shape, target=x)
    prog.mark_inexact_unless(x, exact)
    return f"{x.name}[{idx}] = {val}", None, "stmt"


@op("index_put", 1, family=("ops",))
def _index_put(g, prog, x):
    if x.ndim == 0 or x.shape[0] == 0:
        return None
    n = x.shape[0]
    idx = [g.int(-n, n - 1) for _ in range(g.int(1, 3))]
    val, exact = value_for(g, prog, (len(idx),) + x.shape[1:], x.dtype, target=x)
    acc = g.coin()
    prog.mark_inexact_unless(x, exact and not acc)
    if not val.startswith("t"):          # a scalar: index_put_ wants a tensor
        val = f"torch.tensor({val}, dtype=torch.{x.dtype})"
    return (f"{x.name}.index_put_((torch.tensor({idx!r}),), {val}, accumulate={acc})",
            None, "stmt")


@op("copy_fill", 2, family=("ops",))
def _copy_fill(g, prog, x):
    r = g.rng.random()
    if r < 0.3:
        return f"{x.name}.fill_({g.scalar(x.dtype)})", None, "stmt"
    if r < 0.4:
        return f"{x.name}.zero_()", None, "stmt"
    # (one element aliased through different size-1 strides: torch calls it a partial
    # overlap, tinytensor a full one; harmless, so not generated)
    # (an aliasing source that is not dense: the result depends on the loop order, in
    # torch too, so it is not generated)
    src = [v for v in prog.vars if v is not x and broadcastable(v.shape, x.shape) and
           not (prog.aliases(v, x) and (x.numel <= 1 or not prog.dense(v, x)))]
    if src and g.coin(0.6):
        v = g.pick(src)
        prog.mark_inexact_unless(x, v.exact)
        return f"{x.name}.copy_({v.name})", None, "stmt"
    shape = g.broadcast_shape_to(x.shape)
    return f"{x.name}.copy_({input_expr(shape, g.dtype(), g.data_seed())})", None, "stmt"


def broadcastable(src, dst):
    if len(src) > len(dst):
        return False
    return all(s in (1, d) for s, d in zip(src[::-1], dst[::-1]))


@op("cat_stack", 1)
def _cat_stack(g, prog, x):
    if g.coin(0.5):
        d = g.int(-x.ndim - 1, x.ndim)
        others = [v for v in prog.vars if v.shape == x.shape and v.exact]
        b = g.pick(others).name if others and g.coin() else \
            input_expr(x.shape, g.dtype(), g.data_seed())
        return f"torch.stack([{x.name}, {b}], dim={d})", True, "new"
    if x.ndim == 0:
        return None
    d = g.dim(x.ndim)
    shape = list(x.shape)
    shape[d] = g.int(0, 3)
    parts = [x.name, input_expr(shape, g.dtype(), g.data_seed())]
    if g.coin(0.3):
        parts.append(x.name)
    return f"torch.cat([{', '.join(parts)}], dim={d})", True, "new"


UNARY_EXACT = ["neg", "abs", "floor", "ceil", "trunc", "round", "sign", "square", "relu",
               "logical_not", "bitwise_not", "isnan", "isinf", "isfinite", "signbit",
               "frac", "positive"]
UNARY_INEXACT = ["exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "log1p",
                 "expm1", "reciprocal", "erf", "atan", "exp2", "log2", "asinh"]
DISCONTINUOUS = {"floor", "ceil", "trunc", "round", "sign", "frac", "isnan", "isinf",
                 "isfinite", "signbit"}


def available(prog, names):
    """names minus those tinytensor was found to lack (never empty: keep one to try)."""
    left = [n for n in names if n not in prog.missing]
    return left or names[:1]


@op("unary", 4)
def _unary(g, prog, x):
    exact_op = g.coin(0.5)
    name = g.pick(available(prog, UNARY_EXACT if exact_op else UNARY_INEXACT))
    if name in DISCONTINUOUS and not x.exact:
        return None
    if prog.family == "autograd" and name in ("logical_not", "bitwise_not", "isnan",
                                              "isinf", "isfinite", "signbit"):
        return None
    form = g.pick(["method", "function"])
    e = f"{x.name}.{name}()" if form == "method" else f"torch.{name}({x.name})"
    return e, x.exact and exact_op and name != "frac", "new"


@op("clamp", 1)
def _clamp(g, prog, x):
    lo, hi = g.pick(["None", "-1", "0.5", "-2.5"]), g.pick(["None", "2", "0.75", "3"])
    if x.dtype == "uint8" and lo.startswith("-"):
        lo = "0"                        # (see clamp_ below)
    if lo == "None" and hi == "None":
        lo = "0"
    return f"{x.name}.clamp({lo}, {hi})", x.exact, "new"


BINARY_EXACT = ["add", "sub", "mul", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
                "ge", "logical_and", "logical_or", "logical_xor", "bitwise_and",
                "bitwise_or", "bitwise_xor"]
BINARY_INEXACT = ["div", "pow", "atan2", "fmod", "remainder", "floor_divide", "hypot"]
OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floor_divide": "//",
             "remainder": "%", "pow": "**", "bitwise_and": "&", "bitwise_or": "|",
             "bitwise_xor": "^", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">",
             "ge": ">="}
DISCONTINUOUS |= {"floor_divide", "remainder", "fmod", "eq", "ne", "lt", "le", "gt", "ge"}


@op("binary", 5)
def _binary(g, prog, x):
    exact_op = g.coin(0.6)
    name = g.pick(available(prog, BINARY_EXACT if exact_op else BINARY_INEXACT))
    if prog.family == "autograd" and (name.startswith(("logical", "bitwise")) or
                                      name in ("eq", "ne", "lt", "le", "gt", "ge",
                                               "floor_divide", "remainder", "fmod")):
        return None
    r = g.rng.random()
    if r < 0.3:
        other, other_exact = g.scalar(x.dtype if g.coin(0.7) else g.dtype()), True
    else:
        # a broadcasting partner: a var or a fresh input of a compatible shape
        shape = list(g.broadcast_shape_to(x.shape))
        if g.coin(0.3):
            shape = [1] * g.int(0, 1) + list(x.shape)
            if shape:
                shape[g.int(0, len(shape) - 1)] = 1
        fits = [v for v in prog.vars if broadcastable(v.shape, x.shape) or
                broadcastable(x.shape, v.shape)]
        if fits and g.coin(0.4):
            v = g.pick(fits)
            other, other_exact = v.name, v.exact
        else:
            dt = x.dtype if g.coin(0.6) or prog.family == "autograd" else g.dtype()
            other, other_exact = input_expr(tuple(shape), dt, g.data_seed()), True
    exact = x.exact and other_exact
    if name in DISCONTINUOUS and not exact:
        return None
    if name in OPERATORS and g.coin(0.6):
        a, b = (x.name, other) if g.coin(0.8) else (other, x.name)   # 2 - t0 too
        e = f"({a} {OPERATORS[name]} {b})"
    else:
        e = f"{x.name}.{name}({other})" if g.coin() else f"torch.{name}({x.name}, {other})"
    if name in ("add", "sub") and g.coin(0.15):
        e = f"torch.{name}({x.name}, {other}, alpha={g.pick(['2', '-1', '0.5'])})"
    return e, exact and exact_op, "new"


@op("where", 0.7)
def _where(g, prog, x):
    other, exact = value_for(g, prog, x.shape, x.dtype)
    cond = f"torch.from_numpy(mask({g.broadcast_shape_to(x.shape)!r}, {g.data_seed()}))"
    return f"torch.where({cond}, {x.name}, {other})", x.exact and exact, "new"


REDUCTIONS = ["sum", "mean", "prod", "amax", "amin", "std", "var", "all", "any",
              "logsumexp", "nansum", "norm"]
INDEXED = ["max", "min", "argmax", "argmin", "cumsum", "cumprod", "median", "mode"]


@op("reduce", 4)
def _reduce(g, prog, x):
    names = available(prog, REDUCTIONS + INDEXED)
    name = g.pick(names, [3 if n == "sum" else 1 for n in names])
    if prog.family == "autograd" and name in ("all", "any", "argmax", "argmin", "mode"):
        return None
    keep = g.pick(["", ", keepdim=True", ", keepdim=False"])
    if name in INDEXED:
        if name in ("cumsum", "cumprod"):
            return f"{x.name}.{name}({g.dim(x.ndim)})", False, "new"
        if name in ("argmax", "argmin") and g.coin(0.3):
            return (f"{x.name}.{name}()", True, "new") if x.exact else None
        if not x.exact:
            return None                 # ties and near-ties pick different indices
        part = g.pick([".values", ".indices", "[0]", "[1]"]) if name not in \
            ("argmax", "argmin") else ""
        return f"{x.name}.{name}({g.dim(x.ndim)}{keep}){part}", True, "new"
    r = g.rng.random()
    if r < 0.3:
        args = ""
    elif r < 0.7 or x.ndim < 2:
        args = f"{g.dim(x.ndim)}{keep}"
    else:
        dims = sorted({g.dim(x.ndim, False) for _ in range(g.int(1, x.ndim))})
        args = f"dim={tuple(dims)!r}{keep}"
    if name == "logsumexp" and not args:
        args = f"{g.dim(x.ndim)}"
    if name in ("std", "var") and args and g.coin(0.3):
        args += ", correction=0"
    exact = x.exact and name in ("amax", "amin", "all", "any")
    return f"{x.name}.{name}({args})", exact, "new"


@op("matmul", 2)
def _matmul(g, prog, x):
    if x.ndim == 0:
        return None
    k = x.shape[-1]
    m = g.int(0, 4)
    if x.ndim == 1:
        shape = (k,) if g.coin() else (k, m)
    else:
        batch = tuple(x.shape[:-2])
        if batch and g.coin(0.5):
            batch = batch[g.int(0, len(batch)):]
            batch = tuple(1 if g.coin(0.3) else s for s in batch)
        shape = (k,) if g.coin(0.2) else batch + (k, m)
    dt = x.dtype if g.coin(0.9) else g.dtype()
    other = input_expr(shape, dt, g.data_seed())
    fn = g.pick(["@", "matmul", "matmul"])
    e = f"({x.name} @ {other})" if fn == "@" else f"torch.matmul({x.name}, {other})"
    return e, False, "new"


INPLACE = ["add_", "sub_", "mul_", "div_", "clamp_", "neg_", "abs_", "exp_", "pow_",
           "floor_", "sqrt_", "relu_", "mul_", "add_"]


@op("inplace", 3)
def _inplace(g, prog, x):
    name = g.pick(available(prog, INPLACE))
    if name in ("clamp_",):
        # (a negative bound on uint8 wraps: reported to the math owner, not generated)
        lo = g.pick(['0', 'None'] if x.dtype == "uint8" else ['-1', '0', 'None'])
        return f"{x.name}.clamp_({lo}, 2)", None, "stmt"
    if name in ("neg_", "abs_", "exp_", "floor_", "sqrt_", "relu_"):
        if name == "floor_" and not x.exact:
            return None
        prog.mark_inexact_unless(x, name in ("neg_", "abs_", "floor_", "relu_"))
        return f"{x.name}.{name}()", None, "stmt"
    other, exact = value_for(g, prog, x.shape, x.dtype if g.coin(0.7) else None, target=x)
    prog.mark_inexact_unless(x, exact and name in ("add_", "sub_", "mul_"))
    return f"{x.name}.{name}({other})", None, "stmt"


# ---- building one program -----------------------------------------------------------------
class Program:
    def __init__(self, seed, family, torch, missing):
        self.g = Gen(seed)
        self.seed, self.family, self.torch, self.missing = seed, family, torch, missing
        self.steps, self.vars = [], []
        self.env = dict(_prelude_env)
        self.env["torch"] = torch

    def new_name(self):
        return f"t{len(self.vars)}"

    def aliases(self, v, x):
        """v and x share memory (in torch's run so far)."""
        if x is None:
            return False
        a, b = self.env.get(v.name), self.env.get(x.name)
        return a is not None and b is not None and \
            a.untyped_storage()._cdata == b.untyped_storage()._cdata

    def dense(self, v, x):
        """Both dense, and not the same start with strides differing at a size-1 dim
        (torch calls that a partial overlap, tinytensor's check a full one)."""
        a, b = self.env[v.name], self.env[x.name]
        return a.is_contiguous() and b.is_contiguous() and \
            (a.data_ptr() != b.data_ptr() or a.stride() == b.stride())

    def mark_inexact_unless(self, x, exact):
        if not exact:
            for v in self.vars:         # x and every view of it may change
                v.exact = False

    def run(self, step):
        """Run one step in torch; False when torch refuses it (kept as a check)."""
        try:
            exec(step.code, self.env)
            return True
        except Exception:               # noqa: BLE001
            return False

    def add_input(self, requires_grad=False):
        g = self.g
        dt = g.dtype(FLOATS if requires_grad else None)
        if requires_grad:
            dt = g.pick(["float64", "float64", "float32"])
        shape = g.shape()
        name = self.new_name()
        code = f"{name} = {input_expr(shape, dt, g.data_seed())}"
        if requires_grad:
            code += ".requires_grad_()"
        step = Step(code, "input", name)
        self.steps.append(step)
        self.run(step)
        self.vars.append(Var(name, shape, dt, True, requires_grad))

    def add_op(self):
        g = self.g
        names = [n for n, (_, _, fam) in OPS.items() if self.family in fam and
                 n not in self.missing]
        weights = [OPS[n][1] for n in names]
        for _ in range(20):
            name = g.pick(names, weights)
            x = g.pick(self.vars[-3:] if g.coin(0.6) else self.vars)
            made = OPS[name][0](g, self, x)
            if made is None:
                continue
            expr, exact, kind = made
            exact = bool(exact) and x.exact     # views of inexact values stay inexact
            if kind == "stmt":
                step = Step(expr, name)
                self.steps.append(step)
                self.run(step)
                return
            new = self.new_name()
            if kind == "layout":
                # torch's result may be laid out differently (KNOWN_DIFFERENCES): make it
                # contiguous in both, so strides, later views and sharing still compare
                expr = f"({expr}).contiguous()"
            step = Step(f"{new} = {expr}", name, new)
            self.steps.append(step)
            if self.run(step):
                t = self.env[new]
                if not hasattr(t, "dtype") or not hasattr(t, "shape"):
                    self.steps.pop()
                    continue
                dt = str(t.dtype).split(".")[-1]
                carried = [v.tol for v in self.vars
                           if not v.exact and re.search(rf"\b{v.name}\b", expr)]
                self.vars.append(Var(new, tuple(t.shape), dt, bool(exact),
                                     bool(getattr(t, "requires_grad", False)),
                                     max([TOL.get(dt, 0.0)] + carried)))
            return


def build_program(seed, family, torch, missing):
    p = Program(seed, family, torch, missing)
    grad = family == "autograd"
    for _ in range(p.g.int(1, 3)):
        p.add_input(requires_grad=grad)
    for _ in range(p.g.int(1, 8)):
        p.add_op()
    grads = ()
    if grad:
        grads = add_backward(p)
    return p, grads


def add_backward(p):
    """loss = sum of weighted floating results; backward; compare the leaves' .grad."""
    g = p.g
    outs = [v for v in p.vars if v.grad and v.dtype in FLOATS and v.name in p.env]
    if not outs:
        return ()
    chosen = [g.pick(outs) for _ in range(g.int(1, 2))] + [outs[-1]]
    terms = []
    for v in dict.fromkeys(chosen):
        w = input_expr(v.shape, "float64", g.data_seed())
        terms.append(f"({v.name} * {w}).sum()")
    p.steps.append(Step(f"loss = {' + '.join(terms)}", "loss"))
    p.steps.append(Step("loss.backward()", "backward"))
    leaves = [s.new for s in p.steps if s.op == "input"]
    p.steps.append(Step("grads = [" + ", ".join(f"{n}.grad" for n in leaves) + "]",
                        "grads"))
    for i, n in enumerate(leaves):
        p.steps.append(Step(f"g_{n} = grads[{i}]", "grad"))
    return tuple(f"g_{n}" for n in leaves)


# ---- a campaign: many programs, failures shrunk and reported ------------------------------
def campaign(family, seconds, max_programs, seed0, state_path=None, max_failures=5):
    import torch
    import tinytensor as tt
    import warnings
    warnings.simplefilter("ignore")     # torch's deprecation notes on odd but valid input
    torch.set_num_threads(1)            # torch's CPU kernels give one answer for any size
    missing, failures, counts, known_seen = set(), [], {}, {}
    start, n = time.time(), 0
    seen = set()
    while n < max_programs and time.time() - start < seconds and \
            len(failures) < max_failures:
        seed = seed0 + n
        n += 1
        prog, grads = build_program(seed, family, torch, missing)
        if state_path:
            with open(state_path, "w") as f:
                f.write(reproducer(prog.steps, (len(prog.steps) - 1, "crash",
                                                "the process died here"), seed))
        failure = compare_runs(prog.steps, prog.vars, tt, torch, grads=grads)
        for s in prog.steps:
            counts[s.op] = counts.get(s.op, 0) + 1
        if failure is None:
            continue
        if failure[1] == "missing":
            missing.add(missing_name(prog.steps[failure[0]], failure[2]))
            continue
        known = known_bug(prog.steps, failure)
        if known:
            known_seen[known] = known_seen.get(known, 0) + 1
            continue
        steps, failure = shrink(prog.steps, prog.vars, failure, tt, torch, grads)
        key = (steps[failure[0]].op, failure[1])
        if key in seen:
            continue
        seen.add(key)
        failures.append({"op": key[0], "kind": key[1],
                         "text": reproducer(steps, failure, seed)})
    return {"programs": n, "seconds": round(time.time() - start, 1),
            "failures": failures, "missing": sorted(missing), "counts": counts,
            "known": known_seen}


# ---- pytest entry points -----------------------------------------------------------------
def run_campaign(family, tmp_path, default_programs, default_seconds):
    """Run a campaign in a child process, so that a crash is reported with the program
    that caused it, and fail with the shrunk reproducer of every difference found.
    TT_FUZZ_SECONDS, TT_FUZZ_PROGRAMS and TT_FUZZ_SEED set the budget and the start.
    By default the budget is a fixed number of programs (the same seeds on every machine,
    so a faster CI box does not meet new programs), with seconds only as a safety cap;
    setting TT_FUZZ_SECONDS alone runs by time."""
    import subprocess
    import pytest
    seconds = float(os.environ.get("TT_FUZZ_SECONDS", default_seconds))
    by_time = "TT_FUZZ_SECONDS" in os.environ and "TT_FUZZ_PROGRAMS" not in os.environ
    programs = int(os.environ.get("TT_FUZZ_PROGRAMS", 10**9 if by_time else default_programs))
    seed = int(os.environ.get("TT_FUZZ_SEED", 0))
    state = tmp_path / "current_program.py"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--family", family,
                        "--seconds", str(seconds), "--programs", str(programs),
                        "--seed", str(seed), "--state", str(state), "--json"],
                       capture_output=True, text=True, env=env, timeout=seconds + 900)
    lines = r.stdout.strip().splitlines()
    if r.returncode not in (0, 1) or not lines:
        program = state.read_text() if state.exists() else "(none)"
        pytest.fail(f"the fuzzer's child process died (status {r.returncode}) while "
                    f"running:\n{program}\n--- its stderr ---\n{r.stderr[-5000:]}")
    report = json.loads(lines[-1])
    print(f"fuzz {family}: {report['programs']} programs in {report['seconds']}s; not in "
          f"tinytensor yet: {', '.join(report['missing']) or 'none'}; known bugs met: "
          f"{report['known'] or 'none'}")
    strict = os.environ.get("TT_FUZZ_STRICT", "") not in ("", "0")
    hard = [f["text"] for f in report["failures"] if strict or f["op"] in STRICT_OPS
            or f["kind"] == "harness"]
    soft = [f["text"] for f in report["failures"] if f["text"] not in hard]
    for text in soft:
        import warnings
        warnings.warn(FuzzDifference("difference from torch in an op family that is "
                                     "still landing (TT_FUZZ_STRICT=1 fails on it):\n"
                                     + text))
    if hard:
        pytest.fail(f"{len(hard)} difference(s) from torch in "
                    f"{report['programs']} programs:\n\n" + "\n\n".join(hard))


class FuzzDifference(UserWarning):
    """A difference the fuzzer found in math or autograd, shown but not failing CI."""


# Ops whose differences fail CI now: the core (views, indexing, casts, copies, joins).
# Math, reductions, matmul and gradients are still landing: their differences show as
# warnings with the reproducer until TT_FUZZ_STRICT=1 (or this set) takes them in.
STRICT_OPS = {"input", "transpose", "permute", "t", "basic_index", "unsqueeze", "squeeze",
              "expand", "reshape", "flatten", "narrow", "movedim", "split", "contiguous",
              "cast", "advanced_index", "setitem", "index_put", "copy_fill", "cat_stack"}


def check_program(text):
    """Run a saved program (statements over `torch`) in both and compare everything."""
    import pytest
    import torch
    import tinytensor as tt
    steps = []
    for line in text.strip().splitlines():
        name = line.split("=")[0].strip() if " = " in line.split("(")[0] else None
        steps.append(Step(line, "line", name if name and name.isidentifier() else None))
    env, _ = run_steps(torch, steps)
    vars_ = [Var(s.new, tuple(env[s.new].shape), str(env[s.new].dtype).split(".")[-1], True)
             for s in steps if s.new and hasattr(env.get(s.new), "shape")]
    failure = compare_runs(steps, vars_, tt, torch)
    if failure:
        pytest.fail(reproducer(steps, failure, "saved"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="ops", choices=["ops", "autograd"])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--programs", type=int, default=10**9)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--state", help="file that holds the program being run (for crashes)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    report = campaign(args.family, args.seconds, args.programs, args.seed, args.state)
    if args.json:
        print(json.dumps(report))
    else:
        for f in report["failures"]:
            print(f["text"], end="\n\n" + "#" * 80 + "\n\n")
        print(f"{report['programs']} programs in {report['seconds']}s, "
              f"{len(report['failures'])} failures; not in tinytensor yet: "
              f"{', '.join(report['missing']) or 'none'}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
