from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path

from timeline.corpus.articles import MAX_ARTICLE_BYTES, check_article, decode_article, text_sha256
from timeline.corpus.citing import cite_view
from timeline.curation.base import CuratedAdmin, EditConflictForm
from timeline.curation.keep_cited import CitationChangeForm, CitationFormSet, left_bare
from timeline.curation.statements import (
    ActorStatementInline,
    EraStatementInline,
    EventStatementInline,
    StatementOwnerAdmin,
    TypoFixForm,
)
from timeline.listing.dimensions import DIMENSIONS, ON_EVENT
from timeline.models import (
    Actor,
    Alias,
    Citation,
    Era,
    Event,
    Participation,
    Source,
    Synonym,
    term_keys,
)


class EventForm(TypoFixForm, EditConflictForm):
    pass


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "stance", ("start", "end")]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["actor"]


@admin.register(Event)
class EventAdmin(StatementOwnerAdmin):
    form = EventForm
    list_display = ["title", "date_display", "date_basis", "certainty", "importance", "era", "source_count"]
    list_filter = [*(dimension.list_filter for dimension in DIMENSIONS), "date_basis", "importance"]
    search_fields = ["title", "summary", "citations__quote", "actors__name", "actors__aliases__name"]
    date_hierarchy = "date"
    ordering = Event._meta.ordering  # explicit, so the event autocomplete pages a stable order
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = [d.event_path for d in ON_EVENT if d.event_field.many_to_many]
    inlines = [ParticipationInline, CitationInline, EventStatementInline]
    readonly_fields = ["summary"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summary", *(d.event_path for d in ON_EVENT), "importance", "loaded_digest"]},
        ),
        ("Date", {"fields": [("date", "date_precision", "end_date"), "date_basis", "date_note", "follows"]}),
        (None, {"fields": ["typo"]}),
    ]
    autocomplete_fields = ["follows"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*term_keys())
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
        help_text=f"UTF-8 plain text, at most {MAX_ARTICLE_BYTES:,} bytes.",
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


class CitationForm(CitationChangeForm, EditConflictForm):
    pass


@admin.register(Citation)
class CitationAdmin(CuratedAdmin):
    """A citation is deleted or moved to another event only when what rested on it can do without it."""

    form = CitationForm
    list_display = ["event", "source", "stance", "short_quote", "start", "end"]
    list_filter = ["stance", "source", "event__era", "event__certainty"]
    list_select_related = ["event", "source"]
    search_fields = ["quote", "event__title", "source__title"]
    autocomplete_fields = ["event", "source"]

    def get_deleted_objects(self, objs, request):
        """What would be left uncited is listed as protected, which refuses the delete and says why."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *left_bare(objs)]

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


@admin.register(Synonym)
class SynonymAdmin(CuratedAdmin):
    """Words a search also finds for one another (resign ↔ step down): either side finds the other."""

    list_display = ["words", "means"]
    search_fields = ["words", "means"]


@admin.register(Era)
class EraAdmin(StatementOwnerAdmin):
    """Eras are the administrators'; a curator, who edits statements, edits an era's and sees the rest read-only."""

    list_display = ["name", "position", "event_total"]
    readonly_fields = ["description"]
    inlines = [EraStatementInline]
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return self.may_change_era(request) or request.user.has_perm("timeline.change_erastatement")

    def may_change_era(self, request):
        return super().has_change_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return (
            self.readonly_fields
            if self.may_change_era(request)
            else [*self.readonly_fields, "name", "slug", "position"]
        )

    def get_prepopulated_fields(self, request, obj=None):
        """Not the attribute: simple_history's old-version form reads that, and the slug is read-only for curators."""
        return {"slug": ["name"]} if self.may_change_era(request) else {}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events"))

    @admin.display(description="Events", ordering="event_total")
    def event_total(self, era):
        return era.event_total


class TermAdmin(CuratedAdmin):
    """A vocabulary of the registry with no admin of its own (categories)."""

    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


for _dimension in DIMENSIONS:
    if _dimension.vocabulary and not admin.site.is_registered(_dimension.vocabulary):
        admin.site.register(_dimension.vocabulary, TermAdmin)
