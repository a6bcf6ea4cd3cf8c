from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from timeline.corpus.text import printable
from timeline.dataset.reload import ReloadRefused, reload, summarize
from timeline.dataset.schema import MODELS, label
from timeline.dataset.validation import FixtureError, read_fixtures
from timeline.listing.index import warm
from timeline.listing.rendering import catch_up

ACTIONS = ("create", "update", "delete", "unchanged", "kept")
PAST = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "unchanged": "unchanged",
    "kept": "kept (admin edits)",
}


def printable_lines(text):
    return "\n".join(printable(line) for line in text.split("\n"))


class Command(BaseCommand):
    help = "Validate the fixtures, then make the database match them in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite records edited in the admin since the last reload.",
        )
        parser.add_argument("--fixtures", type=Path, default=settings.FIXTURES_DIR, help="Fixture folder.")
        parser.add_argument(
            "--backup-dir",
            type=Path,
            default=settings.BASE_DIR / "backups",
            help="Where --force saves the database before overwriting admin edits.",
        )

    def handle(self, *args, dry_run, force, fixtures, backup_dir, verbosity, **options):
        backup = backup_dir / timezone.now().strftime("%Y%m%d-%H%M%S-%f") if force else None
        try:
            loaded = read_fixtures(fixtures, settings.SEEDS_DIR)
            changes = reload(loaded, force=force, dry_run=dry_run, backup_to=backup)
        except FixtureError as exc:
            raise CommandError("Fixtures refused; the database is unchanged.\n" + "\n".join(exc.problems)) from exc
        except ReloadRefused as exc:
            raise CommandError(printable_lines(str(exc))) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The database refused the reload; nothing was written.\n{printable_lines(str(exc))}"
            ) from exc

        if not dry_run:
            warm()  # the reload pays for the new data's event index, not the next reader
            catch_up()  # and renders what no writer of this release has rendered yet
        for change in changes if verbosity else ():
            if change.overwrites_edit:
                self.stdout.write(self.style.WARNING(f"Overwrote admin edit: {change}"))
        if backup is not None and backup.exists():
            self.stdout.write(f"Saved the database as it was before this reload in {backup}/")
        for change in changes if verbosity else ():
            if change.action == "kept":
                self.stdout.write(f"Kept admin edit: {change} (the fixture did not change it)")
        by_model = {}
        for change in changes:
            by_model.setdefault(change.model, []).append(change)
        for model in MODELS if verbosity > 1 else ():
            counts = summarize(by_model.get(model, []))
            shown = ", ".join(f"{counts[a]} {PAST[a]}" for a in ACTIONS if counts[a])
            self.stdout.write(f"  {label(model):24} {shown or 'none'}")
        totals = summarize(changes)
        line = ", ".join(f"{totals[a]} {PAST[a]}" for a in ACTIONS)
        prefix = "Dry run, nothing written: would have " if dry_run else "Reloaded: "
        if verbosity:
            self.stdout.write(self.style.SUCCESS(prefix + line + "."))
