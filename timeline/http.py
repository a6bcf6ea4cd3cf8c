"""Conditional GET for the public pages: ETag and Last-Modified from the data version."""

import hashlib
from functools import lru_cache, wraps

from django.conf import settings
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


def conditional_on_data(view):
    """Answer 304 when the client's copy is current; one query decides."""

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
