"""Command line: `python -m bench [--quick] [--filter S] [--threads N] [--markdown] ...`.

Only the standard library is imported before the thread count is known, so the
OMP/OPENBLAS/MKL variables are set before numpy loads its BLAS.
"""
import argparse
import os
import sys
import time

if not __package__:  # run as `python bench/run.py`: make `import bench` work
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from bench.machine import usable_cores  # noqa: E402  (standard library only)

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer sizes and samples (< 2 min)")
    p.add_argument("--filter", metavar="SUBSTR", help="only cases whose group/name has it (a,b: either)")
    p.add_argument("--threads", type=int, default=usable_cores(),
                   help="threads for every library (default: all usable cores)")
    p.add_argument("--backends", default="tinytensor,torch,numpy",
                   help="comma-separated subset of tinytensor,torch,numpy")
    p.add_argument("--json", metavar="PATH", default=os.path.join(RESULTS, "latest.json"))
    p.add_argument("--plot", metavar="PATH", default=os.path.join(RESULTS, "latest.png"),
                   help="PNG of the ratios, when matplotlib is installed")
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table at the end")
    p.add_argument("--list", action="store_true", help="list the cases and sizes, run nothing")
    return p.parse_args(argv)


class Progress:
    """A one-line progress display on stderr, redrawn in place when stderr is a terminal."""

    def __init__(self):
        self.live = sys.stderr.isatty()
        self.start = time.perf_counter()

    def show(self, i, total, case, size):
        if self.live:
            secs = int(time.perf_counter() - self.start)
            clock = f"{secs // 60}:{secs % 60:02d}"
            line = f"[{i + 1:>3}/{total} {clock}] {case.id} @ {case.label(size)}"
            sys.stderr.write("\r\x1b[K" + line[:120])
            sys.stderr.flush()

    def clear(self):
        if self.live:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def main(argv=None):
    """Run the suite and return the exit status (1 if torch or numpy raised: a bench bug)."""
    args = parse_args(argv)
    env_was_early = "numpy" not in sys.modules

    for var in THREAD_ENV:  # before bench.backends imports numpy and its BLAS
        os.environ[var] = str(args.threads)
    from bench import backends as bk
    from bench import cases, harness, machine, plot, report

    names = [n.strip() for n in args.backends.split(",") if n.strip()]
    todo = cases.plan(quick=args.quick, substr=args.filter)
    if args.list:
        for case, size in todo:
            print(f"{case.id} @ {case.label(size)}")
        return 0
    backends = bk.load_backends(names)
    threads = bk.apply_threads(backends, args.threads, env_was_early)
    info = machine.describe(backends, threads)
    settings = harness.QUICK if args.quick else harness.FULL
    print(f"{info['cpu']}, threads={args.threads}; "
          + ", ".join(f"{b.name} {b.version or 'n/a'}" for b in backends)
          + f"; {len(todo)} entries ({'quick' if args.quick else 'full'})", flush=True)

    busy = info["load_average"] or 0
    if busy > info["usable_cores"] - args.threads + 0.5:
        hint = "try --threads 1 or a quiet machine" if args.threads > 1 else "expect noise"
        print(f"warning: load average {busy} on {info['usable_cores']} cores: other "
              f"processes hold the cores, so timings include waits for a core "
              f"(scheduler slices of ~10 ms); {hint}", file=sys.stderr)

    table = report.TablePrinter(names, sys.stdout)
    progress = Progress()

    def done(entry):
        progress.clear()
        table.row(entry)

    start = time.perf_counter()
    entries = harness.run_suite(todo, backends, settings, progress.show, done)
    progress.clear()
    info["load_average_end"] = machine.load_average()
    run_settings = dict(vars(settings), quick=args.quick, filter=args.filter,
                        elapsed_s=round(time.perf_counter() - start, 1))
    result = report.build(entries, info, run_settings)
    report.print_summary(result, sys.stdout)
    report.write_json(result, args.json)
    print(f"\nwrote {args.json} ({run_settings['elapsed_s']} s)", file=sys.stderr)
    if not args.no_plot and plot.available() and plot.plot(result, args.plot):
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.markdown:
        print("\n" + report.markdown(result))
    errors, _ = report.problems(entries)
    return 1 if any(not e.startswith(bk.SUBJECT) for e in errors) else 0


if __name__ == "__main__":
    sys.exit(main())
