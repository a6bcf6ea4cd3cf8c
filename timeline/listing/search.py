"""Search: what a search asks for, which events match it, and the best of them first.

A search is a list of **groups**, every one of which an event must hold. A group is a word
("pardon"), a phrase typed with punctuation ("Binance.US", "$4.3") or in double quotes, or
words a curator's synonym joins to other words ("resigned" also finds "stepped down":
``Synonym`` records, either side finding the other; a synonym's word matches a searched word
that begins with it). Each way of writing a group is a **term**: the last word of a term
matches as typed or as the start of a word ("Bin" finds Binance while typing), and the words of
a phrase must follow one another.

SQLite's words are in an FTS5 table (``timeline_event_fts``, created by migration 0006 on SQLite
only, porter stemming), PostgreSQL's in the weighted ``search_vector`` column (title A, summary
B, quotes, names and aliases C) and, without positions, in ``EventWords`` (migration 0014). A
search of words is matched and ranked in memory from their postings (words.py); this module
answers the rest: a phrase (its words must follow one another), from the FTS table or from the
vector, which a RUM index (migration 0013) serves in rank order.

**Ranking**: the text rank first, then, among equally good matches, the more important event,
then reading order. The text rank is bm25, weighing a word in the title 10, in the summary 3,
elsewhere 1; an event whose title holds every group first; a group that synonyms join counted
once, by its best term: FTS5's own on SQLite (``sqlite_scores``), computed the same way from
memory for a search of words (words.py). A phrase on PostgreSQL: RUM's distance (`<=>`, labels
A 1.0, B 0.4, C 0.2), which the index returns in order. A page asks the database for only as many
ranked matches as it shows (``ranked``, a LIMIT): it never sorts every match to find the best
fifty. ``index`` keeps the FTS table, the vector and the words in step with ``Event.search_text``
wherever it is rebuilt.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, FloatField, Func
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

FTS_TABLE = "timeline_event_fts"
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"  # as migration 0006 created the table
MAX_WORDS = 12
MAX_TERMS = 6  # ways of writing one group: what was typed and at most five synonyms
TIES_READ = 16  # PostgreSQL: the page's matches times this, read at a time from the RUM scan, for the equally close
# bm25 column weights (title, summary, quotes and names); PostgreSQL's labels A, B, C.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 3.0, 1.0
WORD = re.compile(r"[^\W_]+")  # FTS5's and PostgreSQL's parsers both split words at "_"
TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Group:
    """One thing a search asks for: as typed, and each way of writing it (tuples of words), typed first."""

    typed: str
    terms: tuple

    @property
    def synonyms(self):
        return self.terms[1:]


def search_words(text):
    """The words of a search, at most twelve."""
    return WORD.findall(text or "")[:MAX_WORDS]


def parse(text, synonyms=()):
    """The groups of a search: words, phrases (typed with punctuation or in quotes) and synonyms.

    `synonyms` are (words, means) pairs, as the event index holds them (index.py).
    """
    groups, count = [], 0
    for quoted, bare in TOKEN.findall(text or ""):
        words = tuple(WORD.findall(quoted or bare))[: MAX_WORDS - count]
        if not words:
            continue
        count += len(words)
        typed = quoted.strip() if quoted else bare.strip("\"'“”‘’,;:!?()[]{}")
        groups.append(Group(typed or " ".join(words), (words,)))
        if count >= MAX_WORDS:
            break
    return tuple(expanded(groups, synonyms))


def expanded(groups, synonyms):
    """The groups, with each run of single words that one side of a synonym matches made one group
    holding the other side too; the longest run wins."""
    sides = []
    for words, means in synonyms:
        one, other = tuple(words.casefold().split()), tuple(means.casefold().split())
        sides += [(one, other), (other, one)]
    position = 0
    while position < len(groups):
        found = {}
        for side, other in sides:
            run = groups[position : position + len(side)]
            if len(run) == len(side) and all(
                len(group.terms) == 1 and len(group.terms[0]) == 1 and group.terms[0][0].casefold().startswith(word)
                for group, word in zip(run, side, strict=True)
            ):
                found.setdefault(len(side), []).append(other)
        if not found:
            yield groups[position]
            position += 1
            continue
        size = max(found)
        run = groups[position : position + size]
        typed = tuple(word for group in run for word in group.terms[0])
        others = [other for other in dict.fromkeys(found[size]) if other != tuple(w.casefold() for w in typed)]
        yield Group(" ".join(group.typed for group in run), (typed, *others)[:MAX_TERMS])
        position += size


def terms(groups):
    """Every way of writing every group, as text ("Binance US", "step down"): what a result marks.
    What was typed comes first, then the synonyms: a result's passage is one with a typed word if it can be."""
    typed = [" ".join(group.terms[0]) for group in groups]
    return tuple(dict.fromkeys([*typed, *(" ".join(words) for group in groups for words in group.synonyms)]))


