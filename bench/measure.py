"""Queries and bytes per request for the benchmark's endpoints, measured in-process.

The process starts as a gunicorn worker does: it has the event index built before the first
request (gunicorn.conf.py), and that start-up is timed on its own.

Run by bench/run.py with DATABASE_URL pointing at the benchmark database; prints JSON.
"""

import gzip
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main(endpoints):
    setup_test_environment()
    client = Client()
    results = {}
    from timeline.project.worker import start

    started = time.perf_counter()
    start()  # as a gunicorn worker does (gunicorn.conf.py): the event index built, the loaded code frozen
    startup_ms = (time.perf_counter() - started) * 1000
    for name, (path, headers) in endpoints.items():
        cache.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as cold:
            client.get(path, headers=headers)
        cold_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as warm:
            response = client.get(path, headers=headers)
        warm_ms = (time.perf_counter() - started) * 1000
        body = b"".join(response) if response.streaming else response.content
        results[name] = {
            "status": response.status_code,
            "queries_cold": len(cold),
            "queries_warm": len(warm),
            "cold_ms": round(cold_ms, 1),
            "warm_ms": round(warm_ms, 1),
            "bytes": len(body),
            "bytes_gzip": len(gzip.compress(body, compresslevel=6)),
        }
    from timeline.models import Event

    change = after_a_change(client, endpoints["full page"][0])
    print(
        json.dumps(
            {
                "events": Event.objects.count(),
                "endpoints": results,
                "after_change": change,
                "startup_ms": round(startup_ms, 1),
            }
        )
    )


RENDERED_SAMPLE = 200


def after_a_change(client, path):
    """Who pays for a data change, and how much: the writer builds the new data's event index
    (index.warm, as an admin save and a reload do) and renders what it changed (timed on the
    latest events), then the first reader asks for the page."""
    from django.db.models import F

    from timeline.listing import rendering
    from timeline.listing.index import warm
    from timeline.models import Event

    first = Event.objects.order_by("pk").values_list("pk", flat=True)[:1]
    Event.objects.filter(pk__in=first).update(title=F("title"))  # the triggers give the data a new version
    started = time.perf_counter()
    warm()
    writer_ms = (time.perf_counter() - started) * 1000
    latest = list(Event.objects.order_by("-pk").values_list("pk", flat=True)[:RENDERED_SAMPLE])
    started = time.perf_counter()
    rendering.store(latest)  # what a writer pays per event it changes, to store its HTML (rendering.py)
    render_ms = (time.perf_counter() - started) * 1000 / max(1, len(latest))
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as reader:
        response = client.get(path)
    reader_ms = (time.perf_counter() - started) * 1000
    return {
        "status": response.status_code,
        "writer_ms": round(writer_ms, 1),
        "render_ms_per_event": round(render_ms, 2),
        "reader_ms": round(reader_ms, 1),
        "reader_queries": len(reader),
    }


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
