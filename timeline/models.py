"""The corpus: sources (articles), actors, events and the citations that tie them."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .articles import text_sha256
from .dates import DatePrecision, format_partial_date, period_end


class SlugManager(models.Manager):
    """Looks records up by slug, their natural key in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Source(models.Model):
    class Quality(models.TextChoices):
        STANDARD = "standard", "Standard news report"
        MACHINE_REWORDED = "machine_reworded", "Machine-reworded copy"
        SPECULATIVE = "speculative", "Speculative writing"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=200, blank=True, help_text="Only if the article itself names its publisher.")
    published = models.DateField(null=True, blank=True)
    published_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    published_note = models.TextField(blank=True, help_text="How the publication date was derived.")
    seed_file = models.CharField(
        max_length=100,
        blank=True,
        help_text="Its file in seeds/. Blank for an article added in the admin until export_timeline writes it.",
    )
    quality = models.CharField(max_length=20, choices=Quality.choices, default=Quality.STANDARD)
    quality_note = models.TextField(blank=True)
    text = models.TextField(editable=False, help_text="Read from seeds/ on every reload.")
    sha256 = models.CharField(max_length=64, blank=True, default="", editable=False, help_text="Of the text as UTF-8.")

    objects = SlugManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("text", "sha256")

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["seed_file"]
        constraints = [
            models.UniqueConstraint(
                fields=["seed_file"], condition=~models.Q(seed_file=""), name="source_seed_file_unique"
            )
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    @property
    def published_display(self):
        return format_partial_date(self.published, self.published_precision)

    def save(self, *args, **kwargs):
        """Keep sha256 in step with the text, and refuse to change the text of a cited article."""
        digest = text_sha256(self.text)
        if digest != self.sha256:
            if self.pk is not None and self.text_is_locked():
                raise TextLocked(
                    f"the text of {self.title!r} is cited, so it cannot change; "
                    "add a corrected article as a new source."
                )
            self.sha256 = digest
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sha256"}
        super().save(*args, **kwargs)

    def text_is_locked(self):
        """True when the stored text is loaded (not blank) and something cites it."""
        stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        return bool(stored) and stored != self.text and self.citations.exists()

    def read_seed(self):
        """The article as it is in seeds/, byte-for-byte decoded as UTF-8."""
        return (settings.SEEDS_DIR / self.seed_file).read_text(encoding="utf-8")

    def clean(self):
        if self.published is None and self.published_precision != DatePrecision.UNKNOWN:
            raise ValidationError({"published_precision": "A source without a date has precision 'unknown'."})
        if self.published is not None and self.published_precision == DatePrecision.UNKNOWN:
            raise ValidationError({"published_precision": "A dated source needs a day, month or year precision."})


class TextLocked(Exception):
    """An attempt to change the text of an article that something cites."""


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        COMPANY = "company", "Company"
        GOVERNMENT = "government", "Government body"
        MEDIA = "media", "Media outlet"
        PROJECT = "project", "Project"
        TOKEN = "token", "Token"
        GROUP = "group", "Group"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True)

    objects = SlugManager()
    natural_key_fields = ("slug",)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("actor_detail", args=[self.slug])


class AliasManager(models.Manager):
    def get_by_natural_key(self, actor_slug, name):
        return self.get(actor__slug=actor_slug, name=name)


