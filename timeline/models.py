"""The corpus: sources (articles), actors, events and the citations that tie them."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .dates import DatePrecision, format_partial_date, period_end, validate_date_in_range
from .listing import search as full_text
from .quotes import NOT_FOUND, locate, quote_problem
from .seeds import read_seed, text_sha256, validate_seed_name
from .text import validate_single_line, validate_text

LINE = [validate_single_line]
TEXT = [validate_text]
DATE = [validate_date_in_range]


def related(record, field, attribute=None):
    """A related record (or one of its attributes) for a name; an old version (the history, a revert) may
    point at one deleted since, and is then named by its id."""
    try:
        target = getattr(record, field)
    except ObjectDoesNotExist:
        return f"(deleted {field} {getattr(record, f'{field}_id')})"
    return getattr(target, attribute) if attribute else target


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
    title = models.CharField(max_length=300, validators=LINE)
    outlet = models.CharField(
        max_length=200, blank=True, validators=LINE, help_text="Only if the article itself names its publisher."
    )
    published = models.DateField(null=True, blank=True, validators=DATE)
    published_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    published_note = models.TextField(blank=True, validators=TEXT, help_text="How the publication date was derived.")
    seed_file = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_seed_name],
        help_text="Its file in seeds/. Blank for an article added in the admin until export_timeline writes it.",
    )
    quality = models.CharField(max_length=20, choices=Quality.choices, default=Quality.STANDARD)
    quality_note = models.TextField(blank=True, validators=TEXT)
    text = models.TextField(editable=False, help_text="The article as written (from seeds/, or pasted in the admin).")
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="SHA-256 of the article's UTF-8 bytes; set on save.",
    )

    objects = SlugManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("text",)

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
        """The article as it is in seeds/ (see timeline.seeds for what may be read)."""
        return read_seed(self.seed_file)

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
    name = models.CharField(max_length=200, validators=LINE)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True, editable=False, validators=TEXT, help_text="Its statements, joined.")

    objects = SlugManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("description",)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("actor_detail", args=[self.slug])

    def footnotes(self):
        """The description's statements, with markers into the list of the citations they rest on."""
        return own_footnotes(self)


class AliasManager(models.Manager):
    def get_by_natural_key(self, actor_slug, name):
        return self.get(actor__slug=actor_slug, name=name)


class Alias(models.Model):
    """A way an article writes an actor's name, including machine-garbled ones."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, validators=LINE)
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


# A word or phrase of a search: one to four words of letters and digits, one space between them.
validate_synonym_words = RegexValidator(
    r"\A\w+(?: \w+){0,3}\Z",
    "Give a word or a phrase of up to four words: letters and digits, one space between words.",
    code="synonym_words",
)


class SynonymManager(models.Manager):
    def get_by_natural_key(self, words, means):
        return self.get(words=words, means=means)


class Synonym(models.Model):
    """Two ways of saying one thing, either of which a search also finds for the other (listing/search.py)."""

    words = models.CharField(
        max_length=100,
        validators=[*LINE, validate_synonym_words],
        help_text="A word or phrase a reader may type, e.g. “resign”. It matches searched words that begin "
        "with it (resigned, resigns).",
    )
    means = models.CharField(
        max_length=100,
        validators=[*LINE, validate_synonym_words],
        help_text="What the articles may say instead, e.g. “step down”; a search for either finds both.",
    )

    objects = SynonymManager()
    natural_key_fields = ("words", "means")

    history = HistoricalRecords()

    class Meta:
        ordering = ["words", "means"]
        constraints = [models.UniqueConstraint(fields=["words", "means"], name="synonym_unique")]

    def __str__(self):
        return f"{self.words} ↔ {self.means}"

    def natural_key(self):
        return (self.words, self.means)

    def clean(self):
        if self.words and self.means and self.words.casefold() == self.means.casefold():
            raise ValidationError({"means": "A synonym of itself adds nothing: give another word or phrase."})


class Era(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=LINE)
    position = models.PositiveSmallIntegerField(help_text="Order of the eras in the story.")
    description = models.TextField(blank=True, editable=False, validators=TEXT, help_text="Its statements, joined.")

    objects = SlugManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("description",)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=LINE)

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

    def between(self, start=None, end=None, undated=False):
        """Events whose span overlaps [start, end]; undated events only when asked for."""
        conditions = []
        if start is not None:
            conditions.append(models.Q(latest_date__gte=start))
        if end is not None:
            conditions.append(models.Q(date__lte=end))
        if undated:
            conditions = [condition | models.Q(date__isnull=True) for condition in conditions]
        return self.filter(*conditions)

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
        return self.select_related("era").prefetch_related(*event_parts())


def stored_synonyms(synonyms=None):
    """The synonyms given, or else those curators keep (Synonym records) as (words, means) pairs."""
    return synonyms if synonyms is not None else list(Synonym.objects.values_list("words", "means"))


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


def event_parts(categories=True):
    """The prefetches an event needs to be shown: categories, actors with roles, citations with sources,
    statements (categories may instead come from the event index: index.py)."""
    return [
        *(["categories"] if categories else []),
        models.Prefetch("participations", queryset=Participation.objects.select_related("actor")),
        models.Prefetch("citations", queryset=Citation.objects.select_related("source")),
        models.Prefetch(
            "statements", queryset=EventStatement.objects.order_by("position").annotate(citation_ids=CitationIds())
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
        return any(c.stance == Citation.Stance.DISPUTES for c in self.citations.all())

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
    quote = models.TextField(validators=TEXT, help_text="Exactly as written in the article.")
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
        return f"{related(self, 'source', 'slug')}[{self.start}:{self.end}] for {related(self, 'event', 'slug')}"

    def natural_key(self):
        return (self.event.slug, self.source.slug, self.start)

    @property
    def anchor(self):
        """The id of the quoted passage in the source reader."""
        return f"q-{self.start}-{self.end}"

    natural_key.dependencies = ["timeline.event", "timeline.source"]

    def clean(self):
        """The quote must be the cited article's stored text at the offsets (found when both are blank)."""
        if not self.source_id or not self.quote:
            return
        text = self.source.text
        if self.start is None and self.end is None:
            found = locate(text, self.quote)
            if found is None:
                raise ValidationError({"quote": NOT_FOUND})
            self.start, self.end = found
            return
        problem = quote_problem(text, self.quote, self.start, self.end)
        if problem:
            raise ValidationError({problem.field: problem.message})


