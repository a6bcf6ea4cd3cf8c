"""Site middleware: the admin's one allowance under the Content-Security-Policy, a 503 when the
database is down, the event index built after a write, and (for tests and the benchmark only)
each response's query count."""

import base64
import contextlib
import hashlib
import logging

from csp.middleware import CSPMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from timeline.listing.index import warm
from timeline.models import DataVersion

logger = logging.getLogger(__name__)

# django-simple-history's object history page has one inline style attribute. Rather than
# allow inline styles, the admin allows exactly that one by its hash.
ADMIN_INLINE_STYLES = ["border-top: 0"]


def style_hash(style):
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"


class SiteCSPMiddleware(CSPMiddleware):
    """The site's policy everywhere; in the admin, also the listed inline styles by hash."""

    admin_style_src = ["'unsafe-hashes'", *map(style_hash, ADMIN_INLINE_STYLES)]

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), "style-src": self.admin_style_src}
        return parts


class DatabaseUnavailableMiddleware:
    """A 503 that says the database is down, instead of a 500 and a traceback.

    Nothing else is needed to recover: with persistent connections and health checks,
    Django drops a broken connection and opens a new one on the next request.
    """

    message = "The timeline's database is not answering; try again in a minute."
    retry_after = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        if request.path.endswith(".json"):
            response = JsonResponse({"errors": [self.message]}, status=503)
        else:
            response = render(request, "503.html", {"message": self.message}, status=503)
        response["Retry-After"] = str(self.retry_after)
        response["Cache-Control"] = "no-store"
        return response


class IndexAfterWritesMiddleware:
    """When a request changed the data (an admin save, the curators' desk), build the event index
    of the new data before answering (index.warm): the writer waits for the build, not the next
    reader. Public pages answer GET alone, so only other methods are watched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        before = self.version()
        response = self.get_response(request)
        after = self.version()
        if None not in (before, after) and after != before:
            with contextlib.suppress(DatabaseError):
                warm()
        return response

    @staticmethod
    def version():
        """The data version, or None when the database does not answer (the response says so)."""
        try:
            return DataVersion.current()[0]
        except DatabaseError:
            return None


class QueryCountHeaderMiddleware:
    """`X-Query-Count`: the queries a request ran, for tests and the benchmark that watch a server
    from outside (a cache hit on another instance shows as fewer queries).

    Settings list it only when TIMELINE_QUERY_COUNT_HEADER=1; production never sends it.
    A streamed body's queries run after the header is set and are not counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counted))
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
