"""Pages of a listing: in reading order a keyset position (`after=<sort key>~<id>`), for best matches an offset.

The sort key is the event's date, its precision rank and a "+" for each event it follows
(see Event.reading_order). Best matches (`after=r<n>`) have no stable key to continue
from, and are never longer than a few pages, so they page by offset.
"""

import re

from django.db.models import Q

PAGE_SIZE = 50
JSON_PAGE_SIZE = 100
MAX_OFFSET = 100_000
CURSOR = re.compile(r"(?:(\d{4}-\d{2}-\d{2}\|[0-2]\+{0,9}))?~(\d{1,18})|r(\d{1,6})", re.ASCII)


class Position:
    """Where the previous page ended: a keyset (sort key, id), or an offset among best matches."""

    def __init__(self, sort_key=None, pk=None, offset=None):
        self.sort_key, self.pk, self.offset = sort_key, pk, offset

    @property
    def ranked(self):
        return self.offset is not None

    def __iter__(self):
        return iter((self.sort_key, self.pk))


def parse_cursor(text):
    """The Position of the last event already shown. Raises ValueError when malformed."""
    match = CURSOR.fullmatch(text)
    if not match or (match.group(3) and int(match.group(3)) > MAX_OFFSET):
        raise ValueError("not a position in the list; use the “Show more” link")
    if match.group(3):
        return Position(offset=int(match.group(3)))
    return Position(match.group(1), int(match.group(2)))


def cursor_of(event):
    return f"{event.sort_key or ''}~{event.pk}"


def page_of(queryset, after=None, size=PAGE_SIZE):
    """A keyset page in reading order: (events, cursor of the next page or None)."""
    if after is not None:
        sort_key, pk = after
        if sort_key is None:
            queryset = queryset.filter(sort_key__isnull=True, pk__gt=pk)
        else:
            queryset = queryset.filter(
                Q(sort_key__gt=sort_key) | Q(sort_key=sort_key, pk__gt=pk) | Q(sort_key__isnull=True)
            )
    rows = list(queryset.chronological()[: size + 1])
    return rows[:size], (cursor_of(rows[size - 1]) if len(rows) > size else None)
