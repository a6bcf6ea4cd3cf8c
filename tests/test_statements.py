"""Every statement a reader sees rests on its owner's citations, or says it is context or outside knowledge."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.test_reload import snapshot
from timeline.corpus.checks import corpus_problems
from timeline.models import ActorStatement, Citation, DataVersion, Era, EraStatement, Event, EventStatement

pytestmark = pytest.mark.usefixtures("corpus")

HTMX = {"HTTP_HX_REQUEST": "true"}


def reload(fixture_dir):
    call_command("reload_timeline", "--fixtures", str(fixture_dir), stdout=StringIO())


def edit_statements(fixture_dir, change):
    path = fixture_dir / "statements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def statement(records, model, owner, position=1):
    return next(
        r
        for r in records
        if r["model"] == f"timeline.{model}statement"
        and r["fields"][model] == [owner]
        and r["fields"]["position"] == position
    )


def refused(fixture_dir, *patterns):
    before = snapshot()
    statements_before = list(EventStatement.objects.values_list("event__slug", "position", "text", "basis"))
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    text = str(excinfo.value)
    assert "the database is unchanged" in text
    for pattern in patterns:
        assert re.search(pattern, text), text
    assert snapshot() == before
    assert list(EventStatement.objects.values_list("event__slug", "position", "text", "basis")) == statements_before


def test_a_statement_that_cites_nothing_and_is_not_marked_is_refused(fixture_dir):
    edit_statements(fixture_dir, lambda rs: statement(rs, "event", "cz-pleads-guilty")["fields"].update(citations=[]))
    refused(
        fixture_dir,
        r"fixtures/statements.json, record \d+ \(timeline.eventstatement 'cz-pleads-guilty/1'\), field 'citations': "
        r"the statement cites nothing",
    )


def test_context_without_a_note_is_refused(fixture_dir):
    change = {"citations": [], "basis": "context", "note": ""}
    edit_statements(fixture_dir, lambda rs: statement(rs, "event", "cz-pleads-guilty")["fields"].update(change))
    refused(fixture_dir, r"fixtures/statements.json, record \d+, field 'note': Say what context")


def test_outside_knowledge_without_a_note_is_refused(fixture_dir):
    edit_statements(fixture_dir, lambda rs: statement(rs, "actor", "joe-biden", 2)["fields"].update(note=""))
    refused(fixture_dir, r"fixtures/statements.json, record \d+, field 'note': Say what context")


def test_a_citation_of_another_event_is_refused(fixture_dir):
    other = ["trump-pardons-cz", "trump-defends-cz-pardon", 477]
    edit_statements(
        fixture_dir, lambda rs: statement(rs, "event", "cz-pleads-guilty")["fields"]["citations"].append(other)
    )
    refused(
        fixture_dir,
        r"\(timeline.eventstatement 'cz-pleads-guilty/1'\), field 'citations': timeline.citation "
        r"'trump-pardons-cz/trump-defends-cz-pardon/477' belongs to event 'trump-pardons-cz'",
    )


def test_an_actor_statement_may_cite_only_events_the_actor_takes_part_in(fixture_dir):
    other = ["cz-pleads-guilty", "trump-family-binance-us-stake-talks", 1190]
    edit_statements(fixture_dir, lambda rs: statement(rs, "actor", "mark-bini")["fields"]["citations"].append(other))
    refused(
        fixture_dir,
        r"\(timeline.actorstatement 'mark-bini/1'\), field 'citations': .* belongs to event 'cz-pleads-guilty'",
    )


def test_an_era_statement_may_cite_only_events_in_that_era(fixture_dir):
    other = ["trump-pardons-cz", "trump-defends-cz-pardon", 477]
    edit_statements(fixture_dir, lambda rs: statement(rs, "era", "prosecution")["fields"]["citations"].append(other))
    refused(
        fixture_dir,
        r"\(timeline.erastatement 'prosecution/1'\), field 'citations': .* belongs to event 'trump-pardons-cz'",
    )


def test_a_reference_to_no_citation_is_refused(fixture_dir):
    missing = ["cz-pleads-guilty", "trump-defends-cz-pardon", 99999]
    edit_statements(
        fixture_dir, lambda rs: statement(rs, "event", "cz-pleads-guilty")["fields"]["citations"].append(missing)
    )
    refused(
        fixture_dir,
        r"fixtures/statements.json, record \d+, field 'citations': refers to timeline.citation "
        r"'cz-pleads-guilty/trump-defends-cz-pardon/99999', which no fixture defines",
    )


def test_a_statement_of_no_event_is_refused(fixture_dir):
    edit_statements(
        fixture_dir, lambda rs: statement(rs, "event", "cz-pleads-guilty")["fields"].update(event=["nothing"])
    )
    refused(fixture_dir, r"field 'event': refers to timeline.event 'nothing', which no fixture defines")


def test_an_event_without_statements_is_refused(fixture_dir):
    edit_statements(
        fixture_dir,
        lambda rs: rs.__setitem__(slice(None), [r for r in rs if r["fields"].get("event") != ["cz-thanks-trump"]]),
    )
    refused(
        fixture_dir,
        r"fixtures/events.json, record \d+ \(timeline.event 'cz-thanks-trump'\), field 'slug': "
        r"the event has no statement",
    )


def test_the_corpus_passes_the_rule_and_the_check_finds_a_breach():
    assert corpus_problems() == []
    own = EventStatement.objects.get(event__slug="cz-pleads-guilty", position=1)
    own.citations.add(Citation.objects.filter(event__slug="trump-pardons-cz").first())
    bare = EventStatement.objects.get(event__slug="cz-thanks-trump", position=1)
    bare.citations.clear()
    era = EraStatement.objects.get(era__slug="pardon", position=1)
    era.citations.add(Citation.objects.filter(event__slug="cz-pleads-guilty").first())
    actor = ActorStatement.objects.get(actor__slug="mark-bini", position=1)
    actor.citations.add(Citation.objects.filter(event__slug="cz-pleads-guilty").first())
    problems = corpus_problems()
    assert (
        "Statement 1 of event 'cz-pleads-guilty': cites a quote of event 'trump-pardons-cz', which it may not cite."
        in problems
    )
    assert "Statement 1 of event 'cz-thanks-trump': cites nothing and is not marked context or external." in problems
    assert "Statement 1 of era 'pardon': cites a quote of event 'cz-pleads-guilty', which it may not cite." in problems
    assert (
        "Statement 1 of actor 'mark-bini': cites a quote of event 'cz-pleads-guilty', which it may not cite."
        in problems
    )


def test_summaries_and_descriptions_are_the_statements_joined():
    for event in Event.objects.prefetch_related("statements"):
        assert event.summary == " ".join(s.text for s in sorted(event.statements.all(), key=lambda s: s.position))
    era = Era.objects.get(slug="prosecution")
    assert era.description == " ".join(era.statements.order_by("position").values_list("text", flat=True))


# The admin ---------------------------------------------------------------------------


def era_form(client, era, statements):
    """The era's change form with these statements; the edit-conflict digest as the opened form holds it."""
    opened = client.get(f"/admin/timeline/era/{era.pk}/change/").context["adminform"].form
    data = {
        "name": era.name,
        "slug": era.slug,
        "position": era.position,
        "loaded_digest": opened["loaded_digest"].value(),
        "statements-TOTAL_FORMS": str(len(statements)),
        "statements-INITIAL_FORMS": str(sum(1 for s in statements if s.get("id"))),
        "statements-MIN_NUM_FORMS": "0",
        "statements-MAX_NUM_FORMS": "1000",
    }
    for n, s in enumerate(statements):
        for name, value in s.items():
            data[f"statements-{n}-{name}"] = value
    return data


