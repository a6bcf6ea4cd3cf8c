"""The edge cache's rules (bench/varnish.vcl), with a real varnishd in front of a stub origin.

The stub counts the requests that reach it, so a response served twice with one origin
request was stored and shared; two origin requests mean Varnish passed it.
"""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from .services import throwaway_varnish

pytestmark = pytest.mark.services

VCL = settings.BASE_DIR / "bench" / "varnish.vcl"
PUBLIC = "public, s-maxage=60, stale-while-revalidate=30"


class Origin(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        body = f"origin request {self.hits}, HX-Request: {self.headers.get('HX-Request')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "HX-Request, HX-History-Restore-Request")
        self.send_header("Cache-Control", "no-cache" if self.path == "/no-cache" else PUBLIC)
        if self.path == "/sets-cookie":
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def edge():
    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    thread = threading.Thread(target=origin.serve_forever, daemon=True)
    thread.start()
    try:
        with throwaway_varnish(origin.server_address[1], VCL) as varnish:
            yield varnish
    finally:
        origin.shutdown()
        origin.server_close()


def get(varnish, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", varnish.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.headers, response.read().decode()
    finally:
        conn.close()


def origin_requests(varnish, path, headers=None, times=3):
    before = Origin.hits
    for _ in range(times):
        get(varnish, path, headers)
    return Origin.hits - before


def test_a_public_response_is_stored_once_and_shared(edge):
    first_headers, first = get(edge, "/shared")
    headers, again = get(edge, "/shared")
    assert (first_headers["X-Cache"], headers["X-Cache"]) == ("miss", "hit")
    assert again == first


def test_htmx_fragments_are_a_variant_of_their_own(edge):
    _, page = get(edge, "/state")
    _, fragment = get(edge, "/state", {"HX-Request": "true"})
    assert "HX-Request: None" in page and "HX-Request: true" in fragment
    assert get(edge, "/state", {"HX-Request": "true"})[1] == fragment
    assert get(edge, "/state")[1] == page
    assert get(edge, "/state", {"HX-Request": "false"})[1] == page  # Django's full page, not a new variant


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/sets-cookie", {}),
        ("/no-cache", {}),
        ("/admin/timeline/event/", {}),
        ("/signed-in", {"Cookie": "sessionid=abc"}),
        ("/authorised", {"Authorization": "Basic YTpi"}),
    ],
)
def test_personal_or_uncacheable_responses_are_never_shared(edge, path, headers):
    assert origin_requests(edge, path, headers) == 3


def test_nothing_is_stripped_from_a_passed_response(edge):
    headers, _ = get(edge, "/sets-cookie")
    assert headers["Set-Cookie"] == "csrftoken=abc; Path=/"
