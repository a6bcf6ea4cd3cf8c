"""Events rendered on write: the stored HTML is the HTML a reader would render, after every kind of edit."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext

from timeline.dataset.synthetic import generate
from timeline.listing import rendering
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.index import event_index, warm
from timeline.models import (
    Actor,
    Citation,
    DataVersion,
    Era,
    Event,
    EventRendering,
    EventStatement,
    Participation,
    Source,
    event_parts,
)

pytestmark = pytest.mark.usefixtures("corpus")


def live(events, words=()):
    """{id: HTML} as a listing renders an event it has no stored HTML for (categories from the index)."""
    events = list(events)
    prefetch_related_objects(events, *event_parts(categories=False))
    event_index(DataVersion.current()[0]).attach_categories(events)
    template = get_template("events.html#event")
    return {event.pk: template.render({"event": event, "words": words}) for event in events}


def assert_all_current(words=()):
    events = Event.objects.select_related("era")
    expected = live(events, words)
    found = rendering.stored(expected, words)
    stale = sorted(Event.objects.get(pk=pk).slug for pk in expected if found.get(pk) != expected[pk])
    marked = f" marked for {words!r}" if words else ""
    assert not stale, f"stored HTML{marked} differs from a fresh rendering for {stale}"


def test_every_event_is_stored_as_a_listing_renders_it():
    assert EventRendering.objects.count() == Event.objects.count() > 30
    assert_all_current()


@pytest.mark.parametrize(
    "words",
    [
        ["pardon"],
        ["Binance", "Zhao"],
        ["Justin", "Solar"],
        ["s"],  # a letter: begins many words, and follows an apostrophe escaped as &#x27;
        ["amp", "quot", "x27", "lt", "gt"],  # the names inside HTML entities
        ["span", "class", "mark", "href"],  # the names of the markup around the text
        ["Trump", "pardons", "CZ", "2023", "million"],
        ["“pleaded", "Kushner’s"],
        ["zz-nothing"],
    ],
)
def test_a_search_marks_its_words_in_the_stored_html_as_a_fresh_rendering_does(words):
    from timeline.listing.search import search_words

    words = search_words(" ".join(words))
    assert all(rendering.stored(Event.objects.values_list("pk", flat=True), words).values())
    assert_all_current(words)


def test_a_text_holding_the_placeholder_character_is_stored_without_marks_and_rendered_live():
    """Curated text cannot hold it (text.py; PostgreSQL refuses NUL outright), but if SQLite ever did,
    the stored HTML would be the plain rendering, with no marks for a search to use."""
    event = Event.objects.select_related("era").first()
    prefetch_related_objects([event], *event_parts(categories=True))
    event.title += rendering.SEGMENT
    html, marks = rendering.rendered_with_marks([event])[event.pk]
    assert marks is None
    assert html == rendering.rendered([event])[event.pk] and rendering.SEGMENT in html


def test_a_first_time_state_reads_stored_html_and_renders_no_event(client, monkeypatch):
    renders = []
    real = rendering.rendered
    monkeypatch.setattr(rendering, "rendered", lambda *a, **k: renders.append(a) or real(*a, **k))
    warm()  # as a worker has it from its start
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", {"actor": "changpeng-zhao"})
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert any('FROM "timeline_eventrendering"' in sql for sql in statements)
    parts = ('SELECT "timeline_citation"', 'SELECT "timeline_participation"')
    assert not [sql for sql in statements if sql.startswith(parts)]
    assert not renders
    shown = Participation.objects.filter(actor__slug="changpeng-zhao").count()
    assert response.content.decode().count('class="event ') == shown
    searched = client.get("/", {"actor": "changpeng-zhao", "q": "pardon"})
    assert not renders, "the searched words are marked in the stored HTML"
    assert "<mark>pardon" in searched.content.decode().lower()


def test_the_page_is_the_same_with_and_without_stored_html(client):
    with_stored = client.get("/", {"category": "legal"}).content
    EventRendering.objects.all().delete()
    call_command("reload_timeline", verbosity=0, dry_run=True)
    from django.core.cache import cache

    cache.clear()
    without = client.get("/", {"category": "legal"}).content
    assert with_stored == without


def test_html_from_another_release_is_not_shown_and_render_events_catches_up(client, capsys):
    event = Event.objects.get(slug="cz-pleads-guilty")
    EventRendering.objects.update(release="an-older-release", html="<p>stale</p>")
    assert "stale" not in client.get("/").content.decode()
    assert rendering.stored([event.pk]) == {}
    call_command("render_events")
    assert f"Rendered {Event.objects.count()} events." in capsys.readouterr().out
    assert_all_current()
    call_command("render_events")
    assert "Rendered 0 events." in capsys.readouterr().out


@pytest.mark.parametrize(
    "edit",
    [
        "actor renamed",
        "source retitled",
        "era renamed",
        "category renamed",
        "category deleted",
        "category removed from an event",
        "event removed from a category",
        "categories cleared",
        "participation deleted",
        "citation's stance changed",
        "statement's citations changed",
        "event retitled",
        "event deleted",
    ],
)
def test_an_edit_renders_again_every_event_that_shows_what_it_changed(edit):
    cz = Actor.objects.get(slug="changpeng-zhao")
    event = Event.objects.filter(categories__isnull=False, statements__citations__isnull=False).distinct().first()
    category = event.categories.first()
    if edit == "actor renamed":
        cz.name = "Changpeng “CZ” Zhao (renamed)"
        cz.save()
    elif edit == "source retitled":
        source = Source.objects.filter(citations__isnull=False).first()
        source.title = source.title + " (retitled)"
        source.save()
    elif edit == "era renamed":
        era = Era.objects.filter(events__isnull=False).first()
        era.name = era.name + " (renamed)"
        era.save()
    elif edit == "category renamed":
        category.name = category.name + " (renamed)"
        category.save()
    elif edit == "category deleted":
        category.delete()
    elif edit == "category removed from an event":
        event.categories.remove(category)
    elif edit == "event removed from a category":
        category.events.remove(event)
    elif edit == "categories cleared":
        event.categories.clear()
    elif edit == "participation deleted":
        Participation.objects.filter(actor=cz).first().delete()
    elif edit == "citation's stance changed":
        citation = Citation.objects.exclude(stance=Citation.Stance.DISPUTES).first()
        citation.stance = Citation.Stance.DISPUTES
        citation.save()
    elif edit == "statement's citations changed":
        statement = EventStatement.objects.filter(citations__isnull=False).first()
        statement.citations.remove(statement.citations.first())
    elif edit == "event retitled":
        event.title = event.title + " (retitled)"
        event.save()
    elif edit == "event deleted":
        event.delete()
    assert_all_current()


@pytest.mark.parametrize("dimension", [d for d in DIMENSIONS if d.vocabulary], ids=lambda d: d.name)
def test_renaming_a_term_of_any_dimension_renders_again_the_events_filed_under_it(dimension):
    """The registry, not a list of models in signals.py, says which edits render which events again."""
    term_id = Event.objects.filter(**{f"{dimension.event_path}__isnull": False}).values_list(
        dimension.event_path, flat=True
    )[0]
    term = dimension.vocabulary.objects.get(pk=term_id)
    label = "name" if hasattr(term, "name") else "title"
    setattr(term, label, getattr(term, label) + " (renamed)")
    term.save()
    assert_all_current()


def test_a_raw_fixture_load_drops_what_it_touches_rather_than_leave_it_stale():
    cz = Actor.objects.get(slug="changpeng-zhao")
    shown_in = set(cz.participations.values_list("event_id", flat=True))
    cz.name = "Renamed by a raw load"
    cz.save_base(raw=True)
    assert not rendering.stored(shown_in)
    assert len(rendering.stored(Event.objects.values_list("pk", flat=True))) == Event.objects.count() - len(shown_in)


def test_the_benchmark_generator_stores_what_it_generates():
    generate(40)
    synthetic = Event.objects.filter(slug__startswith="synthetic-")
    assert synthetic.count() == 40
    assert len(rendering.stored(synthetic.values_list("pk", flat=True))) == 40
    assert_all_current()


def test_an_admin_edit_is_on_the_public_listing_at_the_next_request(admin_client, client):
    """Through the admin, as a curator edits: the source retitled is what the listing shows at once."""
    from tests.admin_forms import change_form_data

    source = Source.objects.filter(citations__isnull=False).first()
    old_title = source.title
    assert old_title in client.get("/").content.decode()
    url = f"/admin/timeline/source/{source.pk}/change/"
    data = change_form_data(admin_client.get(url))
    assert admin_client.post(url, {**data, "title": "A retitled article"}).status_code == 302
    listing = client.get("/").content.decode()
    assert "A retitled article" in listing and old_title not in listing  # its filter
    for event in Event.objects.filter(citations__source=source).distinct():  # what opening an event loads
        part = client.get(f"/events/{event.slug}/detail/").content.decode()
        assert f">{old_title}</a>" not in part and ">A retitled article</a>" in part
    assert_all_current()
