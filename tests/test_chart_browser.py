"""The interactive chart, the phone layout and the skip links in Chromium (fixtures in test_browser.py)."""

import contextlib
import datetime
import json
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import go_back
from tests.test_browser import AXE, SCREENSHOTS, run_axe, wait_for_swap
from timeline.models import Actor, Event

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOWN = "#chart svg:visible"  # the layout the chart's width shows (the other is not displayed)


def window(page):
    return page.evaluate(
        "(() => { const f = document.getElementById('chart'); return [f.dataset.start, f.dataset.end]; })()"
    )


def days(span):
    start, end = (datetime.date.fromisoformat(day) for day in span)
    return (end - start).days + 1


def wait_for_window_change(page, before):
    page.wait_for_function(
        "old => { const f = document.getElementById('chart');"
        " return f && f.dataset.ready && f.dataset.start + f.dataset.end !== old; }",
        arg="".join(before),
    )


def svg_box(page):
    return page.locator("#chart svg:visible").bounding_box()


def axis_y(page):
    box = svg_box(page)
    return box["y"] + float(page.get_attribute("#chart svg:visible .axis", "y1")) + 6


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


def assert_list_within(page, first, last):
    slugs = page.eval_on_selector_all("#results article.event", "els => els.map(e => e.id)")
    assert slugs
    for event in Event.objects.filter(slug__in=slugs):
        assert event.date <= last and event.latest_date >= first, event.slug


def test_mouse_zooms_pans_and_brushes_a_range_that_filters_and_pushes_a_url(page):
    page.goto("/")
    whole = window(page)
    box = svg_box(page)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -400)
    page.keyboard.up("Control")
    wait_for_window_change(page, whole)
    zoomed = window(page)
    assert days(zoomed) < days(whole) / 2
    assert query_of(page)["view"] == [f"{zoomed[0]}..{zoomed[1]}"]  # shareable, without a history entry

    box = svg_box(page)
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 60, steps=5)
    page.mouse.up()
    wait_for_window_change(page, zoomed)
    panned = window(page)
    assert panned[0] > zoomed[0] and days(panned) == days(zoomed)  # dragged left: later dates

    history = page.evaluate("history.length")
    y = axis_y(page)
    box = svg_box(page)
    wait_for_swap(
        page,
        lambda: (
            page.mouse.move(box["x"] + box["width"] * 0.3, y),
            page.mouse.down(),
            page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=5),
            page.mouse.up(),
        ),
    )
    page.wait_for_url(re.compile(r"from=.*to="))
    chosen = query_of(page)
    first, last = (datetime.date.fromisoformat(chosen[name][0]) for name in ("from", "to"))
    assert datetime.date.fromisoformat(panned[0]) < first < last < datetime.date.fromisoformat(panned[1])
    assert chosen["view"] == [f"{panned[0]}..{panned[1]}"]  # the window stays where it was
    assert page.evaluate("history.length") == history + 1  # a pushed URL, as the filter form does
    assert page.input_value("#id_from") == chosen["from"][0]
    page.wait_for_selector("#chart .chart-selection")
    assert_list_within(page, first, last)
    go_back(page)
    page.wait_for_function("() => !location.search.includes('from=')")
    page.wait_for_load_state("networkidle")


def dispatch(page, points, kind):
    """Pointer events as a touch screen sends them: [(pointer id, x, y)]."""
    page.evaluate(
        """([points, kind]) => points.forEach(([id, x, y]) => {
            const target = document.elementFromPoint(x, y);
            target.dispatchEvent(new PointerEvent(kind, {pointerId: id, pointerType: 'touch', isPrimary: id === 1,
                clientX: x, clientY: y, bubbles: true, cancelable: true, composed: true, button: 0,
                buttons: kind === 'pointerup' ? 0 : 1}));
        })""",
        [points, kind],
    )


def touch_drag(page, tracks, steps=6):
    """Move each finger from its start to its end: tracks are [(id, (x0, y0), (x1, y1))]."""
    dispatch(page, [(i, *a) for i, a, _ in tracks], "pointerdown")
    for step in range(1, steps + 1):
        f = step / steps
        dispatch(page, [(i, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f) for i, a, b in tracks], "pointermove")
    dispatch(page, [(i, *b) for i, _, b in tracks], "pointerup")


