"""The chart drawn on the server: windows, imprecise dates apart, lanes, era links, clusters, the axis."""

import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis.strategies import dates, floats, integers, lists, sampled_from, tuples

from tests.chart_html import read_chart
from timeline.listing.chart import MARK_LIMIT
from timeline.listing.chart_axis import tick_period
from timeline.listing.chart_rows import UNITS, finest_unit, period_text, unit_count, unit_end, unit_start
from timeline.models import Event

pytestmark = pytest.mark.usefixtures("corpus")

MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def chart_of_page(client, url):
    response = client.get(url)
    chart = read_chart(response.content.decode())
    assert chart is not None, url
    return chart


def window(chart):
    return tuple(datetime.date.fromisoformat(chart.figure[name]) for name in ("data-start", "data-end"))


def tools(chart):
    return {link.text: link.attrs["href"] for link in chart.tools}


def test_view_sets_the_window_and_its_links_zoom_and_pan(client):
    whole = chart_of_page(client, "/")
    assert "Whole story" not in tools(whole) and "Zoom in" in tools(whole)
    year = chart_of_page(client, "/?view=2024")
    assert window(year) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert any(link.attrs["href"] == "/?view=2024-12" for link in year.layouts["wide"].of("tick"))
    assert {"Zoom in", "Zoom out", "Earlier", "Later", "Whole story"} <= set(tools(year))
    days = chart_of_page(client, "/?view=2024-03-10")
    assert window(days) == (datetime.date(2024, 3, 7), datetime.date(2024, 3, 13))  # widened to the shortest


@pytest.mark.parametrize("value", ["junk", "2025..2024", "2024.." + "9" * 90])
def test_a_window_that_cannot_be_read_is_a_400_that_says_why(client, value):
    response = client.get("/", {"view": value})
    assert response.status_code == 400
    assert "view: " in response.content.decode()


def test_a_window_far_from_the_story_falls_back_to_the_whole_span(client):
    assert window(chart_of_page(client, "/?view=1900..1901")) == window(chart_of_page(client, "/"))


def precise(**filters):
    return set(Event.objects.filter(date_precision="day", **filters).values_list("slug", flat=True))


def imprecise(**filters):
    return Event.objects.filter(date_precision__in=["month", "year"], **filters)


def test_imprecise_events_never_hide_precise_ones(client):
    """Events known only to their month or year are counted in rows of their own, one line per month or year;
    those known to the day are the marks, labelled (issue 31: the 13 March events were hidden by year bars)."""
    chart = chart_of_page(client, "/?view=2025-03-10..2025-03-16")
    march_13 = precise(date=datetime.date(2025, 3, 13))
    assert len(march_13) == 2
    year_only = imprecise(date_precision="year", date__year=2025).count()
    for layout in chart.layouts.values():
        marks = {link.attrs["data-slug"]: link.text for link in layout.of("mark")}
        assert set(marks) == march_13 and all(marks.values()), layout.name  # each labelled
        lines = [link.attrs["aria-label"] for link in layout.of("vague")]
        assert sum(line.startswith(f"{year_only} known only to 2025:") for line in lines) == 1  # not a bar each
        assert any(lane[1] == "Known only to the month or year" for lane in layout.lanes)

    front = chart_of_page(client, "/")
    vague = set(imprecise().values_list("slug", flat=True))
    for layout in front.layouts.values():
        drawn = {link.attrs["data-slug"] for link in layout.of("mark")}
        assert drawn and not drawn & vague, layout.name
        clustered = sum(int(link.text) for link in layout.of("cluster"))
        assert len(drawn) + clustered == len(precise(date__isnull=False))
        named = [re.match(r"(\d+) known only", link.attrs["aria-label"]) for link in layout.of("vague")]
        counted = sum(int(match[1]) if match else 1 for match in named)
        assert counted == len(vague), layout.name  # every imprecise event, in one line or another


def test_an_imprecise_events_line_spans_its_month_or_year(client):
    chart = chart_of_page(client, "/?view=2024-01..2025-12")
    days = 366 + 365
    widths = {}
    for link in chart.layouts["wide"].of("vague"):
        line = next(attrs for tag, attrs in link.shapes if tag == "rect" and attrs.get("class") == "line")
        widths[link.attrs["aria-label"].split(":")[0]] = float(line["width"].rstrip("%"))
    assert widths["10 known only to 2025"] == pytest.approx(96 * 365 / days, abs=0.1)  # the year, not 1 January
    assert widths["3 known only to Oct 2025"] == pytest.approx(96 * 31 / days, abs=0.1)


