"""Events rendered on write: the HTML a listing shows for each event, stored with the event.

A reader's first-time filter state shows events nobody asked for before, and rendering them
is most of what such a request costs. So whatever writes an event, or a record the event
shows, renders the event again in the same transaction (signals.py): the listing then reads
the stored HTML in one query. With the HTML are stored its marks: where each text a search
marks words in lies (a title, a statement, a quote) and where the matching passage goes, so
that a search marks its words in the stored HTML instead of rendering the event again. An
event whose stored HTML another release of the code made is rendered by the reader, until
``manage.py render_events`` has rendered it again.
"""

from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from timeline.cache.versions import release
from timeline.corpus.quotes import nested
from timeline.listing.dimensions import DIMENSIONS
from timeline.listing.explain import highlight, snippet, word_pattern
from timeline.models import Event, EventRendering, event_parts, term_keys, term_sets

BATCH = 500
SEGMENT = "\x00"  # never in curated text (text.py refuses control characters)


def rendered(events, words=()):
    """{event id: HTML} of events whose parts are prefetched and categories attached (or prefetched)."""
    template = get_template("events.html#event")
    return {event.pk: template.render({"event": event, "words": words}) for event in events}


def rendered_with_marks(events):
    """{event id: (HTML without searched words, its marks)}: see with_words."""
    template = get_template("events.html#event")
    found = {}
    for event in events:
        segments = []
        context = {"event": event, "words": ()}
        html, marks = assembled(template.render({**context, "segments": segments}), segments)
        found[event.pk] = (html, marks) if marks is not None else (template.render(context), None)
    return found


def markable(context, text):
    """A text a search marks words in (the template tags' one way to show one), escaped."""
    segments = context.get("segments")
    if segments is None:
        return highlight(text, context.get("words") or ())
    return placeholder(segments, "t", text)


def passage_html(context, quotes):
    """The matching passage of a search's result, or the place it goes when the HTML is stored."""
    segments = context.get("segments")
    if segments is None:
        return snippet_html(quotes, context.get("words") or ())
    return placeholder(segments, "p", quotes)


def placeholder(segments, kind, value):
    """Where a markable piece goes in a rendering for storage; ``assembled`` replaces it."""
    segments.append((kind, value))
    return mark_safe(f"{SEGMENT}{len(segments) - 1}{SEGMENT}")  # noqa: S308 (replaced by assembled)


def snippet_html(quotes, words):
    passage = snippet(quotes, words) if words else None
    if not passage:
        return ""
    return format_html(
        '<span class="snippet"><span class="visually-hidden">Matching passage: </span>“{}”</span>',
        highlight(nested(passage), words),
    )


def assembled(raw, segments):
    """(HTML, marks) from a rendering whose markable texts are placeholders; (None, None) if one
    could not be told apart (a text holding the placeholder's character)."""
    pieces = raw.split(SEGMENT)
    if len(pieces) != 2 * len(segments) + 1:
        return None, None
    html, marks, length = [], [], 0
    for number, piece in enumerate(pieces):
        if number % 2 == 0:
            html.append(piece)
            length += len(piece)
            continue
        kind, value = segments[int(piece)]
        if kind == "p":
            marks.append(["p", length, value])
        else:
            text = conditional_escape(value)
            marks.append(["t", length, length + len(text), value])
            html.append(text)
            length += len(text)
    return "".join(html), marks


def with_words(html, marks, words):
    """The stored HTML with the searched words marked: what rendering it with `words` gives."""
    pattern, out, last = word_pattern(words), [], 0
    for mark in marks:
        out.append(html[last : mark[1]])
        if mark[0] == "p":
            out.append(snippet_html(mark[2], words))
            last = mark[1]
        else:
            out.append(highlight(mark[3], words) if pattern and pattern.search(mark[3]) else html[mark[1] : mark[2]])
            last = mark[2]
    out.append(html[last:])
    return "".join(out)


def store(event_ids):
    """Render these events from the database as it now is and store their HTML; returns how many."""
    ids = sorted(set(event_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        events = list(Event.objects.filter(pk__in=batch).select_related(*term_keys()))
        if len(events) < len(batch):  # deleted, perhaps after its parts' signals rendered it once more
            EventRendering.objects.filter(event_id__in=set(batch) - {event.pk for event in events}).delete()
        prefetch_related_objects(events, *event_parts(categories=True))
        EventRendering.objects.bulk_create(
            [
                EventRendering(event_id=pk, release=release(), html=html, marks=marks)
                for pk, (html, marks) in rendered_with_marks(events).items()
            ],
            update_conflicts=True,
            unique_fields=["event"],
            update_fields=["release", "html", "marks"],
        )
        done += len(events)
    return done


def stored(event_ids, words=()):
    """{event id: HTML, the searched words marked} of those of these events rendered by this release."""
    rows = EventRendering.objects.filter(event_id__in=list(event_ids), release=release())
    if not words:
        return dict(rows.values_list("event_id", "html"))
    found = rows.exclude(marks__isnull=True).values_list("event_id", "html", "marks")
    return {pk: with_words(html, marks, words) for pk, html, marks in found}


def outdated():
    """Ids of the events with no HTML from this release of the code."""
    current = EventRendering.objects.filter(release=release()).values("event_id")
    return Event.objects.exclude(pk__in=current).values_list("pk", flat=True)


def catch_up():
    """Render every event whose stored HTML is missing or from another release; returns how many."""
    return store(outdated())


def shown_with(instance):
    """Ids of the events whose HTML shows this record (a term of a dimension, or an event's link to a
    term), beyond those whose search text holds it (signals.py)."""
    if isinstance(instance, TERM_LINKS):
        return {instance.event_id}
    for dimension in DIMENSIONS:
        if dimension.vocabulary and isinstance(instance, dimension.vocabulary):
            return set(Event.objects.filter(**{dimension.event_path: instance}).values_list("pk", flat=True))
    return set()


TERM_LINKS = tuple(  # the rows that file an event under a term of a set (Event.categories.through)
    Event._meta.get_field(name).remote_field.through for name in term_sets()
)
