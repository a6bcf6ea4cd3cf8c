"""The in-memory event index answers every filter state exactly as the SQL definition of that state does."""

import calendar
import datetime
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db.models import Count, DateField
from django.db.models.functions import Trunc, TruncMonth
from django.http import QueryDict
from django.test import override_settings
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.conftest import forget_index
from tests.oracle import between, cursor_of, in_date_order, known_between, sql_events, sql_ordered
from timeline.cache.versions import cache_key
from timeline.dataset.synthetic import generate
from timeline.listing.chart_rows import MARK_FIELDS, bin_rows, lane_actors, mark_rows
from timeline.listing.index import event_index
from timeline.listing.query import EventQuery
from timeline.models import Actor, Category, Citation, DataVersion, Era, Event, EventStatement, Participation, Source

pytestmark = pytest.mark.usefixtures("corpus")

WORDS = ["pardon", "Binance", "Justin", "monitor", "prison", "Trump", "bin", "zz-nothing"]
DATES = ["2015", "2019", "2023", "2024", "March 2025", "2025-03-13", "Nov 2023", "2023-11-21", "2025"]


@pytest.fixture(scope="module")
def more_events(django_db_setup, django_db_blocker):
    """The corpus plus 300 synthetic events (imprecise dates, many actors), rolled back afterwards."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        if not Event.objects.exists():  # an earlier transactional test emptied the database
            call_command("reload_timeline", verbosity=0)
        generate(300)
        yield
        transaction.set_rollback(True)


def sql_counts(query):
    """The facet counts by the old grouped SQL: events matching every filter but the facet's own."""

    def without(name):
        return sql_events(query, excluded=[name])

    def linked(rows, name):
        return rows.filter(event__in=without(name).values("pk"))

    counts = {
        "certainty": dict(without("certainty").values_list("certainty").annotate(n=Count("id"))),
        "era": {str(k): n for k, n in without("era").values_list("era_id").annotate(n=Count("id"))},
    }
    for name, rows, key in [
        ("actor", Participation.objects.all(), "actor_id"),
        ("category", Event.categories.through.objects.all(), "category_id"),
        ("source", Citation.objects.all(), "source_id"),
        ("stance", Citation.objects.all(), "stance"),
        ("statement", EventStatement.objects.all(), "basis"),
    ]:
        grouped = linked(rows, name).values_list(key).annotate(n=Count("event_id", distinct=True))
        counts[name] = {str(k): n for k, n in grouped}
    return counts


def states():
    def slugs(model):
        return st.lists(st.sampled_from(list(model.objects.values_list("slug", flat=True))), max_size=2)

    return st.fixed_dictionaries(
        {},
        optional={
            "actor": slugs(Actor),
            "category": slugs(Category),
            "source": slugs(Source),
            "era": slugs(Era),
            "certainty": st.lists(st.sampled_from([c for c, _ in Event.Certainty.choices]), max_size=2),
            "stance": st.lists(st.just("disputes"), max_size=1),
            "statement": st.lists(st.just("external"), max_size=1),
            "q": st.sampled_from(WORDS),
            "from": st.sampled_from(DATES),
            "to": st.sampled_from(DATES),
        },
    )


def query_of(state, after=None):
    data = QueryDict(mutable=True)
    for name, value in state.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    if after:
        data["after"] = after
    return EventQuery(data, DataVersion.current()[0])


