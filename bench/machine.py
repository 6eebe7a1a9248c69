"""What the numbers were measured on: CPU, cores, ISA flags, library versions, date."""
import datetime
import os
import platform

ISA_FLAGS = ("avx2", "avx512f", "fma", "f16c")


def _cpuinfo():
    """Return (model name, set of flags) from /proc/cpuinfo, or platform's guess elsewhere."""
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model is None:
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model or platform.processor() or platform.machine(), flags


def usable_cores():
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_average():
    """Return the 1-minute load average: above the core count, threads wait for a core."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe(backends, threads):
    """Return a JSON-ready description of the machine and the libraries measured."""
    model, flags = _cpuinfo()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "threads": threads,
        "isa": {flag: flag in flags for flag in ISA_FLAGS},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {b.name: b.version for b in backends},
        "unavailable": {b.name: b.unavailable for b in backends if b.unavailable},
        "load_average": load_average(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
