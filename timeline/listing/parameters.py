"""The URL parameters of every event listing, declared once: what each is called, means and accepts.

``ListingForm`` reads them: the search, one field per dimension (dimensions.py) in the registry's
order, then the dates, order, window and position. It parses and checks what a request sent;
which events a state selects is the event index's job (query.py, index.py). The query state,
the OpenAPI description (api.py) and the fuzz tests read the parameter list from here.
"""

from django import forms

from timeline.corpus.dates import AmbiguousDate, parse_date_window, parse_partial_date, suggested_date
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.paging import parse_cursor

ECHO_LIMIT = 40


def shorten(text, limit=ECHO_LIMIT):
    """What a request sent, as a message quotes it: at most `limit` characters."""
    return text if len(text) <= limit else f"{text[:limit]}…"


class ParsedField(forms.CharField):
    """A parameter that a parser reads: empty means not given, and the parser's ValueError becomes the
    field's message (`problem`), which quotes what was sent, shortened."""

    def parse(self, value):
        raise NotImplementedError

    def problem(self, value, exc):
        return f"“{shorten(value)}” is {exc}."

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return self.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(self.problem(value, exc)) from exc


class PartialDateField(ParsedField):
    """Accepts what people type ("2024", "March 2025", "2025-03-13") and keeps the precision."""

    def parse(self, value):
        return parse_partial_date(value)

    def problem(self, value, exc):
        if isinstance(exc, AmbiguousDate):
            return f"{exc}."
        near = suggested_date(value)
        hint = f"Did you mean {near}?" if near else "Try 2024, March 2025 or 2025-03-13."
        return f"“{shorten(value)}” is not a date we can read ({exc}). {hint}"


class DateWindowField(ParsedField):
    """The window the timeline shows: what people type for a date, or two of them joined by ".."."""

    longest = 90

    def parse(self, value):
        if len(value) > self.longest:
            raise ValueError("too long")
        return parse_date_window(value)

    def problem(self, value, exc):
        if len(value) > self.longest:
            return f"“{shorten(value)}” is too long for a timeline window."
        return f"“{shorten(value)}” is not a window we can read ({exc}). Try 2024 or 2024-03-01..2024-06-30."


class CursorField(ParsedField):
    """A position in the list, from the previous page's "next" link."""

    def parse(self, value):
        return parse_cursor(value)


class SlugChoiceField(forms.MultipleChoiceField):
    """Slugs are checked against a set of the vocabulary's slugs, and the choices are a function.

    Every request builds a form, which copies its fields: with the choices as a list, copying
    and checking them went through every actor, 1-3 ms per request with 238 actors."""

    def __init__(self, *args, slugs=frozenset(), **kwargs):
        self.slugs = slugs
        super().__init__(*args, **kwargs)

    def valid_value(self, value):
        return value in self.slugs


def dimension_field(dimension):
    """A dimension's parameter: any of several slugs, each checked against the vocabulary (or the choices)."""
    choices = list(dimension.choices)
    return SlugChoiceField(
        required=False,
        label=dimension.label,
        help_text=dimension.help_text,
        choices=choices,
        slugs=frozenset(value for value, _ in choices),
    )


def listing_fields():
    """The parameters in their URL order; "from" and "to" cannot be class attributes."""
    return {
        "q": forms.CharField(
            required=False,
            max_length=200,
            label="Search",
            help_text=(
                "Words that must occur (as typed or as the start of a word) in the title, summary, quotes or "
                "actor names and aliases. Best matches come first unless `order=time`."
            ),
        ),
        **{dimension.name: dimension_field(dimension) for dimension in DIMENSIONS},
        "from": PartialDateField(
            required=False,
            label="From",
            help_text="Start of the date range as people write it: 2024, March 2025, 2025-03-13.",
        ),
        "to": PartialDateField(required=False, label="To", help_text="End of the date range, same forms."),
        "undated": forms.ChoiceField(
            required=False,
            choices=[("include", "Include undated events")],
            label="Undated events",
            help_text="`include`: with `from`/`to`, keep the events the articles do not date (nothing to compare).",
        ),
        "order": forms.ChoiceField(
            required=False,
            choices=[("relevance", "Best matches first"), ("time", "Time order")],
            label="Order",
            help_text="With `q`, best matches come first (`relevance`, the default); `time` lists them in time order.",
        ),
        "view": DateWindowField(
            required=False,
            label="Timeline window",
            help_text="The span the timeline shows (it filters nothing): 2024, March 2024 or 2024-03-01..2024-06-30.",
        ),
        "after": CursorField(
            required=False,
            label="Position",
            help_text="Keyset position from the previous page's `next` link (reading order only).",
        ),
    }


class BaseListingForm(forms.Form):
    """A dimension over a vocabulary takes several slugs; an unknown slug is an error, never ignored.

    Slugs are checked against the vocabularies of the data version (vocab.py), not the database.
    """

    def __init__(self, data, *, vocab):
        super().__init__(data)
        for dimension in DIMENSIONS:
            if dimension.vocabulary:
                terms = vocab[dimension.name]
                field = self.fields[dimension.name]
                field.choices = lambda terms=terms: [(term.slug, term.label) for term in terms]
                field.slugs = frozenset(term.slug for term in terms)

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
        elif after is not None and after.apart and (ranked or not (start or end)):
            self.add_error(
                "after",
                "this position belongs to the events a date range lists apart; use the “Show more” link.",
            )
        if cleaned.get("undated") and not (start or end):
            self.add_error("undated", "only a date range (from, to) leaves undated events out; give one, or drop this.")
        return cleaned

    def error_messages(self):
        """Each problem as "name: message"; a value the message quotes is shortened, however long it was."""
        messages = []
        for name, errors in self.errors.as_data().items():
            where = "" if name == "__all__" else f"{name}: "
            for error in errors:
                message = error.message
                if error.params:
                    message %= {k: shorten(v) if isinstance(v, str) else v for k, v in error.params.items()}
                messages.append(f"{where}{message}")
        return messages


ListingForm = type("ListingForm", (BaseListingForm,), listing_fields())
PARAMETERS = tuple(ListingForm.base_fields)
# The parameters that hold what people type for a date (and whether undated events join a range):
# one that cannot be read is left out of the list shown beside its message.
DATE_PARAMETERS = frozenset({"from", "to", "view", "undated"})


def many_valued(name):
    return isinstance(ListingForm.base_fields[name], forms.MultipleChoiceField)
