"""Build the C core (ctensor/*.c) and the Cython boundary (tinytensor/_C.pyx) as one
extension module.

Environment switches:
  TINYTENSOR_NO_OPENMP=1   build without OpenMP even when the compiler has it
  TINYTENSOR_PORTABLE=1    no -march=native (a binary that runs on any x86-64/arm64)
  TINYTENSOR_SANITIZE=1    build with AddressSanitizer + UndefinedBehaviorSanitizer
  TINYTENSOR_DEBUG=1       -O0 -g
"""
import glob
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from Cython.Build import cythonize


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


def compiler_accepts(args):
    """True when the C compiler builds and links a tiny program with these flags."""
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() < 0;}\n"
                    if "-fopenmp" in args else "int main(void){return 0;}\n")
        r = subprocess.run([cc, src, "-o", os.path.join(d, "t")] + args,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return r.returncode == 0


compile_args = ["-std=c11", "-Wall", "-Wno-unused-function", "-fno-strict-aliasing"]
link_args = []
if flag("TINYTENSOR_DEBUG"):
    compile_args += ["-O0", "-g"]
else:
    compile_args += ["-O3"]
if not flag("TINYTENSOR_PORTABLE") and compiler_accepts(["-march=native"]):
    compile_args.append("-march=native")
if not flag("TINYTENSOR_NO_OPENMP") and compiler_accepts(["-fopenmp"]):
    compile_args.append("-fopenmp")
    link_args.append("-fopenmp")
    print("tinytensor: building with OpenMP", file=sys.stderr)
else:
    print("tinytensor: building without OpenMP", file=sys.stderr)
if flag("TINYTENSOR_SANITIZE"):
    # float-cast-overflow: a float->int cast out of range is UB that -fsanitize=undefined
    # leaves out in gcc.  -O0 (last flag wins): gcc spends minutes on the Cython output at
    # -O1 with UBSan, and the sanitized build is for finding bugs, not for speed.
    san = ["-fsanitize=address,undefined,float-cast-overflow", "-fno-omit-frame-pointer",
           "-g"]
    compile_args += san + ["-O0"]
    link_args += san

sources = ["tinytensor/_C.pyx"] + sorted(glob.glob("ctensor/*.c"))
ext = Extension(
    "tinytensor._C",
    sources=sources,
    include_dirs=["ctensor"],
    extra_compile_args=compile_args,
    extra_link_args=link_args,
    depends=glob.glob("ctensor/*.h") + glob.glob("ctensor/*.def") + glob.glob("tinytensor/*.pxi")
    + ["tinytensor/ctensor.pxd"],
)

# Flags for single files.  random.c is built like torch builds its kernels: without errno
# and trap semantics sqrt is one instruction and the AVX2 Box-Muller vectorises; the bits
# do not change (never -ffast-math: that would).  Other files keep the common flags.
PER_FILE_FLAGS = {
    "ctensor/random.c": ["-fno-math-errno", "-fno-trapping-math"],
    # without trap semantics the branch-free exp (Note [vectorised exp]) vectorises
    "ctensor/unary.c": ["-fno-trapping-math"],
}


class build_ext_per_file(build_ext):
    """build_ext that appends PER_FILE_FLAGS to the compile command of those files and
    compiles the files in parallel (one job per core: the Cython output alone takes as long
    as all of ctensor/, so two cores halve the build)."""

    def build_extensions(self):
        compiler = self.compiler
        compile_one = getattr(compiler, "_compile", None)
        if compile_one is not None:     # unix compilers compile one file per _compile call
            def _compile(obj, src, ext, cc_args, extra_postargs, pp_opts):
                key = os.path.relpath(src).replace(os.sep, "/")
                extra = list(extra_postargs) + PER_FILE_FLAGS.get(key, [])
                return compile_one(obj, src, ext, cc_args, extra, pp_opts)
            compiler._compile = _compile
            compiler.compile = lambda *a, **kw: compile_in_parallel(compiler, *a, **kw)
        super().build_extensions()


def compile_in_parallel(compiler, sources, output_dir=None, macros=None, include_dirs=None,
                        debug=0, extra_preargs=None, extra_postargs=None, depends=None):
    """CCompiler.compile with the per-file _compile calls spread over a thread pool."""
    macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
        output_dir, macros, include_dirs, sources, depends, extra_postargs)
    cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

    def compile_object(obj):
        src, ext = build[obj]
        compiler._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

    # the largest source (the Cython output) first, so it never starts last
    order = sorted(build, key=lambda obj: -os.path.getsize(build[obj][0]))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(compile_object, order))
    return objects


setup(
    cmdclass={"build_ext": build_ext_per_file},
    ext_modules=cythonize(
        [ext],
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False,
                             "cdivision": True, "embedsignature": False},
    ),
)
