"""The filter dimensions of an event listing, declared once.

A dimension is a way to narrow the chronology to some events: its actors, its categories, its
certainty, its sources, its era. The URL parameter and its form field (parameters.py), the event
index's option sets and vocabularies (index.py, vocab.py), the facet groups with their counts and
removal links (facets.py, query.py), the OpenAPI description (api.py), the admin's list filters,
event form and vocabulary pages (admin.py), the curators' view permissions (curation/group.py),
the columns and fields of the exports (exports.py, payloads.py), which edits render which events
again (signals.py, rendering.py), the fixtures' layout and the tests' SQL oracle (tests/oracle.py)
all read this list: a new dimension is one entry here, plus its model.
Its order is the facet panel's and the canonical URL's."""

from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import CharField, F, Max, Min
from django.db.models.expressions import Case, Value, When
from django.db.models.functions import Concat

from timeline.models import Actor, Category, Citation, Era, Event, Source, Statement


@dataclass(frozen=True)
class Dimension:
    name: str  # the URL parameter, the facet and the index's option set
    label: str  # the facet's legend and the filter's label
    help_text: str  # the filter's description (OpenAPI)
    event_path: str  # the lookup from an Event to the value it is filtered by
    vocabulary: type | None = None  # the model of its terms, or None for fixed choices on Event
    choices: tuple = ()  # the fixed choices, when there is no vocabulary
    fixture_file: str = ""  # where the vocabulary's records are kept (fixtures/)
    term_label: object = field(default_factory=lambda: F("name"))
    term_order: object = None  # the terms' order, after which their labels
    term_dates: tuple = ()  # (first date, last date) of a term's events, when the timeline draws it
    collapsible: bool = True  # its facet group folds away when long
    badge: bool = False  # its options are drawn as the badges events carry (certainty)
    admin_filter: object = None  # the Event admin's list_filter entry (default: event_path)

    def removal_label(self, term):
        """How the "remove this filter" list names a chosen term."""
        return term.label if self.vocabulary else f"{self.name} “{term.slug}”"

    @property
    def list_filter(self):
        return self.admin_filter or self.event_path

    @property
    def event_field(self):
        """The Event field that holds its terms, when the event itself does (else None: a related record does)."""
        return None if "__" in self.event_path else Event._meta.get_field(self.event_path)

    def terms_of(self, event):
        """The event's terms in this dimension, read from its own field: choice values or vocabulary records."""
        field = self.event_field
        if field.many_to_many:
            return list(getattr(event, field.name).all())
        value = getattr(event, field.name)
        return [] if value is None else [value]


def source_label():
    """A source as a reader knows it: "Outlet: Title", or the title alone when the article names no outlet."""
    return Case(
        When(outlet="", then=F("title")),
        default=Concat(F("outlet"), Value(": "), F("title"), output_field=CharField()),
        output_field=CharField(),
    )


DIMENSIONS = (
    Dimension(
        "certainty",
        "Certainty",
        "Certainty; repeat for several.",
        "certainty",
        choices=tuple(Event.Certainty.choices),
        collapsible=False,
        badge=True,
    ),
    Dimension(
        "era",
        "Eras",
        "Era slug; repeat for several.",
        "era",
        vocabulary=Era,
        fixture_file="taxonomy.json",
        term_order=F("position"),
        term_dates=(Min("events__date"), Max("events__latest_date")),
        collapsible=False,
    ),
    Dimension(
        "actor",
        "Actors",
        "Actor slug; repeat for several (any of them).",
        "participations__actor",
        vocabulary=Actor,
        fixture_file="actors.json",
        admin_filter=("actors", admin.RelatedOnlyFieldListFilter),
    ),
    Dimension(
        "category",
        "Categories",
        "Category slug; repeat for several.",
        "categories",
        vocabulary=Category,
        fixture_file="taxonomy.json",
    ),
    Dimension(
        "source",
        "Source articles",
        "Source article slug; repeat for several.",
        "citations__source",
        vocabulary=Source,
        fixture_file="sources.json",
        term_label=source_label(),
        term_order=F("id"),
        admin_filter=("citations__source", admin.RelatedOnlyFieldListFilter),
    ),
    Dimension(
        "stance",
        "Disputes",
        "`disputes`: the events a quoted passage disputes (marked Disputed).",
        "citations__stance",
        choices=((Citation.Stance.DISPUTES.value, "Disputed by a quoted passage"),),
        collapsible=False,
    ),
    Dimension(
        "statement",
        "Outside knowledge",
        "`external`: the events with a statement from outside the articles (marked as such, with a note).",
        "statements__basis",
        choices=((Statement.Basis.EXTERNAL.value, "With a statement from outside the articles"),),
        collapsible=False,
    ),
)
BY_NAME = {dimension.name: dimension for dimension in DIMENSIONS}
ON_EVENT = tuple(d for d in DIMENSIONS if d.event_field)  # fields of the event: its admin form and exports show them


def named_dimensions():
    """The dimensions whose terms a reader knows by a `name` field (eras, actors, categories)."""
    return [d for d in DIMENSIONS if d.vocabulary and any(f.name == "name" for f in d.vocabulary._meta.fields)]


def shared_labels(names):
    """[(name, first dimension, second dimension)] for each name that terms of two dimensions share, from
    {dimension: [(key, name)]}: facets sit side by side, and an era and a category both called
    "Pardon" could not be told apart."""
    seen, shared = {}, []
    for dimension, terms in names.items():
        for key, name in terms:
            first = seen.setdefault(name.casefold(), (dimension, key))
            if first[0] != dimension:
                shared.append((name, first, (dimension, key)))
    return shared
