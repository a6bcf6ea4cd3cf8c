"""Events: when each happened as far as the articles say, in reading order, and who took part."""

from functools import cache

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from timeline.corpus.dates import DatePrecision, format_partial_date, period_end
from timeline.corpus.footnotes import footnoted
from timeline.listing import search as full_text
from timeline.models.common import DATE, LINE, TEXT, CitationIds, SlugManager, related, related_model
from timeline.models.vocabulary import Actor, Category, Era, Synonym


class EventQuerySet(models.QuerySet):
    def chronological(self):
        """Reading order (see Event.reading_order); undated events last."""
        return self.order_by(models.F("sort_key").asc(nulls_last=True), "id")

    def search(self, text, synonyms=None):
        """Events whose title, summary, quotes or actor names and aliases hold every word (see listing/search.py).

        `synonyms`: the (words, means) pairs to expand it with; by default the Synonym records."""
        return full_text.matching(self, full_text.parse(text, stored_synonyms(synonyms)))

    def by_relevance(self, text, synonyms=None):
        """Best matches first (see listing/search.py); each event's `distance` from the search is kept."""
        return full_text.ordered(self, full_text.parse(text, stored_synonyms(synonyms)))

    def refresh_search(self):
        """Rebuild search_text and the search index from the events' current parts."""
        events = list(self.prefetch_related("citations", "participations__actor__aliases"))
        for event in events:
            parts = [event.title, event.summary]
            parts += [c.quote for c in event.citations.all()]
            for participation in event.participations.all():
                parts.append(participation.actor.name)
                parts += [alias.name for alias in participation.actor.aliases.all()]
            event.search_text = "\n".join(parts)
        Event.objects.bulk_update(events, ["search_text"], batch_size=500)
        full_text.index(Event, events)
        return len(events)

    def refresh_reading_order(self):
        """Recompute every event's sort_key, followers after what they follow; returns how many changed."""
        events = {e.pk: e for e in Event.objects.only("id", "date", "date_precision", "follows_id", "sort_key")}
        keys = {}

        def key_of(event, depth=0):
            if event.pk not in keys:
                followed = events.get(event.follows_id)
                if followed is None or depth > MAX_FOLLOWS_DEPTH:
                    keys[event.pk] = event.own_reading_order()
                else:
                    keys[event.pk] = follower_key(key_of(followed, depth + 1))
            return keys[event.pk]

        changed = []
        for event in events.values():
            if key_of(event) != event.sort_key:
                event.sort_key = keys[event.pk]
                changed.append(event)
        Event.objects.bulk_update(changed, ["sort_key"], batch_size=1000)
        return len(changed)

    def with_related(self):
        return self.select_related(*term_keys()).prefetch_related(*event_parts())


def stored_synonyms(synonyms=None):
    """The synonyms given, or else those curators keep (Synonym records) as (words, means) pairs."""
    return synonyms if synonyms is not None else list(Synonym.objects.values_list("words", "means"))


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


@cache
def term_keys():
    """The event's own foreign keys to the terms it is filed under (its era): fetched with the event.
    Fixed by the model; read once its relations are resolved."""
    return tuple(f.name for f in Event._meta.concrete_fields if f.many_to_one and f.related_model is not Event)


@cache
def term_sets():
    """The event's own sets of terms (its categories), as against its actors, who each have a role."""
    return tuple(f.name for f in Event._meta.many_to_many if f.remote_field.through._meta.auto_created)


def event_parts(categories=True):
    """The prefetches an event needs to be shown: its sets of terms, actors with roles, citations with
    sources, statements (its categories may instead come from the event index: index.py)."""
    return [
        *(name for name in term_sets() if categories or name != "categories"),
        models.Prefetch("participations", queryset=Participation.objects.select_related("actor")),
        models.Prefetch("citations", queryset=related_model(Event, "citations").objects.select_related("source")),
        models.Prefetch(
            "statements",
            queryset=related_model(Event, "statements")
            .objects.order_by("position")
            .annotate(citation_ids=CitationIds()),
        ),
    ]


