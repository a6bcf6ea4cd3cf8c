"""Facets: each filter's options, with how many events each would match (counted by EventQuery.counts)."""

from dataclasses import dataclass

from .markup import html_join
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


CHECKBOX = (
    '<label class="option"><input type="checkbox" name="{}" value="{}"{}> {} <span class="count{}" id="n-{}-{}">'
    '{}<span class="visually-hidden"> matching</span></span></label>\n      '
)
COUNT_SWAP = (
    '<span class="count{}" id="n-{}-{}" hx-swap-oob="true">{}<span class="visually-hidden"> matching</span></span>'
)


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list
    collapsible: bool = False

    @property
    def selected(self):
        return sum(option.checked for option in self.options)

    def checkboxes(self):
        """Each option's checkbox with its count. Built here, not in a template loop: a group can
        hold hundreds of options, drawn again for every filter state."""
        return html_join(
            CHECKBOX,
            (
                (self.name, o.slug, " checked" if o.checked else "", o.label, zero(o), self.name, o.slug, o.matches)
                for o in self.options
            ),
        )

    def count_swaps(self):
        """Each option's count, to replace the one on the page (htmx out-of-band swaps)."""
        return html_join(COUNT_SWAP, ((zero(o), self.name, o.slug, o.matches) for o in self.options))


def zero(option):
    return "" if option.matches else " zero"


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
