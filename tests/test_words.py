"""Searches of words answered from the event index's words (timeline/listing/words.py): the same
matches as the database's full-text search, ranked as bm25 ranks them (tests/oracle.py `ranked`:
SQLite's FTS5 itself; on PostgreSQL the formula recomputed event by event from the search vectors)."""

import pickle

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.oracle import ranked
from tests.test_search import copies_of, event_order
from timeline.listing import search
from timeline.listing.index import event_index
from timeline.listing.query import EventQuery
from timeline.models import DataVersion, Event

pytestmark = pytest.mark.usefixtures("corpus")

SEARCHES = [
    "pardon",
    "trump",
    "Binance",
    "Bin",  # a prefix, as typed so far
    "t",  # a prefix of a great many words
    "guilty plea",
    "denial as such",  # a synonym (denial ↔ reject) and a stop word
    "jail",  # a synonym of prison
    "the",  # a stop word alone: nothing
    "the pardon",
    "2025",
    "Zhao Binance Trump pardon prison",
    "fine",
    "zzqx",
    "Justin Solar",
]


def query(text, **more):
    data = QueryDict(mutable=True)
    for name, value in {"q": text, **more}.items():
        data[name] = value
    return EventQuery(data, current())


def current():
    return DataVersion.current()[0]


def positions_of(bits, index):
    return {index.ids[pos] for pos in index.each(bits)}


@pytest.mark.parametrize("text", SEARCHES)
def test_a_search_of_words_matches_what_postgresql_matches(text):
    state = query(text)
    assert state.compiled_search is not None
    expected = set(search.matching_ids(Event, state.groups))  # the database's own words table
    assert positions_of(state.search_bits(), state.index) == expected


@pytest.mark.parametrize("text", ["Binance.US", '"four months"', "$4.3 billion", "resigned as CEO"])
def test_a_phrase_goes_to_the_database(text):
    """Its words must follow one another: the vectors' positions tell, the index's words do not
    ("resigned" finds "step down" through a synonym)."""
    state = query(text)
    assert state.compiled_search is None
    assert positions_of(state.search_bits(), state.index) == set(search.matching_ids(Event, state.groups))


def best_first(text, events=None):
    events = Event.objects.search(text) if events is None else events
    return list(ranked(events, text).values_list("pk", flat=True))


@pytest.mark.parametrize("text", SEARCHES)
def test_the_ranking_is_bm25_as_documented(text):
    state = query(text)
    assert state.ids() == best_first(text)


def test_a_filtered_search_ranks_its_matches_among_the_filters_alone():
    state = query("trump", actor="changpeng-zhao", era="pardon")
    others = positions_of(state.bits(), state.index)
    assert 0 < len(others) < len(positions_of(state.search_bits(), state.index))
    assert state.ids() == best_first("trump", Event.objects.search("trump").filter(pk__in=others))
    assert state.best(2, 3) == state.ids()[2:5]


def test_a_title_that_holds_the_searched_words_ranks_first_and_a_short_one_before_a_long_one(client):
    titles = {"long": "Zyzzyva hearing held in court today", "none": "Court hearing", "short": "Zyzzyva hearing"}
    copies = copies_of("cz-pleads-guilty", [{"title": title, "importance": 1} for title in titles.values()])
    slug_of = dict(zip(titles, (copy.slug for copy in copies), strict=True))
    assert event_order(client.get("/?q=zyzzyva").content.decode()) == [slug_of[k] for k in ("short", "long", "none")]


def test_equally_good_matches_come_by_importance_then_in_reading_order(client):
    copies_of("cz-pleads-guilty", [{"importance": n % 3 + 1, "title": f"Zyzzyva {n}"} for n in range(60)])
    first, second = (event_order(client.get(url).content.decode()) for url in ("/?q=zyzzyva", "/?q=zyzzyva&after=r50"))
    state = query("zyzzyva")
    assert (
        first + second
        == [Event.objects.get(pk=pk).slug for pk in best_first("zyzzyva")]
        == [Event.objects.get(pk=pk).slug for pk in state.ids()]
    )
    importance = dict(Event.objects.values_list("slug", "importance"))
    assert [importance[slug] for slug in first[:20]] == [3] * 20


def test_a_search_of_words_asks_the_database_only_to_stem_them_once(client):
    """PostgreSQL stems them (to_tsquery); SQLite's tokenizer runs in the process's own in-memory database."""
    with CaptureQueriesContext(connection) as first:
        client.get("/?q=binance+prison")
    with CaptureQueriesContext(connection) as again:
        client.get("/?q=prison+binance&actor=changpeng-zhao")
    stemming = [q["sql"] for q in first if "to_tsquery" in q["sql"]]
    assert len(stemming) == (1 if connection.vendor == "postgresql" else 0)
    assert not [q for q in [*first, *again] if any(sql in q["sql"] for sql in (" @@ ", " MATCH ", "stems"))]
    assert not [q for q in again if "to_tsquery" in q["sql"]]


def test_a_word_is_stemmed_as_the_database_stems_it():
    words = event_index(current()).words
    assert words.stems(["Binance", "pardons", "Zhao"]) == {"Binance": "binanc", "pardons": "pardon", "Zhao": "zhao"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [search.FTS_TABLE])
            assert f"tokenize = '{search.FTS_TOKENIZE}'" in cursor.fetchone()[0]


def test_the_words_travel_with_the_index_through_the_shared_cache():
    index = event_index(current())
    index.words.stems(["pardon"])
    copy = pickle.loads(pickle.dumps(index))
    assert copy.words.lexemes == index.words.lexemes and "_stems" not in copy.words.__dict__
    assert (copy.words.positions == index.words.positions).all()
    assert (copy.words.lengths == index.words.lengths).all()


def test_a_new_word_is_found_once_saved(client):
    event = Event.objects.get(slug="cz-pleads-guilty")
    event.title = "Zhao pleads guilty before Judge Quixotry"
    event.save()
    assert event_order(client.get("/?q=quixot").content.decode()) == ["cz-pleads-guilty"]
    event.delete()
    assert event_order(client.get("/?q=quixot").content.decode()) == []
