"""The interactive timeline, the phone layout and the skip links in Chromium (fixtures in test_browser.py)."""

import datetime
import json
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import go_back
from tests.test_browser import AXE, SCREENSHOTS, run_axe, wait_for_swap
from timeline.models import Event

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def window(page):
    return page.evaluate(
        "(() => { const f = document.getElementById('timeline'); return [f.dataset.start, f.dataset.end]; })()"
    )


def days(span):
    start, end = (datetime.date.fromisoformat(day) for day in span)
    return (end - start).days + 1


def wait_for_window_change(page, before):
    page.wait_for_function(
        "old => { const f = document.getElementById('timeline');"
        " return f && f.dataset.ready && f.dataset.start + f.dataset.end !== old; }",
        arg="".join(before),
    )


def svg_box(page):
    return page.locator("#timeline svg").bounding_box()


def axis_y(page):
    box = svg_box(page)
    return box["y"] + float(page.get_attribute("#timeline .axis", "y1")) + 6


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
    page.wait_for_selector("#timeline .tl-selection")
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


def test_keyboard_one_tab_stop_arrows_zoom_pan_choose_dates_and_open(page):
    page.goto("/")
    page.locator("#results").focus()
    page.keyboard.press("Tab")
    focused = "document.activeElement.closest('#timeline') !== null"
    assert page.evaluate(focused)
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Tab")
    assert not page.evaluate(focused)  # the whole timeline is one tab stop
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") != first
    assert page.locator("#timeline [tabindex='0']").count() == 1

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

    page.wait_for_selector("#timeline[data-ready]")
    mark = page.locator("#timeline .tl-mark[href^='#']").first
    slug = mark.get_attribute("data-slug")
    mark.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"article#{slug} details[open]")
    assert (
        page.evaluate("document.activeElement.closest('article') && document.activeElement.closest('article').id")
        == slug
    )


def test_without_javascript_zoom_levels_and_bands_are_links(browser, site):
    context = browser.new_context(java_script_enabled=False, base_url=site)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Zoom the timeline to Apr 2025").click()
    page.wait_for_url("**view=2025-04")
    assert "1 Apr 2025 to 30 Apr 2025" in page.inner_text(".timeline-window")
    page.get_by_role("link", name="Zoom the timeline to 14 Apr 2025").click()
    page.wait_for_url("**view=2025-04-14")
    assert "11 Apr 2025 to 17 Apr 2025" in page.inner_text(".timeline-window")
    page.get_by_role("link", name="Zoom out").click()
    page.wait_for_url(re.compile(r"view=2025-04-\d\d\.\.2025-04-\d\d"))
    page.get_by_role("link", name="Earlier").click()
    page.wait_for_url(re.compile(r"view=2025-0[34]-\d\d\.\."))
    page.get_by_role("link", name=re.compile(r"^Enforcement rollback: era")).click()
    page.wait_for_url("**era=enforcement-rollback**")
    assert page.get_by_role("checkbox", name=re.compile(r"^Enforcement rollback \d+ matching$")).is_checked()
    options = page.locator("details.facet", has_text="Actors").locator(".option")
    assert options.count() > 30 and not page.locator(".facet-narrow").first.is_visible()
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
    skip = page.get_by_role("link", name="Skip to the events")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the events" and skip.is_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'results'")
    opened = "document.querySelectorAll('details[open]').length"
    assert page.evaluate(opened) == 0
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
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
    assert page.locator("#results .citation blockquote").first.is_visible()
    assert button.text_content() == "Collapse all citations"
    assert button.get_attribute("aria-expanded") == "true"
    button.click()
    assert page.locator("#results article.event details[open]").count() == 0
    assert button.text_content() == "Expand all citations"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_reports_no_violations_on_the_timeline_states(browser, site, scheme):
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
        page.wait_for_selector("#timeline[data-ready]")
        if action == "zoom":
            before = window(page)
            page.locator("#timeline [tabindex='0']").focus()
            page.keyboard.press("+")
            wait_for_window_change(page, before)
        if action == "filters":
            page.get_by_text("Filters (0)").click()
            page.locator("details.facet summary", has_text="Actors").click()
        violations = run_axe(page)
        if violations:
            problems[f"{url} {viewport['width']} {action}"] = violations
        context.close()
    assert problems == {}, json.dumps(problems, indent=2)


def test_screenshots_of_the_timeline_and_the_phone(browser, site, tmp_path):
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
        page.wait_for_selector("#timeline[data-ready]")
        if action == "filters":
            page.get_by_text("Filters (0)").click()
            page.locator("details.facet summary", has_text="Actors").click()
            page.get_by_label("Type to narrow the actors").fill("zh")
        elif viewport["width"] > 1000:
            page.locator("#timeline").scroll_into_view_if_needed()
        path = folder / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        context.close()
