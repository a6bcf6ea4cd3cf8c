"""/annotations.jsonld: every citation as a W3C Web Annotation, checked against a schema written from the model."""

import json

import jsonschema
import pytest
from django.conf import settings

from timeline.models import Citation
from timeline.web import annotations

# Absolute links name the configured site, else the test client's own host.
SITE = settings.SITE_URL or "http://testserver"

pytestmark = pytest.mark.usefixtures("corpus")

SCHEMA = json.loads((settings.BASE_DIR / "docs" / "web-annotation.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def refined(annotation, kind):
    return next(s["refinedBy"] for s in annotation["target"]["selector"] if s["refinedBy"]["type"] == kind)


def test_every_citation_is_an_annotation_the_schema_accepts(client):
    response = client.get("/annotations.jsonld")
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    document = response.json()
    VALIDATOR.validate(document)
    items = document["first"]["items"]
    assert document["total"] == len(items) == Citation.objects.count()
    assert len({item["id"] for item in items}) == len(items)
    by_id = {item["id"]: item for item in items}
    numbers = {}
    for citation in Citation.objects.select_related("event", "source"):  # ordered as each event lists them
        numbers[citation.event_id] = numbers.get(citation.event_id, 0) + 1
        slug = citation.event.slug
        item = by_id[f"{SITE}/events/{slug}/#{slug}-c{numbers[citation.event_id]}"]
        assert item["target"]["source"] == f"{SITE}/sources/{citation.source.slug}/"
        quote, position = refined(item, "TextQuoteSelector"), refined(item, "TextPositionSelector")
        text = citation.source.text
        assert quote["exact"] == citation.quote == text[position["start"] : position["end"]]
        assert quote["prefix"] == text[max(0, citation.start - 32) : citation.start]
        assert quote["suffix"] == text[citation.end : citation.end + 32]
        assert item["body"][0]["source"]["id"] == f"{SITE}/events/{citation.event.slug}/"
        assert item["body"][1]["value"] == citation.stance
        assert item["motivation"] == annotations.MOTIVATION[citation.stance]


@pytest.mark.slow
def test_the_schema_refuses_what_the_model_forbids(client):
    document = client.get("/annotations.jsonld").json()
    broken = json.loads(json.dumps(document))
    del broken["first"]["items"][0]["target"]
    assert not VALIDATOR.is_valid(broken)
    broken = json.loads(json.dumps(document))
    refined(broken["first"]["items"][0], "TextPositionSelector")["start"] = "12"
    assert not VALIDATOR.is_valid(broken)
    broken = json.loads(json.dumps(document))
    del refined(broken["first"]["items"][0], "TextQuoteSelector")["exact"]
    assert not VALIDATOR.is_valid(broken)
    broken = json.loads(json.dumps(document))
    broken["first"]["items"][0]["@context"] = "http://schema.org/"
    assert not VALIDATOR.is_valid(broken)


def test_the_annotations_follow_the_filters(client):
    document = client.get("/annotations.jsonld?actor=mark-bini").json()
    VALIDATOR.validate(document)
    expected = Citation.objects.filter(event__participations__actor__slug="mark-bini").count()
    assert document["total"] == expected == len(document["first"]["items"])
    assert document["id"] == f"{SITE}/annotations.jsonld?actor=mark-bini"
    assert all("/events/mark-bini-calls-case-regulatory/" in i["id"] for i in document["first"]["items"])


@pytest.mark.slow
def test_pages_link_to_each_other_and_hold_every_annotation(client, monkeypatch):
    monkeypatch.setattr(annotations, "PAGE_SIZE", 50)
    document = client.get("/annotations.jsonld").json()
    VALIDATOR.validate(document)
    page, seen = document["first"], []
    while True:
        assert page["startIndex"] == len(seen)
        seen += page["items"]
        if "next" not in page:
            break
        page = client.get(page["next"].removeprefix(SITE)).json()
        VALIDATOR.validate(page)
        assert page["partOf"] == document["id"]
    assert len(seen) == document["total"] == Citation.objects.count()
    assert document["last"] == page["id"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "page: “0” is not a page number"),
        ("page=9", "page: 9 is past the last page, 1."),
        ("page=" + "9" * 10_000, "page: “9999999999999999999999999999999999999999” is not a page number"),
        ("page=" + "0" * 5_000 + "2", "page: 2 is past the last page, 1."),
        ("page=%C2%B2", "page: “²” is not a page number"),
        ("page=%D9%A1", "page: “١” is not a page number"),
        ("page=1000000000", "page: “1000000000” is not a page number"),
        ("page=-1", "page: “-1” is not a page number"),
        ("actor=nobody", "actor"),
    ],
)
def test_a_bad_parameter_is_a_readable_400(client, query, message):
    """More than 4,300 digits and "²" were a 500 (int() refuses them); "١" was read as page 1."""
    response = client.get(f"/annotations.jsonld?{query}")
    assert response.status_code == 400
    assert any(message in error for error in response.json()["errors"])
