"""Security settings: headers, no inline code under the CSP, a read-only public site, curators,
throttled sign-in, and a history of every admin change that can be reverted."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from tests.admin_forms import citation_form
from timeline.models import Actor, Citation, Event

pytestmark = pytest.mark.usefixtures("corpus")

PUBLIC_PAGES = [
    "/",
    "/?actor=changpeng-zhao&from=2025",
    "/?from=not-a-date",
    "/actors/",
    "/actors/justin-sun/",
    "/sources/",
    "/api/",
    "/embed/?actor=changpeng-zhao",
]


def public_pages():
    event = Event.objects.first()
    source = Citation.objects.first().source
    return [*PUBLIC_PAGES, event.get_absolute_url(), source.get_absolute_url()]


class InlineCode(HTMLParser):
    """Collects what a script-src/style-src 'self' policy would refuse."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{name}= on <{tag}>" for name in names if name == "style" or name.startswith(("on", "hx-on"))]
        values = [(value or "").strip().lower() for _, value in attrs]
        self.found += [f"javascript: URL on <{tag}>" for value in values if value.startswith("javascript:")]


def test_public_pages_send_the_security_headers(client):
    for url in public_pages():
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp, url
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp, url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert "camera=()" in response.headers["Permissions-Policy"], url
        assert "geolocation=()" in response.headers["Permissions-Policy"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        if url.startswith("/embed/"):
            assert "X-Frame-Options" not in response.headers
            assert "frame-ancestors *" in csp
        else:
            assert response.headers["X-Frame-Options"] == "DENY", url
            assert "frame-ancestors 'none'" in csp, url


@pytest.mark.slow
def test_public_pages_hold_no_inline_script_or_style(client):
    for url in public_pages():
        for headers in ({}, {"HX-Request": "true"}):
            parser = InlineCode()
            parser.feed(client.get(url, headers=headers).content.decode())
            assert parser.found == [], (url, headers)


def test_htmx_is_configured_not_to_need_inline_styles_or_eval(client):
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles":false' in html
    assert '"allowEval":false' in html


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_public_site_is_read_only(client, method):
    for url in [*public_pages(), "/events.json", "/events.csv", "/events.ics", "/feed/", "/api/schema.json"]:
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response.headers["Allow"] == "GET, HEAD", url


def production_env(**extra):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "timeline.project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "timeline.example",
        **extra,
    }


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_flags_plain_http_so_the_clean_run_means_something():
    result = check_deploy(production_env(DJANGO_HTTPS="0"))
    assert result.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off." in result.stderr


def test_curators_group_has_exactly_the_corpus_permissions():
    group = Group.objects.get(name="curators")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    edited = {"event", "citation", "actor", "source", "alias", "participation", "synonym"}
    edited |= {"eventstatement", "actorstatement", "erastatement"}  # curators edit statements
    expected = {("timeline", f"{action}_{model}") for model in edited for action in ("add", "change", "delete", "view")}
    expected |= {("timeline", "view_era"), ("timeline", "view_category")}
    expected -= {("timeline", "delete_source")}  # administrators only
    assert granted == expected
    assert not Permission.objects.filter(group=group, content_type__app_label__in=["auth", "admin", "axes"]).exists()


def test_a_curator_edits_the_corpus_but_not_users(client, curator):
    client.force_login(curator)
    event = Event.objects.first()
    assert client.get(f"/admin/timeline/event/{event.pk}/change/").status_code == 200
    assert client.get("/admin/timeline/event/add/").status_code == 200
    assert client.get("/admin/timeline/source/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/timeline/era/add/").status_code == 403
    html = client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in html


def attempt(client, password):
    return client.post(reverse("admin:login") + "?next=/admin/", {"username": "curator", "password": password})


def test_repeated_failed_sign_ins_lock_the_account_from_that_address(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with its error
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    right = attempt(client, "correct horse battery staple")
    assert right.status_code == 429  # even the right password waits out the lock
    assert "_auth_user_id" not in client.session
    other_address = attempt(client.__class__(REMOTE_ADDR="10.0.0.9"), "correct horse battery staple")
    assert other_address.status_code == 302


def test_a_successful_sign_in_resets_the_count(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "correct horse battery staple").status_code == 302
    client.logout()
    assert attempt(client, "wrong").status_code == 200


def test_every_admin_change_is_kept_and_can_be_reverted(client, curator):
    client.force_login(curator)
    citation = Citation.objects.filter(stance="supports").first()
    url = f"/admin/timeline/citation/{citation.pk}/change/"
    assert client.post(url, citation_form(citation, stance="disputes")).status_code == 302
    citation.refresh_from_db()
    assert citation.stance == "disputes"

    latest, before = citation.history.all()[:2]
    assert (latest.history_user, latest.history_type, latest.stance) == (curator, "~", "disputes")
    assert before.stance == "supports"
    listing = client.get(f"/admin/timeline/citation/{citation.pk}/history/").content.decode()
    assert "curator" in listing and f"/history/{before.history_id}/" in listing

    revert_url = f"/admin/timeline/citation/{citation.pk}/history/{before.history_id}/"
    form = client.get(revert_url).context["adminform"].form
    assert form.initial["stance"] == "supports"
    opened = form["loaded_digest"].value()  # the stored record's digest: a revert notices someone else's edit too
    assert (
        client.post(revert_url, citation_form(before.instance, stance="supports", loaded_digest=opened)).status_code
        == 302
    )
    citation.refresh_from_db()
    assert citation.stance == "supports"
    assert citation.history.first().history_user == curator


def test_reverting_a_source_keeps_its_article_text():
    """The article text is read from seeds/ and not kept in the history; a revert must not blank it."""
    source = Citation.objects.first().source
    text = source.text
    source.quality_note = "Edited once."
    source.save()
    before = source.history.all()[1]
    restored = before.instance
    restored.save()
    source.refresh_from_db()
    assert source.text == text
    assert source.quality_note == before.quality_note


def test_the_admin_allows_one_inline_style_by_hash_and_nothing_else(admin_client):
    csp = admin_client.get("/admin/timeline/event/").headers["Content-Security-Policy"]
    assert "'unsafe-hashes' 'sha256-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "'unsafe-hashes'" not in admin_client.get("/").headers["Content-Security-Policy"]


def test_a_reload_is_recorded_in_the_history_with_its_reason(fixture_dir):
    path = fixture_dir / "actors.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    actor = next(r for r in records if r["model"] == "timeline.actor")
    actor["fields"]["name"] = "Changed in the fixture"
    path.write_text(json.dumps(records), encoding="utf-8")
    call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    latest = Actor.objects.get(slug=actor["fields"]["slug"]).history.first()
    assert (latest.history_type, latest.name) == ("~", "Changed in the fixture")
    assert latest.history_change_reason == "reload_timeline from fixtures"
    assert latest.history_user is None
