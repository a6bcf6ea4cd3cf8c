"""reload_timeline: validate first, apply atomically, keep admin edits, refuse bad fixtures."""

import json
import os
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timeline.dataset.export import export
from timeline.models import Actor, Citation, EraStatement, Event, LoadedRecord, Source

pytestmark = pytest.mark.django_db


def reload(fixture_dir=None, *args):
    out = StringIO()
    options = ["--fixtures", str(fixture_dir)] if fixture_dir else []
    call_command("reload_timeline", *options, *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything the corpus holds, to prove a refused reload changed nothing."""
    return {
        "events": sorted(Event.objects.values_list("slug", "title", "summary", "date", "certainty")),
        "citations": sorted(Citation.objects.values_list("event__slug", "source__slug", "quote", "start")),
        "actors": sorted(Actor.objects.values_list("slug", "name", "description")),
        "loaded": sorted(LoadedRecord.objects.values_list("model", "key", "digest")),
    }


def edit(fixture_dir, name, change):
    path = fixture_dir / name
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def first(records, model):
    return next(r for r in records if r["model"] == model)


def forget_citation(fixture_dir, key):
    """Drop a removed citation from the statements that rest on it, which then rest on the curators' reading."""

    def drop(records):
        for record in records:
            if key in record["fields"]["citations"]:
                record["fields"]["citations"].remove(key)
                record["fields"].update(basis="context", note="A quote it rested on was removed.")

    edit(fixture_dir, "statements.json", drop)


def drop_statements_of(fixture_dir, event_slug):
    """Remove an event's statements, and every other statement's use of its citations (marking it context)."""

    def drop(records):
        records[:] = [r for r in records if r["fields"].get("event") != [event_slug]]
        for record in records:
            kept = [c for c in record["fields"]["citations"] if c[0] != event_slug]
            if kept != record["fields"]["citations"]:
                record["fields"].update(basis="context", note="The event it rested on was removed.")
            record["fields"]["citations"] = kept

    edit(fixture_dir, "statements.json", drop)


def test_reloading_unchanged_fixtures_is_a_no_op(corpus):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        output = reload()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert "0 created, 0 updated, 0 deleted" in output
    assert snapshot() == before


@pytest.mark.slow
def test_first_load_creates_every_record(corpus):
    EraStatement.objects.all().delete()  # eras stay, but their statements cite citations deleted below
    Citation.objects.all().delete()
    Event.objects.all().delete()
    Source.objects.all().delete()
    Actor.objects.all().delete()
    LoadedRecord.objects.all().delete()
    output = reload(None, "--verbosity", "2")
    records = json.loads((settings.FIXTURES_DIR / "events.json").read_text())
    fixture_events = [r for r in records if r["model"] == "timeline.event"]
    assert Event.objects.count() == len(fixture_events)
    assert re.search(rf"timeline.event +{len(fixture_events)} created\n", output)
    assert re.search(r"timeline.era +5 unchanged\n", output)


def test_changed_fixture_updates_only_that_record(corpus, fixture_dir):
    edit(
        fixture_dir,
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(title="A new title"),
    )
    output = reload(fixture_dir)
    assert "1 updated" in output
    slug = first(json.loads((fixture_dir / "events.json").read_text()), "timeline.event")["fields"]["slug"]
    assert Event.objects.get(slug=slug).title == "A new title"
    assert "Reloaded: 0 created, 1 updated, 0 deleted" in output


def test_removed_record_is_deleted(corpus, fixture_dir):
    citations = json.loads((fixture_dir / "citations.json").read_text())
    removed = citations[-1]["fields"]
    edit(fixture_dir, "citations.json", lambda rs: rs.pop())
    forget_citation(fixture_dir, [removed["event"][0], removed["source"][0], removed["start"]])
    output = reload(fixture_dir)
    assert "1 deleted" in output
    assert not Citation.objects.filter(
        event__slug=removed["event"][0], source__slug=removed["source"][0], start=removed["start"]
    ).exists()


def test_dry_run_writes_nothing(corpus, fixture_dir):
    edit(fixture_dir, "events.json", lambda rs: first(rs, "timeline.event")["fields"].update(title="Dry"))
    before = snapshot()
    output = reload(fixture_dir, "--dry-run")
    assert "Dry run, nothing written: would have 0 created, 1 updated" in output
    assert snapshot() == before


BAD_RECORDS = [
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(certainty="maybe"),
        "field 'certainty': Value 'maybe' is not a valid choice.",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(importance="high"),
        "field 'importance': expected int, got str 'high'",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(date="2025-02-30"),
        "field 'date':",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(date="2025-03-13", date_precision="month"),
        "field 'date': For month or year precision, the date is the first day of the period.",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].pop("title"),
        "field 'title': required field is missing.",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(colour="red"),
        "field 'colour': timeline.event has no such field.",
    ),
    (
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(era=["no-such-era"]),
        "field 'era': refers to timeline.era 'no-such-era', which no fixture defines.",
    ),
    (
        "events.json",
        lambda rs: rs.insert(1, json.loads(json.dumps(first(rs, "timeline.event")))),
        "field 'slug': duplicate timeline.event",
    ),
    (
        "citations.json",
        lambda rs: rs[0]["fields"].update(quote=rs[0]["fields"]["quote"] + " and then some invented words"),
        "field 'quote': This quote is not in the article",
    ),
    (
        "citations.json",
        lambda rs: rs[0]["fields"].update(end=rs[0]["fields"]["end"] + 1),
        "do not match the quote",
    ),
    (
        "sources.json",
        lambda rs: rs[0]["fields"].update(seed_file="../../etc/passwd"),
        "field 'seed_file': An article is a file name in seeds/",
    ),
    (
        "actors.json",
        lambda rs: rs.append({"model": "timeline.event", "fields": {}}),
        "field 'model': 'timeline.event' does not belong in this file",
    ),
]


