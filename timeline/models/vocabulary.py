"""Who and what the events are about: actors and their aliases, eras, categories; and the words a search
also finds for one another (synonyms)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from timeline.models.common import LINE, TEXT, SlugManager


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


class Term(models.Model):
    """A named term of a vocabulary that events are filed under, known in fixtures and URLs by its slug."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=LINE)

    objects = SlugManager()
    natural_key_fields = ("slug",)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Era(Term):
    position = models.PositiveSmallIntegerField(help_text="Order of the eras in the story.")
    description = models.TextField(blank=True, editable=False, validators=TEXT, help_text="Its statements, joined.")

    fixture_exclude = ("description",)

    class Meta:
        ordering = ["position"]


class Category(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "categories"