class StatementManager(models.Manager):
    def get_by_natural_key(self, owner_slug, position):
        return self.get(**{f"{self.model.owner_field}__slug": owner_slug, "position": position})


class Statement(models.Model):
    """One sentence a reader sees, with what it rests on.

    A statement rests on citations (basis "cited"), or it is editorial context or knowledge
    from outside the articles, and then says so in its note; the same discipline as dates.
    Subclasses name their owner and which citations they may rest on.
    """

    class Basis(models.TextChoices):
        CITED = "cited", "Rests on the cited quotes"
        CONTEXT = "context", "Editorial context"
        EXTERNAL = "external", "From outside the articles"

    position = models.PositiveSmallIntegerField(help_text="Order of the statement in its text.")
    text = models.TextField(validators=TEXT)
    basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.CITED)
    note = models.TextField(
        blank=True, validators=TEXT, help_text="For context or outside knowledge: why it is said and on what."
    )
    citations = models.ManyToManyField(Citation, blank=True, related_name="%(class)ss")

    objects = StatementManager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{related(self, self.owner_field)} #{self.position}: {self.text[:60]}"

    @property
    def owner(self):
        return getattr(self, self.owner_field)

    def natural_key(self):
        return (self.owner.slug, self.position)

    def cited_pks(self):
        """Ids of the citations it rests on: from CitationIds when the query added it, else from the relation."""
        if hasattr(self, "citation_ids"):
            return [int(pk) for pk in (self.citation_ids or "").split(",") if pk]
        return [c.pk for c in self.citations.all()]

    def clean(self):
        if self.basis != self.Basis.CITED and not self.note.strip():
            raise ValidationError({"note": "Say what context or outside knowledge this statement rests on."})

    @classmethod
    def permitted_citations(cls, owner_pk):
        """The citations a statement of this owner may rest on."""
        raise NotImplementedError

    @classmethod
    def links(cls):
        """The statement-citation links, each naming its statement by the model's name."""
        return cls.citations.through.objects.select_related(cls._meta.model_name, "citation__event")

    @classmethod
    def forbidden_links(cls):
        """Links to citations this statement's owner may not cite (see permitted_citations)."""
        raise NotImplementedError


class EventStatement(Statement):
    owner_field = "event"
    owner_text = "summary"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="statements")

    natural_key_fields = ("event", "position")
    history = HistoricalRecords()

    class Meta:
        ordering = ["event__slug", "position"]
        constraints = [models.UniqueConstraint(fields=["event", "position"], name="event_statement_unique")]

    @classmethod
    def permitted_citations(cls, owner_pk):
        """An event's statement rests only on that event's own citations."""
        return Citation.objects.filter(event=owner_pk)

    @classmethod
    def forbidden_links(cls):
        return cls.links().exclude(citation__event=models.F("eventstatement__event"))


