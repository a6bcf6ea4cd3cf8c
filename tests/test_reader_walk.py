"""A reader's seeded random walk over the chronology in Chromium, at 1280 px and at 390 px.

After every step: the page equals a fresh load of its URL (headings, form state, counts, the
event list), the URL is the state the form shows, and the console holds no error. Some steps
also say what a person expects of them (a clicked mark opens its event). A failure names the
seed and every step so far: `READER_WALK_SEED=1234 pytest tests/test_reader_walk.py` replays it.
READER_WALK_STEPS and READER_WALK_SECONDS bound each walk; the time guard ends a walk early.
"""

import os
import random
import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import go_back, go_forward
from timeline.dataset.synthetic import generate

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

SEED = int(os.environ.get("READER_WALK_SEED") or random.SystemRandom().randrange(10_000))
STEPS = int(os.environ.get("READER_WALK_STEPS", "150"))
SECONDS = float(os.environ.get("READER_WALK_SECONDS", "60"))
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}

# Counts the page's requests in flight (htmx's XHRs, the timeline's fetches) and when the last one moved.
WATCH = """(() => {
  const w = (window.__walk = { inflight: 0, last: performance.now() });
  const moved = () => { w.last = performance.now(); };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    w.inflight++; moved();
    this.addEventListener("loadend", () => { w.inflight--; moved(); });
    return send.apply(this, args);
  };
  const fetch = window.fetch;
  window.fetch = function (...args) {
    w.inflight++; moved();
    return fetch.apply(this, args).finally(() => { w.inflight--; moved(); });
  };
  window.addEventListener("popstate", moved, true);
  document.addEventListener("htmx:afterSettle", moved, true);
})();"""
SETTLED = """(quiet) => document.readyState === "complete" && window.__walk && window.__walk.inflight === 0
  && performance.now() - window.__walk.last > quiet
  && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, #chart[aria-busy]")"""
SNAPSHOT = """() => {
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, " ").trim() : null);
  const all = (selector, f) => [...document.querySelectorAll(selector)].map(f);
  const form = document.getElementById("filter-form");
  const fig = document.getElementById("chart");
  return {
    title: document.title,
    h1: all("h1", text),
    form: !!form,
    checked: all("#filter-form input[type=checkbox]:checked", (i) => `${i.name}=${i.value}`).sort(),
    fields: all("#filter-form input[name]:not([type=checkbox])", (i) => `${i.name}=${i.value}`),
    status: text(document.getElementById("result-status")),
    filters: text(document.getElementById("filter-count")),
    understood: all(".understood", text),
    problems: all("#results .problems li", text),
    counts: all("#facets .count", (c) => `${c.id} ${text(c)}`),
    events: all("#results article.event", (a) => a.id),
    timeline: fig ? [fig.dataset.start, fig.dataset.end] : null,
  };
}"""
# The facet groups whose options the page holds: a long group's load when it opens (facets.py).
LOADED_GROUPS = """() => [...new Set([...document.querySelectorAll("#facets .option input")].map((i) => i.name))]
  .sort()"""
FORM_PAIRS = """() => { const form = document.getElementById("filter-form");
  return form ? [...new FormData(form)].filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, v.trim()]) : null; }"""

WORDS = ["pardon", "Abu Dhabi", "Binance", "guilty plea", "Trump", "prison sentence", "pardn", "qqzzxx", ""]
VALID_DATES = {"2024": None, "March 2025": None, "2023-11-21": "21 Nov 2023", "Nov 2023": None, "2025": None}
SLASHED_DATES = {"2025/03/04": "4 Mar 2025", "2024/10/01": "1 Oct 2024"}
AMBIGUOUS_DATES = ["03/04/2025", "01/02/2024"]
MISTYPED_DATES = {"Marhc 2025": "March", "Setpember 2024": "September", "Janury 2025": "January"}


class WalkFailure(AssertionError):
    pass


def settle(page, quiet=60):
    """Until the page has loaded, no request is in flight, htmx has settled, and nothing moved for `quiet` ms."""
    for _ in range(5):
        try:
            page.wait_for_load_state("load")
            page.wait_for_function(SETTLED, arg=quiet, polling=25, timeout=15_000)
            return
        except playwright_api.Error as error:  # a navigation replaced the document while we waited
            if "context was destroyed" not in str(error) and "navigation" not in str(error):
                raise


def snapshot(page):
    return page.evaluate(SNAPSHOT)


def query_pairs(url):
    return sorted((name, value.strip()) for name, value in parse_qsl(urlsplit(url).query) if value.strip())


