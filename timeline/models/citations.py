"""Citations (a quote at its offsets in an article) and the statements that rest on them."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from timeline.corpus.footnotes import footnoted
from timeline.corpus.quotes import NOT_FOUND, locate, quote_problem
from timeline.models.common import TEXT, CitationIds, related
from timeline.models.events import Event, Participation
from timeline.models.sources import Source
from timeline.models.vocabulary import Actor, Era


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