MAX_FOLLOWS_DEPTH = 8


def follower_key(key):
    """The sort key of an event placed right after the event whose key this is (None: undated, last)."""
    return None if key is None else f"{key}+"


class Event(models.Model):
    class DateBasis(models.TextChoices):
        STATED = "stated", "Stated in the text"
        INFERRED = "inferred", "Inferred from the text"
        EXTERNAL = "external", "From outside the articles"
        UNDATED = "undated", "No date in the articles"

    class Certainty(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        REPORTED = "reported", "Reported"
        ALLEGED = "alleged", "Alleged"
        DENIED = "denied", "Denied"
        SPECULATIVE = "speculative", "Speculative"

    class Importance(models.IntegerChoices):
        MINOR = 1, "Minor"
        NOTABLE = 2, "Notable"
        MAJOR = 3, "Major"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200, validators=LINE)
    summary = models.TextField(blank=True, editable=False, validators=TEXT, help_text="Its statements, joined.")
    date = models.DateField(
        null=True, blank=True, validators=DATE, help_text="First day of the period for month or year precision."
    )
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    end_date = models.DateField(null=True, blank=True, validators=DATE)
    latest_date = models.DateField(
        null=True, editable=False, help_text="Last day the event may cover, for date-range filters."
    )
    sort_key = models.CharField(max_length=40, null=True, editable=False)  # noqa: DJ001 (NULL sorts undated last)
    search_text = models.TextField(editable=False, default="", help_text="Title, summary, quotes, names, aliases.")
    search_vector = SearchVectorField(null=True, editable=False, help_text="search_text, parsed (PostgreSQL only).")
    date_basis = models.CharField(max_length=8, choices=DateBasis.choices)
    date_note = models.TextField(
        blank=True, validators=TEXT, help_text="How the date was resolved, when not stated outright."
    )
    certainty = models.CharField(max_length=12, choices=Certainty.choices)
    importance = models.PositiveSmallIntegerField(choices=Importance.choices, default=Importance.NOTABLE)
    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="events")
    categories = models.ManyToManyField(Category, related_name="events", blank=True)
    actors = models.ManyToManyField(Actor, through="Participation", related_name="events")
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
        help_text=(
            "The event this one comes right after, when its date cannot say so: a sentence before the prison "
            "term, a report before its denial. A dated event may follow only an event of its own period."
        ),
    )

    objects = EventManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("summary", "latest_date", "sort_key", "search_text", "search_vector")

    history = HistoricalRecords(
        excluded_fields=["latest_date", "sort_key", "search_text", "search_vector"], m2m_fields=[categories]
    )

    class Meta:
        ordering = [models.F("sort_key").asc(nulls_last=True), "id"]
        indexes = [
            models.Index(fields=["sort_key", "id"], name="event_reading_order"),
            models.Index(fields=["date"], name="event_date"),
            models.Index(fields=["latest_date"], name="event_latest_date"),
            models.Index(fields=["certainty", "sort_key"], name="event_certainty"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("event_detail", args=[self.slug])

    @property
    def date_display(self):
        return format_partial_date(self.date, self.date_precision)

    @property
    def is_disputed(self):
        return any(c.stance == "disputes" for c in self.citations.all())

    @property
    def source_count(self):
        return len({c.source_id for c in self.citations.all()})

    def save(self, *args, **kwargs):
        old_key = self.sort_key
        self.fill_derived()
        super().save(*args, **kwargs)
        if self.sort_key != old_key and self.followers.exists():
            Event.objects.refresh_reading_order()

    def fill_derived(self):
        """Set the fields derived from the date, which filters and ordering use."""
        last = self.end_date or self.date
        self.latest_date = period_end(last, self.date_precision) if last else None
        self.sort_key = self.reading_order()

    def own_reading_order(self):
        """The key from the date alone: the first day of the period, then coarser first on one date.

        Eras play no part: they are labels along the time line, never groups that reorder it.
        """
        if self.date is None:
            return None
        rank = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1}.get(self.date_precision, 2)
        return f"{self.date:%Y-%m-%d}|{rank}"

    def reading_order(self):
        """A sortable key: an event that follows another sorts right after it, else by its own date."""
        if self.follows_id is None:
            return self.own_reading_order()
        followed = Event.objects.filter(pk=self.follows_id).values_list("sort_key", flat=True).first()
        return follower_key(followed)

    @property
    def end_date_display(self):
        return format_partial_date(self.end_date, self.date_precision)

    @property
    def category_list(self):
        """Its categories: from the event index when a listing attached them (index.py), else the database."""
        if "indexed_categories" in self.__dict__:
            return self.indexed_categories
        return list(self.categories.all())

    def footnotes(self):
        """Statements with numbered markers into this event's citation list (see footnoted)."""
        return footnoted(list(self.statements.all()), list(self.citations.all()))

    def clean(self):
        errors = {}
        if self.date is None:
            if self.date_precision != DatePrecision.UNKNOWN:
                errors["date_precision"] = "An undated event has precision 'unknown'."
            if self.date_basis != self.DateBasis.UNDATED:
                errors["date_basis"] = "An undated event has basis 'undated'."
            if self.end_date is not None:
                errors["end_date"] = "An undated event cannot have an end date."
        else:
            if self.date_precision == DatePrecision.UNKNOWN:
                errors["date_precision"] = "A dated event needs a day, month or year precision."
            elif not DatePrecision.is_period_start(self.date, self.date_precision):
                errors["date"] = "For month or year precision, the date is the first day of the period."
            if self.date_basis == self.DateBasis.UNDATED:
                errors["date_basis"] = "A dated event needs a basis: stated, inferred or external."
            if self.date_basis in (self.DateBasis.INFERRED, self.DateBasis.EXTERNAL) and not self.date_note:
                errors["date_note"] = "Say how an inferred or external date was resolved."
            if self.end_date is not None and self.end_date < self.date:
                errors["end_date"] = "The end date is before the start date."
        if self.follows_id is not None and not errors:
            problem = follows_problem(self, self.follows)
            if problem:
                errors["follows"] = problem
        if errors:
            raise ValidationError(errors)


def follows_problem(event, followed):
    """Why `event` cannot follow `followed` (itself, a cycle, too long a chain, another period), or None.

    Used by the admin (Event.clean) and the fixture check alike; `followed` is any object
    with slug, date, date_precision and follows (an Event, or a fixture record's view).
    """
    seen, current = {event.slug}, followed
    for _ in range(MAX_FOLLOWS_DEPTH + 1):
        if current is None:
            break
        if current.slug in seen:
            return f"“{followed.slug}” leads back to this event: follows links may not form a cycle."
        seen.add(current.slug)
        current = current.follows
    else:
        return f"The chain of follows links from here is longer than {MAX_FOLLOWS_DEPTH}."
    if event.date is not None:
        if followed.date is None:
            return "A dated event cannot follow an undated one; date it, or leave this empty."
        last = period_end(event.end_date or event.date, event.date_precision)
        if not event.date <= followed.date <= last:
            return (
                f"“{followed.slug}” ({format_partial_date(followed.date, followed.date_precision)}) is outside "
                f"this event’s period ({format_partial_date(event.date, event.date_precision)}): "
                "an event may follow only one of its own period."
            )
    return None


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, event_slug, actor_slug):
        return self.get(event__slug=event_slug, actor__slug=actor_slug)


class Participation(models.Model):
    """An actor's part in an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=100, validators=LINE)

    objects = ParticipationManager()
    natural_key_fields = ("event", "actor")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event__slug", "actor__slug"]
        constraints = [models.UniqueConstraint(fields=["event", "actor"], name="participation_unique")]

    def __str__(self):
        return f"{related(self, 'actor')} ({self.role}) in {related(self, 'event')}"

    def natural_key(self):
        return (self.event.slug, self.actor.slug)

    natural_key.dependencies = ["timeline.event", "timeline.actor"]
