"""pytest plugin for the sanitizer job (.ci/sanitize.sh): after the last test, collect
garbage and ask LeakSanitizer for memory nothing points to any more.

Checking here rather than at exit keeps the report to real leaks: the interpreter is
still alive, so its caches and interned objects are reachable, while memory the C core
or the Cython layer lost (a storage never decref'd, a Py_buffer never released, a Python
object whose reference count was raised once too often and then dropped from every
container) is not."""
import ctypes
import gc


def _leak_check():
    try:
        lib = ctypes.CDLL(None)
        check = lib.__lsan_do_recoverable_leak_check
    except (OSError, AttributeError):
        return None
    check.restype = ctypes.c_int
    return check


def pytest_sessionfinish(session, exitstatus):
    check = _leak_check()
    if check is None:
        return
    for _ in range(3):
        gc.collect()
    if check():
        print("\nsanitize: LeakSanitizer found leaks (report above)")
        session.exitstatus = 1
