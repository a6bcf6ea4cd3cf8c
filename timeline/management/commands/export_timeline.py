from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from timeline.fixtures import ExportRefused, export


class Command(BaseCommand):
    help = (
        "Write the database back to the fixture files (Django JSON, natural keys, stable order), each "
        "atomically. --output must be a new folder or one holding only an earlier export; never a link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=settings.FIXTURES_DIR, help="Folder to write.")

    def handle(self, *args, output, **options):
        try:
            written = export(output)
        except (ExportRefused, OSError) as exc:
            raise CommandError(f"Export refused; nothing was written. {exc}") from exc
        for path in written:
            self.stdout.write(f"Wrote {path}")
