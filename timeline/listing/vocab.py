"""The filter vocabularies (each dimension's terms, dimensions.py) and era spans, read once per data version.

They change only when the corpus does: filters validate slugs and facets label their counts
without asking the database again. They are read in the same query as the event index
(index.py), and kept with it.
"""

from dataclasses import dataclass, field

from django.db.models import F

from timeline.listing.dimensions import DIMENSIONS
from timeline.models import Alias, Synonym


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
    synonyms: tuple = ()  # (words, means): what a search expands (listing/search.py)
    aliases: tuple = ()  # (actor id, alias, actor's name, garbled): what a result's alias note names

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


def term_parts(part):
    """Query parts for each dimension's vocabulary, shaped by
    `part(queryset, kind, id, key, sort, date, latest, order)`."""
    return [
        part(
            d.vocabulary.objects.all(), f"term:{d.name}", "id", "slug", d.term_label, *d.term_dates, order=d.term_order
        )
        for d in DIMENSIONS
        if d.vocabulary
    ]


def search_parts(part):
    """Query parts for the search's own vocabulary: the curators' synonyms and the actors' aliases."""
    return [
        part(Synonym.objects.all(), "search:synonyms", "id", "words", F("means")),
        part(Alias.objects.all(), "search:aliases", "actor_id", "name", F("actor__name"), order=F("garbled")),
    ]


def vocabularies_from(term_rows, events_per_era, searching=None):
    """Vocabularies from rows (dimension, id, slug, label, start, end, order), and the fixed choices;
    the search's from rows (id, key, text, order) by kind ("synonyms", "aliases")."""
    terms = {
        d.name: [Term(value, value, label, position) for position, (value, label) in enumerate(d.choices)]
        for d in DIMENSIONS
        if not d.vocabulary
    }
    for dim, id_, slug, label, start, end, order in term_rows:
        terms.setdefault(dim, []).append(Term(id_, slug, label, order, start, end, events_per_era.get(id_, 0)))
    for dim in terms:
        terms[dim].sort(key=lambda t: (t.position, t.label.casefold()))
    searching = searching or {}
    synonyms = tuple(sorted((words, means) for _, words, means, _ in searching.get("synonyms", ())))
    aliases = tuple(
        sorted((actor, alias, name, bool(garbled)) for actor, alias, name, garbled in searching.get("aliases", ()))
    )
    return Vocabularies(terms, synonyms, aliases)
