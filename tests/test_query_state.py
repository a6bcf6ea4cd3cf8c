"""One query state: the same state gives the same body, cache entry, ETag and links, whatever
the order, repetition or emptiness of the parameters; public responses are cookie-free and
shareable; the data version changes by any path that writes."""

import ast
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import management
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings

from timeline.cache import versions as caching
from timeline.listing import index
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.parameters import PARAMETERS, ListingForm
from timeline.listing.state import ListingState
from timeline.models import Category, DataVersion, Event, LoadedRecord
from timeline.web.api import SCHEMA

pytestmark = pytest.mark.usefixtures("corpus")

HTMX = {"HTTP_HX_REQUEST": "true"}
LISTINGS = [
    "/",
    "/embed/",
    "/events.json",
    "/events.csv",
    "/citations.csv",
    "/events.ics",
    "/feed/",
    "/events.timelinejs.json",
]
# One state written three ways: reordered, with repeated values, with empty values and spaces.
SAME_STATE = [
    "actor=changpeng-zhao&actor=binance&from=2024&certainty=confirmed&certainty=reported&q=pardon",
    "q=pardon&certainty=reported&actor=binance&from=2024&certainty=confirmed&actor=changpeng-zhao",
    "certainty=confirmed&actor=binance&actor=binance&q=+pardon+&era=&to=&from=2024&certainty=reported"
    "&actor=changpeng-zhao&certainty=confirmed&category=",
]
DIFFERENT_STATES = ["q=pardon", "q=binance", "from=2025", "from=2023"]


def public_urls():
    event = Event.objects.order_by("slug").first()
    return [
        *LISTINGS,
        event.get_absolute_url(),
        f"{event.get_absolute_url()}detail/",
        "/actors/",
        "/actors/changpeng-zhao/",
        "/sources/",
        "/sources/cz-rejects-wsj-report/",
        "/actors.json",
        "/sources.json",
        "/api/",
        "/api/schema.json",
    ]


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", LISTINGS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_one_state_written_differently_gives_one_body_cold_and_warm(client, url, htmx):
    headers = HTMX if htmx else {}
    cold = []
    for query in SAME_STATE:
        cache.clear()
        cold.append(client.get(f"{url}?{query}", **headers))
    warm = [client.get(f"{url}?{query}", **headers) for query in SAME_STATE]
    assert {r.status_code for r in cold + warm} == {200}
    assert len({body(r) for r in cold + warm}) == 1
    assert len({r["ETag"] for r in cold + warm}) == 1


@pytest.mark.parametrize("url", ["/", "/events.json", "/events.csv"])
def test_different_states_never_share_a_cache_entry(client, url):
    bodies = {query: body(client.get(f"{url}?{query}")) for query in DIFFERENT_STATES}
    warm = {query: body(client.get(f"{url}?{query}")) for query in reversed(DIFFERENT_STATES)}
    assert warm == bodies
    assert len(set(bodies.values())) == len(DIFFERENT_STATES)


@pytest.mark.parametrize("name", ["q", "from", "to", "order", "after"])
def test_two_values_for_a_one_valued_parameter_are_a_400(client, name):
    values = {"q": ("pardon", "binance"), "from": ("2025", "2023"), "to": ("2025", "2023"), "order": ("a", "b")}
    first, second = values.get(name, ("~5", "~6"))
    for url in ["/", "/events.json", "/embed/", "/events.csv"]:
        response = client.get(f"{url}?{name}={first}&{name}={second}")
        assert response.status_code == 400, url
        assert f"{name}: give one value, not 2" in response.content.decode()


def test_the_canonical_form_orders_and_deduplicates(django_assert_num_queries):
    """The state, its canonical form and its links are pure: no database, no cache, no data version."""
    with django_assert_num_queries(0):
        states = [ListingState(QueryDict(query)) for query in SAME_STATE]
    assert {state.canonical for state in states} == {
        "q=pardon&certainty=confirmed&certainty=reported&actor=binance&actor=changpeng-zhao&from=2024"
    }
    state = states[0]
    assert state.link(after="2024-01-01|2|0002~7").endswith("&after=2024-01-01%7C2%7C0002~7")
    assert state.link(**{"from": None}) == "?q=pardon&certainty=confirmed&certainty=reported&actor=binance&" + (
        "actor=changpeng-zhao"
    )
    assert ListingState(QueryDict("")).link() == ""


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=pardon&actor=binance&from=2024",
        "view=2024-01-01..2024-12-31&actor=binance",
        "after=r50&q=pardon",
        *SAME_STATE,
    ],
)
def test_a_window_link_is_the_state_linked_with_that_window(query):
    state = ListingState(QueryDict(query))
    for window in ("2024-01-01..2024-03-31", "2023-11-21"):
        assert state.window_link(window) == state.link(view=window, after=None)


