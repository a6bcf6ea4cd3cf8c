"""The citations as W3C Web Annotations (JSON-LD): one Annotation per citation, in pages of a collection.

Each annotation targets the quoted passage on the source's reader page. Its selectors are
refinements of the element that holds the article as written (``#article-text``), whose text
is the article exactly: a TextQuoteSelector (the quote with some context on either side) and a
TextPositionSelector (its character offsets). The body links the event the passage is cited
for (purpose "linking") and states the citation's stance as a tag (purpose "tagging"); the
annotation's motivation says what the passage does for the event: "describing" when it
supports it, "questioning" when it disputes it, "commenting" when it gives context.
"""

import re

from django.http import JsonResponse
from django.urls import reverse

from timeline.listing.query import in_order
from timeline.models import Event
from timeline.web.exports import EXPORT_LIMIT, export_query
from timeline.web.http import site_url

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
PAGE_SIZE = 500
CONTEXT_CHARACTERS = 32
TEXT_ELEMENT = "#article-text"
MOTIVATION = {"supports": "describing", "disputes": "questioning", "context": "commenting"}
PAGE_NUMBER = re.compile(r"0*([1-9][0-9]{0,8})")  # 1 to 999,999,999, leading zeros allowed


def text_selectors(text, start, end):
    """TextQuote and TextPosition selectors of text[start:end], each refining the article element."""
    quote = {
        "type": "TextQuoteSelector",
        "exact": text[start:end],
        "prefix": text[max(0, start - CONTEXT_CHARACTERS) : start],
        "suffix": text[end : end + CONTEXT_CHARACTERS],
    }
    position = {"type": "TextPositionSelector", "start": start, "end": end}
    return [{"type": "CssSelector", "value": TEXT_ELEMENT, "refinedBy": selector} for selector in (quote, position)]


def annotation(request, event, number, citation):
    """One citation as an Annotation; its id is the citation in the event's own list."""
    event_url = site_url(request, event.get_absolute_url())
    return {
        "@context": CONTEXT,
        "id": f"{event_url}#{event.slug}-c{number}",
        "type": "Annotation",
        "motivation": MOTIVATION[citation.stance],
        "body": [
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": {"id": event_url, "type": "Text", "format": "text/html", "title": event.title},
            },
            {"type": "TextualBody", "purpose": "tagging", "value": citation.stance, "format": "text/plain"},
        ],
        "target": {
            "type": "SpecificResource",
            "source": site_url(request, citation.source.get_absolute_url()),
            "selector": text_selectors(citation.source.text, citation.start, citation.end),
        },
    }


def read_page(values):
    """`page`: which page of the collection, counting from 1.

    Matched before it is converted: str.isdigit() accepts "²", which int() refuses, and int()
    refuses more than 4,300 digits; either was a 500. Only the digits 0–9 make a page number.
    """
    if not values:
        return 1, None
    number = PAGE_NUMBER.fullmatch(values[0]) if len(values) == 1 else None
    if number:
        return int(number[1]), None
    return None, f"page: “{values[-1][:40]}” is not a page number; pages count from 1."


def annotations_jsonld(request, version):
    query, options, refusal = export_query(request, version, page=read_page)
    if refusal:
        return refusal
    page = options["page"]
    items = [
        annotation(request, event, number, citation)
        for event in in_order(Event.objects.prefetch_related("citations__source"), query.ids(limit=EXPORT_LIMIT))
        for number, citation in enumerate(event.citations.all(), start=1)
    ]
    last = max(1, -(-len(items) // PAGE_SIZE))
    if page > last:
        return JsonResponse({"errors": [f"page: {page} is past the last page, {last}."]}, status=400)
    return JsonResponse(
        collection(request, query, items, page),
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def collection(request, query, items, page):
    """The AnnotationCollection, with the requested AnnotationPage embedded as "first" or on its own."""
    base = site_url(request, reverse("annotations_jsonld") + query.link())

    def url(number=None):
        if number is None:
            return base
        return f"{base}{'&' if '?' in base else '?'}page={number}"

    last = max(1, -(-len(items) // PAGE_SIZE))
    body = {
        "type": "AnnotationPage",
        "id": url(page),
        "partOf": url(),
        "startIndex": (page - 1) * PAGE_SIZE,
        "items": items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
    }
    if page > 1:
        body["prev"] = url(page - 1)
    if page < last:
        body["next"] = url(page + 1)
    if page > 1:
        return {"@context": CONTEXT, **body}
    return {
        "@context": CONTEXT,
        "id": url(),
        "type": "AnnotationCollection",
        "label": "Citations of the CZ and Binance timeline",
        "total": len(items),
        "first": body,
        "last": url(last),
    }
