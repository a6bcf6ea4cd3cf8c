import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from timeline.index import forget
from timeline.models import Event


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
def corpus(db):
    """The corpus, reloaded if a transactional test flushed it."""
    if not Event.objects.exists():
        call_command("reload_timeline", verbosity=0)


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
