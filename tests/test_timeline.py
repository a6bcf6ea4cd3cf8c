"""The timeline drawn on the server: windows, imprecise dates as spans, lanes, era links, clusters."""

import re

import pytest

from timeline.models import Event
from timeline.overview import MARK_LIMIT

pytestmark = pytest.mark.usefixtures("corpus")


def timeline_of(client, url):
    response = client.get(url)
    body = response.content.decode()
    start = body.find('<figure class="timeline"')
    assert start != -1, url
    return response, body[start : body.index("</figure>", start)]


def test_view_sets_the_window_and_its_links_zoom_and_pan(client):
    _, whole = timeline_of(client, "/")
    assert "Whole story" not in whole and "Zoom in" in whole
    _, year = timeline_of(client, "/?view=2024")
    assert "1 Jan 2024 to 31 Dec 2024" in year
    assert "view=2024-12" in year  # month ticks zoom further
    for link in ("Zoom in", "Zoom out", "Earlier", "Later", "Whole story"):
        assert f">{link}</a>" in year
    _, days = timeline_of(client, "/?view=2024-03-10")
    assert "7 Mar 2024 to 13 Mar 2024" in days  # a day is widened to the shortest window


@pytest.mark.parametrize("value", ["junk", "2025..2024", "2024.." + "9" * 90])
def test_a_window_that_cannot_be_read_is_a_400_that_says_why(client, value):
    response = client.get("/", {"view": value})
    assert response.status_code == 400
    assert "view: " in response.content.decode()


def test_a_window_far_from_the_story_falls_back_to_the_whole_span(client):
    _, far = timeline_of(client, "/?view=1900..1901")
    _, whole = timeline_of(client, "/")
    window = re.compile(r'data-start="[^"]+" data-end="[^"]+"')
    assert window.search(far).group() == window.search(whole).group()


def test_imprecise_dates_are_spans_with_soft_edges_not_points(client):
    year = Event.objects.get(date_precision="year", date__year=2024, participations__actor__slug="changpeng-zhao")
    month = Event.objects.filter(date_precision="month", date__year=2025).first()
    day = Event.objects.filter(
        date_precision="day", end_date__isnull=True, date__year=2024, participations__actor__slug="changpeng-zhao"
    ).first()
    actors = "&".join(
        f"actor={slug}" for slug in {"changpeng-zhao", *month.participations.values_list("actor__slug", flat=True)}
    )
    _, svg = timeline_of(client, f"/?view=2024-01..2025-12&{actors}")
    days = 366 + 365

    def width(event):
        drawn = re.search(rf'data-slug="{event.slug}".*?</a>', svg).group()
        rect = re.search(
            r'<rect class="soft" x="[\d.]+%" y="\d+" width="([\d.]+)%" height="12" rx="3" fill="url', drawn
        )
        return float(rect.group(1)) if rect else drawn

    assert width(year) == pytest.approx(96 * 366 / days, abs=0.1)  # the whole year, not 1 January
    assert width(month) == pytest.approx(96 * (month.latest_date - month.date).days / days, abs=0.2)
    assert "<circle" in re.search(rf'data-slug="{day.slug}".*?</a>', svg).group()


def test_marks_are_labelled_for_everyone_and_link_to_their_events(client):
    _, svg = timeline_of(client, "/")
    event = Event.objects.filter(date__isnull=False).chronological().first()
    mark = re.search(
        rf'<a class="tl-item tl-mark[^"]*" href="([^"]+)" data-slug="{event.slug}"[^>]*aria-label="([^"]+)"', svg
    )
    assert mark.group(1) == f"#{event.slug}"  # on the page: jump to it
    assert event.date_display in mark.group(2) and event.title[:20] in mark.group(2)
    assert 'class="tl-label fits-' in svg  # visible labels where they fit


def test_era_bands_are_filter_links(client):
    _, svg = timeline_of(client, "/?actor=justin-sun")
    bands = re.findall(r'<a class="tl-band[^"]*" href="/\?([^"]+)" data-action="era" data-era="([^"]+)"', svg)
    assert bands
    for query, slug in bands:
        assert query == f"era={slug}&amp;actor=justin-sun"


def test_chosen_actors_get_one_lane_each(client):
    _, svg = timeline_of(client, "/?actor=changpeng-zhao&actor=justin-sun")
    assert re.findall(r'<text class="tl-lane"[^>]*>([^<]+)</text>', svg) == ["Changpeng Zhao", "Justin Sun"]
    _, one = timeline_of(client, "/?actor=changpeng-zhao")
    assert "tl-lane" not in one


def test_crowded_marks_become_clusters_with_counts_that_zoom_in(client):
    _, svg = timeline_of(client, "/")
    clusters = re.findall(
        r'class="tl-item tl-cluster" href="/\?view=([^"]+)" data-action="window"[^>]*aria-label="(\d+) more', svg
    )
    assert clusters
    marks = len(re.findall(r'class="tl-item tl-mark', svg))
    assert marks + sum(int(n) for _, n in clusters) == Event.objects.filter(date__isnull=False).count()


def test_the_fragment_is_the_timeline_alone(client):
    response = client.get("/timeline/", {"view": "2025", "actor": "changpeng-zhao"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<figure class="timeline" id="timeline"') and "article" not in body
    assert client.get("/timeline/", {"view": "junk"}).status_code == 400


def test_many_events_are_bars_with_counts_and_never_more_than_the_mark_limit(client):
    from timeline.dataset.synthetic import generate

    generate(400)
    _, svg = timeline_of(client, "/")
    bars = re.findall(r'aria-label="([A-Z][a-z]+ \d{4}): (\d+) events?: zoom in"', svg)
    assert bars and 'class="tl-item tl-mark' not in svg
    assert sum(int(n) for _, n in bars) == Event.objects.filter(date__isnull=False).count()
    _, zoomed = timeline_of(client, "/?view=2024-03-01..2024-03-20")
    assert 0 < len(re.findall(r'class="tl-item tl-(?:mark|bin)', zoomed)) <= MARK_LIMIT
