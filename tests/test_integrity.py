"""The security probe's findings (issue 11), each with the test that proves its fix.

A curator's account and the fixtures are treated as hostile: no file outside seeds/ can be
read or published, view-only means view-only, no stored date or text can take a page down,
a reload never loses an admin edit or crashes, and an export writes only where it should.
"""

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.admin_forms import change_form_data, citation_form
from timeline.corpus.seeds import MAX_ARTICLE_BYTES, SeedError, read_seed, seed_path
from timeline.corpus.seeds import seeds_dir as seeds_folder
from timeline.dataset.export import export
from timeline.dataset.validation import MAX_PROBLEMS
from timeline.models import Actor, Alias, Category, Citation, Era, Event, LoadedRecord, Source, TextLocked

pytestmark = pytest.mark.usefixtures("corpus")


def seed_names():
    """The articles a source may name: every file in seeds/ that the seed reader accepts, sorted."""
    names = []
    for entry in sorted(os.listdir(seeds_folder())):
        try:
            seed_path(entry)
        except SeedError:
            continue
        names.append(entry)
    return names


def reload(fixture_dir=None, *args):
    out = StringIO()
    options = ["--fixtures", str(fixture_dir)] if fixture_dir else []
    call_command("reload_timeline", *options, *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "events": sorted(Event.objects.values_list("slug", "title", "summary", "date", "certainty")),
        "categories": sorted(Event.categories.through.objects.values_list("event__slug", "category__slug")),
        "citations": sorted(Citation.objects.values_list("event__slug", "source__slug", "quote", "start")),
        "actors": sorted(Actor.objects.values_list("slug", "name", "description")),
        "aliases": sorted(Alias.objects.values_list("actor__slug", "name")),
        "sources": sorted(Source.objects.values_list("slug", "seed_file", "sha256")),
        "loaded": sorted(LoadedRecord.objects.values_list("model", "key", "digest")),
    }


def refused(fixture_dir, *patterns, args=()):
    """The reload (and its dry run) is refused with every pattern in the message; nothing changes."""
    before = snapshot()
    for extra in ((), ("--dry-run",)):
        with pytest.raises(CommandError) as excinfo:
            reload(fixture_dir, *args, *extra)
        for pattern in patterns:
            assert pattern in str(excinfo.value), (pattern, str(excinfo.value)[:2000])
    assert snapshot() == before
    return str(excinfo.value)


def edit(fixture_dir, name, change):
    path = fixture_dir / name
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")  # escapes, so lone surrogates can be written


def first(records, model):
    return next(r for r in records if r["model"] == model)


# High: a curator could read any file the server can read ---------------------------------


@pytest.mark.parametrize("name", ["../../../proc/self/environ", "/etc/passwd", "sub/x.txt", "..", "x.txt\x00"])
def test_the_seed_reader_refuses_any_name_with_a_path_in_it(name):
    with pytest.raises(SeedError, match="file name in seeds/"):
        read_seed(name)


def test_the_seed_reader_refuses_links_devices_big_and_binary_files(seeds_dir):
    (seeds_dir / "environ.txt").symlink_to("/proc/self/environ")
    (seeds_dir / "zero.txt").symlink_to("/dev/zero")
    (seeds_dir / "inside.txt").symlink_to(seeds_dir / "000_f1cb600b499e6748.txt")
    (seeds_dir / "big.txt").write_bytes(b"a" * (MAX_ARTICLE_BYTES + 1))
    (seeds_dir / "latin1.txt").write_bytes("café".encode("latin-1"))
    (seeds_dir / "escape.txt").write_text("An article with \x1b[2J an escape.", encoding="utf-8")
    os.mkfifo(seeds_dir / "fifo.txt")
    for name, reason in [
        ("environ.txt", "symbolic link"),
        ("zero.txt", "symbolic link"),
        ("inside.txt", "symbolic link"),
        ("big.txt", "larger than 1,000,000 bytes"),
        ("latin1.txt", "not UTF-8"),
        ("escape.txt", "control character"),
        ("fifo.txt", "not a plain file"),
        ("missing.txt", "no article"),
    ]:
        with pytest.raises(SeedError, match=reason):
            read_seed(name)
    assert not {"environ.txt", "zero.txt", "inside.txt", "fifo.txt"} & set(seed_names())


def test_the_admin_never_lets_a_curator_name_an_article_file(admin_client):
    """An article is pasted or uploaded; its file name in seeds/ is given by export_timeline, never typed."""
    response = admin_client.get("/admin/timeline/source/add/")
    assert "seed_file" not in response.context["adminform"].form.fields
    source = Source.objects.first()
    url = f"/admin/timeline/source/{source.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["seed_file"] = "../../../proc/self/environ"
    admin_client.post(url, data)
    source.refresh_from_db()
    assert source.seed_file in seed_names()


