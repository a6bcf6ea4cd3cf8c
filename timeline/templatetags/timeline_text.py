"""Template tags for the text of events: the searched words marked, quotation marks that do not double up.

The searched words come from the template context (`words`), absent outside search results.
"""

from django import template
from django.utils.safestring import mark_safe

from ..quotes import quotation_marks
from ..search import highlight, snippet

register = template.Library()


@register.simple_tag(takes_context=True)
def marked(context, text):
    """The text, escaped, with the searched words in <mark>."""
    return highlight(text, context.get("words") or ())


@register.simple_tag(takes_context=True)
def quoted(context, text):
    """A quote in curly quotation marks, less a mark the quote itself opens or closes with; words marked."""
    opening, closing = quotation_marks(text)
    return mark_safe(f"{opening}{highlight(text, context.get('words') or ())}{closing}")  # noqa: S308 (escaped)


@register.simple_tag(takes_context=True)
def matching_passage(context, event):
    """The part of the event's first quote that holds a searched word, words marked, or ""."""
    words = context.get("words")
    passage = snippet([c.quote for c in event.citations.all()], words) if words else None
    return quoted(context, passage) if passage else ""
