"""Template tags for the text of events: the searched words marked, quotation marks that nest.

The searched words come from the template context (`words`), absent outside search results.
Each tag's markable text goes through ``rendering.markable``, so that the HTML stored for an
event can have the words of any later search marked without rendering it again.
"""

from django import template
from django.utils.safestring import mark_safe

from timeline.corpus.quotes import in_quotation_marks, nested
from timeline.listing import key
from timeline.listing.rendering import markable, passage_html

register = template.Library()


@register.simple_tag(takes_context=True)
def marked(context, text):
    """The text, escaped, with the searched words in <mark>."""
    return markable(context, text)


@register.simple_tag(takes_context=True)
def quoted(context, text):
    """A quote in curly quotation marks, its own double marks nested as single ones (quotes.py); words marked."""
    return mark_safe(f"“{markable(context, nested(text))}”")  # noqa: S308 (markable escapes)


@register.filter
def in_marks(text):
    """Text in curly quotation marks, its own double marks nested (quotes.py), searched words not marked."""
    return in_quotation_marks(str(text))


@register.filter(name="nested")
def nested_marks(text):
    """Text to be put inside quotation marks: its own double marks made single (quotes.py)."""
    return nested(str(text))


@register.simple_tag(takes_context=True)
def matching_passage(context, event):
    """The part of the event's first quote that holds a searched word, words marked, as a snippet; or ""."""
    return passage_html(context, [c.quote for c in event.citations.all()])


@register.inclusion_tag("key.html")
def label_key():
    """The key to the labels (key.py): at the foot of every page, printed with it."""
    return {"key": key.KEY}


@register.simple_tag
def certainty_label(certainty):
    """A certainty's words on its badge (key.py): "Denied by the party concerned", not a bare "Denied"."""
    return key.CERTAINTY[certainty].label
