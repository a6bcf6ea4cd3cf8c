"""Load-to-interactive of the timeline in Chromium at 10,000 events (issue 16, item 2).

    .venv/bin/python bench/timeline_load.py [--count 10000] [--runs 5]

Fills a SQLite bench database (bench/out/timeline-bench.sqlite3) with the corpus and synthetic
events, serves it with gunicorn under production settings on 127.0.0.1, and opens the
chronology in headless Chromium with an empty cache each run. It prints, per URL, the
median time to DOMContentLoaded, to "interactive" (the timeline has its one tab stop,
which timeline.js sets up), and of a zoom (the fragment swapped in), with the bytes the
page transferred (compressed) and the SVG elements drawn.
"""

import argparse
import gzip
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import OUT, PYTHON, ROOT, Gunicorn, manage, production_env  # noqa: E402

URLS = ["/", "/?view=2024-03", "/?actor=changpeng-zhao&actor=binance"]
CHROMIUM = "/usr/bin/chromium"


def measure(page, url):
    transferred = []
    page.on("response", lambda r: transferred.append(r))
    started = time.monotonic()
    document = page.goto(url, wait_until="domcontentloaded")
    loaded = time.monotonic() - started
    page.wait_for_selector("#timeline[data-ready] [tabindex='0']", timeout=10_000)
    interactive = time.monotonic() - started
    # Pages leave compression to the front server; static files come gzipped from WhiteNoise.
    encoded = len(gzip.compress(document.body())) + sum(
        r.request.sizes()["responseBodySize"] for r in transferred if r is not document
    )
    elements = page.evaluate("document.querySelectorAll('#timeline svg *').length")
    window = "(() => { const f = document.querySelector('#timeline'); return f.dataset.start + f.dataset.end; })()"
    before = page.evaluate(window)
    started = time.monotonic()
    page.locator("#timeline .tl-item[tabindex='0']").focus()
    page.keyboard.press("+")
    page.wait_for_function(f"old => {window} !== old", arg=before)
    page.wait_for_selector("#timeline[data-ready]")
    zoomed = time.monotonic() - started
    return loaded, interactive, zoomed, encoded, elements


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "timeline-bench.sqlite3"
    path.unlink(missing_ok=True)
    env = production_env(f"sqlite:///{path}")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    manage(env, "migrate", "--noinput")
    manage(env, "reload_timeline")
    manage(env, "generate_benchmark_events", "--count", str(args.count))
    server = Gunicorn(env)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            print(f"Timeline at {args.count:,} synthetic events + corpus, median of {args.runs} cold loads")
            print(
                f"{'URL':45} {'DOMContentLoaded':>17} {'interactive':>12} {'zoom':>8} {'bytes (gz)':>11} {'SVG els':>8}"
            )
            for url in URLS:
                runs = []
                for _ in range(args.runs):
                    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
                    runs.append(measure(context.new_page(), url))
                    context.close()
                columns = list(zip(*runs, strict=True))
                loaded, interactive, zoomed = (statistics.median(column) for column in columns[:3])
                encoded, elements = runs[-1][3], runs[-1][4]
                print(
                    f"{url:45} {loaded * 1000:>14.0f} ms {interactive * 1000:>9.0f} ms "
                    f"{zoomed * 1000:>5.0f} ms {encoded / 1024:>8.1f} KB {elements:>8}"
                )
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
