"""Quotes: the one check that makes a citation trustworthy (its quote is the article's text at
its offsets), and how a quote is printed back in quotation marks (nested: see in_quotation_marks).

The check is used by the admin (Citation.clean), the fixture loader and the corpus system
check, always against the article's stored text, so a message only ever speaks of the
article being cited.
"""

from typing import NamedTuple

NOT_FOUND = "This quote is not in the article; copy it exactly as written, including punctuation and curly quotes."


class QuoteProblem(NamedTuple):
    field: str
    message: str


def quote_problem(text, quote, start, end):
    """None if text[start:end] is exactly the quote, else the field at fault and why."""
    if quote not in text:
        return QuoteProblem("quote", NOT_FOUND)
    if start is None or end is None:
        return QuoteProblem("start", "Give both offsets, or neither to have them found.")
    if text[start:end] != quote:
        found = text.find(quote)
        return QuoteProblem(
            "start", f"Offsets {start}:{end} do not match the quote; it is at {found}:{found + len(quote)}."
        )
    return None


def locate(text, quote):
    """(start, end) of the quote's first occurrence, or None."""
    found = text.find(quote)
    return None if found < 0 else (found, found + len(quote))


# Inside our own quotation marks, the article's double marks become single ones, as style guides nest them:
# “He said ‘no.’” The words are the article's; only the marks nest. Single marks (and apostrophes, which
# are the same character) stay as written.
NESTED = str.maketrans({"“": "‘", "”": "’", '"': "'"})


def nested(quote):
    """The quote as it reads inside our quotation marks: its own double marks made single."""
    return quote.translate(NESTED)


def in_quotation_marks(quote):
    """The quote in curly quotation marks, its own double marks nested as single ones.

    Always a pair of ours: a quote that opens or closes with a mark of its own keeps it, as a
    single mark inside ours (“‘A lot of people say…,’ Trump said.”), so a reader never sees ““
    nor loses the closing mark of the quotation.
    """
    return f"“{nested(quote)}”"
