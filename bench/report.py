"""Turning entries into text: the streaming terminal table, the summary, Markdown and JSON."""
import json
import math
import os

from bench.backends import ALL_NAMES, SUBJECT

SCHEMA = 1
RATIO_COLUMNS = (f"{SUBJECT}/torch", f"{SUBJECT}/numpy")
SHORT = {f"{SUBJECT}/torch": "tt/torch", f"{SUBJECT}/numpy": "tt/numpy"}


def fmt_time(ns):
    """Format nanoseconds with a unit and three significant digits: '12.3 µs'."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale * 0.9995:
            value = ns / scale
            break
    else:
        unit, value = "ns", ns
    digits = 2 if value < 9.995 else 1 if value < 99.95 else 0
    return f"{value:.{digits}f} {unit}"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


def cell(result):
    """One backend's table cell: the median time, 'n/a' or 'err'."""
    if result["status"] == "ok":
        return fmt_time(result["median_ns"])
    return "n/a" if result["status"] == "n/a" else "err"


def _row_cells(entry):
    return ([entry["id"], entry["label"]]
            + [cell(entry["backends"][n]) for n in ALL_NAMES if n in entry["backends"]]
            + [fmt_ratio(entry["ratios"][r]) for r in RATIO_COLUMNS])


class TablePrinter:
    """Prints the terminal table one row at a time, with a header per group."""

    WIDTHS = (44, 10, 11, 11, 11, 9, 9)

    def __init__(self, names, out):
        self.names = [n for n in ALL_NAMES if n in names]
        self.out = out
        self.group = None

    def _line(self, cells):
        parts = [f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
                 for i, (c, w) in enumerate(zip(cells, self.WIDTHS))]
        return " ".join(parts).rstrip()

    def row(self, entry):
        if entry["group"] != self.group:
            self.group = entry["group"]
            header = ["case", "size"] + self.names + [SHORT[r] for r in RATIO_COLUMNS]
            print(f"\n== {self.group} ==", file=self.out)
            print(self._line(header), file=self.out)
        print(self._line(_row_cells(entry)), file=self.out, flush=True)


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def summarize(entries):
    """Return {group: {ratio: geometric mean or None, 'entries': count}} over all entries."""
    groups = {}
    for e in entries:
        groups.setdefault(e["group"], []).append(e)
    return {g: dict({r: geomean([e["ratios"][r] for e in es]) for r in es[0]["ratios"]},
                    entries=len(es))
            for g, es in groups.items()}


def problems(entries):
    """Return (errors, n/a reasons of the subject): what the reader must look at."""
    errors, missing = [], {}
    for e in entries:
        for name, res in e["backends"].items():
            if res["status"] == "error":
                errors.append(f"{name} {e['id']} @ {e['label']}: {res['reason']}")
            elif res["status"] == "n/a" and name == SUBJECT:
                missing.setdefault(res["reason"], []).append(e["id"])
    return errors, missing


def print_summary(report, out):
    """Print geometric-mean ratios per group and any errors or missing ops."""
    ratio_names = [f"{SUBJECT}/torch", f"{SUBJECT}/numpy", "torch/numpy"]
    print("\n== summary: geometric mean of ratios (below 1: numerator faster) ==", file=out)
    print(f"{'group':<14}" + "".join(f"{r:>20}" for r in ratio_names), file=out)
    for group, s in report["summary"].items():
        print(f"{group:<14}" + "".join(f"{fmt_ratio(s[r]):>20}" for r in ratio_names),
              file=out)
    errors, missing = problems(report["results"])
    for reason, ids in list(missing.items())[:8]:
        print(f"{SUBJECT} n/a in {len(ids)} entries: {reason}", file=out)
    for line in errors:
        print(f"ERROR {line}", file=out)


def markdown(report):
    """Return a README-ready Markdown table of the run."""
    m = report["machine"]
    ver = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    isa = " ".join(k for k, v in m["isa"].items() if v)
    lines = [f"{m['cpu']}, {m['threads']['requested']} threads ({isa}); {ver}; "
             f"{'quick' if report['settings']['quick'] else 'full'} run, {m['date'][:10]}.",
             ""]
    first = report["results"][0]["backends"] if report["results"] else {}
    names = [n for n in ALL_NAMES if n in first]
    header = ["case", "size"] + names + [SHORT[r] for r in RATIO_COLUMNS]
    lines += ["| " + " | ".join(header) + " |",
              "|---|---|" + "---:|" * (len(header) - 2)]
    for e in report["results"]:
        cells = _row_cells(e)
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build(entries, machine, settings):
    """Return the JSON-ready report: machine, settings, entries and per-group summary."""
    return {"schema": SCHEMA, "machine": machine, "settings": settings,
            "results": entries, "summary": summarize(entries)}


def write_json(report, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
        f.write("\n")