def current_statements(era):
    return [
        {
            "id": s.pk,
            "era": era.pk,
            "position": s.position,
            "text": s.text,
            "basis": s.basis,
            "note": s.note,
            "citations": [c.pk for c in s.citations.all()],
        }
        for s in era.statements.order_by("position")
    ]


def test_the_admin_offers_only_the_owners_citations(admin_client):
    event = Event.objects.get(slug="cz-pleads-guilty")
    response = admin_client.get(f"/admin/timeline/event/{event.pk}/change/")
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "statements")
    choices = set(formset.formset.forms[0].fields["citations"].queryset.values_list("pk", flat=True))
    assert choices == set(event.citations.values_list("pk", flat=True))


def test_the_admin_refuses_a_citation_of_another_era_and_a_bare_statement(admin_client):
    era = Era.objects.get(slug="pardon")
    url = f"/admin/timeline/era/{era.pk}/change/"
    statements = current_statements(era)
    foreign = Citation.objects.filter(event__slug="cz-pleads-guilty").first()
    statements[0]["citations"] = [foreign.pk]
    response = admin_client.post(url, era_form(admin_client, era, statements))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()

    statements = current_statements(era)
    statements[0]["citations"] = []
    response = admin_client.post(url, era_form(admin_client, era, statements))
    assert "Choose the quotes this statement rests on" in response.content.decode()
    assert list(era.statements.get(position=1).citations.all())


