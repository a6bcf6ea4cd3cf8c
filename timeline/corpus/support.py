"""The support rule: a cited statement says no figure and no name that its quotes do not carry.

Every number, amount of money, percentage, date and name in a statement must appear in one of
the quotes it cites, in any usual spelling: "$4.3 billion" = "4.3 billion dollars" =
"$4,300 million"; "four months" = "4 months" = "four-month"; "13 March 2025" is carried by
"March 13" and "2025" (each part of a date on its own: the year, the month, the day of the month).
A statement marked context or external (with its note) is not checked: it says it rests on
something other than the quotes.

Names are found against a declared vocabulary, never by capital letters: the names and
aliases of the actors (garbled ones included, so "Justin Sun" is carried by "Justin Solar") and
the outlets of the articles. A capitalised word at the start of a sentence is not a name unless
the vocabulary says so. In a statement a name is matched with its capitals (a curator writes
names as names); in a quote without them, because a machine-reworded article changes case
("Trump Household"). The longest name wins: "Eric Trump" is Eric Trump, not Donald Trump.

What the rule cannot see is how firmly a claim is made: "X said Y" and "Y" carry the same
figures and names. Attribution is kept by the certainty rules (README, "Rules the corpus
follows"), not here. Pure functions of text, quotes and the vocabulary: used by the fixture
check, the admin, the system check and the curator's desk.
"""

import math
import re
from dataclasses import dataclass

WORD_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
VAGUE = ("hundreds", "thousands", "millions", "billions", "trillions", "dozens")
UNITS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
    "%": "%",
    "percent": "%",
    "per cent": "%",
}
MONTHS = {
    name: number
    for number, name in enumerate(
        "January February March April May June July August September October November December".split(), start=1
    )
}

