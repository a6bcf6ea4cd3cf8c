from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from timeline.fixtures import export


class Command(BaseCommand):
    help = "Write the database back to the fixture files (Django JSON, natural keys, stable order)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=settings.FIXTURES_DIR, help="Folder to write.")

    def handle(self, *args, output, **options):
        for path in export(output):
            self.stdout.write(f"Wrote {path}")