def test_touch_pinches_drags_and_brushes_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, base_url=site, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    whole = window(page)
    box = svg_box(page)
    middle, y = box["x"] + box["width"] / 2, box["y"] + 70
    touch_drag(page, [(1, (middle - 30, y), (middle - 120, y)), (2, (middle + 30, y), (middle + 120, y))])
    wait_for_window_change(page, whole)
    pinched = window(page)
    assert days(pinched) < days(whole) / 2

    box = svg_box(page)
    touch_drag(page, [(1, (box["x"] + 100, y), (box["x"] + 250, y))])
    wait_for_window_change(page, pinched)
    dragged = window(page)
    assert dragged[0] < pinched[0]  # dragged right: earlier dates

    box = svg_box(page)
    y = axis_y(page)
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        touch_drag(page, [(1, (box["x"] + 80, y), (box["x"] + 300, y))])
    page.wait_for_url(re.compile(r"from=.*to="))
    chosen = query_of(page)
    assert_list_within(page, *(datetime.date.fromisoformat(chosen[name][0]) for name in ("from", "to")))
    context.close()


FOCUSED_KIND = """() => {
  const el = document.activeElement;
  if (!el.closest('#chart')) return null;
  for (const kind of ['chart-band', 'chart-item', 'chart-tick']) if (el.classList.contains(kind)) return kind;
  return el.closest('.chart-tools') ? 'tool:' + el.textContent : 'other';
}"""


def test_keyboard_reaches_every_control_from_the_top_and_moves_within_marks_and_ticks(page):
    """Issue 31: 26 Tabs reached the chart, and zoom, earlier, later and the era bands not at all."""
    page.goto("/?view=2024-06..2025-06")
    page.wait_for_selector("#chart[data-ready]")
    presses = 0
    while page.evaluate(FOCUSED_KIND) is None and presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.textContent") == "Skip to the timeline and events":
            page.keyboard.press("Enter")  # the skip link: the chart opens the results
    assert page.evaluate(FOCUSED_KIND) == "tool:Zoom in", presses  # the chart's first control, within 5 Tabs

    kinds = []
    while (kind := page.evaluate(FOCUSED_KIND)) is not None and len(kinds) < 40:
        kinds.append(kind)
        page.keyboard.press("Tab")
    bands = page.locator(f"{SHOWN} .chart-band").count()
    assert [k for k in kinds if k.startswith("tool:")] == [
        "tool:Zoom in",
        "tool:Zoom out",
        "tool:Earlier",
        "tool:Later",
        "tool:Whole story",
    ]
    assert kinds.count("chart-band") == bands > 1  # each era band
    assert kinds.count("chart-item") == 1 and kinds.count("chart-tick") == 1  # marks and axis: one stop each

    page.keyboard.press("Shift+Tab")  # back to the axis: arrows move between ticks, Enter zooms
    tick = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") not in (tick, None)
    before = window(page)
    page.keyboard.press("Enter")
    wait_for_window_change(page, before)
    assert days(window(page)) < days(before)

    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    page.locator(f"{SHOWN} .chart-item[tabindex='0']").focus()
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") != first
    assert page.locator(f"{SHOWN} .chart-item[tabindex='0']").count() == 1
    focused = "document.activeElement.closest('#chart') !== null"
    whole = window(page)
    page.keyboard.press("+")
    wait_for_window_change(page, whole)
    zoomed = window(page)
    assert days(zoomed) < days(whole) and page.evaluate(focused)
    page.keyboard.press("PageDown")
    wait_for_window_change(page, zoomed)
    assert window(page)[0] > zoomed[0] and page.evaluate(focused)
    moved = window(page)
    page.keyboard.press("-")
    wait_for_window_change(page, moved)
    assert days(window(page)) > days(moved)

    page.keyboard.press("Home")
    page.keyboard.down("Shift")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.keyboard.up("Shift")
    page.wait_for_url(re.compile(r"from=.*to="))
    chosen = query_of(page)
    assert chosen["from"][0] <= chosen["to"][0]

    page.wait_for_selector("#chart[data-ready]")
    mark = page.locator(f"{SHOWN} .chart-mark[href^='#']").first
    slug = mark.get_attribute("data-slug")
    mark.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"article#{slug} details[open]")
    assert (
        page.evaluate("document.activeElement.closest('article') && document.activeElement.closest('article').id")
        == slug
    )


