"""Why an event matched a search, and what the reader probably meant.

Marks: every term of the search (search.py) is marked where it occurs, a phrase as a whole
("Binance.US" marks "Binance.US" and "Binance US", never a lone "US"). Alias notes: a term
that is one of an actor's other names, and not the actor's own name, is explained beside the
result ("Justin Solar [sic]: a machine-reworded article's spelling of Justin Sun"), from the
alias records. Did you mean is spelling.py's.
"""

import functools
import re
from dataclasses import dataclass
from html import escape, unescape

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from timeline.listing.search import WORD

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
