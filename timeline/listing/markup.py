"""HTML built in Python for what a page draws hundreds of times per filter state (bench/notes.md).

These escape as ``format_html`` does (``html.escape``, and ``__html__`` for what is already safe),
without ``conditional_escape``'s lazy-string wrapper, which cost more than the escaping itself.
"""

from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe

escaped_text = lru_cache(maxsize=4096)(escape)


def escaped(value):
    """The value as HTML text: safe strings as they are, anything else escaped.

    The same slugs and labels recur in every state, so plain text is escaped once.
    """
    kind = type(value)
    if kind is str:
        return escaped_text(value)
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def html(template, *args):
    """``format_html`` with positional fields only."""
    return mark_safe(template.format(*map(escaped, args)))  # noqa: S308 (every argument escaped)


def html_join(template, rows):
    """``format_html_join("", template, rows)``."""
    return mark_safe("".join(template.format(*map(escaped, row)) for row in rows))  # noqa: S308 (escaped)
