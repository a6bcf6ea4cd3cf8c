"""Exports that behave and sources a reader can cite: feeds found from the page, a one-day calendar entry for
an imprecise date, a CSV for Excel, quotation marks that nest, articles named by outlet and title."""

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from icalendar import Calendar

from timeline.corpus.quotes import in_quotation_marks
from timeline.models import Citation, Event, Source

# Absolute links name the configured site, else the test client's own host.
SITE = settings.SITE_URL or "http://testserver"

pytestmark = pytest.mark.usefixtures("corpus")
ATOM = "{http://www.w3.org/2005/Atom}"
FILE_NUMBER = re.compile(r"(?<![\d,.])\b00[0-4]\b(?![,.]\d)")  # "003 says", not "1,000,000"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_page_head_announces_the_filtered_feed(client):
    html = client.get("/?actor=changpeng-zhao&from=2025").content.decode()
    head = html.split("</head>", 1)[0]
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', head)
    assert link.group(1).replace("&amp;", "&") == "/feed/?actor=changpeng-zhao&from=2025"
    assert "application/atom+xml" not in client.get("/?from=Mrch").content.decode().split("</head>", 1)[0]


def test_the_feed_links_to_itself_with_its_filters(client):
    root = ET.fromstring(body(client.get("/feed/?actor=changpeng-zhao&from=2025")))
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == f"{SITE}/feed/?actor=changpeng-zhao&from=2025"


def test_imprecise_dates_are_one_day_calendar_entries_at_the_end_of_their_period_that_say_so(client):
    events = {
        str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(body(client.get("/events.ics"))).walk("VEVENT")
    }
    prison = events["cz-serves-prison-term"]  # known only to the year 2024: on its last day
    assert prison.decoded("DTSTART").isoformat() == "2024-12-31"
    assert prison.decoded("DTEND").isoformat() == "2025-01-01"
    assert str(prison["SUMMARY"]).endswith("(date known only to the year)")
    assert (
        "When: 2024 (date known only to the year; shown on 31 December 2024, the last day of the year, "
        "after the events dated within it)."
    ) in str(prison["DESCRIPTION"])
    pardon = events["trump-pardons-cz"]
    assert (pardon.decoded("DTEND") - pardon.decoded("DTSTART")).days == 1
    assert "known only" not in str(pardon["SUMMARY"])


def test_a_csv_for_excel_starts_with_a_byte_order_mark(client):
    plain = body(client.get("/events.csv?actor=binance"))
    excel = body(client.get("/events.csv?actor=binance&bom=1"))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain
    assert body(client.get("/citations.csv?bom=1")).startswith(b"\xef\xbb\xbfevent,")
    html = client.get("/?actor=binance").content.decode()
    assert 'href="/events.csv?actor=binance&amp;bom=1" download>for Excel</a>' in html


@pytest.mark.parametrize("url", ["/events.csv?bom=yes", "/citations.csv?bom=1&bom=0", "/?bom=1", "/events.json?bom=1"])
def test_a_bad_or_misplaced_bom_is_a_readable_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "bom" in response.content.decode()


@pytest.mark.parametrize(
    "quote, expected",
    [
        ("calling his prosecution “crypto persecution.”", "“calling his prosecution ‘crypto persecution.’”"),
        ("“a regulatory offense”", "“‘a regulatory offense’”"),
        ("plain words", "“plain words”"),
        ("Zhao’s “conviction last year”", "“Zhao’s ‘conviction last year’”"),  # an apostrophe stays one
        ('a "straight" mark', "“a 'straight' mark”"),
    ],
)
def test_quotation_marks_nest_and_never_double_up(quote, expected):
    assert in_quotation_marks(quote) == expected


def test_no_page_or_export_doubles_a_closing_quotation_mark(client):
    citation = Citation.objects.filter(quote__endswith="persecution.”").select_related("event").first()
    assert citation is not None
    event = citation.event
    for url in [event.get_absolute_url(), "/?q=persecution", "/feed/?q=persecution", "/events.timelinejs.json"]:
        assert "persecution.””" not in body(client.get(url)).decode(), url
    ics = body(client.get("/events.ics")).decode().replace("\r\n ", "")
    assert "persecution.””" not in ics and "‘crypto persecution.’”" in ics


def test_the_copy_button_for_the_embed_code_waits_for_the_script(client):
    html = client.get("/").content.decode()
    assert re.search(r'<button type="button" class="copy" data-copy="embed-code" hidden>', html)


def test_the_source_filter_reads_as_outlet_and_title(client):
    html = client.get("/").content.decode()
    facet = re.search(r'<span class="facet-name">Source articles</span>.*?</details>', html, re.S).group()
    labels = re.findall(r'name="source" value="[^"]+"> ([^<]+?) <span', facet)
    expected = sorted(f"{s.outlet}: {s.title}" if s.outlet else s.title for s in Source.objects.all())
    assert sorted(labels) == expected
    assert any(label.startswith("Tech Today: ") for label in labels)


def test_each_source_page_offers_a_ready_citation(client):
    for source in Source.objects.all():
        html = client.get(source.get_absolute_url()).content.decode()
        citation = re.search(r'<p class="ready-citation" id="ready-citation">(.*?)</p>', html, re.S).group(1)
        assert f"“{source.title}" in citation.replace("&#x27;", "'")
        assert f"{SITE}{source.get_absolute_url()}" in citation
        if source.published:
            assert source.published_display in citation
        else:  # after the outlet, or beginning a sentence after the title
            assert ("</cite>, date not stated." if source.outlet else "” Date not stated.") in citation
        if source.outlet:
            assert f"<cite>{source.outlet}</cite>" in citation
        assert 'data-copy="ready-citation"' in html
        assert source.seed_file not in html


def reader_visible_strings():
    """Template text, and the string literals of the code (docstrings aside)."""
    for path in sorted((settings.BASE_DIR / "templates").glob("*.html")):
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", path.read_text(encoding="utf-8"), flags=re.S)
        yield path.name, text
    for path in sorted((settings.BASE_DIR / "timeline").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                yield f"{Path(path).name}:{node.lineno}", node.value


def test_no_template_or_code_string_names_an_article_by_its_file_number():
    found = [(where, text[:80]) for where, text in reader_visible_strings() if FILE_NUMBER.search(text)]
    assert found == []
    assert list(reader_visible_strings())  # the scan saw something


def test_the_file_number_scan_would_catch_one():
    assert FILE_NUMBER.search("003 says this catalysed the relationship")
    assert FILE_NUMBER.search("seeds/004.txt")
    assert not FILE_NUMBER.search("2003 and 0040 and 1,003 and 1,000,000")


def test_event_pages_name_the_article_by_title(client):
    event = Event.objects.get(slug="trump-pardons-cz")
    html = client.get(event.get_absolute_url()).content.decode()
    for citation in event.citations.select_related("source"):
        assert citation.source.title.replace("'", "&#x27;") in html
