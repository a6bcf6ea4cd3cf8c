"""What the admin refuses because a reload would: an event without a citation, a statement left resting on nothing.

`manage.py check --database default`, `migrate` and every reload refuse such a corpus
(timeline.E001, checks.py); these rules stop the edit that would make one, with a message that
says what to do instead.
"""

from django import forms
from django.db.models import Exists, OuterRef

from timeline.models import STATEMENT_MODELS, Citation, Event, Statement

UNCITED_EVENT = (
    "An event rests on at least one citation: keep one, or cite a passage for it first "
    "(the reload refuses an uncited event)."
)


class CitationFormSet(forms.BaseInlineFormSet):
    """An event's citations, edited on its page: at least one must remain."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(UNCITED_EVENT, code="uncited_event")


def left_bare(citations):
    """Why deleting (or moving away) these citations would break the corpus: the events they are the last
    citation of, and the cited statements resting only on them; [] when nothing would."""
    ids = [c.pk for c in citations]
    others = Citation.objects.filter(event=OuterRef("pk")).exclude(pk__in=ids)
    events = Event.objects.filter(citations__in=ids).distinct().filter(~Exists(others))
    problems = [f"Event “{e.title}”: this is its last citation; an event rests on at least one." for e in events]
    for model in STATEMENT_MODELS:
        links = model.citations.through.objects.filter(**{model._meta.model_name: OuterRef("pk")})
        bare = model.objects.filter(basis=Statement.Basis.CITED, citations__in=ids).distinct()
        bare = bare.filter(~Exists(links.exclude(citation__in=ids))).select_related(model.owner_field)
        problems += [
            f"Statement {s.position} of {s.owner}: rests only on this citation; "
            "cite another quote for it, or mark it context or external with a note."
            for s in bare
        ]
    return problems


class CitationChangeForm(forms.ModelForm):
    """A citation moves to another event only when its old event and statements can do without it."""

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event")
        if self.instance.pk and event is not None and event.pk != self.instance.event_id:
            problems = left_bare([self.instance])
            if any(m.objects.filter(citations=self.instance.pk).exists() for m in STATEMENT_MODELS):
                problems.append("Statements rest on this quote: a statement cites only quotes its owner may cite.")
            for problem in problems:
                self.add_error("event", problem)
        return cleaned
