"""The words a reader meets (issue 31 item 9): plurals that agree with their number, notes that begin with a
capital letter on the page while the curators' data stays as written, and an "Expand all" control that
only shows where the script can run it (its label changing is a browser test: test_reading_browser.py)."""

import html as html_lib
import re

import pytest

from timeline.models import Event, EventStatement, Source

pytestmark = pytest.mark.usefixtures("corpus")
HTMX = {"HTTP_HX_REQUEST": "true"}
# A count of one before a plural noun ("1 more events", "1 sources"), in the text a reader sees or hears.
WRONG_PLURAL = re.compile(
    r"(?<![\d,.])\b1 (?:more |other |undated |dated |matching )?"
    r"(?:events|sources|results|citations|filters|matches|options|entries|corrections|problems|passages)\b"
)
PAGES = [
    "/",
    "/?era=pardon",
    "/?actor=changpeng-zhao",
    "/?view=2023",
    "/?view=2025",
    "/?view=March 2025",
    "/?q=pardon",
    "/?from=2025&to=2025",
    "/?actor=mark-bini",
    "/sources/",
    "/actors/",
    "/actors/mark-bini/",
    "/feed/about/?actor=mark-bini",
    "/corrections/",
]


def visible_text(page):
    """The page's text and its labels (aria-label, title), entities read."""
    labels = " ".join(re.findall(r'(?:aria-label|title)="([^"]*)"', page))
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


@pytest.mark.parametrize("url", PAGES)
def test_no_page_says_one_of_a_plural(client, url):
    response = client.get(url)
    assert response.status_code == 200
    found = WRONG_PLURAL.findall(visible_text(response.content.decode()))
    assert found == [], url


def test_the_wrong_plural_check_would_catch_the_timelines_one_more_events():
    assert WRONG_PLURAL.search("1 more events, 1 Jan 2024 to 31 Dec 2024: zoom in")
    assert WRONG_PLURAL.search("Show 1 results")
    assert not WRONG_PLURAL.search("21 more events") and not WRONG_PLURAL.search("1 more event, 2024")
    assert not WRONG_PLURAL.search("2,001 events")


def test_every_date_note_shows_with_a_capital_letter_and_stays_as_written(client):
    lower = [e for e in Event.objects.exclude(date_note="") if e.date_note[0].islower()]
    assert len(lower) >= 10  # the curators' notes begin lower-case: the page capitalises, the data stays
    for event in lower:
        page = html_lib.unescape(client.get(event.get_absolute_url()).content.decode())
        shown = event.date_note[0].upper() + event.date_note[1:]
        if event.date:
            assert f'id="note-{event.slug}">{shown}</span>' in page  # the basis label's tip
        assert f". {shown}</dd>" in page  # the Date fact
        assert event.date_note not in page
        event.refresh_from_db()
        assert event.date_note[0].islower()
    listing = html_lib.unescape(client.get("/").content.decode())
    assert "date inferred" in listing and ">the machine-reworded article" not in listing


def test_statement_and_source_notes_show_with_a_capital_letter(client):
    statement = EventStatement.objects.exclude(note="").select_related("event").first()
    assert statement is not None
    statement.note = "from outside the articles: " + statement.note  # a curator's note that begins lower-case
    statement.save()
    page = html_lib.unescape(client.get(statement.event.get_absolute_url()).content.decode())
    assert "From outside the articles: " in page
    source = Source.objects.get(slug="trump-defends-cz-pardon")
    Source.objects.filter(pk=source.pk).update(published_note="the article carries no date.")
    page = html_lib.unescape(client.get(source.get_absolute_url()).content.decode())
    assert "Not stated in the article" in page and ". The article carries no date.</dd>" in page


def test_the_expand_all_control_is_hidden_without_the_script(client):
    for page in (client.get("/").content.decode(), client.get("/?era=pardon", **HTMX).content.decode()):
        assert re.search(r'<p class="list-tools" hidden><button type="button" class="expand-all"', page)
