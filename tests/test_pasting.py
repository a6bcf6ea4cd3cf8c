"""Citations a journalist can paste (issue 31 item 3): every quote, on the listing, on an event's page, on an
actor's page and in the source reader, carries its own citation: the quote exactly as written (its own
double quotation marks nested as single ones inside ours), the article's title and outlet, its date as far as
known and the passage's absolute address; a speculative or machine-reworded article's warning travels with it.
"""

import html as html_lib
import re

import pytest
from django.conf import settings

from timeline.corpus.quotes import in_quotation_marks
from timeline.models import Actor, Citation, Event, Source

pytestmark = pytest.mark.usefixtures("corpus")

SITE = settings.SITE_URL or "http://testserver"
CITE = re.compile(r'<p id="([^"]+-cite)">(.*?)</p>', re.S)
DOUBLE = "“”"


def citations_to_paste(page):
    """{id: the citation's text, as a reader selects or copies it} of a page's HTML."""
    return {cite_id: html_lib.unescape(re.sub(r"<[^>]+>", "", text)) for cite_id, text in CITE.findall(page)}


def expected_citation(citation):
    source = citation.source
    title = source.title.translate(str.maketrans(DOUBLE, "‘’"))
    title += "" if title[-1] in ".?!…" else "."
    outlet = f"{source.outlet}, " if source.outlet else ""
    date = source.published_display if source.published else "date not stated" if source.outlet else "Date not stated"
    link = f"{SITE}{source.get_absolute_url()}#q-{citation.start}-{citation.end}"
    warning = f" Read with care: {source.get_quality_display().lower()}." if source.quality != "standard" else ""
    return f"{in_quotation_marks(citation.quote)} — “{title}” {outlet}{date}. {link}{warning}"


def test_the_seeds_hold_quotes_with_quotation_marks_at_either_end():
    """The cases this file is about are real: quotes that open, close or hold quotation marks of their own."""
    quotes = list(Citation.objects.values_list("quote", flat=True))
    assert any(q.startswith("“") for q in quotes)
    assert any(q.endswith("”") for q in quotes)
    assert sum(any(mark in q for mark in DOUBLE) for q in quotes) >= 20


def test_every_real_quote_with_quotation_marks_prints_in_one_pair_of_ours_with_its_own_nested():
    for quote in Citation.objects.filter(quote__regex="[“”]").values_list("quote", flat=True).distinct():
        printed = in_quotation_marks(quote)
        assert printed[0] == "“" and printed[-1] == "”", printed
        inside = printed[1:-1]
        assert not any(mark in inside for mark in DOUBLE), printed  # never ““ nor a lost closing mark
        # the article's words, only its double marks made single
        assert len(inside) == len(quote)
        for ours, theirs in zip(inside, quote, strict=True):
            assert ours == theirs or (theirs, ours) in (("“", "‘"), ("”", "’")), (quote, printed)


@pytest.mark.parametrize(
    "slug, quote_start, search, printed",
    [
        # Trump's words open the quote: they keep their mark, as a single one inside ours
        (
            "trump-defends-pardon",
            "“A lot of",
            "guilty",
            "“‘A lot of people say he wasn’t guilty of anything,’ Trump said.”",
        ),
        # the quote closes on a quotation: its closing mark is kept, and so is ours
        ("trump-pardons-cz", "Trump pardoned Binance", "persecution", "his prosecution ‘crypto persecution.’”"),
    ],
)
def test_pages_show_real_quotes_nested_and_never_doubled(client, slug, quote_start, search, printed):
    event = Event.objects.get(slug=slug)
    assert event.citations.filter(quote__startswith=quote_start).exists()
    pages = [
        event.get_absolute_url(),
        f"{event.get_absolute_url()}detail/?q={search}",  # what the listing loads when the event is opened
        f"{event.get_absolute_url()}detail/",
        event.citations.first().source.get_absolute_url(),
    ]
    for url in pages:
        page = html_lib.unescape(client.get(url).content.decode())
        assert printed in page, url
        assert "““" not in page and "””" not in page, url


