"""The timeline's items, drawn by overview.items_html."""

from django import template

from timeline.overview import items_html

register = template.Library()


@register.simple_tag
def timeline_items(timeline, page_slugs=()):
    """Its marks, clusters and bars as SVG; a mark of an event on this page links to it there."""
    return items_html(timeline, page_slugs)
