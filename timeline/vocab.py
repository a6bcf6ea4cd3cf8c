"""The filter vocabularies (actors, categories, eras, sources) and era spans, cached per data version.

They change only when the corpus does, so one query per data version serves every request:
filters validate slugs and facets label their counts without asking the database again.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, CharField, Count, DateField, F, IntegerField, Max, Min, Value, When
from django.db.models.functions import Cast, Concat

from .models import Actor, Category, Era, Event, Source

COLUMNS = ("dim", "id", "slug", "label", "ord", "start", "end", "n")


@dataclass(frozen=True)
class Term:
    id: int
    slug: str
    label: str
    position: int = 0
    start: object = None
    end: object = None
    events: int = 0

    def __str__(self):
        return self.label


@dataclass
class Vocabularies:
    terms: dict = field(default_factory=dict)

    def __getitem__(self, dimension):
        return self.terms.get(dimension, [])

    def by_slug(self, dimension):
        return {term.slug: term for term in self[dimension]}

    @property
    def total(self):
        """Every event, dated or not: each has exactly one era."""
        return sum(era.events for era in self["era"])

    @property
    def span(self):
        dated = [era for era in self["era"] if era.start is not None]
        if not dated:
            return {"start": None, "end": None}
        return {"start": min(e.start for e in dated), "end": max(e.end for e in dated)}


def row(queryset, dim, label, ord_=None, start=None, end=None, n=None):
    none_date = Cast(Value(None), DateField())
    return (
        queryset.order_by()
        .annotate(
            v_dim=Value(dim, output_field=CharField()),
            v_label=F(label) if isinstance(label, str) else label,
            v_ord=F(ord_) if ord_ else Value(0, output_field=IntegerField()),
            v_start=start if start is not None else none_date,
            v_end=end if end is not None else none_date,
            v_n=n if n is not None else Value(0, output_field=IntegerField()),
        )
        .values_list("v_dim", "id", "slug", "v_label", "v_ord", "v_start", "v_end", "v_n")
    )


def source_label():
    """A source as a reader knows it: "Outlet: Title", or the title alone when the article names no outlet."""
    return Case(
        When(outlet="", then=F("title")),
        default=Concat(F("outlet"), Value(": "), F("title"), output_field=CharField()),
        output_field=CharField(),
    )


def load():
    parts = [
        row(Actor.objects.all(), "actor", "name"),
        row(Category.objects.all(), "category", "name"),
        row(Source.objects.all(), "source", source_label(), ord_="id"),
        row(
            Era.objects.all(),
            "era",
            "name",
            ord_="position",
            start=Min("events__date"),
            end=Max("events__latest_date"),
            n=Count("events"),
        ),
    ]
    terms = {}
    for dim, id_, slug, label, ord_, start, end, n in parts[0].union(*parts[1:], all=True):
        terms.setdefault(dim, []).append(Term(id_, slug, label, ord_, start, end, n))
    for dim in terms:
        terms[dim].sort(key=lambda t: (t.position, t.label.casefold()))
    return Vocabularies(terms)


def vocabularies(version):
    key = f"timeline:vocab:{connection.alias}:{connection.settings_dict['NAME']}:{version}"
    vocab = cache.get(key)
    if vocab is None:
        vocab = load()
        cache.set(key, vocab, timeout=None)
    return vocab


def certainty_terms():
    return [Term(index, value, label) for index, (value, label) in enumerate(Event.Certainty.choices)]