class ActorStatement(Statement):
    owner_field = "actor"
    owner_text = "description"
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="statements")

    natural_key_fields = ("actor", "position")
    history = HistoricalRecords()

    class Meta:
        ordering = ["actor__slug", "position"]
        constraints = [models.UniqueConstraint(fields=["actor", "position"], name="actor_statement_unique")]

    @classmethod
    def permitted_citations(cls, owner_pk):
        """An actor's description rests only on citations of events the actor takes part in."""
        return Citation.objects.filter(event__participations__actor=owner_pk)

    @classmethod
    def forbidden_links(cls):
        takes_part = Participation.objects.filter(
            actor=models.OuterRef("actorstatement__actor"), event=models.OuterRef("citation__event")
        )
        return cls.links().filter(~models.Exists(takes_part))


class EraStatement(Statement):
    owner_field = "era"
    owner_text = "description"
    era = models.ForeignKey(Era, on_delete=models.CASCADE, related_name="statements")

    natural_key_fields = ("era", "position")
    history = HistoricalRecords()

    class Meta:
        ordering = ["era__slug", "position"]
        constraints = [models.UniqueConstraint(fields=["era", "position"], name="era_statement_unique")]

    @classmethod
    def permitted_citations(cls, owner_pk):
        """An era's description rests only on citations of events in that era."""
        return Citation.objects.filter(event__era=owner_pk)

    @classmethod
    def forbidden_links(cls):
        return cls.links().exclude(citation__event__era=models.F("erastatement__era"))


STATEMENT_MODELS = (EventStatement, ActorStatement, EraStatement)


class CitationIds(models.Aggregate):
    """A statement's citation ids in one column ("3,7"): a page reads statements and their links in one query."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def __init__(self, **extra):
        super().__init__("citations", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s((%(expressions)s)::text, ',')", **extra
        )


def joined_statements(owner, statements=None):
    """The owner's text as readers of plain formats get it: its statements in order, one after another."""
    rows = statements if statements is not None else owner.statements.order_by("position")
    return " ".join(s.text.strip() for s in rows)


def derive_statement_text(owner):
    """Set the owner's summary or description to its current statements, unsaved; the field's name if it changed."""
    field = {Event: "summary", Actor: "description", Era: "description"}[type(owner)]
    text = joined_statements(owner, sorted(owner.statements.all(), key=lambda s: s.position))
    if getattr(owner, field) == text:
        return None
    setattr(owner, field, text)
    return field


def refresh_statement_text(owner):
    """Store the joined statements in the owner's summary or description; saves only on a change."""
    field = derive_statement_text(owner)
    if field is None:
        return False
    owner.save(update_fields=[field])
    return True


def own_footnotes(owner, known=()):
    """Footnotes for a text that cites other records' citations (an actor's or an era's description).

    `known`: citations already read (with their event and source), e.g. those of the events on
    the same page; only the others are fetched.
    """
    statements = list(owner.statements.order_by("position").annotate(citation_ids=CitationIds()))
    wanted = list(dict.fromkeys(pk for s in statements for pk in s.cited_pks()))
    cited = {c.pk: c for c in known if c.pk in set(wanted)}
    missing = [pk for pk in wanted if pk not in cited]
    if missing:
        cited.update(Citation.objects.select_related("event", "source").in_bulk(missing))
    return footnoted(statements, [cited[pk] for pk in wanted if pk in cited])


@dataclass
class Marker:
    number: int
    citation: object


@dataclass
class Footnoted:
    """A text's statements with their markers, and its citations with the statements resting on each."""

    statements: list
    citations: list


def footnoted(statements, citations):
    """Number citations 1.. in list order; each statement gets the markers of the citations it rests on."""
    numbers = {c.pk: n for n, c in enumerate(citations, start=1)}
    by_citation = {c.pk: [] for c in citations}
    rows = []
    for statement in statements:
        cited = sorted(numbers[pk] for pk in statement.cited_pks() if pk in numbers)
        statement.markers = [Marker(n, citations[n - 1]) for n in cited]
        for n in cited:
            by_citation[citations[n - 1].pk].append(statement)
        rows.append(statement)
    for citation in citations:
        citation.number = numbers[citation.pk]
        citation.resting = by_citation[citation.pk]
    return Footnoted(rows, list(citations))


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