class Alias(models.Model):
    """A way an article writes an actor's name, including machine-garbled ones."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    garbled = models.BooleanField(
        default=False, help_text="A machine-reworded form, shown as written and marked [sic]."
    )

    objects = AliasManager()
    natural_key_fields = ("actor", "name")

    history = HistoricalRecords()

    class Meta:
        ordering = ["actor__slug", "name"]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["name"], name="alias_name_unique")]

    def __str__(self):
        return f"{self.name} [sic]" if self.garbled else self.name

    def natural_key(self):
        return (self.actor.slug, self.name)

    natural_key.dependencies = ["timeline.actor"]


class Era(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(help_text="Order of the eras in the story.")
    description = models.TextField(blank=True)

    objects = SlugManager()
    natural_key_fields = ("slug",)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        events = list(self.events.all())
        for event in events:
            event.sort_key = event.reading_order()
        Event.objects.bulk_update(events, ["sort_key"], batch_size=1000)

    def natural_key(self):
        return (self.slug,)


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)

    objects = SlugManager()
    natural_key_fields = ("slug",)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class EventQuerySet(models.QuerySet):
    def chronological(self):
        """Reading order (see Event.reading_order); undated events last."""
        return self.order_by(models.F("sort_key").asc(nulls_last=True), "id")

    def involving(self, actors):
        return self.filter(models.Exists(Participation.objects.filter(event=models.OuterRef("pk"), actor__in=actors)))

    def in_categories(self, categories):
        through = Event.categories.through.objects
        return self.filter(models.Exists(through.filter(event=models.OuterRef("pk"), category__in=categories)))

    def with_certainty(self, certainties):
        return self.filter(certainty__in=certainties)

    def cited_in(self, sources):
        return self.filter(models.Exists(Citation.objects.filter(event=models.OuterRef("pk"), source__in=sources)))

    def in_eras(self, eras):
        return self.filter(era__in=eras)

    def between(self, start=None, end=None):
        """Events whose span overlaps [start, end]; undated events never match."""
        queryset = self
        if start is not None:
            queryset = queryset.filter(latest_date__gte=start)
        if end is not None:
            queryset = queryset.filter(date__lte=end)
        return queryset

    def search(self, text):
        """Events whose title, summary, quotes or actor names and aliases hold every word.

        PostgreSQL uses full-text search over Event.search_vector (GIN-indexed): the words
        as typed (websearch syntax) or as prefixes, so "Bin" finds Binance while typing.
        Elsewhere each word must occur, case-insensitively, in Event.search_text.
        """
        words = search_words(text)
        if not words:
            return self.none()
        if connection.vendor == "postgresql":
            query = SearchQuery(text, config="english", search_type="websearch") | SearchQuery(
                " & ".join(f"{word}:*" for word in words), config="english", search_type="raw"
            )
            return self.filter(search_vector=query)
        condition = models.Q()
        for word in words:
            condition &= models.Q(search_text__icontains=word)
        return self.filter(condition)

    def by_relevance(self, text):
        """Best matches first: PostgreSQL's ts_rank; elsewhere, words found in the title count double."""
        words = search_words(text)
        if not words:
            return self.chronological()
        if connection.vendor == "postgresql":
            rank = SearchRank(models.F("search_vector"), SearchQuery(text, config="english", search_type="websearch"))
        else:
            rank = models.Value(0)
            for word in words:
                rank += models.Case(models.When(title__icontains=word, then=2), default=0)
                rank += models.Case(models.When(summary__icontains=word, then=1), default=0)
        return self.annotate(rank=rank).order_by("-rank", models.F("sort_key").asc(nulls_last=True), "id")

    def refresh_search(self):
        """Rebuild search_text (and on PostgreSQL search_vector) from the events' current parts."""
        events = list(self.prefetch_related("citations", "participations__actor__aliases"))
        for event in events:
            parts = [event.title, event.summary]
            parts += [c.quote for c in event.citations.all()]
            for participation in event.participations.all():
                parts.append(participation.actor.name)
                parts += [alias.name for alias in participation.actor.aliases.all()]
            event.search_text = "\n".join(parts)
        Event.objects.bulk_update(events, ["search_text"], batch_size=500)
        if connection.vendor == "postgresql":
            Event.objects.filter(pk__in=[e.pk for e in events]).update(
                search_vector=SearchVector("search_text", config="english")
            )
        return len(events)

    def with_related(self):
        return self.select_related("era").prefetch_related(*event_parts())


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


def event_parts():
    """The prefetches an event needs to be shown: categories, actors with roles, citations with sources."""
    return [
        "categories",
        models.Prefetch("participations", queryset=Participation.objects.select_related("actor")),
        models.Prefetch("citations", queryset=Citation.objects.select_related("source")),
    ]


