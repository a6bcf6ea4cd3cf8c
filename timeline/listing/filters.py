"""The URL parameters of every event listing, declared once: what each means and how it filters.

``EventFilter.base_filters`` is the parameter list: the search, one filter per dimension
(dimensions.py) in the registry's order, then the dates, order, window and position. The query
state (query.py), the OpenAPI description (api.py) and the fuzz tests read it from here.
"""

import django_filters
from django import forms

from timeline.corpus.dates import AmbiguousDate, parse_date_window, parse_partial_date, suggested_date
from timeline.listing.dimensions import BY_NAME, DIMENSIONS
from timeline.listing.paging import parse_cursor
from timeline.models import Event

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
        except AmbiguousDate as exc:
            raise forms.ValidationError(f"{exc}.") from exc
        except ValueError as exc:
            near = suggested_date(value)
            hint = f"Did you mean {near}?" if near else "Try 2024, March 2025 or 2025-03-13."
            raise forms.ValidationError(f"“{shorten(value)}” is not a date we can read ({exc}). {hint}") from exc


class DateWindowField(forms.CharField):
    """The window the timeline shows: what people type for a date, or two of them joined by ".."."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if len(value) > 90:
            raise forms.ValidationError(f"“{shorten(value)}” is too long for a timeline window.")
        try:
            return parse_date_window(value)
        except ValueError as exc:
            raise forms.ValidationError(
                f"“{shorten(value)}” is not a window we can read ({exc}). Try 2024 or 2024-03-01..2024-06-30."
            ) from exc


class CursorField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_cursor(value)
        except ValueError as exc:
            raise forms.ValidationError(f"“{shorten(value)}” is {exc}.") from exc


class SlugChoiceField(django_filters.fields.MultipleChoiceField):
    """Slugs are checked against a set of the vocabulary's slugs, and the choices are a function.

    Every request builds a form, which copies its fields: with the choices as a list, copying
    and checking them went through every actor, 1-3 ms per request with 238 actors."""

    def __init__(self, *args, slugs=frozenset(), **kwargs):
        self.slugs = slugs
        super().__init__(*args, **kwargs)

    def valid_value(self, value):
        return value in self.slugs


class SlugChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugChoiceField


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class DateWindowFilter(django_filters.Filter):
    field_class = DateWindowField


class CursorFilter(django_filters.Filter):
    field_class = CursorField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start.start > end.end:
            raise forms.ValidationError(f"“From” ({start}) is after “To” ({end}).")
        after, ranked = cleaned.get("after"), bool(cleaned.get("q")) and cleaned.get("order") != "time"
        if after is not None and after.ranked != ranked:
            self.add_error(
                "after",
                "this position belongs to the other order of the list (best matches or time order); "
                "use the “Show more” link.",
            )
        if cleaned.get("undated") and not (start or end):
            self.add_error("undated", "only a date range (from, to) leaves undated events out; give one, or drop this.")
        return cleaned


class EventFilter(django_filters.FilterSet):
    """Filters over a vocabulary take several slugs; an unknown slug is an error, never ignored.

    Slugs are checked against the cached vocabularies (see vocab.py), not the database.
    """

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        max_length=200,
        help_text=(
            "Words that must occur (as typed or as the start of a word) in the title, summary, quotes or actor "
            "names and aliases. Best matches come first unless `order=time`."
        ),
    )
    date_from = PartialDateFilter(
        method="filter_dates",
        label="From",
        help_text="Start of the date range as people write it: 2024, March 2025, 2025-03-13.",
    )
    date_to = PartialDateFilter(method="filter_dates", label="To", help_text="End of the date range, same forms.")
    undated = django_filters.ChoiceFilter(
        choices=[("include", "Include undated events")],
        method="filter_nothing",
        label="Undated events",
        empty_label=None,
        help_text="`include`: with `from`/`to`, keep the events the articles do not date (nothing to compare).",
    )
    order = django_filters.ChoiceFilter(
        choices=[("relevance", "Best matches first"), ("time", "Time order")],
        method="filter_nothing",
        label="Order",
        empty_label=None,
        help_text="With `q`, best matches come first (`relevance`, the default); `time` lists them in time order.",
    )
    view = DateWindowFilter(
        method="filter_nothing",
        label="Timeline window",
        help_text="The span the timeline shows (it filters nothing): 2024, March 2024 or 2024-03-01..2024-06-30.",
    )
    after = CursorFilter(
        method="filter_nothing",
        label="Position",
        help_text="Keyset position from the previous page's `next` link (reading order only).",
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, data=None, *args, vocab, **kwargs):
        self.vocab = vocab
        super().__init__(data, *args, **kwargs)
        for name in BY_NAME:
            terms = vocab[name]
            self.filters[name].extra.update(
                choices=lambda terms=terms: [(term.slug, term.label) for term in terms],
                slugs=frozenset(term.slug for term in terms),
            )

    @classmethod
    def many_valued(cls, name):
        return isinstance(cls.base_filters[name], django_filters.MultipleChoiceFilter)

    def filter_terms(self, queryset, name, value):
        if not value:
            return queryset
        terms = self.vocab.by_slug(name)
        return BY_NAME[name].filter(queryset, [terms[slug].id for slug in value])

    def filter_search(self, queryset, name, value):
        return queryset.search(value, synonyms=self.vocab.synonyms) if value.strip() else queryset

    def filter_dates(self, queryset, name, value):
        if value is None:
            return queryset
        undated = bool(self.form.cleaned_data.get("undated"))
        if name == "date_from":
            return queryset.between(start=value.start, undated=undated)
        return queryset.between(end=value.end, undated=undated)

    def filter_nothing(self, queryset, name, value):
        """Order, position and the timeline window are not filters: the query state applies them (query.py)."""
        return queryset

    def active(self, excluded=None):
        excluded = (excluded,) if isinstance(excluded, str) or excluded is None else excluded
        return {name: value for name, value in self.form.cleaned_data.items() if value and name not in excluded}

    def queryset_without(self, excluded):
        """The events matching every filter but one (or several), in SQL.

        Listings count facets in the event index (index.py); this is the SQL reference that
        tests/test_index.py checks those counts against.
        """
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


def dimension_filter(dimension):
    """A dimension's filter: any of several slugs, each checked against the vocabulary (or the choices)."""
    declared = SlugChoiceFilter(
        field_name=dimension.name, method="filter_terms", label=dimension.label, help_text=dimension.help_text
    )
    if dimension.choices:
        declared.extra["choices"] = list(dimension.choices)
    return declared


# The search, each dimension, then the rest; "from" and "to" are the URL parameters, but "from"
# cannot be a class attribute.
EventFilter.base_filters = {
    "q": EventFilter.base_filters["q"],
    **{dimension.name: dimension_filter(dimension) for dimension in DIMENSIONS},
    **{
        {"date_from": "from", "date_to": "to"}.get(name, name): declared
        for name, declared in EventFilter.base_filters.items()
        if name != "q"
    },
}
