"""A listing's state as its address holds it: parameters in, canonical pairs, links and a key out.

Pure: nothing here reads the database, the cache or the data version. Two addresses that mean
one state (any order of the parameters, repeated identical values, empty values, spaces) give
one canonical form, so they share one cache entry and show the same thing, and two states never
share one. What a state selects (its events, counts, facets, timeline) is EventQuery's (query.py).
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict

from timeline.cache.versions import digest
from timeline.listing.parameters import PARAMETERS, many_valued, shorten


def request_parameters(request):
    """The request's parameters and a problem, if any: past Django's limit on their number, none are read.

    Django raises TooManyFieldsSent, a generic 400 page without a word on the cause (and HTML
    even for JSON), at the first read of request.GET.
    """
    try:
        return request.GET, []
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return QueryDict(), [f"too many parameters: the address may hold at most {limit:,}, none were read."]


def given_pairs(params):
    """Every (name, value) given, each run of whitespace one space and none at the ends, empty values
    dropped, once each and sorted.

    Order, repetition, whitespace and empty values never tell two states apart: a listing's
    canonical state and every public URL's ETag (http.py) are both built from these pairs. A
    newline typed into a search is a space, as it is to the search, and never reaches a
    calendar's or feed's name, where a line break would end the line.
    """
    spaced = ((name, " ".join(value.split())) for name, values in params.lists() for value in values)
    return sorted({(name, value) for name, value in spaced if value})


def canonical_parameters(params):
    """(canonical pairs, problems): known names in declared order, with their given pairs' values.

    A one-valued parameter given two different values is a problem rather than a silent
    choice of one.
    """
    given = given_pairs(params)
    problems = [
        f"{shorten(name)}: unknown parameter (known: {', '.join(PARAMETERS)})."
        for name in params
        if name not in PARAMETERS
    ]
    pairs = []
    for name in PARAMETERS:
        values = [value for given_name, value in given if given_name == name]
        if len(values) > 1 and not many_valued(name):
            shown = ", ".join(f"“{shorten(value)}”" for value in values[:3])
            problems.append(f"{name}: give one value, not {len(values)} ({shown}).")
        pairs += [(name, value) for value in values]
    return pairs, problems


class ListingState:
    """The canonical parameters of one listing address, the problems their shape shows, and links.

    `paged=False` is for an export, which holds every matching event: a position is a problem.
    """

    def __init__(self, params, problems=(), paged=True):
        self.pairs, found = canonical_parameters(params)
        self.problems = [*problems, *found]
        if not paged and any(name == "after" for name, _ in self.pairs):
            self.problems.append("after: exports hold every matching event; leave out “after”.")

    @property
    def canonical(self):
        """The state as a query string: the one form that keys caches and builds links."""
        return urlencode(self.pairs)

    @property
    def key(self):
        return digest(self.canonical)

    def without(self, names):
        """The given parameters but these, as a QueryDict (a state to parse again)."""
        data = QueryDict(mutable=True)
        for name, value in self.pairs:
            if name not in names:
                data.appendlist(name, value)
        return data

    def link(self, **changes):
        """This state's query string with some parameters changed ("?…", or "" for none).

        A value of None removes the parameter; a list sets several. ``link(after=None)``
        is the listing from its start; ``link(**{"from": None, "to": None})`` drops dates.
        """
        pairs = [(name, value) for name, value in self.pairs if name not in changes]
        for name, value in changes.items():
            values = value if isinstance(value, list | tuple) else [] if value is None else [value]
            pairs += [(name, v) for v in values]
        pairs.sort(key=lambda pair: PARAMETERS.index(pair[0]))
        return f"?{urlencode(pairs)}" if pairs else ""

    @functools.cached_property
    def window_link(self):
        """``link(view=window, after=None)`` as a function of the window: one per bar and tick, so
        the parameters that stay the same are encoded once."""
        fixed = [(name, value) for name, value in self.pairs if name not in ("view", "after")]
        place = PARAMETERS.index("view")
        head = urlencode([pair for pair in fixed if PARAMETERS.index(pair[0]) < place])
        tail = urlencode([pair for pair in fixed if PARAMETERS.index(pair[0]) > place])

        def link(window):
            return "?" + "&".join(part for part in (head, urlencode([("view", window)]), tail) if part)

        return link
