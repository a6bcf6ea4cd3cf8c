"""Reading in Chromium (issue 31): an event's citations load when it is opened, print on A4 compactly with
their addresses, markers a thumb can hit, and a skip link from the top of every page."""

import re

import pytest

from timeline.models import Category, Event

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def parts_asked(page):
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/detail/" in request.url else None)
    return asked


def test_opening_an_event_loads_its_citations_once(page):
    asked = parts_asked(page)
    page.goto("/?q=prison")
    assert asked == [] and page.locator("#results blockquote").count() == 0
    article = page.locator("article#cz-serves-prison-term")
    article.locator("details[data-part] > summary").click()
    article.locator(".citation blockquote").first.wait_for()
    assert article.locator(".citation blockquote mark").count() > 0  # the searched words, marked
    assert article.locator(".event-detail[data-pending]").count() == 0
    article.locator("details[data-part] > summary").click()
    article.locator("details[data-part] > summary").click()
    page.wait_for_timeout(300)
    assert len(asked) == 1 and "q=prison" in asked[0]


def laid_out(page, selector):
    """How many of the elements `selector` finds have a box in Chromium's layout tree (CDP's DOM snapshot)."""
    page.evaluate(
        """selector => {
            document.querySelectorAll("[data-probe]").forEach(element => delete element.dataset.probe);
            document.querySelectorAll(selector).forEach(element => element.dataset.probe = "");
        }""",
        selector,
    )
    snapshot = page.context.new_cdp_session(page).send("DOMSnapshot.captureSnapshot", {"computedStyles": []})
    strings, document = snapshot["strings"], snapshot["documents"][0]
    probed = {
        node
        for node, attributes in enumerate(document["nodes"]["attributes"])
        if any(strings[name] == "data-probe" for name in attributes[::2])
    }
    return len(probed & set(document["layout"]["nodeIndex"]))


def test_a_closed_facet_lays_out_its_options_only_once_opened(page):
    """Chromium laid out a closed facet's options (hundreds of actors on a large corpus) on every first page."""
    page.goto("/")  # the actors are not on it until opened (a long group, facets.py); the categories are
    categories = page.locator("details.facet").filter(has=page.locator(".facet-name", has_text="Categories"))
    assert categories.locator(".option").count() == Category.objects.count() > 10
    assert laid_out(page, "details.facet:not([open]) .option") == 0
    categories.locator("summary").click()
    assert laid_out(page, "details.facet[open] .option") == Category.objects.count()


def test_without_javascript_an_event_links_to_the_page_with_its_citations(browser, site):
    context = browser.new_context(java_script_enabled=False, base_url=site)
    page = context.new_page()
    page.goto("/?era=pardon")
    article = page.locator("article#trump-pardons-cz")
    article.locator("details[data-part] > summary").click()
    article.get_by_role("link", name=re.compile("on the event’s page$")).click()
    page.wait_for_url("**/events/trump-pardons-cz/")
    event = Event.objects.get(slug="trump-pardons-cz")
    assert page.locator(".citation blockquote").count() == event.citations.count()
    context.close()


def pdf_pages(pdf):
    """The page count of a PDF Chromium made: its page tree's /Count."""
    return int(re.search(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", pdf, re.S).group(1))


def test_six_events_print_on_at_most_three_a4_pages_with_their_addresses_and_filters(page, site):
    page.goto("/?era=pardon")
    assert page.locator("#results article.event").count() == Event.objects.filter(era__slug="pardon").count() == 6
    pdf = page.pdf(format="A4")  # as the browser prints: beforeprint loads what no one opened
    assert pdf_pages(pdf) <= 3
    page.emulate_media(media="print")
    addresses = page.locator(".citation .print-address")
    cited = sum(e.citations.count() for e in Event.objects.filter(era__slug="pardon"))
    assert addresses.count() == cited and all(
        text.startswith(f"{site}/sources/") and "#q-" in text for text in addresses.all_inner_texts()
    )
    assert page.locator("#result-status").is_visible() and "6 of" in page.locator("#result-status").inner_text()
    assert page.get_by_text(f"This list online: {site}/?era=pardon").is_visible()
    for hidden in ["#embed-code", "button.copy", ".exports", "#filter-form", ".load-more"]:
        assert not page.locator(hidden).first.is_visible(), hidden
    for event in Event.objects.filter(era__slug="pardon").exclude(date_note=""):
        article = page.locator(f"article#{event.slug}")
        note = event.date_note[1:]  # as written, less its first letter (shown capitalised)
        assert article.inner_text().count(note) == 1, event.slug  # the date note, once


@pytest.mark.parametrize("url", ["/events/trump-defends-pardon/", "/?era=pardon#trump-defends-pardon"])
def test_footnote_markers_on_a_phone_are_24_px_targets_apart(browser, site, url):
    context = browser.new_context(viewport=PHONE, base_url=site)
    page = context.new_page()
    page.goto(url)
    page.locator("a.marker").first.wait_for()
    boxes = page.eval_on_selector_all(
        "a.marker",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })",
    )
    assert len(boxes) > 5
    for _x, _y, width, height in boxes:
        assert width >= 24 and height >= 24
    for (x1, y1, w1, _), (x2, y2, _, _) in zip(boxes, boxes[1:], strict=False):
        if abs(y1 - y2) < 1 and x2 > x1:  # side by side on one line
            assert x2 - (x1 + w1) >= 4
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_the_first_tab_is_a_skip_link_that_leads_to_the_timeline(browser, site, viewport):
    context = browser.new_context(viewport=viewport, base_url=site)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to the timeline and events" and page.locator(".skip-link").first.is_visible()
    page.keyboard.press("Enter")
    presses = 1
    while not page.evaluate("!!document.activeElement.closest('#chart')") and presses < 5:
        page.keyboard.press("Tab")
        presses += 1
    assert page.evaluate("!!document.activeElement.closest('#chart')"), presses
    page.goto("/events/trump-pardons-cz/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    context.close()
