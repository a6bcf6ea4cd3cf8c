"""Conditional GET for the public pages (ETag and Last-Modified from the data version), each read from one snapshot."""

import contextlib
import hashlib
from functools import lru_cache, wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from .models import DataVersion


@lru_cache(maxsize=1)
def release_tag():
    """Changes when the code, templates or static files do, so a deploy is never answered 304."""
    digest = hashlib.sha256()
    for folder in ("timeline", "templates", "static"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


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
    ETag. That is harmless: versions only grow, so that ETag never earns a wrong 304.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with one_snapshot():
            response = view(request, *args, **kwargs)
        if response.streaming and not response.is_async:
            response.streaming_content = _streamed_in_snapshot(response.streaming_content)
        return response

    return wrapper


def conditional_on_data(view):
    """Answer 304 when the client's copy is current; one query decides.

    Public URLs run in one snapshot (urls.py), so the data version read here and the page
    read after it agree, and whatever is cached under a version was read from that version.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        counter, changed_at = DataVersion.current()
        request.data_version = counter
        partial = bool(getattr(request, "htmx", False) and not request.htmx.history_restore_request)
        variant = f"{release_tag()}|{counter}|{partial}|{request.get_full_path()}"
        etag = quote_etag(hashlib.sha256(variant.encode()).hexdigest()[:20])
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response.headers.setdefault("ETag", etag)
            if last_modified is not None:
                response.headers.setdefault("Last-Modified", http_date(last_modified))
            response.headers.setdefault("Cache-Control", "no-cache")
        return response

    return wrapper
