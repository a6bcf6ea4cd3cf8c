"""The pipeline every public URL goes through (urls.py applies it, visibly, to each).

Read-only methods; no CSRF (nothing public accepts a write, so a POST is a plain 405);
one snapshot of the database; conditional GET from the data version; a ``Vary`` naming both
htmx headers the body depends on, and ``Cache-Control: public``, so a shared cache (a CDN,
Varnish) may store the response: public views never read the session or set a cookie.
"""

import contextlib
import inspect
import zlib
from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import TooManyFieldsSent
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from timeline.cache.versions import cache_key, digest, release
from timeline.listing.state import given_pairs
from timeline.models import DataVersion


@contextlib.contextmanager
def one_snapshot(using=DEFAULT_DB_ALIAS):
    """Every query inside reads the same committed state of the database.

    Outside a transaction (SQLite) or under READ COMMITTED (PostgreSQL's default) each
    statement sees the latest commit, so a reload committing between a page's queries
    would give a page mixing old and new data, cached under the version read first.
    PostgreSQL needs REPEATABLE READ for one snapshot; an SQLite transaction always reads
    one. Inside a transaction already open (a test's), that transaction decides.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _streamed_in_snapshot(chunks):
    with one_snapshot():
        yield from chunks


def read_in_one_snapshot(view):
    """Run a read-only view in one snapshot.

    A streamed body (the CSV exports) is read after the view has returned, so it gets a
    snapshot of its own, consistent in itself but possibly newer than the version in its
    ETag; a client holding that ETag revalidates against the newer version and gets 200.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with one_snapshot():
            response = view(request, *args, **kwargs)
        if response.streaming and not response.is_async:
            response.streaming_content = _streamed_in_snapshot(response.streaming_content)
        return response

    return wrapper


def wants_partial(request):
    """An htmx swap gets the fragment; a history restore (a reload of a pushed URL) the whole page."""
    return bool(getattr(request, "htmx", False) and not request.htmx.history_restore_request)


# The request headers a public body depends on (wants_partial reads both): every response varies on them.
VARY = ["HX-Request", "HX-History-Restore-Request"]
# A view that refuses every parameter it does not know (a listing): all of them make its state.
EVERY_PARAMETER = None


def request_state(request, reads=EVERY_PARAMETER):
    """The parameters the view reads, as query.given_pairs sees them: the ETag splits no state the
    listing merges, and a page that reads none is one response, whatever is appended to its address."""
    try:
        pairs = given_pairs(request.GET)
    except TooManyFieldsSent:
        return "too-many-parameters"
    if reads is not EVERY_PARAMETER:
        pairs = [(name, value) for name, value in pairs if name in reads]
    return repr(pairs)


RESPONSE_SECONDS = 3600
MAX_STORED_BYTES = 2 * 1024 * 1024
PIPELINE_HEADERS = {"etag", "last-modified", "cache-control", "vary"}


def stored_response(key):
    """A 200 this pipeline stored under `key`, rebuilt, or None."""
    stored = cache.get(key)
    if stored is None:
        return None
    response = HttpResponse(zlib.decompress(stored["body"]))
    for name, value in stored["headers"]:
        response.headers[name] = value
    return response


def store_response(key, response):
    """Keep a plain 200 (not streamed, no cookie, not huge) for the next request with the same validator."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    body = response.content
    if len(body) > MAX_STORED_BYTES:
        return
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in PIPELINE_HEADERS]
    cache.set(key, {"body": zlib.compress(body, 1), "headers": headers}, RESPONSE_SECONDS)


def conditional_on_data(view, reads=EVERY_PARAMETER):
    """Answer 304 when the client's copy is current, else the stored response of this validator; one query decides.

    A view that names a `version` parameter is given the data version read here (the listings
    key their state by it): nothing is attached to the request.

    The ETag covers everything a body can depend on: the release, the data version, page
    or fragment, the site's address (absolute links), the path and the parameters' state.
    So a response stored under it is the response the view would give: a repeated state
    costs the version query and a cache read, whichever worker or instance rendered it.
    """

    passes_version = "version" in inspect.signature(view).parameters

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version, changed_at = DataVersion.current()
        variant = "|".join(
            [
                release(),
                version,
                str(wants_partial(request)),
                site_base(request),
                request.path,
                request_state(request, reads),
            ]
        )
        etag = quote_etag(digest(variant))
        last_modified = int(changed_at.timestamp()) if changed_at else None
        # Not @condition: one query gives both validators, and the stored response's key is the ETag's.
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            key = cache_key(version, "response", digest(variant))
            response = stored_response(key)
            if response is None:
                if passes_version:
                    kwargs["version"] = version
                response = view(request, *args, **kwargs)
                store_response(key, response)
        if response.status_code in (200, 304):
            response.headers.setdefault("ETag", etag)
            if last_modified is not None:
                response.headers.setdefault("Last-Modified", http_date(last_modified))
            response.headers.setdefault("Cache-Control", settings.PUBLIC_CACHE_CONTROL)
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
        patch_vary_headers(response, VARY)
        return response

    return wrapper


def frameable(view):
    """Any site may frame what the view answers: fresh, stored or 304 alike, as the marks are set outside
    the conditional layer (middleware reads them off the response object, which a stored copy lacks)."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


def public(view, *, reads=EVERY_PARAMETER, framed=False):
    """The public pipeline, outermost first: GET/HEAD only, no CSRF, one snapshot, conditional on the data.

    `reads` names the query parameters the view depends on when it ignores the others (a detail
    page); by default every parameter counts, for views that refuse unknown ones. `framed` lets
    other sites put the view in an iframe.
    """
    pipeline = require_safe(csrf_exempt(read_in_one_snapshot(conditional_on_data(view, reads))))
    return frameable(pipeline) if framed else pipeline


def site_base(request):
    """The site's address for absolute links: DJANGO_SITE_URL when configured, else the request's own
    scheme and host (ALLOWED_HOSTS decides which hosts are answered at all)."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def site_url(request, path):
    """An absolute link to `path` on this site (see site_base)."""
    return f"{site_base(request)}{path}"
