"""The shared cache: with REDIS_URL set, what one process caches is a hit in every other."""

import logging
import os
import secrets
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from tests.conftest import forget_index
from timeline.cache import shared as shared_cache

from .services import throwaway_redis


@pytest.fixture(scope="module")
def redis_url():
    """The suite's Redis when `make test` started one, else a throwaway redis-server of this module's own."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
    else:
        with throwaway_redis() as url:
            yield url


def probe(env, *args):
    result = subprocess.run(
        [sys.executable, "-m", "tests.cache_probe", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.services
def test_a_value_cached_by_one_process_is_a_hit_in_another(redis_url):
    env = {**os.environ, "REDIS_URL": redis_url}
    key = f"test-shared:{secrets.token_hex(8)}"
    assert probe(env, "set", key, "cached by process A") == "set"
    assert probe(env, "get", key) == "cached by process A"


@pytest.mark.services
def test_a_bitset_of_a_hundred_thousand_events_round_trips_through_redis(redis_url):
    """Django's serializer sent ints as digits: past 4,300 of them hiredis crashed the worker (SIGSEGV)."""
    env = {**os.environ, "REDIS_URL": redis_url}
    key = f"test-bitset:{secrets.token_hex(8)}"
    assert probe(env, "bitset", key, "100040") == "100040"
    assert probe(env, "bitset", key, "40") == "40"


@pytest.mark.slow
def test_without_redis_each_process_has_a_cache_of_its_own():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    key = f"test-local:{secrets.token_hex(8)}"
    assert probe(env, "set", key, "cached by process A") == "set"
    assert probe(env, "get", key) == "miss"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the suite runs without REDIS_URL (SQLite run)")
def test_the_suite_runs_against_the_real_redis():
    """`make test` runs the PostgreSQL suite with REDIS_URL set: every cache-sensitive test uses Redis."""
    assert isinstance(caches["default"], RedisCache)
    assert caches["default"]._servers == [os.environ["REDIS_URL"]]
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker flushes only its own database (conftest.py)
        assert not os.environ["REDIS_URL"].endswith("/0")
    key = f"test-suite:{secrets.token_hex(8)}"
    cache.set(key, {"a": [1, 2]})
    assert cache.get(key) == {"a": [1, 2]}


def test_an_unreachable_redis_makes_pages_slower_never_broken(client, corpus, settings, caplog):
    """Redis down: every public page still answers from the database, and the logs say why it is slower."""
    with socket.socket() as probe_socket:  # a port on which nothing listens
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "timeline.cache.shared.RedisCacheOrNothing",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "cz-timeline",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    forget_index()
    shared_cache._warned["at"] = None
    urls = ["/", "/?actor=changpeng-zhao&q=pardon", "/events.json?from=2024", "/events/trump-pardons-cz/", "/feed/"]
    with caplog.at_level(logging.WARNING, logger="timeline.cache"):
        for url in urls:
            assert client.get(url).status_code == 200, url
        fragment = client.get("/?actor=justin-sun", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    warnings = [r for r in caplog.records if r.name == "timeline.cache"]
    assert len(warnings) == 1 and "Redis cannot be reached" in warnings[0].getMessage()
    assert cache.get("anything", "a miss") == "a miss"
    cache.set("anything", 1)
    assert cache.get_many(["anything"]) == {}
