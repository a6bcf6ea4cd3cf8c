"""What each cache layer buys: the same first-time and repeated states with every layer, then without each.

    python bench/layers.py [--states N]   (DATABASE_URL: the benchmark database; prints JSON)

A layer is either a kind of cache entry (the third part of every key, cache.versions.cache_key)
or the HTML each event is stored with (listing/rendering.py). Turning one off makes the cache
miss and keep nothing for its keys, or makes every event render live; everything else stays.
Each configuration asks the same states: once each as a fragment, then as a page, with the
caches emptied before each of these passes (first time); then each page again (repeated); then
each search with a filter added (a reader refining it) and misspelled (no match: "did you mean"). Times are wall
and CPU milliseconds in-process, so a busy machine shows in the first and much less in the second.
"""

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")

from cold import states  # noqa: E402  (sets Django up)
from django.core.cache import caches  # noqa: E402
from django.core.cache.backends.base import DEFAULT_TIMEOUT  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from timeline.listing import rendering, spelling  # noqa: E402
from timeline.models import Category, Event  # noqa: E402
from timeline.project.worker import start  # noqa: E402

# Each layer the code keeps besides the data-version ETag, and how to do without it.
LAYERS = {
    "stored responses": {"response"},
    "search matches": {"search", "ranked"},
    "corpus words (did you mean)": {"words"},
    "stored event HTML": "stored html",
}


def kind_of(key):
    parts = str(key).split(":")
    return parts[2] if len(parts) > 2 else ""


def without(kinds):
    """Patches making the default cache miss, and keep nothing, for keys of these kinds."""
    backend = caches["default"]
    get, get_many, set_, set_many = backend.get, backend.get_many, backend.set, backend.set_many

    def cache_get(key, default=None, version=None):
        return default if kind_of(key) in kinds else get(key, default, version)

    def cache_get_many(keys, version=None):
        return get_many([k for k in keys if kind_of(k) not in kinds], version)

    def cache_set(key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if kind_of(key) not in kinds:
            return set_(key, value, timeout, version)

    def cache_set_many(data, timeout=DEFAULT_TIMEOUT, version=None):
        return set_many({k: v for k, v in data.items() if kind_of(k) not in kinds}, timeout, version)

    return [
        mock.patch.object(backend, "get", cache_get),
        mock.patch.object(backend, "get_many", cache_get_many),
        mock.patch.object(backend, "set", cache_set),
        mock.patch.object(backend, "set_many", cache_set_many),
    ]


def timed_pass(client, paths, headers, clear):
    if clear:
        caches["default"].clear()
        client.get("/")
    wall, cpu, statuses = [], [], set()
    for path in paths:
        started, started_cpu = time.perf_counter(), time.process_time()
        statuses.add(client.get(path, headers=headers).status_code)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {"wall": summary(wall), "cpu": summary(cpu), "statuses": sorted(statuses)}


def summary(values):
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1), "n": len(ordered)}


def configuration(client, paths, off):
    with ExitStack() as patches:
        if off == "stored html":
            patches.enter_context(mock.patch.object(rendering, "stored", lambda event_ids, words=(): {}))
        elif off:
            for patch in without(off):
                patches.enter_context(patch)
            if "words" in off:  # and the vocabulary this process made from them, made again each time
                patches.enter_context(mock.patch.object(spelling, "near_words", spelling.vocabulary))
        searches = [path for path in paths if "q=" in path]
        return {
            "first fragment": timed_pass(client, paths, {"HX-Request": "true"}, clear=True),
            "first page": timed_pass(client, paths, {}, clear=True),
            "repeated page": timed_pass(client, paths, {}, clear=False),
            "search refined": timed_pass(client, [f"{path}&{refinement()}" for path in searches], {}, clear=False),
            "misspelled search": timed_pass(client, [misspelled(path) for path in searches], {}, clear=False),
        }


def refinement():
    """A filter a reader adds to a search they made: its results' most common category."""
    return "category=" + Category.objects.annotate(n=Count("events")).order_by("-n", "slug")[0].slug


def misspelled(path):
    """The search with its word's last two letters swapped: no match, so the page offers the nearest word."""
    word = path.rsplit("q=", 1)[1]
    return path.rsplit("q=", 1)[0] + "q=" + word[:-2] + word[-1] + word[-2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--states", type=int, default=30, help="how many of bench/cold.py's states")
    args = parser.parse_args()
    setup_test_environment()
    start()
    client = Client()
    every = states()
    paths = ["/?" + state for state in every[:: max(1, len(every) // args.states)][: args.states]]
    found = {"events": Event.objects.count(), "states": len(paths), "all kept": configuration(client, paths, None)}
    for name, off in LAYERS.items():
        found[f"without {name}"] = configuration(client, paths, off)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
