"""gunicorn's worker start-up (gunicorn.conf.py): the event index is ready before the first request,
and what is loaded by then is out of the garbage collector's view."""

import gc
import importlib.util
import logging
import os
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import override_settings

from tests.conftest import forget_index
from timeline.listing import index
from timeline.models import DataVersion


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
    forget_index()
    gc.unfreeze()
    gunicorn_conf().post_worker_init(Worker())
    assert index._shared["version"] == DataVersion.current()[0]
    assert gc.get_freeze_count() > 0
    assert all(tracked is not index._shared for tracked in gc.get_objects())  # frozen, not walked by a collection
    with django_assert_num_queries(1):  # the version; the index is this process's already
        index.warm()


def test_a_starting_worker_hands_the_heap_its_start_freed_back_before_freezing(corpus):
    """glibc keeps freed heap for the process: 25 MB of a worker at 100,040 events after its rehearsal."""
    forget_index()
    with mock.patch("timeline.project.worker.release_heap") as released, mock.patch("gc.freeze") as frozen:
        frozen.side_effect = lambda: released.assert_called_once()
        gunicorn_conf().post_worker_init(Worker())
    assert frozen.called


def test_a_worker_starts_even_when_the_database_is_down(corpus, caplog):
    forget_index()
    with mock.patch("timeline.listing.index.DataVersion.current", side_effect=OperationalError("connection refused")):
        gunicorn_conf().post_worker_init(Worker())
    assert index._shared["version"] is None
    assert "Event index not built at start: connection refused" in caplog.text


# Eight threads allocate at once, as a gthread worker's do; glibc's malloc_info then lists its arenas.
ARENAS_PROBE = textwrap.dedent(
    """
    import ctypes, ctypes.util, sys, tempfile, threading
    import django
    django.setup()
    from timeline.project import worker
    worker.warm = lambda: None  # the index is another test's; this process has no test database
    worker.start()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    started, done, held = threading.Barrier(8), threading.Barrier(9), []
    def allocate():
        started.wait()
        held.append([bytearray(4096) for _ in range(64)])
        done.wait()
    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    done.wait()
    with tempfile.NamedTemporaryFile("r", suffix=".xml") as out:
        stream = libc.fopen(out.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(out.read().count("<heap nr="))
    for thread in threads:
        thread.join()
    """
)


def malloc_arenas(**extra):
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "DJANGO_SETTINGS_MODULE": "timeline.project.settings"}
    env.pop("MALLOC_ARENA_MAX", None)
    done = subprocess.run(
        [sys.executable, "-c", ARENAS_PROBE],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip())


@pytest.mark.slow
def test_a_worker_started_as_deployed_shares_two_malloc_arenas_among_its_threads():
    """Each thread's own arena kept what it freed: 10-15 MB more per worker at 100,000 events (bench/notes.md).
    glibc reads MALLOC_ARENA_MAX as the process starts, so the benchmark and the deploy guide start gunicorn with it."""
    spec = importlib.util.spec_from_file_location("bench_run", settings.BASE_DIR / "bench" / "run.py")
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    given = bench_run.production_env("sqlite:///unused")["MALLOC_ARENA_MAX"]
    assert f"MALLOC_ARENA_MAX={given} " in (settings.BASE_DIR / "docs" / "deploy.md").read_text()
    assert malloc_arenas() > 2
    assert malloc_arenas(MALLOC_ARENA_MAX=given) <= 2


def test_a_starting_worker_rehearses_a_readers_first_filtered_state(corpus):
    """Answered in-process before the first reader's request, with a host the deployment accepts (the
    views build absolute links from it) and the scheme it redirects to."""
    from timeline.project.worker import rehearsal_paths, rehearse

    paths = [path for path, _ in rehearsal_paths()]
    assert {path.split("?")[0] for path in paths} == {"/", "/timeline/", "/facets/actor/"}
    assert all("era=" in path for path in paths)  # no state of bench/cold.py filters by era
    with override_settings(ALLOWED_HOSTS=[".timeline.example"], SECURE_SSL_REDIRECT=True):
        answered = rehearse()
    assert answered == [(path, 200) for path in paths]


@pytest.mark.parametrize("failure", [OperationalError("gone"), KeyError("era"), ValueError("no host")])
def test_a_failed_rehearsal_never_stops_a_worker(corpus, caplog, failure):
    """Whatever a rehearsal runs into (the database, a corpus it was not written for, a setting), the
    worker still starts, with its index, and says why it did not rehearse."""
    forget_index()
    with mock.patch("timeline.project.worker.rehearse", side_effect=failure) as rehearsal:
        gunicorn_conf().post_worker_init(Worker())
    assert rehearsal.called
    assert index._shared["version"] == DataVersion.current()[0]
    assert gc.get_freeze_count() > 0
    assert "No rehearsal at start" in caplog.text and str(failure.args[0]) in caplog.text


def test_a_rehearsal_runs_the_views_though_their_responses_are_stored(corpus, client):
    """A second worker, or a restart, finds the rehearsed states' responses stored (web/http.py): the
    rehearsal calls the views below that layer, so their code runs all the same."""
    from django.shortcuts import render

    from timeline.project.worker import rehearsal_paths, rehearse

    paths = rehearsal_paths()
    for path, htmx in paths:
        assert client.get(path, headers={"HX-Request": "true"} if htmx else {}).status_code == 200
    with (
        override_settings(ALLOWED_HOSTS=["testserver"]),
        mock.patch("timeline.web.views.render", wraps=render) as rendering,
    ):
        rehearse()  # the test client's host: the same stored responses
    assert [call.args[1] for call in rendering.call_args_list] == [
        "chronology.html",
        "chronology.html",
        "chronology.html#results",
        "chart.html#chart",
        "facet.html#options",
    ]
    assert len(paths) == 5
