"""First-time filter states: the list, and their cost in-process with the caches empty.

    python bench/cold.py [--budget SECONDS] [--passes-only]   (DATABASE_URL: the benchmark database; prints JSON)

A reader exploring the timeline almost never repeats a state, so each state here is asked
once: every full page after clearing the cache, then every htmx fragment after clearing it
again. Before each pass one unrelated request ("/") fills the vocabularies, as any reader
before them would have. A third pass asks every full page once more, the cache cleared again,
with each step of the view timed (`parts_pass`); then each search word's match and ranking are
timed alone (`matching_alone`: the database's queries, or on PostgreSQL the index's words).
bench/run.py drives the same states over HTTP, and runs the two passes again in fresh processes
(--passes-only), so that each state is first-time in each (a process remembers a search's stems).
"""

import argparse
import functools
import json
import os
import re
import statistics
import sys
import time
from contextlib import ExitStack
from itertools import islice, product
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from timeline.dataset.synthetic import PREFIX  # noqa: E402
from timeline.listing import search  # noqa: E402
from timeline.listing.index import event_index  # noqa: E402
from timeline.listing.paging import PAGE_SIZE  # noqa: E402
from timeline.listing.query import EventQuery  # noqa: E402
from timeline.models import Actor, Category, DataVersion, Event, stored_synonyms  # noqa: E402
from timeline.project.worker import start  # noqa: E402
from timeline.web import views  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from drive import by_kind, percentiles, state_kind  # noqa: E402
from search_queries import QUERIES, first_results, success  # noqa: E402

STOP_WORDS = {"about", "after", "against", "before", "their", "these", "which", "while", "would", "under"}


def corpus_words(limit):
    """Distinct words of five letters or more from the corpus's own event titles (not the synthetic ones)."""
    words = {}
    for title in Event.objects.exclude(slug__startswith=PREFIX).order_by("pk").values_list("title", flat=True):
        for word in re.findall(r"[A-Za-z]{5,}", title):
            if word.lower() not in STOP_WORDS:
                words.setdefault(word.lower(), None)
    return list(words)[:limit]