def test_a_tool_works_from_the_keyboard_and_keeps_the_focus(page):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    whole = window(page)
    page.get_by_role("link", name="Zoom in", exact=True).focus()
    page.keyboard.press("Enter")
    wait_for_window_change(page, whole)
    assert days(window(page)) < days(whole)
    assert page.evaluate("document.activeElement.textContent") == "Zoom in"
    assert query_of(page)["view"] == ["..".join(window(page))]


def test_the_window_asked_for_last_wins_over_an_answer_still_on_its_way(page):
    """Zoom in, then Later before the zoomed chart arrives: the chart, the address and a fresh load agree."""
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    whole = window(page)
    page.get_by_role("link", name="Zoom in", exact=True).click()
    wait_for_window_change(page, whole)
    page.wait_for_load_state("networkidle")
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/timeline/?*", hold_the_first)
    zoomed = window(page)
    page.get_by_role("link", name="Zoom in", exact=True).click()
    page.wait_for_function("() => document.getElementById('chart').getAttribute('aria-busy') === 'true'")
    assert len(held) == 1
    page.get_by_role("link", name="Later", exact=True).click()
    wait_for_window_change(page, zoomed)
    with contextlib.suppress(PlaywrightError):  # the browser has dropped it: nothing left to answer
        held[0].continue_()
    page.wait_for_load_state("networkidle")
    shown = window(page)
    assert query_of(page)["view"] == ["..".join(shown)]
    assert page.get_attribute("#chart", "aria-busy") is None
    page.unroute("**/timeline/?*")
    page.goto(page.url)
    page.wait_for_selector("#chart[data-ready]")
    assert window(page) == shown


def test_back_to_a_followed_mark_after_a_zoom_is_that_entrys_state(page):
    """Two marks followed (each "#slug" an entry of this document), Zoom in (it replaces the entry it
    changes), then Back: the address there has no window, and the page must not keep one (reader walk,
    seed 8753: the form kept the zoomed window)."""
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    whole = window(page)
    marks = page.locator(f"{SHOWN} .chart-mark[href^='#']")
    for number in (0, 1):
        slug = marks.nth(number).get_attribute("data-slug")
        marks.nth(number).click()
        page.wait_for_url(f"**#{slug}")
    page.get_by_role("link", name="Zoom in", exact=True).click()
    wait_for_window_change(page, whole)
    page.wait_for_load_state("networkidle")
    assert "view" in query_of(page)
    go_back(page)
    page.wait_for_selector("#chart[data-ready]")
    assert "view" not in query_of(page)
    assert page.input_value("#id_view") == "" and window(page) == whole


# Each visible link's box, each visible label's box, and each drawn shape's box, in the chart shown.
GEOMETRY = """() => {
  const svg = [...document.querySelectorAll('#chart svg')].find(s => s.getBoundingClientRect().width > 0);
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const links = [...document.querySelectorAll('#chart .chart-tools a'), ...svg.querySelectorAll('a')];
  return {
    svg: box(svg),
    links: links.map(a => [a.getAttribute('aria-label') || a.textContent, box(a)]),
    labels: [...svg.querySelectorAll('.chart-item text.chart-label')].map(t => [t.textContent, box(t)]),
    shapes: [...svg.querySelectorAll('.chart-item circle, .chart-item rect:not(.chart-hit)')].map(box),
    marks: [...svg.querySelectorAll('.chart-mark')].map(a => [a.dataset.slug, a.querySelector('text')?.textContent]),
  };
}"""


