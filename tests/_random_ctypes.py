"""Build ctensor/random.c into a throwaway shared library and call it through ctypes.

Test-only shim: the real binding is the Cython layer.  random.c needs tt_fail and
tt_last_error from the core; a tiny stand-in is compiled beside it so these tests do
not depend on the rest of ctensor being built.
"""
import ctypes
import os
import pathlib
import subprocess
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
CTENSOR = ROOT / "ctensor"

ERROR_STUB = r"""
#include <stdarg.h>
#include <stdio.h>
#include "random.h"
size_t stub_generator_size(void) { return sizeof(tt_generator); }
static _Thread_local char message[512];
const char *tt_last_error(void) { return message; }
tt_status tt_fail(tt_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return status;
}
/* dtype table: only itemsize is read by random.c */
#define X(ENUM, ctype, suffix, compute, category, name) \
    {name, (int)sizeof(ctype), (tt_category)category, 0},
const tt_dtype_info tt_dtypes[TT_NUM_DTYPES] = {TT_DTYPES(X)};
#undef X
"""

# tt_dtype values, in dtypes.def order
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]
DTYPE_CODE = {name: i for i, name in enumerate(DTYPES)}
# numpy storage for each dtype (16-bit floats travel as raw uint16 bits)
NP_STORAGE = {"bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16,
              "int32": np.int32, "int64": np.int64, "float16": np.uint16,
              "bfloat16": np.uint16, "float32": np.float32, "float64": np.float64}
STATE_BYTES = 5056


class GeneratorStruct(ctypes.Structure):
    # opaque to Python: sized generously, laid out by C (checked in build())
    _fields_ = [("raw", ctypes.c_uint8 * 4096 * 2)]