@settings(max_examples=150)
@given(data=st.data(), cut=st.integers(0, 400))
@pytest.mark.slow
def test_counts_pages_ids_and_months_agree_with_sql(more_events, data, cut):
    state = data.draw(states(), label="state")
    query = query_of(state)
    assume(not query.problems)
    counts, matching = query.counts()
    assert matching == sql_events(query).count()
    expected = sql_counts(query)
    for name, numbers in counts.items():
        assert {k: n for k, n in numbers.items() if n} == expected[name], name

    # what every export holds: every match in the state's order, and the dated ones where a calendar places them
    assert query.ids() == list(sql_ordered(query).values_list("id", flat=True))
    placed = list(in_date_order(sql_events(query)).values_list("id", flat=True))
    assert query.ids(order="placed") == placed
    assert query.ids(order="placed-latest", limit=30) == placed[::-1][:30]

    in_time = query_of({**state, "order": "time"})  # keyset pages are in time order
    everything = list(sql_ordered(in_time))  # a date range's events known to fall in it first
    known = set(sql_events(in_time).filter(known_between(*in_time.date_range())).values_list("pk", flat=True))
    apart = [in_time.lists_apart and event.pk not in known for event in everything]
    after = cursor_of(everything[cut], apart[cut]) if cut < len(everything) else None
    events, next_cursor = query_of({**state, "order": "time"}, after).page(size=20)
    start = cut + 1 if after else 0
    assert [e.pk for e in events] == [e.pk for e in everything[start : start + 20]]
    assert [e.apart for e in events] == apart[start : start + 20]
    more = start + 20 < len(everything)
    assert next_cursor == (cursor_of(everything[start + 19], apart[start + 19]) if more else None)

    dated = sql_events(query).filter(date__isnull=False)
    months = dict(dated.annotate(m=TruncMonth("date")).values_list("m").annotate(n=Count("id")).order_by())
    index = query.index
    by_index = {}
    for number, bits in index.starting.items():
        n = (query.bits() & bits).bit_count()
        if n:
            by_index[number] = n
    assert sorted(by_index.values()) == sorted(months.values())


def month_edges():
    """The first or last day of a month: the bounds of every year or month people type."""
    return st.builds(
        lambda year, month, last: datetime.date(year, month, calendar.monthrange(year, month)[1] if last else 1),
        st.integers(2014, 2026),
        st.integers(1, 12),
        st.booleans(),
    )


BOUNDS = st.one_of(
    st.none(), month_edges(), st.dates(min_value=datetime.date(2014, 1, 1), max_value=datetime.date(2026, 12, 31))
)


@settings(max_examples=200)
@given(start=BOUNDS, end=BOUNDS)
@pytest.mark.slow
def test_a_date_range_keeps_what_sql_keeps(more_events, start, end):
    """Bounds on a month's edge skip the per-event check; bounds inside a month (and Feb 29) still make it.

    (A start after the end is refused before any listing asks: ListingForm.clean.)"""
    assume(start is None or end is None or start <= end)
    index = event_index(DataVersion.current()[0])
    kept = index.between(start, end)
    expected = index.positions(between(Event.objects.all(), start, end).values_list("id", flat=True))
    assert kept == expected
    known = between(Event.objects.all(), start, end).filter(known_between(start, end))
    assert index.known_between(start, end) == index.positions(known.values_list("id", flat=True))


def test_the_index_is_built_in_two_queries_and_shared(django_assert_num_queries, tmp_path):
    """One query, and a second for its words' postings (listing/words.py); shared through a cache that
    other processes read (a file cache stands in for Redis here)."""
    shared = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": tmp_path}}
    with override_settings(CACHES=shared):
        forget_index()
        version = DataVersion.current()[0]
        with django_assert_num_queries(2):
            index = event_index(version)
        assert len(index.ids) == Event.objects.count()
        forget_index()
        with django_assert_num_queries(0):
            assert event_index(version).ids == index.ids  # from the shared cache


def test_a_cache_of_this_process_alone_is_not_asked_to_keep_the_index(django_assert_num_queries):
    """Without Redis each worker holds its index already; a pickled copy in its own cache took 40 MB more of
    it at 100,040 events. The heap the build freed goes back to the system."""
    own = {"default": {"BACKEND": "timeline.cache.local.BoundedLocMemCache", "LOCATION": "own-index-test"}}
    with override_settings(CACHES=own):
        forget_index()
        version = DataVersion.current()[0]
        with mock.patch("timeline.listing.index.release_heap") as released:
            event_index(version)
        assert released.called
        assert caches["default"].get(cache_key(version, "event-index")) is None
        forget_index()
        with django_assert_num_queries(3):  # built again: the version, then its two queries
            event_index(DataVersion.current()[0])


