"""The SQL definition of a listing state: the oracle the event index is checked against.

Production selects the events of every listing and export through the event index
(timeline/listing/index.py and query.py); the database only matches and ranks text and fetches
rows by id. Here the same meaning is written a second way, as querysets, from the same registry
(timeline/listing/dimensions.py): tests/test_index.py checks, state by state, that both agree.
"""

import math
from collections import defaultdict

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from timeline.corpus.dates import DatePrecision
from timeline.listing import search
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.index import LAST
from timeline.listing.search import BODY_WEIGHT, SUMMARY_WEIGHT, TITLE_WEIGHT, TITLED
from timeline.listing.words import K1, B
from timeline.models import Event, stored_synonyms


def with_keys(events, dimension, keys):
    """The events holding any of these keys of a dimension (term ids, or fixed choices)."""
    return events.filter(pk__in=Event.objects.filter(**{f"{dimension.event_path}__in": keys}).values("pk"))


def between(events, start=None, end=None, undated=False):
    """Events whose span overlaps [start, end]; undated events only when asked for."""
    conditions = []
    if start is not None:
        conditions.append(Q(latest_date__gte=start))
    if end is not None:
        conditions.append(Q(date__lte=end))
    if undated:
        conditions = [condition | Q(date__isnull=True) for condition in conditions]
    return events.filter(*conditions)


def involving(events, actors):
    """The events any of these actors (ids or a queryset) take part in."""
    return events.filter(pk__in=Event.objects.filter(participations__actor__in=actors).values("pk"))


def sql_events(query, excluded=()):
    """The events a well-formed state (an EventQuery) selects, in SQL: every filter but the
    excluded ones (a dimension's name, or "dates" for the date range)."""
    cleaned, events = query.cleaned, Event.objects.all()
    if cleaned.get("q"):
        events = events.search(cleaned["q"])
    for dimension in DIMENSIONS:
        chosen = cleaned.get(dimension.name)
        if chosen and dimension.name not in excluded:
            terms = query.vocab.by_slug(dimension.name)
            events = with_keys(events, dimension, [terms[slug].id for slug in chosen])
    start, end = cleaned.get("from"), cleaned.get("to")
    if (start or end) and "dates" not in excluded:
        events = between(events, start and start.start, end and end.end, bool(cleaned.get("undated")))
    return events


def known_between(start=None, end=None):
    """Of the events a date range keeps, those known to fall in it: dated to the day, or known only to a
    month or a year that lies wholly inside the range (EventIndex.known_between)."""
    inside = Q(date__isnull=False)
    if start is not None:
        inside &= Q(date__gte=start)
    if end is not None:
        inside &= Q(latest_date__lte=end)
    return Q(date_precision=DatePrecision.DAY) | inside


def sql_ordered(query):
    """Every event the state selects, in the order it asks for: best matches first, or reading order,
    for a date range the events known to fall in it before the rest (query.parts)."""
    events = sql_events(query)
    if query.by_relevance:
        return ranked(events, query.cleaned["q"])
    if query.lists_apart:
        apart = Case(When(known_between(*query.date_range()), then=Value(0)), default=Value(1))
        return events.order_by(apart, F("sort_key").asc(nulls_last=True), "id")
    return events.chronological()


def ranked(events, text):
    """These events, best matches of the search first: on PostgreSQL a search of words as bm25_ranked
    ranks it, else as the database ranks it (search.ordered: SQLite's bm25, RUM's distance for a phrase)."""
    groups = search.parse(text, stored_synonyms())
    if connection.vendor != "postgresql" or any(len(words) != 1 for group in groups for words in group.terms):
        return events.by_relevance(text)
    order = bm25_ranked(text, among=set(events.values_list("pk", flat=True)))
    place = RawSQL("array_position(%s::bigint[], timeline_event.id)", (order,))
    return Event.objects.filter(pk__in=order).order_by(place)


def bm25_ranked(text, among=None):
    """The ids of every match of a search of words (among these ids), best first, as PostgreSQL ranks
    it from the event index's words (timeline/listing/words.py): bm25, recomputed event by event
    from the search vectors as PostgreSQL unnests them, each word stemmed by to_tsvector."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event.id, words.lexeme, words.weights FROM timeline_event AS event "
            "CROSS JOIN LATERAL unnest(event.search_vector) AS words"
        )
        held = defaultdict(dict)  # {event: {lexeme: (title, summary, every)}}
        lengths = defaultdict(int)
        for pk, lexeme, weights in cursor.fetchall():
            held[pk][lexeme] = (weights.count("A"), weights.count("B"), len(weights))
            lengths[pk] += len(weights)
        events = {pk: (imp, key) for pk, imp, key in Event.objects.values_list("pk", "importance", "sort_key")}
        groups = []
        for group in search.parse(text, stored_synonyms()):
            stems = []
            for (word,) in group.terms:
                cursor.execute("SELECT lexeme FROM unnest(to_tsvector('english', %s))", [word])
                stems += [row[0] for row in cursor.fetchall()]
            if stems:
                groups.append(stems)
    size = len(events)
    average = sum(lengths[pk] for pk in events) / size
    scores = {pk: 0.0 for pk in events}
    matched, titled = set(events), set(events)
    for stems in groups:
        best, in_title = defaultdict(float), set()
        for stem in stems:
            weighted, title = {}, set()
            for pk in events:
                parts = [counts for lexeme, counts in held[pk].items() if lexeme.startswith(stem)]
                if parts:
                    weighted[pk] = sum(
                        TITLE_WEIGHT * a + SUMMARY_WEIGHT * b + BODY_WEIGHT * (n - a - b) for a, b, n in parts
                    )
                    if any(a for a, _, _ in parts):
                        title.add(pk)
            idf = math.log((size - len(weighted) + 0.5) / (len(weighted) + 0.5))
            idf = idf if idf > 0 else 1e-6
            for pk, f in weighted.items():
                norm = K1 * (1 - B + B * lengths[pk] / average)
                best[pk] = max(best[pk], idf * (f * (K1 + 1)) / (f + norm))
            in_title |= title
        matched &= set(best)
        for pk, score in best.items():
            scores[pk] += score
        titled &= in_title
    if not groups:
        matched = set()
    for pk in matched & titled:
        scores[pk] += TITLED
    kept = matched if among is None else matched & among
    return sorted(kept, key=lambda pk: (-scores[pk], -events[pk][0], events[pk][1] or LAST, pk))


def in_date_order(events, latest_first=False):
    """The dated events where a calendar or a feed places them (dates.placed_on), in SQL: by year, then
    month (13 for a year's), then day (32 for a month's or a year's), then reading order."""
    keys = [
        ExtractYear("date"),
        Case(When(date_precision=DatePrecision.YEAR, then=Value(13)), default=ExtractMonth("date")),
        Case(When(date_precision=DatePrecision.DAY, then=ExtractDay("date")), default=Value(32)),
        F("sort_key"),
        F("id"),
    ]
    return events.filter(date__isnull=False).order_by(*(key.desc() if latest_first else key.asc() for key in keys))


def cursor_of(event, apart=False):
    """The position after this event, as the "Show more" link writes it ("a" among those listed apart)."""
    return f"{'a' if apart else ''}{event.sort_key or ''}~{event.pk}"
