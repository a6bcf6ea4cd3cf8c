"""Facets: each filter's options, with how many events each would match (counted by EventQuery.counts)."""

from dataclasses import dataclass

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
