"""Quotes: the one check that makes a citation trustworthy (its quote is the article's text at
its offsets), and how a quote is printed back in quotation marks.

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


OPENING_MARKS = ("“", '"', "‘")
CLOSING_MARKS = ("”", '"', "’")


def quotation_marks(quote):
    """(opening, closing) marks to put around a quote, leaving out a mark the quote already has at that end.

    A quote that ends with a closing quotation mark ("… ‘crypto persecution.’” ) gets no
    second one: “persecution.”” would double it.
    """
    text = quote.strip()
    return ("" if text.startswith(OPENING_MARKS) else "“", "" if text.endswith(CLOSING_MARKS) else "”")


def in_quotation_marks(quote):
    opening, closing = quotation_marks(quote)
    return f"{opening}{quote}{closing}"
