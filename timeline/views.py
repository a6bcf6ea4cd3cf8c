from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.vary import vary_on_headers

from .chronology import build_overview, group_events, source_segments
from .filters import EventFilter
from .models import Actor, Event, Source
from .payloads import actor_payload, event_payload, source_payload

FILTER_PARAMS = {"q", "actor", "category", "certainty", "source", "era", "from", "to"}


def filter_events(request):
    """The filterset for the request, plus readable problems (unknown or malformed parameters)."""
    filterset = EventFilter(request.GET, queryset=Event.objects.all())
    problems = [
        f"{name}: unknown parameter (known: {', '.join(sorted(FILTER_PARAMS))})."
        for name in request.GET
        if name not in FILTER_PARAMS
    ]
    if not filterset.is_valid():
        problems.extend(filterset.error_messages())
    return filterset, problems


def wants_partial(request):
    return request.htmx and not request.htmx.history_restore_request


@vary_on_headers("HX-Request")
def chronology(request):
    filterset, problems = filter_events(request)
    context = {"filter": filterset, "problems": problems, "query": request.GET.urlencode()}
    if problems:
        unfiltered = EventFilter({}, queryset=Event.objects.all())
        unfiltered.is_valid()
        context.update(
            events=[],
            groups=[],
            facets=unfiltered.facets(),
            overview=build_overview([]),
            total=Event.objects.count(),
        )
    else:
        events = list(filterset.qs.with_related())
        context.update(
            events=events,
            groups=group_events(events),
            facets=filterset.facets(),
            overview=build_overview(events),
            total=Event.objects.count(),
        )
    template = "chronology.html#results" if wants_partial(request) else "chronology.html"
    return render(request, template, context, status=400 if problems else 200)


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.with_related(), slug=slug)
    return render(request, "event_detail.html", {"event": event})


def actor_detail(request, slug):
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    events = list(Event.objects.involving([actor]).with_related().chronological())
    return render(request, "actor_detail.html", {"actor": actor, "events": events, "groups": group_events(events)})


def actor_index(request):
    return render(request, "actor_index.html", {"actors": Actor.objects.prefetch_related("aliases")})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = list(source.citations.select_related("event").order_by("start", "end"))
    return render(
        request,
        "source_detail.html",
        {"source": source, "citations": citations, "paragraphs": source_segments(source.text, citations)},
    )


def source_index(request):
    return render(request, "source_index.html", {"sources": Source.objects.all()})


def listing(key, payloads):
    return JsonResponse({"count": len(payloads), key: payloads}, json_dumps_params={"ensure_ascii": False})


def events_json(request):
    filterset, problems = filter_events(request)
    if problems:
        return JsonResponse({"errors": problems}, status=400)
    return listing("events", [event_payload(e) for e in filterset.qs.with_related()])


def actors_json(request):
    actors = Actor.objects.prefetch_related("aliases").order_by("name", "slug")
    return listing("actors", [actor_payload(a) for a in actors])


def sources_json(request):
    return listing("sources", [source_payload(s) for s in Source.objects.all()])
