"""The one place that turns URL parameters into a filtered event queryset, and its facets."""

import django_filters
from django import forms
from django.db.models import Count, Q

from .dates import parse_partial_date
from .models import Actor, Category, Era, Event, Source


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


class SlugChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Several slugs of one vocabulary; an unknown slug is an error, never ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("method", "filter_values")
        super().__init__(*args, **kwargs)


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start.start > end.end:
            raise forms.ValidationError(f"“From” ({start}) is after “To” ({end}).")
        return cleaned


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search", max_length=200)
    actor = SlugChoiceFilter(queryset=Actor.objects.all(), label="Actors")
    category = SlugChoiceFilter(queryset=Category.objects.all(), label="Categories")
    certainty = django_filters.MultipleChoiceFilter(
        choices=Event.Certainty.choices, method="filter_values", label="Certainty"
    )
    source = SlugChoiceFilter(queryset=Source.objects.all(), label="Source articles")
    era = SlugChoiceFilter(queryset=Era.objects.all(), label="Eras")
    date_from = PartialDateFilter(method="filter_dates", label="From")
    date_to = PartialDateFilter(method="filter_dates", label="To")

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def filter_values(self, queryset, name, value):
        if not value:
            return queryset
        method = {
            "actor": queryset.involving,
            "category": queryset.in_categories,
            "certainty": queryset.with_certainty,
            "source": queryset.cited_in,
            "era": queryset.in_eras,
        }[name]
        return method(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_dates(self, queryset, name, value):
        if value is None:
            return queryset
        if name == "date_from":
            return queryset.between(start=value.start)
        return queryset.between(end=value.end)

    @property
    def qs(self):
        return super().qs.chronological()

    def queryset_without(self, excluded):
        """The events matching every filter but one: what a facet counts over."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != excluded:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def error_messages(self):
        messages = []
        for name, errors in self.form.errors.items():
            where = "" if name == "__all__" else f"{name}: "
            messages.extend(f"{where}{error}" for error in errors)
        return messages

    def facets(self):
        """Options of each vocabulary with the count of events they would match, and which are chosen."""
        chosen = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}

        def counted(queryset, through, dimension):
            matching = self.queryset_without(dimension).values("pk")
            options = list(
                queryset.annotate(matches=Count(through, filter=Q(**{f"{through}__in": matching}), distinct=True))
            )
            picked = {option.pk for option in chosen.get(dimension) or ()}
            for option in options:
                option.checked = option.pk in picked
            return options

        certainty_counts = dict(
            self.queryset_without("certainty").order_by().values_list("certainty").annotate(n=Count("pk"))
        )
        certainties = chosen.get("certainty") or ()
        return {
            "certainty": [
                (value, text, certainty_counts.get(value, 0), value in certainties)
                for value, text in Event.Certainty.choices
            ],
            "groups": [
                facet_group("era", "Eras", counted(Era.objects.order_by("position"), "events", "era")),
                facet_group("actor", "Actors", counted(Actor.objects.order_by("name"), "events", "actor"), True),
                facet_group(
                    "category", "Categories", counted(Category.objects.order_by("name"), "events", "category"), True
                ),
                facet_group(
                    "source",
                    "Source articles",
                    counted(Source.objects.order_by("seed_file"), "citations__event", "source"),
                    True,
                ),
            ],
        }


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
