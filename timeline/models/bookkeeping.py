"""Bookkeeping, not corpus: what a reload wrote, the data version, each event's stored HTML and searched words."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from timeline.models.events import Event


class LoadedRecord(models.Model):
    """What reload_timeline last wrote for a record, so later admin edits can be told apart."""

    model = models.CharField(max_length=50)
    key = models.TextField(
        help_text="The record's natural key, as JSON (any length: JSON escapes each Cyrillic letter)."
    )
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="loaded_record_unique")]

    def __str__(self):
        return f"{self.model} {self.key}"


class DataVersion(models.Model):
    """One row whose token changes whenever the corpus does: the source of cache keys, ETags and Last-Modified.

    Database triggers rewrite it (see caching.py), so no code path has to remember to.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"version {self.token} at {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def current(cls):
        """(token, changed_at), or ("none", None) in a database with no data yet."""
        return cls.objects.filter(pk=1).values_list("token", "changed_at").first() or ("none", None)


class EventRendering(models.Model):
    """An event's HTML as the chronology shows it (no searched words marked), kept up to date on write.

    A first-time filter state shows events no reader asked for before; rendering fifty of them
    costs more than the rest of the request. The writer that changes an event, or anything it
    shows (an actor's name, a source's title, an era, a category), renders it again in the same
    transaction (signals.py). `release` is the code that rendered it: after a deploy, readers
    render live until ``manage.py render_events`` has caught up. Bookkeeping, not corpus: no
    data-version trigger, no history, no fixture.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="rendering")
    release = models.CharField(max_length=64)
    html = models.TextField()
    marks = models.JSONField(null=True, help_text="Where a search marks words in the HTML (rendering.py).")

    def __str__(self):
        return f"rendering of event {self.event_id}"


class EventWords(models.Model):
    """An event's searched words without their positions (PostgreSQL only; empty on SQLite): a narrow table
    a search's matches are read from in a fraction of the time the events' own rows take (listing/search.py).

    Derived from ``Event.search_vector`` wherever the search index is written; a GIN index (migration
    0014) serves rare words, a scan of the table common ones. Bookkeeping, not corpus:
    no data-version trigger, no history, no fixture.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="+")
    words = SearchVectorField(help_text="strip(search_vector): the lexemes alone.")

    def __str__(self):
        return f"words of event {self.event_id}"
