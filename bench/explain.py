"""EXPLAIN ANALYZE of the hot queries, to check each index is used: writes bench/explain.md.

    .venv/bin/python bench/explain.py [--count 100000]

Starts a throwaway PostgreSQL cluster, loads the corpus plus N synthetic events, and runs
the queries the chronology issues for typical filter states.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import throwaway_cluster  # noqa: E402

STATES = [
    "",
    "actor=changpeng-zhao",
    "from=2019&to=2020",
    "q=Witkoff",
    "certainty=denied",
    "category=pardon",
    "source=trump-defends-cz-pardon",
    "era=pardon",
    "actor=changpeng-zhao&from=2019&to=2025&q=Binance",
]

SCRIPT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
django.setup()
from django.db import connection
from django.http import QueryDict
from timeline.filters import EventFilter
from timeline.models import DataVersion, Event
from timeline.vocab import vocabularies

with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
vocab = vocabularies(DataVersion.current()[0])
print(f"# EXPLAIN ANALYZE at {Event.objects.count():,} events (PostgreSQL)\\n")
for state in STATES:
    f = EventFilter(QueryDict(state), queryset=Event.objects.all(), vocab=vocab)
    assert f.is_valid(), f.errors
    page = f.qs[:51]
    print(f"## `?{state}` — the page of events\\n\\n```\\n{page.explain(analyze=True)}\\n```\\n")
    if f.form.cleaned_data.get("q"):
        ids = Event.objects.search(f.form.cleaned_data["q"]).values_list("id", flat=True).explain(analyze=True)
        print(f"## `?{state}` — the search (its ids feed the event index)\\n\\n```\\n{ids}\\n```\\n")
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
            [sys.executable, "-c", f"STATES = {STATES!r}\n" + SCRIPT],
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
