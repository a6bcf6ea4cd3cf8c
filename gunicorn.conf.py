"""gunicorn's settings for this project: gunicorn reads ./gunicorn.conf.py from the directory it starts in."""

# No request header may set a WSGI variable: by default gunicorn takes SCRIPT_NAME and PATH_INFO
# from a trusted forwarder's headers, and the proxy in front passes what clients send, so one
# request could make the edge cache store another page under a URL for everyone.
forwarder_headers = ""
# Headers whose names hold an underscore are dropped, not mapped onto a dashed name's variable.
header_map = "drop"
# The one proxy trusted for X-Forwarded-* is on this host (docs/deploy.md).
forwarded_allow_ips = "127.0.0.1,::1"


def post_worker_init(worker):
    """The event index ready and the loaded code frozen before the first request (timeline/project/worker.py)."""
    from timeline.project.worker import start

    start()