def years(count):
    span = Event.objects.aggregate(first=Min("date"), last=Max("date"))
    first, last = span["first"].year, span["last"].year
    step = max(1, (last - first) // max(1, count - 1))
    return list(range(last, first - 1, -step))[:count]


def states():
    """At least 50 distinct query strings: actor × year, category × certainty, single words, two facets."""
    busiest = Actor.objects.annotate(n=Count("participations")).order_by("-n", "slug")
    corpus_actors = busiest.exclude(slug__startswith=PREFIX).values_list("slug", flat=True)[:6]
    actors = list(dict.fromkeys([*corpus_actors[:3], *busiest.values_list("slug", flat=True)[:3], *corpus_actors]))[:6]
    categories = list(Category.objects.order_by("slug").values_list("slug", flat=True))
    certainties = [c for c, _ in Event.Certainty.choices]
    found = [f"actor={a}&from={y}&to={y}" for a, y in product(actors, years(4))]
    found += [f"category={c}&certainty={k}" for c, k in islice(product(categories, certainties), 16)]
    found += [f"q={word}" for word in corpus_words(15)]
    found += [f"actor={actors[i % len(actors)]}&category={categories[i % len(categories)]}" for i in range(10)]
    return list(dict.fromkeys(found))


def one_pass(client, paths, headers, deadline):
    cache.clear()
    client.get("/")
    timed, queries, statuses = [], [], set()
    for path in paths:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        timed.append((path, (time.perf_counter() - started) * 1000))
        queries.append(len(captured))
        statuses.add(response.status_code)
    times = [ms for _, ms in timed]
    return {
        **percentiles(times),
        "by_kind": by_kind(timed),
        "queries_max": max(queries, default=0),
        "statuses": sorted(statuses),
        "ms": [round(ms, 2) for ms in times],
    }


# Where a listing's time goes: each step of the chronology view, by the function that does it.
PARTS = {
    "events": (EventQuery, "page"),  # the page's events: the index, a search's ranked query, one fetch
    "their HTML": (views, "attach_html"),  # stored HTML, with a search's words marked
    "facets": (EventQuery, "facets"),
    "chart": (views, "chart_of"),
    "template": (views, "render"),
}


def timing(spent, name, function):
    """`function`, adding the milliseconds each call takes to spent[name]."""

    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + (time.perf_counter() - started) * 1000

    return timed


def parts_by_kind(rows):
    """{kind: {part: median ms, "the rest": …, "total": …, "n": states}} of [(path, {part: ms, "total": ms})].

    "The rest" is what no part accounts for: the middleware, reading the state, counting its matches.
    """
    kinds = {}
    for path, spent in rows:
        rest = spent["total"] - sum(spent.get(name, 0.0) for name in PARTS)
        kinds.setdefault(state_kind(path), []).append({**spent, "the rest": rest})
    return {
        kind: {
            **{
                name: round(statistics.median(state.get(name, 0.0) for state in found), 2)
                for name in [*PARTS, "the rest", "total"]
            },
            "n": len(found),
        }
        for kind, found in sorted(kinds.items())
    }


def parts_pass(client, paths, deadline):
    """Each full page once more, caches empty again, with each part of the view timed: where a
    first-time state's time goes. A pass of its own, so that the timers cost the other passes nothing."""
    spent, rows = {}, []
    with ExitStack() as patches:
        for name, (owner, attribute) in PARTS.items():
            patches.enter_context(mock.patch.object(owner, attribute, timing(spent, name, getattr(owner, attribute))))
        cache.clear()
        client.get("/")
        for path in paths:
            if time.monotonic() > deadline:
                break
            spent.clear()
            started = time.perf_counter()
            client.get(path)
            rows.append((path, {**spent, "total": (time.perf_counter() - started) * 1000}))
    return parts_by_kind(rows)


def matching_alone(paths, repeats=3):
    """For each search state, what finds its matches (ids only, unranked: the count and the facets) and
    what ranks its first page (the best PAGE_SIZE + 1), each timed alone, medians of `repeats`: the
    database's queries, or on PostgreSQL for a search of words the event index's words (listing/words.py),
    its stems asked again each time, as a first-time search asks them."""
    found = []
    synonyms = stored_synonyms()
    index = event_index(DataVersion.current()[0])
    for path in paths:
        word = parse_qs(urlsplit(path).query).get("q", [None])[0]
        if not word:
            continue
        groups = search.parse(word, synonyms)
        matching, ranked, count, how = [], [], 0, "database"
        for _ in range(repeats):
            if index.words is not None:
                index.words.__dict__.pop("_stems", None)
            started = time.perf_counter()
            compiled = index.words.compile(groups) if index.words is not None else None
            if compiled is not None:
                count, how = compiled.matches().bit_count(), "memory"
                matching.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                compiled.best(index.everything, 0, PAGE_SIZE + 1)
            else:
                count = len(list(search.matching(Event.objects.order_by(), groups).values_list("id", flat=True)))
                matching.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                search.ranked(Event, groups, PAGE_SIZE + 1)
            ranked.append((time.perf_counter() - started) * 1000)
        found.append(
            {
                "word": word,
                "matches": count,
                "how": how,
                "ms": round(statistics.median(matching), 1),
                "ranked_ms": round(statistics.median(ranked), 1),
            }
        )
    return sorted(found, key=lambda row: -row["ms"])


def relevance(client):
    """The query set (tests/search_queries.py) on this database: success at 1 and at 3 of its searches,
    asked as a reader does (/events.json, best matches first). At scale, synthetic events compete."""
    results = first_results(
        lambda query: [event["slug"] for event in client.get("/events.json", {"q": query}).json()["events"]]
    )
    return {"queries": len(QUERIES), "at_1": round(success(results, 1), 3), "at_3": round(success(results, 3), 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=300, help="seconds for each of the two passes")
    parser.add_argument("--passes-only", action="store_true", help="only the page and fragment passes (a repeat)")
    args = parser.parse_args()
    setup_test_environment()
    start()  # as a gunicorn worker does (gunicorn.conf.py)
    client = Client()
    paths = ["/?" + state for state in states()]
    page = one_pass(client, paths, {}, time.monotonic() + args.budget)
    fragment = one_pass(client, paths, {"HX-Request": "true"}, time.monotonic() + args.budget)
    if args.passes_only:
        print(json.dumps({"paths": paths, "page": page, "fragment": fragment}))
        return
    parts = parts_pass(client, paths, time.monotonic() + args.budget)
    floor = matching_alone(paths)
    found = {"events": Event.objects.count(), "paths": paths, "page": page, "fragment": fragment}
    print(json.dumps({**found, "parts": parts, "matching": floor, "relevance": relevance(client)}))


if __name__ == "__main__":
    main()
