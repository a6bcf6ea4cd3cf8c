"""Did you mean: each word of a search that the corpus does not hold, replaced by its nearest corpus word.

The nearest word is difflib's (`get_close_matches`, cutoff 0.75), as it always was. Asked of every
word of the corpus, a misspelled search took 258 ms at 100,040 events (bench/results.md at
828b145), the corpus's 101,632 words being mostly the synthetic events' numbers. Here each word's
letters are counted once per data version, and a search compares its word's counts with all of
them at once (numpy): a word whose letters in common with the typed one could not reach the
cutoff, whatever their order, is one difflib would have rejected too (its `quick_ratio`), so only
the few that could are given to difflib, which decides exactly as before. tests/test_spelling.py
checks the answers against difflib's over the whole vocabulary.
"""

import difflib
import re
import threading
from bisect import bisect_left
from collections import Counter

import numpy as np
from django.core.cache import cache

from timeline.cache.versions import cache_key
from timeline.listing.search import search_words

CUTOFF = 0.75
SHORTEST = 3  # a suggestion has three letters or more
CORPUS_WORD = re.compile(r"[^\W_]{2,}")
LETTER_MOST = 255  # a letter's count in a word, as kept (one byte)


def corpus_words(model, version):
    """Every word of the events' search text (two letters or more, lower case), cached per data version."""
    key = cache_key(version, "words")
    words = cache.get(key)
    if words is None:
        typed = set()  # as written: each form lowered once, not each occurrence
        for text in model.objects.values_list("search_text", flat=True).iterator(chunk_size=2000):
            typed.update(CORPUS_WORD.findall(text))
        words = sorted({word.lower() for word in typed})
        cache.set(key, words, timeout=24 * 3600)
    return words


class NearWords:
    """A vocabulary ready to be asked for a word's nearest neighbour: sorted, and its letters counted."""

    def __init__(self, words):
        self.words = sorted(set(words))
        self.long = [word for word in self.words if len(word) >= SHORTEST]
        letters = sorted({letter for word in self.long for letter in word})
        self.column = {letter: i for i, letter in enumerate(letters)}
        counts = np.zeros((len(self.long), len(letters)), dtype=np.uint8)
        for row, word in enumerate(self.long):
            for letter, times in Counter(word).items():
                counts[row, self.column[letter]] = min(times, LETTER_MOST)
        self.counts = counts
        self.lengths = np.fromiter(map(len, self.long), dtype=np.int32, count=len(self.long))

    def holds(self, word):
        """The word is a corpus word, or begins one (as a search matches a prefix)."""
        at = bisect_left(self.words, word)
        return at < len(self.words) and self.words[at].startswith(word)

    def nearest(self, word):
        """difflib's closest match among the words of three letters or more, or None."""
        typed = np.zeros(len(self.column), dtype=np.uint8)
        for letter, times in Counter(word).items():
            if letter in self.column:
                typed[self.column[letter]] = min(times, LETTER_MOST)
        common = np.minimum(self.counts, typed).sum(axis=1, dtype=np.int32)
        # difflib's quick_ratio, 2 × letters in common / both lengths, with a margin for its float rounding
        could = 2.0 * common >= (CUTOFF - 1e-9) * (len(word) + self.lengths)
        if len(word) > LETTER_MOST:  # counts stop at LETTER_MOST: for such a word they no longer bound
            could[:] = True
        candidates = [self.long[row] for row in np.flatnonzero(could)]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=CUTOFF)
        return close[0] if close else None

    def corrections(self, text):
        """[(word as typed, its nearest corpus word or None)] for each word of the search.

        A word the vocabulary holds, or begins a word of, needs none; a replacement keeps the
        typed word's capitals ("Binanse" → "Binance")."""
        found = []
        for word in search_words(text):
            lower = word.lower()
            if self.holds(lower):
                found.append((word, None))
                continue
            close = self.nearest(lower)
            found.append((word, same_case(word, close) if close else None))
        return found


_latest = {"version": None, "words": None}
_lock = threading.Lock()


def near_words(model, version, synonyms):
    """The vocabulary of this data version (vocabulary()), made once in this process, as the event index is.

    `synonyms` are this version's (the event index's vocabularies), so the version alone says which."""
    if _latest["version"] != version:
        with _lock:
            if _latest["version"] != version:
                _latest["words"], _latest["version"] = vocabulary(model, version, synonyms), version
    return _latest["words"]


def vocabulary(model, version, synonyms):
    """The corpus's words and the synonyms' (a synonym's word is one the search knows), ready to be asked."""
    words = {*corpus_words(model, version)}
    for pair in synonyms:
        words.update(word.lower() for side in pair for word in side.split())
    return NearWords(words)


def same_case(typed, word):
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
