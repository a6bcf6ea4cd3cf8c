"""The filter vocabularies (actors, categories, eras, sources) and era spans, read once per data version.

They change only when the corpus does: filters validate slugs and facets label their counts
without asking the database again. They are read in the same query as the event index
(index.py), and kept with it.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, F, Max, Min, Value, When
from django.db.models.functions import Concat

from .models import Actor, Category, Era, Event, Source


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


def source_label():
    """A source as a reader knows it: "Outlet: Title", or the title alone when the article names no outlet."""
    return Case(
        When(outlet="", then=F("title")),
        default=Concat(F("outlet"), Value(": "), F("title"), output_field=CharField()),
        output_field=CharField(),
    )


def term_parts(part):
    """Query parts for each vocabulary, shaped by `part(queryset, kind, id, key, sort, date, latest, order)`."""
    return [
        part(Actor.objects.all(), "term:actor", "id", "slug", F("name")),
        part(Category.objects.all(), "term:category", "id", "slug", F("name")),
        part(Source.objects.all(), "term:source", "id", "slug", source_label(), order=F("id")),
        part(
            Era.objects.all(),
            "term:era",
            "id",
            "slug",
            F("name"),
            Min("events__date"),
            Max("events__latest_date"),
            F("position"),
        ),
    ]


def vocabularies_from(term_rows, events_per_era):
    """Vocabularies from rows (dimension, id, slug, label, start, end, order)."""
    terms = {}
    for dim, id_, slug, label, start, end, order in term_rows:
        terms.setdefault(dim, []).append(Term(id_, slug, label, order, start, end, events_per_era.get(id_, 0)))
    for dim in terms:
        terms[dim].sort(key=lambda t: (t.position, t.label.casefold()))
    return Vocabularies(terms)


def vocabularies(version):
    from .index import event_index

    return event_index(version).vocab


def certainty_terms():
    return [Term(index, value, label) for index, (value, label) in enumerate(Event.Certainty.choices)]