def overlap(a, b, slack=1):
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["390", "1280"])
def test_labelled_marks_readable_labels_and_24_px_targets(browser, site, viewport):
    """Issue 31: on a phone, labelled marks, not bare dots; labels never on a coloured shape or on each
    other; every target at least 24 × 24 px (month ticks were 1 px wide); the 13 March events labelled."""
    context = browser.new_context(viewport=viewport, base_url=site)
    page = context.new_page()
    for url, least in [("/", 5), ("/?era=pardon", 2), ("/?view=2025-03-10..2025-03-16", 2)]:
        page.goto(url)
        found = page.evaluate(GEOMETRY)
        labelled = [slug for slug, text in found["marks"] if text]
        assert len(labelled) >= least, (url, found["marks"])
        if viewport is PHONE:
            assert len(labelled) == len(found["marks"]), url  # every mark on a phone has its label
        if "view=2025-03-10" in url:
            march_13 = Event.objects.filter(date=datetime.date(2025, 3, 13), date_precision="day")
            assert set(march_13.values_list("slug", flat=True)) <= set(labelled)
        for name, (left, top, right, bottom) in found["links"]:
            assert right - left >= 23.5 and bottom - top >= 23.5, (url, name, right - left, bottom - top)
        left, _, right, _ = found["svg"]
        for text, label in found["labels"]:
            assert left - 1 <= label[0] and label[2] <= right + 1, (url, text)  # inside the chart
            assert not [shape for shape in found["shapes"] if overlap(label, shape)], (url, text)
        boxes = [label for _, label in found["labels"]]
        clashes = [(i, j) for i in range(len(boxes)) for j in range(i) if overlap(boxes[i], boxes[j])]
        assert not clashes, (url, [(found["labels"][i][0], found["labels"][j][0]) for i, j in clashes])
    context.close()


def test_without_javascript_zoom_levels_and_bands_are_links(browser, site):
    context = browser.new_context(java_script_enabled=False, base_url=site)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Zoom the timeline to Apr 2025").click()
    page.wait_for_url("**view=2025-04")
    assert "1 Apr 2025 to 30 Apr 2025" in page.inner_text(".chart-window")
    page.get_by_role("link", name="Zoom the timeline to 14 Apr 2025").click()
    page.wait_for_url("**view=2025-04-14")
    assert "11 Apr 2025 to 17 Apr 2025" in page.inner_text(".chart-window")
    page.get_by_role("link", name="Zoom out").click()
    page.wait_for_url(re.compile(r"view=2025-04-\d\d\.\.2025-04-\d\d"))
    page.get_by_role("link", name="Earlier").click()
    page.wait_for_url(re.compile(r"view=2025-0[34]-\d\d\.\."))
    page.get_by_role("link", name=re.compile(r"^Enforcement rollback: era")).click()
    page.wait_for_url("**era=enforcement-rollback**")
    assert page.get_by_role("checkbox", name=re.compile(r"^Enforcement rollback \d+ matching$")).is_checked()
    window = re.search(r"view=[^&]+", page.url).group(0)
    actors = page.locator("details.facet", has_text="Actors")
    actors.locator("summary").click()
    actors.get_by_role("link", name=re.compile(r"^Choose among the \d+ actors$")).click()  # loads on opening with JS
    page.wait_for_url(re.compile(r"/facets/actor/\?.*era=enforcement-rollback"))
    assert page.locator(".option").count() == Actor.objects.count()
    page.get_by_role("checkbox", name=re.compile(r"^Changpeng Zhao \d+ matching$")).check()
    page.get_by_role("button", name="Show the events").click()
    page.wait_for_url(re.compile(r"/\?.*actor=changpeng-zhao"))
    assert "era=enforcement-rollback" in page.url and window in page.url
    assert page.get_by_role("checkbox", name=re.compile(r"^Changpeng Zhao \d+ matching$")).is_checked()
    assert page.get_by_role("checkbox", name=re.compile(r"^Enforcement rollback \d+ matching$")).is_checked()
    assert not page.locator(".facet-narrow").first.is_visible()
    context.close()


def test_phone_first_event_on_screen_filters_behind_one_control_and_narrowing(browser, site):
    context = browser.new_context(viewport=PHONE, base_url=site, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    first = page.locator("#results article.event").first
    assert first.bounding_box()["y"] + 40 < PHONE["height"]  # the first event on the first screen
    assert not page.locator("#id_q").is_visible()
    page.get_by_text("Filters (0)").click()
    page.locator("details.facet summary", has_text="Actors").click()
    page.locator("details.facet .option").first.wait_for()  # the actors load on opening (facets.py)
    narrow = page.get_by_label("Type to narrow the actors")
    narrow.fill("sun")
    visible = page.locator("details.facet .option:visible")
    assert visible.count() >= 1 and all("sun" in text.lower() for text in visible.all_inner_texts())
    wait_for_swap(page, lambda: page.get_by_role("checkbox", name=re.compile(r"^Justin Sun \d+ matching$")).check())
    expected = Event.objects.filter(participations__actor__slug="justin-sun").count()
    show = page.get_by_role("button", name=f"Show {expected} results")
    assert show.is_visible()  # sticky at the bottom of the panel
    box = show.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]
    show.click()  # the tick already asked for this state: the panel closes onto its results, no request
    page.locator("#id_q").wait_for(state="hidden")
    page.wait_for_timeout(200)
    assert page.locator("summary.filter-summary").inner_text() == "Filters (1)"
    first = page.locator("#results article.event").first
    box = first.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] - 40  # the first result is on screen after filtering
    assert not page.locator("#id_q").is_visible()  # the panel closed
    context.close()


