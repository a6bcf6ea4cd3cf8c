"""The public pages and the JSON endpoints. Each listing reads its state from EventQuery (query.py)."""

import json

from django import forms
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from timeline.corpus.dates import suggested_date
from timeline.corpus.reader import article_pieces, cited_passages
from timeline.listing import search
from timeline.listing.chart import chart_of
from timeline.listing.chronology import attach_html, group_events, sections
from timeline.listing.index import event_index
from timeline.listing.paging import JSON_PAGE_SIZE, PAGE_SIZE
from timeline.listing.parameters import ListingForm
from timeline.listing.query import EventQuery
from timeline.models import Actor, ActorStatement, Alias, Event, EventStatement, Source, event_parts, own_footnotes
from timeline.web.corrections import LIST_LIMIT, corrections
from timeline.web.http import site_base, site_url, wants_partial
from timeline.web.payloads import actor_payload, event_payload, source_payload


def listing_context(query):
    """What the chronology and the embed show for a state: its page of events, grouped, and its links.

    With dates that could not be read, the form keeps what was typed beside its message and the
    list is that of the rest of the state (its links leave those dates out); with any other
    problem there is no list."""
    shown = query.readable_part()
    base = {"form": query.form, "problems": query.problems, **date_hints(query)}
    if shown is None:
        return {**base, "query": query, "start_link": query.link(after=None), "events": [], "groups": [], "matching": 0}
    events, next_cursor = shown.page()
    attach_html(events, shown.version, shown.words)
    notes = shown.alias_notes(events) if shown.words else {}
    for event in events:
        event.search_notes = notes.get(event.pk, [])
    matching = shown.count()
    undated_shown, undated_left_out = shown.undated()
    corrected = shown.suggestion() if not matching and shown.words else None
    suggestion = " ".join(better or word for word, better in corrected) if corrected else None
    groups, apart_groups = sections(events, shown.by_relevance)
    return {
        **base,
        "query": shown,
        "listed": True,
        "start_link": shown.link(after=None),
        "events": events,
        "groups": groups,
        "apart_groups": apart_groups,
        "apart_begins": bool(apart_groups) and not (shown.after is not None and shown.after.apart),
        "apart_counts": shown.apart_counts(),
        "matching": matching,
        "words": shown.words,
        # An event's collapsed part marks the searched words too: its request carries them (htmx's hx-vals).
        "detail_vals": json.dumps({"q": shown.cleaned["q"]}, ensure_ascii=False) if shown.words else "",
        "undated_shown": undated_shown,
        "undated_left_out": undated_left_out,
        "with_undated_link": shown.link(undated="include", after=None),
        "dated_matching": matching - undated_shown,
        "suggestion": suggestion,
        "suggestion_words": corrected,
        "suggestion_link": shown.link(q=suggestion, after=None) if suggestion else None,
        "removals": shown.removals() if not matching else [],
        "next_link": shown.link(after=next_cursor) if next_cursor else None,
    }


def date_hints(query):
    """{"from_hint": (nearest reading, its link)}, and the same for "to", for a date with a mistyped month."""
    hints, form = {}, query.form
    for name in ("from", "to"):
        near = suggested_date(form.data.get(name) or "") if name in form.errors else None
        if near:
            hints[f"{name}_hint"] = (near, query.link(**{name: near, "after": None}))
    return hints


def embed_snippet(request, query):
    url = site_url(request, reverse("embed") + query.link(after=None))
    return f'<iframe src="{url}" title="CZ and Binance timeline" width="100%" height="600" loading="lazy"></iframe>'


def chronology(request, version):
    query = EventQuery.from_request(request, version)
    context = listing_context(query)
    shown = context["query"]
    facets = shown.facets()
    context.update(
        facets=facets,
        facet_list=list(facets.values()),
        chart=chart_of(shown),
        filter_count=sum(name not in ("order", "after", "view") for name, _ in query.pairs),
        page_slugs={event.slug for event in context["events"]},
        total=query.vocab.total,
        page_size=PAGE_SIZE,
        embed_snippet=embed_snippet(request, shown),
        list_address=site_url(request, reverse("chronology") + shown.link(after=None)),
        partial=wants_partial(request),
    )
    if context["partial"]:  # a filter change: every option's count, for site.js to write into those shown
        counts = {name: group.counts() for name, group in facets.items()}
        context["facet_counts"] = json.dumps(counts, separators=(",", ":"))
        template = "chronology.html#more" if query.after and not query.problems else "chronology.html#results"
    else:
        template = "chronology.html"
    return render(request, template, context, status=400 if query.problems else 200)


def facet_options(request, name, version):
    """One filter's options with their counts for a state: what a long facet (the actors) loads the first
    time it opens and, without JavaScript, a page whose form applies them to the same state."""
    query = EventQuery.from_request(request, version)
    shown = query.readable_part() or query  # as the chronology counts a state with unreadable dates
    group = shown.facets().get(name)
    if group is None:
        raise Http404("No such filter.")
    context = {
        "group": group,
        "problems": query.problems,
        "active": shown.active_filters(),
        "kept": [(key, value) for key, value in query.pairs if key not in (name, "after")],
        "start_link": query.link(after=None),
    }
    template = "facet.html#options" if wants_partial(request) else "facet.html"
    return render(request, template, context, status=400 if query.problems else 200)


