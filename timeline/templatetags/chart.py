"""The chart's items, drawn by listing.chart.items_html."""

from django import template

from ..listing.chart import items_html

register = template.Library()


@register.simple_tag
def chart_items(chart, page_slugs=()):
    """Its marks, clusters and bars as SVG; a mark of an event on this page links to it there."""
    return items_html(chart, page_slugs)
