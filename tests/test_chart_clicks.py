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

SHOWN = "#chart svg:visible"  # the layout the chart's width shows (the other is not displayed)
# Three actors' lanes leave each two rows at 1280 px: some marks are counted in clusters.
LANES = "/?actor=changpeng-zhao&actor=binance&actor=donald-trump"
CLUSTER = f"{SHOWN} .chart-cluster[data-action='window']"


def centre(page, selector):
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def view_of(url):
    return parse_qs(urlsplit(url).query).get("view", [""])[0]


def marks(page):
    return set(page.eval_on_selector_all(f"{SHOWN} .chart-mark", "els => els.map(e => e.dataset.slug)"))


def test_a_mouse_click_on_a_mark_or_its_label_opens_the_event(page):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    dot = f"{SHOWN} .chart-mark[href^='#'] circle"
    slug = page.locator(dot).first.locator("xpath=..").get_attribute("data-slug")
    page.mouse.click(*centre(page, dot))
    page.wait_for_selector(f"article#{slug} details[open]")
    assert page.url.endswith(f"#{slug}")

    label = page.locator(f"{SHOWN} .chart-mark[href^='#']", has=page.locator("text.chart-label")).last
    other = label.get_attribute("data-slug")
    assert other != slug
    label.locator("text.chart-label").scroll_into_view_if_needed()
    page.mouse.click(*centre(page, f"{SHOWN} .chart-mark[data-slug='{other}'] text.chart-label"))
    page.wait_for_selector(f"article#{other} details[open]")
    assert page.url.endswith(f"#{other}")


@pytest.mark.parametrize("how", ["mouse", "enter"])
def test_a_cluster_zooms_into_its_own_window(page, how):
    page.goto(LANES)
    page.wait_for_selector("#chart[data-ready]")
    whole = [datetime.date.fromisoformat(day) for day in window(page)]
    cluster = page.locator(CLUSTER).first
    href, day = cluster.get_attribute("href"), cluster.get_attribute("data-day")
    hidden = set(Event.objects.filter(date=day, date_precision="day").values_list("slug", flat=True))
    assert hidden and not hidden <= marks(page)  # some are in the cluster
    if how == "mouse":
        page.mouse.click(*centre(page, f"{CLUSTER} circle"))
    else:
        cluster.focus()
        page.keyboard.press("Enter")
    wait_for_window_change(page, [d.isoformat() for d in whole])
    asked = view_of(href)
    assert view_of(page.url) == asked  # the window the no-script link goes to
    start, end = (datetime.date.fromisoformat(d) for d in asked.split(".."))
    assert (end - start).days < (whole[1] - whole[0]).days / 4
    shown = list(map(datetime.date.fromisoformat, window(page)))
    assert shown[0] <= start and end <= shown[1] and (shown[1] - shown[0]).days + 1 == max((end - start).days + 1, 7)
    assert hidden <= marks(page)  # every event of the cluster is now a mark of its own


def test_a_tap_on_a_cluster_zooms_into_its_window_on_a_phone(browser, site):
    context = browser.new_context(viewport=PHONE, base_url=site, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    cluster = page.locator(CLUSTER).first
    href = cluster.get_attribute("href")
    cluster.locator("circle").scroll_into_view_if_needed()
    page.touchscreen.tap(*centre(page, f"{CLUSTER} circle"))
    page.wait_for_url(re.compile(r"view="))
    assert view_of(page.url) == view_of(href)
    context.close()


def test_a_mouse_click_on_an_era_band_filters_by_the_era(page):
    page.goto("/")
    page.wait_for_selector("#chart[data-ready]")
    band = page.locator(f"{SHOWN} .chart-band").last
    slug = band.get_attribute("data-era")
    x, y = centre(page, f"{SHOWN} .chart-band[data-era='{slug}'] rect")
    wait_for_swap(page, lambda: page.mouse.click(x, y))
    page.wait_for_url(re.compile(rf"era={slug}"))
    box = page.locator(f"#filter-form input[name='era'][value='{slug}']")
    assert box.is_checked()
    era = Event.objects.filter(era__slug=slug)
    assert set(shared.event_ids(page)) <= set(era.values_list("slug", flat=True))
