"""Did you mean (timeline/listing/spelling.py) against difflib asked of every word, as it was asked before."""

import difflib
import random

import pytest

from timeline.listing import spelling
from timeline.listing.search import search_words
from timeline.listing.spelling import NearWords, corpus_words, same_case
from timeline.models import DataVersion, Event, stored_synonyms


def oracle(text, vocabulary):
    """Each word of the search: None if a word of the vocabulary is it or begins with it, else difflib's
    closest word of three letters or more (cutoff 0.75), compared with every word in turn."""
    found = []
    for word in search_words(text):
        lower = word.lower()
        if any(w.startswith(lower) for w in vocabulary):
            found.append((word, None))
            continue
        close = difflib.get_close_matches(lower, [w for w in vocabulary if len(w) > 2], n=1, cutoff=0.75)
        found.append((word, same_case(word, close[0]) if close else None))
    return found


def misspellings(word, rng):
    """A word as a hurried reader types it: a letter dropped, doubled, swapped or struck next to it."""
    at = rng.randrange(len(word))
    near = rng.choice("abcdefghijklmnopqrstuvwxyz0123456789é")
    return {
        word[:at] + word[at + 1 :],
        word[:at] + word[at] + word[at:],
        word[:at] + word[at + 1 : at + 2] + word[at : at + 1] + word[at + 2 :],
        word[:at] + near + word[at + 1 :],
        word + near,
    } - {""}


def vocabulary_of_the_corpus():
    words = {*corpus_words(Event, DataVersion.current()[0])}
    for pair in stored_synonyms():
        words.update(word.lower() for side in pair for word in side.split())
    return sorted(words)


@pytest.mark.django_db
def test_every_misspelling_of_every_corpus_word_gets_difflibs_answer(corpus):
    vocabulary = vocabulary_of_the_corpus()
    near = NearWords(vocabulary)
    rng = random.Random(20261208)
    typed = sorted({typo for word in vocabulary for typo in misspellings(word, rng)})
    assert len(vocabulary) > 900 and len(typed) > 4000
    corrected = 0
    for text in typed:
        expected = oracle(text, vocabulary)
        assert near.corrections(text) == expected, text
        corrected += any(better for _, better in expected)
    assert corrected > 1000  # most typos have a suggestion: the comparison is not of Nones alone


def test_numbers_ties_capitals_and_very_long_words_as_difflib_has_them():
    rng = random.Random(7)
    vocabulary = sorted(
        {f"{n:06d}" for n in rng.sample(range(1_000_000), 3000)}
        | {"pardon", "pardons", "parson", "garden", "warden", "binance", "binancé", "ab", "zz", "x" * 300, "y" * 40}
    )
    near = NearWords(vocabulary)
    texts = ["pardn", "Pardn", "PARDN", "bardon", "binanse", "BINANCÉ", "000123", "12345", "ab", "a", "zz z",
             "x" * 299, "x" * 260 + "q", "y" * 39 + "x", "wardn gardn", "ärden", "0" * 5]  # fmt: skip
    for text in texts:
        assert near.corrections(text) == oracle(text, vocabulary), text
    assert near.corrections("pardn Binanse") == [("pardn", "pardon"), ("Binanse", "Binance")]


@pytest.mark.django_db
def test_a_word_added_to_the_corpus_is_suggested_at_once(corpus, client):
    """The vocabulary is made once per data version: an edit makes a new one."""
    assert "Did you mean" not in client.get("/", {"q": "zyzzyvb"}).content.decode()
    made = spelling._latest["words"]
    client.get("/", {"q": "pardn"})
    assert spelling._latest["words"] is made  # the same version: not made again
    event = Event.objects.get(slug="cz-pays-50-million-fine")
    event.title = "Zhao pays a zyzzyva"
    event.save()
    html = client.get("/", {"q": "zyzzyvb"}).content.decode()
    assert 'Did you mean <a href="/?q=zyzzyva"><b>zyzzyva</b></a>?' in html
