"""A test session that used the browser ends cleanly: its PostgreSQL test database is dropped."""

import os
import secrets
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

BROWSER_THEN_DATABASE = """
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from django.db import connection


def test_before_the_browser(db):
    connection.ensure_connection()


def test_with_the_browser(browser, db):
    connection.ensure_connection()


def test_after_the_browser(db):
    connection.ensure_connection()
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no server to refuse the drop")
@pytest.mark.browser
def test_a_session_that_used_the_browser_drops_its_test_database():
    """While Playwright's event loop runs, Django keeps connections per asyncio context; the
    session's last connection must still be closed before its database is dropped.

    The inner session's tests sit in a folder of their own under tests/, to get its conftest."""
    inner = settings.BASE_DIR / "tests" / f"inner_{secrets.token_hex(4)}"
    inner.mkdir()
    try:
        (inner / "__init__.py").write_text("")
        (inner / "test_inner.py").write_text(BROWSER_THEN_DATABASE)
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(inner)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(inner)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
    assert "accessed by other users" not in result.stdout + result.stderr, result.stdout[-3000:]
