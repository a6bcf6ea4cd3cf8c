"""Facets: each filter's options, with how many events each would match (counted by EventQuery.counts), and
the filters a state has on, each with the link that takes it off.

A long group (the actors) with nothing chosen is sent closed and empty, with a link to its options'
own page (views.facet_options), which the page's script loads into it the first time it opens: on a
large corpus its hundreds of options were the first page's heaviest part (bench/notes.md).
"""

from dataclasses import dataclass

from timeline.corpus.quotes import in_quotation_marks
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.markup import html, html_join

DATE_FILTERS = {"from", "to"}
LONG_FACET = 24  # more options than this, and a group's options load when it opens


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
BADGE = '<span class="badge {} {}-{}"><span aria-hidden="true" class="symbol"></span>{}</span>'


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list
    collapsible: bool = False
    badge: bool = False

    @property
    def selected(self):
        return sum(option.checked for option in self.options)

    @property
    def deferred(self):
        """Whether the page leaves this group's options out until it opens: long, and nothing chosen
        (a chosen option is in the form, so that the next request keeps it)."""
        return self.collapsible and len(self.options) > LONG_FACET and not self.selected

    def checkboxes(self):
        """Each option's checkbox with its count, the one source of this markup. Built here, not in a
        template loop: a group can hold hundreds of options, drawn again for every filter state
        (bench/notes.md: 1.8 ms against a loop's 10.6 for 268 options)."""
        return html_join(
            CHECKBOX,
            (
                (
                    self.name,
                    o.slug,
                    " checked" if o.checked else "",
                    self.shown(o),
                    zero(o),
                    self.name,
                    o.slug,
                    o.matches,
                )
                for o in self.options
            ),
        )

    def shown(self, option):
        """An option's label: a badge for the dimensions whose values are marked on events (key.py)."""
        return html(BADGE, self.name, self.name, option.slug, option.label) if self.badge else option.label

    def counts(self):
        """{slug: matches}: what a filter change sends for the page's script to write into each count shown
        (the options of a deferred group may or may not have been loaded)."""
        return {option.slug: option.matches for option in self.options}


def zero(option):
    return "" if option.matches else " zero"


def facet_groups(counts, chosen, vocab):
    """The options of each dimension, with their counts and whether they are chosen, in the registry's order."""

    def group(dimension):
        picked, numbers = set(chosen.get(dimension.name) or ()), counts.get(dimension.name, {})
        options = [
            FacetOption(t.slug, t.label, numbers.get(str(t.id), 0), t.slug in picked) for t in vocab[dimension.name]
        ]
        return FacetGroup(dimension.name, dimension.label, options, dimension.collapsible, dimension.badge)

    return {d.name: group(d) for d in DIMENSIONS}


@dataclass(frozen=True)
class ActiveFilter:
    """One value a state filters by: its group's label ("Actors"), its own words ("Justin Sun"), how a
    "Remove …" list names it, and the state's link without it."""

    group: str
    label: str
    removal: str
    link: str


def active_filters(cleaned, vocab, link):
    """Every value the state filters by, in the facet panel's order: the search, each dimension's chosen
    terms, the dates. `link(**changes)` is the state's link with some parameters changed (EventQuery.link)."""
    found = []
    if cleaned.get("q"):
        words = in_quotation_marks(cleaned["q"])
        found.append(ActiveFilter("Search", words, f"the search {words}", link(q=None, order=None, after=None)))
    for dimension in DIMENSIONS:
        terms, chosen = vocab.by_slug(dimension.name), cleaned.get(dimension.name) or []
        for slug in chosen:
            rest = [other for other in chosen if other != slug]
            removal = dimension.removal_label(terms[slug])
            found.append(
                ActiveFilter(dimension.label, terms[slug].label, removal, link(**{dimension.name: rest, "after": None}))
            )
    if cleaned.get("from") or cleaned.get("to"):
        span = " ".join(f"{name} {cleaned[name]}" for name in ("from", "to") if cleaned.get(name))
        kept = ", keeping the undated events" if cleaned.get("undated") else ""
        without = link(**{"from": None, "to": None, "undated": None, "after": None})
        found.append(ActiveFilter("Dates", span + kept, f"the dates ({span})", without))
    return found