def build(extra_flags=("-fno-math-errno", "-fno-trapping-math")):
    """Compile random.c (+ stl_order.c, the error stub) and return the loaded library."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="tt_random_"))
    (tmp / "stub.c").write_text(ERROR_STUB)
    so = tmp / "librandom.so"
    cmd = ["gcc", "-std=c11", "-O2", "-shared", "-fPIC", *extra_flags,
           "-I", str(CTENSOR), str(CTENSOR / "random.c"), str(CTENSOR / "stl_order.c"),
           str(tmp / "stub.c"),
           "-o", str(so), "-lm", "-lpthread"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    lib = ctypes.CDLL(str(so))
    _declare(lib)
    lib.stub_generator_size.restype = ctypes.c_size_t
    assert lib.stub_generator_size() <= ctypes.sizeof(GeneratorStruct)
    return lib


def _declare(lib):
    P = ctypes.c_void_p
    i64, u64, d, i32 = ctypes.c_int64, ctypes.c_uint64, ctypes.c_double, ctypes.c_int
    sigs = {
        "tt_generator_init": (None, [P, u64]),
        "tt_generator_destroy": (None, [P]),
        "tt_generator_manual_seed": (None, [P, u64]),
        "tt_generator_initial_seed": (u64, [P]),
        "tt_generator_random": (ctypes.c_uint32, [P]),
        "tt_generator_random64": (u64, [P]),
        "tt_generator_get_state": (None, [P, P]),
        "tt_generator_set_state": (i32, [P, P, i64]),
        "tt_random_uniform": (i32, [P, P, i32, i64, d, d]),
        "tt_random_normal": (i32, [P, P, i32, i64, d, d]),
        "tt_random_normal_serial": (i32, [P, P, i32, i64, d, d]),
        "tt_random_from_to": (i32, [P, P, i32, i64, i64, i64]),
        "tt_random_from": (i32, [P, P, i32, i64, i64]),
        "tt_random_default": (i32, [P, P, i32, i64]),
        "tt_random_randperm": (i32, [P, P, i32, i64]),
        "tt_random_bernoulli": (i32, [P, P, i32, i64, d]),
        "tt_random_bernoulli_tensor": (i32, [P, P, i32, i64, P, i32]),
        "tt_random_exponential": (i32, [P, P, i32, i64, d]),
        "tt_random_geometric": (i32, [P, P, i32, i64, d]),
        "tt_random_log_normal": (i32, [P, P, i32, i64, d, d]),
        "tt_random_cauchy": (i32, [P, P, i32, i64, d, d]),
        "tt_random_multinomial": (i32, [P, P, P, i32, i64, i64, i64, ctypes.c_bool]),
        "tt_random_set_avx2_normal": (None, [ctypes.c_bool]),
        "tt_random_avx2_normal": (ctypes.c_bool, []),
        "tt_last_error": (ctypes.c_char_p, []),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args


class RandomError(RuntimeError):
    pass


class Generator:
    """A tt_generator seen from Python, with numpy-returning samplers."""

    def __init__(self, lib, seed=67280421310721):
        self.lib = lib
        self._g = GeneratorStruct()
        self.ptr = ctypes.addressof(self._g)
        lib.tt_generator_init(self.ptr, seed)

    def __del__(self):
        try:
            self.lib.tt_generator_destroy(self.ptr)
        except Exception:
            pass

    def _check(self, status):
        if status != 0:
            raise RandomError(self.lib.tt_last_error().decode())

    def manual_seed(self, seed):
        self.lib.tt_generator_manual_seed(self.ptr, seed & (2**64 - 1))
        return self

    def initial_seed(self):
        return self.lib.tt_generator_initial_seed(self.ptr)

    def random(self):
        return self.lib.tt_generator_random(self.ptr)

    def random64(self):
        return self.lib.tt_generator_random64(self.ptr)

    def get_state(self):
        buf = np.zeros(STATE_BYTES, np.uint8)
        self.lib.tt_generator_get_state(self.ptr, buf.ctypes.data)
        return buf

    def set_state(self, state):
        state = np.ascontiguousarray(state, np.uint8)
        self._check(self.lib.tt_generator_set_state(self.ptr, state.ctypes.data, state.size))

    def _fill(self, fn, dtype, n, *args):
        out = np.zeros(n, NP_STORAGE[dtype])
        self._check(fn(self.ptr, out.ctypes.data, DTYPE_CODE[dtype], n, *args))
        return out

    def uniform(self, n, dtype="float32", low=0.0, high=1.0):
        return self._fill(self.lib.tt_random_uniform, dtype, n, low, high)

    def normal(self, n, dtype="float32", mean=0.0, std=1.0):
        return self._fill(self.lib.tt_random_normal, dtype, n, mean, std)

    def normal_serial(self, n, dtype="float32", mean=0.0, std=1.0):
        return self._fill(self.lib.tt_random_normal_serial, dtype, n, mean, std)

    def from_to(self, n, dtype, low, high):
        return self._fill(self.lib.tt_random_from_to, dtype, n, low, high)

    def from_(self, n, dtype, low):
        return self._fill(self.lib.tt_random_from, dtype, n, low)

    def random_(self, n, dtype):
        return self._fill(self.lib.tt_random_default, dtype, n)

    def randperm(self, n, dtype="int64"):
        return self._fill(self.lib.tt_random_randperm, dtype, n)

    def bernoulli(self, n, dtype, p):
        return self._fill(self.lib.tt_random_bernoulli, dtype, n, p)

    def bernoulli_tensor(self, dtype, p, p_dtype):
        p = np.ascontiguousarray(p, NP_STORAGE[p_dtype])
        return self._fill(self.lib.tt_random_bernoulli_tensor, dtype, p.size,
                          p.ctypes.data, DTYPE_CODE[p_dtype])

    def exponential(self, n, dtype="float32", lambd=1.0):
        return self._fill(self.lib.tt_random_exponential, dtype, n, lambd)

    def geometric(self, n, dtype, p):
        return self._fill(self.lib.tt_random_geometric, dtype, n, p)

    def log_normal(self, n, dtype="float32", mean=1.0, std=2.0):
        return self._fill(self.lib.tt_random_log_normal, dtype, n, mean, std)

    def cauchy(self, n, dtype="float32", median=0.0, sigma=1.0):
        return self._fill(self.lib.tt_random_cauchy, dtype, n, median, sigma)

    def multinomial(self, probs, p_dtype, n_sample, replacement):
        probs = np.ascontiguousarray(probs, NP_STORAGE[p_dtype])
        rows = 1 if probs.ndim == 1 else probs.shape[0]
        cats = probs.shape[-1]
        out = np.zeros(rows * n_sample, np.int64)
        self._check(self.lib.tt_random_multinomial(
            self.ptr, out.ctypes.data, probs.ctypes.data, DTYPE_CODE[p_dtype], rows, cats,
            n_sample, replacement))
        return out.reshape((n_sample,) if probs.ndim == 1 else (rows, n_sample))