def search_words(text):
    """The words of a search, at most twelve, for prefix and substring matching."""
    return re.findall(r"\w+", text)[:12]


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
    title = models.CharField(max_length=200)
    summary = models.TextField()
    date = models.DateField(null=True, blank=True, help_text="First day of the period for month or year precision.")
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    end_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(
        null=True, editable=False, help_text="Last day the event may cover, for date-range filters."
    )
    sort_key = models.CharField(max_length=40, null=True, editable=False)  # noqa: DJ001 (NULL sorts undated last)
    search_text = models.TextField(editable=False, default="", help_text="Title, summary, quotes, names, aliases.")
    search_vector = SearchVectorField(null=True, editable=False, help_text="search_text, parsed (PostgreSQL only).")
    date_basis = models.CharField(max_length=8, choices=DateBasis.choices)
    date_note = models.TextField(blank=True, help_text="How the date was resolved, when not stated outright.")
    certainty = models.CharField(max_length=12, choices=Certainty.choices)
    importance = models.PositiveSmallIntegerField(choices=Importance.choices, default=Importance.NOTABLE)
    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="events")
    categories = models.ManyToManyField(Category, related_name="events", blank=True)
    actors = models.ManyToManyField(Actor, through="Participation", related_name="events")

    objects = EventManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("latest_date", "sort_key", "search_text", "search_vector")

    history = HistoricalRecords(excluded_fields=["latest_date", "sort_key", "search_text", "search_vector"])

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
        return any(c.stance == Citation.Stance.DISPUTES for c in self.citations.all())

    @property
    def source_count(self):
        return len({c.source_id for c in self.citations.all()})

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self):
        """Set the fields derived from the date, which filters and ordering use."""
        last = self.end_date or self.date
        self.latest_date = period_end(last, self.date_precision) if last else None
        self.sort_key = self.reading_order()

    def reading_order(self):
        """A sortable key: strictly by date (the first day of the period), then coarser first.

        On one date, an event known only to the year or month comes before those known to
        the day, and events follow the order of their eras so era sections are not split.
        """
        if self.date is None:
            return None
        rank = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1}.get(self.date_precision, 2)
        return f"{self.date:%Y-%m-%d}|{rank}|{self.era.position:04d}"

    @property
    def end_date_display(self):
        return format_partial_date(self.end_date, self.date_precision)

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
        if errors:
            raise ValidationError(errors)


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, event_slug, actor_slug):
        return self.get(event__slug=event_slug, actor__slug=actor_slug)


class Participation(models.Model):
    """An actor's part in an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=100)

    objects = ParticipationManager()
    natural_key_fields = ("event", "actor")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event__slug", "actor__slug"]
        constraints = [models.UniqueConstraint(fields=["event", "actor"], name="participation_unique")]

    def __str__(self):
        return f"{self.actor} ({self.role}) in {self.event}"

    def natural_key(self):
        return (self.event.slug, self.actor.slug)

    natural_key.dependencies = ["timeline.event", "timeline.actor"]


class CitationManager(models.Manager):
    def get_by_natural_key(self, event_slug, source_slug, start):
        return self.get(event__slug=event_slug, source__slug=source_slug, start=start)


class Citation(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        DISPUTES = "disputes", "Disputes"
        CONTEXT = "context", "Context"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="Exactly as written in the article.")
    start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Character offset of the quote; found automatically when left blank."
    )
    end = models.PositiveIntegerField(null=True, blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)

    objects = CitationManager()
    natural_key_fields = ("event", "source", "start")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event__slug", "source__slug", "start"]
        constraints = [models.UniqueConstraint(fields=["event", "source", "start"], name="citation_unique")]

    def __str__(self):
        return f"{self.source.slug}[{self.start}:{self.end}] for {self.event.slug}"

    def natural_key(self):
        return (self.event.slug, self.source.slug, self.start)

    @property
    def anchor(self):
        """The id of the quoted passage in the source reader."""
        return f"q-{self.start}-{self.end}"

    natural_key.dependencies = ["timeline.event", "timeline.source"]

    def clean(self):
        if not self.source_id or not self.quote:
            return
        text = self.source.text or self.source.read_seed()
        if self.start is None and self.end is None:
            found = text.find(self.quote)
            if found < 0:
                raise ValidationError({"quote": quote_not_found_message(self.source)})
            self.start, self.end = found, found + len(self.quote)
            return
        check_offsets(text, self.quote, self.start, self.end, self.source)


def quote_not_found_message(source):
    return (
        f"This quote is not in the article {source.seed_file!r}; "
        "copy it exactly as written, including punctuation and curly quotes."
    )


def check_offsets(text, quote, start, end, source):
    """Raise a ValidationError unless text[start:end] is exactly the quote."""
    if quote not in text:
        raise ValidationError({"quote": quote_not_found_message(source)})
    if start is None or end is None:
        raise ValidationError({"start": "Give both offsets, or neither to have them found."})
    if text[start:end] != quote:
        found = text.find(quote)
        raise ValidationError(
            {"start": f"Offsets {start}:{end} do not match the quote; it is at {found}:{found + len(quote)}."}
        )


class LoadedRecord(models.Model):
    """What reload_timeline last wrote for a record, so later admin edits can be told apart."""

    model = models.CharField(max_length=50)
    key = models.CharField(max_length=500, help_text="The record's natural key, as JSON.")
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