def test_skip_links_move_focus_and_open_nothing(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the timeline and events")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the timeline and events"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'results'")
    opened = "document.querySelectorAll('details[open]').length"
    assert page.evaluate(opened) == 0
    page.goto("/actors/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'main'")
    assert page.evaluate(opened) == 0  # was: the Actors list opened


def test_expand_all_citations(page):
    page.goto("/")
    page.get_by_role("button", name="Expand all citations").click()
    button = page.locator("#results .expand-all")
    events = page.locator("#results article.event")
    assert events.count() > 10
    assert page.locator("#results article.event > details[open]").count() == events.count()
    page.locator("#results .citation blockquote").first.wait_for()  # each loaded on opening
    page.wait_for_function("() => !document.querySelector('#results .event-detail[data-pending]')")
    assert button.text_content() == "Collapse all citations"
    assert button.get_attribute("aria-expanded") == "true"
    button.click()
    assert page.locator("#results article.event details[open]").count() == 0
    assert button.text_content() == "Expand all citations"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_reports_no_violations_on_the_chart_states(browser, site, scheme):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `npm ci` installs it (make test does this).")
    problems = {}
    for viewport, url, action in [
        ({"width": 1280, "height": 900}, "/?actor=changpeng-zhao&actor=justin-sun", None),
        ({"width": 1280, "height": 900}, "/?view=2025-03&from=2025-03-01&to=2025-03-20", None),
        ({"width": 1280, "height": 900}, "/", "zoom"),
        (PHONE, "/", None),
        (PHONE, "/", "filters"),
    ]:
        context = browser.new_context(viewport=viewport, color_scheme=scheme, base_url=site)
        context.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#chart[data-ready]")
        if action == "zoom":
            before = window(page)
            page.locator(f"{SHOWN} .chart-item[tabindex='0']").focus()
            page.keyboard.press("+")
            wait_for_window_change(page, before)
        if action == "filters":
            page.get_by_text("Filters (0)").click()
            page.locator("details.facet summary", has_text="Actors").click()
            page.locator("details.facet .option").first.wait_for()
        violations = run_axe(page)
        if violations:
            problems[f"{url} {viewport['width']} {action}"] = violations
        context.close()
    assert problems == {}, json.dumps(problems, indent=2)


def test_screenshots_of_the_chart_and_the_phone(browser, site, tmp_path):
    """Writes docs/screenshots/ when UPDATE_SCREENSHOTS=1, a temporary folder otherwise."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shots = [
        ("timeline-1280", {"width": 1280, "height": 900}, "light", "/?actor=changpeng-zhao&actor=justin-sun", None),
        ("timeline-1280-dark", {"width": 1280, "height": 900}, "dark", "/?view=2024-10..2025-12&from=2025-03", None),
        ("phone-390", PHONE, "light", "/", None),
        ("phone-390-filters-dark", PHONE, "dark", "/", "filters"),
    ]
    for name, viewport, scheme, url, action in shots:
        context = browser.new_context(viewport=viewport, color_scheme=scheme, base_url=site, device_scale_factor=1)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#chart[data-ready]")
        if action == "filters":
            page.get_by_text("Filters (0)").click()
            page.locator("details.facet summary", has_text="Actors").click()
            page.locator("details.facet .option").first.wait_for()
            page.get_by_label("Type to narrow the actors").fill("zh")
        elif viewport["width"] > 1000:
            page.locator("#chart").scroll_into_view_if_needed()
        path = folder / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        context.close()
