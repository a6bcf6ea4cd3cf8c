"""Corrections readers can see: changes to a published event, read from the history the app keeps.

Every save of an event or of one of its statements leaves a version (django-simple-history),
whoever made it: a curator, a revert, a reload. Two consecutive versions of one record that
differ in the title, the date (date, precision, end), the certainty or a statement's text make
a correction, dated by the later version. A record's first version is its creation, not a
correction, and a version whose change reason is ``TYPO`` (the admin's typo checkbox) is kept
in history but not announced. The history tables are not curated tables (no data-version
trigger), but each version is written with the change of its record, which bumps the version.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery
from django.utils.html import escape
from django.utils.text import capfirst

from timeline.corpus.dates import format_partial_date
from timeline.corpus.quotes import in_quotation_marks
from timeline.corpus.text import xml_safe
from timeline.listing.query import FETCH_CHUNK
from timeline.models import Event, EventStatement
from timeline.web.exports import FeedItem, ListingFeed, titled
from timeline.web.http import site_url

TYPO = "typo"
DATE_FIELDS = ("date", "date_precision", "end_date")
EVENT_FIELDS = ("title", *DATE_FIELDS, "certainty")
STATEMENT_FIELDS = ("text",)
LIST_LIMIT = 100
CERTAINTY = dict(Event.Certainty.choices)


@dataclass
class Correction:
    """One announced change: when, to which event, what it touched, and its text before and after."""

    when: datetime
    event: Event
    what: str
    before: str
    after: str
    key: str

    @property
    def sentence(self):
        return f"{self.what} was {self.before}, it is now {self.after}"

    @property
    def anchor(self):
        return f"correction-{self.key}"


def date_text(version):
    if version.date is None:
        return "unknown"
    shown = format_partial_date(version.date, version.date_precision)
    if version.end_date:
        shown += f" to {format_partial_date(version.end_date, version.date_precision)}"
    return shown


def certainty_text(version):
    return CERTAINTY.get(version.certainty, version.certainty).lower()


def event_changes(old, new):
    """(what, before, after) for each announced difference between two versions of an event."""
    changed = set(new.diff_against(old, included_fields=EVENT_FIELDS).changed_fields)
    if "title" in changed:
        yield "title", "the title", in_quotation_marks(old.title), in_quotation_marks(new.title)
    if changed & set(DATE_FIELDS) and date_text(old) != date_text(new):
        yield "date", "the date", date_text(old), date_text(new)
    if "certainty" in changed:
        yield "certainty", "the certainty", certainty_text(old), certainty_text(new)


def statement_changes(old, new):
    if new.diff_against(old, included_fields=STATEMENT_FIELDS).changed_fields:
        before, after = in_quotation_marks(old.text.strip()), in_quotation_marks(new.text.strip())
        yield "text", f"statement {new.position}", before, after


def versions(history, owner_field, event_ids, fields):
    """The versions of the records of these events that were changed at least once, in order per record.

    A few events are named to the database; for more (a listing's thousands) every changed record is
    read, and the caller keeps those of its events: corrections are few, a list of ids is not."""
    changed = history.filter(history_type="~")
    if len(event_ids) <= FETCH_CHUNK:
        changed = changed.filter(**{f"{owner_field}__in": event_ids})
    columns = ["history_id", "id", "history_date", "history_type", "history_change_reason", owner_field, *fields]
    return history.filter(id__in=Subquery(changed.values("id"))).only(*columns).order_by("id", "history_id")


def from_history(rows, event_of, changes, kind):
    """Corrections from consecutive versions of each record (rows ordered by record, then version)."""
    previous = None
    for row in rows:
        if previous is not None and previous.id == row.id and row.history_type == "~":
            if row.history_change_reason != TYPO:
                for field, what, before, after in changes(previous, row):
                    key = f"{kind}-{row.history_id}-{field}"
                    yield Correction(row.history_date, event_of(row), what, before, after, key)
        previous = row


def corrections(event_ids, known=None):
    """Every announced correction of these events (their ids), newest first.

    Three queries whatever their number: the events' versions, their statements' versions, and
    the events themselves (none when `known`, a list of those events, is given)."""
    chosen = frozenset(event_ids)
    event_rows = [row for row in versions(Event.history, "id", event_ids, EVENT_FIELDS) if row.id in chosen]
    statement_rows = [
        row
        for row in versions(EventStatement.history, "event_id", event_ids, ("position", *STATEMENT_FIELDS))
        if row.event_id in chosen
    ]
    if known is None:
        wanted = {row.id for row in event_rows} | {row.event_id for row in statement_rows}
        known = Event.objects.filter(pk__in=wanted) if wanted else []
    by_id = {event.pk: event for event in known}
    found = [
        *from_history(event_rows, lambda row: by_id.get(row.id), event_changes, "event"),
        *from_history(statement_rows, lambda row: by_id.get(row.event_id), statement_changes, "statement"),
    ]
    found = [c for c in found if c.event is not None]
    return sorted(found, key=lambda c: (c.when, c.key), reverse=True)


class CorrectionFeed(ListingFeed):
    """Atom, newest first, for the same filters as the chronology."""

    subtitle = "Changes to the title, date, certainty or statements of a published event, newest first."
    page_url, feed_url_name = "corrections", "corrections_feed"

    def title(self, state):
        return xml_safe(titled("Corrections: CZ and Binance, from guilty plea to pardon", state.query))

    def items(self, state):
        found = corrections(state.query.ids(order="reading"))[:LIST_LIMIT]
        return [FeedItem(c, site_url(state.request, f"{c.event.get_absolute_url()}#{c.anchor}")) for c in found]

    def item_title(self, item):
        return xml_safe(f"Corrected: {item.record.event.title}")

    def item_description(self, item):
        return xml_safe(f"<p>{escape(capfirst(item.record.sentence))}.</p>")

    def item_guid(self, item):
        return f"tag:cz-timeline,2025:{item.record.anchor}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.record.when

    def item_updateddate(self, item):
        return item.record.when


correction_feed = CorrectionFeed()