# Matching ------------------------------------------------------------------------------


def fts_expression(groups):
    """An FTS5 query: every group, each as any of its terms; a term's words in a row, the last as a prefix."""
    return " AND ".join(
        "(" + " OR ".join('"' + " ".join(words) + '"*' for words in group.terms) + ")" for group in groups
    )


def postgres_term(words, typed=None):
    """A term as a tsquery: its words in a row, the last as typed or as a prefix; a token typed with
    punctuation also as PostgreSQL's parser reads it ("Binance.US" is one word to it)."""
    if len(words) == 1:
        found = SearchQuery(words[0], config="english", search_type="websearch")
        return found | SearchQuery(f"{words[0]}:*", config="english", search_type="raw")
    found = SearchQuery(" <-> ".join([*words[:-1], f"{words[-1]}:*"]), config="english", search_type="raw")
    return found | SearchQuery(typed, config="english", search_type="websearch") if typed else found


def postgres_query(groups):
    """The search as a tsquery: every group, each as any of its terms."""
    query = None
    for group in groups:
        alternatives = None
        for number, words in enumerate(group.terms):
            typed = group.typed if number == 0 and WORD.fullmatch(group.typed) is None else None
            term = postgres_term(words, typed)
            alternatives = term if alternatives is None else alternatives | term
        query = alternatives if query is None else query & alternatives
    return query


def matching_ids(model, groups):
    """The ids of the events that hold every group of the search, unordered: on PostgreSQL read from the
    narrow EventWords table (lexemes without positions) unless a phrase needs the positions; on SQLite
    the FTS table's own rowids (joined with the events, the same 5,007 ids of "trump" took 5.3 ms, not
    1.7: a deleted event's row goes with it, forget_deleted)."""
    if connection.vendor == "postgresql" and groups and all(len(words) == 1 for g in groups for words in g.terms):
        words = apps.get_model("timeline", "EventWords")
        return words.objects.filter(words=postgres_query(groups)).values_list("event_id", flat=True)
    if connection.vendor == "sqlite" and groups:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_expression(groups)])
            return [row[0] for row in cursor.fetchall()]
    return matching(model.objects.order_by(), groups).values_list("id", flat=True)


def matching(queryset, groups):
    """The events of `queryset` that hold every group of the search, unordered."""
    if not groups:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.filter(search_vector=postgres_query(groups))
    rows = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (fts_expression(groups),))
    return queryset.filter(pk__in=rows)


class Distance(Func):
    """RUM's `<=>`: how far an event's search vector is from the query (smaller is better), which
    its index returns in order."""

    arg_joiner = " <=> "
    template = "(%(expressions)s)"
    output_field = FloatField()


TITLED = 1_000_000.0  # taken off the score of an event whose title holds every group: it comes first


