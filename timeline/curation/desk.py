"""The curator's desk: what in the corpus needs attention, each item a link to where it is fixed.

Each concern is one function returning a list of Items; CONCERNS is the desk, in order. A new
kind of problem is one more function.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse

from timeline.corpus.checks import database_vocabulary, unsupported_statements, unsupported_words
from timeline.dataset.reload import CHANGE_REASON
from timeline.dataset.schema import MODELS
from timeline.models import STATEMENT_MODELS, Citation, Event, Source, Statement

CHANGES_SHOWN = 100


@dataclass
class Item:
    label: str
    url: str
    note: str = ""


def event_item(event, note=""):
    return Item(event.title, reverse("admin:timeline_event_change", args=[event.pk]), note)


def statement_url(model, owner_id):
    """A statement is edited inline on its owner's page."""
    return reverse(f"admin:timeline_{model.owner_field}_change", args=[owner_id])


def uncited_statements():
    """Statements a reader sees resting on nothing: no citation, and not context or outside knowledge with a note."""
    items = []
    for model in STATEMENT_MODELS:
        owner = model.owner_field
        bare = model.objects.filter(citations__isnull=True).filter(Q(basis=Statement.Basis.CITED) | Q(note=""))
        for statement in bare.select_related(owner).order_by(f"{owner}__slug", "position"):
            note = (
                "cites nothing"
                if statement.basis == Statement.Basis.CITED
                else f"marked {statement.get_basis_display().lower()} without a note saying why"
            )
            items.append(
                Item(
                    f"{statement.owner} #{statement.position}: “{statement.text[:60]}”",
                    statement_url(model, getattr(statement, f"{owner}_id")),
                    note,
                )
            )
    return items


def unsupported_figures_and_names():
    """Near-misses of the support rule (support.py): a statement says a figure or name none of its quotes carries,
    often because the quote that does belongs to its event (or one its owner may cite) but is not cited."""
    vocabulary = database_vocabulary()
    items = []
    for where, statement, words in unsupported_statements(vocabulary):
        cited = list(statement.citations.all())
        others = statement.permitted_citations(statement.owner.pk).exclude(pk__in=[c.pk for c in cited])
        carrying = next(
            (
                c
                for c in others.select_related("source").distinct()
                if len(unsupported_words(statement.text, [*cited, c], vocabulary)) < len(words)
            ),
            None,
        )
        hint = f"; the uncited quote “{carrying.quote[:60]}” carries some of it" if carrying else ""
        owner = statement.owner
        url = reverse(f"admin:timeline_{owner._meta.model_name}_change", args=[owner.pk])
        listed = ", ".join(f"“{w}”" for w in words)
        items.append(Item(f"{where}: {statement.text[:60]}", url, f"{listed} in none of its quotes{hint}"))
    return items


def confirmed_single_source():
    """A confirmed event should rest on more than one article."""
    events = Event.objects.filter(certainty=Event.Certainty.CONFIRMED).annotate(
        sources=Count("citations__source", distinct=True)
    )
    return [event_item(e, "cited from one article only") for e in events.filter(sources=1)]


def disputed_events():
    """An article disputes what the event says: its certainty and wording should say so."""
    events = Event.objects.filter(citations__stance=Citation.Stance.DISPUTES).distinct()
    return [event_item(e, "has a disputing citation") for e in events]


def undated_events():
    return [event_item(e, "no date in the articles yet") for e in Event.objects.filter(date__isnull=True)]


def ambiguous_quotes():
    """A quote found more than once in its article points at one occurrence only by its offsets."""
    texts = dict(Source.objects.values_list("pk", "text"))
    items = []
    for citation in Citation.objects.select_related("event", "source").order_by("source__title", "start"):
        occurrences = texts[citation.source_id].count(citation.quote)
        if occurrences > 1:
            items.append(
                Item(
                    f"{citation.event.title}: “{citation.quote[:60]}”",
                    reverse("admin:timeline_citation_change", args=[citation.pk]),
                    f"occurs {occurrences} times in {citation.source.title}; quote a longer passage",
                )
            )
    return items


def uncited_sources():
    sources = Source.objects.filter(citations__isnull=True)
    return [Item(s.title, reverse("admin:timeline_source_cite", args=[s.pk]), "no citation yet") for s in sources]


VERBS = {"+": "Added", "~": "Changed", "-": "Deleted"}


def change_url(model, row):
    """The record's history; a statement has none of its own in the admin, so its owner's page."""
    if model in STATEMENT_MODELS:
        return statement_url(model, getattr(row, f"{model.owner_field}_id"))
    return reverse(f"admin:timeline_{model._meta.model_name}_history", args=[row.id])


def last_reload():
    """When a reload last changed something, from the history's change reasons (None if never)."""
    times = [
        model.history.model.objects.filter(history_change_reason=CHANGE_REASON).aggregate(t=Max("history_date"))["t"]
        for model in MODELS
    ]
    return max((t for t in times if t is not None), default=None)


def changes_since_reload():
    """Every change since the last reload, newest first: what an export would carry into the fixtures."""
    since = last_reload()
    changes = []
    for model in MODELS:
        rows = model.history.model.objects.exclude(history_change_reason=CHANGE_REASON).select_related("history_user")
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        for row in rows.order_by("-history_date")[:CHANGES_SHOWN]:
            name = next(
                (getattr(row, f)[:60] for f in ("title", "name", "quote", "role", "text") if hasattr(row, f)), ""
            )
            who = row.history_user.get_username() if row.history_user else "a command"
            reason = f" ({row.history_change_reason})" if row.history_change_reason else ""
            changes.append(
                (
                    row.history_date,
                    Item(
                        f"{VERBS[row.history_type]} {model._meta.verbose_name} “{name or row.id}”",
                        change_url(model, row),
                        f"by {who}, {row.history_date:%Y-%m-%d %H:%M} UTC{reason}",
                    ),
                )
            )
    changes.sort(key=lambda change: change[0], reverse=True)
    return [item for _, item in changes[:CHANGES_SHOWN]]


CONCERNS = [
    ("Statements without a citation", uncited_statements),
    ("Statements saying a figure or name their quotes do not carry", unsupported_figures_and_names),
    ("Confirmed events resting on one article", confirmed_single_source),
    ("Events with a disputing citation", disputed_events),
    ("Undated events", undated_events),
    ("Quotes that occur more than once in their article", ambiguous_quotes),
    ("Articles with no citation yet", uncited_sources),
    ("Changed since the last reload", changes_since_reload),
]


def desk(request):
    if not request.user.has_perm("timeline.view_event"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Curator’s desk",
        "concerns": [(title, function()) for title, function in CONCERNS],
    }
    return TemplateResponse(request, "admin/desk.html", context)
