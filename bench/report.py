"""bench/results.md from the measurements in bench/results.json."""

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_ASSETS = ["timeline/site.css", "timeline/site.js", "django_htmx/htmx-2.min.js", "timeline/favicon.svg"]


def asset_bytes_gzip():
    """Compressed size of the CSS, JS and icon the full page loads, as WhiteNoise serves them."""
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    total = 0
    for name in PAGE_ASSETS:
        path = ROOT / "staticfiles" / manifest[name]
        compressed = path.with_name(path.name + ".gz")
        total += compressed.stat().st_size if compressed.exists() else len(gzip.compress(path.read_bytes()))
    return total


def spread(result, key):
    low, high = result[f"{key}_spread"]
    return f"{result[key]:.1f} ({low:.1f}–{high:.1f})"


def write_markdown(report, path):
    results = report["results"]
    assets = asset_bytes_gzip()
    lines = [
        "# Benchmark results",
        "",
        f"Generated {report['generated']} on {report['machine']['cpus']} cores, Python "
        f"{report['machine']['python']}, in {report['elapsed_seconds']} s. Settings: {json.dumps(report['settings'])}.",
        "",
        "gunicorn (production settings, DEBUG off, 2 gthread workers × 4 threads) on 127.0.0.1, driven by wrk.",
        f"Each figure is the median of {report['settings']['repeats']} runs (1 s each at one connection, "
        f"{report['settings']['seconds']} s each at 32); "
        "the range in brackets is the spread (min–max). `c1` is one connection, `c32` thirty-two. "
        "Queries and in-process times are measured per request with the caches empty (cold: what a "
        "filter state costs the first time after a data change) and filled (warm: a repeated state). "
        "The load runs repeat one URL, so they measure the warm path. "
        "Compressed bytes are gzip level 6 of the body, as a compressing proxy would send it. "
        "The static file is the site's CSS served by WhiteNoise through the same gunicorn: the ceiling "
        "that every `×static` ratio compares against.",
        "",
    ]
    for backend in dict.fromkeys(r["backend"] for r in results):
        for n in dict.fromkeys(r["n"] for r in results if r["backend"] == backend):
            rows = [r for r in results if r["backend"] == backend and r["n"] == n]
            ceiling = next(r for r in rows if r["endpoint"].startswith("static"))
            lines += [
                f"## {backend}, {n:,} events",
                "",
                "| endpoint | c1 req/s | c1 p50 ms | c1 p95 ms | c1 p99 ms | c32 req/s | c32 p95 ms | errors | "
                "×static (c32) | queries cold/warm | in-process ms cold/warm | bytes | gzip bytes |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for r in rows:
                ratio = r["c32"]["rps"] / ceiling["c32"]["rps"] if ceiling["c32"]["rps"] else 0
                lines.append(
                    f"| {r['endpoint']} | {spread(r['c1'], 'rps')} | {spread(r['c1'], 'p50_ms')} | "
                    f"{spread(r['c1'], 'p95_ms')} | {spread(r['c1'], 'p99_ms')} | {spread(r['c32'], 'rps')} | "
                    f"{spread(r['c32'], 'p95_ms')} | {r['c1']['errors'] + r['c32']['errors']} | {ratio:.3f} | "
                    f"{r['queries_cold']}/{r['queries_warm']} | {r['cold_ms']:.0f}/{r['warm_ms']:.0f} | "
                    f"{r['bytes']:,} | {r['bytes_gzip']:,} |"
                )
            run = next(x for x in report["runs"] if x["backend"] == backend and x["n"] == n)
            lines += ["", f"Worker RSS after the runs: {', '.join(f'{m} MB' for m in run['worker_rss_mb'])}."]
            if run.get("soak"):
                soak = run["soak"]
                lines.append(
                    f"Soak: filtered fragment, 32 connections for {report['settings']['soak']} s: "
                    f"{soak['requests']:,} requests, {soak['rps']} req/s, p95 {soak['p95_ms']:.1f} ms, "
                    f"{soak['errors']} errors."
                )
            if run.get("stress"):
                hard = run["stress"]
                lines.append(
                    f"Stress: {len(hard['paths'])} mixed URLs (pages, fragments, JSON, feed), "
                    f"{hard['connections']} connections for {hard['seconds']} s: {hard['requests']:,} requests, "
                    f"{hard['rps']} req/s, p50 {hard['p50_ms']:.0f} ms, p99 {hard['p99_ms']:.0f} ms, "
                    f"{hard['errors']} errors (socket errors, 5 s timeouts and non-2xx responses)."
                )
            lines.append("")
    lines += targets(report, assets)
    path.write_text("\n".join(lines) + "\n")


def targets(report, assets):
    results, runs = report["results"], report["runs"]
    lines = ["## Targets", ""]
    postgres = [r for r in results if r["backend"] == "postgres"]
    if not postgres:
        return [*lines, "PostgreSQL was not benchmarked in this run.", ""]
    largest = max(r["n"] for r in postgres)
    fragment = next(r for r in postgres if r["n"] == largest and r["endpoint"] == "filtered fragment")
    soak = next(x for x in runs if x["backend"] == "postgres" and x["n"] == largest).get("soak") or {}
    first_pages = [r["bytes_gzip"] + assets for r in results if r["endpoint"] == "full page"]
    rss = max(m for x in runs for m in x["worker_rss_mb"])

    def verdict(ok):
        return "met" if ok else "**missed**"

    lines += [
        "| target (PostgreSQL, largest N) | measured | |",
        "| --- | --- | --- |",
        f"| filtered fragment p95 ≤ 50 ms at 1 connection, N = {largest:,} | {fragment['c1']['p95_ms']:.1f} ms | "
        f"{verdict(fragment['c1']['p95_ms'] <= 50)} |",
        f"| 0 errors at 32 connections for {report['settings']['soak']} s | {soak.get('errors', 'n/a')} errors | "
        f"{verdict(soak.get('errors') == 0)} |",
        f"| full first page ≤ 60 KB compressed with CSS and JS, any N | largest {max(first_pages) / 1024:.1f} KB "
        f"(page + {assets / 1024:.1f} KB assets) | {verdict(max(first_pages) <= 60 * 1024)} |",
        f"| gunicorn worker RSS ≤ 150 MB | largest {rss} MB | {verdict(rss <= 150)} |",
    ]
    for run in runs:
        if run.get("stress"):
            hard = run["stress"]
            lines.append(
                f"| 0 errors at {hard['connections']} connections for {hard['seconds']} s, mixed URLs, "
                f"{run['backend']}, N = {run['n']:,} | {hard['errors']} errors in {hard['requests']:,} requests | "
                f"{verdict(hard['errors'] == 0)} |"
            )
    lines.append("")
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    return lines


if __name__ == "__main__":
    report = json.loads((ROOT / "bench" / "results.json").read_text())
    write_markdown(report, ROOT / "bench" / "results.md")
