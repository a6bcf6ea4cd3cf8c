"""Full-text matches, and their ranking, answered from memory for searches of words.

At 100,040 events PostgreSQL took 35-109 ms to find the matches of a word that half the events
hold ("binance", "trump"), and the RUM index 40-54 ms more to rank them; at 10,040 SQLite took
10-12 ms to rank one: the slowest first-time states (bench/explain.md, bench/results.md). Here
every lexeme of the events' words, as the database's own full-text index stems them
(PostgreSQL's search vectors, SQLite's FTS5 table), keeps its postings: each event that holds
it, how often in the title, the summary and elsewhere (quotes, names, aliases). The database's
stemmer still reads what a reader types (PostgreSQL: one small query; SQLite: the same FTS5
tokenizer, in a private in-memory database), remembered; matching and ranking are then array
arithmetic (numpy) over the postings, in the event index's positions (index.py).

A term's word matches every lexeme its stem begins, as the database matches a prefix (as typed,
or as the start of a word): the lexemes are sorted, so a stem's are one run of the postings. A
PostgreSQL stop word matches nothing, and its group is left out, as PostgreSQL leaves it out of a
tsquery. A phrase needs the words' positions: its search goes to the database (``compile``
returns None).

**Ranking**: bm25 as SQLite's FTS5 computes it (search.py): a term's frequency in an event weighed
10 in the title, 3 in the summary and 1 elsewhere, over the event's length in words; a group
counts by its best term; an event whose title holds every group first; then the more important
event, then reading order. On SQLite it equals FTS5's own bm25 (tests/test_words.py checks it
against the database's ranking); on PostgreSQL, against the same formula recomputed per event
(tests/oracle.py). tests/search_queries.py measures it.
"""

import math
import re
import sqlite3
import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from timeline.listing.search import BODY_WEIGHT, FTS_TABLE, FTS_TOKENIZE, SUMMARY_WEIGHT, TITLE_WEIGHT, TITLED

K1, B = 1.2, 0.75  # FTS5's bm25 constants
STEM = re.compile(r"'((?:[^']|'')*)':\*")
STEMS_KEPT = 4096
STEMS_SQL = "SELECT word, to_tsquery('english', word || ':*')::text FROM unnest(%s::text[]) AS word"

# Each posting as one number: the event id, then how often the lexeme is in its title, its summary and
# the whole vector, 9 bits each (a lexeme keeps at most 256 positions in a vector).
POSTINGS_SQL = """
SELECT words.lexeme,
       string_agg((event.id::bigint * 134217728 + counts.title * 262144 + counts.summary * 512 + counts.every)::text,
                  ',')
FROM {table} AS event CROSS JOIN LATERAL unnest(event.search_vector) AS words
CROSS JOIN LATERAL (SELECT cardinality(array_positions(words.weights, 'A')) AS title,
                           cardinality(array_positions(words.weights, 'B')) AS summary,
                           cardinality(words.weights) AS every) AS counts
GROUP BY words.lexeme
ORDER BY words.lexeme COLLATE "C"
"""
# SQLite: the same numbers, from FTS5's own record of each word it holds (fts5vocab, "instance"; migration 0016).
SQLITE_INSTANCES = f"{FTS_TABLE}_instances"
# SQLite: each occurrence, its row and whether in the title (2) or the summary (1), counted per row in numpy: a
# second GROUP BY (term, row) in SQL took 1.21 s at 10,040 events, this 0.30 s.
SQLITE_POSTINGS_SQL = f"""
SELECT term, group_concat(doc * 4 + (col = 'title') * 2 + (col = 'summary'), ',')
FROM {SQLITE_INSTANCES}
GROUP BY term
ORDER BY term
"""
POSTINGS_READ = 1 << 22  # characters of postings parsed at a time: a few MB, whatever the corpus


def postings(rows):
    """(index of the row's lexeme, event id, title, summary and whole counts) of each posting of these rows
    of (lexeme, comma-separated numbers), in lexeme order. The numbers are parsed by numpy, 7 times faster
    than splitting the text (0.43 s, not 3.2, for 5.3 million)."""
    found = np.fromstring(",".join(text for _, text in rows), dtype=np.int64, sep=",")
    lexeme = np.repeat(np.arange(len(rows)), [text.count(",") + 1 for _, text in rows])
    if connection.vendor == "postgresql":
        return lexeme, found >> 27, (found >> 18) & 511, (found >> 9) & 511, found & 511
    held, inverse = np.unique((lexeme << 40) | (found >> 2), return_inverse=True)  # by lexeme, then event
    column = found & 3
    title, summary = (np.bincount(inverse, weights=column == n).astype(np.int64) for n in (2, 1))
    return held >> 40, held & ((1 << 40) - 1), title, summary, np.bincount(inverse)


