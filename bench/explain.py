"""EXPLAIN ANALYZE of the queries a listing runs, to check each index is used: writes bench/explain.md.

    .venv/bin/python bench/explain.py [--count 100000]

Starts a throwaway PostgreSQL cluster, loads the corpus plus N synthetic events, and explains
what the chronology asks the database for: the event index (once per data version), a page
of events by id, and a search's matches, unranked and ranked (best matches first), for a
narrow word, a broad one and two words.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import throwaway_cluster  # noqa: E402

SEARCHES = ["Witkoff", "Binance", "Trump pardon"]

SCRIPT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")
django.setup()
from django.db import connection
from timeline.listing.index import rows
from timeline.models import Event

with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")


def section(title, queryset):
    print(f"## {title}\\n\\n```\\n{queryset.explain(analyze=True)}\\n```\\n")


print(f"# EXPLAIN ANALYZE at {Event.objects.count():,} events (PostgreSQL)\\n")
section("The event index: every event, filter option and vocabulary term (once per data version)", rows())
first_page = list(Event.objects.order_by("sort_key", "id").values_list("id", flat=True)[:51])
section("A page of events by id (the index chose them)", Event.objects.select_related("era").filter(pk__in=first_page))
for text in SEARCHES:
    matches = Event.objects.search(text).order_by()
    section(f"“{text}”: its matches, unranked ({matches.count():,})", matches.values_list("id", flat=True))
    section(f"“{text}”: its matches, best first", matches.by_relevance(text).values_list("id", flat=True))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with throwaway_cluster(dbname="bench") as url:
        env = {**os.environ, "DATABASE_URL": url}
        for command in (
            ["migrate", "--noinput"],
            ["reload_timeline"],
            ["generate_benchmark_events", "--count", str(args.count)],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        out = subprocess.run(
            [sys.executable, "-c", f"SEARCHES = {SEARCHES!r}\n" + SCRIPT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    (ROOT / "bench" / "explain.md").write_text(out)
    print(out[:2000])


if __name__ == "__main__":
    main()
