"""A PNG bar chart of the ratios on a log axis, with a line at 1.0 (parity)."""
from bench.backends import SUBJECT


def available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _series(entries):
    """Pick the ratios to draw: the subject's, or torch/numpy while the subject has none."""
    names = [f"{SUBJECT}/torch", f"{SUBJECT}/numpy"]
    if not any(e["ratios"][n] is not None for e in entries for n in names):
        names = ["torch/numpy"]
    return names


def plot(report, path):
    """Write the chart to path (one row per entry, one bar per ratio); False if empty."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = report["results"]
    names = _series(entries)
    if not any(e["ratios"][n] for e in entries for n in names):
        return False  # nothing measured twice: no ratio to draw
    rows = [f"{e['id']} @ {e['label']}" for e in entries]
    height = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.2 * len(rows) * max(1, len(names) / 1.5)))
    for k, name in enumerate(names):
        ys = [i + (k - (len(names) - 1) / 2) * height for i in range(len(rows))]
        xs = [e["ratios"][name] or 0 for e in entries]  # 0: not measured, draws nothing
        # Bars grow from parity: left of 1.0 the numerator is faster, right slower.
        ax.barh([y for y, x in zip(ys, xs) if x], [x - 1 for x in xs if x], left=1.0,
                height=height, label=name)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first case at the top, like the table
    ax.set_xlabel("time ratio (log scale; left of 1.0: numerator faster)")
    m = report["machine"]
    note = "" if names[0].startswith(SUBJECT) else f" ({SUBJECT} not measured)"
    ax.set_title(f"{m['cpu']}, {m['threads']['requested']} threads, {m['date'][:10]}{note}",
                 fontsize=9)
    ax.legend(loc="lower right")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
