"""gunicorn's settings for this project: gunicorn reads ./gunicorn.conf.py from the directory it starts in."""


def post_worker_init(worker):
    """Have the event index (timeline/index.py) ready before the worker takes its first request:
    loaded from the shared cache, or built. After a restart or a deploy no reader waits for it."""
    from django.db import DatabaseError

    from timeline.index import warm

    try:
        warm()
    except DatabaseError as exc:  # the database is down: the first request will say so, then build it
        worker.log.warning("Event index not built at start: %s", exc)
