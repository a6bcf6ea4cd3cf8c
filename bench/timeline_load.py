"""Load-to-interactive of the timeline in Chromium at 10,000 events (issue 16, item 2).

    .venv/bin/python bench/timeline_load.py [--count 10000] [--runs 5]

Fills a SQLite bench database (bench/out/timeline-bench.sqlite3) with the corpus and synthetic
events, serves it with gunicorn under production settings on 127.0.0.1, and opens the
chronology in headless Chromium with an empty browser cache each run (the server's caches
warmed by a few requests first). It prints, per URL, the
median time to the first byte, to DOMContentLoaded, to "interactive" (the timeline has its one tab stop,
which timeline.js sets up), and of a zoom (the fragment swapped in), with the bytes the
page transferred (compressed) and the SVG elements drawn.
"""

import argparse
import gzip
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import OUT, PYTHON, ROOT, Gunicorn, manage, production_env  # noqa: E402

URLS = ["/", "/?view=2024-03", "/?actor=changpeng-zhao&actor=binance"]
CHROMIUM = "/usr/bin/chromium"
WARM_UP = 6


def measure(page, url):
    transferred = []
    page.on("response", lambda r: transferred.append(r))
    started = time.monotonic()
    document = page.goto(url, wait_until="domcontentloaded")
    loaded = time.monotonic() - started
    first_byte = page.evaluate("performance.getEntriesByType('navigation')[0].responseStart") / 1000
    page.wait_for_selector("#chart[data-ready] svg:visible .chart-item[tabindex='0']", timeout=10_000)
    interactive = time.monotonic() - started
    # Pages leave compression to the front server; static files come gzipped from WhiteNoise.
    encoded = len(gzip.compress(document.body())) + sum(
        r.request.sizes()["responseBodySize"] for r in transferred if r is not document
    )
    elements = page.evaluate("document.querySelectorAll('#chart svg *').length")
    window = "(() => { const f = document.querySelector('#chart'); return f.dataset.start + f.dataset.end; })()"
    before = page.evaluate(window)
    started = time.monotonic()
    page.locator("#chart svg:visible .chart-item[tabindex='0']").focus()
    page.keyboard.press("+")
    page.wait_for_function(f"old => {window} !== old", arg=before)
    page.wait_for_selector("#chart[data-ready]")
    zoomed = time.monotonic() - started
    return first_byte, loaded, interactive, zoomed, encoded, elements


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database of an earlier run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "timeline-bench.sqlite3"
    env = production_env(f"sqlite:///{path}")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if not (args.reuse and path.exists()):
        path.unlink(missing_ok=True)
        manage(env, "migrate", "--noinput")
        manage(env, "reload_timeline")
        manage(env, "generate_benchmark_events", "--count", str(args.count))
    server = Gunicorn(env)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            print(f"Timeline at {args.count:,} synthetic events + corpus, median of {args.runs} cold loads")
            print(
                f"{'URL':40} {'first byte':>11} {'DOMContentLoaded':>17} {'interactive':>12} {'zoom':>8}"
                f" {'bytes (gz)':>11} {'SVG els':>8}"
            )
            for url in URLS:
                for _ in range(WARM_UP):  # each gunicorn worker fills its own cache: measure the warm path
                    urllib.request.urlopen(server.url + url).read()
                runs = []
                for _ in range(args.runs):
                    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
                    runs.append(measure(context.new_page(), url))
                    context.close()
                columns = list(zip(*runs, strict=True))
                first_byte, loaded, interactive, zoomed = (statistics.median(column) for column in columns[:4])
                encoded, elements = runs[-1][4], runs[-1][5]
                print(
                    f"{url:40} {first_byte * 1000:>8.0f} ms {loaded * 1000:>14.0f} ms {interactive * 1000:>9.0f} ms "
                    f"{zoomed * 1000:>5.0f} ms {encoded / 1024:>8.1f} KB {elements:>8}"
                )
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
