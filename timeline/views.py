"""The public pages and the JSON endpoints. Each listing reads its state from EventQuery (query.py)."""

from csp.decorators import csp_replace
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from .caching import cached
from .chronology import best_matches, group_events, render_events
from .http import site_url, wants_partial
from .models import Actor, Event, Source, event_parts
from .overview import overview_of
from .paging import JSON_PAGE_SIZE, PAGE_SIZE, page_of
from .payloads import actor_payload, event_payload, source_payload
from .query import EventQuery
from .reader import source_segments


def listing_context(query):
    """What the chronology and the embed show for a state: its page of events, grouped, and its links."""
    base = {"query": query, "form": query.filterset.form, "start_link": query.link(after=None)}
    if query.problems:
        return {**base, "problems": query.problems, "events": [], "groups": [], "matching": 0}
    events, next_cursor = query.page()
    render_events(events, query.version)
    _, matching = query.counts()
    return {
        **base,
        "problems": [],
        "events": events,
        "groups": best_matches(events) if query.by_relevance else group_events(events),
        "matching": matching,
        "next_link": query.link(after=next_cursor) if next_cursor else None,
    }


def embed_snippet(query):
    url = site_url(reverse("embed") + query.link(after=None))
    return f'<iframe src="{url}" title="CZ and Binance timeline" width="100%" height="600" loading="lazy"></iframe>'


def chronology(request):
    query = EventQuery.from_request(request)
    context = listing_context(query)
    facets = query.facets()
    context.update(
        facets=facets,
        facet_list=[facets["certainty"], *facets["groups"]],
        overview=overview_of(query),
        filter_count=sum(name not in ("order", "after", "view") for name, _ in query.pairs),
        page_slugs={event.slug for event in context["events"]},
        total=query.vocab.total,
        page_size=PAGE_SIZE,
        embed_snippet=embed_snippet(query),
        partial=wants_partial(request),
    )
    if context["partial"]:
        template = "chronology.html#more" if query.after and not query.problems else "chronology.html#results"
    else:
        template = "chronology.html"
    return render(request, template, context, status=400 if query.problems else 200)


def timeline_fragment(request):
    """The timeline alone, for another window of the same state: what the script asks for on zoom and pan."""
    query = EventQuery.from_request(request)
    context = {"overview": overview_of(query, refine=True), "page_slugs": ()}
    return render(request, "chronology.html#overview", context, status=400 if query.problems else 200)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request):
    """A compact, chrome-free chronology for an iframe on another site."""
    query = EventQuery.from_request(request)
    context = {**listing_context(query), "page_size": PAGE_SIZE}
    return render(request, "embed.html", context, status=400 if query.problems else 200)


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.with_related(), slug=slug)
    return render(request, "event_detail.html", {"event": event})


def actor_detail(request, slug):
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    events, next_cursor = page_of(Event.objects.involving([actor.pk]).with_related())
    context = {"actor": actor, "events": events, "groups": group_events(events), "more": next_cursor is not None}
    return render(request, "actor_detail.html", context)


def actor_index(request):
    return render(request, "actor_index.html", {"actors": Actor.objects.prefetch_related("aliases")})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = list(source.citations.select_related("event").order_by("start", "end")[:2000])
    return render(
        request,
        "source_detail.html",
        {"source": source, "citations": citations, "paragraphs": source_segments(source.text, citations)},
    )


def source_index(request):
    return render(request, "source_index.html", {"sources": Source.objects.all()})


def json_response(body, status=200):
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def events_json(request):
    query = EventQuery.from_request(request)
    if query.problems:
        return json_response({"errors": query.problems}, status=400)

    def body():
        events, next_cursor = query.page(JSON_PAGE_SIZE)
        prefetch_related_objects(events, *event_parts())
        return {
            "count": query.count(),
            "events": [event_payload(event) for event in events],
            "next": reverse("events_json") + query.link(after=next_cursor) if next_cursor else None,
        }

    return json_response(cached(query.cache_key("events-json"), body, 3600))


def actors_json(request):
    actors = [actor_payload(a) for a in Actor.objects.prefetch_related("aliases").order_by("name", "slug")]
    return json_response({"count": len(actors), "actors": actors})


def sources_json(request):
    sources = [source_payload(s) for s in Source.objects.all()]
    return json_response({"count": len(sources), "sources": sources})
