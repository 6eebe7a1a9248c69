#!/usr/bin/env bash
# Sanitizer job: build tinytensor with AddressSanitizer + UndefinedBehaviorSanitizer in a
# copy of this tree (build/sanitize/, so the normal in-place build is left alone) and run
# pytest under it.  Any ASan or UBSan report fails the run, and so does memory that the
# project leaked during the tests (see lsan_plugin.py).
#
#   bash .ci/sanitize.sh                      # the CI set (a few minutes)
#   bash .ci/sanitize.sh tests                # the whole suite
#   bash .ci/sanitize.sh tests/test_core_views.py -k expand
#
# Environment: TT_SANITIZE_TREE (where the copy lives), TT_SANITIZE_LEAKS=0 (skip the leak
# check), CC (the compiler whose sanitizer runtime is preloaded).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tree="${TT_SANITIZE_TREE:-$root/build/sanitize}"
cc="${CC:-cc}"
mkdir -p "$tree"

# Copy tracked and new (not ignored) files, dropping the ones deleted since the last copy;
# tar keeps modification times, so an unchanged tree is not rebuilt.
cd "$root"
git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
    [ -f "$f" ] && printf '%s\n' "$f"
done | sort > "$tree/.files.new"
if [ -f "$tree/.files" ]; then
    comm -23 "$tree/.files" "$tree/.files.new" | (cd "$tree" && xargs -r -d '\n' rm -f --)
fi
tar -cf - -T "$tree/.files.new" | tar -xf - -C "$tree"
mv "$tree/.files.new" "$tree/.files"

cd "$tree"
start=$(date +%s)
if ! TINYTENSOR_SANITIZE=1 python setup.py build_ext --inplace > build-sanitize.log 2>&1; then
    tail -40 build-sanitize.log
    echo "sanitize: build failed (log: $tree/build-sanitize.log)" >&2
    exit 1
fi
echo "sanitize: built in $(( $(date +%s) - start ))s"

# The interpreter is not instrumented, so the ASan runtime must be loaded first; libstdc++
# goes with it because ASan intercepts __cxa_throw only when libstdc++ is there at start
# (torch throws C++ exceptions from its dlopen'ed libraries).
asan="$("$cc" -print-file-name=libasan.so)"
cxx="$("$cc" -print-file-name=libstdc++.so)"
if [ ! -e "$asan" ]; then
    echo "sanitize: $cc has no libasan.so" >&2
    exit 1
fi
export LD_PRELOAD="$asan $cxx${LD_PRELOAD:+ $LD_PRELOAD}"
# allocator_may_return_null: empty(2**45) must raise, as without ASan, not abort.
# Leaks are checked once at the end of the session, while the interpreter still holds
# its own memory (at exit CPython drops much of it on purpose: only noise).
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=${TT_SANITIZE_LEAKS:-1}:leak_check_at_exit=0:check_initialization_order=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$root/.ci/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# every Python object through malloc, so ASan also sees the Cython layer's object misuse
export PYTHONMALLOC=malloc
export PYTHONPATH="$root/.ci${PYTHONPATH:+:$PYTHONPATH}"
# the fuzzers' CI budget unless the caller set one
export TT_FUZZ_SECONDS="${TT_FUZZ_SECONDS:-20}"

if [ $# -eq 0 ]; then
    # CI's set: the core (C kernels reached through every path), autograd, and the
    # hardening tests; `bash .ci/sanitize.sh tests` runs everything (~20 min here)
    set -- tests/test_core_*.py tests/test_autograd_*.py tests/test_errors.py \
        tests/test_memory.py tests/test_threads.py tests/test_fuzz_ops.py \
        tests/test_fuzz_autograd.py
fi
start=$(date +%s)
status=0
python -m pytest -p no:cacheprovider -p lsan_plugin "$@" || status=$?
echo "sanitize: tests ran in $(( $(date +%s) - start ))s"
exit $status
