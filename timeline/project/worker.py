"""A gunicorn worker's start-up (gunicorn.conf.py), here so the benchmark starts the same way."""

import contextlib
import ctypes
import ctypes.util
import gc
import logging

from django.db import DatabaseError

from timeline.listing.index import warm

log = logging.getLogger("gunicorn.error")

M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas():
    """At most two glibc malloc arenas for the worker's threads.

    glibc gives each new thread an arena of its own, up to eight per core, and memory freed in one
    is kept for that arena's thread: a gthread worker's four threads held 10-15 MB more than two
    arenas hold (100,000 events on PostgreSQL, the same requests, two runs each: 137-144 MB against
    124-128 MB), with no measurable change in throughput. Python's own small-object allocator is
    not affected. Without glibc this does nothing.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c")).mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def start():
    """Limit the worker's malloc arenas, have the event index ready before the first request, then
    freeze what is loaded.

    The index is loaded from the shared cache or built (timeline/listing/index.py), so after a restart
    or a deploy no reader waits for it. Then everything loaded so far (code, settings, the
    index) is moved out of the garbage collector's view: it lives as long as the worker, and
    full collections walking it made the slowest first-time states of a pass take 51–77 ms
    instead of 20–34 ms (10,000 events, in-process).
    """
    limit_malloc_arenas()
    try:
        warm()
    except DatabaseError as exc:  # the database is down: the first request will say so, then build it
        log.warning("Event index not built at start: %s", exc)
    gc.collect()
    gc.freeze()
