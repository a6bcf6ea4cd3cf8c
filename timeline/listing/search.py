"""Search: which events match, best matches first, why they matched, and what was probably meant.

SQLite searches an FTS5 table (``timeline_event_fts``, created by migration 0005 on SQLite
only) ranked by bm25; PostgreSQL the weighted ``search_vector`` column ranked by ts_rank.
Both weigh a word in the title above one in the summary, and both above one in a quote or
a name; words match as typed or as prefixes, so "Bin" finds Binance while typing.
``index`` keeps both in step with ``Event.search_text`` wherever it is rebuilt.
"""

import difflib
import functools
import operator
import re
from html import escape

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Collate, Length, Replace
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from ..caching import cache_key

FTS_TABLE = "timeline_event_fts"
MAX_WORDS = 12
SNIPPET_CHARS = 180
# bm25 column weights (title, summary, quotes and names); PostgreSQL's ts_rank uses labels A, B, C.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 3.0, 1.0
TITLE_SHARE = 2.0


def search_words(text):
    """The words of a search, at most twelve, for prefix matching and highlighting."""
    return re.findall(r"\w+", text or "")[:MAX_WORDS]


def fts_expression(words):
    """An FTS5 query in which every word must occur, as typed or as a prefix."""
    return " ".join(f'"{word}"*' for word in words)


def postgres_query(text, words):
    typed = SearchQuery(text, config="english", search_type="websearch")
    prefixes = SearchQuery(" & ".join(f"{word}:*" for word in words), config="english", search_type="raw")
    return typed | prefixes


def matching(queryset, text):
    """The events of `queryset` in which every word of `text` occurs."""
    words = search_words(text)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.filter(search_vector=postgres_query(text, words))
    rows = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (fts_expression(words),))
    return queryset.filter(pk__in=rows)


def ranked(queryset, text):
    """Best matches first (`relevance`, higher is better); ties in reading order.

    relevance = (text rank + 2 × the share of the title made of searched words) × (importance + 1) / 2
    """
    words = search_words(text)
    if not words:
        return queryset.chronological()
    if connection.vendor == "postgresql":
        relevance = SearchRank(F("search_vector"), postgres_query(text, words))
    else:
        # One full-text match for the whole query, looked up per event. "LIMIT -1" keeps SQLite from
        # flattening it into a match per event, which made ranking quadratic (7 s for 5,500 matches).
        relevance = RawSQL(
            f"SELECT ranks.score FROM (SELECT rowid AS id, "
            f"-bm25({FTS_TABLE}, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {BODY_WEIGHT}) AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT -1) AS ranks "
            f"WHERE ranks.id = {queryset.model._meta.db_table}.id",
            (fts_expression(words),),
            output_field=FloatField(),
        )
    return queryset.annotate(relevance=(relevance + TITLE_SHARE * title_share(words)) * importance_factor()).order_by(
        F("relevance").desc(nulls_last=True), reading_order_key().asc(nulls_last=True), "id"
    )


def title_share(words):
    """The share of the title's words that are searched words: 1/4 for "pardon" in "Trump pardons Changpeng Zhao".

    The text rank barely tells apart events that all mention a word; a title made of the
    searched words is about them.
    """
    hits = sum(
        (Case(When(title__icontains=word, then=Value(1.0)), default=Value(0.0)) for word in words),
        Value(0.0),
    )
    title_words = Length("title") - Length(Replace("title", Value(" "), Value(""))) + 1
    # Titles are counted only where a word is in them: 11 of the 55,553 matches of "binance" at
    # 100,000 events; counting every title's words took 28-54 ms of ranking them (two measurements, PostgreSQL).
    in_title = functools.reduce(operator.or_, (Q(title__icontains=word) for word in words))
    return Case(
        When(in_title, then=hits / Cast(title_words, FloatField())), default=Value(0.0), output_field=FloatField()
    )


def importance_factor():
    """Major events (importance 3) count twice as much as minor ones (1) for an equally good match.

    In floating point: PostgreSQL's numeric arithmetic cost 10% of ranking the broadest words.
    """
    return (Cast("importance", FloatField()) + Value(1.0, FloatField())) / Value(2.0, FloatField())


def reading_order_key():
    """sort_key compared code point by code point, as the event index sorts it: on PostgreSQL
    whatever the database's locale, and without its collation's cost (about 20 ms, a tenth,
    of ranking 55,553 matches)."""
    return Collate(F("sort_key"), "C") if connection.vendor == "postgresql" else F("sort_key")


def index(model, events):
    """Write the search index of these events (whose search_text is current) for this database."""
    if not events:
        return
    ids = [event.pk for event in events]
    if connection.vendor == "postgresql":
        model.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("title", config="english", weight="A")
            + SearchVector("summary", config="english", weight="B")
            + SearchVector("search_text", config="english", weight="C")
        )
    else:
        with connection.cursor() as cursor:
            for start in range(0, len(events), 500):
                batch = events[start : start + 500]
                marks = ", ".join("%s" for _ in batch)
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", [e.pk for e in batch])
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                    [(e.pk, e.title, e.summary, e.search_text) for e in batch],
                )


# Showing why an event matched --------------------------------------------------------


def word_pattern(words):
    """The pattern that finds the searched words (each as typed or as the start of a word), or None."""
    return compiled_word_pattern(tuple(words)) if words else None


@functools.lru_cache(maxsize=256)
def compiled_word_pattern(words):
    """Compiled once per set of words: a search marks them in up to fifty events, several texts each."""
    alternatives = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text, words):
    """The text, escaped, with each matched word (or word it begins) in <mark>."""
    pattern = word_pattern(words)
    if pattern is None:
        return conditional_escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece escaped above)


def snippet(quotes, words, width=SNIPPET_CHARS):
    """(the passage of the first quote that holds a matched word, cut near it, with "…" where cut) or None."""
    pattern = word_pattern(words)
    if pattern is None:
        return None
    for quote in quotes:
        match = pattern.search(quote)
        if not match:
            continue
        start = max(0, match.start() - width // 3)
        if start:
            start = quote.find(" ", start) + 1 or start
        end = min(len(quote), start + width)
        if end < len(quote):
            end = quote.rfind(" ", start, end) if quote.rfind(" ", start, end) > match.end() else end
        return ("…" if start else "") + quote[start:end].strip() + ("…" if end < len(quote) else "")
    return None


# Did you mean --------------------------------------------------------------------------


def corpus_words(model, version):
    """Every word of the events' search text (three letters or more, lower case), cached per data version."""
    key = cache_key(version, "words")
    words = cache.get(key)
    if words is None:
        words = set()
        for text in model.objects.values_list("search_text", flat=True).iterator(chunk_size=2000):
            words.update(word.lower() for word in re.findall(r"\w{3,}", text))
        words = sorted(words)
        cache.set(key, words, timeout=24 * 3600)
    return words


def did_you_mean(text, vocabulary):
    """The search with each word the corpus does not hold replaced by its closest corpus word, or None."""
    known = set(vocabulary)
    changed, result = False, []
    for word in search_words(text):
        lower = word.lower()
        if lower in known or any(w.startswith(lower) for w in vocabulary if w[:1] == lower[:1]):
            result.append(word)
            continue
        close = difflib.get_close_matches(lower, vocabulary, n=1, cutoff=0.75)
        if close:
            changed = True
        result.append(close[0] if close else word)
    return " ".join(result) if changed else None
