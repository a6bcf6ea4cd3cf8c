import os
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from timeline.listing import index, spelling
from timeline.models import DataVersion, Event

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


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """A few hundred tests make or sign in a user, and Django's PBKDF2 takes 0.4 s a hash here: about
    60 s of CPU in the fast tests alone. No test is about the hasher (check --deploy runs apart)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real corpus once; each test then runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("reload_timeline", verbosity=0)


def forget_index():
    """Drop this process's copy of the event index and of the did-you-mean vocabulary (the cold path)."""
    index._shared.update(version=None, index=None)
    spelling._latest.update(version=None, words=None)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts cold: no cache entries and no in-process event index."""
    cache.clear()
    forget_index()


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
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
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
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are plain and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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


@pytest.fixture
def site(committed_corpus, db, reading_server, browser):
    """The corpus, served to a test that only reads it: nothing to empty or reload afterwards.

    The test runs in a transaction (`db`) that the server, on PostgreSQL, cannot see into; it
    serves the committed corpus. A test that changed the data fails: it needs writable_site.
    """
    before = DataVersion.current()
    yield reading_server.url
    close_pages(browser)
    wait_until_served()
    assert DataVersion.current() == before, "this test changed the data: give it writable_site"


@pytest.fixture
def writable_site(live_server, transactional_db, browser):
    """A live server for a test that writes: the database is emptied after it (a transactional test)."""
    call_command("reload_timeline", verbosity=0)
    yield live_server.url
    close_pages(browser)
    wait_until_served()


def close_pages(browser):
    for context in browser.contexts:
        context.close()


def wait_until_served(timeout=10):
    """Let the live servers finish their last requests before the next test.

    On SQLite the servers' threads share the test's connection, so a request still writing
    (a login, an axes record, a history row) during a flush breaks its foreign keys."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.02)
    pytest.fail(f"the live server was still answering requests {timeout} s after the test closed its pages")


def open_page(browser, base_url):
    """A page at 1280 px that may reach only this server, and fails its test on a CSP refusal."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    elsewhere = []

    def refuse(route):
        elsewhere.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!http://(localhost|127\.0\.0\.1)[:/]).*"), refuse)
    context.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert elsewhere == [], "the page asked for URLs outside this server"
    assert refused == [], "the Content-Security-Policy refused something the page uses"


@pytest.fixture
def page(browser, site):
    yield from open_page(browser, site)


@pytest.fixture
def writable_page(browser, writable_site):
    yield from open_page(browser, writable_site)


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator", password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def seeds_dir(tmp_path, settings):
    """A copy of seeds/ that exports, reloads and tests that add files and links use instead of the real one."""
    target = tmp_path / "seeds"
    shutil.copytree(settings.SEEDS_DIR, target)
    settings.SEEDS_DIR = target
    return target


def go_back(page):
    """Back, as a reader presses it. With no history cache htmx reloads the page on Back, and
    Playwright may report the history step as aborted by that reload: wait for the page instead."""
    _step(page.go_back)


def go_forward(page):
    _step(page.go_forward)


def _step(move):
    from playwright.sync_api import Error as PlaywrightError

    try:
        move()
    except PlaywrightError as exc:
        if "ERR_ABORTED" not in str(exc):
            raise


def pytest_terminal_summary(terminalreporter):
    """The search query set's figures (tests/test_search_relevance.py), whichever process ran it."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        figures = dict(getattr(report, "user_properties", ()))
        if "search relevance" in figures:
            terminalreporter.write_line(figures["search relevance"])