def new_page(browser, base_url, viewport):
    """A page that may reach only this server, watching its requests, and keeping its console errors."""
    context = browser.new_context(viewport=viewport, base_url=base_url)
    context.route(re.compile(r"^(?!http://(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort())
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors, page.seen = [], {}
    page.on("console", lambda m: page.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    return page


def errors(page):
    """The page's console errors but Chromium's line for a 400: a mistyped date gets a readable 400 by design."""
    page.errors[:] = [error for error in page.errors if "status of 400 (Bad Request)" not in error]
    return page.errors


def differences(live, fresh, shown_more):
    """The snapshot's parts that differ; after "Show the next 50" the live list may go on past the fresh one."""
    found = {}
    for key in live:
        a, b = live[key], fresh[key]
        if key == "events" and shown_more and a[: len(b)] == b and len(a) >= len(b):
            continue
        if a != b and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            only = [[x for x in a if x not in b][:12], [x for x in b if x not in a][:12]]
            found[key] = {"live only": only[0], "fresh only": only[1]}
        elif a != b:
            found[key] = {"live": a[:12] if isinstance(a, list) else a, "fresh": b[:12] if isinstance(b, list) else b}
    return found


class Reader:
    """A person on the chronology: each action does what they would, and says so (None if it cannot be done now)."""

    def __init__(self, page, rng, phone):
        self.page, self.rng, self.phone = page, rng, phone
        self.expect = None  # what this step's action promises, checked after the page settles
        self.shown_more = False

    def choose(self, items):
        return self.rng.choice(items)

    def open_filters(self):
        """On a phone the form sits behind "Filters (n)": open it as a person would, by its summary."""
        panel = self.page.locator("details.filter-panel")
        if self.phone and panel.count() and not panel.evaluate("d => d.open"):
            panel.locator("summary.filter-summary").click()

    def tick(self):
        boxes = self.page.eval_on_selector_all(
            "#filter-form input[type=checkbox]", "els => els.map(e => [e.name, e.value, e.checked])"
        )
        if not boxes:
            return None
        name, value, checked = self.choose(boxes)
        self.open_filters()
        box = self.page.locator(f"#filter-form input[type=checkbox][name='{name}'][value='{value}']")
        facet = box.locator("xpath=ancestor::details[contains(@class, 'facet')]")
        if facet.count() and not facet.evaluate("d => d.open"):
            facet.locator("summary").click()
        verb = "untick" if checked else "tick"
        if self.rng.random() < 0.25:
            box.focus()
            self.page.keyboard.press("Space")
            return f"{verb} {name}={value} by keyboard Space"
        box.locator("xpath=ancestor::label").click()
        return f"{verb} {name}={value} by a click on its label"

    def open_long_facet(self):
        """Open a long facet whose options are not on the page yet (the actors): they load into it."""
        pending = self.page.locator("#facets details[data-options]:has(.options-pending)")
        if not pending.count():
            return None
        self.open_filters()
        facet = self.page.locator(f"#facets details[data-options='{pending.first.get_attribute('data-options')}']")
        name = facet.locator(".facet-name").inner_text()
        facet.locator("summary").click()
        facet.locator(".option").first.wait_for(state="attached")
        return f"open the {name} facet (its options load)"

    def type_into(self, selector, text, how):
        field = self.page.locator(selector)
        field.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Backspace") if not text else self.page.keyboard.type(text)
        if how != "wait":
            self.page.keyboard.press(how)
        if selector == "#id_q":
            self.page.wait_for_timeout(450)  # past the search's 400 ms pause, so its request has started

    def search(self):
        self.open_filters()
        words, how = self.choose(WORDS), self.choose(["Enter", "Tab", "wait"])
        self.type_into("#id_q", words, how)
        return f"search {words!r} then {how}"

    def date(self):
        self.open_filters()
        field, how = self.choose(["from", "to"]), self.choose(["Enter", "Tab"])
        kind = self.choose(["valid", "valid", "slashed", "ambiguous", "mistyped"])
        table = {"valid": VALID_DATES, "slashed": SLASHED_DATES, "mistyped": MISTYPED_DATES}
        text = self.choose(AMBIGUOUS_DATES if kind == "ambiguous" else sorted(table[kind]))
        self.type_into(f"#id_{field}", text, how)
        self.expect = ("date", field, kind, text)
        return f"type {text!r} in {field!r} ({kind}) then {how}"

    def clear(self):
        links = {
            "a removal link": "#nothing .removals a",
            "an active filter's removal": "#result-status a.active-filter",
            "the suggestion": "#nothing a:not(.removals a)",
            "start again": "#results .problems a",
            "the undated link": "#undated-note a",
            "clear the date range": "#chart .chart-tools a[data-action='dates']",
            "clear all filters": "#filter-form .actions a",
        }
        present = [(what, sel) for what, sel in links.items() if self.page.locator(sel).count()]
        if not present:
            return None
        what, selector = self.choose(present)
        if what == "clear all filters":
            self.open_filters()
        link = self.page.locator(selector)
        link = link.nth(self.rng.randrange(link.count()))
        label = link.inner_text().strip()
        link.click()
        return f"follow {what}: {label!r}"

    def window(self):
        tools = self.page.locator("#chart .chart-tools a[data-action='window']")
        if not tools.count():
            return None
        tool = tools.nth(self.rng.randrange(tools.count()))
        label, href = tool.inner_text().strip(), tool.get_attribute("href")
        tool.click()
        self.expect = ("view", dict(parse_qsl(urlsplit(href).query)).get("view"))
        return f"timeline button {label!r}"

    def brush(self):
        if not self.page.locator("#chart svg:visible").count():
            return None
        self.page.locator("#chart").scroll_into_view_if_needed()
        box = self.page.locator("#chart svg:visible").bounding_box()
        y = box["y"] + float(self.page.get_attribute("#chart svg:visible .axis", "y1")) + 6
        a, b = sorted(self.rng.uniform(0.1, 0.9) for _ in range(2))
        self.page.mouse.move(box["x"] + box["width"] * a, y)
        self.page.mouse.down()
        self.page.mouse.move(box["x"] + box["width"] * max(b, a + 0.1), y, steps=5)
        self.page.mouse.up()
        return f"brush the axis from {a:.0%} to {max(b, a + 0.1):.0%}"

    def click_mark(self):
        """A mouse click on a mark of this page's events or on a cluster, on the shape a person sees."""
        items = self.page.eval_on_selector_all(
            "#chart svg:visible a.chart-mark[href^='#'], #chart svg:visible a.chart-cluster",
            "els => els.map(e => [e.getAttribute('aria-label'), e.getAttribute('href'), e.dataset.action || ''])",
        )
        for label, href, action in self.rng.sample(items, min(len(items), 4)):
            shape = self.page.locator(f"#chart svg:visible a.chart-item[href='{href}']").locator("circle, rect").first
            try:
                shape.click(trial=True, timeout=1500)
            except playwright_api.Error:
                continue  # covered by another mark or label: a person would click another
            shape.click()
            if href.startswith("#"):
                self.expect = ("open", href[1:])
            else:
                self.expect = (action, dict(parse_qsl(urlsplit(href).query)))
            return f"click the timeline's {'mark' if href.startswith('#') else 'cluster'} {label!r}"
        return None

    def show_more(self):
        link = self.page.locator("#results .load-more a")
        if not link.count():
            return None
        self.expect = ("more", self.page.locator("#results article.event").count())
        link.click()
        self.shown_more = True
        return "show the next 50"

    def show_results(self):
        if not self.phone or not self.page.locator("details.filter-panel[open]").count():
            return None
        self.page.locator("button.show-results").click()
        return "press “Show n results” (phone)"

    def back(self):
        if not self.page.evaluate("navigation.canGoBack"):
            return None
        go_back(self.page)
        return "Back"

    def forward(self):
        if not self.page.evaluate("navigation.canGoForward"):
            return None
        go_forward(self.page)
        return "Forward"

    def reload(self):
        self.page.reload()
        return "Reload"

    def act(self):
        """One action, chosen by weight among those possible now; its description, or None if none was."""
        weights = {
            self.tick: 6, self.open_long_facet: 2, self.search: 3, self.date: 3, self.clear: 2, self.window: 3,
            self.brush: 1, self.click_mark: 2, self.show_more: 2, self.show_results: 1, self.back: 3, self.forward: 2,
            self.reload: 1,
        }  # fmt: skip
        for _ in range(20):
            action = self.rng.choices(list(weights), list(weights.values()))[0]
            self.expect = None
            done = action()
            if done:
                if action not in (self.show_more, self.click_mark, self.window, self.open_long_facet):  # the list stays
                    self.shown_more = False
                return done
        return None


def check_expectation(page, expect):
    """What the step's action promised a person, beyond the page equalling a fresh load."""
    if expect is None:
        return None
    kind, *args = expect
    url = dict(parse_qsl(urlsplit(page.url).query))
    if kind == "open":
        opened = page.evaluate(f"document.getElementById({args[0]!r})?.querySelector('details')?.open === true")
        if urlsplit(page.url).fragment != args[0] or not opened:
            return f"a mouse click on the mark of {args[0]!r} did not open it (URL {page.url})"
    elif kind in ("window", "dates"):
        wanted = {name: args[0].get(name) for name in (("view",) if kind == "window" else ("from", "to"))}
        if {name: url.get(name) for name in wanted} != wanted:
            return f"a mouse click on a cluster ({kind}) did not set {wanted}: the URL says {url}"
    elif kind == "view" and url.get("view") != args[0]:
        return f"the timeline button asked for view={args[0]!r}; the URL says {url.get('view')!r}"
    elif kind == "more" and page.locator("#results article.event").count() <= args[0]:
        return "“Show the next 50” showed no more events"
    elif kind == "date":
        return date_expectation(page, *args)
    return None


def date_expectation(page, field, kind, text):
    beside = page.locator(f"#{field}-understood")
    said = (beside.text_content() or "").strip() if beside.count() else ""  # the text even in a closed panel
    if not page.locator("h1").count() or not page.locator("#filter-form").count():
        return f"the date {text!r} blanked the page (no h1 or no form)"
    if kind == "slashed" and SLASHED_DATES[text] not in said:
        return f"{text!r} (year, month, day) is read as {said!r}, not as {SLASHED_DATES[text]}"
    if kind == "ambiguous" and not said:
        return f"the ambiguous {text!r} has no word beside the field saying how it was read"
    if kind == "mistyped" and MISTYPED_DATES[text].lower() not in said.lower():
        return f"the mistyped {text!r} gets {said!r} beside the field: no nearest reading ({MISTYPED_DATES[text]})"
    if kind == "valid" and VALID_DATES[text] and VALID_DATES[text] not in said:
        return f"{text!r} is read as {said!r}, not as {VALID_DATES[text]}"
    return None


def broken_invariant(page, fresh, shown_more):
    """None, or which invariant the page breaks now."""
    if errors(page):
        return f"the console holds errors: {errors(page)}"
    if urlsplit(page.url).path != "/":
        return None if page.locator("h1").count() else f"{page.url} has no h1"
    live = snapshot(page)
    form = page.evaluate(FORM_PAIRS)
    if form is not None and sorted(map(tuple, form)) != query_pairs(page.url):
        return f"the URL is not the state the form shows: URL {query_pairs(page.url)}, form {sorted(map(tuple, form))}"
    url = page.url.split("#")[0]
    loaded = tuple(page.evaluate(LOADED_GROUPS))
    if (url, loaded) not in fresh.seen:  # the walk only reads: a URL's fresh load is the same every time
        fresh.goto(url)
        settle(fresh)
        if errors(fresh):
            return f"a fresh load of {url} logs errors: {errors(fresh)}"
        for name in loaded:  # the long facets the reader opened, opened on the fresh load too
            facet = fresh.locator(f"#facets details[data-options='/facets/{name}/']")
            if facet.locator(".options-pending").count():
                facet.evaluate("d => { d.open = true; }")
                facet.locator(".option").first.wait_for(state="attached")
        fresh.seen[url, loaded] = snapshot(fresh)
    found = differences(live, fresh.seen[url, loaded], shown_more)
    return f"the page differs from a fresh load of {page.url}: {found}" if found else None


def walk(browser, base_url, viewport, name, steps=STEPS, seconds=SECONDS):
    """Walk `steps` steps (or until `seconds` have passed); fail with the seed and the steps so far."""
    rng = random.Random(f"{SEED}:{name}")
    page, fresh = new_page(browser, base_url, viewport), new_page(browser, base_url, viewport)
    reader = Reader(page, rng, phone=viewport["width"] < 600)
    done, began = [], time.monotonic()
    try:
        page.goto("/")
        settle(page)
        while len(done) < steps and time.monotonic() - began < seconds:
            try:
                step = reader.act()
                if step is None:
                    break
                settle(page)
                done.append(f"{len(done) + 1:3} {step}   → {page.url.removeprefix(base_url)}")
                problem = check_expectation(page, reader.expect) or broken_invariant(page, fresh, reader.shown_more)
            except playwright_api.Error as error:
                done.append(f"{len(done) + 1:3} (the step could not be done)")
                problem = f"Playwright: {error.message.splitlines()[0]}"
            if problem:
                raise WalkFailure(
                    f"reader walk {name}, seed {SEED}, step {len(done)}: {problem}\n"
                    f"replay: READER_WALK_SEED={SEED} pytest tests/test_reader_walk.py -k {name}\n" + "\n".join(done)
                )
    finally:
        page.context.close()
        fresh.context.close()
    print(f"reader walk {name}, seed {SEED}: {len(done)} steps in {time.monotonic() - began:.1f} s")
    return done


@pytest.mark.parametrize(("name", "viewport"), [("wide", WIDE), ("phone", PHONE)])
def test_a_readers_walk_keeps_the_page_equal_to_a_fresh_load_of_its_url(browser, site, name, viewport):
    assert walk(browser, site, viewport, name)


def test_a_readers_walk_paged_past_the_first_50_events(browser, writable_site):
    """With more matches than a page holds, "Show the next 50" is one of the reader's steps."""
    generate(20)
    assert walk(browser, writable_site, WIDE, "paged", steps=STEPS // 2, seconds=SECONDS / 2)
