"""Synonyms curators keep (resign ↔ step down): in the fixtures like every record, in the admin,
expanded by search, and a change to them is a change of the data."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.test_reload import edit, reload, snapshot
from timeline.dataset.export import export
from timeline.listing.search import parse, terms
from timeline.models import DataVersion, Synonym

pytestmark = pytest.mark.django_db


def slugs(client, query):
    return [event["slug"] for event in client.get("/events.json", {"q": query}).json()["events"]]


def test_a_search_finds_what_a_synonym_says_either_way(corpus, client):
    assert slugs(client, "resigned as CEO")[0] == "cz-steps-down-as-ceo"
    assert "cz-steps-down-as-ceo" in slugs(client, "resign")
    Synonym.objects.filter(words="resign").delete()
    assert slugs(client, "resigned as CEO") == []


def test_a_synonym_joins_a_run_of_words_and_keeps_what_was_typed_first():
    groups = parse("Zhao resigned as CEO", [("resign", "step down"), ("CEO", "chief executive")])
    assert [group.typed for group in groups] == ["Zhao", "resigned", "as", "CEO"]
    assert groups[1].terms == (("resigned",), ("step", "down"))
    assert groups[3].terms == (("CEO",), ("chief", "executive"))
    # Either side finds the other, a phrase as a whole; what was typed comes before the synonyms.
    (group,) = parse("stepped down", [("resign", "step down")])
    assert group.terms == (("stepped", "down"), ("resign",))
    assert terms(parse("resigned CEO", [("resign", "step down")])) == ("resigned", "CEO", "step down")


def test_the_marks_show_the_synonym_the_result_holds(corpus, client):
    html = client.get("/", {"q": "resigned"}).content.decode()
    assert "<mark>stepped down</mark>" in html


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"words": "resign", "means": "Resign"}, "field 'means': A synonym of itself adds nothing"),
        ({"words": "step  down", "means": "resign"}, "field 'words': Give a word or a phrase of up to four words"),
        ({"words": "a b c d e", "means": "resign"}, "field 'words': Give a word or a phrase of up to four words"),
        ({"words": "C.E.O.", "means": "chief"}, "field 'words': Give a word or a phrase of up to four words"),
        ({"words": "resign"}, "field 'means': required field is missing"),
        ({"words": "resign", "means": "step down"}, "field 'words': duplicate timeline.synonym 'resign/step down'"),
    ],
)
def test_a_bad_synonym_record_is_refused_with_file_record_and_field(corpus, fixture_dir, fields, message):
    edit(fixture_dir, "synonyms.json", lambda records: records.append({"model": "timeline.synonym", "fields": fields}))
    count = len(json.loads((fixture_dir / "synonyms.json").read_text()))
    before = snapshot(), list(Synonym.objects.values_list("words", "means"))
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    assert f"fixtures/synonyms.json, record {count}" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert (snapshot(), list(Synonym.objects.values_list("words", "means"))) == before


@pytest.mark.slow
def test_a_synonym_added_to_the_fixtures_is_loaded_and_changes_the_data_version(corpus, fixture_dir):
    version = DataVersion.current()[0]
    record = {"model": "timeline.synonym", "fields": {"words": "chief executive", "means": "CEO"}}
    edit(fixture_dir, "synonyms.json", lambda records: records.append(record))
    reload(fixture_dir)
    assert Synonym.objects.filter(words="chief executive", means="CEO").exists()
    assert DataVersion.current()[0] != version
    version = DataVersion.current()[0]
    assert "0 created, 0 updated, 0 deleted" in reload(fixture_dir)
    assert DataVersion.current()[0] == version


def test_an_admin_edit_of_a_synonym_changes_the_data_version_and_is_kept_by_a_reload(corpus, fixture_dir):
    version = DataVersion.current()[0]
    Synonym.objects.create(words="chief executive", means="CEO")
    assert DataVersion.current()[0] != version
    assert "1 kept (admin edits)" in reload(fixture_dir)
    assert Synonym.objects.filter(words="chief executive").exists()


def test_the_export_writes_the_synonyms_back_byte_for_byte(corpus, tmp_path, settings):
    export(tmp_path / "out")
    assert (tmp_path / "out" / "synonyms.json").read_bytes() == (settings.FIXTURES_DIR / "synonyms.json").read_bytes()


def test_curators_edit_synonyms_in_the_admin(corpus, curator_client):
    response = curator_client.post(
        "/admin/timeline/synonym/add/", {"words": "chief executive", "means": "CEO"}, follow=True
    )
    assert response.status_code == 200 and Synonym.objects.filter(words="chief executive").exists()
    refused = curator_client.post("/admin/timeline/synonym/add/", {"words": "CEO", "means": "ceo"})
    assert "A synonym of itself adds nothing" in refused.content.decode()
    out = StringIO()
    call_command("check", "--database", "default", stdout=out)
