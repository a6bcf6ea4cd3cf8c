"""Citing by selecting: the article laid out for selection, the chosen passage verified, the citation saved.

The cite screen is an admin page (`/admin/timeline/source/<id>/cite/`), so the public source page
never reads a session. A passage arrives as offsets (a selection, turned into offsets by
static/timeline/cite.js) or as typed words (its first words and, optionally, its last); either
way the server finds it in the stored text and shows it before anything is saved.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify

from timeline.corpus.text import validate_text
from timeline.models import Citation, Event, EventStatement, Source, refresh_statement_text

MAX_QUOTE = 2000


class PassageError(ValueError):
    """A passage that cannot be cited, with a message for the curator."""


@dataclass
class Passage:
    start: int
    end: int
    quote: str
    occurrences: int


def passage_from(text, params):
    """The passage named by `start`/`end`, or by `find` (its first words) and `until` (its last); None if neither.

    Whitespace at either edge is dropped, so a triple-clicked paragraph cites its words only.
    """
    if params.get("start") or params.get("end"):
        try:
            start, end = int(params.get("start", "")), int(params.get("end", ""))
        except ValueError:
            raise PassageError("The passage's offsets are not whole numbers.") from None
        if not 0 <= start < end <= len(text):
            raise PassageError("The passage's offsets are outside the article.")
    elif params.get("find", "").strip():
        find, until = params["find"].strip()[:MAX_QUOTE], params.get("until", "").strip()[:MAX_QUOTE]
        start = text.find(find)
        if start < 0:
            raise PassageError(
                f"“{find[:40]}” is not in the article; type it exactly as written, including punctuation."
            )
        end = start + len(find)
        if until:
            last = text.find(until, end)
            if last < 0 and text.find(until, start, end) < 0:
                raise PassageError(f"“{until[:40]}” does not occur after “{find[:40]}” in the article.")
            end = last + len(until) if last >= 0 else end
    else:
        return None
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise PassageError("The passage holds only spaces or line breaks.")
    if end - start > MAX_QUOTE:
        raise PassageError(f"The passage is {end - start:,} characters; cite at most {MAX_QUOTE:,} at a time.")
    quote = text[start:end]
    return Passage(start, end, quote, text.count(quote))


@dataclass
class Piece:
    text: str
    mark: str


def article_lines(text, marks, only_marked=False):
    """The article line by line, each a list of pieces whose texts join back into exactly the article.

    `marks` are (start, end, css class) spans; with `only_marked`, only the lines they touch.
    Each line keeps its line break, so the page's text content is the article itself and a
    selection's offsets can be counted in the browser.
    """
    lines, at = [], 0
    for raw in text.split("\n"):
        line_end = at + len(raw) + (1 if at + len(raw) < len(text) else 0)
        cuts = {at, line_end}
        cuts.update(p for start, end, _ in marks for p in (start, end) if at < p < line_end)
        cuts = sorted(cuts)
        pieces = []
        for begin, finish in zip(cuts, cuts[1:], strict=False):
            covering = [css for start, end, css in marks if start <= begin and finish <= end]
            pieces.append(Piece(text[begin:finish], covering[-1] if covering else ""))
        if not only_marked or any(piece.mark for piece in pieces):
            lines.append(pieces)
        at = line_end
    return lines


def unique_slug(title):
    base = slugify(title)[:40] or "event"
    slug, number = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class CiteForm(forms.Form):
    """The citation: its passage (verified against the stored text) and where it goes."""

    quote = forms.CharField(strip=False, widget=forms.Textarea(attrs={"readonly": True, "rows": 3}))
    start = forms.IntegerField(min_value=0, widget=forms.NumberInput(attrs={"readonly": True}))
    end = forms.IntegerField(min_value=1, widget=forms.NumberInput(attrs={"readonly": True}))
    stance = forms.ChoiceField(choices=Citation.Stance.choices, initial=Citation.Stance.SUPPORTS)
    target = forms.ChoiceField(
        label="Cite it for",
        choices=[("existing", "An existing event"), ("new", "A new event from this passage")],
        initial="existing",
        widget=forms.RadioSelect,
    )
    event = forms.ModelChoiceField(
        queryset=Event.objects.all(),
        required=False,
        help_text="Type part of its title to find it.",
    )

    def __init__(self, source, admin_site, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        event = self.fields["event"]
        event.widget = AutocompleteSelect(Citation._meta.get_field("event"), admin_site)
        event.widget.choices = event.choices

    def clean(self):
        cleaned = super().clean()
        start, end, quote = cleaned.get("start"), cleaned.get("end"), cleaned.get("quote")
        if None not in (start, end, quote) and self.source.text[start:end] != quote:
            raise ValidationError("The quote no longer matches the article at these offsets; select it again.")
        if cleaned.get("target") == "existing" and not cleaned.get("event"):
            self.add_error("event", "Choose the event, or choose “A new event from this passage”.")
        return cleaned


class NewEventForm(forms.ModelForm):
    """The event a passage starts, when it is not one already told; actors and categories come after."""

    slug = forms.SlugField(required=False, help_text="Leave blank to make one from the title.")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_text],
        help_text="Its first statement, which rests on this passage; add more on the event's page.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "era",
            "certainty",
            "importance",
            "date",
            "date_precision",
            "end_date",
            "date_basis",
            "date_note",
        ]
        widgets = {"date_note": forms.Textarea(attrs={"rows": 2})}

    field_order = ["title", "slug", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["date_basis"].initial = Event.DateBasis.UNDATED

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = self.instance.slug = unique_slug(cleaned["title"])
        return cleaned


class StatementsForm(forms.Form):
    """What the new citation supports: the event's statements it rests on, and a new statement."""

    statements = forms.ModelMultipleChoiceField(
        queryset=EventStatement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The event's statements this passage supports.",
    )
    statement = forms.CharField(
        required=False,
        max_length=2000,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A new statement resting on this passage (required for a new event: its first sentence).",
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, prefix="statements", **kwargs)
        if event is not None:
            self.fields["statements"].queryset = event.statements.order_by("position")