@dataclass
class WordIndex:
    """The postings of every lexeme, in lexeme order: ``bounds[i]`` to ``bounds[i + 1]`` are lexeme i's."""

    lexemes: list = field(default_factory=list)  # sorted, as Python compares text: a prefix's lexemes are one run
    bounds: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # the event's position
    weighted: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint16))  # 10 × title + 3 × summary + rest
    titled: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # the title holds it
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0))  # words of each event
    importance: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))  # of each event

    def __getstate__(self):
        return {name: value for name, value in self.__dict__.items() if not name.startswith("_")}

    @property
    def events(self):
        return len(self.lengths)

    def run(self, prefix):
        """The slice of the postings of the lexemes that begin with `prefix`."""
        first = bisect_left(self.lexemes, prefix)
        last = bisect_left(self.lexemes, prefix + "\U0010ffff", lo=first)
        return slice(int(self.bounds[first]), int(self.bounds[last]))

    def stems(self, words):
        """{word: its stem, "" for a stop word, None when the database reads it as more than one word}, as
        the database stems a prefix it searches for (search.postgres_term, search.fts_expression), remembered."""
        kept = self.__dict__.setdefault("_stems", {})  # shared by a worker's threads: read, never relied on
        found = {word: kept.get(word) for word in {word.lower() for word in words}}
        missing = sorted(word for word, stem in found.items() if stem is None and word not in kept)
        if missing:
            found.update(postgres_stems(missing) if connection.vendor == "postgresql" else sqlite_stems(missing))
            if len(kept) > STEMS_KEPT:
                kept.clear()
            kept.update((word, found[word]) for word in missing)
        return {word: found[word.lower()] for word in words}

    def compile(self, groups):
        """The search as a CompiledSearch, or None when the database must answer it (a phrase, a word
        PostgreSQL reads as more than one)."""
        if not groups or any(len(words) != 1 for group in groups for words in group.terms):
            return None
        stems = self.stems([words[0] for group in groups for words in group.terms])
        if None in stems.values():
            return None
        runs = []
        for group in groups:
            prefixes = dict.fromkeys(stems[words[0]] for words in group.terms)
            prefixes.pop("", None)
            if prefixes:  # stop words alone: PostgreSQL leaves the group out
                runs.append([self.run(prefix) for prefix in prefixes])
        return CompiledSearch(self, runs)