@pytest.mark.parametrize("name, change, message", BAD_RECORDS)
def test_bad_record_is_refused_and_named(corpus, fixture_dir, name, change, message):
    edit(fixture_dir, name, change)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    text = str(excinfo.value)
    assert "the database is unchanged" in text
    assert f"fixtures/{name}, record " in text
    assert message in text
    assert snapshot() == before


def test_event_without_citation_is_refused(corpus, fixture_dir):
    slug = first(json.loads((fixture_dir / "events.json").read_text()), "timeline.event")["fields"]["slug"]
    edit(
        fixture_dir,
        "citations.json",
        lambda rs: rs.__setitem__(slice(None), [r for r in rs if r["fields"]["event"] != [slug]]),
    )
    drop_statements_of(fixture_dir, slug)
    before = snapshot()
    with pytest.raises(CommandError, match=f"timeline.event '{slug}'\\), field 'slug': the event has no citation"):
        reload(fixture_dir)
    assert snapshot() == before


def test_truncated_json_is_refused_with_its_position(corpus, fixture_dir):
    path = fixture_dir / "actors.json"
    path.write_text(path.read_text()[:500], encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=r"fixtures/actors.json: invalid JSON at line \d+, column \d+"):
        reload(fixture_dir)
    assert snapshot() == before


def test_missing_file_is_refused(corpus, fixture_dir):
    (fixture_dir / "sources.json").unlink()
    with pytest.raises(CommandError, match="fixtures/sources.json: file is missing."):
        reload(fixture_dir)


def test_several_problems_are_reported_together(corpus, fixture_dir):
    def break_two(records):
        events = [r for r in records if r["model"] == "timeline.event"]
        events[0]["fields"]["certainty"] = "maybe"
        events[1]["fields"]["importance"] = None

    edit(fixture_dir, "events.json", break_two)
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    assert "field 'certainty'" in str(excinfo.value)
    assert "field 'importance'" in str(excinfo.value)


def admin_edit(slug, **changes):
    Event.objects.filter(slug=slug).update(**changes)


def first_event_slug(fixture_dir):
    return first(json.loads((fixture_dir / "events.json").read_text()), "timeline.event")["fields"]["slug"]


