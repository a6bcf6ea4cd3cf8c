"""Pages of a listing: in reading order a keyset position (`after=<sort key>~<id>`), for best matches an offset.

The sort key is the event's date, its precision rank and a "+" for each event it follows
(see Event.reading_order). A date range lists apart, after the events known to fall in it,
those that only could (query.py): a position among those starts with "a". Best matches
(`after=r<n>`) have no stable key to continue from, and are never longer than a few pages,
so they page by offset.
"""

import re

PAGE_SIZE = 50
JSON_PAGE_SIZE = 100
MAX_OFFSET = 100_000
CURSOR = re.compile(r"(a)?(?:(\d{4}-\d{2}-\d{2}\|[0-2]\+{0,9}))?~(\d{1,18})|r(\d{1,6})", re.ASCII)


class Position:
    """Where the previous page ended: a keyset (sort key, id), in the part of a date range's list
    set apart or not, or an offset among best matches."""

    def __init__(self, sort_key=None, pk=None, offset=None, apart=False):
        self.sort_key, self.pk, self.offset, self.apart = sort_key, pk, offset, apart

    @property
    def ranked(self):
        return self.offset is not None

    def __iter__(self):
        return iter((self.sort_key, self.pk))


def parse_cursor(text):
    """The Position of the last event already shown. Raises ValueError when malformed."""
    match = CURSOR.fullmatch(text)
    if not match or (match.group(4) and int(match.group(4)) > MAX_OFFSET):
        raise ValueError("not a position in the list; use the “Show more” link")
    if match.group(4):
        return Position(offset=int(match.group(4)))
    return Position(match.group(2), int(match.group(3)), apart=bool(match.group(1)))
