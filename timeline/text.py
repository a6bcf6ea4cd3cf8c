"""Small rules for writing the articles' words back out, shared by pages and exports."""

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