def test_admin_edit_is_kept_when_the_fixture_did_not_change_it(corpus):
    slug = Event.objects.order_by("slug").first().slug
    admin_edit(slug, title="Curated title")
    output = reload()
    assert Event.objects.get(slug=slug).title == "Curated title"
    assert f"Kept admin edit: timeline.event '{slug}'" in output
    assert "1 kept (admin edits)" in output


def test_conflicting_admin_edit_refuses_the_reload(corpus, fixture_dir):
    slug = first_event_slug(fixture_dir)
    admin_edit(slug, title="Curated title")
    edit(
        fixture_dir,
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(title="Fixture title"),
    )
    edit(fixture_dir, "actors.json", lambda rs: first(rs, "timeline.actor")["fields"].update(name="New"))
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    assert f"timeline.event '{slug}': edited in the admin since the last reload" in str(excinfo.value)
    assert "differs in title" in str(excinfo.value)
    assert snapshot() == before


def test_force_overwrites_admin_edits_and_says_which(corpus, fixture_dir):
    slug = first_event_slug(fixture_dir)
    admin_edit(slug, title="Curated title")
    edit(
        fixture_dir,
        "events.json",
        lambda rs: first(rs, "timeline.event")["fields"].update(title="Fixture title"),
    )
    output = reload(fixture_dir, "--force")
    assert f"Overwrote admin edit: timeline.event '{slug}'" in output
    assert Event.objects.get(slug=slug).title == "Fixture title"


def test_record_created_in_admin_is_not_deleted(corpus):
    event = Event.objects.order_by("slug").first()
    source = Source.objects.first()
    quote = source.text[:40]
    Citation.objects.create(event=event, source=source, quote=quote, start=0, end=len(quote))
    output = reload()
    assert Citation.objects.filter(event=event, source=source, start=0).exists()
    assert f"Kept admin edit: timeline.citation '{event.slug}/{source.slug}/0'" in output


def test_exported_admin_edits_then_reload_cleanly(corpus, tmp_path):
    slug = Event.objects.order_by("slug").first().slug
    admin_edit(slug, title="Curated title")
    export(tmp_path)
    output = reload(tmp_path)
    assert "0 kept" in output and "0 updated" in output
    assert Event.objects.get(slug=slug).title == "Curated title"


def test_export_right_after_a_reload_is_byte_identical(corpus, tmp_path):
    for path in export(tmp_path):
        assert path.read_bytes() == (settings.FIXTURES_DIR / path.name).read_bytes(), path.name


def test_corpus_check_runs_with_the_database_and_names_the_problem(corpus):
    call_command("check", "--database", "default", stdout=StringIO())
    citation = Citation.objects.select_related("event").first()
    Citation.objects.filter(pk=citation.pk).update(start=citation.start + 1)
    with pytest.raises(SystemCheckError, match=f"for event '{citation.event.slug}', field 'start': Offsets"):
        call_command("check", "--database", "default", stdout=StringIO())


def test_deleting_a_record_an_admin_addition_refers_to_is_refused(corpus, fixture_dir):
    slug = first_event_slug(fixture_dir)
    event = Event.objects.get(slug=slug)
    source = Source.objects.first()
    quote = source.text.splitlines()[0][:30].strip()
    Citation.objects.create(
        event=event,
        source=source,
        quote=quote,
        start=source.text.index(quote),
        end=source.text.index(quote) + len(quote),
    )

    def drop_event(records):
        records[:] = [r for r in records if r["fields"].get("slug") != slug and r["fields"].get("event") != [slug]]

    edit(fixture_dir, "events.json", drop_event)
    edit(fixture_dir, "citations.json", drop_event)
    drop_statements_of(fixture_dir, slug)
    before = snapshot()
    with pytest.raises(CommandError, match=f"timeline.event '{slug}': timeline.citation '{slug}/.*kept from the admin"):
        reload(fixture_dir)
    assert snapshot() == before


