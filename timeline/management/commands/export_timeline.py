from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from timeline.dataset.export import ExportError, ExportRefused, export


class Command(BaseCommand):
    help = (
        "Write the database back to the fixture files (Django JSON, natural keys, stable order), each "
        "atomically, and each article added in the admin to seeds/. --output must be a new folder or one "
        "holding only an earlier export; never a link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=settings.FIXTURES_DIR, help="Folder to write.")
        parser.add_argument(
            "--seeds", type=Path, default=settings.SEEDS_DIR, help="Folder of the articles (default: seeds/)."
        )

    def handle(self, *args, output, seeds, **options):
        try:
            written = export(output, seeds_dir=seeds)
        except ExportRefused as exc:
            raise CommandError(f"Export refused; nothing was written. {exc}") from exc
        except (ExportError, OSError) as exc:
            raise CommandError(f"Export stopped: {exc}") from exc
        for path in written:
            self.stdout.write(f"Wrote {path}")
