import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from timeline.dataset.synthetic import generate
from timeline.listing.index import warm


class Command(BaseCommand):
    help = "Fill a benchmark database with N synthetic events (marked as such). Refuses the corpus database."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Synthetic events the database should hold.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, count, seed, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name.rsplit("/", 1)[-1]:
            raise CommandError(
                f"Refusing to add synthetic events to {name!r}: use a database whose name contains 'bench' "
                "(e.g. DATABASE_URL=sqlite:///bench/out/bench.sqlite3), never the corpus database."
            )
        if count < 0 or count > 1_000_000:
            raise CommandError("--count must be between 0 and 1,000,000.")
        started = time.monotonic()
        try:
            added = generate(count, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        warm()
        self.stdout.write(f"Added {added} synthetic events ({count} in all) in {time.monotonic() - started:.1f} s.")
