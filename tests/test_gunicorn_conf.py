"""gunicorn's worker start-up (gunicorn.conf.py): the event index is ready before the first request,
and what is loaded by then is out of the garbage collector's view."""

import gc
import importlib.util
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError

from timeline import index
from timeline.caching import current_version


def gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def unfrozen():
    """This test process is not a worker: what a test froze is handed back to the collector."""
    yield
    gc.unfreeze()


class Worker:
    log = logging.getLogger("gunicorn.error")


def test_a_starting_worker_has_the_index_before_its_first_request(corpus, django_assert_num_queries):
    index.forget()
    gc.unfreeze()
    gunicorn_conf().post_worker_init(Worker())
    assert index._shared["version"] == current_version()[0]
    assert gc.get_freeze_count() > 0
    assert all(tracked is not index._shared for tracked in gc.get_objects())  # frozen, not walked by a collection
    with django_assert_num_queries(1):  # the version; the index is this process's already
        index.warm()


def test_a_worker_starts_even_when_the_database_is_down(corpus, caplog):
    index.forget()
    with mock.patch("timeline.index.current_version", side_effect=OperationalError("connection refused")):
        gunicorn_conf().post_worker_init(Worker())
    assert index._shared["version"] is None
    assert "Event index not built at start: connection refused" in caplog.text
