"""Faults the site must survive: the database going away, and reloads committing under readers."""

import html
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client

from timeline.models import DataVersion
from timeline.web.middleware import DatabaseUnavailableMiddleware

from .pgcluster import free_port, throwaway_cluster
from .services import ServiceError, start_gunicorn, stop
from .static_files import one_collectstatic_at_a_time, served_static

MESSAGE = DatabaseUnavailableMiddleware.message
EVENT, ACTOR = "cz-pleads-guilty", "doj"


def refuse(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.fixture
def database_down(corpus):
    """Every query fails as it does when the server is gone, the 503 page's own included."""
    with connection.execute_wrapper(refuse):
        yield


def assert_clear_503(status, headers, text):
    assert status == 503, text[:500]
    assert headers["Retry-After"] == "60"
    assert headers["Cache-Control"] == "no-store"
    assert MESSAGE in html.unescape(text)
    assert "Traceback" not in text and "OperationalError" not in text and "Connection refused" not in text


@pytest.mark.parametrize("path", ["/", f"/events/{EVENT}/", f"/actors/{ACTOR}/", "/sources/", "/events.csv"])
def test_pages_say_the_database_is_down(client, database_down, path):
    response = client.get(path)
    assert_clear_503(response.status_code, response.headers, response.content.decode())
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path", ["/events.json", "/actors.json", "/sources.json", "/events.timelinejs.json"])
def test_json_endpoints_say_so_in_json(client, database_down, path):
    response = client.get(path)
    assert_clear_503(response.status_code, response.headers, response.content.decode())
    assert response.json() == {"errors": [MESSAGE]}


def test_other_errors_are_not_passed_off_as_an_outage(client, corpus):
    with mock.patch.object(DataVersion, "current", side_effect=ValueError("a bug")), pytest.raises(ValueError):
        client.get("/")


# The end-to-end outage: a real server, a real cluster stopped and started again.


def production_env(database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return {
        **env,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40)[:50],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **served_static(),
    }


def fetch(port, path):
    """(status, headers, text), or (None, None, the error) when the server does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    except OSError as exc:
        return None, None, repr(exc)
    finally:
        conn.close()


@pytest.mark.services
def test_a_database_outage_is_a_503_and_the_site_recovers_by_itself(tmp_path):
    with throwaway_cluster(dbname="outage") as cluster:
        env = production_env(cluster.url)

        def manage(*command):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v0"],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
                timeout=180,
            )

        manage("migrate", "--noinput")
        manage("reload_timeline")
        with one_collectstatic_at_a_time():
            manage("collectstatic", "--noinput")
        port, log = free_port(), tmp_path / "gunicorn.log"
        with log.open("w") as log_file:
            try:
                server = start_gunicorn(env, port, log_file)
            except ServiceError as problem:
                pytest.fail(f"{problem}:\n{log.read_text()}")
        try:
            for path in ("/", "/events.json", f"/events/{EVENT}/"):
                status, _, text = fetch(port, path)
                assert status == 200, text[:500]

            cluster.stop()
            for path in ("/", f"/events/{EVENT}/"):
                status, headers, text = fetch(port, path)
                assert_clear_503(status, headers, text)
                assert "<h1>Temporarily unavailable</h1>" in text
            status, headers, text = fetch(port, "/events.json")
            assert_clear_503(status, headers, text)
            assert json.loads(text) == {"errors": [MESSAGE]}

            cluster.start()
            statuses, deadline = [], time.monotonic() + 20
            for _ in range(20):
                statuses.append(fetch(port, "/")[0])
                if statuses[-1] == 200 or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert statuses[-1] == 200, f"not recovered after {len(statuses)} tries: {statuses}\n{log.read_text()}"
            # Both server threads had connections cut by the outage; each must reconnect.
            for path in ("/", "/events.json", f"/events/{EVENT}/", f"/actors/{ACTOR}/", "/events.csv") * 3:
                status, _, text = fetch(port, path)
                assert status == 200, f"{path}: {status}\n{text[:500]}"
        finally:
            stop(server)


# Reloads committing while pages are read: every page shows one version of the corpus.

TITLE_B = "Zhao admits a Bank Secrecy Act violation in Seattle (set B)"
SUMMARY_B = "Set B tells this event differently, so a page can be traced to the reload it came from."
NAME_B = "United States Justice Department (set B)"
MAX_RELOADS, MAX_ROUNDS, SECONDS = 30, 400, 12


def pages_to_read(reader, n):
    """The pages at stake, and the two listings again under a filter state seldom read, so computed, not cached."""
    state = f"?to={2026 + (3 * n + reader) % 70}"
    paths = ["/", "/events.json", f"/events/{EVENT}/", f"/actors/{ACTOR}/", "/events.csv"]
    return {**{path: path for path in paths}, "/?to=": f"/{state}", "/events.json?to=": f"/events.json{state}"}


@pytest.fixture
def fixtures_b(fixture_dir):
    """fixtures/ with one event's title and first statement and the name of one of its actors changed together."""
    events_path, actors_path = fixture_dir / "events.json", fixture_dir / "actors.json"
    events, actors = json.loads(events_path.read_text()), json.loads(actors_path.read_text())
    (event,) = [r["fields"] for r in events if r["model"] == "timeline.event" and r["fields"]["slug"] == EVENT]
    (actor,) = [r["fields"] for r in actors if r["model"] == "timeline.actor" and r["fields"]["slug"] == ACTOR]
    markers = {"A": (event["title"], actor["name"]), "B": (TITLE_B, NAME_B)}
    event["title"] = TITLE_B
    statements_path = fixture_dir / "statements.json"
    statements = json.loads(statements_path.read_text())
    first = next(
        r["fields"] for r in statements if r["fields"].get("event") == [EVENT] and r["fields"]["position"] == 1
    )
    first["text"] = SUMMARY_B
    statements_path.write_text(json.dumps(statements, ensure_ascii=False, indent=2))
    actor["name"] = NAME_B
    events_path.write_text(json.dumps(events, ensure_ascii=False, indent=2))
    actors_path.write_text(json.dumps(actors, ensure_ascii=False, indent=2))
    return fixture_dir, markers


def versions_in(text, markers):
    """Which fixture sets a page shows: one is right, two is a page mixing reloads."""
    return {
        version
        for version, strings in markers.items()
        if any(s in text or html.escape(s) in text or json.dumps(s)[1:-1] in text for s in strings)
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: the test database is in-memory SQLite, where a writer locks readers out instead of "
    "racing them, and SQLite transactions read one snapshot anyway",
)
@pytest.mark.django_db(transaction=True)
def test_pages_read_during_reloads_never_mix_two_versions(corpus, fixtures_b):
    set_b, markers = fixtures_b
    sets = [set_b, settings.FIXTURES_DIR]
    deadline = time.monotonic() + SECONDS
    finished = threading.Event()
    problems, reloads, seen = [], [], {page: set() for page in pages_to_read(0, 0)}

    def reload_alternately():
        try:
            for n in range(MAX_RELOADS):
                call_command("reload_timeline", fixtures=sets[n % 2], verbosity=0)
                reloads.append("BA"[n % 2])
                if time.monotonic() > deadline:
                    break
        except Exception as exc:
            problems.append(f"reload: {exc!r}")
        finally:
            finished.set()
            connection.close()

    def read_pages(reader):
        client = Client()
        try:
            for n in range(MAX_ROUNDS):
                for page, path in pages_to_read(reader, n).items():
                    response = client.get(path)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    # A page's corrections quote what it said before a reload: that is history, not a mix.
                    text = re.sub(r'<section class="corrections".*?</section>', "", body.decode(), flags=re.S)
                    versions = versions_in(text, markers)
                    if response.status_code != 200 or len(versions) != 1:
                        problems.append(f"{path}: {response.status_code}, shows {sorted(versions) or 'neither'}")
                    seen[page].update(versions)
                if finished.is_set() or time.monotonic() > deadline + 5:
                    break
        except Exception as exc:
            problems.append(f"reader: {exc!r}")
        finally:
            connection.close()

    readers = [threading.Thread(target=read_pages, args=(reader,)) for reader in range(3)]
    threads = [threading.Thread(target=reload_alternately), *readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 30)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert not problems, f"{len(problems)} bad pages in {len(reloads)} reloads:\n" + "\n".join(problems[:20])
    assert len(reloads) >= 4
    assert all(found == {"A", "B"} for found in seen.values()), f"readers did not see both versions: {seen}"
