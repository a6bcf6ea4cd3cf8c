"""gunicorn's settings for this project: gunicorn reads ./gunicorn.conf.py from the directory it starts in."""


def post_worker_init(worker):
    """The event index ready and the loaded code frozen before the first request (timeline/worker.py)."""
    from timeline.worker import start

    start()
