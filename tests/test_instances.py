"""Several instances: two gunicorns on one PostgreSQL and one Redis behave as one site.

The servers run in a throwaway cluster and a throwaway redis-server of this module's own,
so the test runs in both suite runs; it fails, never skips, when they cannot start.
"""

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .pgcluster import free_port, throwaway_cluster
from .services import http_get as get
from .services import manage, start_gunicorn, stop, throwaway_redis
from .static_files import one_collectstatic_at_a_time, served_static

EVENT = "cz-pleads-guilty"
ACTOR = "doj"
CURATOR = "instance-curator"
STATE = "/?actor=changpeng-zhao&certainty=confirmed&from=2023"
FRAGMENT = {"HX-Request": "true"}


def server_env(database_url, redis_url):
    inherited = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    return {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TIMELINE_QUERY_COUNT_HEADER": "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40)[:50],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # One site behind a balancer: its address is configured, not taken from each instance's port.
        "DJANGO_SITE_URL": "https://timeline.example",
        **served_static(),
    }


def queries(port, path, headers=None):
    status, response_headers, text = get(port, path, headers)
    assert status == 200, text[:500]
    return int(response_headers["X-Query-Count"])


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """Ports of two gunicorn instances (A, B) sharing one database and one Redis, and their environment."""
    logs = tmp_path_factory.mktemp("instances")
    with throwaway_cluster(dbname="instances") as cluster, throwaway_redis() as redis_url:
        env = server_env(cluster.url, redis_url)
        for command in (["migrate", "--noinput"], ["reload_timeline"]):
            manage(env, *command)
        with one_collectstatic_at_a_time():
            manage(env, "collectstatic", "--noinput")
        password = secrets.token_urlsafe(16)
        manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": password},
            "createsuperuser",
            "--noinput",
            "--username",
            CURATOR,
            "--email",
            "curator@example.org",
        )
        servers = []
        try:
            for name in ("a", "b"):
                port, log = free_port(), (logs / f"gunicorn-{name}.log").open("w")
                try:
                    servers.append((start_gunicorn(env, port, log, f"gunicorn {name}"), port, log))
                except BaseException:
                    log.close()
                    raise
            yield {
                "a": servers[0][1],
                "b": servers[1][1],
                "env": env,
                "password": password,
                "logs": {name: logs / f"gunicorn-{name}.log" for name in ("a", "b")},
            }
        finally:
            for process, _, log in servers:
                stop(process)
                log.close()


@pytest.fixture(autouse=True)
def logs_of_a_failure(request):
    """A failed test that uses the instances shows the end of each one's log: whether a worker timed out,
    crashed or answered 500 (a connection reset by B was seen once with nothing to tell which). The
    module's other tests must not start them (a cluster, Redis, collectstatic) for this."""
    if "instances" not in request.fixturenames:
        yield
        return
    logs = request.getfixturevalue("instances")["logs"]
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        for name, path in logs.items():
            print(f"--- the end of gunicorn {name}'s log ---\n" + "\n".join(path.read_text().splitlines()[-40:]))


@pytest.mark.services
def test_a_filter_state_computed_on_one_instance_is_served_from_the_cache_on_the_other(instances):
    """After a data change nothing is cached: A builds the event index and renders the events it
    shows; B reads both from the shared cache and runs only the queries of the request itself."""
    a, b = instances["a"], instances["b"]
    for path, headers in ((STATE, {}), (STATE + "&to=2025", FRAGMENT)):
        manage(instances["env"], "shell", "-c", "from timeline.models import Era; Era.objects.first().save()")
        cold_on_a = queries(a, path, headers)
        warm_on_b = queries(b, path, headers)
        warm_on_a = queries(a, path, headers)
        assert warm_on_b == warm_on_a < cold_on_a, (path, cold_on_a, warm_on_b, warm_on_a)


@pytest.mark.services
def test_both_instances_give_the_same_validator(instances):
    _, on_a, _ = get(instances["a"], STATE)
    _, on_b, _ = get(instances["b"], STATE)
    assert on_a["ETag"] == on_b["ETag"]
    assert get(instances["b"], STATE, {"If-None-Match": on_a["ETag"]})[0] == 304


