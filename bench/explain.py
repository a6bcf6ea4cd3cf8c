"""EXPLAIN ANALYZE of the queries a listing runs, to check each index is used: writes bench/explain.md.

    .venv/bin/python bench/explain.py [--count 100000]

Starts a throwaway PostgreSQL cluster, loads the corpus plus N synthetic events, and explains
what the chronology asks the database for: the event index and its words' postings (once per
data version), a page of events by id, and what a first-time search asks: for words, only their
stems (listing/words.py answers the rest from memory), for a narrow word, a broad one and two
words; for a phrase, its matches (unranked: the count and the facets) and its first page's best
matches (the RUM index's order, with a LIMIT). `--url` explains an existing benchmark database instead.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import throwaway_cluster  # noqa: E402

SEARCHES = ["Witkoff", "Binance", "Trump pardon", "Binance.US", '"Trump pardons"']

SCRIPT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")
django.setup()
from django.db import connection
from timeline.listing import search
from timeline.listing import words
from timeline.listing.index import rows
from timeline.listing.paging import PAGE_SIZE
from timeline.models import Event, stored_synonyms

with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")


def section(title, queryset):
    print(f"## {title}\\n\\n```\\n{queryset.explain(analyze=True)}\\n```\\n")


def raw_section(title, sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = "\\n".join(row[0] for row in cursor.fetchall())
    print(f"## {title}\\n\\n```\\n{plan}\\n```\\n")


print(f"# EXPLAIN ANALYZE at {Event.objects.count():,} events (PostgreSQL)\\n")
section("The event index: every event, filter option and vocabulary term (once per data version)", rows())
raw_section(
    "The event index's words: each lexeme's postings (once per data version, PostgreSQL)",
    words.POSTINGS_SQL.format(table=Event._meta.db_table),
)
first_page = list(Event.objects.order_by("sort_key", "id").values_list("id", flat=True)[:51])
section("A page of events by id (the index chose them)", Event.objects.select_related("era").filter(pk__in=first_page))
for text in SEARCHES:
    groups = search.parse(text, stored_synonyms())
    if all(len(terms) == 1 for group in groups for terms in group.terms):
        typed = sorted({terms[0].lower() for group in groups for terms in group.terms})
        raw_section(
            f"“{text}”: its words' stems, all a search of words asks (matches and ranking from memory)",
            words.STEMS_SQL,
            [typed],
        )
        continue
    matches = search.matching_ids(Event, groups)
    section(f"“{text}”: its matches, unranked: the count and the facets ({matches.count():,})", matches)
    query = search.postgres_query(groups)
    best = Event.objects.filter(search_vector=query).annotate(distance=search.Distance("search_vector", query))
    section(
        f"“{text}”: a first page's best matches, in the RUM index's order (up to {search.TIES_READ} × "
        f"{PAGE_SIZE + 1} read, for ties)",
        best.order_by("distance").values_list("id", "distance", "importance")[: search.TIES_READ * (PAGE_SIZE + 1)],
    )
"""


def explain(url):
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-c", f"SEARCHES = {SEARCHES!r}\n" + SCRIPT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--url", help="an existing benchmark database (PostgreSQL) to explain instead")
    args = parser.parse_args()
    if args.url:
        out = explain(args.url)
    else:
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
            out = explain(url)
    (ROOT / "bench" / "explain.md").write_text(out)
    print(out[:2000])


if __name__ == "__main__":
    main()