def test_a_filtered_state_opens_on_its_own_events(client):
    pardon = chart_of_page(client, "/?era=pardon")
    start, end = window(pardon)
    dated = Event.objects.filter(era__slug="pardon", date__isnull=False)
    assert dated.count() >= 5
    assert (end - start).days < 60  # not the story's two years (issue 31)
    for event in dated:
        assert start <= event.date and event.latest_date <= end, event.slug
    assert tools(pardon)["Whole story"] == "/?era=pardon&view=2023-11-01..2025-12-31"
    assert pardon.figure.get("data-fitted") == "true"
    elsewhere = chart_of_page(client, "/?era=pardon&view=2024")
    assert tools(elsewhere)["Fit these events"] == "/?era=pardon"
    assert "data-fitted" not in chart_of_page(client, "/").figure


@pytest.mark.parametrize(
    "view",
    ["", "2024", "2025-01-01..2025-03-31", "2025-02-20..2025-03-20", "2025-03-10..2025-03-16", "2025-03-13"],
)
def test_month_names_on_the_axis_at_every_zoom(client, view):
    chart = chart_of_page(client, f"/?view={view}" if view else "/")
    start, end = window(chart)
    for layout in chart.layouts.values():
        labels = [link.text for link in layout.of("tick") if link.text]
        assert any(MONTH.search(label) for label in labels), (layout.name, labels)
        if (end - start).days < 100 and start <= datetime.date(2025, 3, 1) <= end:
            assert any("Mar" in label for label in labels), (layout.name, labels)  # was "24 Feb, 3, 10"


def test_an_empty_chart_takes_no_room(client):
    body = client.get("/", {"q": "zzyzx"}).content.decode()
    assert "No event matches these filters" in body
    assert read_chart(body) is None and "<svg" not in body
    assert read_chart(client.get("/timeline/", {"q": "zzyzx"}).content.decode()) is None


def test_marks_are_labelled_for_everyone_and_link_to_their_events(client):
    chart = chart_of_page(client, "/")
    event = Event.objects.filter(date_precision="day").chronological().first()
    for layout in chart.layouts.values():
        mark = next(link for link in layout.of("mark") if link.attrs["data-slug"] == event.slug)
        assert mark.attrs["href"] == f"#{event.slug}"  # on the page: jump to it
        label = mark.attrs["aria-label"]
        assert event.date_display in label and event.title[:20] in label
        assert mark.text and event.title.startswith(mark.text.rstrip("…"))  # a visible label, part of the name
        assert [tag for tag, _ in mark.shapes].count("circle") == 1  # a day is a dot


def test_era_bands_are_filter_links(client):
    chart = chart_of_page(client, "/?actor=justin-sun")
    bands = chart.layouts["wide"].of("band")
    assert bands
    for band in bands:
        assert band.attrs["href"] == f"/?era={band.attrs['data-era']}&actor=justin-sun"


def test_chosen_actors_get_one_lane_each(client):
    chart = chart_of_page(client, "/?actor=changpeng-zhao&actor=justin-sun")
    for layout in chart.layouts.values():
        names = [text for classes, text in layout.lanes if "vague" not in classes]
        assert names == ["Changpeng Zhao", "Justin Sun"]
    one = chart_of_page(client, "/?actor=changpeng-zhao")
    assert all("vague" in classes for layout in one.layouts.values() for classes, _ in layout.lanes)


def test_crowded_marks_become_clusters_with_counts_that_zoom_in(client):
    from timeline.dataset.synthetic import generate

    generate(100)
    chart = chart_of_page(client, "/?view=2024-01..2025-12")
    assert chart.figure["data-mode"] == "marks"
    start, end = window(chart)
    shown = Event.objects.filter(date_precision="day", date__gte=start, date__lte=end).count()
    for layout in chart.layouts.values():
        clusters = layout.of("cluster")
        assert clusters, layout.name
        for cluster in clusters:
            assert cluster.attrs["data-action"] == "window" and "view=" in cluster.attrs["href"]
            assert re.match(r"\d+ more events?, ", cluster.attrs["aria-label"])
        counted = sum(int(cluster.text) for cluster in clusters)
        assert len(layout.of("mark")) + counted == shown, layout.name
        if layout.name == "narrow":
            assert all(mark.text for mark in layout.of("mark"))  # on a phone, labelled or counted