@pytest.mark.slow
def test_every_quote_on_an_event_page_has_its_citation_to_paste(client):
    for event in Event.objects.prefetch_related("citations__source"):
        page = client.get(event.get_absolute_url()).content.decode()
        found = citations_to_paste(page)
        citations = sorted(event.citations.all(), key=lambda c: (c.source_id, c.start))
        assert sorted(found.values()) == sorted(expected_citation(c) for c in citations), event.slug


def test_the_listing_gives_each_quote_its_citation_with_this_sites_address(client):
    """In what each event of the list loads when opened."""
    page = client.get("/?era=pardon", HTTP_HOST="127.0.0.1:8811").content.decode()
    found = {}
    for part in re.findall(r'<details data-part="([^"]+)"', page):
        found.update(citations_to_paste(client.get(part, HTTP_HOST="127.0.0.1:8811").content.decode()))
    pardon = Citation.objects.filter(event__era__slug="pardon").select_related("source")
    assert len(found) == pardon.count() > 5
    base = settings.SITE_URL or "http://127.0.0.1:8811"
    for text in found.values():
        assert f" {base}/sources/" in text and "#q-" in text
        assert "\x01" not in text


def test_the_source_reader_gives_each_passage_its_citation(client):
    for source in Source.objects.all():
        page = client.get(source.get_absolute_url()).content.decode()
        found = citations_to_paste(page)
        passages = {(c.start, c.end): c for c in source.citations.all()}
        assert len(found) == len(passages) > 0, source.slug
        assert sorted(found.values()) == sorted(expected_citation(c) for c in passages.values())


def test_an_actors_page_gives_each_quote_of_its_description_its_citation(client):
    actor = Actor.objects.get(slug="changpeng-zhao")
    page = client.get(actor.get_absolute_url()).content.decode()
    description = page.split('id="description-sources"', 1)[1].split("</section>", 1)[0]
    found = citations_to_paste(description)
    assert found and all(text.startswith("“") and f" {SITE}/sources/" in text for text in found.values())


@pytest.mark.slow
def test_the_speculative_articles_citations_carry_its_warning_and_the_reworded_ones_quote_it_as_written(client):
    speculative = Source.objects.get(quality="speculative")
    reworded = Source.objects.get(quality="machine_reworded")
    for source, warning in [
        (speculative, "Read with care: speculative writing."),
        (reworded, "Read with care: machine-reworded copy."),
    ]:
        for citation in source.citations.select_related("event"):
            found = citations_to_paste(client.get(citation.event.get_absolute_url()).content.decode())
            text = next(t for t in found.values() if f"#q-{citation.start}-{citation.end}" in t)
            assert text.endswith(warning)
            assert citation.quote.translate(str.maketrans(DOUBLE, "‘’")) in text  # the garbled words kept
    garbled = reworded.citations.filter(quote__contains="final December").first()
    assert garbled is not None
    standard = Source.objects.filter(quality="standard").first().citations.select_related("event").first()
    found = citations_to_paste(client.get(standard.event.get_absolute_url()).content.decode())
    assert not any("Read with care" in t for t in found.values() if f"#q-{standard.start}-" in t)


def test_the_citation_is_selectable_text_without_the_script(client):
    """Without JavaScript the citation is text in a disclosure, and no copy button that could not work is sent
    (site.js adds one; test_reading_browser.py clicks it)."""
    page = client.get("/events/trump-pardons-cz/").content.decode()
    blocks = re.findall(r'<div class="cite-copy">(.*?)</div>', page, re.S)
    assert len(blocks) == Event.objects.get(slug="trump-pardons-cz").citations.count()
    for block in blocks:
        assert block.startswith('<details class="cite-text"><summary>Citation to paste</summary><p id="')
        assert "<button" not in block
