"""The real site behind the project's Varnish: gunicorn with gunicorn.conf.py and production settings
on a throwaway SQLite database, bench/varnish.vcl in front. What one client sends must never
change what the edge cache hands everyone else."""

import http.client
import os
import secrets

import pytest
from django.conf import settings

from .pgcluster import free_port
from .services import http_get as get
from .services import manage, start_gunicorn, stop, throwaway_varnish
from .static_files import one_collectstatic_at_a_time, served_static

pytestmark = pytest.mark.services

VCL = settings.BASE_DIR / "bench" / "varnish.vcl"
SWAP = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(gunicorn's port, Varnish's port) for the site on a database of this module's own."""
    workdir = tmp_path_factory.mktemp("edge-app")
    inherited = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **served_static(),
    }
    manage(env, "migrate", "--noinput")
    manage(env, "reload_timeline")
    with one_collectstatic_at_a_time():
        manage(env, "collectstatic", "--noinput")
    port, log = free_port(), (workdir / "gunicorn.log").open("w")
    process = start_gunicorn(env, port, log)
    try:
        with throwaway_varnish(port, VCL) as varnish:
            yield port, varnish.port
    finally:
        stop(process)
        log.close()


def is_page(text):
    return "<html" in text and "<h1" in text and "<form" in text


@pytest.mark.parametrize(("header", "value", "year"), [("SCRIPT_NAME", "/events.json", 2023), ("PATH_INFO", "/", 2024)])
def test_a_wsgi_variable_sent_as_a_header_changes_nothing_for_anyone(site, header, value, year):
    """The attacker's request comes first and fills the edge cache; everyone after gets that object."""
    _, edge = site
    listing = f"/events.json?q=binance&from={year}"
    get(edge, listing, {header: value})
    status, headers, body = get(edge, listing)
    assert status == 200 and headers["Content-Type"].startswith("application/json"), body[:200]
    permalink = f"/events/cz-pleads-guilty/?from={year}"
    get(edge, permalink, {header: "/events"})
    status, headers, body = get(edge, permalink)
    assert status == 200 and "<h1" in body


def test_gunicorn_itself_takes_no_wsgi_variable_from_a_header(site):
    origin, _ = site
    for header in ("SCRIPT_NAME", "PATH_INFO"):
        status, headers, body = get(origin, "/events/cz-pleads-guilty/", {header: "/nowhere"})
        assert status == 200 and "<h1" in body, (header, status)
        assert 'href="/nowhere' not in body


def test_back_after_swaps_gets_the_whole_page_from_the_edge(site):
    """Search A, search B (htmx swaps, each pushed), Back to A: htmx asks A as a history restore."""
    _, edge = site
    a, b = "/?q=pardon", "/?q=fine"
    assert "<html" not in get(edge, a, SWAP)[2]
    assert "<html" not in get(edge, b, SWAP)[2]
    status, headers, body = get(edge, a, RESTORE)
    assert status == 200 and is_page(body), body[:300]
    assert 'value="pardon"' in body
    status, headers, body = get(edge, a, RESTORE)
    assert headers["X-Cache"] == "hit" and is_page(body)
    assert "<html" not in get(edge, a, SWAP)[2]
    assert is_page(get(edge, a)[2])


@pytest.mark.parametrize(("restore", "year"), [("true", 2023), ("false", 2024), ("1", 2025)])
def test_the_edge_keeps_two_forms_of_a_page_whatever_the_headers_say(site, restore, year):
    _, edge = site
    path = f"/?certainty=reported&from={year}"
    get(edge, path)
    get(edge, path, SWAP)
    _, headers, body = get(edge, path, {"HX-Request": "true", "HX-History-Restore-Request": restore})
    assert is_page(body) == (restore == "true")
    assert headers["X-Cache"] == "hit"


def test_the_edge_refuses_a_body_larger_than_the_app_accepts_before_reading_it(site):
    _, edge = site
    conn = http.client.HTTPConnection("127.0.0.1", edge, timeout=30)
    try:
        conn.putrequest("POST", "/admin/login/")
        conn.putheader("Content-Length", str(200 * 1024 * 1024))
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()
