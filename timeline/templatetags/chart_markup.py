"""The chart's repeated markup (listing/chart_markup.py), for templates/chart.html."""

from django import template

from timeline.listing import chart_markup

register = template.Library()


@register.simple_tag(takes_context=True)
def chart_bands(context, layout):
    return chart_markup.bands(layout, context["listing"])


@register.simple_tag(takes_context=True)
def chart_items(context, layout):
    """A mark of an event on this page (`page_slugs`) links to it there."""
    return chart_markup.items(layout, context["listing"], context.get("page_slugs") or ())


@register.simple_tag(takes_context=True)
def chart_ticks(context, layout):
    return chart_markup.ticks(layout, context["listing"])
