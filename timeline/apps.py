from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the corpus checks and signal receivers)