def test_event_ids_map_to_their_positions_and_unknown_ids_to_none():
    forget_index()
    index = event_index(DataVersion.current()[0])
    assert "_position_table" not in vars(index)  # not stored with the index in the shared cache
    ids = list(index.ids)
    assert [index.position(pk) for pk in ids] == list(range(len(ids)))
    gone = next(pk for pk in range(1, max(ids)) if pk not in ids) if len(ids) < max(ids) else None
    unknown = [0, max(ids) + 1, 10**9, *([gone] if gone else [])]
    assert [index.position(pk) for pk in unknown] == [None] * len(unknown)
    assert index.positions_of([ids[2], max(ids) + 1, ids[0], 0]) == [2, 0]
    assert index.positions([ids[3], 10**9, ids[1]]) == (1 << 3) | (1 << 1)
    assert index.position_table.itemsize * len(index.position_table) == 8 * (max(ids) + 1)


def test_a_write_gives_a_new_index():
    before = event_index(DataVersion.current()[0])
    Event.objects.filter(slug="trump-pardons-cz").update(certainty="reported")
    after = event_index(DataVersion.current()[0])
    assert after is not before
    reported = after.options["certainty"]["reported"]
    position = list(after.ids).index(Event.objects.get(slug="trump-pardons-cz").pk)
    assert reported >> position & 1


def test_categories_from_the_index_are_the_events_own(more_events, django_assert_num_queries):
    events = list(Event.objects.all())
    index = event_index(DataVersion.current()[0])
    with django_assert_num_queries(0):
        index.attach_categories(events)
        from_index = {e.pk: sorted(c.slug for c in e.category_list) for e in events}
    stored = {e.pk: sorted(c.slug for c in e.categories.all()) for e in Event.objects.prefetch_related("categories")}
    assert from_index == stored and any(from_index.values())


WINDOWS = [
    ("2014-01-01", "2026-12-31", "year"),
    ("2016-01-01", "2026-12-31", "quarter"),
    ("2016-01-01", "2026-12-31", "month"),
    ("2023-01-01", "2024-12-31", "week"),
    ("2025-01-01", "2025-03-31", "day"),
    ("2024-02-10", "2024-02-20", "day"),
]


