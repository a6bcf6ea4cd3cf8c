"""Curating in the admin: list pages without N+1, search through aliases, quotes checked on save."""

import pytest

from tests.admin_forms import citation_form
from tests.oracle import involving
from timeline.dataset.synthetic import generate
from timeline.models import Actor, Citation, Era, Event, Source

pytestmark = pytest.mark.usefixtures("corpus")

LIST_PAGES = ["event", "actor", "source", "citation", "participation", "alias", "era", "category"]


@pytest.mark.parametrize("model", LIST_PAGES)
def test_list_pages_load_with_bounded_queries(admin_client, django_assert_max_num_queries, model):
    with django_assert_max_num_queries(14):
        response = admin_client.get(f"/admin/timeline/{model}/")
    assert response.status_code == 200


def test_list_filters_narrow_the_list(admin_client):
    pardon = Era.objects.get(slug="pardon")
    response = admin_client.get(f"/admin/timeline/event/?certainty__exact=confirmed&era__id__exact={pardon.pk}")
    html = response.content.decode()
    for event in Event.objects.all():
        assert (event.title in html) == (event.certainty == "confirmed" and event.era_id == pardon.pk), event.slug
    assert admin_client.get("/admin/timeline/citation/?stance__exact=disputes").status_code == 200
    sun = Actor.objects.get(slug="justin-sun")
    html = admin_client.get(f"/admin/timeline/event/?actors__id__exact={sun.pk}").content.decode()
    assert all(e.title in html for e in involving(Event.objects.all(), [sun]))


@pytest.mark.slow
def test_event_list_query_count_does_not_grow_with_rows(admin_client):
    """The same number of queries for the corpus and for 200 more events with actors and citations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/timeline/event/?all=").status_code == 200
        return len(captured)

    before = queries()
    generate(200)
    assert Event.objects.count() > 200
    assert queries() == before <= 14


def test_search_by_garbled_alias_finds_the_actor_and_events(admin_client):
    html = admin_client.get("/admin/timeline/event/", {"q": "Justin Solar"}).content.decode()
    sun_events = involving(Event.objects.all(), Actor.objects.filter(slug="justin-sun"))
    assert sun_events.exists()
    for event in sun_events:
        assert event.title in html


def test_search_by_quote(admin_client):
    citation = Citation.objects.first()
    html = admin_client.get("/admin/timeline/event/", {"q": citation.quote[5:40]}).content.decode()
    assert citation.event.title in html


def test_event_change_page_has_citation_inlines(admin_client):
    event = Event.objects.filter(citations__isnull=False).first()
    html = admin_client.get(f"/admin/timeline/event/{event.pk}/change/").content.decode()
    assert "citations-TOTAL_FORMS" in html
    assert "participations-TOTAL_FORMS" in html


def test_saving_a_quote_that_is_not_in_the_article_is_refused(admin_client):
    citation = Citation.objects.first()
    url = f"/admin/timeline/citation/{citation.pk}/change/"
    response = admin_client.post(url, citation_form(citation, quote=citation.quote + " (invented)"))
    assert response.status_code == 200
    assert "This quote is not in the article" in response.content.decode()
    citation.refresh_from_db()
    assert not citation.quote.endswith("(invented)")


def test_saving_wrong_offsets_is_refused_with_the_right_ones(admin_client):
    citation = Citation.objects.first()
    url = f"/admin/timeline/citation/{citation.pk}/change/"
    response = admin_client.post(url, citation_form(citation, start=citation.start + 1))
    assert f"it is at {citation.start}:{citation.end}" in response.content.decode()


def test_blank_offsets_are_found_from_the_quote(admin_client):
    citation = Citation.objects.first()
    source = Source.objects.exclude(pk=citation.source_id).first()
    quote = source.text.splitlines()[0][5:45].strip()
    url = f"/admin/timeline/citation/{citation.pk}/change/"
    response = admin_client.post(url, citation_form(citation, source=source.pk, quote=quote, start=None, end=None))
    assert response.status_code == 302
    citation.refresh_from_db()
    assert source.text[citation.start : citation.end] == quote


def test_a_stale_form_never_overwrites_someone_elses_edit(admin_client):
    actor = Actor.objects.get(slug="justin-sun")
    url = f"/admin/timeline/actor/{actor.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    loaded = form["loaded_digest"].value()
    assert loaded

    Actor.objects.filter(pk=actor.pk).update(name="Edited by another curator")
    data = {
        "name": "My stale edit",
        "slug": actor.slug,
        "kind": actor.kind,
        "loaded_digest": loaded,
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "statements-TOTAL_FORMS": "0",
        "statements-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert "Someone changed this record since you opened it" in response.content.decode()
    actor.refresh_from_db()
    assert actor.name == "Edited by another curator"

    data["loaded_digest"] = admin_client.get(url).context["adminform"].form["loaded_digest"].value()
    assert admin_client.post(url, data).status_code == 302
    actor.refresh_from_db()
    assert actor.name == "My stale edit"
