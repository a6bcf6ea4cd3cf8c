"""In-process time to render the chart's markup (the `chronology.html#chart` partial) at a large corpus.

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/chart_render.py [--runs 31]

The database must already hold the corpus and the synthetic events (`manage.py reload_timeline`,
then `manage.py generate_benchmark_events --count 10000`). For each state the chart is laid out
once (chart_of, then cached as on the site), and only its markup is rendered, `--runs` times:
the median and the items drawn (in every layout) are printed. Run it on two commits to compare.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


def states(actors):
    lanes = "&".join(f"actor={slug}" for slug in actors)
    return {
        "whole story (bars by month)": "",
        "18 months (bars by week)": "view=2024-01-01..2025-06-30",
        "3 months (bars by day)": "view=2025-01-01..2025-03-31",
        "6 actor lanes (bars)": lanes,
        "6 actor lanes, 3 months": f"{lanes}&view=2025-01-01..2025-03-31",
        "one week (marks, as zoomed)": "view=2025-03-10..2025-03-16",
        "6 actor lanes, 3 weeks (marks, as zoomed)": f"{lanes}&view=2025-03-01..2025-03-21",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db.models import Count
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from timeline.models import Actor, DataVersion, Event
    from timeline.web import views

    chart_of = views.chart_of
    version = DataVersion.current()[0]
    busiest = Actor.objects.annotate(n=Count("participations")).order_by("-n").values_list("slug", flat=True)[:6]
    from timeline.listing.query import EventQuery

    print(f"{Event.objects.count():,} events; median of {args.runs} renders of the chart's markup")
    print(f"{'state':42} {'items':>6} {'ms':>8}")
    for name, params in states(list(busiest)).items():
        query = EventQuery(QueryDict(params), version)
        chart = chart_of(query, refine="as zoomed" in name)  # the fragment draws marks where bars hold few
        context = {"chart": chart, "page_slugs": ()}
        render_to_string("chart.html#chart", context)  # templates compiled, caches warm
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            render_to_string("chart.html#chart", context)
            times.append((time.perf_counter() - started) * 1000)
        drawn = len(chart.items) if hasattr(chart, "items") else sum(len(layout.items) for layout in chart.layouts)
        print(f"{name:42} {drawn:>6} {statistics.median(times):>8.2f}")


if __name__ == "__main__":
    main()