def sql_bins(query, start, end, lanes, unit):
    """The chart's bars by the grouped SQL it used before: events by the unit of their start date."""
    window = between(sql_events(query), start, end).order_by()
    if not lanes:
        grouped = window.annotate(unit=Trunc("date", unit, output_field=DateField())).values("unit")
        return sorted((None, row["unit"], row["n"]) for row in grouped.annotate(n=Count("id")))
    grouped = (
        Participation.objects.filter(event__in=window.values("pk"), actor_id__in=[id_ for id_, _ in lanes])
        .annotate(unit=Trunc("event__date", unit, output_field=DateField()))
        .values("actor_id", "unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    return sorted((row["actor_id"], row["unit"], row["n"]) for row in grouped)


def drawn_chart(data, window):
    """(query, start, end, lanes) of a drawn well-formed state, over one of WINDOWS."""
    query = query_of(data.draw(states(), label="state"))
    assume(not query.problems)
    start, end = datetime.date.fromisoformat(window[0]), datetime.date.fromisoformat(window[1])
    return query, start, end, lane_actors(query)


@settings(max_examples=60)
@given(data=st.data(), window=st.sampled_from(WINDOWS))
def test_chart_bars_from_the_index_agree_with_sql(more_events, data, window):
    query, start, end, lanes = drawn_chart(data, window)
    unit = window[2]
    assert sorted(bin_rows(query, start, end, lanes, unit)) == sql_bins(query, start, end, lanes, unit)


def sql_marks(query, start, end, lanes):
    """The chart's marks by the SQL definition of the state: each event once per lane, in reading order."""
    window = between(sql_events(query), start, end)
    if not lanes:
        return [(None, *row) for row in window.order_by("sort_key", "id").values_list(*MARK_FIELDS)]
    found = Participation.objects.filter(event__in=window.values("pk"), actor_id__in=[id_ for id_, _ in lanes])
    rows = found.order_by("event__sort_key", "event_id", "actor_id").values_list(
        "actor_id", *(f"event__{name}" for name in MARK_FIELDS)
    )
    return list(rows)


@settings(max_examples=60)
@given(data=st.data(), window=st.sampled_from(WINDOWS))
@pytest.mark.slow
def test_chart_marks_from_the_index_agree_with_sql(more_events, data, window):
    query, start, end, lanes = drawn_chart(data, window)
    rows = mark_rows(query, start, end, lanes)
    by_index = [(row["lane"], *(row[name] for name in MARK_FIELDS)) for row in rows]
    expected = sql_marks(query, start, end, lanes)
    assert [row[1] for row in by_index] == [row[1] for row in expected]  # same events, in reading order
    assert sorted(by_index, key=str) == sorted(expected, key=str)  # each in the same lanes


def test_chart_marks_take_one_query_by_primary_key(more_events, django_assert_num_queries):
    """The index says which events and lanes; the database is asked only for their fields."""
    query = query_of({"actor": ["changpeng-zhao", "binance"], "category": ["legal"]})
    query.count()
    lanes = lane_actors(query)
    with django_assert_num_queries(1) as captured:
        rows = mark_rows(query, datetime.date(2016, 1, 1), datetime.date(2026, 12, 31), lanes)
    assert rows and {row["lane"] for row in rows} <= {id_ for id_, _ in lanes}
    sql = captured.captured_queries[0]["sql"]
    assert "timeline_participation" not in sql and "timeline_event_categories" not in sql


def test_chart_bars_take_no_query(more_events, django_assert_num_queries):
    query = query_of({"actor": ["changpeng-zhao", "binance"]})
    query.count()
    lanes = lane_actors(query)
    assert len(lanes) == 2
    with django_assert_num_queries(0):
        bars = bin_rows(query, datetime.date(2016, 1, 1), datetime.date(2026, 12, 31), lanes, "month")
    assert {lane for lane, _, _ in bars} == {id_ for id_, _ in lanes}


def test_an_admin_save_builds_the_new_index_so_the_next_reader_does_not(admin_client, corpus):
    """The writer pays for the event index of its change (IndexAfterWritesMiddleware)."""
    from tests.admin_forms import change_form_data
    from timeline.listing import index

    actor = Actor.objects.get(slug="justin-sun")
    url = f"/admin/timeline/actor/{actor.pk}/change/"
    data = change_form_data(admin_client.get(url))
    before = DataVersion.current()[0]
    forget_index()
    assert admin_client.post(url, {**data, "name": "Justin Sun (edited)"}).status_code == 302
    after = DataVersion.current()[0]
    assert after != before and index._shared["version"] == after
    assert [t.label for t in event_index(after).vocab["actor"] if t.slug == "justin-sun"] == ["Justin Sun (edited)"]


def test_a_refused_admin_save_builds_nothing(admin_client, corpus):
    from timeline.listing import index

    actor = Actor.objects.get(slug="justin-sun")
    forget_index()
    response = admin_client.post(f"/admin/timeline/actor/{actor.pk}/change/", {"name": ""})
    assert response.status_code == 200  # the form again, with its errors
    assert index._shared["version"] is None


@pytest.mark.slow
def test_a_reload_builds_the_index_of_what_it_loaded(corpus, fixture_dir):
    from timeline.listing import index

    forget_index()
    call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    assert index._shared["version"] == DataVersion.current()[0]
    forget_index()
    call_command("reload_timeline", "--fixtures", str(fixture_dir), "--dry-run", verbosity=0)
    assert index._shared["version"] is None
