"""Absolute links name the site the reader asked for: DJANGO_SITE_URL when configured, else the request's host.

`PORT=8811 make serve` linked every citation, export and embed snippet to port 8000, the
default address, whatever port served the page.
"""

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from icalendar import Calendar

from timeline.models import Source

pytestmark = pytest.mark.usefixtures("corpus")

HOST = "127.0.0.1:8811"
BASE = f"http://{HOST}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def unconfigured(settings):
    settings.SITE_URL = ""


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def links_of(client, host=HOST):
    """{what: [every absolute link it holds to this site]} for the pages and exports that hold them."""
    get = lambda path: body(client.get(path, HTTP_HOST=host)).decode()  # noqa: E731
    html = get("/?actor=changpeng-zhao")
    source = Source.objects.order_by("slug").first()
    citation = re.search(r'id="ready-citation">(.*?)</p>', get(source.get_absolute_url()), re.S).group(1)
    rows = list(csv.DictReader(io.StringIO(get("/events.csv?actor=changpeng-zhao"))))
    calendar = Calendar.from_ical(get("/events.ics?actor=changpeng-zhao"))
    feed = ET.fromstring(get("/feed/?actor=changpeng-zhao"))
    annotations = json.loads(get("/annotations.jsonld?actor=mark-bini"))
    return {
        "embed snippet": re.findall(r"&lt;iframe src=&quot;(\S+?)&quot;", html),
        "source citation": re.findall(r"https?://\S+", citation),
        "csv url": [row["url"] for row in rows],
        "calendar": [str(entry["url"]) for entry in calendar.walk("VEVENT")],
        "feed": [link.get("href") for link in feed.iter(f"{ATOM}link")],
        "annotations": [annotations["id"], *(item["id"] for item in annotations["first"]["items"])],
    }


def test_with_no_site_url_every_absolute_link_names_the_requests_own_host(client, unconfigured):
    for what, links in links_of(client).items():
        assert links, what
        assert all(link.startswith(f"{BASE}/") for link in links), (what, links[:3])
    timelinejs = client.get("/events.timelinejs.json", HTTP_HOST=HOST).content.decode()
    assert "127.0.0.1:8000" not in timelinejs and "http://" not in timelinejs  # it links nowhere


def test_the_same_address_asked_on_two_hosts_shares_no_stored_response(client, unconfigured):
    for path in ["/?actor=binance", "/feed/?actor=binance", "/events.csv?actor=binance"]:
        first = client.get(path, HTTP_HOST=HOST)
        other = client.get(path, HTTP_HOST="localhost:8000")
        assert first["ETag"] != other["ETag"], path
        first_text, other_text = body(first).decode(), body(other).decode()
        assert BASE in first_text and BASE not in other_text, path
        assert "http://localhost:8000/" in other_text, path


def test_a_configured_site_url_wins(client, settings):
    settings.SITE_URL = "https://timeline.example"
    for what, links in links_of(client).items():
        assert links and all(link.startswith("https://timeline.example/") for link in links), what


def test_the_settings_configure_no_address_unless_told_and_make_serve_sets_none():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SITE_URL"}
    code = "from django.conf import settings; print(repr(settings.SITE_URL))"
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "timeline.project.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "''", shown.stderr
    planned = subprocess.run(
        ["make", "-n", "serve", "PORT=8811"], cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=60
    ).stdout
    assert "runserver 127.0.0.1:8811" in planned
    assert "8000" not in planned and "SITE_URL" not in planned  # nothing pins the links to another port
