"""Facet counts: how many events each option of each filter would match, in one query."""

from dataclasses import dataclass

from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast

from .models import Citation, Event, Participation
from .vocab import certainty_terms

DATE_FILTERS = {"from", "to"}


@dataclass
class FacetOption:
    slug: str
    label: str
    matches: int
    checked: bool

    def __str__(self):
        return self.label


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list
    collapsible: bool = False

    @property
    def selected(self):
        return sum(option.checked for option in self.options)


def facet_query(filterset):
    """The UNION ALL of one grouped count per facet, the total, and the undated events shown and left out.

    Each facet counts the events that match every filter but its own, so choosing an
    option shows what the other options would add.
    """

    def counted(queryset, dimension, key, count="id", distinct=False):
        return (
            queryset.order_by()
            .annotate(f_dim=Value(dimension, output_field=CharField()), f_key=Cast(key, CharField()))
            .values("f_dim", "f_key")
            .annotate(f_n=Count(count, distinct=distinct))
            .values_list("f_dim", "f_key", "f_n")
        )

    def linked(rows, dimension):
        if filterset.active(dimension):
            rows = rows.filter(event__in=filterset.queryset_without(dimension).values("pk"))
        return rows

    parts = [
        counted(filterset.queryset_without(None), "total", Value("")),
        counted(filterset.queryset_without("certainty"), "certainty", "certainty"),
        counted(filterset.queryset_without("era"), "era", "era_id"),
        counted(linked(Participation.objects.all(), "actor"), "actor", "actor_id"),
        counted(linked(Event.categories.through.objects.all(), "category"), "category", "category_id"),
        counted(linked(Citation.objects.all(), "source"), "source", "source_id", count="event_id", distinct=True),
        counted(filterset.queryset_without(None).filter(date__isnull=True), "undated", Value("shown")),
    ]
    if filterset.active().keys() & DATE_FILTERS and not filterset.active().get("undated"):
        left_out = filterset.queryset_without(DATE_FILTERS).filter(date__isnull=True)
        parts.append(counted(left_out, "undated", Value("left out")))
    return parts[0].union(*parts[1:], all=True)


def facet_counts(filterset):
    """({dimension: {key: matching events}}, events matching every filter)."""
    counts = {}
    for dimension, key, n in facet_query(filterset):
        counts.setdefault(dimension, {})[key] = n
    return counts, counts.pop("total", {}).get("", 0)


def facet_groups(counts, chosen, vocab):
    """The options of each filter, with their counts and whether they are chosen, in the form's order."""

    def options(name, terms, key=lambda term: str(term.id)):
        picked = set(chosen.get(name) or ())
        numbers = counts.get(name, {})
        return [FacetOption(t.slug, t.label, numbers.get(key(t), 0), t.slug in picked) for t in terms]

    return {
        "certainty": FacetGroup(
            "certainty", "Certainty", options("certainty", certainty_terms(), key=lambda term: term.slug)
        ),
        "groups": [
            FacetGroup("era", "Eras", options("era", vocab["era"])),
            FacetGroup("actor", "Actors", options("actor", vocab["actor"]), True),
            FacetGroup("category", "Categories", options("category", vocab["category"]), True),
            FacetGroup("source", "Source articles", options("source", vocab["source"]), True),
        ],
    }