def test_an_admin_edit_of_a_statement_updates_the_description(admin_client):
    era = Era.objects.get(slug="pardon")
    statements = current_statements(era)
    statements[0]["text"] = "Trump pardons Zhao."
    response = admin_client.post(f"/admin/timeline/era/{era.pk}/change/", era_form(admin_client, era, statements))
    assert response.status_code == 302
    era.refresh_from_db()
    assert era.description == "Trump pardons Zhao."


# What readers see ----------------------------------------------------------------------

MARKER = re.compile(r'<a class="marker" href="#(?P<slug>[a-z0-9-]+)-c(?P<n>\d+)"')


def markers(html):
    return [(m["slug"], int(m["n"])) for m in MARKER.finditer(html)]


def test_the_permalink_shows_markers_that_land_on_its_citations(client):
    html = client.get("/events/trump-defends-pardon/").content.decode()
    event = Event.objects.get(slug="trump-defends-pardon")
    found = markers(html)
    assert found and {slug for slug, _ in found} == {event.slug}
    for _, n in found:
        assert f'id="trump-defends-pardon-c{n}"' in html
    assert 'id="trump-defends-pardon-s1"' in html
    assert 'href="#trump-defends-pardon-s2"' in html  # a citation links back to its statement
    assert 'role="tooltip"' in html and "“The former president emphasized" in html


def test_the_chronology_and_its_fragment_show_markers(client):
    """In what an event of the list loads when opened."""
    for response in (client.get("/?actor=changpeng-zhao"), client.get("/?actor=changpeng-zhao", **HTMX)):
        html = response.content.decode()
        for slug in ("cz-pleads-guilty", "cz-denies-wsj-report"):
            assert f'<details data-part="/events/{slug}/detail/"' in html
            assert {found for found, _ in markers(client.get(f"/events/{slug}/detail/").content.decode())} == {slug}


def test_context_statements_show_their_mark_and_note(client):
    html = client.get("/events/cz-barred-from-running-binance/").content.decode()
    assert 'context<span class="tip" role="tooltip"' in html
    assert "only the article on CZ’s rejection of the WSJ report says “for life”" in html


def test_the_source_reader_links_each_passage_to_the_statements_on_it(client):
    html = client.get("/sources/trump-defends-cz-pardon/").content.decode()
    citation = Citation.objects.get(
        event__slug="trump-defends-pardon", quote__startswith="The former president emphasized"
    )
    assert f'<a class="passage" href="#note-{citation.anchor}">' in html
    assert f'id="note-{citation.anchor}"' in html
    assert 'href="/events/trump-defends-pardon/#trump-defends-pardon-s2"' in html


def test_the_actor_page_shows_its_description_with_markers(client):
    html = client.get("/actors/steve-witkoff/").content.decode()
    assert "description" in {slug for slug, _ in markers(html)}
    assert 'id="description-c1"' in html and "While the claims have not been confirmed" in html


def test_changing_a_statements_citations_changes_the_data_version():
    before = DataVersion.current()[0]
    statement = EventStatement.objects.get(event__slug="cz-pleads-guilty", position=1)
    statement.citations.remove(statement.citations.first())
    assert DataVersion.current()[0] != before
    before = DataVersion.current()[0]
    statement.note = "A note."
    statement.save()
    assert DataVersion.current()[0] != before
