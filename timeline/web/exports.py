"""The filtered chronology in other formats: CSV, iCalendar, Atom and TimelineJS.

Every export reads the page's query state (EventQuery), so it holds exactly the events the
reader chose: their ids come from the event index, their rows from the database by id. A
malformed filter is a 400 here too.
"""

import csv
import datetime
from dataclasses import dataclass
from itertools import islice

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from timeline.corpus.dates import DatePrecision, day_text, placed_on
from timeline.corpus.quotes import in_quotation_marks
from timeline.corpus.text import xml_safe
from timeline.listing.dimensions import ON_EVENT
from timeline.listing.parameters import shorten
from timeline.listing.query import FETCH_CHUNK, EventQuery, in_order
from timeline.listing.state import request_parameters
from timeline.models import Citation, DataVersion, Event
from timeline.web.http import site_url

EXPORT_LIMIT = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


BOM_CHOICES = {"1": True, "0": False}


def export_query(request, version, **options):
    """(the request's query state, its options, None), or (None, None, a 400 response) when it is malformed.

    An export may take options of the file rather than of the events (the CSVs' `bom=1`, the
    annotations' `page`): not filters, so they are read here, each by its function from the
    values given to (value, problem or None), and returned beside the state.
    """
    params, problems = request_parameters(request)
    params = params.copy()
    query_options = {}
    for name, read in options.items():
        values = sorted({value.strip() for value in params.pop(name, [])} - {""})
        query_options[name], problem = read(values)
        if problem:
            problems.append(problem)
    query = EventQuery(params, version, problems, paged=False)
    if query.problems:
        return (
            None,
            None,
            JsonResponse({"errors": query.problems}, status=400, json_dumps_params={"ensure_ascii": False}),
        )
    return query, query_options, None


def read_bom(values):
    """`bom=1`: a UTF-8 byte order mark, which Excel needs to read UTF-8."""
    if not values:
        return False, None
    if len(values) != 1 or values[0] not in BOM_CHOICES:
        shown = ", ".join(f"“{shorten(value)}”" for value in values[:3])
        return False, f"bom: give 1 (a byte order mark for Excel) or 0, not {shown}."
    return BOM_CHOICES[values[0]], None


def safe_cell(value):
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is shown as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Echo:
    def write(self, value):
        return value


def csv_response(rows, header, filename, bom=False):
    writer = csv.writer(Echo())

    def lines():
        yield ("\ufeff" if bom else "") + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def events_csv(request, version):
    query, options, refusal = export_query(request, version, bom=read_bom)
    if refusal:
        return refusal
    rows = (
        [
            event.date.isoformat() if event.date else "",
            event.date_precision,
            event.date_basis,
            event.date_note,
            event.title,
            event.summary,
            *("; ".join(str(term) for term in dimension.terms_of(event)) for dimension in ON_EVENT),
            "; ".join(f"{p.actor.name} ({p.role})" for p in event.participations.all()),
            event.source_count,
            site_url(request, event.get_absolute_url()),
        ]
        for event in in_order(Event.objects.with_related(), query.ids(limit=EXPORT_LIMIT))
    )
    header = [
        "date",
        "precision",
        "basis",
        "date note",
        "title",
        "summary",
        *(dimension.event_path for dimension in ON_EVENT),
        "actors",
        "sources",
        "url",
    ]
    return csv_response(rows, header, "cz-timeline-events.csv", options["bom"])


def citations_csv(request, version):
    query, options, refusal = export_query(request, version, bom=read_bom)
    if refusal:
        return refusal
    rows = (
        [
            c.event.slug,
            c.event.title,
            c.event.date.isoformat() if c.event.date else "",
            c.source.title,
            c.source.outlet,
            site_url(request, c.source.get_absolute_url()),
            c.source.seed_file,
            c.stance,
            c.quote,
            c.start,
            c.end,
        ]
        for c in islice(citations_in_reading_order(query.ids(order="reading")), EXPORT_LIMIT)
    )
    header = [
        "event",
        "event title",
        "event date",
        "source",
        "outlet",
        "source url",
        "source file",
        "stance",
        "quote",
        "start",
        "end",
    ]
    return csv_response(rows, header, "cz-timeline-citations.csv", options["bom"])


