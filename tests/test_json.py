"""The read-only JSON contract that later work builds on."""

import datetime
import re

import pytest
from django.conf import settings

from timeline.models import Actor, Event, Source

pytestmark = pytest.mark.usefixtures("corpus")

EVENT_KEYS = {
    "slug",
    "title",
    "summary",
    "date",
    "date_precision",
    "end_date",
    "date_basis",
    "date_note",
    "certainty",
    "importance",
    "categories",
    "era",
    "actors",
    "citations",
    "statements",
}


def test_events_json_matches_the_contract(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        data = client.get("/events.json").json()
    assert data["count"] == len(data["events"]) == Event.objects.count()
    assert data["next"] is None
    texts = {s.seed_file: (settings.SEEDS_DIR / s.seed_file).read_text(encoding="utf-8") for s in Source.objects.all()}
    for event in data["events"]:
        assert set(event) == EVENT_KEYS
        assert event["citations"], event["slug"]
        for citation in event["citations"]:
            assert set(citation) == {"source", "source_file", "quote", "stance", "start", "end"}
            assert texts[citation["source_file"]][citation["start"] : citation["end"]] == citation["quote"]
        for actor in event["actors"]:
            assert set(actor) == {"slug", "name", "role"} and actor["role"]
        assert event["statements"], event["slug"]
        assert event["summary"] == " ".join(s["text"] for s in event["statements"])
        for statement in event["statements"]:
            assert set(statement) == {"text", "citations", "basis", "note"}
            assert all(0 <= i < len(event["citations"]) for i in statement["citations"])
            assert statement["citations"] if statement["basis"] == "cited" else statement["note"]
        if event["date"] is not None:
            day = datetime.date.fromisoformat(event["date"])
            if event["date_precision"] == "month":
                assert day.day == 1
            if event["date_precision"] == "year":
                assert (day.month, day.day) == (1, 1)
        else:
            assert event["date_precision"] == "unknown"


def test_events_are_in_reading_order_with_undated_last(client):
    """By date, except that an event placed after another (Event.follows) comes right after it."""
    events = client.get("/events.json").json()["events"]
    dates = [e["date"] for e in events]
    dated = [d for d in dates if d is not None]
    assert dates == dated + [None] * (len(dates) - len(dated))
    assert None in dates
    follows = dict(Event.objects.filter(follows__isnull=False).values_list("slug", "follows__slug"))
    own_order = [e["date"] for e in events if e["date"] and e["slug"] not in follows]
    assert own_order == sorted(own_order)
    slugs = [e["slug"] for e in events]
    for slug, followed in follows.items():
        assert slugs.index(followed) < slugs.index(slug)


def test_actors_json(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        data = client.get("/actors.json").json()
    assert data["count"] == len(data["actors"]) == Actor.objects.count()
    for actor in data["actors"]:
        assert set(actor) == {"slug", "name", "kind", "aliases", "description"}
    sun = next(a for a in data["actors"] if a["slug"] == "justin-sun")
    assert "Justin Solar" in sun["aliases"]


def test_sources_json(client):
    data = client.get("/sources.json").json()
    assert data["count"] == 5
    for source in data["sources"]:
        assert set(source) == {
            "slug",
            "title",
            "outlet",
            "published",
            "published_precision",
            "seed_file",
            "quality_note",
        }
        assert (settings.SEEDS_DIR / source["seed_file"]).is_file()


@pytest.mark.parametrize(
    "query",
    ["certainty=speculative", "actor=justin-sun&from=2025", "q=pardon&era=pardon", "source=cz-rejects-wsj-report"],
)
def test_json_is_filterable_like_the_page(client, query):
    everything = client.get("/events.json").json()["count"]
    data = client.get(f"/events.json?{query}").json()
    html = client.get(f"/?{query}").content.decode()
    assert 0 < data["count"] < everything
    assert f"{data['count']} of {everything} events match" in html
    on_page = re.findall(r'<article class="event[^"]*" id="([^"]+)"', html)
    assert on_page == [event["slug"] for event in data["events"]]
