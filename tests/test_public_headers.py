"""Every public URL asked five ways (twice, conditionally, as an htmx swap, as an htmx history restore)
answers with the same security and framing headers, no cookie, a Vary naming every request header
its body depends on, and a body of the kind asked for."""

import pytest
from django.urls import resolve, reverse

from timeline.models import Citation, Event
from timeline.urls import urlpatterns

from .test_response_cache import SECURITY_HEADERS

pytestmark = pytest.mark.usefixtures("corpus")

SAME_IN_EVERY_ANSWER = [
    *SECURITY_HEADERS,
    "Cache-Control",
]
HTMX = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

# (URL, what a plain request gets, what an htmx swap gets): "page" a whole HTML document with
# its h1, "fragment" HTML without <html>, otherwise the media type of a data export.
LISTINGS = [
    ("/", "page", "fragment"),
    ("/?actor=changpeng-zhao&certainty=confirmed", "page", "fragment"),
    ("/?q=pardon&from=2025", "page", "fragment"),
    ("/?from=Marhc+2025", "page", "fragment"),
    ("/embed/?actor=changpeng-zhao", "page", "page"),
    ("/timeline/?view=2025-03&actor=changpeng-zhao", "fragment", "fragment"),
    ("/facets/actor/?q=pardon&certainty=confirmed", "page", "fragment"),
]
PAGES = [
    "/actors/",
    "/actors/changpeng-zhao/",
    "/sources/",
    "/api/",
    "/corrections/?actor=changpeng-zhao",
    "/feed/about/?actor=changpeng-zhao",
    "/corrections/feed/about/?actor=changpeng-zhao",
]
EXPORTS = {
    "events_json": "application/json",
    "actors_json": "application/json",
    "sources_json": "application/json",
    "events_csv": "text/csv",
    "citations_csv": "text/csv",
    "events_ics": "text/calendar",
    "events_timelinejs": "application/json",
    "annotations_jsonld": "application/ld+json",
    "feed": "application/atom+xml",
    "corrections_feed": "application/atom+xml",
    "api_schema": "application/json",
}


def public_urls():
    """Every public route of urls.py, a listing with parameters, a permalink and a source page."""
    event = Event.objects.get(slug="trump-pardons-cz")
    source = Citation.objects.first().source
    urls = [*LISTINGS, *((url, "page", "page") for url in PAGES)]
    urls += [(event.get_absolute_url(), "page", "page"), (source.get_absolute_url(), "page", "page")]
    urls += [(f"{event.get_absolute_url()}detail/?q=pardon", "fragment", "fragment")]
    urls += [(reverse(name) + "?actor=changpeng-zhao", kind, kind) for name, kind in EXPORTS.items()]
    return urls


def body_of(response):
    return response.getvalue().decode("utf-8-sig")


def kind_of(response):
    """What the body is: a whole page with its h1, an HTML fragment, or the media type of the data."""
    media_type = response.headers["Content-Type"].split(";")[0]
    if media_type != "text/html":
        return media_type
    body = body_of(response)
    if "<html" in body and "<h1" in body:
        return "page"
    return "fragment" if "<html" not in body else "page without h1"


def vary_of(response):
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",") if name.strip()}


@pytest.mark.slow
def test_every_public_url_answers_five_requests_with_the_same_headers_and_the_body_asked_for(client):
    problems = []
    for url, plain_kind, swap_kind in public_urls():
        first = client.get(url)
        answers = {"first": first, "again": client.get(url)}
        if first.status_code == 200:  # a 400 (the mistyped date) has no validator to send back
            answers["if-none-match"] = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
            if answers["if-none-match"].status_code != 304:
                problems.append(f"{url}: If-None-Match with its own ETag got {answers['if-none-match'].status_code}")
        answers.update(htmx=client.get(url, headers=HTMX), restore=client.get(url, headers=RESTORE))
        for name in SAME_IN_EVERY_ANSWER:
            seen = {way: answer.headers.get(name) for way, answer in answers.items()}
            absent_by_design = name == "X-Frame-Options" and url.startswith("/embed/")
            if len(set(seen.values())) != 1 or (None in seen.values() and not absent_by_design):
                problems.append(f"{url}: {name} differs or is missing: {seen}")
        for way, answer in answers.items():
            if answer.cookies or "Set-Cookie" in answer.headers:
                problems.append(f"{url}: the {way} answer sets a cookie")
            if vary_of(answer) != vary_of(first):
                problems.append(f"{url}: the {way} answer varies on {vary_of(answer)}, the first on {vary_of(first)}")
        wanted = {"first": plain_kind, "again": plain_kind, "htmx": swap_kind, "restore": plain_kind}
        for way, kind in wanted.items():
            if kind_of(answers[way]) != kind:
                problems.append(f"{url}: the {way} answer is a {kind_of(answers[way])}, not a {kind}")
        bodies = {way: body_of(answers[way]) for way in ("first", "htmx", "restore")}
        for header, a, b in [("HX-Request", "first", "htmx"), ("HX-History-Restore-Request", "htmx", "restore")]:
            if bodies[a] != bodies[b] and header.lower() not in vary_of(first):
                problems.append(f"{url}: the body changes with {header} but Vary is {first.headers.get('Vary')!r}")
    assert problems == [], "\n".join(problems)


def test_the_embed_may_be_framed_in_every_answer(client):
    """A partner's frame works for its second visitor too: the stored answer and the 304 keep the exemption."""
    url = "/embed/?actor=changpeng-zhao"
    first = client.get(url)
    for answer in (first, client.get(url), client.get(url, headers={"If-None-Match": first.headers["ETag"]})):
        assert "X-Frame-Options" not in answer.headers, answer.status_code
        assert "frame-ancestors *" in answer.headers["Content-Security-Policy"], answer.status_code


def test_every_public_route_is_asked():
    """A new public URL joins the five-way check: every route of urls.py outside the admin is in public_urls()."""
    asked = {resolve(url.split("?")[0]).url_name for url, _, _ in public_urls()}
    routes = {p.name for p in urlpatterns if getattr(p, "name", None) and not str(p.pattern).startswith("admin/")}
    assert routes - asked == set()
