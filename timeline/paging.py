"""Keyset pages in reading order: a position (`after=<sort key>~<id>`) instead of an offset."""

import re

from django.db.models import Q

PAGE_SIZE = 50
JSON_PAGE_SIZE = 100
CURSOR = re.compile(r"(?:(\d{4}-\d{2}-\d{2}\|\d\|\d{4}))?~(\d{1,18})", re.ASCII)


def parse_cursor(text):
    """(sort key or None, id) of the last event already shown. Raises ValueError when malformed."""
    match = CURSOR.fullmatch(text)
    if not match:
        raise ValueError("not a position in the list; use the “Show more” link")
    return match.group(1), int(match.group(2))


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