def sqlite_scores(groups):
    """(SQL, params) of rows (rowid, score) for the matches on SQLite; a smaller score is better.

    The score is bm25's, less TITLED when the event's title holds every group. bm25 is a sum
    over the groups; a group that synonyms join counts once, by its best-matching term (bm25 of
    a query holding both "denial" and "reject" adds both)."""
    weights = f"{TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {BODY_WEIGHT}"
    titled = f"(CASE WHEN rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) THEN {TITLED} ELSE 0 END)"
    in_title = f"{{title}} : ({fts_expression(groups)})"
    if all(len(group.terms) == 1 for group in groups):
        sql = (
            f"SELECT rowid, bm25({FTS_TABLE}, {weights}) - {titled} AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        )
        return sql, [in_title, fts_expression(groups)]
    parts, params = [], []
    for number, group in enumerate(groups):
        for words in group.terms:
            parts.append(
                f"SELECT rowid, {number} AS part, bm25({FTS_TABLE}, {weights}) AS score "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            )
            params.append(fts_expression([Group(group.typed, (words,))]))
    sql = (
        f"SELECT rowid, SUM(best) - {titled} AS score FROM (SELECT rowid, part, MIN(score) AS best FROM "
        f"({' UNION ALL '.join(parts)}) GROUP BY rowid, part) GROUP BY rowid HAVING COUNT(*) = {len(groups)}"
    )
    return sql, [in_title, *params]


def ordered(queryset, groups):
    """The matches of `queryset`, best first (see the module's ranking), each with its `distance`
    from the search (smaller is better). For a page, ``ranked`` asks only for the best few."""
    if connection.vendor == "postgresql":
        distance = Distance(F("search_vector"), postgres_query(groups))
        order = Collate("sort_key", "C")
    else:
        # One full-text match for the whole query, looked up per event. "LIMIT -1" keeps SQLite from
        # flattening it into a match per event, which made ranking quadratic (7 s for 5,500 matches).
        scores, params = sqlite_scores(groups)
        distance = RawSQL(
            f"SELECT ranks.score FROM ({scores} LIMIT -1) AS ranks "
            f"WHERE ranks.rowid = {queryset.model._meta.db_table}.id",
            params,
            output_field=FloatField(),
        )
        order = F("sort_key")
    return queryset.annotate(distance=distance).order_by(
        F("distance").asc(nulls_last=True), F("importance").desc(), order.asc(nulls_last=True), "id"
    )


def ranked(model, groups, limit, position=None):
    """(ids of the best `limit` matches, best first; whether they are every match).

    Asked of the database's own ranking with a LIMIT. SQLite: FTS5's bm25 order. PostgreSQL: the
    RUM index's order by distance (`<=>`), read up to the end of the group of equally close
    matches the limit falls in, which is then ordered by importance and reading order
    (`position`: an id's place in reading order). It ranks by the words as typed or as prefixes,
    as it matches them: by whole words alone (one posting list a word for RUM to read, not every
    word a prefix begins) "Zhao pleads guilty" came after every other match of "guilty plea",
    the stemmer keeping "plea" and "plead" apart."""
    if not groups:
        return [], True
    if connection.vendor == "postgresql":
        return postgres_ranked(model, groups, limit, position or (lambda pk: pk))
    table = model._meta.db_table
    scores, params = sqlite_scores(groups)
    sql = (
        f"SELECT {table}.id FROM ({scores}) AS ranks JOIN {table} ON {table}.id = ranks.rowid "
        f"ORDER BY ranks.score, {table}.importance DESC, {table}.sort_key IS NULL, {table}.sort_key, {table}.id "
        "LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    return ids, len(ids) < limit


def postgres_ranked(model, groups, limit, position):
    """One RUM scan, read through a cursor to the end of the tie the limit falls in."""
    query = postgres_query(groups)
    rows = model.objects.filter(search_vector=query).annotate(distance=Distance(F("search_vector"), query))
    found, complete = [], True
    for row in rows.order_by("distance").values_list("id", "distance", "importance").iterator(limit * TIES_READ):
        if len(found) >= limit and row[1] > found[limit - 1][1]:
            complete = False
            break
        found.append(row)
    last = float("inf")
    found.sort(key=lambda row: (row[1], -row[2], last if (place := position(row[0])) is None else place))
    return [row[0] for row in found[:limit]], complete


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
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {apps.get_model('timeline', 'EventWords')._meta.db_table} (event_id, words) "
                f"SELECT id, strip(search_vector) FROM {model._meta.db_table} WHERE id = ANY(%s) "
                "ON CONFLICT (event_id) DO UPDATE SET words = EXCLUDED.words",
                [ids],
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


def forget_deleted(model, ids):
    """Drop the indexed words of those of these events that no longer exist: a deleted event's
    citations and participations go first, and their signals wrote its words once more (signals.py)."""
    gone = set(ids) - set(model.objects.filter(pk__in=list(ids)).values_list("pk", flat=True)) if ids else set()
    if not gone:
        return
    if connection.vendor == "postgresql":
        apps.get_model("timeline", "EventWords").objects.filter(event_id__in=list(gone)).delete()
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in gone])
