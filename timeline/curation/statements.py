"""The admin's statement editing: each owner's text sentence by sentence, with the quotes it rests on."""

from django import forms
from django.contrib import admin
from django.db import models

from timeline.corpus.checks import support_problem
from timeline.curation.base import CuratedAdmin
from timeline.models import (
    ActorStatement,
    Citation,
    EraStatement,
    EventStatement,
    Statement,
    derive_statement_text,
    refresh_statement_text,
)
from timeline.web.corrections import TYPO


class StatementForm(forms.ModelForm):
    """A cited statement names at least one quote; context or outside knowledge says why in its note."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE"):
            return cleaned
        if cleaned.get("basis") == Statement.Basis.CITED and not cleaned.get("citations"):
            self.add_error(
                "citations",
                "Choose the quotes this statement rests on, or mark it context or external and say why in the note.",
            )
        elif problem := support_problem(cleaned.get("basis"), cleaned.get("text"), cleaned.get("citations") or []):
            self.add_error("text", problem)
        return cleaned


class TypoFixForm(forms.ModelForm):
    """A change marked as a typo fix is kept in the history with the reason "typo", and not announced
    as a correction (corrections.py)."""

    typo = forms.BooleanField(required=False, label="This change only fixes a typo (not announced as a correction)")

    def save(self, commit=True):
        if self.cleaned_data.get("typo"):
            self.instance._change_reason = TYPO
        return super().save(commit)


class EventStatementForm(TypoFixForm, StatementForm):
    pass


def quote_label(citation):
    quote = citation.quote if len(citation.quote) <= 90 else citation.quote[:87] + "…"
    return f"{citation.source.slug} [{citation.start}]: “{quote}” ({citation.event.slug})"


class StatementInline(admin.StackedInline):
    """The owner's text, sentence by sentence; citation choices are only the quotes this owner may cite."""

    form = StatementForm
    extra = 0
    fields = ["position", ("text", "basis"), "note", "citations"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["citations"]
        permitted = self.model.permitted_citations(obj.pk) if obj is not None else Citation.objects.none()
        field.queryset = permitted.select_related("source", "event").distinct()
        field.label_from_instance = quote_label
        return formset


class EventStatementInline(StatementInline):
    model = EventStatement
    form = EventStatementForm
    fields = [*StatementInline.fields, "typo"]


class ActorStatementInline(StatementInline):
    model = ActorStatement


class EraStatementInline(StatementInline):
    model = EraStatement


class StatementOwnerAdmin(CuratedAdmin):
    """Keeps the owner's summary or description equal to its statements after each save."""

    def save_model(self, request, obj, form, change):
        """A revert saves an old version whose summary its statements may no longer say: the text is theirs."""
        if obj.pk is not None:
            derive_statement_text(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_statement_text(form.instance)
