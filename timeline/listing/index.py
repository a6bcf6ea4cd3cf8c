"""An in-memory index of the events for facet counts, pages and the chart of any filter state.

A filter state seen for the first time used to cost one grouped query per facet over every
matching event (hundreds of milliseconds at 100,000 events). Here each event is a bit
position in reading order, and each filter option (an actor, a category, a source, an era,
a certainty, a month) is the set of its events as one Python integer used as a bitset: a
facet count is an AND and a population count, microseconds each. The index is built in one
query per data version, kept per process, and shared through the cache so that other
processes and instances load it instead of rebuilding it.

The index selects the events of every listing and export (query.py); the database is asked for
full-text matches and rows by id only. The SQL definition of a state lives in the tests
(tests/oracle.py), which check that the index agrees with it.
"""

import calendar
import contextlib
import ctypes
import datetime
import threading
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Aggregate, CharField, DateField, F, IntegerField, Value
from django.db.models.functions import Cast

from timeline.cache.versions import cache_key, cached
from timeline.corpus.dates import DatePrecision, placement_key
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.vocab import Vocabularies, search_parts, term_parts, vocabularies_from
from timeline.listing.words import WordIndex
from timeline.listing.words import build as build_words
from timeline.models import Category, DataVersion, Event

IMPRECISE = (DatePrecision.MONTH, DatePrecision.YEAR)
LAST = "\U0010ffff"  # sorts after every sort key: undated events come last

_shared = {"version": None, "index": None}
_lock = threading.Lock()


def month_of(day):
    return day.year * 12 + day.month - 1


