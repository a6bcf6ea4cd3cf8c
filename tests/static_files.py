"""collectstatic for the tests that start gunicorn: one at a time across the parallel test processes.

They collect into the one STATIC_ROOT that production settings name; two at once rewrite
the manifest (staticfiles.json) under each other, and one of them fails.
"""

import fcntl
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def one_collectstatic_at_a_time():
    lock = settings.BASE_DIR / ".collectstatic.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
