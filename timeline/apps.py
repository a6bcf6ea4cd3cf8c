from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TimelineConfig(AppConfig):
    name = "timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from timeline.cache.versions import keep_version_triggers
        from timeline.corpus import checks  # noqa: F401  (registers the corpus checks and signal receivers)
        from timeline.curation.group import sync_curators_group
        from timeline.listing import signals  # noqa: F401  (registers the corpus checks and signal receivers)

        post_migrate.connect(sync_curators_group, sender=self)
        post_migrate.connect(keep_version_triggers, sender=self)
