"""Loading the page in Chromium: our first page against TimelineJS and vis-timeline, in one run.

Each page is loaded in a fresh browser context (empty cache) from 127.0.0.1. Ours comes
from the benchmark's gunicorn. TimelineJS (1,000 and 10,000 events) and vis-timeline (10,000 items)
come from their npm packages, served by Playwright routes on the same origin with their
data inline, so neither waits on a second request for it. All are timed the same
way: `drawn` is the first animation frame in which the page's events (our articles, their
markers or items) are in the DOM. Ours is also *interactive* at the first frame in which
the timeline has its one tab stop (timeline.js sets it up once its keys, zoom and brush work).
Transferred bytes are every response's body as Chromium received it, and that body
gzip-compressed (as a compressing proxy would send it).

Our page and TimelineJS with 1,000 events, the pair issue 14 compares, are loaded LOADS times
each, taking turns, and each figure is the median with its range: one load of each read 181 ms
against 2,310 ms in one run and 440 ms against 3,536 ms in the next, on the same code.
"""

import gzip
import json
import re
import statistics
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [  # as tests/test_browser.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMELINEJS = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
VIS = ROOT / "node_modules" / "vis-timeline" / "standalone" / "umd" / "vis-timeline-graph2d.min.js"

TIMELINEJS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="/bench-pages/timelinejs/css/timeline.css">
<script src="/bench-pages/timelinejs/js/timeline.js"></script></head>
<body><div id="timeline" style="width: 1200px; height: 700px"></div><script>
window.timeline = new TL.Timeline("timeline", DATA);
</script></body></html>"""
VIS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vis-timeline</title>
<script src="/bench-pages/vis-timeline.min.js"></script></head>
<body><div id="timeline"></div><script>
window.timeline = new vis.Timeline(document.getElementById("timeline"), new vis.DataSet(DATA), {height: "700px"});
</script></body></html>"""
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {fcp_ms: paint ? paint.startTime : null, dcl_ms: nav.domContentLoadedEventEnd,
          load_ms: nav.loadEventEnd, drawn_ms: window.__drawn, interactive_ms: window.__interactive ?? null};
}"""
WATCH = """(() => {
  const [selector, count, ready] = %s;
  const check = () => {
    if (window.__drawn === undefined && document.querySelectorAll(selector).length >= count)
      window.__drawn = performance.now();
    if (ready && window.__interactive === undefined && document.querySelector(ready))
      window.__interactive = performance.now();
    if (window.__drawn === undefined || (ready && window.__interactive === undefined)) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""
READY = "#chart[data-ready] .chart-item[tabindex='0']"  # document.querySelector: plain CSS
LOADS = 9  # five gave medians 9.6× to 12.0× apart on the same code (bench/notes.md)


def timelinejs_data(base_url, count):
    """Our own TimelineJS export of the corpus events involving CZ, repeated (numbered headlines) up to `count`.

    A small export, so that building it does not swell the worker whose memory the benchmark reports.
    """
    with urllib.request.urlopen(base_url + "/events.timelinejs.json?actor=changpeng-zhao", timeout=300) as response:
        data = json.load(response)
    events = data["events"]
    copies = []
    for i in range(count):
        event = events[i % len(events)]
        text = {**event["text"], "headline": f"{event['text']['headline']} #{i}"}
        copies.append({**event, "unique_id": f"e{i}", "text": text})
    data["events"] = copies
    return data


def vis_items(timelinejs, count):
    events = timelinejs["events"]
    items = []
    for i in range(count):
        event = events[i % len(events)]
        start = event["start_date"]
        date = f"{start['year']}-{int(start.get('month', 1)):02d}-{int(start.get('day', 1)):02d}"
        items.append({"id": i, "content": re.sub(r"<[^>]+>", "", event["text"]["headline"])[:80], "start": date})
    return items


def load(browser, base_url, path, routes, drawn, ready=None, timeout_ms=120_000):
    """Timings and transferred bytes of one page load in a fresh context.

    `drawn` is (selector, count): the page is drawn at the first animation frame in which
    that many elements match, watched from before the first byte arrives; `ready` is the
    selector whose first match makes the page interactive.
    """
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    for pattern, handler in routes.items():
        context.route(pattern, handler)
    context.add_init_script(WATCH % json.dumps([*drawn, ready]))
    bodies = []
    page = context.new_page()

    def received(response):
        try:
            bodies.append(response.body())
        except Exception:  # redirects and aborted requests have no body
            pass

    page.on("response", received)
    started = time.monotonic()
    page.goto(path, wait_until="load", timeout=timeout_ms)
    page.wait_for_function("() => window.__drawn !== undefined", polling="raf", timeout=timeout_ms)
    if ready:
        page.wait_for_function("() => window.__interactive !== undefined", polling="raf", timeout=timeout_ms)
    page.wait_for_timeout(200)  # let the paint entries settle
    timings = page.evaluate(TIMINGS)
    timings["shown"] = page.evaluate("document.querySelectorAll('article.event, .tl-timemarker, .vis-item').length")
    timings["wall_s"] = round(time.monotonic() - started, 2)
    context.close()
    return {
        **{k: round(v, 1) if isinstance(v, float) else v for k, v in timings.items()},
        "requests": len(bodies),
        "bytes": sum(len(b) for b in bodies),
        "bytes_gzip": sum(len(gzip.compress(b, compresslevel=6)) for b in bodies),
    }


def medians(loads):
    """One figure per timing: the median of the loads, with the loads' range ("{name}_range")."""
    figures = dict(loads[0])
    for name in loads[0]:
        values = [one[name] for one in loads]
        if name.endswith("_ms") and None not in values:
            figures[name] = round(statistics.median(values), 1)
            figures[f"{name}_range"] = [min(values), max(values)]
    figures["loads"] = len(loads)
    return figures


def turn_ratios(ours, theirs):
    """TimelineJS's drawn time over ours, in each turn: how far the ratio moves with the machine."""
    pairs = zip(ours, theirs, strict=True)
    return [round(them["drawn_ms"] / us["drawn_ms"], 1) for us, them in pairs if us["drawn_ms"]]


def file_route(path, content_type=None):
    def handler(route):
        route.fulfill(path=str(path), content_type=content_type) if content_type else route.fulfill(path=str(path))

    return handler


def page_route(html, data):
    body = html.replace("DATA", json.dumps(data).replace("</", "<\\/"))
    return lambda route: route.fulfill(content_type="text/html", body=body)


def timelinejs_asset(route):
    path = TIMELINEJS / route.request.url.split("/bench-pages/timelinejs/", 1)[1].split("?")[0]
    route.fulfill(path=str(path)) if path.is_file() else route.fulfill(status=404, body="")


def measure(base_url, page_path="/", timelinejs_events=1000, vis_count=10_000):
    """{"ours": …, "timelinejs": …, "timelinejs_large": …, "vis": …}: each page's timings (ms) and bytes.

    TimelineJS is loaded twice: with `timelinejs_events` (issue 14's comparison) and with
    `vis_count` events, the size at which the timelines are compared (issue 16).
    """
    missing = [p for p in (Path(CHROMIUM), TIMELINEJS / "js" / "timeline.js", VIS) if not p.exists()]
    if missing:
        raise RuntimeError(f"Missing {', '.join(map(str, missing))}: apt-get install chromium; npm ci")
    tl_data = timelinejs_data(base_url, timelinejs_events)
    tl_large = timelinejs_data(base_url, vis_count)
    items = vis_items(tl_data, vis_count)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            blank = {"**/bench-pages/blank.html": lambda route: route.fulfill(content_type="text/html", body="<p>warm")}
            load(
                browser, base_url, "/bench-pages/blank.html", blank, drawn=("p", 1)
            )  # the browser's own start-up, paid once
            ours, theirs = [], []
            for _ in range(LOADS):  # in turns, so that a slow spell of the machine slows both
                ours.append(load(browser, base_url, page_path, {}, drawn=("article.event", 1), ready=READY))
                theirs.append(
                    load(
                        browser,
                        base_url,
                        "/bench-pages/timelinejs.html",
                        {
                            "**/bench-pages/timelinejs.html": page_route(TIMELINEJS_PAGE, tl_data),
                            "**/bench-pages/timelinejs/**": timelinejs_asset,
                        },
                        drawn=(".tl-timemarker", timelinejs_events),
                    )
                )
            results = {
                "ours": medians(ours),
                "timelinejs": medians(theirs),
                "timelinejs_large": load(
                    browser,
                    base_url,
                    "/bench-pages/timelinejs.html",
                    {
                        "**/bench-pages/timelinejs.html": page_route(TIMELINEJS_PAGE, tl_large),
                        "**/bench-pages/timelinejs/**": timelinejs_asset,
                    },
                    drawn=(".tl-timemarker", vis_count),
                    timeout_ms=300_000,
                ),
                "vis": load(
                    browser,
                    base_url,
                    "/bench-pages/vis.html",
                    {
                        "**/bench-pages/vis.html": page_route(VIS_PAGE, items),
                        "**/bench-pages/vis-timeline.min.js": file_route(VIS, "application/javascript"),
                    },
                    drawn=(".vis-item", 1),
                ),
            }
        finally:
            browser.close()
    results["ours"]["turn_ratios"] = turn_ratios(ours, theirs)
    results["timelinejs"]["events"] = timelinejs_events
    results["timelinejs_large"]["events"] = vis_count
    results["vis"]["items"] = vis_count
    return results


if __name__ == "__main__":
    import sys

    print(json.dumps(measure(sys.argv[1]), indent=2))
