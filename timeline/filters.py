"""The one place that turns URL parameters into a filtered event queryset, and its facets."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast

from .dates import parse_partial_date
from .models import Citation, Event, Participation
from .vocab import certainty_terms

VOCABULARY_FILTERS = ("actor", "category", "source", "era")
ECHO_LIMIT = 40


def shorten(text, limit=ECHO_LIMIT):
    """What a request sent, as a message quotes it: at most `limit` characters."""
    return text if len(text) <= limit else f"{text[:limit]}…"


class PartialDateField(forms.CharField):
    """Accepts what people type ("2024", "March 2025", "2025-03-13") and keeps the precision."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_partial_date(value)
        except ValueError as exc:
            raise forms.ValidationError(
                f"“{value[:40]}” is not a date we can read ({exc}). Try 2024, March 2025 or 2025-03-13."
            ) from exc


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start.start > end.end:
            raise forms.ValidationError(f"“From” ({start}) is after “To” ({end}).")
        return cleaned


class EventFilter(django_filters.FilterSet):
    """Filters over a vocabulary take several slugs; an unknown slug is an error, never ignored.

    Slugs are checked against the cached vocabularies (see vocab.py), not the database.
    """

    q = django_filters.CharFilter(method="filter_search", label="Search", max_length=200)
    actor = django_filters.MultipleChoiceFilter(method="filter_terms", label="Actors")
    category = django_filters.MultipleChoiceFilter(method="filter_terms", label="Categories")
    certainty = django_filters.MultipleChoiceFilter(
        choices=Event.Certainty.choices, method="filter_certainty", label="Certainty"
    )
    source = django_filters.MultipleChoiceFilter(method="filter_terms", label="Source articles")
    era = django_filters.MultipleChoiceFilter(method="filter_terms", label="Eras")
    order = django_filters.ChoiceFilter(
        choices=[("relevance", "Best matches first")], method="filter_nothing", label="Order", empty_label=None
    )
    date_from = PartialDateFilter(method="filter_dates", label="From")
    date_to = PartialDateFilter(method="filter_dates", label="To")

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, data=None, *args, vocab, **kwargs):
        self.vocab = vocab
        super().__init__(data, *args, **kwargs)
        for name in VOCABULARY_FILTERS:
            self.filters[name].extra["choices"] = [(term.slug, term.label) for term in vocab[name]]

    def term_ids(self, name, slugs):
        terms = self.vocab.by_slug(name)
        return [terms[slug].id for slug in slugs]

    def filter_terms(self, queryset, name, value):
        if not value:
            return queryset
        ids = self.term_ids(name, value)
        method = {
            "actor": queryset.involving,
            "category": queryset.in_categories,
            "source": queryset.cited_in,
            "era": queryset.in_eras,
        }[name]
        return method(ids)

    def filter_certainty(self, queryset, name, value):
        return queryset.with_certainty(value) if value else queryset

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_dates(self, queryset, name, value):
        if value is None:
            return queryset
        if name == "date_from":
            return queryset.between(start=value.start)
        return queryset.between(end=value.end)

    def filter_nothing(self, queryset, name, value):
        """Ordering is not a filter: see ordered()."""
        return queryset

    @property
    def qs(self):
        return super().qs.chronological()

    @property
    def by_relevance(self):
        return self.form.cleaned_data.get("order") == "relevance" and bool(self.form.cleaned_data.get("q", "").strip())

    def ordered(self):
        """The matching events in the order asked for: reading order, or best matches first."""
        if self.by_relevance:
            return super().qs.by_relevance(self.form.cleaned_data["q"])
        return self.qs

    def active(self, excluded=None):
        return {name: value for name, value in self.form.cleaned_data.items() if value and name != excluded}

    def queryset_without(self, excluded):
        """The events matching every filter but one: what a facet counts over."""
        queryset = self.queryset.all()
        for name, value in self.active(excluded).items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def error_messages(self):
        """Each problem as "name: message"; a value the message quotes is shortened, however long it was."""
        messages = []
        for name, errors in self.form.errors.as_data().items():
            where = "" if name == "__all__" else f"{name}: "
            for error in errors:
                message = error.message
                if error.params:
                    message %= {k: shorten(v) if isinstance(v, str) else v for k, v in error.params.items()}
                messages.append(f"{where}{message}")
        return messages

    def facet_counts(self):
        """({dimension: {key: matching events}}, events matching every filter), in one query."""
        counts = {}
        for dimension, key, n in self.facet_query():
            counts.setdefault(dimension, {})[key] = n
        return counts, counts.pop("total", {}).get("", 0)

    def facet_query(self):
        """The UNION ALL of one grouped count per facet and the total.

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
            if self.active(dimension):
                rows = rows.filter(event__in=self.queryset_without(dimension).values("pk"))
            return rows

        parts = [
            counted(self.queryset_without(None), "total", Value("")),
            counted(self.queryset_without("certainty"), "certainty", "certainty"),
            counted(self.queryset_without("era"), "era", "era_id"),
            counted(linked(Participation.objects.all(), "actor"), "actor", "actor_id"),
            counted(linked(Event.categories.through.objects.all(), "category"), "category", "category_id"),
            counted(linked(Citation.objects.all(), "source"), "source", "source_id", count="event_id", distinct=True),
        ]
        return parts[0].union(*parts[1:], all=True)

    def facets(self, counts):
        """Options of each vocabulary with their counts and whether they are chosen."""
        chosen = self.form.cleaned_data if self.form.is_valid() else {}

        def options(name, terms, key=lambda term: str(term.id)):
            picked = set(chosen.get(name) or ())
            numbers = counts.get(name, {})
            return [FacetOption(t.slug, t.label, numbers.get(key(t), 0), t.slug in picked) for t in terms]

        certainty = options("certainty", certainty_terms(), key=lambda term: term.slug)
        return {
            "certainty": [(o.slug, o.label, o.matches, o.checked) for o in certainty],
            "groups": [
                facet_group("era", "Eras", options("era", self.vocab["era"])),
                facet_group("actor", "Actors", options("actor", self.vocab["actor"]), True),
                facet_group("category", "Categories", options("category", self.vocab["category"]), True),
                facet_group("source", "Source articles", options("source", self.vocab["source"]), True),
            ],
        }


@dataclass
class FacetOption:
    slug: str
    label: str
    matches: int
    checked: bool

    def __str__(self):
        return self.label


def facet_group(name, legend, options, collapsible=False):
    return {
        "name": name,
        "legend": legend,
        "options": options,
        "collapsible": collapsible,
        "selected": sum(option.checked for option in options),
    }


# "from" and "to" are the URL parameters, but "from" cannot be a class attribute.
for _declared, _param in (("date_from", "from"), ("date_to", "to")):
    EventFilter.base_filters[_param] = EventFilter.base_filters.pop(_declared)
