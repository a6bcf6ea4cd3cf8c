"""The query state of an event listing: parsed once from the request, and asked for everything else.

Every view, export, cache key, ETag and link of a listing derives from ``EventQuery``:
its canonical form is the same for any order of the parameters, repeated identical values
and empty values, so two addresses that mean one state share one cache entry and show the
same thing, and two states never share one.
"""

import functools
from itertools import islice
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict

from timeline.cache.versions import cache_key, cached, digest
from timeline.listing import search
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.explain import alias_notes, corpus_words, corrections, shown_in
from timeline.listing.facets import active_filters, facet_groups
from timeline.listing.filters import EventFilter, shorten
from timeline.listing.index import event_index
from timeline.listing.paging import MAX_OFFSET, PAGE_SIZE
from timeline.models import Event

LISTING_SECONDS = 3600
PARAMETERS = tuple(EventFilter.base_filters)
# Dates people type (and whether undated events join a range): one that cannot be used is left out
# of the list shown beside its message.
TYPED_DATES = frozenset({"from", "to", "view", "undated"})


def request_parameters(request):
    """The request's parameters and a problem, if any: past Django's limit on their number, none are read.

    Django raises TooManyFieldsSent, a generic 400 page without a word on the cause (and HTML
    even for JSON), at the first read of request.GET.
    """
    try:
        return request.GET, []
    except TooManyFieldsSent:
        request.GET = QueryDict()
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return request.GET, [f"too many parameters: the address may hold at most {limit:,}, none were read."]


def given_pairs(params):
    """Every (name, value) given, values trimmed, empty ones dropped, once each and sorted.

    Order, repetition, whitespace and empty values never tell two states apart: a listing's
    canonical state and every public URL's ETag (http.py) are both built from these pairs.
    """
    return sorted({(name, value.strip()) for name, values in params.lists() for value in values if value.strip()})


def canonical_parameters(params):
    """(canonical pairs, problems): known names in declared order, with their given pairs' values.

    A one-valued parameter given two different values is a problem rather than a silent
    choice of one.
    """
    given = given_pairs(params)
    problems = [
        f"{shorten(name)}: unknown parameter (known: {', '.join(PARAMETERS)})."
        for name in params
        if name not in PARAMETERS
    ]
    pairs = []
    for name in PARAMETERS:
        values = [value for given_name, value in given if given_name == name]
        if len(values) > 1 and not EventFilter.many_valued(name):
            shown = ", ".join(f"“{shorten(value)}”" for value in values[:3])
            problems.append(f"{name}: give one value, not {len(values)} ({shown}).")
        pairs += [(name, value) for value in values]
    return pairs, problems


