"""Why an event matched a search, and what the reader probably meant.

Marks: every term of the search (search.py) is marked where it occurs, a phrase as a whole
("Binance.US" marks "Binance.US" and "Binance US", never a lone "US"). Alias notes: a term
that is one of an actor's other names, and not the actor's own name, is explained beside the
result ("Justin Solar [sic]: a machine-reworded article's spelling of Justin Sun"), from the
alias records. Did you mean: each word of the search that the corpus does not hold, replaced
by its nearest corpus word.
"""

import difflib
import functools
import re
from dataclasses import dataclass
from html import escape, unescape

from django.core.cache import cache
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from timeline.cache.versions import cache_key
from timeline.listing.search import WORD, search_words

SNIPPET_CHARS = 180


def word_pattern(terms):
    """The pattern that finds the searched terms (each as typed or as the start of a word), or None."""
    return compiled_pattern(tuple(terms)) if terms else None


@functools.lru_cache(maxsize=256)
def compiled_pattern(terms):
    """Compiled once per search: a search marks its terms in up to fifty events, several texts each.

    A term's words may be apart by anything but a letter or digit ("Binance.US", "Binance US"),
    and each may go on, as the database's stemming lets it ("step down" marks "stepped down")."""
    alternatives = sorted({r"[^\W_]*[\W_]+".join(map(re.escape, WORD.findall(term))) for term in terms}, key=len)
    alternatives = [pattern for pattern in reversed(alternatives) if pattern]
    if not alternatives:
        return None
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})[^\W_]*", re.IGNORECASE)


def highlight(text, terms):
    """The text, escaped, with each matched term (or the word its last word begins) in <mark>."""
    pattern = word_pattern(terms)
    if pattern is None:
        return conditional_escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece escaped above)


def first_match(quotes, terms):
    """(quote, match) of the first quote holding the first term any quote holds (what was typed before
    its synonyms: search.terms), or None."""
    for term in terms:
        pattern = word_pattern([term])
        for quote in quotes if pattern else ():
            match = pattern.search(quote)
            if match:
                return quote, match
    return None


def snippet(quotes, terms, width=SNIPPET_CHARS):
    """(the passage of the first quote that holds a matched term, cut near it, with "…" where cut) or None."""
    found = first_match(quotes, terms)
    if found is None:
        return None
    quote, match = found
    start = max(0, match.start() - width // 3)
    if start:
        start = quote.find(" ", start) + 1 or start
    end = min(len(quote), start + width)
    if end < len(quote):
        end = quote.rfind(" ", start, end) if quote.rfind(" ", start, end) > match.end() else end
    return ("…" if start else "") + quote[start:end].strip() + ("…" if end < len(quote) else "")


# Alias notes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AliasNote:
    """A searched term found in one of an actor's other names, which the result may not show."""

    alias: str
    actor: str
    garbled: bool


def alias_notes(terms, aliases):
    """{actor id: AliasNote} for the aliases a term matches and the actor's own name does not.

    `aliases` are (actor id, alias, actor's name, garbled) rows, as the event index holds them;
    of one actor's matching aliases, the one with most of the terms (then the longest) is named.
    """
    pattern = word_pattern(terms)
    if pattern is None:
        return {}
    best = {}
    for actor_id, alias, name, garbled in aliases:
        found = {match.group().casefold() for match in pattern.finditer(alias)}
        if not found or found <= {match.group().casefold() for match in pattern.finditer(name)}:
            continue
        rank = (len(found), len(alias))
        if actor_id not in best or rank > best[actor_id][0]:
            best[actor_id] = (rank, AliasNote(alias, name, bool(garbled)))
    return {actor_id: note for actor_id, (_, note) in best.items()}


TAG = re.compile(r"<[^>]*>")


def shown_in(html, text):
    """Whether the HTML shows this text (its words in a row, as a search marks them).

    `html` is an event's HTML as the site renders it, where every "<" of text is escaped, so a tag
    is "<" to the next ">": Django's strip_tags, an HTML parser, took 0.8 ms an event of a page."""
    pattern = word_pattern([text])
    return bool(pattern and pattern.search(unescape(TAG.sub("", html))))


# Did you mean --------------------------------------------------------------------------


def corpus_words(model, version):
    """Every word of the events' search text (two letters or more, lower case), cached per data version."""
    key = cache_key(version, "words")
    words = cache.get(key)
    if words is None:
        words = set()
        for text in model.objects.values_list("search_text", flat=True).iterator(chunk_size=2000):
            words.update(word.lower() for word in re.findall(r"[^\W_]{2,}", text))
        words = sorted(words)
        cache.set(key, words, timeout=24 * 3600)
    return words


def corrections(text, vocabulary):
    """[(word as typed, its nearest corpus word or None)] for each word of the search.

    A word the vocabulary holds, or begins a word of, needs none; a replacement keeps the
    typed word's capitals ("Binanse" → "Binance")."""
    known = set(vocabulary)
    found = []
    for word in search_words(text):
        lower = word.lower()
        if lower in known or any(w.startswith(lower) for w in vocabulary if w[:1] == lower[:1]):
            found.append((word, None))
            continue
        close = difflib.get_close_matches(lower, [w for w in vocabulary if len(w) > 2], n=1, cutoff=0.75)
        found.append((word, same_case(word, close[0]) if close else None))
    return found


def same_case(typed, word):
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def did_you_mean(text, vocabulary):
    """The search with each word the corpus does not hold replaced by its closest corpus word, or None."""
    found = corrections(text, vocabulary)
    if not any(better for _, better in found):
        return None
    return " ".join(better or word for word, better in found)
