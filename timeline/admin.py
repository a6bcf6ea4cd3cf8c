import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from .articles import MAX_ARTICLE_BYTES, check_article, decode_article, text_sha256
from .checks import support_problem
from .citing import cite_view
from .fixture_schema import digest, serialize
from .models import (
    Actor,
    ActorStatement,
    Alias,
    Category,
    Citation,
    Era,
    EraStatement,
    Event,
    EventStatement,
    Participation,
    Source,
    Statement,
    refresh_statement_text,
)


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
        return edit_digest(self.instance, self.inline_relations)

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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Reverting is changing: a curator who may only view a record may look at old versions, not restore one."""
        if request.method != "GET" and not self.has_change_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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


class ActorStatementInline(StatementInline):
    model = ActorStatement


class EraStatementInline(StatementInline):
    model = EraStatement


class StatementOwnerAdmin(CuratedAdmin):
    """Keeps the owner's summary or description equal to its statements after each save."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_statement_text(form.instance)


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "stance", ("start", "end")]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["actor"]


@admin.register(Event)
class EventAdmin(StatementOwnerAdmin):
    list_display = ["title", "date_display", "date_basis", "certainty", "importance", "era", "source_count"]
    list_filter = [
        "era",
        "certainty",
        "date_basis",
        "importance",
        "categories",
        ("actors", admin.RelatedOnlyFieldListFilter),
        ("citations__source", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "summary", "citations__quote", "actors__name", "actors__aliases__name"]
    date_hierarchy = "date"
    ordering = Event._meta.ordering  # explicit, so the event autocomplete pages a stable order
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories"]
    inlines = [ParticipationInline, CitationInline, EventStatementInline]
    readonly_fields = ["summary"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summary", "era", "categories", "certainty", "importance", "loaded_digest"]},
        ),
        ("Date", {"fields": [("date", "date_precision", "end_date"), "date_basis", "date_note", "follows"]}),
    ]
    autocomplete_fields = ["follows"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("era")
            .annotate(source_total=Count("citations__source", distinct=True))
        )

    @admin.display(description="Date", ordering="date")
    def date_display(self, event):
        return event.date_display

    @admin.display(description="Sources", ordering="source_total")
    def source_count(self, event):
        return event.source_total


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1


@admin.register(Actor)
class ActorAdmin(StatementOwnerAdmin):
    list_display = ["name", "kind", "alias_list", "event_total"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["description"]
    inlines = [AliasInline, ActorStatementInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("aliases")
            .annotate(event_total=Count("participations", distinct=True))
        )

    @admin.display(description="Aliases")
    def alias_list(self, actor):
        return ", ".join(str(alias) for alias in actor.aliases.all())

    @admin.display(description="Events", ordering="event_total")
    def event_total(self, actor):
        return actor.event_total


class ArticleForm(EditConflictForm):
    """A new article: its text pasted or uploaded, stored exactly as given (the browser's CR LF line ends aside)."""

    text = forms.CharField(
        label="Article text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Paste the article as published, or upload it below.",
    )
    upload = forms.FileField(
        label="…or upload a .txt file",
        required=False,
        help_text=f"UTF-8 plain text, at most {MAX_ARTICLE_BYTES // 1024 // 1024} MB.",
    )

    class Meta:
        model = Source
        fields = [
            "title",
            "slug",
            "outlet",
            "quality",
            "quality_note",
            "published",
            "published_precision",
            "published_note",
        ]

    def clean(self):
        cleaned = super().clean()
        pasted, upload = cleaned.get("text", ""), cleaned.get("upload")
        if pasted and upload:
            raise ValidationError("Paste the text or upload a file, not both.")
        try:
            if upload:
                if upload.size > MAX_ARTICLE_BYTES:
                    raise ValidationError(f"The file is {upload.size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,}.")
                text = decode_article(upload.read())
            else:
                text = pasted.replace("\r\n", "\n")  # a form sends a textarea's line breaks as CR LF
                check_article(text)
        except ValidationError as exc:
            self.add_error("upload" if upload else "text", exc)
            return cleaned
        duplicate = Source.objects.filter(sha256=text_sha256(text)).first()
        if duplicate:
            self.add_error("text", f"This article is already a source: {duplicate.title}.")
        self.instance.text = text
        return cleaned


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    """Curators add articles and cite them; the text of an article never changes once saved, and only
    administrators delete sources (never a cited one: citations protect their source)."""

    list_display = ["title", "outlet", "published_display", "quality", "seed_file", "citation_total"]
    list_filter = ["quality", "published_precision"]
    search_fields = ["title", "outlet", "seed_file", "text"]
    readonly_fields = ["seed_file", "sha256", "text"]
    prepopulated_fields = {"slug": ["title"]}
    add_fieldsets = [
        (None, {"fields": ["title", "slug", "outlet", "quality", "quality_note"]}),
        ("Publication", {"fields": [("published", "published_precision"), "published_note"]}),
        ("The article", {"fields": ["text", "upload"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_urls(self):
        cite = self.admin_site.admin_view(self.cite)
        return [path("<int:source_id>/cite/", cite, name="timeline_source_cite"), *super().get_urls()]

    def cite(self, request, source_id):
        return cite_view(request, self, source_id)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description="Published", ordering="published")
    def published_display(self, source):
        return source.published_display

    @admin.display(description="Citations", ordering="citation_total")
    def citation_total(self, source):
        return source.citation_total


@admin.register(Citation)
class CitationAdmin(CuratedAdmin):
    list_display = ["event", "source", "stance", "short_quote", "start", "end"]
    list_filter = ["stance", "source", "event__era", "event__certainty"]
    list_select_related = ["event", "source"]
    search_fields = ["quote", "event__title", "source__title"]
    autocomplete_fields = ["event", "source"]

    @admin.display(description="Quote")
    def short_quote(self, citation):
        return citation.quote if len(citation.quote) <= 90 else citation.quote[:87] + "…"


@admin.register(Participation)
class ParticipationAdmin(CuratedAdmin):
    list_display = ["event", "actor", "role"]
    list_select_related = ["event", "actor"]
    list_filter = [("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["role", "event__title", "actor__name", "actor__aliases__name"]
    autocomplete_fields = ["event", "actor"]


@admin.register(Alias)
class AliasAdmin(CuratedAdmin):
    list_display = ["name", "actor", "garbled"]
    list_select_related = ["actor"]
    list_filter = ["garbled"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(Era)
class EraAdmin(StatementOwnerAdmin):
    list_display = ["name", "position", "event_total"]
    readonly_fields = ["description"]
    inlines = [EraStatementInline]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events"))

    @admin.display(description="Events", ordering="event_total")
    def event_total(self, era):
        return era.event_total


@admin.register(Category)
class CategoryAdmin(CuratedAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