def test_a_cited_source_keeps_its_article(admin_client):
    source = Citation.objects.first().source
    url = f"/admin/timeline/source/{source.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["seed_file"] = next(name for name in seed_names() if name != source.seed_file)
    data["text"] = "Another article."
    admin_client.post(url, data)
    kept = Source.objects.get(pk=source.pk)
    assert (kept.seed_file, kept.text, kept.sha256) == (source.seed_file, source.text, source.sha256)
    source.text = "Another article."
    with pytest.raises(TextLocked):
        source.save()


def test_a_citation_is_checked_against_the_stored_text_and_never_reads_another_file(admin_client):
    """The probe recovered the secret key through "it is at 158:176"; the file is never opened now."""
    Source.objects.create(slug="probe", title="Probe", seed_file="probe.txt", text="")
    Source.objects.filter(slug="probe").update(seed_file="../../../proc/self/environ")  # as raw SQL would
    citation = Citation.objects.first()
    url = f"/admin/timeline/citation/{citation.pk}/change/"
    probe = Source.objects.get(slug="probe")
    for start, end in ((0, 1), (None, None)):
        response = admin_client.post(url, citation_form(citation, source=probe.pk, quote="PATH=", start=start, end=end))
        html = response.content.decode()
        assert "This quote is not in the article" in html
        assert "it is at" not in html
    citation.refresh_from_db()
    assert citation.source.slug != "probe"


def test_a_symlinked_seed_is_refused_by_the_reload(fixture_dir, seeds_dir):
    (seeds_dir / "x.txt").symlink_to("/proc/self/environ")
    edit(fixture_dir, "sources.json", lambda rs: rs[0]["fields"].update(seed_file="x.txt", sha256=""))
    refused(fixture_dir, "fixtures/sources.json, record 1", "field 'seed_file': seeds/x.txt is a symbolic link")


def test_a_replaced_article_is_refused_by_its_sha256(fixture_dir, seeds_dir):
    path = seeds_dir / "000_f1cb600b499e6748.txt"
    path.write_text(path.read_text(encoding="utf-8") + " Appended.", encoding="utf-8")
    refused(fixture_dir, "field 'sha256': seeds/000_f1cb600b499e6748.txt is not the article the fixture names")


# Medium: a view-only curator edited eras and categories through "Revert" ------------------


