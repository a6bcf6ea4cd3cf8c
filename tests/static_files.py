"""collectstatic for the tests that start gunicorn: into a directory of this test process's own, one at a time.

They collected into the STATIC_ROOT the in-process tests read: WhiteNoise, starting in another
test process, scanned it while collectstatic replaced a file, and failed (FileNotFoundError on
a hashed django-htmx file). Their environment now names a directory of this process's own
(`served_static()`); two collecting at once in one directory rewrote the manifest
(staticfiles.json) under each other, hence still the lock.
"""

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def served_static():
    """The environment that makes a started server's collectstatic and WhiteNoise use this process's directory."""
    return {"TIMELINE_STATIC_ROOT": str(Path(tempfile.gettempdir()) / f"timeline-static-{os.getpid()}")}


@contextmanager
def one_collectstatic_at_a_time():
    lock = settings.BASE_DIR / ".collectstatic.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
