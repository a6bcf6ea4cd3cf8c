"""Two runs of `make bench` side by side: every first-time and warm figure, and which got worse beyond noise.

    python bench/compare.py OLD.json NEW.json [--label-old A --label-new B]

prints a Markdown table. A warm figure (the median of three load runs, with its min–max) is worse
beyond noise when the new run's range lies wholly on the worse side of the old run's. A first-time
figure is one p95 over a few dozen states, with no range, so it is worse beyond noise when it is more
than NOISE times the old one (the spread seen between runs of one commit on this machine, notes.md).
"""

import argparse
import json

NOISE = 1.25


def warm_rows(report):
    """{(backend, n, endpoint, figure): (median, low, high, lower_is_better)} of the load runs."""
    rows = {}
    for result in report["results"]:
        where = (result["backend"], result["n"], result["endpoint"])
        c1, c32 = result["c1"], result["c32"]
        rows[(*where, "c1 p95 ms")] = (c1["p95_ms"], *c1["p95_ms_spread"], True)
        rows[(*where, "c32 req/s")] = (c32["rps"], *c32["rps_spread"], False)
    return rows


def cold_rows(report):
    """{(backend, n, part, figure): (p95, None, None, True)} of the first-time states."""
    rows = {}
    for run in report["runs"]:
        cold = run["cold"]
        where = (run["backend"], run["n"])
        for part in ("page", "fragment"):
            rows[(*where, part, "first-time p95 ms in process")] = (cold[part]["p95_ms"], None, None, True)
            rows[(*where, part, "first-time p95 ms over HTTP")] = (cold["http"][part]["p95_ms"], None, None, True)
    return rows


def same_size(n):
    """Runs name their size by the events they held (39 at 8d19bae, 40 since a corpus event was added)."""
    return round(n, -1) if n < 100 else round(n, -2)


def worse(old, new):
    value, low, high, lower_is_better = old
    new_value, new_low, new_high, _ = new
    if low is None:
        return new_value > value * NOISE if lower_is_better else new_value < value / NOISE
    return new_low > high if lower_is_better else new_high < low


def shown(figure):
    value, low, high, _ = figure
    return f"{value}" if low is None else f"{value} ({low}–{high})"


def compare(old_report, new_report):
    def keyed(rows):
        return {(backend, same_size(n), *rest): figure for (backend, n, *rest), figure in rows.items()}

    old = keyed({**cold_rows(old_report), **warm_rows(old_report)})
    new = keyed({**cold_rows(new_report), **warm_rows(new_report)})
    return [(key, old[key], new[key], worse(old[key], new[key])) for key in old if key in new]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--label-old", default="old")
    parser.add_argument("--label-new", default="new")
    args = parser.parse_args()
    with open(args.old) as old_file, open(args.new) as new_file:
        rows = compare(json.load(old_file), json.load(new_file))
    print(f"| backend | events | endpoint | figure | {args.label_old} | {args.label_new} | worse beyond noise |")
    print("| --- | ---: | --- | --- | ---: | ---: | --- |")
    for (backend, n, endpoint, figure), old, new, bad in rows:
        flag = "**yes**" if bad else ""
        print(f"| {backend} | {n:,} | {endpoint} | {figure} | {shown(old)} | {shown(new)} | {flag} |")
    print(f"\n{sum(bad for *_, bad in rows)} of {len(rows)} figures worse beyond noise.")


if __name__ == "__main__":
    main()