class EventQuery:
    """The filter, order and position of one listing request."""

    def __init__(self, params, version, problems=()):
        self.version = version
        self.index = event_index(version)
        self.vocab = self.index.vocab
        self._bits, self._date_bits, self._search_bits = {}, None, None
        self.pairs, found = canonical_parameters(params)
        self.problems = [*problems, *found]
        self._only_fields_wrong = not self.problems
        data = QueryDict(mutable=True)
        for name, value in self.pairs:
            data.appendlist(name, value)
        self.filterset = EventFilter(data, queryset=Event.objects.all(), vocab=self.vocab)
        if not self.filterset.is_valid():
            self.problems += self.filterset.error_messages()
        self.cleaned = self.filterset.form.cleaned_data if not self.problems else {}

    @classmethod
    def from_request(cls, request, version):
        params, problems = request_parameters(request)
        return cls(params, version, problems)

    def readable_part(self):
        """This state, or, when its only problems are dates that could not be read, the state without
        them (the list a reader keeps while correcting a date); None when anything else is wrong."""
        if not self.problems:
            return self
        unread = set(self.filterset.form.errors)
        if not self._only_fields_wrong or not unread or not unread <= TYPED_DATES:
            return None
        data = QueryDict(mutable=True)
        for name, value in self.pairs:
            if name not in unread:
                data.appendlist(name, value)
        return EventQuery(data, self.version)

    # The state and its links ------------------------------------------------------

    @property
    def canonical(self):
        """The state as a query string: the one form that keys caches and builds links."""
        return urlencode(self.pairs)

    @property
    def key(self):
        return digest(self.canonical)

    def link(self, **changes):
        """This state's query string with some parameters changed ("?…", or "" for none).

        A value of None removes the parameter; a list sets several. ``link(after=None)``
        is the listing from its start; ``link(**{"from": None, "to": None})`` drops dates.
        """
        pairs = [(name, value) for name, value in self.pairs if name not in changes]
        for name, value in changes.items():
            values = value if isinstance(value, list | tuple) else [] if value is None else [value]
            pairs += [(name, v) for v in values]
        pairs.sort(key=lambda pair: PARAMETERS.index(pair[0]))
        return f"?{urlencode(pairs)}" if pairs else ""

    @functools.cached_property
    def window_link(self):
        """``link(view=window, after=None)`` as a function of the window: one per bar and tick, so
        the parameters that stay the same are encoded once."""
        fixed = [(name, value) for name, value in self.pairs if name not in ("view", "after")]
        place = PARAMETERS.index("view")
        head = urlencode([pair for pair in fixed if PARAMETERS.index(pair[0]) < place])
        tail = urlencode([pair for pair in fixed if PARAMETERS.index(pair[0]) > place])

        def link(window):
            return "?" + "&".join(part for part in (head, urlencode([("view", window)]), tail) if part)

        return link

    @property
    def after(self):
        return self.cleaned.get("after")

    @property
    def by_relevance(self):
        """Best matches first whenever there is a search, unless time order is asked for."""
        return bool(self.cleaned.get("q")) and self.cleaned.get("order") != "time"

    @functools.cached_property
    def groups(self):
        """What the search asks for (listing/search.py), with the curators' synonyms."""
        return search.parse(self.cleaned.get("q"), self.vocab.synonyms)

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

    def cache_key(self, *what):
        return cache_key(self.version, *what, self.key)

    # What the state selects ----------------------------------------------------------

    def matching(self):
        """Every matching event, in the order asked for: reading order, or best matches first."""
        queryset = self.filterset.qs
        if self.by_relevance:
            return queryset.by_relevance(self.cleaned["q"], synonyms=self.vocab.synonyms)
        return queryset.chronological()

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

    def window_bits(self, start, end):
        """The matching events whose span overlaps [start, end]: what the timeline shows."""
        return self.bits() & self.index.between(start, end)

    def search_bits(self):
        """The events the search matches, as a bitset: from the database's full-text search (unranked,
        unsorted), cached, and worked out once per state (every facet's count asks for it)."""
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
        over; and, if that was too few, every match."""
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
        """(events, cursor of the next page or None): best matches first, or reading order, from the index."""
        bits = self.bits()
        if self.by_relevance:
            start = self.after.offset if self.after is not None else 0
            chosen = self.best(start, size + 1)
            pks = chosen[:size]
            next_cursor = f"r{start + size}" if len(chosen) > size and start + size <= MAX_OFFSET else None
        else:
            if self.after is not None:
                bits &= self.index.after(*self.after)
            positions = self.index.first(bits, size + 1)
            pks = [self.index.ids[pos] for pos in positions[:size]]
            next_cursor = self.index.cursor(positions[size - 1]) if len(positions) > size else None
        by_id = Event.objects.select_related("era").in_bulk(pks)
        return [by_id[pk] for pk in pks if pk in by_id], next_cursor

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
        vocabulary = {*corpus_words(Event, self.version)}
        for pair in self.vocab.synonyms:
            vocabulary.update(word.lower() for side in pair for word in side.split())
        found = corrections(text, sorted(vocabulary))
        return found if any(better for _, better in found) else None

    def facets(self):
        """Every filter's options with counts: for a malformed state, those of the whole corpus, with the
        values it could read still ticked (a form submitted again keeps them)."""
        if self.problems:
            counts, _ = EventQuery(QueryDict(), self.version).counts()
            return facet_groups(counts, self.filterset.form.cleaned_data, self.vocab)
        counts, _ = self.counts()
        return facet_groups(counts, self.cleaned, self.vocab)

    def for_export(self):
        """A problem for a position in an export, which holds every matching event."""
        if self.after is not None:
            self.problems.append("after: exports hold every matching event; leave out “after”.")
        return self