@pytest.mark.parametrize("model", [Era, Category])
def test_a_view_only_curator_cannot_revert(client, curator, model):
    record = model.objects.first()
    record.name = "Renamed by an administrator"
    record.save()
    old = record.history.last()
    client.force_login(curator)
    url = f"/admin/timeline/{model._meta.model_name}/{record.pk}/history/{old.history_id}/"
    assert client.get(url).status_code == 200  # looking at an old version is viewing
    data = {f.name: getattr(old, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    response = client.post(url, {**data, "loaded_digest": ""})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.name == "Renamed by an administrator"


# Medium: a far-future date took the site down --------------------------------------------


@pytest.mark.parametrize(
    "value, ok",
    [("1899-12-31", False), ("1900-01-01", True), ("2100-12-31", True), ("2101-01-01", False), ("9999-12-01", False)],
)
def test_dates_are_bounded_in_the_model(value, ok):
    event = Event.objects.first()
    event.date, event.date_precision, event.end_date = value, "day", None
    if ok:
        event.full_clean()
    else:
        with pytest.raises(ValidationError, match="Dates must fall between 1900 and 2100"):
            event.full_clean()


def test_a_far_future_date_in_a_fixture_is_refused(fixture_dir):
    edit(fixture_dir, "events.json", lambda rs: first(rs, "timeline.event")["fields"].update(date="9999-12-01"))
    refused(fixture_dir, "fixtures/events.json, record", "field 'date': Dates must fall between 1900 and 2100")


def test_a_far_future_date_in_the_admin_is_refused(admin_client):
    event = Event.objects.filter(date_precision="month").first()
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["date"] = "9999-12-01"
    response = admin_client.post(url, data)
    assert "Dates must fall between 1900 and 2100" in response.content.decode()
    assert Event.objects.get(pk=event.pk).date == event.date


@pytest.mark.parametrize("value", ["9999", "10000", "1899-12-31", "2101", "0001-01-01"])
@pytest.mark.parametrize("path", ["/", "/events.json", "/events.ics"])
def test_a_date_out_of_range_in_the_url_is_a_readable_400(client, path, value):
    response = client.get(path, {"from": value})
    assert response.status_code == 400
    assert value in response.content.decode()
    if value in ("9999", "2101", "1899-12-31"):
        assert "dates fall between 1900 and 2100" in response.content.decode()


@pytest.mark.parametrize("value", ["1900", "1900-01-01", "2100", "2100-12-31", "December 2100"])
def test_dates_at_the_bounds_are_accepted_in_the_url(client, value):
    for name in ("from", "to"):
        assert client.get("/", {name: value}).status_code == 200


# Low-medium: a control character made the Atom feed answer 500 -----------------------------

CONTROL_TEXT = ["Title \x0b vertical tab", "Title \x1b[2J escape", "Title \x00 nul", "Title \ud800 surrogate"]


@pytest.mark.parametrize("text", CONTROL_TEXT)
def test_control_characters_are_refused_in_a_fixture(fixture_dir, text):
    edit(fixture_dir, "events.json", lambda rs: first(rs, "timeline.event")["fields"].update(title=text))
    message = refused(fixture_dir, "fixtures/events.json, record", "field 'title': The text holds a")
    assert "\ud800" not in message and "\x1b" not in message


def test_control_characters_are_refused_in_the_admin(admin_client):
    actor = Actor.objects.get(slug="justin-sun")
    url = f"/admin/timeline/actor/{actor.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["name"] = "Justin\x1b[31m Sun"
    data["statements-0-text"] = "A first line\r\nthen another\tand a tab are fine."
    response = admin_client.post(url, data)
    assert "The text holds a control character (U+001B)" in response.content.decode()
    data["name"] = actor.name
    assert admin_client.post(url, data).status_code == 302
    assert Actor.objects.get(pk=actor.pk).description.startswith("A first line\r\nthen another\tand a tab are fine.")


def test_the_feed_never_fails_on_stored_control_characters(client):
    event = Event.objects.filter(date__isnull=False).first()
    Event.objects.filter(pk=event.pk).update(title="A\x0bB", summary="C\x1bD\x01E")  # as raw SQL would
    Citation.objects.filter(event=event).update(quote="F\x08G")
    Category.objects.filter(events=event).update(name="H\x0cI")
    response = client.get("/feed/")
    assert response.status_code == 200
    titles = [e.text for e in ET.fromstring(response.content).iter("{http://www.w3.org/2005/Atom}title")]
    assert any(title.endswith("A\ufffdB") for title in titles)


# Medium: a reload lost an admin edit without a backup ---------------------------------------


def admin_made_event(category):
    event = Event.objects.create(
        slug="admin-made",
        title="Made in the admin",
        summary="A curator's event.",
        date_basis="undated",
        certainty="reported",
        era=Era.objects.first(),
    )
    event.categories.add(category)
    source = Source.objects.first()
    quote = source.text[:30]
    Citation.objects.create(event=event, source=source, quote=quote, start=0, end=len(quote))
    return event


def test_a_reload_refuses_to_unlink_a_category_from_a_kept_event(fixture_dir):
    category = Category.objects.first()
    admin_made_event(category)

    def drop_category(records):
        records[:] = [r for r in records if r["fields"].get("slug") != category.slug]
        for record in records:
            if record["model"] == "timeline.event":
                record["fields"]["categories"] = [c for c in record["fields"]["categories"] if c != [category.slug]]

    edit(fixture_dir, "taxonomy.json", drop_category)
    edit(fixture_dir, "events.json", drop_category)
    refused(
        fixture_dir,
        f"timeline.category '{category.slug}': timeline.event 'admin-made', kept from the admin, "
        "lists it in 'categories'",
    )
    assert list(Event.objects.get(slug="admin-made").categories.all()) == [category]


def test_category_changes_are_in_the_history():
    event = Event.objects.filter(categories__isnull=False).first()
    before = set(event.categories.values_list("slug", flat=True))
    added = Category.objects.exclude(events=event).first()
    event.categories.add(added)
    latest = event.history.first()
    assert {c.category.slug for c in latest.categories.all()} == before | {added.slug}
    assert {c.category.slug for c in latest.prev_record.categories.all()} == before


@pytest.mark.slow
def test_two_curators_cannot_overwrite_each_others_inline_rows(admin_client, client, curator):
    event = Event.objects.filter(citations__stance="supports").first()
    url = f"/admin/timeline/event/{event.pk}/change/"
    client.force_login(curator)
    mine = change_form_data(admin_client.get(url))
    theirs = change_form_data(client.get(url))
    prefix = next(k[: -len("-stance")] for k, v in theirs.items() if k.startswith("citations-") and v == "supports")
    theirs[f"{prefix}-stance"] = "disputes"
    assert client.post(url, theirs).status_code == 302
    changed = Citation.objects.get(pk=theirs[f"{prefix}-id"])
    assert changed.stance == "disputes"

    mine["title"] = event.title + " (mine)"
    response = admin_client.post(url, mine)
    assert "Someone changed this record since you opened it" in response.content.decode()
    changed.refresh_from_db()
    assert changed.stance == "disputes"
    assert Event.objects.get(pk=event.pk).title == event.title


# Low: the reload crashed with a traceback ---------------------------------------------------


@pytest.mark.slow
def test_a_source_created_in_the_admin_is_kept_by_the_reload(seeds_dir):
    (seeds_dir / "005_admin.txt").write_text("An article a curator added.\n", encoding="utf-8")
    Source.objects.create(
        slug="admin-source", title="Added", seed_file="005_admin.txt", text=read_seed("005_admin.txt")
    )
    for args in (("--dry-run",), ()):
        output = reload(None, *args)
        assert "Kept admin edit: timeline.source 'admin-source'" in output
    assert Source.objects.get(slug="admin-source").text == "An article a curator added.\n"


def test_an_alias_name_held_by_a_kept_alias_is_refused(fixture_dir):
    kept = Alias.objects.create(actor=Actor.objects.get(slug="justin-sun"), name="The Same Name")
    edit(
        fixture_dir,
        "actors.json",
        lambda rs: rs.append({"model": "timeline.alias", "fields": {"actor": ["changpeng-zhao"], "name": kept.name}}),
    )
    refused(
        fixture_dir,
        "fixtures/actors.json, record",
        "field 'name': name must be unique, and timeline.alias 'justin-sun/The Same Name', kept from the admin",
    )


def test_deeply_nested_json_is_refused(fixture_dir):
    (fixture_dir / "actors.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    refused(fixture_dir, "fixtures/actors.json: JSON nested too deeply")
    edit(fixture_dir, "sources.json", lambda rs: rs[0]["fields"].update(title=[[[[[[[["deep"]]]]]]]]))
    shutil.copy(settings.FIXTURES_DIR / "actors.json", fixture_dir / "actors.json")
    refused(fixture_dir, "fixtures/sources.json, record 1: JSON nested too deeply")


@pytest.mark.slow
def test_a_huge_list_of_numbers_is_refused_briefly(fixture_dir):
    (fixture_dir / "events.json").write_text("[" + ",".join(["1"] * 2_400_000) + "]", encoding="utf-8")
    message = refused(fixture_dir, "fixtures/events.json: holds 2,400,000 records; the limit is 20,000.")
    assert len(message) < 1_000


def test_problems_stop_after_a_bound_and_say_how_many_more(fixture_dir):
    (fixture_dir / "events.json").write_text(json.dumps(list(range(500))), encoding="utf-8")
    message = refused(fixture_dir, f"... and {500 - MAX_PROBLEMS:,} more problems.")
    assert message.count("expected an object with 'model' and 'fields'") == MAX_PROBLEMS


# Low: export_timeline followed symlinks and wrote anywhere ----------------------------------


def test_export_writes_a_new_folder_or_an_earlier_export(tmp_path):
    new = tmp_path / "new" / "export"
    export(new)
    assert sorted(os.listdir(new)) == sorted(p.name for p in settings.FIXTURES_DIR.glob("*.json"))
    export(new)  # again: it holds only an earlier export
    assert not [name for name in os.listdir(new) if name.startswith(".")]  # no temporary file left


def test_export_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(CommandError, match="already holds other files \\(notes.txt\\)"):
        call_command("export_timeline", "--output", str(tmp_path), stdout=StringIO())
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_export_never_writes_through_a_symbolic_link(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "linked").symlink_to(target)
    with pytest.raises(CommandError, match="is a symbolic link"):
        call_command("export_timeline", "--output", str(tmp_path / "linked"), stdout=StringIO())
    out = tmp_path / "out"
    export(out)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    (out / "events.json").unlink()
    (out / "events.json").symlink_to(victim)
    with pytest.raises(CommandError, match="events.json is a symbolic link"):
        call_command("export_timeline", "--output", str(out), stdout=StringIO())
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert os.listdir(target) == []


# Low: 500s were not logged under production settings ------------------------------------

BOOM = """
import sys, types
import django
django.setup()
from django.test import Client, override_settings
from django.urls import path
def boom(request):
    raise RuntimeError("boom for the log")
urls = types.ModuleType("boom_urls")
urls.urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = urls
with override_settings(ROOT_URLCONF="boom_urls"):
    print(Client(raise_request_exception=False).get("/boom/", HTTP_HOST="timeline.example").status_code)
from django.conf import settings
print(settings.SITE_URL)
"""


def test_a_500_is_logged_to_the_console_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="timeline.project.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="a-test-secret-" * 4,
        DJANGO_ALLOWED_HOSTS="timeline.example",
        DJANGO_SITE_URL="https://timeline.example/",
    )
    result = subprocess.run(
        [sys.executable, "-c", BOOM], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["500", "https://timeline.example"], result.stderr
    assert "Internal Server Error: /boom/" in result.stderr
    assert "RuntimeError: boom for the log" in result.stderr
