import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import TooManyFieldsSent
from django.db.models import Prefetch
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from .chronology import (
    PAGE_SIZE,
    article_pieces,
    best_matches,
    build_overview,
    cited_passages,
    group_events,
    page_of,
    parse_cursor,
    render_events,
)
from .filters import EventFilter, shorten
from .http import conditional_on_data
from .models import Actor, Event, EventStatement, Source
from .payloads import actor_payload, event_payload, source_payload
from .vocab import vocabularies

LISTING_SECONDS = 3600
FILTER_PARAMS = {"q", "actor", "category", "certainty", "source", "era", "from", "to", "order"}
JSON_PAGE_SIZE = 100


def query_of(request):
    """The request's parameters and a problem, if any: past Django's limit on their number, none are read.

    Django raises TooManyFieldsSent, a generic 400 page without a word on the cause (and HTML
    even for JSON), at the first read of request.GET; an empty GET keeps later reads safe.
    """
    try:
        return request.GET, []
    except TooManyFieldsSent:
        request.GET = QueryDict()
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return request.GET, [f"too many parameters: the address may hold at most {limit:,}, none were read."]


def filter_events(request):
    """The filterset, the keyset position and readable problems for the request's parameters."""
    vocab = vocabularies(request.data_version)
    query, problems = query_of(request)
    params = query.copy()
    after_text = params.pop("after", [None])[-1]
    filterset = EventFilter(params, queryset=Event.objects.all(), vocab=vocab)
    problems += [
        f"{shorten(name)}: unknown parameter (known: {', '.join(sorted(FILTER_PARAMS | {'after'}))})."
        for name in params
        if name not in FILTER_PARAMS
    ]
    if not filterset.is_valid():
        problems.extend(filterset.error_messages())
    after = None
    if after_text is not None:
        try:
            after = parse_cursor(after_text)
        except ValueError as exc:
            problems.append(f"after: {exc}")
        if not problems and filterset.by_relevance:
            problems.append("after: best matches show one page only; use the reading order to page through.")
    return filterset, after, problems


def query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def state_digest(request):
    """The filter state of a request, independent of parameter order."""
    state = urlencode(sorted((k, sorted(v)) for k, v in request.GET.lists()), doseq=True)
    return hashlib.sha256(state.encode()).hexdigest()


def listing(request, filterset, after):
    """Facet counts, the page of events and the overview for a filter state.

    The database work is cached per data version and filter state, so a repeated state
    (the unfiltered page, a shared link) costs one query for its events.
    """
    key = f"timeline:listing:{request.data_version}:{state_digest(request)}"
    cached = cache.get(key)
    if cached is None:
        counts, matching = filterset.facet_counts()
        if filterset.by_relevance:
            events, next_cursor = list(filterset.ordered().select_related("era")[:PAGE_SIZE]), None
        else:
            events, next_cursor = page_of(filterset.qs.select_related("era"), after)
        overview = build_overview(filterset.qs, matching, filterset.vocab)
        cache.set(key, (counts, matching, [e.pk for e in events], next_cursor, overview), LISTING_SECONDS)
        return counts, matching, events, next_cursor, overview
    counts, matching, ids, next_cursor, overview = cached
    by_id = Event.objects.select_related("era").in_bulk(ids)
    return counts, matching, [by_id[pk] for pk in ids if pk in by_id], next_cursor, overview


def embed_snippet(request):
    url = request.build_absolute_uri(f"{reverse('embed')}?{query_without(request, 'after')}".rstrip("?"))
    return f'<iframe src="{url}" title="CZ and Binance timeline" width="100%" height="600" loading="lazy"></iframe>'


def wants_partial(request):
    return request.htmx and not request.htmx.history_restore_request


@vary_on_headers("HX-Request")
@conditional_on_data
def chronology(request):
    filterset, after, problems = filter_events(request)
    if problems:
        unfiltered = EventFilter(QueryDict(), queryset=Event.objects.all(), vocab=filterset.vocab)
        unfiltered.is_valid()
        counts, _ = unfiltered.facet_counts()
        context = {"facets": unfiltered.facets(counts), "events": [], "groups": [], "matching": 0}
        context["overview"] = build_overview(Event.objects.none(), 0, filterset.vocab)
    else:
        counts, matching, events, next_cursor, overview = listing(request, filterset, after)
        render_events(events, request.data_version)
        context = {
            "facets": filterset.facets(counts),
            "events": events,
            "groups": best_matches(events) if filterset.by_relevance else group_events(events),
            "matching": matching,
            "page_slugs": {event.slug for event in events},
            "overview": overview,
            "next_query": f"{query_without(request, 'after')}&after={next_cursor}" if next_cursor else None,
            "embed_snippet": embed_snippet(request),
        }
    context.update(
        filter=filterset,
        problems=problems,
        after=after,
        total=filterset.vocab.total,
        page_size=PAGE_SIZE,
        dates_query=query_without(request, "from", "to", "after"),
        restart_query=query_without(request, "after"),
    )
    if wants_partial(request):
        template = "chronology.html#more" if after and not problems else "chronology.html#results"
    else:
        template = "chronology.html"
    return render(request, template, context, status=400 if problems else 200)


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
    statements = Prefetch("eventstatements", queryset=EventStatement.objects.order_by("position"))
    citations = source.citations.select_related("event").prefetch_related(statements).order_by("start", "end")
    citations = list(citations[:2000])
    context = {"source": source, "citations": citations, "passages": cited_passages(citations)}
    return render(request, "source_detail.html", {**context, "pieces": article_pieces(source.text, citations)})


def source_index(request):
    return render(request, "source_index.html", {"sources": Source.objects.all()})


def json_listing(key, payloads, **extra):
    body = {"count": extra.pop("count", len(payloads)), key: payloads, **extra}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@conditional_on_data
def events_json(request):
    filterset, after, problems = filter_events(request)
    if problems:
        return JsonResponse({"errors": problems}, status=400)
    key = f"timeline:events-json:{request.data_version}:{state_digest(request)}"
    body = cache.get(key)
    if body is None:
        if filterset.by_relevance:
            events, next_cursor = list(filterset.ordered().with_related()[:JSON_PAGE_SIZE]), None
        else:
            events, next_cursor = page_of(filterset.qs.with_related(), after, size=JSON_PAGE_SIZE)
        next_url = None
        if next_cursor:
            next_url = f"{reverse('events_json')}?{query_without(request, 'after')}&after={next_cursor}"
        body = {"count": filterset.qs.count(), "events": [event_payload(e) for e in events], "next": next_url}
        cache.set(key, body, LISTING_SECONDS)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@conditional_on_data
def actors_json(request):
    actors = Actor.objects.prefetch_related("aliases").order_by("name", "slug")
    return json_listing("actors", [actor_payload(a) for a in actors])


@conditional_on_data
def sources_json(request):
    return json_listing("sources", [source_payload(s) for s in Source.objects.all()])
