"""Trust signals a reader can read (issue 29, item 3): the key to the labels, the two filters for
disputed events and outside knowledge, stance words that cannot contradict themselves, and no era
and category with one name."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from timeline.corpus.checks import check_corpus
from timeline.listing import key
from timeline.models import Category, Citation, Era, Event

pytestmark = pytest.mark.usefixtures("corpus")


def listed(html):
    return re.findall(r'<article class="event [^"]*" id="([a-z0-9-]+)"', html)


def test_the_key_defines_every_certainty_stance_and_mark_once():
    anchors = [entry.anchor for entry in key.KEY]
    assert len(anchors) == len(set(anchors))
    assert set(key.CERTAINTY) == set(Event.Certainty) and set(key.STANCE) == set(Citation.Stance)
    assert all(entry.meaning.endswith(".") and entry.meaning[0].isupper() for entry in key.KEY)


@pytest.mark.parametrize("url", ["/", "/events/cz-pleads-guilty/", "/sources/", "/actors/", "/embed/"])
def test_every_page_prints_the_key_and_every_label_links_to_its_entry(client, url):
    html = client.get(url).content.decode()
    for entry in key.KEY:
        assert f'id="key-{entry.anchor}"' in html, entry.anchor
    for target in re.findall(r'href="#key-([a-z]+)"', html):
        assert f'id="key-{target}"' in html


def test_an_event_page_links_its_certainty_disputed_mark_and_stances_to_the_key(client):
    event = Event.objects.filter(citations__stance="disputes").first()
    html = client.get(event.get_absolute_url()).content.decode()
    assert f'href="#key-{event.certainty}"' in html and 'href="#key-disputed"' in html
    assert 'href="#key-disputes"' in html


def test_a_denial_badge_says_whose_denial_and_a_disputing_quote_is_not_said_to_support(client):
    denied = Event.objects.filter(certainty="denied").first()
    html = client.get(denied.get_absolute_url()).content.decode()
    assert "Denied by the party concerned" in html
    disputing = Event.objects.filter(citations__stance="disputes", statements__citations__stance="disputes").first()
    html = client.get(disputing.get_absolute_url()).content.decode()
    assert "Disputes</a>" in html and ">Supports statement" not in html and "Quoted for" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stance": "disputes"}, Q(citations__stance="disputes")),
        ({"statement": "external"}, Q(statements__basis="external")),
    ],
)
def test_the_disputed_and_outside_knowledge_filters_list_exactly_those_events(client, params, expected):
    wanted = set(Event.objects.filter(expected).values_list("slug", flat=True))
    assert wanted, "the corpus has such events"
    page = client.get("/", params)
    assert page.status_code == 200 and set(listed(page.content.decode())) == wanted
    assert client.get("/events.json", params).json()["count"] == len(wanted)
    assert f"{len(wanted)} of" in page.content.decode()


def test_the_two_filters_take_only_their_one_value(client):
    assert client.get("/", {"stance": "supports"}).status_code == 400
    assert client.get("/events.json", {"statement": "cited"}).status_code == 400


def test_the_facet_panel_offers_both_filters(client):
    html = client.get("/").content.decode()
    assert 'name="stance" value="disputes"' in html and 'name="statement" value="external"' in html


def test_no_era_and_category_share_a_name():
    eras = {name.casefold() for name in Era.objects.values_list("name", flat=True)}
    assert not eras & {name.casefold() for name in Category.objects.values_list("name", flat=True)}
    assert [e for e in check_corpus(databases=["default"]) if e.id == "timeline.E002"] == []


def test_a_category_named_like_an_era_is_refused_by_the_reload_and_the_check(fixture_dir):
    path = fixture_dir / "taxonomy.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        if record["model"] == "timeline.category" and record["fields"]["slug"] == "pardon":
            record["fields"]["name"] = "Pardon"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="field .name.: “Pardon” is also the name of"):
        call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    assert Category.objects.get(slug="pardon").name != "Pardon"
    Category.objects.filter(slug="pardon").update(name="Pardon")
    assert [e.id for e in check_corpus(databases=["default"]) if e.id == "timeline.E002"] == ["timeline.E002"]