def chart(request, version):
    """The chart alone, for another window of the same state: what the script asks for on zoom and pan."""
    query = EventQuery.from_request(request, version)
    shown = query.readable_part() or query
    context = {"chart": chart_of(shown, refine=True), "page_slugs": ()}
    return render(request, "chart.html#chart", context, status=400 if query.problems else 200)


def embed(request, version):
    """A compact, chrome-free chronology for an iframe on another site (urls.py lets it be framed)."""
    query = EventQuery.from_request(request, version)
    context = {**listing_context(query), "page_size": PAGE_SIZE}
    return render(request, "embed.html", context, status=400 if query.problems else 200)


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.with_related(), slug=slug)
    found = corrections([event.pk], known=[event])
    context = {"event": event, "corrections": found, "site_url": site_base(request)}
    return render(request, "event_detail.html", context)


def event_part(request, slug, version):
    """An event's statements, facts and citations: what its collapsed entry in a listing loads when opened.

    Listings ship each event's summary line and a link to its permalink, which shows the same text
    without JavaScript; `q` marks the searched words as the listing marks them."""
    form = SearchWordsForm(request.GET)
    if not form.is_valid():
        problems = " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    event = get_object_or_404(Event.objects.with_related(), slug=slug)
    words = search.terms(search.parse(form.cleaned_data["q"], event_index(version).vocab.synonyms))
    context = {"event": event, "words": words, "site_url": site_base(request)}
    return render(request, "events.html#detail", context)


class SearchWordsForm(forms.Form):
    q = forms.CharField(required=False, max_length=ListingForm.base_fields["q"].max_length)


def corrections_list(request, version):
    """The corrections of the events a chronology state selects, newest first; the newest LIST_LIMIT."""
    query = EventQuery.from_request(request, version, paged=False)
    context = {"query": query, "problems": query.problems, "limit": LIST_LIMIT}
    if not query.problems:
        found = corrections(query.ids(order="reading"))
        context.update(corrections=found[:LIST_LIMIT], total=len(found), filtered=bool(query.pairs))
    return render(request, "corrections.html", context, status=400 if query.problems else 200)


def actor_detail(request, slug, version):
    actor, aliases = actor_with_aliases(slug)
    # The event index names the actor's first events; one query reads them and the events its description cites.
    index = event_index(version)
    first = [index.ids[pos] for pos in index.first(index.any_of("actor", [str(actor.pk)]), PAGE_SIZE + 1)]
    cited = ActorStatement.citations.through.objects.filter(actorstatement__actor=actor.pk).values("citation__event")
    fetched = {event.pk: event for event in Event.objects.filter(Q(pk__in=first) | Q(pk__in=cited)).with_related()}
    involved = [fetched[pk] for pk in first if pk in fetched]
    events = involved[:PAGE_SIZE]
    known = [citation for event in fetched.values() for citation in event.citations.all()]
    context = {
        "actor": actor,
        "aliases": aliases,
        "notes": own_footnotes(actor, known),
        "events": events,
        "groups": group_events(events),
        "more": len(involved) > PAGE_SIZE,
        "site_url": site_base(request),
    }
    return render(request, "actor_detail.html", context)


def actor_with_aliases(slug):
    """The actor and its aliases, in one query (one row per alias)."""
    columns = ["id", "slug", "name", "kind", "description"]
    rows = list(Actor.objects.filter(slug=slug).values(*columns, "aliases__name", "aliases__garbled"))
    if not rows:
        raise Http404("No such actor.")
    actor = Actor(**{name: rows[0][name] for name in columns})
    aliases = [
        Alias(name=row["aliases__name"], garbled=row["aliases__garbled"]) for row in rows if row["aliases__name"]
    ]
    return actor, sorted(aliases, key=lambda alias: alias.name)


def actor_index(request):
    return render(request, "actor_index.html", {"actors": Actor.objects.prefetch_related("aliases")})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    statements = Prefetch("eventstatements", queryset=EventStatement.objects.order_by("position"))
    citations = source.citations.select_related("event").prefetch_related(statements).order_by("start", "end")
    citations = list(citations[:2000])
    context = {"source": source, "citations": citations, "passages": cited_passages(citations)}
    context.update(pieces=article_pieces(source.text, citations), site_url=site_base(request))
    return render(request, "source_detail.html", context)


def source_index(request):
    return render(request, "source_index.html", {"sources": Source.objects.all(), "site_url": site_base(request)})


def json_response(body, status=200):
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def events_json(request, version):
    query = EventQuery.from_request(request, version)
    if query.problems:
        return json_response({"errors": query.problems}, status=400)

    events, next_cursor = query.page(JSON_PAGE_SIZE)
    prefetch_related_objects(events, *event_parts())
    return json_response(
        {
            "count": query.count(),
            "events": [event_payload(event) for event in events],
            "next": reverse("events_json") + query.link(after=next_cursor) if next_cursor else None,
        }
    )


def actors_json(request):
    actors = [actor_payload(a) for a in Actor.objects.prefetch_related("aliases").order_by("name", "slug")]
    return json_response({"count": len(actors), "actors": actors})


def sources_json(request):
    sources = [source_payload(s) for s in Source.objects.all()]
    return json_response({"count": len(sources), "sources": sources})
