"""Production static files: fingerprinted, compressed, cached for a year, and no CDN anywhere."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.usefixtures("corpus")


@pytest.fixture
def production_static(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


def test_static_files_are_fingerprinted_compressed_and_cached_for_a_year(production_static):
    client = Client()
    html = client.get("/").content.decode()
    for name in ["timeline/site.css", "timeline/site.js", "django_htmx/htmx-2.min.js"]:
        hashed = production_static[name]
        assert hashed != name and f"/static/{hashed}" in html
        response = client.get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("url", ["/", "/events/trump-pardons-cz/", "/sources/", "/actors/justin-sun/"])
def test_pages_load_nothing_from_other_hosts(client, url):
    html = client.get(url).content.decode()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("name", ["site.css", "cite.css"])
def test_every_block_of_a_stylesheet_is_closed(settings, name):
    """A merge once dropped the "}" of an @media print block: every rule after it applied only in print."""
    text = re.sub(r"/\*.*?\*/", "", (settings.BASE_DIR / "static" / "timeline" / name).read_text(), flags=re.S)
    text = re.sub(r'"[^"\n]*"', '""', text)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{name}:{number} closes a block never opened"
    assert depth == 0, f"{name}: {depth} block(s) never closed"