def test_the_fragment_is_the_chart_alone(client):
    response = client.get("/timeline/", {"view": "2025", "actor": "changpeng-zhao"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<figure class="chart" id="chart"') and "article" not in body
    assert client.get("/timeline/", {"view": "junk"}).status_code == 400


@pytest.mark.slow
def test_many_events_are_bars_with_counts_and_never_more_than_the_mark_limit(client):
    from timeline.dataset.synthetic import generate

    generate(400)
    chart = chart_of_page(client, "/")
    dated = Event.objects.filter(date__isnull=False).count()
    for layout in chart.layouts.values():
        bars = [re.match(r"(.+): (\d+) events?: zoom in$", bar.attrs["aria-label"]) for bar in layout.of("bin")]
        assert bars and all(bars) and not layout.of("mark")
        assert sum(int(bar[2]) for bar in bars) == dated
    zoomed = chart_of_page(client, "/?view=2024-03-01..2024-03-20")
    for layout in zoomed.layouts.values():
        assert 0 < len(layout.of("mark") + layout.of("bin")) <= MARK_LIMIT


@pytest.mark.parametrize(
    ("unit", "words", "view"),
    [
        ("day", "3 Mar 2025", "2025-03-03"),
        ("week", "the week of 3 Mar 2025", "2025-03-03..2025-03-09"),
        ("month", "Mar 2025", "2025-03"),
        ("quarter", "Jan to Mar 2025", "2025-01-01..2025-03-31"),
        ("year", "2025", "2025"),
    ],
)
def test_a_period_has_the_same_words_on_a_bar_and_on_the_axis(unit, words, view):
    """A bar's name ("Mar 2025: 13 events: zoom in") and the tick that zooms to the same period
    ("Zoom the timeline to Mar 2025") say the period alike."""
    day = unit_start(datetime.date(2025, 3, 3), unit)
    assert period_text(day, unit) == words
    assert tick_period(day, unit) == (words, view)


def units_walked(start, end, unit):
    """The oracle: the units of the window counted one by one, from the first that holds `start`."""
    count, day = 0, unit_start(start, unit)
    while day <= end:
        count += 1
        day = unit_end(day, unit) + datetime.timedelta(days=1)
    return count


@settings(max_examples=400, deadline=None)
@given(
    start=dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31)),
    days=integers(0, 6000),
    unit=sampled_from(UNITS),
)
def test_a_window_touches_as_many_units_as_walking_it_counts(start, days, unit):
    end = start + datetime.timedelta(days=days)
    assert unit_count(start, end, unit) == units_walked(start, end, unit)


def test_the_bar_unit_is_the_finest_that_fits():
    assert finest_unit(datetime.date(2015, 1, 1), datetime.date(2025, 12, 31), 36) == "year"
    assert finest_unit(datetime.date(2023, 11, 1), datetime.date(2025, 10, 31), 36) == "month"
    assert finest_unit(datetime.date(2025, 3, 10), datetime.date(2025, 3, 20), 36) == "day"
    assert finest_unit(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30), 36) == "week"


@settings(max_examples=500, deadline=None)
@given(
    spans=lists(tuples(floats(0, 1000), floats(0, 200)), max_size=30),
    left=floats(-50, 1100),
    width=floats(0, 200),
)
def test_a_row_has_room_for_a_span_exactly_when_no_span_it_holds_comes_within_the_gap(spans, left, width):
    """chart_layout.free looks at one span of a row; the oracle at every span the layout let in."""
    from timeline.listing.chart_layout import GAP, Row, free

    def room(taken, a, b):
        return all(other_b + GAP <= a or other_a >= b + GAP for other_a, other_b in taken)

    row, taken = Row(), []
    for start, length in spans:
        if room(taken, start, start + length):
            assert free(row, start, start + length)
            row.append((start, start + length))
            taken.append((start, start + length))
    assert sorted(row) == sorted(taken)
    assert free(row, left, left + width) == room(taken, left, left + width)


def test_a_marks_link_is_its_events_page():
    from django.urls import reverse

    from timeline.listing.chart import event_pages

    slugs = [*Event.objects.values_list("slug", flat=True), "a_b-9", "x"]
    assert event_pages(slugs) == {slug: reverse("event_detail", args=[slug]) for slug in slugs}
