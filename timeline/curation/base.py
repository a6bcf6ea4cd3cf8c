"""The base of every corpus admin: edits never overwrite someone else's, lists accept only their own filters,
and a revert is allowed only to whom may make the change it makes."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from timeline.dataset.schema import digest, serialize


class EditConflictForm(forms.ModelForm):
    """Refuses to save over changes someone else (a curator or a reload) made since the form was opened.

    The digest covers the record and the rows edited inline with it (an event's participations
    and citations, an actor's aliases), so two curators cannot overwrite each other's rows either.
    """

    loaded_digest = forms.CharField(widget=forms.HiddenInput, required=False)
    inline_relations = ()  # set by CuratedAdmin.get_form from the admin's inlines

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_digest"].initial = self.current_digest()

    def current_digest(self):
        """The stored record's ("" when it is gone: a revert may bring back a record that points at deleted ones)."""
        stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        return "" if stored is None else edit_digest(stored, self.inline_relations)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("loaded_digest") != self.current_digest():
            raise forms.ValidationError(
                "Someone changed this record since you opened it, so your changes were not saved. "
                "Open it again to see the current version, then redo your edit.",
                code="edit_conflict",
            )
        return cleaned


def edit_digest(instance, inline_relations=()):
    """What a curator saw when opening a record: its fields, and its inline rows if it has any."""
    if not inline_relations:
        return digest(serialize(instance))
    rows = {
        name: sorted(json.dumps(serialize(row), sort_keys=True) for row in getattr(instance, name).all())
        for name in inline_relations
    }
    return digest({"record": serialize(instance), "inline": rows})


class CuratedAdmin(SimpleHistoryAdmin):
    """Every change is kept: "History" on a record lists its versions and can revert to one."""

    form = EditConflictForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.inline_relations = tuple(
            inline.model._meta.get_field(inline.fk_name or self.model._meta.model_name).remote_field.get_accessor_name()
            for inline in self.inlines
        )
        return form

    def lookup_allowed(self, lookup, value, request=None):
        """Only the parameters this admin's own list filters and date hierarchy send are accepted: any other
        lookup typed into the address (`title__regex=…` backtracks in SQLite's Python regex and holds a
        worker) is refused with a 400, the way Django refuses a disallowed lookup."""
        return request is not None and lookup in self.filter_parameters(request)

    def filter_parameters(self, request):
        """The query parameters of the list filters and the date hierarchy, worked out once per request."""
        known = request.__dict__.setdefault("_filter_parameters", {})
        if self.model not in known:
            parameters = (
                {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}
                if self.date_hierarchy
                else set()
            )
            for spec in self.unfiltered_specs(request):
                parameters.update(spec.expected_parameters())
            known[self.model] = parameters
        return known[self.model]

    def unfiltered_specs(self, request):
        """The list filters as the change list builds them (views.main.ChangeList.get_filters), with no choice made."""
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                yield item(request, {}, self.model, self)
                continue
            field_path, spec = item if isinstance(item, (list, tuple)) else (item, FieldListFilter.create)
            field = get_fields_from_path(self.model, field_path)[-1]
            yield spec(field, request, {}, self.model, self, field_path=field_path)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Reverting changes the record; bringing back a deleted one adds what someone deleted, so it needs
        the permissions to add and to delete it, and is refused when the history lacks a field it needs."""
        if request.method != "GET":
            exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
            if not self.has_revert_permission(request, exists):
                raise PermissionDenied
            unkept = [] if exists else self.unkept_required_fields()
            if unkept:
                names = ", ".join(str(field.verbose_name) for field in unkept)
                messages.error(
                    request,
                    f"This {self.opts.verbose_name} cannot be brought back: the history does not keep its {names}. "
                    "Add it again instead.",
                )
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_revert_permission(self, request, exists):
        """The model's own change permission for a record that exists; add and delete for a deleted one."""
        if not exists:
            return self.has_add_permission(request) and self.has_delete_permission(request)
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    def revert_disabled(self, request, obj=None):
        exists = obj is not None and self.model._default_manager.filter(pk=obj.pk).exists()
        return super().revert_disabled(request, obj) or not self.has_revert_permission(request, exists)

    def unkept_required_fields(self):
        """Fields the history leaves out (current values are kept on a revert) that a record cannot do without."""
        excluded = self.model.history.model._history_excluded_fields
        fields = [self.opts.get_field(name) for name in excluded]
        return [f for f in fields if not (f.null or f.blank or f.has_default() or f.many_to_many)]
