import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
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