def test_moving_an_era_leaves_the_time_order_alone(corpus):
    """Eras are labels along the time line, not groups that reorder it."""
    from timeline.models import Era

    before = list(Event.objects.chronological().values_list("slug", flat=True))
    pardon = Era.objects.get(slug="pardon")
    pardon.position = 0
    pardon.save()
    assert list(Event.objects.chronological().values_list("slug", flat=True)) == before


def refused(fixture_dir, pattern):
    before = snapshot()
    with pytest.raises(CommandError, match=pattern) as excinfo:
        reload(fixture_dir)
    assert "the database is unchanged" in str(excinfo.value)
    assert snapshot() == before


def test_a_50_mb_file_is_refused_without_being_read(corpus, fixture_dir):
    path = fixture_dir / "events.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            "[" + ",".join(['{"model": "timeline.event", "fields": {"title": "' + "x" * 1000 + '"}}'] * 50_000)
        )
        handle.write("]")
    assert path.stat().st_size > 50_000_000
    refused(fixture_dir, r"fixtures/events.json: file is 5\d,\d{3},\d{3} bytes; the limit is 5,242,880\.")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"model": "timeline.actor"}', r"fixtures/actors.json: expected a JSON list of records, got dict\."),
        ('["timeline.actor"]', r"fixtures/actors.json, record 1: expected an object with 'model' and 'fields'\."),
        ('[{"model": "timeline.actor", "fields": []}]', r"fixtures/actors.json, record 1: expected an object"),
        ("", r"fixtures/actors.json: invalid JSON at line 1, column 1"),
    ],
)
def test_wrong_shapes_are_refused_and_named(corpus, fixture_dir, text, message):
    (fixture_dir / "actors.json").write_text(text, encoding="utf-8")
    refused(fixture_dir, message)


def test_a_file_that_is_not_utf8_is_refused(corpus, fixture_dir):
    path = fixture_dir / "sources.json"
    path.write_bytes(path.read_bytes().replace(b"[", b"[\xff", 1))
    refused(fixture_dir, r"fixtures/sources.json: not UTF-8 \(invalid start byte at byte 1\)\.")


def test_a_citation_of_an_undefined_event_is_refused_and_named(corpus, fixture_dir):
    edit(fixture_dir, "citations.json", lambda rs: rs[0]["fields"].update(event=["no-such-event"]))
    refused(fixture_dir, r"fixtures/citations.json, record 1.*field 'event': refers to timeline.event 'no-such-event'")


def test_a_reference_of_the_wrong_type_is_refused_and_named(corpus, fixture_dir):
    edit(fixture_dir, "events.json", lambda rs: first(rs, "timeline.event")["fields"].update(era=7))
    refused(fixture_dir, r"fixtures/events.json, record \d+ .*, field 'era': expected a natural key like .*, got 7\.")


def test_a_reload_remembers_what_it_wrote_in_a_few_batched_statements(fixture_dir):
    """Each written record's digest is kept (LoadedRecord), in batches rather than a statement per record."""

    def retitle(records):
        first(records, "timeline.event")["fields"]["title"] = "Retitled"

    edit(fixture_dir, "events.json", retitle)
    LoadedRecord.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        reload(fixture_dir, "--force")
    on_loaded = [q["sql"] for q in queries.captured_queries if "timeline_loadedrecord" in q["sql"]]
    records = sum(len(json.loads(path.read_text(encoding="utf-8"))) for path in fixture_dir.glob("*.json"))
    assert LoadedRecord.objects.count() == records
    assert len([sql for sql in on_loaded if not sql.startswith("SELECT")]) <= 3, on_loaded
    retitled = first(json.loads((fixture_dir / "events.json").read_text(encoding="utf-8")), "timeline.event")
    assert Event.objects.get(slug=retitled["fields"]["slug"]).title == "Retitled"


# Hostile JSON (issue 26, finding 11): every one is refused by file, record and field, never a traceback.


def raw_value(fixture_dir, name, model, field, raw):
    """Write a field's value as raw JSON text, which json.dumps could not produce."""
    path = fixture_dir / name
    records = json.loads(path.read_text(encoding="utf-8"))
    first(records, model)["fields"][field] = "@@raw@@"
    path.write_text(json.dumps(records).replace('"@@raw@@"', raw, 1), encoding="utf-8")