_word_numbers = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
_months = "|".join(MONTHS)
_unit = r"(?:per cent|percent|%|days?|weeks?|months?|years?)"
NUMBER = re.compile(
    rf"(?P<money>\$|US\$)?\s?"
    rf"(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)?"
    rf"(?(digits)|\b(?P<word>{_word_numbers}|one(?=[\s-](?:{_unit}|thousand|million|billion)))\b)"
    rf"(?:[\s-](?P<scale>thousand|million|billion|trillion)\b)?"
    rf"(?:[\s-]?(?P<unit>{_unit})(?![\w]))?"
    rf"(?:\s(?P<dollars>dollars|USD)\b)?",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
DAY_MONTH = re.compile(
    rf"\b(?:(?P<day1>[0-3]?\d)\s+(?P<month1>{_months})|(?P<month2>{_months})\s+(?P<day2>[0-3]?\d)(?!\d|,\d))\b"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
MONTH = re.compile(rf"\b(?P<month>{_months})\b(?:\s+(?P<year>(?:19|20)\d\d)\b)?")
VAGUE_WORD = re.compile(rf"\b(?:{'|'.join(VAGUE)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One figure, date part or name a text says; `words` is how the text wrote it."""

    kind: str  # number, vague, year, month, day, name
    value: object
    words: str
    money: bool = False
    unit: str | None = None


class Vocabulary:
    """The names to look for: (key, name) pairs, the key telling who a name is (an actor's slug)."""

    def __init__(self, names):
        self.key_of = {}
        for key, name in names:
            if name and name.strip():
                self.key_of.setdefault(name.strip(), key)
        ordered = sorted(self.key_of, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in ordered) or r"(?!)"
        pattern = rf"(?<![\w])(?:{alternatives})(?![\w])"
        self.exact = re.compile(pattern)
        self.folded = re.compile(pattern, re.IGNORECASE)
        self.by_folded = {name.casefold(): key for name, key in self.key_of.items()}

    def names_in(self, text, exact=True):
        """(key, the words as written) for each name in the text, longest first at each place."""
        if exact:
            return [(self.key_of[m.group()], m.group()) for m in self.exact.finditer(text)]
        return [(self.by_folded[m.group().casefold()], m.group()) for m in self.folded.finditer(text)]


def _number(match):
    if match.group("digits"):
        value = float(match.group("digits").replace(",", ""))
    else:
        value = float(WORD_NUMBERS.get(match.group("word").lower(), 1))
    scale = match.group("scale")
    if scale:
        value *= SCALES[scale.lower()]
    unit = match.group("unit")
    unit = UNITS[unit.lower()] if unit else None
    money = bool(match.group("money") or match.group("dollars"))
    return Claim("number", value, match.group().strip(), money=money, unit=unit)


def claims(text, vocabulary, exact=True):
    """The figures, date parts and names a text says, in the order they appear."""
    found = []
    rest = text

    def blank(match):
        nonlocal rest
        rest = rest[: match.start()] + " " * (match.end() - match.start()) + rest[match.end() :]

    for match in ISO_DATE.finditer(text):
        year, month, day = (int(match.group(g)) for g in ("year", "month", "day"))
        found += [Claim("day", (month, day), match.group()), Claim("year", year, match.group())]
        found.append(Claim("month", month, match.group()))
        blank(match)
    for match in DAY_MONTH.finditer(rest):
        month = MONTHS[match.group("month1") or match.group("month2")]
        day = int(match.group("day1") or match.group("day2"))
        found += [Claim("day", (month, day), match.group()), Claim("month", month, match.group())]
        if match.group("year"):
            found.append(Claim("year", int(match.group("year")), match.group()))
        blank(match)
    for match in MONTH.finditer(rest):
        if match.group("month") == "May" and not match.group("year"):
            continue  # the verb, unless a year says it is the month
        found.append(Claim("month", MONTHS[match.group("month")], match.group()))
        if match.group("year"):
            found.append(Claim("year", int(match.group("year")), match.group()))
        blank(match)
    for match in VAGUE_WORD.finditer(rest):
        found.append(Claim("vague", match.group().lower(), match.group()))
        blank(match)
    for match in NUMBER.finditer(rest):
        if not (match.group("digits") or match.group("word")):
            continue
        claim = _number(match)
        if claim.unit is None and not claim.money and 1900 <= claim.value <= 2100 and claim.value.is_integer():
            claim = Claim("year", int(claim.value), claim.words)
        found.append(claim)
    for key, words in vocabulary.names_in(text, exact=exact):
        found.append(Claim("name", key, words))
    return found


def matches(claim, fact):
    """Whether one fact of a quote carries the claim: the same value, kind of amount and unit."""
    if claim.kind in ("number", "year") and fact.kind in ("number", "year"):
        if not math.isclose(float(claim.value), float(fact.value), rel_tol=1e-9):
            return False
        if claim.kind == "year":
            return fact.kind == "year" or (fact.unit is None and not fact.money)
        if claim.money and not fact.money:
            return False
        return claim.unit is None or claim.unit == fact.unit
    return claim.kind == fact.kind and claim.value == fact.value


def article_facts(outlet, published, precision):
    """What a citation says about its own article: its outlet and its date as far as known ("2025", "March 2025").

    A statement may name the article it cites this way ("Tech Today says", "the 13 March 2025 article").
    """
    facts = [outlet] if outlet else []
    if published is not None and precision in ("day", "month", "year"):
        facts.append(
            {"day": f"{published:%Y-%m-%d}", "month": f"{published:%B %Y}", "year": f"{published:%Y}"}[precision]
        )
    return facts


def unsupported(text, quotes, vocabulary, articles=()):
    """The words of the text (figures, dates, names) that none of the quotes, nor what they say of their
    articles (see article_facts), carries: in order, once each."""
    facts = [fact for quote in [*quotes, *articles] for fact in claims(quote, vocabulary, exact=False)]
    missing = []
    for claim in claims(text, vocabulary):
        if not any(matches(claim, fact) for fact in facts) and claim.words not in missing:
            missing.append(claim.words)
    return missing


def support_message(words):
    """The refusal, naming the words."""
    listed = ", ".join(f"“{w}”" for w in words)
    return (
        f"{listed} {'is' if len(words) == 1 else 'are'} in none of the quotes it cites: cite a quote that carries "
        f"{'it' if len(words) == 1 else 'them'}, reword the statement, or mark it context or external with a note."
    )
