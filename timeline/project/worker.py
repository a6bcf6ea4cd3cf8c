"""A gunicorn worker's start-up (gunicorn.conf.py), here so the benchmark starts the same way."""

import gc
import inspect
import logging

from django.conf import settings
from django.db import DatabaseError

from timeline.listing.index import release_heap, warm

log = logging.getLogger("gunicorn.error")


def start():
    """Have the event index ready before the first request, rehearse, then freeze what is loaded.

    The index is loaded from the shared cache or built (timeline/listing/index.py), so after a restart
    or a deploy no reader waits for it. Then everything loaded so far (code, settings, the
    index) is moved out of the garbage collector's view: it lives as long as the worker, and
    full collections walking it made the slowest first-time states of a pass take 51–77 ms
    instead of 20–34 ms (10,000 events, in-process).
    """
    try:
        warm()
    except DatabaseError as exc:  # the database is down: the first request will say so, then build it
        log.warning("Event index not built at start: %s", exc)
    else:
        try:
            rehearse()
        except Exception:  # a rehearsal only warms the code up: it must never stop a worker from serving
            log.exception("No rehearsal at start")
    gc.collect()
    release_heap()
    gc.freeze()


def rehearsal_paths():
    """Filtered states, their fragments, a two-word search, the chart and a facet's options: every step a
    reader's first filtered state takes. Each filters by an era, which no state of bench/cold.py does, so a
    rehearsal never answers a benchmark state in advance. Empty for a corpus without eras or sources."""
    from timeline.models import Era, Source

    era = Era.objects.order_by("position", "slug").values_list("slug", flat=True).first()
    source = Source.objects.order_by("slug").values_list("slug", flat=True).first()
    if not era or not source:
        return []
    return [
        (f"/?era={era}&order=time&from=2024", False),
        (f"/?era={era}&source={source}&q=binance+pardon&to=2025", False),
        (f"/?era={era}&source={source}&q=binance+pardon&to=2025&stance=disputes", True),
        (f"/timeline/?era={era}&view=2024", True),
        (f"/facets/actor/?era={era}&order=time", True),
    ]


def rehearse():
    """[(path, status)] of a few views answered in-process before the first reader's request.

    A fresh worker's first filtered state took 111-118 ms against a median of 19.5 (10,040 events,
    gunicorn, bench/notes.md): the code each step runs the first time, not the data. So each view
    is called below the stored responses (web/http.py), which would otherwise answer every worker
    after the first, and after a restart, without running it; with a host the settings accept.
    """
    from django.test import RequestFactory
    from django.urls import resolve
    from django_htmx.middleware import HtmxDetails

    from timeline.models import DataVersion

    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"] or ["localhost"]
    factory = RequestFactory(HTTP_HOST=hosts[0])
    version = DataVersion.current()[0]
    answered = []
    for path, htmx in rehearsal_paths():
        request = factory.get(path, headers={"HX-Request": "true"} if htmx else {}, secure=settings.SECURE_SSL_REDIRECT)
        request.htmx = HtmxDetails(request)
        match = resolve(request.path_info)
        response = inspect.unwrap(match.func)(request, *match.args, **match.kwargs, version=version)
        answered.append((path, response.status_code))
    if any(status != 200 for _, status in answered):
        log.warning("Rehearsal at start answered %s", answered)
    return answered
