"""A mouse click, a tap and Enter on the chart's marks, labels, clusters and era bands, in Chromium.

The clicks are the mouse's own (``page.mouse.click`` at the centre of what is drawn), not
``element.click()``: a pointer captured on the svg used to take every click for itself.
"""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import test_browser as shared
from tests.test_browser import wait_for_swap
from tests.test_chart_browser import PHONE, wait_for_window_change, window
from timeline.models import Event

pytestmark = pytest.mark.browser

# At 1280 px the whole story draws the events of March 2025 known only to their month as one
# cluster: the day-dated events of that month take the rows first.
MARCH = "#chart .chart-cluster[data-day='2025-03-01']"


def centre(page, selector):
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def view_of(url):
    return parse_qs(urlsplit(url).query).get("view", [""])[0]


def marks(page):
    return set(page.eval_on_selector_all("#chart .chart-mark", "els => els.map(e => e.dataset.slug)"))


def march_events():
    first, last = datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)
    return set(Event.objects.filter(date__gte=first, latest_date__lte=last).values_list("slug", flat=True))


def test_a_mouse_click_on_a_mark_or_its_label_opens_the_event(page):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    dot = "#chart .chart-mark[href^='#'] circle"
    slug = page.locator(dot).first.locator("xpath=..").get_attribute("data-slug")
    page.mouse.click(*centre(page, dot))
    page.wait_for_selector(f"article#{slug} details[open]")
    assert page.url.endswith(f"#{slug}")

    label = page.locator("#chart .chart-mark[href^='#']", has=page.locator("text.chart-label")).last
    other = label.get_attribute("data-slug")
    assert other != slug
    label.locator("text.chart-label").scroll_into_view_if_needed()
    page.mouse.click(*centre(page, f"#chart .chart-mark[data-slug='{other}'] text.chart-label"))
    page.wait_for_selector(f"article#{other} details[open]")
    assert page.url.endswith(f"#{other}")


def assert_zoomed_into_march(page, href, whole):
    wait_for_window_change(page, [day.isoformat() for day in whole])
    asked = view_of(href)
    assert view_of(page.url) == asked  # the window the no-script link goes to
    start, end = (datetime.date.fromisoformat(day) for day in asked.split(".."))
    assert (end - start).days < (whole[1] - whole[0]).days / 4
    assert start <= datetime.date(2025, 3, 1) and end >= datetime.date(2025, 3, 31)
    assert list(map(datetime.date.fromisoformat, window(page))) == [start, end]
    hidden = march_events()
    assert hidden and hidden <= marks(page)  # every event of the cluster is now a mark of its own


@pytest.mark.parametrize("how", ["mouse", "enter"])
def test_a_cluster_zooms_into_its_own_window(page, how):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    whole = [datetime.date.fromisoformat(day) for day in window(page)]
    assert not march_events() <= marks(page)  # some are in the cluster
    href = page.get_attribute(MARCH, "href")
    if how == "mouse":
        page.mouse.click(*centre(page, f"{MARCH} circle"))
    else:
        page.locator(MARCH).focus()
        page.keyboard.press("Enter")
    assert_zoomed_into_march(page, href, whole)


def test_a_tap_on_a_cluster_zooms_into_its_window_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, base_url=site, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    cluster = page.locator("#chart .chart-cluster[data-action='window']").first
    href = cluster.get_attribute("href")
    cluster.locator("circle").scroll_into_view_if_needed()
    page.touchscreen.tap(*centre(page, "#chart .chart-cluster[data-action='window'] circle"))
    page.wait_for_url(re.compile(r"view="))
    assert view_of(page.url) == view_of(href)
    context.close()


def test_a_mouse_click_on_an_era_band_filters_by_the_era(page):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    band = page.locator("#chart .chart-band").last
    slug = band.get_attribute("data-era")
    x, y = centre(page, f"#chart .chart-band[data-era='{slug}'] rect")
    wait_for_swap(page, lambda: page.mouse.click(x, y))
    page.wait_for_url(re.compile(rf"era={slug}"))
    box = page.locator(f"#filter-form input[name='era'][value='{slug}']")
    assert box.is_checked()
    era = Event.objects.filter(era__slug=slug)
    assert set(shared.event_ids(page)) <= set(era.values_list("slug", flat=True))