def citations_in_reading_order(ids):
    """The citations of these events (ids in reading order), event by event, each event's by position."""
    for start in range(0, len(ids), FETCH_CHUNK):
        part = ids[start : start + FETCH_CHUNK]
        place = {pk: n for n, pk in enumerate(part)}
        found = Citation.objects.filter(event_id__in=part).select_related("event", "source")
        yield from sorted(found, key=lambda c: (place[c.event_id], c.start, c.pk))


def citation_lines(event):
    return [
        f"{in_quotation_marks(c.quote)} — {c.source.title} ({c.get_stance_display().lower()})"
        for c in event.citations.all()
    ]


def left_out_note(query, what):
    """What an export of dated events says about the matching events it cannot hold."""
    undated = query.undated()[0]
    if not undated:
        return ""
    return (
        f"{undated} undated event{pluralize(undated)} of this selection {pluralize(undated, 'is,are')} not in this "
        f"{what}: the articles give no date. The CSV and JSON exports include them."
    )


PRECISION_NOTE = {
    DatePrecision.MONTH: "date known only to the month",
    DatePrecision.YEAR: "date known only to the year",
}
TITLE = "CZ and Binance: from guilty plea to pardon"
PLACEMENT = (
    "An event known only to its month or year is placed on the last day of that period, after the events "
    "dated within it: the first day by which it is known to have happened."
)


def titled(title, query):
    """A calendar's or feed's name, with the filters it holds when there are any: subscribed to side by side,
    two filtered calendars are told apart by name."""
    filters = query.described()
    return f"{title} · {filters}" if filters else title


def placement_note(event, shown_as):
    """How an imprecise date is placed ("" for a day), for the entry's description."""
    imprecise = PRECISION_NOTE.get(event.date_precision)
    if not imprecise:
        return ""
    span = f" to {event.end_date_display}" if event.end_date else ""
    placed = day_text(placed_on(event.date, event.date_precision))
    return (
        f"When: {event.date_display}{span} ({imprecise}; {shown_as} {placed}, the last day of the "
        f"{event.date_precision}, after the events dated within it)."
    )


