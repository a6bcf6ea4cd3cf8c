import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from timeline.index import forget
from timeline.models import Event

# Every property test runs its full case count; the profile cuts what is not a case: no example
# database to read and write, no deadline (a slow request is not a failure, and is not run again
# to check), no targeting or explain passes, and a failing run stops at its first bug. Health
# checks are off because the fuzz strategies are big by design. HYPOTHESIS_PROFILE=default
# gives hypothesis's own defaults back.
hypothesis_settings.register_profile(
    "suite",
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_configure(config):
    """Under pytest-xdist each worker gets a Redis database of its own, so that one worker's
    cache.clear() (a FLUSHDB) never empties the cache under another worker's test."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("REDIS_URL")
    if worker and url:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{int(worker.removeprefix('gw')) + 1}"))
        os.environ["REDIS_URL"] = settings.CACHES["default"]["LOCATION"] = url


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real corpus once; each test then runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("reload_timeline", verbosity=0)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts cold: no cache entries and no in-process event index."""
    cache.clear()
    forget()


@pytest.fixture
def committed_corpus(django_db_setup, django_db_blocker):
    """The corpus as the session loaded it, loaded again (and committed) if a transactional test
    emptied the database. Requested before `db`, it runs outside the test's transaction, so
    the tests after it find the corpus without each reloading it in its own transaction."""
    with django_db_blocker.unblock():
        if not Event.objects.exists():
            call_command("reload_timeline", verbosity=0)


@pytest.fixture
def corpus(committed_corpus, db):
    """The corpus, in the test's transaction."""


@pytest.fixture
def fixture_dir(tmp_path):
    """A writable copy of fixtures/ for tests that break or change records."""
    target = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, target)
    return target


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test module: Playwright's sync API allows one instance per thread."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (make test does this).")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
        # While Playwright's event loop runs in this thread, asgiref keeps Django's connections
        # per asyncio context, not per thread: the tests' connection is out of reach once it
        # stops, and dropping the test database failed on it ("accessed by other users").
        connections.close_all()


@pytest.fixture(scope="session")
def reading_server(django_db_setup, django_db_blocker):
    """One live server for the tests that only read, serving the corpus the session loaded."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    yield server
    server.stop()