class CompiledSearch:
    """A search's groups, each the runs of postings of its terms: which events match, best first."""

    def __init__(self, words, groups):
        self.words, self.groups = words, groups

    def term(self, run):
        """(bm25 score of each event for a term, 0 where it is absent; whether each event's title holds it)."""
        words, size = self.words, self.words.events
        positions = words.positions[run]
        weighted = np.bincount(positions, weights=words.weighted[run], minlength=size)
        titled = np.bincount(positions, weights=words.titled[run], minlength=size) > 0
        held = np.count_nonzero(weighted)
        idf = math.log((size - held + 0.5) / (held + 0.5))
        idf = idf if idf > 0 else 1e-6
        if "_norm" not in self.__dict__:
            average = float(words.lengths.mean()) if size else 1.0
            self._norm = K1 * (1 - B + B * words.lengths / (average or 1.0))
        return idf * (weighted * (K1 + 1)) / (weighted + self._norm), titled  # FTS5's order of operations

    def scores(self):
        """(score of each event, whether it matches): the sum of each group's best term."""
        if "_scores" not in self.__dict__:
            size = self.words.events
            total, matched, titled = np.zeros(size), np.ones(size, bool), np.ones(size, bool)
            for runs in self.groups:
                best, in_title = np.zeros(size), np.zeros(size, bool)
                for run in runs:
                    score, title = self.term(run)
                    np.maximum(best, score, out=best)
                    in_title |= title
                total += best
                matched &= best > 0
                titled &= in_title
            if not self.groups:
                matched[:] = False
            total[matched & titled] += TITLED
            self._scores = (total, matched)
        return self._scores

    def matches(self):
        """The matching events as a bitset of the event index."""
        _, matched = self.scores()
        return int.from_bytes(np.packbits(matched, bitorder="little").tobytes(), "little")

    def best(self, bits, start, limit):
        """The positions of the matches among `bits` (a bitset) from `start`, best first, at most `limit`."""
        score, matched = self.scores()
        size = self.words.events
        chosen = np.unpackbits(np.frombuffer(bits.to_bytes((size + 7) // 8, "little"), np.uint8), bitorder="little")
        candidates = np.flatnonzero(matched & chosen[:size].astype(bool))
        need = start + limit
        if need < len(candidates):  # the best `need` scores and every match that ties the last of them
            floor = np.partition(score[candidates], len(candidates) - need)[len(candidates) - need]
            candidates = candidates[score[candidates] >= floor]
        order = np.lexsort((candidates, -self.words.importance[candidates], -score[candidates]))
        return candidates[order][start:need].tolist()


def postgres_stems(words):
    """{word: stem}: PostgreSQL's english configuration, as to_tsquery reads a prefix."""
    with connection.cursor() as cursor:
        cursor.execute(STEMS_SQL, [words])
        queries = dict(cursor.fetchall())
    found = {}
    for word in words:
        query = queries.get(word) or ""
        stem = STEM.fullmatch(query)
        found[word] = "" if not query else stem.group(1).replace("''", "'") if stem else None
    return found


_stemmer = {"connection": None}
_stemming = threading.Lock()


def sqlite_stems(words):
    """{word: stem}: the FTS table's tokenizer (search.FTS_TOKENIZE), in this process's own in-memory
    database, so that a search writes nothing to the site's."""
    with _stemming:
        if _stemmer["connection"] is None:
            stemmer = sqlite3.connect(":memory:", check_same_thread=False)
            stemmer.execute(f"CREATE VIRTUAL TABLE stems USING fts5(word, tokenize = '{FTS_TOKENIZE}')")
            stemmer.execute("CREATE VIRTUAL TABLE stems_held USING fts5vocab('stems', 'instance')")
            _stemmer["connection"] = stemmer
        stemmer = _stemmer["connection"]
        with stemmer:
            stemmer.execute("DELETE FROM stems")
            stemmer.executemany("INSERT INTO stems (rowid, word) VALUES (?, ?)", list(enumerate(words, 1)))
            terms = defaultdict(list)
            for doc, term in stemmer.execute("SELECT doc, term FROM stems_held ORDER BY doc, offset"):
                terms[doc].append(term)
    return {word: (terms[n] or [""])[0] if len(terms[n]) <= 1 else None for n, word in enumerate(words, 1)}


def build(index, model, importance):
    """The word index of the events' search vectors, in the event index `index`'s positions, with each
    event's importance (an array in the same positions), which ranks searches after their score.

    Read a few MB of postings at a time, lexemes in the order Python sorts them (byte order, COLLATE
    "C"): parsing every row at once took a building process 480 MB more at 100,040 events."""
    table = np.frombuffer(index.position_table, np.int64) if len(index.ids) else np.full(1, -1, np.int64)
    size = len(index.ids)
    lexemes, held, parts, pending, lengths = [], [], [], [], np.zeros(size)

    def parse():
        lexeme, ids, title, summary, every = postings(pending)
        positions = np.where(ids < len(table), table[np.minimum(ids, len(table) - 1)], -1)
        kept = positions >= 0  # an event deleted since the event index read its rows
        held.append(np.bincount(lexeme[kept], minlength=len(pending)))
        lexemes.extend(word for word, _ in pending)
        positions, title, summary, every = positions[kept], title[kept], summary[kept], every[kept]
        lengths[:] += np.bincount(positions, weights=every, minlength=size)
        weighted = TITLE_WEIGHT * title + SUMMARY_WEIGHT * summary + BODY_WEIGHT * (every - title - summary)
        parts.append((positions.astype(np.int32), np.minimum(weighted, 65535).astype(np.uint16), title > 0))
        pending.clear()

    with connection.chunked_cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTINGS_SQL.format(table=model._meta.db_table))
        else:
            cursor.execute(SQLITE_POSTINGS_SQL)
        length = 0
        for row in cursor:
            pending.append(row)
            length += len(row[1])
            if length > POSTINGS_READ:
                parse()
                length = 0
        if pending:
            parse()
    empty = (np.zeros(0, np.int32), np.zeros(0, np.uint16), np.zeros(0, bool))
    positions, weighted, titled = (np.concatenate([part[n] for part in parts] or [empty[n]]) for n in range(3))
    parts.clear()
    words = WordIndex(
        lexemes=lexemes,
        bounds=np.concatenate([[0], np.cumsum(np.concatenate(held) if held else [])]).astype(np.int64),
        positions=positions,
        weighted=weighted,
        titled=titled,
        lengths=lengths,
        importance=np.array(importance, np.int16),
    )
    return words
