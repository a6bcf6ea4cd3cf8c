"""What only a browser shows of issue 31 items 3, 5 and 9: "Copy the citation" puts the passage's citation on
the clipboard; the active filters print; "Expand all citations" says "Collapse" once every event is open."""

import pytest

from tests.test_browser import wait_for_swap

pytestmark = pytest.mark.browser


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_the_citation_puts_the_passages_own_citation_on_the_clipboard(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.goto("/events/trump-pardons-cz/")
    button = page.get_by_role("button", name="Copy the citation [1]")
    button.click()
    status = page.locator("#trump-pardons-cz-c1").locator(".copy-status")
    status.filter(has_text="Copied.").wait_for()
    copied = clipboard(page)
    assert copied == page.locator("#trump-pardons-cz-c1-cite").text_content().strip()
    assert copied.startswith("“Trump pardoned Binance founder Changpeng Zhao, calling his prosecution ‘crypto")
    assert f"{site}/sources/trump-defends-cz-pardon/#q-" in copied
    assert not page.locator("#trump-pardons-cz-c1 details.cite-text").evaluate("d => d.open")  # one click

    page.goto("/sources/tech-today-pardon-pursuit/")
    page.get_by_role("button", name="Copy the citation of this passage").first.click()
    page.locator(".passage-notes .copy-status").first.filter(has_text="Copied.").wait_for()
    copied = clipboard(page)
    assert copied.endswith("Read with care: speculative writing.") and "Tech Today" in copied


def test_a_quotes_citation_on_the_listing_is_copied_from_its_event(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.goto("/?era=pardon")
    page.locator("#trump-pardons-cz summary").first.click()
    page.locator("#trump-pardons-cz-c2").get_by_role("button", name="Copy the citation").click()
    page.locator("#trump-pardons-cz-c2 .copy-status").filter(has_text="Copied.").wait_for()
    assert clipboard(page) == page.locator("#trump-pardons-cz-c2-cite").text_content().strip()


def test_expand_all_turns_into_collapse_all_once_every_event_is_open(page):
    page.goto("/?era=pardon")
    button = page.locator("#results .expand-all")
    assert button.text_content() == "Expand all citations"
    summaries = page.locator("#results article.event > details > summary")
    assert 1 < summaries.count() < 50
    for index in range(summaries.count()):  # opened one by one, by hand
        assert button.text_content() == "Expand all citations"
        summaries.nth(index).click()
        # as a reader sees it open and its citations arrive before the next: a part arriving mid-click
        # pushes the next summary down, and the click lands on another
        opened = page.locator("#results article.event > details").nth(index)
        opened.locator(".event-detail:not([data-pending])").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#results .expand-all').textContent === 'Collapse all citations'"
    )
    assert button.get_attribute("aria-expanded") == "true"
    summaries.first.click()  # one closed again
    page.wait_for_function(
        "() => document.querySelector('#results .expand-all').textContent === 'Expand all citations'"
    )
    button.click()
    assert button.text_content() == "Collapse all citations"
    # a new state's list starts closed, and the control says so
    wait_for_swap(page, lambda: page.get_by_label("Search titles, summaries, quotes and names").fill("Zhao"))
    page.wait_for_function(
        "() => document.querySelector('#results .expand-all').textContent === 'Expand all citations'"
    )


def test_the_active_filters_are_printed_without_their_remove_marks(page):
    page.goto("/?era=pardon&actor=changpeng-zhao")
    page.emulate_media(media="print")
    filters = page.locator("#result-status .active-filter")
    assert filters.count() == 2
    assert filters.first.is_visible() and "Eras: Pardon" in " ".join(filters.first.inner_text().split())
    assert not page.locator("#result-status .remove-mark").first.is_visible()
    assert page.locator("#result-status .result-count").is_visible()