@dataclass
class EventIndex:
    ids: array = field(default_factory=lambda: array("q"))
    sort_keys: list = field(default_factory=list)
    dates: array = field(default_factory=lambda: array("l"))  # date ordinals, 0 for undated
    latest: array = field(default_factory=lambda: array("l"))
    placed: array = field(default_factory=lambda: array("l"))  # dates.placement_key, 0 for undated
    options: dict = field(default_factory=dict)  # {dimension: {key: bitset}}
    overlapping: dict = field(default_factory=dict)  # {month number: events whose span touches the month}
    starting: dict = field(default_factory=dict)  # {month number: events that start in the month}
    everything: int = 0
    dated: int = 0
    undated: int = 0
    imprecise: int = 0  # events dated only to a month or a year
    vocab: Vocabularies = field(default_factory=Vocabularies)
    words: WordIndex | None = None  # the full-text index's lexemes and their postings (words.py)

    def positions(self, ids):
        """The bitset of these event ids (search results)."""
        return bitset(self.positions_of(ids), (len(self.ids) + 7) // 8)

    def positions_of(self, ids):
        """The bit positions of these event ids, in their order; ids the index does not hold are left out."""
        table = self.position_table
        try:
            return [pos for pos in map(table.__getitem__, ids) if pos >= 0]
        except IndexError:  # an id above every indexed one
            return [pos for pos in (table[pk] if pk < len(table) else -1 for pk in ids) if pos >= 0]

    def among(self, ids, bits):
        """The ids, in their order, whose events are in this bitset (a search's ranked matches on a page)."""
        table, member = self.position_table, self.members(bits)
        return (pk for pk in ids if pk < len(table) and (pos := table[pk]) >= 0 and member(pos))

    def position(self, pk):
        """The bit position of an event id, or None."""
        table = self.position_table
        return table[pk] if 0 <= pk < len(table) and table[pk] >= 0 else None

    @property
    def placement_order(self):
        """The dated events' positions by where a calendar or a feed places them (dates.placed_on), then in
        reading order. Made when first needed, and not stored with the index."""
        if not hasattr(self, "_placement_order"):
            dated = [pos for pos, key in enumerate(self.placed) if key]
            dated.sort(key=self.placed.__getitem__)  # a stable sort: reading order within one day and precision
            self._placement_order = array("l", dated)
        return self._placement_order

    def placed_in_order(self, bits, latest_first=False):
        """The positions of the dated events of a bitset, in placement order (or latest first). Under 2% of
        the events are sorted (a walk would read the whole order to find them); more are read off the order:
        at 100,040 events, the first 100 of 2,000 in 0.7 ms, of all of them in 0.03 ms."""
        bits &= self.dated
        if bits.bit_count() * 50 < len(self.ids):
            return iter(sorted(self.each(bits), key=lambda pos: (self.placed[pos], pos), reverse=latest_first))
        member = self.members(bits)
        order = reversed(self.placement_order) if latest_first else self.placement_order
        return (pos for pos in order if member(pos))

    def members(self, bits):
        """A test of whether a position is in this bitset, in constant time (a shift of a large
        bitset copies it)."""
        raw = bits.to_bytes((len(self.ids) + 7) // 8, "little")
        return lambda pos: raw[pos >> 3] >> (pos & 7) & 1

    @property
    def position_table(self):
        """Each event id's bit position, -1 for an id with no event, indexed by id: 8 bytes per id
        (0.8 MB at 100,000 events) where a dict took 11 MB, and faster to look 55,000 search
        results up in. Made when first needed, and not stored with the index."""
        if not hasattr(self, "_position_table"):
            table = array("q", [-1]) * ((max(self.ids) + 1) if self.ids else 0)
            for pos, pk in enumerate(self.ids):
                table[pk] = pos
            self._position_table = table
        return self._position_table

    def attach_categories(self, events):
        """Give each event its categories from the index (Event.category_list), without a query."""
        terms = self.vocab["category"]
        sets = self.options.get("category", {})
        for event in events:
            at = self.position(event.pk)
            event.indexed_categories = [
                Category(id=term.id, slug=term.slug, name=term.label)
                for term in terms
                if at is not None and sets.get(str(term.id), 0) >> at & 1
            ]

    def any_of(self, dimension, keys):
        bits = 0
        for key in keys:
            bits |= self.options[dimension].get(key, 0)
        return bits

    def between(self, start=None, end=None):
        """Events whose span overlaps [start, end], like EventQuerySet.between."""
        if start is None and end is None:
            return self.everything
        first = month_of(start) if start else min(self.overlapping, default=0)
        last = month_of(end) if end else max(self.overlapping, default=0)
        # A bound on a month's first or last day (every year or month people type) cuts no event
        # that overlaps its month: only a bound inside a month needs each event's dates checked.
        start_inside = start and start.day != 1
        end_inside = end and end.day != calendar.monthrange(end.year, end.month)[1]
        inside, edges = 0, 0
        for month in range(first, last + 1):
            bits = self.overlapping.get(month, 0)
            if (start_inside and month == first) or (end_inside and month == last):
                edges |= bits
            else:
                inside |= bits
        edges &= ~inside
        first_day, last_day = start.toordinal() if start else 0, end.toordinal() if end else None
        kept = [
            pos
            for pos in self.each(edges)
            if self.latest[pos] >= first_day and (last_day is None or self.dates[pos] <= last_day)
        ]
        return inside | bitset(kept, (len(self.ids) + 7) // 8)

    def known_between(self, start=None, end=None):
        """Of the events between(start, end), those known to fall in the range: dated to the day, or
        known only to a month or year that lies wholly inside it (from its first day to its latest).
        The others (a year that runs past the range, a month that only partly overlaps it) only could
        (tests/test_index.py checks this against the same rule in SQL)."""
        overlapping = self.between(start, end)
        first, last = start.toordinal() if start else 0, end.toordinal() if end else None
        inside = [
            pos
            for pos in self.each(overlapping & self.imprecise)
            if self.dates[pos] >= first and (last is None or self.latest[pos] <= last)
        ]
        return (overlapping & self.dated & ~self.imprecise) | bitset(inside, (len(self.ids) + 7) // 8)

    def after(self, sort_key, pk):
        """The events after this keyset position in reading order."""
        target = (sort_key if sort_key is not None else LAST, pk)
        first = bisect_right(range(len(self.ids)), target, key=lambda pos: (self.sort_keys[pos] or LAST, self.ids[pos]))
        return self.everything & ~((1 << first) - 1)

    def each(self, bits):
        """The positions of a bitset, in reading order: byte by byte, cheap for a large set."""
        raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        for at, byte in enumerate(raw):
            while byte:
                low = byte & -byte
                yield at * 8 + low.bit_length() - 1
                byte ^= low

    def first(self, bits, count):
        """The positions of the first `count` events of a bitset, in reading order."""
        found = []
        while bits and len(found) < count:
            low = bits & -bits
            found.append(low.bit_length() - 1)
            bits ^= low
        return found

    def cursor(self, pos):
        return f"{self.sort_keys[pos] or ''}~{self.ids[pos]}"


class IdList(Aggregate):
    """A group's event ids joined by commas: one row per filter option rather than one per link."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


EVENT_FIELDS = ("sort_key", "date", "latest_date", "importance")  # an event row's text, date, latest and order


def rows():
    """Every event, the events of every filter option and every vocabulary term, in one query.

    Each row is (kind, id, key, text, date, latest date, order): an event's key is its date's
    precision, its text its sort key and its order its importance; an option's text the ids of its events.
    """
    no_text, no_date = Cast(Value(None), CharField()), Cast(Value(None), DateField())

    def part(queryset, kind, event, key, text=no_text, date=no_date, latest=no_date, order=None):
        order = Value(0) if order is None else order
        return (
            queryset.order_by()
            .annotate(i_kind=Value(kind, output_field=CharField()), i_event=F(event), i_key=Cast(key, CharField()))
            .annotate(i_text=text, i_date=date, i_latest=latest, i_order=Cast(order, IntegerField()))
            .values_list("i_kind", "i_event", "i_key", "i_text", "i_date", "i_latest", "i_order")
        )

    def option(queryset, kind, event, key):
        return (
            queryset.order_by()
            .values(i_key=Cast(key, CharField()))
            .annotate(i_text=IdList(event))
            .annotate(i_kind=Value(kind, output_field=CharField()), i_event=Value(0), i_order=Value(0))
            .annotate(i_date=no_date, i_latest=no_date)
            .values_list("i_kind", "i_event", "i_key", "i_text", "i_date", "i_latest", "i_order")
        )

    parts = [
        part(Event.objects.all(), "event", "id", "date_precision", *(F(name) for name in EVENT_FIELDS)),
        *(option(Event.objects.exclude(**{d.event_path: None}), d.name, "id", d.event_path) for d in DIMENSIONS),
        *term_parts(part),
        *search_parts(part),
    ]
    return parts[0].union(*parts[1:], all=True)


def bitset(positions, size):
    """One integer with these bit positions set; size is the bitset's length in bytes."""
    bits = bytearray(size)
    for pos in positions:
        bits[pos >> 3] |= 1 << (pos & 7)
    return int.from_bytes(bits, "little")


def build():
    """The index of the data as it now is, from one query read in chunks into arrays: at 100,000
    events, holding every row at once and a tuple per event left a building worker with about
    30 MB more memory than this, which it kept."""
    sort_keys, pks, dates, latest, placed, options, terms = [], array("q"), array("l"), array("l"), array("l"), [], []
    searching, importance = {}, array("h")
    imprecise = set()
    for kind, pk, key, text, date, last, order in rows().iterator(chunk_size=2000):
        if kind == "event":
            sort_keys.append(text or LAST)
            pks.append(pk)
            dates.append(date.toordinal() if date else 0)
            latest.append(last.toordinal() if last else 0)
            placed.append(placement_key(date, key) if date else 0)
            if key in IMPRECISE:
                imprecise.add(pk)
            importance.append(order)
        elif kind.startswith("term:"):
            terms.append((kind[5:], pk, key, text, date, last, order))
        elif kind.startswith("search:"):
            searching.setdefault(kind[7:], []).append((pk, key, text, order))
        else:
            options.append((kind, key, text))
    order = sorted(range(len(pks)), key=lambda i: (sort_keys[i], pks[i]))
    index = EventIndex(
        ids=array("q", (pks[i] for i in order)),
        sort_keys=[None if sort_keys[i] == LAST else sort_keys[i] for i in order],
        dates=array("l", (dates[i] for i in order)),
        latest=array("l", (latest[i] for i in order)),
        placed=array("l", (placed[i] for i in order)),
    )
    importance = array("h", (importance[i] for i in order))  # for the words' ranking alone
    sort_keys = pks = dates = latest = placed = None  # the arrays in reading order replace them
    size = (len(order) + 7) // 8
    starting, overlapping = {}, {}
    for pos, (day, last) in enumerate(zip(index.dates, index.latest, strict=True)):
        if day:
            first = month_of(datetime.date.fromordinal(day))
            starting.setdefault(first, []).append(pos)
            for month in range(first, month_of(datetime.date.fromordinal(last)) + 1):
                overlapping.setdefault(month, []).append(pos)
    index.starting = {month: bitset(found, size) for month, found in starting.items()}
    index.overlapping = {month: bitset(found, size) for month, found in overlapping.items()}
    for kind, key, ids in options:
        found = index.positions_of(map(int, ids.split(",")))
        index.options.setdefault(kind, {})[key] = bitset(found, size)
    index.everything = (1 << len(order)) - 1
    index.dated = 0
    for bits in index.starting.values():
        index.dated |= bits
    index.undated = index.everything & ~index.dated
    index.imprecise = index.positions(imprecise)
    eras = {int(key): bits.bit_count() for key, bits in index.options.get("era", {}).items()}
    index.vocab = vocabularies_from(terms, eras, searching)
    index.words = build_words(index, Event, importance)
    for made in ("_position_table", "_placement_order"):  # made again where needed; not stored with the index
        index.__dict__.pop(made, None)
    return index


def event_index(version):
    """The index of this data version: from this process, else the shared cache, else built.

    A cache of this process alone (no Redis: local.py) is not asked to keep it: this process holds
    it already, and its pickle took 40 MB more of each worker at 100,040 events."""
    if _shared["version"] == version:
        return _shared["index"]
    with _lock:
        if _shared["version"] != version:
            if isinstance(caches["default"], LocMemCache):
                _shared["index"] = built()
            else:
                _shared["index"] = cached(cache_key(version, "event-index"), built, None)
            _shared["version"] = version
    return _shared["index"]


def built():
    index = build()
    release_heap()
    return index


def release_heap():
    """Hand the heap freed since back to the system: glibc keeps it for the process. After a build, 52 MB
    of a worker at 100,040 events (SQLite); after a worker's start-up (worker.py), 25 MB more."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def warm():
    """Build the index of the data as it now is, or load it from the shared cache: called after a
    write (an admin save, a reload, the generator) and when a gunicorn worker starts, so that the
    writer or the start-up pays for the build, not the next reader."""
    return event_index(DataVersion.current()[0])