@pytest.mark.services
def test_a_reload_through_one_instance_is_seen_on_both_and_no_stale_304(instances, fixture_dir):
    a, b, env = instances["a"], instances["b"], instances["env"]
    events_path = fixture_dir / "events.json"
    records = json.loads(events_path.read_text())
    (event,) = [r["fields"] for r in records if r["model"] == "timeline.event" and r["fields"]["slug"] == EVENT]
    old_title, new_title = event["title"], f"Retitled on instance A {secrets.token_hex(4)}"
    before = {}
    for name, port in (("a", a), ("b", b)):
        status, headers, text = get(port, STATE)
        assert status == 200 and old_title in text
        before[name] = headers["ETag"]

    event["title"] = new_title
    events_path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    manage(env, "reload_timeline", "--fixtures", str(fixture_dir))

    for name, port in (("b", b), ("a", a)):
        status, headers, text = get(port, STATE, {"If-None-Match": before[name]})
        assert status == 200, f"instance {name} answered {status} to the ETag from before the reload"
        assert new_title in text and old_title not in text
        assert headers["ETag"] != before[name]
        status, _, text = get(port, f"/events/{EVENT}/")
        assert status == 200 and new_title in text


class ChangeForm(HTMLParser):
    """The fields a browser would submit from the admin's change form (the logout form left out)."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.textarea, self.select = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id", "").endswith("_form")
        if not self.in_form or not attrs.get("name") and tag != "option":
            return
        kind = attrs.get("type", "text")
        if (
            tag == "input"
            and kind not in ("submit", "button", "file")
            and (kind not in ("checkbox", "radio") or "checked" in attrs)
        ):
            self.fields.append([attrs["name"], attrs.get("value", "")])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
            self.fields.append(self.textarea)
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append([self.select, attrs.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self.textarea[1] = self.textarea[1].removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def signed_in(port, password):
    """A urllib opener with a curator's session on 127.0.0.1:port."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/admin/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": CURATOR, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    with opener.open(f"{base}/admin/login/", urllib.parse.urlencode(form).encode(), timeout=30) as response:
        assert response.url.endswith("/admin/"), "sign-in failed"
    return opener, base


@pytest.mark.services
def test_an_admin_edit_through_one_instance_is_seen_on_the_other_with_no_stale_304(instances):
    a, b, listing = instances["a"], instances["b"], f"/?actor={ACTOR}"
    status, headers, _ = get(b, listing)
    assert status == 200
    before = headers["ETag"]
    assert get(b, listing, {"If-None-Match": before})[0] == 304

    opener, base = signed_in(a, instances["password"])
    changelist = opener.open(f"{base}/admin/timeline/actor/?q={ACTOR}", timeout=30).read().decode()
    change_urls = set(re.findall(r'href="(/admin/timeline/actor/\d+/change/)[^"]*"', changelist))
    for url in sorted(change_urls):
        form = ChangeForm()
        form.feed(opener.open(base + url, timeout=30).read().decode())
        if ["slug", ACTOR] in form.fields:
            break
    else:
        pytest.fail(f"no change form for {ACTOR} among {change_urls}")
    new_name = f"Justice Department, renamed on instance A {secrets.token_hex(4)}"
    fields = [(name, new_name if name == "name" else value) for name, value in form.fields] + [("_save", "Save")]
    with opener.open(base + url, urllib.parse.urlencode(fields).encode(), timeout=30) as response:
        assert "/change/" not in response.url, "the admin did not save the edit"

    status, headers, text = get(b, listing, {"If-None-Match": before})
    assert status == 200, "instance B answered the ETag from before the edit with 304"
    assert new_name in text and headers["ETag"] != before
    assert new_name in get(b, f"/actors/{ACTOR}/")[2]


def test_the_query_count_header_is_off_by_default(client, corpus):
    assert "X-Query-Count" not in client.get("/").headers


def test_the_query_count_header_counts_every_query(client, corpus, settings):
    settings.MIDDLEWARE = ["timeline.web.middleware.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(STATE)
    assert int(response["X-Query-Count"]) == len(captured) > 0