def test_an_integer_past_pythons_digit_limit_is_refused_and_named(corpus, fixture_dir):
    raw_value(fixture_dir, "citations.json", "timeline.citation", "start", "9" * 4301)
    refused(fixture_dir, r"fixtures/citations.json, record 1, field 'start': an integer of 4,301 digits")


@pytest.mark.parametrize(
    "name, model, field, raw, message",
    [
        ("events.json", "timeline.event", "title", "-" + "1" * 5000, r"record 1 \(.*\), field 'title': an integer of"),
        (
            "citations.json",
            "timeline.citation",
            "event",
            "[" + "1" * 5000 + "]",
            r"record 1, field 'event': expected a",
        ),
        (
            "citations.json",
            "timeline.citation",
            "start",
            "NaN",
            r"record 1, field 'start': expected int, got float nan",
        ),
        (
            "citations.json",
            "timeline.citation",
            "start",
            "1e999",
            r"record 1, field 'start': expected int, got float inf",
        ),
        (
            "citations.json",
            "timeline.citation",
            "start",
            "-Infinity",
            r"record 1, field 'start': expected int, got float",
        ),
        (
            "events.json",
            "timeline.event",
            "title",
            '"A", "title": "B"',
            r"record 1, field 'title': given more than once",
        ),
        ("events.json", "timeline.event", "ti\x00tle\x1b", '"x"', r"field 'ti\\x00tle\\x1b': .* has no such field"),
    ],
)
def test_hostile_values_are_refused_and_named(corpus, fixture_dir, name, model, field, raw, message):
    raw_value(fixture_dir, name, model, field, raw)
    refused(fixture_dir, message)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[{"model": ["timeline.actor"], "fields": {}}]', r"record 1, field 'model': \['timeline.actor'\] does not"),
        ('[{"model": {}, "fields": {}}]', r"record 1, field 'model': \{\} does not belong"),
        ('[{"model": "timeline.actor", "model": "timeline.alias", "fields": {}}]', r"field 'model': given more than"),
        ("[" * 100_000 + "]" * 100_000, r"fixtures/actors.json: JSON nested too deeply"),
        ("\ufeff[]", r"fixtures/actors.json: invalid JSON at line 1, column 1: Unexpected UTF-8 BOM"),
    ],
)
def test_hostile_files_are_refused_and_named(corpus, fixture_dir, text, message):
    (fixture_dir / "actors.json").write_text(text, encoding="utf-8")
    refused(fixture_dir, message)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: path.symlink_to(path.parent.parent / "elsewhere.json"), "is a symbolic link"),
        (lambda path: path.symlink_to("/dev/zero"), "is a symbolic link"),
        (lambda path: path.mkdir(), "is not a plain file"),
        (lambda path: os.mkfifo(path), "is not a plain file"),
    ],
)
def test_a_fixture_that_is_not_a_plain_file_is_refused(corpus, fixture_dir, make, message):
    path = fixture_dir / "actors.json"
    (fixture_dir.parent / "elsewhere.json").write_bytes(path.read_bytes())
    path.unlink()
    make(path)
    refused(fixture_dir, f"fixtures/actors.json: {message}")


def test_a_long_cyrillic_alias_is_loaded_and_remembered(corpus, fixture_dir):
    """JSON writes a Cyrillic letter as six characters: a 200-letter alias's key is 1,200+ characters, which a
    varchar(500) refuses on PostgreSQL (this test runs there under `make test`, via tests/services.py)."""
    name = "Ч" * 200
    path = fixture_dir / "actors.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    records.append({"model": "timeline.alias", "fields": {"actor": ["justin-sun"], "name": name, "garbled": False}})
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    key = json.dumps(["justin-sun", name])
    assert len(key) > 1200
    assert LoadedRecord.objects.get(model="timeline.alias", key=key).key == key
    assert LoadedRecord._meta.get_field("key").max_length is None
