from django.core.management.base import BaseCommand

from timeline.listing import rendering
from timeline.models import Event


class Command(BaseCommand):
    help = (
        "Render and store the HTML of every event that has none from this release of the code "
        "(run after a deploy; --all renders every event again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Render every event, not only the outdated ones.")

    def handle(self, *args, all, **options):
        ids = Event.objects.values_list("pk", flat=True) if all else rendering.outdated()
        count = rendering.store(ids)
        self.stdout.write(f"Rendered {count} event{'s' if count != 1 else ''}.")
