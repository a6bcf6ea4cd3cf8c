"""What a listing's state selects: its events, page, counts, facets and timeline, from the event index.

``EventQuery`` is a ListingState (state.py: the canonical parameters, their links and key; pure)
read against one data version: its vocabularies check the slugs, and its event index (index.py)
answers which events match, in what order and how many of each. The database is asked only for
what the index cannot know: full-text matches and their rank (search.py), and the rows of the
chosen ids. The data version is passed in; nothing is read off the request.
"""

import functools
from itertools import chain, islice

from django.http import QueryDict

from timeline.cache.versions import cache_key, cached, digest
from timeline.listing import search, spelling
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.explain import alias_notes, shown_in
from timeline.listing.facets import active_filters, facet_groups
from timeline.listing.index import event_index
from timeline.listing.paging import MAX_OFFSET, PAGE_SIZE
from timeline.listing.parameters import DATE_PARAMETERS, ListingForm
from timeline.listing.state import ListingState, request_parameters
from timeline.models import Event, term_keys

LISTING_SECONDS = 3600


class EventQuery(ListingState):
    """One listing state, parsed against the data version `version`, and what it selects."""

    def __init__(self, params, version, problems=(), paged=True):
        super().__init__(params, problems, paged)
        self.version, self.paged = version, paged
        self.index = event_index(version)
        self.vocab = self.index.vocab
        self._bits, self._date_bits, self._search_bits, self._known_bits = {}, None, None, None
        self._only_fields_wrong = not self.problems
        self.form = ListingForm(self.without(() if paged else ("after",)), vocab=self.vocab)
        if not self.form.is_valid():
            self.problems += self.form.error_messages()
        self.cleaned = self.form.cleaned_data if not self.problems else {}

    @classmethod
    def from_request(cls, request, version, paged=True):
        params, problems = request_parameters(request)
        return cls(params, version, problems, paged)

    def readable_part(self):
        """This state, or, when its only problems are dates that could not be read, the state without
        them (the list a reader keeps while correcting a date); None when anything else is wrong."""
        if not self.problems:
            return self
        unread = set(self.form.errors)
        if not self._only_fields_wrong or not unread or not unread <= DATE_PARAMETERS:
            return None
        return EventQuery(self.without(unread), self.version, paged=self.paged)

    def cache_key(self, *what):
        return cache_key(self.version, *what, self.key)

    @property
    def after(self):
        return self.cleaned.get("after")

    @property
    def by_relevance(self):
        """Best matches first whenever there is a search, unless time order is asked for."""
        return bool(self.cleaned.get("q")) and self.cleaned.get("order") != "time"

    @property
    def lists_apart(self):
        """A date range in time order lists the events known to fall in it first, then, apart, those known
        only to a month or a year that only could (EventIndex.known_between)."""
        return self.date_range() != (None, None) and not self.by_relevance

    def date_range(self):
        """(first day, last day) of the date range, each None when not given."""
        start, end = self.cleaned.get("from"), self.cleaned.get("to")
        return start and start.start, end and end.end

    @functools.cached_property
    def groups(self):
        """What the search asks for (listing/search.py), with the curators' synonyms."""
        return search.parse(self.cleaned.get("q"), self.vocab.synonyms)

    @functools.cached_property
    def compiled_search(self):
        """The search answered from the event index's words (words.py), or None: the database answers it
        (a phrase, whose words must follow one another)."""
        words = self.index.words
        return words.compile(self.groups) if words is not None and self.groups else None

    @property
    def words(self):
        """Every term of the search (a word, a phrase, a synonym), for marking."""
        return search.terms(self.groups)

    def alias_notes(self, events):
        """{event id: [AliasNote]}: the other names of the event's actors that a term of the search matched,
        each a garbled spelling or one the event's shown text (`event.html`) does not hold."""
        notes = alias_notes(self.words, self.vocab.aliases)
        if not notes:
            return {}
        actors = self.index.options.get("actor", {})
        found = {}
        for event in events:
            position = self.index.position(event.pk)
            found[event.pk] = [
                note
                for actor, note in notes.items()
                if position is not None
                and actors.get(str(actor), 0) >> position & 1
                and (note.garbled or not shown_in(getattr(event, "html", ""), note.alias))
            ]
        return found

    def active_filters(self):
        """[ActiveFilter] for each value the state filters by, with the link that takes it off (facets.py)."""
        return active_filters(self.cleaned, self.vocab, self.link)

    def removals(self):
        """[(what a filter asks, the link without it)] for each chosen value: what to change when nothing matches."""
        return [(active.removal, active.link) for active in self.active_filters()]

    def described(self):
        """The filters on, in words ("Actors: Justin Sun or Changpeng Zhao · Dates: from 2025"), or ""."""
        groups = {}
        for active in self.active_filters():
            groups.setdefault(active.group, []).append(active.label)
        return " · ".join(f"{group}: {' or '.join(labels)}" for group, labels in groups.items())

    # What the state selects ----------------------------------------------------------

    def ids(self, order=None, dated=False, limit=None):
        """The matching events' ids, at most `limit`: in the order the state asks for (best matches first,
        or the list's reading order: parts()), or in the list's reading order (`order="reading"`), or the
        dated ones where a calendar places them (`"placed"`, dates.placed_on) or latest first
        (`"placed-latest"`); `dated` leaves the undated ones out."""
        index = self.index
        bits = self.bits() & index.dated if dated else self.bits()
        if order is None and self.by_relevance and self.compiled_search is not None:
            best = self.compiled_search.best(bits, 0, bits.bit_count() if limit is None else limit)
            return [index.ids[pos] for pos in best]
        if order is None and self.by_relevance:
            ranked, _ = self.ranked_ids(max(self.search_bits().bit_count(), 1))
            return list(islice(index.among(ranked, bits), limit))
        if order in ("placed", "placed-latest"):
            positions = index.placed_in_order(bits, latest_first=order == "placed-latest")
        else:
            positions = chain.from_iterable(index.each(part) for part, _ in self.parts(bits))
        return [index.ids[pos] for pos in islice(positions, limit)]

    def bits(self, excluded=None):
        """The events matching every filter (but one, for its facet, or "dates"), as a bitset of the event index."""
        if excluded not in self._bits:
            index, chosen = self.index, self.cleaned
            bits = index.everything
            if chosen.get("q"):
                bits &= self.search_bits()
            if (chosen.get("from") or chosen.get("to")) and excluded != "dates":
                bits &= self.date_bits()
            for dimension in DIMENSIONS:
                name = dimension.name
                if chosen.get(name) and name != excluded:
                    terms = self.vocab.by_slug(name)
                    bits &= index.any_of(name, [str(terms[slug].id) for slug in chosen[name]])
            self._bits[excluded] = bits
        return self._bits[excluded]

    def date_bits(self):
        """The events the date range keeps (with the undated ones when asked): once per state, not per facet."""
        if self._date_bits is None:
            start, end = self.cleaned.get("from"), self.cleaned.get("to")
            span = self.index.between(start and start.start, end and end.end)
            self._date_bits = span | self.index.undated if self.cleaned.get("undated") else span
        return self._date_bits

    def parts(self, bits=None):
        """[(bitset, listed apart)] of the matching events (or of `bits`, some of them), in the order the list
        reads them: all of them, or for a date range in time order, those known to fall in it, then the
        rest (dated only to a month or year that runs past it; undated ones asked for)."""
        bits = self.bits() if bits is None else bits
        if not self.lists_apart:
            return [(bits, False)]
        if self._known_bits is None:
            self._known_bits = self.index.known_between(*self.date_range())
        return [(bits & self._known_bits, False), (bits & ~self._known_bits, True)]

    def apart_counts(self):
        """(events known to fall in the date range, dated events listed apart that only could), or None."""
        if not self.lists_apart:
            return None
        (known, _), (apart, _) = self.parts()
        return known.bit_count(), (apart & self.index.dated).bit_count()

    def window_bits(self, start, end):
        """The matching events whose span overlaps [start, end]: what the timeline shows."""
        return self.bits() & self.index.between(start, end)

    def search_bits(self):
        """The events the search matches, as a bitset: from the index's words, or the database's full-text
        search (unranked, unsorted, cached), worked out once per state (every facet's count asks for it)."""
        if self._search_bits is None and self.compiled_search is not None:
            self._search_bits = self.compiled_search.matches()
        if self._search_bits is None:
            self._search_bits = cached(
                cache_key(self.version, "search", self.search_key),
                lambda: self.index.positions(search.matching_ids(Event, self.groups)),
                LISTING_SECONDS,
            )
        return self._search_bits

    @property
    def search_key(self):
        return digest(repr(self.groups))

    def ranked_ids(self, limit):
        """(ids of the best `limit` matches of the search, best first; whether that is every match),
        from the database's ranking, cached."""
        return cached(
            cache_key(self.version, "ranked", self.search_key, limit),
            lambda: search.ranked(Event, self.groups, limit, self.index.position),
            LISTING_SECONDS,
        )

    def best(self, start, count):
        """The ids of the matches of every filter from `start`, best first, at most `count`.

        The database ranks only as many as the page needs: the first `start + count` when only the
        search selects, else that many over the share of the search's matches the filters keep, twice
        over; and, if that was too few, every match. A search the event index's words answer is ranked
        there, among the matches of every filter at once."""
        if self.compiled_search is not None:
            return [self.index.ids[pos] for pos in self.compiled_search.best(self.bits(), start, count)]
        bits, matches = self.bits(), self.search_bits().bit_count()
        need, kept = start + count, bits.bit_count()
        limit = need if kept == matches else min(matches, need * matches // max(kept, 1) * 2 + PAGE_SIZE)
        while True:
            ids, complete = self.ranked_ids(max(limit, 1))
            chosen = list(islice(self.index.among(ids, bits), start, need))
            if len(chosen) == count or complete or limit >= matches:
                return chosen
            limit = matches

    def page(self, size=PAGE_SIZE):
        """(events, cursor of the next page or None): best matches first, or reading order, from the index.

        Each event's ``apart`` says whether it is among those a date range lists apart (parts())."""
        apart = set()
        if self.by_relevance:
            start = self.after.offset if self.after is not None else 0
            chosen = self.best(start, size + 1)
            pks = chosen[:size]
            next_cursor = f"r{start + size}" if len(chosen) > size and start + size <= MAX_OFFSET else None
        else:
            parts = self.parts()
            if self.after is not None:
                parts = parts[1:] if self.after.apart else parts  # a position apart: the first part is read
                (bits, listed_apart), *rest = parts
                parts = [(bits & self.index.after(*self.after), listed_apart), *rest]
            chosen = []
            for bits, listed_apart in parts:
                chosen += [(pos, listed_apart) for pos in self.index.first(bits, size + 1 - len(chosen))]
            pks = [self.index.ids[pos] for pos, _ in chosen[:size]]
            apart = {self.index.ids[pos] for pos, listed_apart in chosen if listed_apart}
            if len(chosen) > size:
                pos, listed_apart = chosen[size - 1]
                next_cursor = ("a" if listed_apart else "") + self.index.cursor(pos)
            else:
                next_cursor = None
        events = list(in_order(Event.objects.select_related(*term_keys()), pks))
        for event in events:
            event.apart = event.pk in apart
        return events, next_cursor

    def counts(self):
        """({facet: {key: events matching every other filter and this option}}, events matching every filter)."""
        counts = {}
        for name, options in self.index.options.items():
            others = self.bits(excluded=name)
            counts[name] = {key: (others & bits).bit_count() for key, bits in options.items()}
        return counts, self.count()

    def count(self):
        return self.bits().bit_count()

    def undated(self):
        """(undated events among the matches, undated events the date range leaves out)."""
        undated, chosen = self.index.undated, self.cleaned
        left_out = 0
        if (chosen.get("from") or chosen.get("to")) and not chosen.get("undated"):
            left_out = (self.bits(excluded="dates") & undated).bit_count()
        return (self.bits() & undated).bit_count(), left_out

    def suggestion(self):
        """[(word as typed, its nearest corpus word or None)] for each word of the search, or None when
        every word is one the corpus (or a synonym) holds, or none has a near word."""
        text = self.cleaned.get("q")
        if not text:
            return None
        found = spelling.near_words(Event, self.version, self.vocab.synonyms).corrections(text)
        return found if any(better for _, better in found) else None

    def facets(self):
        """Every filter's options with counts: for a malformed state, those of the whole corpus, with the
        values it could read still ticked (a form submitted again keeps them)."""
        if self.problems:
            counts, _ = EventQuery(QueryDict(), self.version).counts()
            return facet_groups(counts, self.form.cleaned_data, self.vocab)
        counts, _ = self.counts()
        return facet_groups(counts, self.cleaned, self.vocab)


FETCH_CHUNK = 1000


def in_order(queryset, ids, chunk=FETCH_CHUNK):
    """The rows of these ids, in their order, fetched by primary key `chunk` at a time (with the
    queryset's prefetches per chunk): an export streams up to 100,000. Ids with no row (deleted
    since the index was built) are left out."""
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        by_id = {row.pk: row for row in queryset.filter(pk__in=part)}
        yield from (by_id[pk] for pk in part if pk in by_id)
