import shutil

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