def link_statements(citation, data, user, first=""):
    """Link the chosen statements of the citation's event to it, and add a new statement resting on it
    (`first`: a new event's summary, its first statement); statements are edited with their own permissions."""
    form = StatementsForm(data, event=citation.event)
    if not form.is_valid():
        raise ValidationError([f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()])
    linked = list(form.cleaned_data["statements"])
    adding = bool(first.strip() or form.cleaned_data["statement"].strip())
    if (linked and not user.has_perm("timeline.change_eventstatement")) or (
        adding and not user.has_perm("timeline.add_eventstatement")
    ):
        raise ValidationError("You may not edit statements; ask an administrator for the permission.")
    for statement in linked:
        statement.citations.add(citation)
    for text in (first.strip(), form.cleaned_data["statement"].strip()):
        if not text:
            continue
        position = (citation.event.statements.aggregate(last=Max("position"))["last"] or 0) + 1
        statement = EventStatement.objects.create(event=citation.event, position=position, text=text)
        statement.citations.add(citation)
        linked.append(statement)
    refresh_statement_text(citation.event)
    return linked


def cite_view(request, model_admin, source_id):
    """Choose a passage (select it, or type its first and last words), then save it as a citation."""
    source = get_object_or_404(Source, pk=source_id)
    if not (model_admin.has_view_permission(request, source) and request.user.has_perm("timeline.add_citation")):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Source._meta,
        "source": source,
        "title": f"Cite a passage of {source.title}",
        "cite_url": reverse("admin:timeline_source_cite", args=[source.pk]),
    }
    if request.method == "POST":
        form = CiteForm(source, model_admin.admin_site, request.POST)
        new_event = NewEventForm(request.POST) if request.POST.get("target") == "new" else NewEventForm()
        if save_citation(request, form, new_event) is not None:
            return redirect(context["cite_url"])
        try:
            passage = passage_from(source.text, request.POST)
        except PassageError:
            passage = None
        return cite_form_page(request, context, source, passage, form, new_event)
    try:
        passage = passage_from(source.text, request.GET)
    except PassageError as exc:
        context["problem"] = str(exc)
        passage = None
    if passage is None:
        context["lines"] = article_lines(source.text, [(c.start, c.end, "cited") for c in source.citations.all()])
        context["find"], context["until"] = request.GET.get("find", ""), request.GET.get("until", "")
        return TemplateResponse(request, "admin/timeline/source/cite.html", context)
    form = CiteForm(
        source, model_admin.admin_site, initial={"quote": passage.quote, "start": passage.start, "end": passage.end}
    )
    return cite_form_page(request, context, source, passage, form, NewEventForm())


def cite_form_page(request, context, source, passage, form, new_event):
    context.update(
        form=form,
        new_event=new_event,
        statements_form=StatementsForm(request.POST if request.method == "POST" else None),
        passage=passage,
        media=form.media + new_event.media,
        lines=article_lines(source.text, [(passage.start, passage.end, "passage")], only_marked=True)
        if passage
        else [],
        existing=source.citations.filter(start=passage.start, end=passage.end).select_related("event")
        if passage
        else [],
    )
    return TemplateResponse(request, "admin/timeline/source/cite_form.html", context)


def save_citation(request, form, new_event):
    """The citation (and its new event) in one transaction, or None with the problems on the forms."""
    if not form.is_valid():
        return None
    creating = form.cleaned_data["target"] == "new"
    if creating and not request.user.has_perm("timeline.add_event"):
        form.add_error("target", "You may not add events; choose an existing one.")
        return None
    if creating and not new_event.is_valid():
        return None
    try:
        with transaction.atomic():
            event = new_event.save() if creating else form.cleaned_data["event"]
            citation = Citation(
                event=event,
                source=form.source,
                quote=form.cleaned_data["quote"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                stance=form.cleaned_data["stance"],
            )
            citation.full_clean()
            citation.save()
            first = new_event.cleaned_data["summary"] if creating else ""
            link_statements(citation, request.POST, request.user, first)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return None
    messages.success(
        request,
        format_html(
            'Cited for <a href="{}">{}</a> (<a href="{}">edit the event</a>: actors, date, categories).',
            event.get_absolute_url(),
            event.title,
            reverse("admin:timeline_event_change", args=[event.pk]),
        ),
    )
    return citation