def test_the_embed_honours_a_position_and_refuses_a_bad_one(client):
    first = client.get("/embed/").content.decode()
    assert first.count('<article class="event') == Event.objects.count()
    bad = client.get("/embed/?after=~5x")
    assert bad.status_code == 400 and "after: “~5x” is not a position in the list" in bad.content.decode()
    last = Event.objects.chronological().last()
    after_last = client.get(f"/embed/?after={last.sort_key or ''}~{last.pk}")
    assert after_last.status_code == 200 and '<article class="event' not in after_last.content.decode()


@pytest.mark.slow
def test_public_responses_set_no_cookie_and_vary_only_on_hx_request(client):
    for url in public_urls():
        for headers in ({}, HTMX):
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert not response.cookies, url
            assert "Set-Cookie" not in response.headers, url
            assert response["Vary"] == "HX-Request, HX-History-Restore-Request", url
            assert response["Cache-Control"] == settings.PUBLIC_CACHE_CONTROL, url
            assert "csrf" not in body(response).decode().lower(), url


def test_the_admin_keeps_its_csrf_protection(admin_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    response = strict.get("/admin/timeline/category/add/")
    assert "csrfmiddlewaretoken" in response.content.decode() and "csrftoken" in response.cookies
    assert strict.post("/admin/timeline/category/add/", {"slug": "x", "name": "X"}).status_code == 403


def test_a_write_to_a_public_url_is_a_405_even_with_csrf_checks():
    strict = Client(enforce_csrf_checks=True)
    for url in public_urls():
        response = strict.post(url, {"x": "1"})
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD"


def test_every_public_url_answers_if_none_match_with_a_304(client, django_assert_max_num_queries):
    for url in public_urls():
        first = client.get(url)
        with django_assert_max_num_queries(1):
            again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        assert not again.content


@pytest.mark.slow
def test_identical_etags_mean_identical_bodies(client):
    seen = {}
    urls = [f"{url}?{query}" for url in LISTINGS for query in [*SAME_STATE, *DIFFERENT_STATES]]
    for url in urls + public_urls():
        for headers in ({}, HTMX):
            response = client.get(url, **headers)
            seen.setdefault(response["ETag"], set()).add(body(response))
    assert all(len(bodies) == 1 for bodies in seen.values())


def test_a_history_restore_gets_exactly_the_full_page(client):
    restore = client.get("/?certainty=confirmed", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    page = client.get("/?certainty=confirmed")
    assert restore.content == page.content
    assert "hx-swap-oob" not in restore.content.decode()


def test_a_configured_site_url_wins_over_the_request_host(client):
    spoofed = {"HTTP_HOST": "evil.example:8443", "HTTP_X_FORWARDED_PROTO": "https"}
    with override_settings(ALLOWED_HOSTS=["*"], SITE_URL="https://timeline.example"):
        html = client.get("/?actor=binance", **spoofed).content.decode()
        feed = client.get("/feed/?actor=binance", **spoofed).content.decode()
    assert "evil.example" not in html + feed
    assert "https://timeline.example/embed/?actor=binance" in html
    assert 'href="https://timeline.example/feed/?actor=binance"' in feed


# The data version -----------------------------------------------------------------------


def token():
    return DataVersion.current()[0]


def changed_by(action):
    before = token()
    action()
    after = token()
    assert after != before and len(after) == 32
    return after


def test_every_path_that_writes_changes_the_data_version(tmp_path):
    event = Event.objects.get(slug="trump-pardons-cz")
    changed_by(lambda: event.save())
    changed_by(lambda: Event.objects.filter(pk=event.pk).update(importance=1))
    changed_by(lambda: Category.objects.bulk_create([Category(slug="bulk", name="Bulk")]))
    changed_by(lambda: event.categories.add(Category.objects.get(slug="bulk")))
    changed_by(lambda: Category.objects.filter(slug="bulk").delete())

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE timeline_actor SET description = description || '.' WHERE slug = 'binance'")

    changed_by(raw_sql)
    fixture = tmp_path / "one.json"
    fixture.write_text(json.dumps([{"model": "timeline.category", "fields": {"slug": "loaded", "name": "Loaded"}}]))
    changed_by(lambda: management.call_command("loaddata", str(fixture), verbosity=0))


def test_bookkeeping_writes_leave_the_data_version_alone():
    before = token()
    LoadedRecord.objects.create(model="x", key="[]", digest="0" * 64)
    assert token() == before


def test_the_cache_key_holds_the_release_and_the_data_version():
    key = caching.cache_key(token(), "page", 50)
    assert key == f"{caching.release()}:{token()}:page:50"
    assert settings.CACHES["default"]["KEY_PREFIX"]


def test_the_release_id_depends_on_content_not_on_paths_or_times(tmp_path, settings):
    import shutil

    for folder in caching.RELEASE_FOLDERS:
        shutil.copytree(settings.BASE_DIR / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    caching.release.cache_clear()
    here = caching.release()
    try:
        settings.BASE_DIR = tmp_path
        caching.release.cache_clear()
        assert caching.release() == here
        template = tmp_path / "templates" / "base.html"
        template.touch()
        caching.release.cache_clear()
        assert caching.release() == here
        template.write_text(template.read_text() + "\n")
        caching.release.cache_clear()
        assert caching.release() != here
        settings.TIMELINE_RELEASE = "v42"
        caching.release.cache_clear()
        assert caching.release() == "v42"
    finally:
        caching.release.cache_clear()


def test_receivers_are_connected_per_sender_so_fast_delete_stays_on():
    from django.db.models.signals import post_delete, post_save, pre_delete

    for signal in (post_save, post_delete, pre_delete):
        assert not signal.has_listeners(LoadedRecord)


# One place for each rule ------------------------------------------------------------------


def test_every_dimension_is_a_filter_an_index_option_set_a_facet_and_an_admin_filter(admin_client):
    """Each entry of the registry (dimensions.py) reaches every reader of it: the URL parameter and its
    documentation, the event index, the facet panel on the page, and the Event admin's list filters."""
    names = [dimension.name for dimension in DIMENSIONS]
    documented = [p["name"] for p in SCHEMA["paths"]["/events.json"]["get"]["parameters"]]
    options = index.build().options
    response = Client().get("/")
    page = response.content.decode()
    admin_filters = admin_client.get("/admin/timeline/event/").context["cl"].filter_specs
    for dimension in DIMENSIONS:
        name = dimension.name
        assert name in ListingForm.base_fields and name in documented, name
        assert options.get(name), f"the event index has no option set for {name}"
        assert name in response.context["facets"], name
        shown = page if not response.context["facets"][name].deferred else Client().get(f"/facets/{name}/").text
        assert f'<input type="checkbox" name="{name}"' in shown, f"no {name} checkbox on the page or its own"
        offered = [
            spec
            for spec in admin_filters
            if getattr(spec, "field", None) is not None
            and (
                spec.field.related_model is dimension.vocabulary
                if dimension.vocabulary
                else spec.field_path == dimension.event_path
            )
        ]
        assert offered, f"the Event admin has no list filter for {name}"
    assert [p for p in PARAMETERS if p in names] == names  # the registry's order is the URL's


def literal_collections(tree):
    """Each tuple, list or set literal, dict's keys and call's keyword names, as the strings it holds."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [key for key in node.keys if key is not None]
        elif isinstance(node, ast.Call):
            items = [ast.Constant(keyword.arg) for keyword in node.keywords if keyword.arg]
        else:
            continue
        yield node.lineno, {item.value for item in items if isinstance(item, ast.Constant)}


def test_no_module_but_the_registry_lists_the_dimension_names():
    """A list of three or more dimension names anywhere but dimensions.py is a second vocabulary
    that a new dimension would have to be added to by hand (there were eight such places)."""
    names = {dimension.name for dimension in DIMENSIONS}
    found = []
    for path in sorted(Path(settings.BASE_DIR, "timeline").rglob("*.py")):
        if path.name == "dimensions.py" or "migrations" in path.parts:
            continue
        for line, strings in literal_collections(ast.parse(path.read_text())):
            if len(strings & names) >= 3:
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {sorted(strings & names)}")
    assert found == []


def test_no_module_imports_the_views():
    for path in Path(settings.BASE_DIR, "timeline").rglob("*.py"):
        if path.name == "urls.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                ours = node.level > 0 or (node.module or "").startswith("timeline")
                names = {(node.module or "").rsplit(".", 1)[-1]} | {alias.name for alias in node.names}
                assert not (ours and "views" in names), path