def events_ics(request, version):
    query, _, refusal = export_query(request, version)
    if refusal:
        return refusal
    stamp = DataVersion.current()[1] or datetime.datetime.now(datetime.UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//CZ and Binance timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", titled(TITLE, query))
    calendar.add("x-wr-caldesc", " ".join(part for part in [PLACEMENT, left_out_note(query, "calendar")] if part))
    for event in in_order(Event.objects.with_related(), query.ids(order="placed", limit=EXPORT_LIMIT)):
        entry = CalendarEvent()
        entry.add("uid", f"{event.slug}@cz-timeline")
        entry.add("dtstamp", stamp)
        imprecise = PRECISION_NOTE.get(event.date_precision)
        entry.add("summary", f"{event.title} ({imprecise})" if imprecise else event.title)
        first = placed_on(event.date, event.date_precision)
        entry.add("dtstart", first)
        # one day for an imprecise date (a year is not a 365-day event); a day-precise event spans its end
        last = first if imprecise else (event.end_date or event.date)
        entry.add("dtend", last + datetime.timedelta(days=1))
        url = site_url(request, event.get_absolute_url())
        entry.add("url", url)
        when = placement_note(event, "shown on")
        summary = f"{event.summary}\n\n{when}" if when else event.summary
        entry.add("description", "\n\n".join([summary, *citation_lines(event), url]))
        calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cz-timeline.ics"'
    return response


@dataclass(frozen=True)
class FeedState:
    """What every method of a listing feed is given: the request (for absolute links) and the state."""

    request: object
    query: EventQuery


@dataclass(frozen=True)
class FeedItem:
    """One entry and its absolute link: Feed.item_link is given the item alone, never the request."""

    record: object
    link: str


class ListingFeed(Feed):
    """An Atom feed of a listing's state: the same filters as the page named `page_url`, a 400 for a malformed one."""

    feed_type = Atom1Feed
    page_url = feed_url_name = None

    def __call__(self, request, version):
        query, _, refusal = export_query(request, version)
        return refusal or super().__call__(request, query=query)

    def get_object(self, request, query):
        return FeedState(request, query)

    def link(self, state):
        return site_url(state.request, reverse(self.page_url) + state.query.link())

    def feed_url(self, state):
        return site_url(state.request, reverse(self.feed_url_name) + state.query.link())

    def item_link(self, item):
        return item.link


class EventFeed(ListingFeed):
    """Atom, newest first by the day each event is placed on (dates.placed_on), for the same filters as the page."""

    page_url, feed_url_name = "chronology", "feed"
    limit = 100

    def title(self, state):
        return xml_safe(titled(TITLE, state.query))

    def subtitle(self, state):
        note = left_out_note(state.query, "feed")
        return f"Events of the source-cited timeline, newest first. {PLACEMENT}{' ' + note if note else ''}"

    def items(self, state):
        placed = state.query.ids(order="placed-latest", limit=self.limit)
        events = in_order(Event.objects.with_related(), placed)
        return [FeedItem(event, site_url(state.request, event.get_absolute_url())) for event in events]

    def item_title(self, item):
        return xml_safe(f"{item.record.date_display}: {item.record.title}")

    def item_description(self, item):
        """Atom marks the summary type="html", so readers render it: the text is escaped into paragraphs.

        Text that XML cannot hold (a control character stored behind the validators' back) is
        replaced, so the feed never fails on stored text.
        """
        event = item.record
        parts = [event.summary, placement_note(event, "dated"), *citation_lines(event)]
        return xml_safe("".join(f"<p>{escape(part)}</p>" for part in parts if part))

    def item_guid(self, item):
        return f"tag:cz-timeline,2025:{item.record.slug}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        day = placed_on(item.record.date, item.record.date_precision)
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

    item_updateddate = item_pubdate  # Atom asks every entry for one; readers sort by it

    def item_categories(self, item):
        return [xml_safe(c.name) for c in item.record.categories.all()]


event_feed = EventFeed()


def timelinejs_date(day, precision):
    parts = {"year": day.year}
    if precision in (DatePrecision.MONTH, DatePrecision.DAY):
        parts["month"] = day.month
    if precision == DatePrecision.DAY:
        parts["day"] = day.day
    return parts


def events_timelinejs(request, version):
    """Knight Lab TimelineJS 3 JSON: dated events as slides, grouped by era."""
    query, _, refusal = export_query(request, version)
    if refusal:
        return refusal
    slides = []
    for event in in_order(Event.objects.with_related(), query.ids(dated=True, limit=EXPORT_LIMIT)):
        slide = {
            "unique_id": event.slug,
            "start_date": timelinejs_date(event.date, event.date_precision),
            "display_date": event.date_display,
            "text": {
                "headline": escape(event.title),
                "text": "".join(
                    [f"<p>{escape(event.summary)}</p>"]
                    + [
                        f"<blockquote>{escape(in_quotation_marks(quote))}</blockquote><p>— {escape(title)}</p>"
                        for quote, title in ((c.quote, c.source.title) for c in event.citations.all())
                    ]
                ),
            },
            "group": escape(event.era.name),
        }
        if event.end_date:
            slide["end_date"] = timelinejs_date(event.end_date, event.date_precision)
        slides.append(slide)
    body = {
        "title": {
            "text": {
                "headline": TITLE,
                "text": "<p>Every event is tied to the sentences of the articles that report it.</p>",
            }
        },
        "events": slides,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
