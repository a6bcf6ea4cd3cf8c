"""Property-based fuzzing of every public URL's query parameters and path slugs.

The filters take whatever a person or a crawler puts in the address: several values per
name, dates as people write them, keyset cursors, names nobody declared. One parser feeds
the pages, the htmx fragments, the JSON and every export, on SQLite and on PostgreSQL, so a
single odd input (a NUL, a lone percent escape, a 20,000-character value, hundreds of
repeats) could turn into a 500 or into reflected markup anywhere. Hand-written cases cover
the inputs someone thought of; hypothesis generates thousands of the others on every run.

Properties of every response: no 5xx; only 200, 304, 400 or 404 (404 only for a detail
page's slug); every 400 says in words what was wrong, briefly (an HTML problem list, or
{"errors": [...]} for JSON and the exports); no HTML page echoes fuzzed markup unescaped;
a 200 body parses in its format.
"""

import csv
import datetime
import functools
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from tests.oracle import cursor_of
from timeline.corpus.dates import EARLIEST, LATEST
from timeline.corpus.text import NONCHARACTERS
from timeline.listing.dimensions import BY_NAME
from timeline.listing.parameters import PARAMETERS
from timeline.models import Actor, Alias, Category, Citation, Era, Event, Participation, Source

pytestmark = pytest.mark.usefixtures("corpus")

MESSAGE_LIMIT = 1_000

FILTER_PARAMS = PARAMETERS
VOCABULARY_PARAMS = tuple(name for name, d in BY_NAME.items() if d.vocabulary)

FILTERED_PAGES = ("/", "/embed/")
FILTERED = (*FILTERED_PAGES, "/events.json", "/events.timelinejs.json", "/events.csv", "/citations.csv")
FILTERED += ("/events.ics", "/feed/", "/annotations.jsonld")
UNFILTERED = ("/actors/", "/sources/", "/api/", "/actors.json", "/sources.json", "/api/schema.json")
DETAIL_KINDS = {"/events/": "event", "/actors/": "actor", "/sources/": "source"}

HTMX_HEADERS = (
    {},
    {"HX-Request": "true"},
    {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    {"HX-History-Restore-Request": "true"},
)
CONDITIONAL_HEADERS = (
    {"If-None-Match": "*"},
    {"If-None-Match": '"not-an-etag", W/"x"'},
    {"If-Modified-Since": "Sat, 01 Jan 2100 00:00:00 GMT"},
    {"If-Modified-Since": "yesterday"},
)

MARKUP = (
    "<script>alert(1)</script>",
    "<script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "</textarea><b>",
    "'><a href=javascript:alert(1)>",
)
PAYLOADS = (
    *MARKUP,
    "' OR 1=1 --",
    "'; DROP TABLE timeline_event; --",
    '" OR ""="',
    "%",
    "%%",
    "_",
    "\\",
    "\\%",
    "{{ request.user }}",
    "{% now 'Y' %}",
    "{# #}",
    "${7*7}",
    "!!",
    "a & b | !c",
    "(binance",
    "binance:*",
    "<->",
    "\x00",
    "bin\x00ance",
    "\r\n",
    "\u202eecnanib",
    "ش\u200eب",
    "👩‍👩‍👧‍👦",
    "e\u0301\u0301\u0301",
    "\ufeff",
    "\ufffd",
    "   ",
    "",
)
IMPOSSIBLE_DATES = (
    "2025-02-30",
    "2023-13-01",
    "2024-00",
    "0000-00-00",
    "0000",
    "99999",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "1e9",
    "31/02/2024",
    "February 30 2025",
    "2025-1-1",
    "２０２５-０３",
    "2024 +99:99",
    "2024\x00",
    "March",
    "13 March",
    "yesterday",
)
BOUND_DATES = (
    "1899", "1899-12-31", "December 1899", "1900", "1900-01", "1900-01-01", "1 January 1900",
    "2100", "2100-12", "2100-12-31", "31 December 2100", "2101", "2101-01-01", "January 2101", "9999", "9999-12",
)  # fmt: skip
DATE_WORDS = ("2023", "2024", "2025", "March 2025", "2025-03-13", "Nov 2023", "21 November 2023", "1999", "2030")
DATE_TOKENS = (
    "2024", "March", "Mar", "13", "31", "0", "am", "pm", "UTC", "T", "Z", "of", "1e5", "٣", "２", "+99:99", "-9999",
    "12:00", "25:61", "4th", "noon", "0x1F", "inf", "nan", "29", "1900", "10000", "EST", "+2400", "GMT+3", "-03:00",
)  # fmt: skip
MALFORMED_CURSORS = (
    "~",
    "~-1",
    "~0",
    "~99999999999999999999",
    "~999999999999999999",
    "2024-01-01|1|0001~1",
    "2024-13-45|9|9999~1",
    "2024-01-01|1|0001",
    "~1\n",
    "~1~2",
    "~１",
    "x~1",
    "2024-01-01|1|0001~",
    "|~1",
)
ODD_CHARACTERS = (
    "".join(map(chr, range(32)))
    + "\x7f\x85\u2028\u2029"
    + "\u202e\u202d\u200f\u200e\u0600\u05d0\u0627"
    + "\u0301\u0308\u20dd\u0489"
    + "😀🏳️‍🌈👍🏽\U0010ffff\ufffe\uffff"
    + "<>\"'&%_\\{}#;=?/+ "
)
PERCENT_ESCAPES = ("%FF%FE", "%C3%28", "%", "%G0", "%2", "%00", "%ED%A0%80", "%C0%AF", "%E2%80%AE")
RAW_ESCAPES = (*PERCENT_ESCAPES, "+", "&", "=", ";")
RAW_BYTES = (b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80", b"\x80", b"\x00", b"\xe2\x80\xae")


def vocabulary():
    """Real slugs of every dimension (dimensions.py), and cursors from the database, so valid paths are exercised
    too."""
    events = list(Event.objects.chronological())
    return {
        **{
            name: list(d.vocabulary.objects.values_list("slug", flat=True))
            if d.vocabulary
            else [v for v, _ in d.choices]
            for name, d in BY_NAME.items()
        },
        "order": ["relevance", "time"],
        "undated": ["include"],
        "after": [cursor_of(event) for event in events[:: max(len(events) // 8, 1)]] + ["r0", "r50", "r100000"],
        "event": [event.slug for event in events],
    }


def huge(pieces):
    """Tens of thousands of characters, built by repetition (hypothesis would draw them one by one)."""
    return st.builds(lambda piece, size: (piece * (size // len(piece) + 1))[:size], pieces, st.integers(10_000, 25_000))


small_garbage = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=ODD_CHARACTERS, max_size=40),
    st.sampled_from(PAYLOADS),
)
huge_garbage = huge(
    st.one_of(st.text(min_size=1, max_size=4), st.sampled_from(["<script>", "\x00", "é", "'", "%", "😀", "a b"]))
)
garbage = st.one_of(small_garbage, small_garbage, small_garbage, small_garbage, small_garbage, huge_garbage)
digits = st.builds(
    lambda d, n: (d * n)[:n], st.text("0123456789", min_size=1, max_size=3), st.sampled_from(range(1, 41))
)
separators = st.sampled_from(["", " ", ":", "-", "/", ".", ", "])
date_like = st.one_of(
    st.builds(lambda a, separator, b: f"{a}{separator}{b}", digits, separators, digits),
    st.builds(
        lambda day, hour, rest: f"{day}{hour}:{rest}",
        st.sampled_from(["", "2024 ", "13 March 2025 "]),
        st.integers(0, 99),
        digits,
    ),
    st.builds(
        lambda parts, separator: separator.join(parts),
        st.lists(st.one_of(st.sampled_from(DATE_TOKENS), digits), min_size=1, max_size=5),
        separators,
    ),
)
hostile_search = st.one_of(
    st.sampled_from(PAYLOADS), st.text(alphabet=ODD_CHARACTERS, max_size=60), st.text(max_size=60)
)


def mixed(words):
    """Real vocabulary, alone or spoiled by a prefix, suffix or case change."""
    word = st.sampled_from(words)
    return st.one_of(
        word,
        word,
        st.builds(str.upper, word),
        st.builds(lambda w, s: w + s, word, small_garbage),
        st.builds(lambda s, w: s + w, small_garbage, word),
        st.builds(lambda w: f" {w} ", word),
    )


def plausible(name, vocab):
    """A value that is right, or nearly right, for one parameter."""
    if name in ("from", "to"):
        return st.one_of(mixed(DATE_WORDS), st.sampled_from(IMPOSSIBLE_DATES), st.sampled_from(BOUND_DATES), date_like)
    if name == "view":
        window = st.builds(lambda a, b: f"{a}..{b}", st.one_of(mixed(DATE_WORDS), date_like), date_like)
        return st.one_of(mixed(DATE_WORDS), st.sampled_from(IMPOSSIBLE_DATES), date_like, window)
    if name == "after":
        return st.one_of(mixed(vocab["after"]), st.sampled_from(MALFORMED_CURSORS))
    if name == "q":
        return st.one_of(st.sampled_from(["binance", "CZ", "pardon", "Zhao plea", "bin"]), mixed(vocab["actor"]))
    return mixed(vocab[name])


class Queries:
    """Strategies for one database's vocabulary: values per parameter, pairs, raw query strings."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.small = {name: st.one_of(plausible(name, vocab), small_garbage) for name in FILTER_PARAMS}
        self.values = {name: st.one_of(plausible(name, vocab), self.small[name], garbage) for name in FILTER_PARAMS}
        self.name = st.one_of(
            st.sampled_from(FILTER_PARAMS),
            st.sampled_from(FILTER_PARAMS),
            st.sampled_from(FILTER_PARAMS),
            st.sampled_from([" q", "Q", "actor[]", "from ", "page", "utm_source", "", "\x00", "after\x00", "%"]),
            st.text(max_size=12),
        )

    def value(self, name):
        return self.values.get(name, garbage)

    def repeated(self, name):
        """Many values for one name, now and then more than the 1,000 fields Django reads."""
        return st.builds(
            lambda values, size: (values * size)[:size],
            st.lists(self.small[name], min_size=1, max_size=6),
            st.one_of(st.integers(2, 400), st.integers(2, 400), st.integers(2, 400), st.integers(990, 1_500)),
        )

    @st.composite
    def pairs(draw, self):
        """(name, value) pairs in any order, sometimes with a huge name or one name repeated many times."""
        pairs = [(name, draw(self.value(name))) for name in draw(st.lists(self.name, max_size=6))]
        if draw(st.integers(0, 20)) == 0:
            pairs.append((draw(huge(st.sampled_from(["x", "é", "<b>"]))), "1"))
        pairs = draw(st.permutations(pairs))
        if draw(st.integers(0, 4)) == 0:
            name, at = draw(st.sampled_from(FILTER_PARAMS)), draw(st.integers(0, len(pairs)))
            pairs[at:at] = [(name, value) for value in draw(self.repeated(name))]
        return pairs

    @st.composite
    def raw(draw, self):
        """A query string as a careless client sends it: stray escapes and separators, raw UTF-8, raw non-UTF-8.

        WSGI hands the query string over as Latin-1, so raw bytes travel as the Latin-1 characters they decode to.
        """
        pieces = []
        for _ in range(draw(st.integers(1, 8))):
            name = draw(st.sampled_from(FILTER_PARAMS + ("", "x")))
            value = draw(self.value(name))
            if draw(st.booleans()):
                text = quote(value, safe=draw(st.sampled_from(["", "%", "&=", "/~|"])))
                splice = draw(st.sampled_from(RAW_ESCAPES))
            else:
                text = value.encode().decode("latin-1")
                splice = draw(st.sampled_from(RAW_BYTES)).decode("latin-1")
            at = draw(st.integers(0, len(text)))
            pieces.append(f"{quote(name)}={text[:at]}{splice}{text[at:]}")
        return draw(st.sampled_from(["&", ";", "&&"])).join(pieces)

    @st.composite
    def valid_state(draw, self):
        """Real vocabulary, dates and cursors (now and then odd ones) and hostile text in q: the filters run."""
        names = draw(st.sets(st.sampled_from(tuple(BY_NAME))))
        pairs = [(name, draw(st.sampled_from(self.vocab[name]))) for name in sorted(names)]
        for name in ("from", "to"):
            if draw(st.booleans()):
                pairs.append((name, draw(st.one_of(st.sampled_from(DATE_WORDS), date_like))))
        pairs.append(("q", draw(hostile_search)))
        if draw(st.booleans()):
            pairs.append(("order", draw(st.sampled_from(self.vocab["order"]))))
        if draw(st.booleans()):
            pairs.append(("undated", "include"))
        if draw(st.integers(0, 3)) == 0:
            cursors = [c for c in MALFORMED_CURSORS if c.endswith(("~1", "~0"))]
            pairs.append(("after", draw(st.sampled_from(self.vocab["after"] + cursors))))
        return pairs


@pytest.fixture
def queries():
    return Queries(vocabulary())


def headers_for(path):
    """htmx and conditional-request headers: every path must tolerate them, the filtered pages vary on them."""
    htmx = (
        st.sampled_from(HTMX_HEADERS) if path in FILTERED_PAGES or path.startswith(tuple(DETAIL_KINDS)) else st.just({})
    )
    conditional = st.one_of(st.just({}), st.just({}), st.just({}), st.just({}), st.sampled_from(CONDITIONAL_HEADERS))
    return st.builds(lambda a, b: {**a, **b}, htmx, conditional)


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def problem_messages(page):
    """The texts of the problem list an HTML 400 shows."""
    block = re.search(r'<div class="problems" role="alert">(.*?)</div>', page, re.S)
    assert block, "an HTML 400 shows no problem list"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def assert_readable(messages, where):
    assert messages, f"a 400 without a message: {where}"
    for message in messages:
        assert isinstance(message, str) and message.strip(), f"empty message: {where}"
        assert any(ch.isalpha() for ch in message), f"no words in {message!r}: {where}"
        assert len(message) <= MESSAGE_LIMIT, f"a message of {len(message)} characters: {message[:200]!r}…: {where}"


def assert_no_raw_markup(page, values, where):
    for value in values:
        for markup in MARKUP:
            if markup in value:
                assert markup not in page, f"{markup!r} echoed unescaped: {where}"
        if "<" in value and len(value) >= 6:
            assert value not in page, f"value echoed unescaped: {where}"


def assert_parses(kind, content, where):
    """A 200 body is well formed in the format it claims."""
    if kind == "application/json":
        json.loads(content)
    elif kind == "text/csv":
        assert list(csv.reader(io.StringIO(content.decode()))), where
    elif kind == "text/calendar":
        assert Calendar.from_ical(content).name == "VCALENDAR", where
    elif kind == "application/atom+xml":
        assert ET.fromstring(content).tag.endswith("feed"), where


def check(client, path, query="", headers=None, values=(), status=(200, 304, 400)):
    """One request and every property it must have; returns the response and the problems a 400 lists."""
    where = f"GET {path + ('?' + query if query else '')!r:.300} {headers or {}}"
    response = client.get(path, QUERY_STRING=query, headers=headers or {})
    content = body_of(response)
    assert response.status_code < 500, where
    assert response.status_code in status, f"{response.status_code}: {where}"
    kind = response.get("Content-Type", "").split(";")[0]
    problems = []
    if response.status_code == 400:
        if kind == "text/html":
            problems = problem_messages(content.decode())
        else:
            assert kind == "application/json", f"a 400 as {kind}: {where}"
            problems = json.loads(content).get("errors")
            assert isinstance(problems, list), where
        assert_readable(problems, where)
    if kind == "text/html":
        assert_no_raw_markup(content.decode(), values, where)
    elif response.status_code == 200:
        assert_parses(kind, content, where)
    return response, problems


def fuzz(examples, **strategies):
    """A property test of `examples` generated cases: hypothesis's settings own the count (the rest comes
    from the suite's profile, tests/conftest.py), and the test fails if fewer ran, as they quietly do when
    its strategies hold fewer distinct cases than that."""

    def decorate(test):
        ran = []

        @functools.wraps(test)
        def case(*args, **kwargs):
            ran.append(None)
            return test(*args, **kwargs)

        cases = settings(max_examples=examples)(given(**strategies)(case))

        @functools.wraps(cases)
        def run(*args, **kwargs):
            ran.clear()
            cases(*args, **kwargs)
            assert len(ran) >= examples, f"{len(ran)} generated cases ran; the settings ask for {examples}"

        return run

    return decorate


def values_of(pairs):
    return [text for pair in pairs for text in pair]


@fuzz(1_600, data=st.data())
@pytest.mark.slow
def test_filtered_urls_take_any_parameters(client, queries, data):
    """Pages, fragments, JSON and exports answer every generated filter state with 200 or a readable 400."""
    path = data.draw(st.sampled_from(FILTERED), label="path")
    headers = data.draw(headers_for(path), label="headers")
    pairs = data.draw(queries.pairs(), label="pairs")
    check(client, path, urlencode(pairs, doseq=True), headers, values_of(pairs))


@fuzz(1_100, data=st.data())
@pytest.mark.slow
def test_raw_query_strings(client, queries, data):
    """Undecodable escapes, stray separators and raw bytes in the query string are never a 5xx."""
    path = data.draw(st.sampled_from(FILTERED), label="path")
    headers = data.draw(headers_for(path), label="headers")
    check(client, path, data.draw(queries.raw(), label="query"), headers)


@fuzz(1_100, data=st.data())
@pytest.mark.slow
def test_applied_filters_escape_hostile_search(client, queries, data):
    """Real vocabulary with markup, SQL and template text in q: the filters run and the pages escape q."""
    pairs = data.draw(queries.valid_state(), label="pairs")
    path = data.draw(st.sampled_from(FILTERED), label="path")
    headers = data.draw(headers_for(path), label="headers")
    check(client, path, urlencode(pairs), headers, values_of(pairs))


weird_slug = st.one_of(small_garbage.filter(bool), huge_garbage, st.sampled_from(["-", "_", "..", "%", "a" * 5000]))


@fuzz(1_300, data=st.data())
@pytest.mark.slow
def test_other_urls_take_any_slug_and_parameters(client, queries, data):
    """Detail pages with real or weird slugs, and the unfiltered pages and JSON, ignore any query."""
    if data.draw(st.booleans(), label="detail"):
        prefix = data.draw(st.sampled_from(list(DETAIL_KINDS)), label="prefix")
        known = queries.vocab[DETAIL_KINDS[prefix]]
        slug = data.draw(st.one_of(st.sampled_from(known), mixed(known), weird_slug), label="slug")
        quoted = quote(slug, safe="")
        if data.draw(st.integers(0, 4), label="escape") == 0:
            at = data.draw(st.integers(0, len(quoted)), label="at")
            quoted = quoted[:at] + data.draw(st.sampled_from(PERCENT_ESCAPES), label="splice") + quoted[at:]
        path = f"{prefix}{quoted}/"
        status = (200, 304) if quoted == slug and slug in known else (200, 304, 404)
    else:
        path, status = data.draw(st.sampled_from(UNFILTERED), label="path"), (200, 304)
    headers = data.draw(headers_for(path), label="headers")
    pairs = data.draw(queries.pairs(), label="pairs")
    check(client, path, urlencode(pairs, doseq=True), headers, values_of(pairs), status)


# Pinned: what the fuzzing found (each was a 500 or an unreadable 400), and NUL, which PostgreSQL refuses ----------


@pytest.mark.parametrize("path", FILTERED)
def test_a_time_with_too_many_digits_is_a_readable_400(client, path):
    """dateutil raised decimal.InvalidOperation for "12:" and 29 digits: a 500 before dates.py caught it."""
    for value in ("12:11111111111111111111111111111", "2024 1:999999999999999999999999999999"):
        _, problems = check(client, path, urlencode({"from": value}), status=(400,))
        assert problems == [
            f"from: “{value}” is not a date we can read (could not read {value!r} as a date). "
            "Try 2024, March 2025 or 2025-03-13."
        ], path


@pytest.mark.parametrize("path", FILTERED)
def test_messages_quote_at_most_forty_characters_of_a_huge_value(client, path):
    """Unknown names and unknown choices were echoed whole: 40,000 characters in one message."""
    query = urlencode({"x" * 40_000: "1", "actor": "y" * 40_000, "certainty": "z" * 40_000})
    _, problems = check(client, path, query, status=(400,))
    assert sorted(problems) == [
        f"actor: Select a valid choice. {'y' * 40}… is not one of the available choices.",
        f"certainty: Select a valid choice. {'z' * 40}… is not one of the available choices.",
        f"{'x' * 40}…: unknown parameter (known: {', '.join(PARAMETERS)}).",
    ], path


@pytest.mark.parametrize("path", FILTERED)
def test_more_fields_than_django_reads_is_a_readable_400(client, path):
    """Past 1,000 fields Django's own 400 page said nothing of the cause, in HTML even for JSON."""
    for query in ("certainty=confirmed" + "&" * 1_000, urlencode([("actor", "changpeng-zhao")] * 1_001)):
        _, problems = check(client, path, query, status=(400,))
        assert problems == ["too many parameters: the address may hold at most 1,000, none were read."], path


@pytest.mark.parametrize("name", ["q", "actor", "certainty", "from", "to", "view", "order", "after", "x\x00"])
def test_a_nul_in_any_parameter_is_a_readable_400(client, name):
    """PostgreSQL refuses NUL in text: no parameter may carry one to the database."""
    for path in ("/", "/events.json", "/events.csv"):
        _, problems = check(client, path, urlencode({name: "bin\x00ance"}), status=(400,))
        assert len(problems) == 1 and problems[0].startswith(f"{name}: "), (path, problems)


# Stored fields: what the validators let in, on every path (the admin and the fixtures both run them) -------------

CURATED = (Source, Actor, Alias, Era, Category, Event, Participation, Citation)
TEXT_FIELDS = [
    (model, f)
    for model in CURATED
    for f in model._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and not f.choices and f.editable
]
DATE_FIELDS = [
    (model, f)
    for model in CURATED
    for f in model._meta.concrete_fields
    if isinstance(f, models.DateField) and f.editable
]
FORBIDDEN = st.one_of(
    st.sampled_from([chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f", "\x85"]),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from(NONCHARACTERS),
)
REFUSALS = ("control character", "lone surrogate", "noncharacter")


def field_errors(model, f, value):
    try:
        f.clean(value, model())
    except ValidationError as exc:
        return exc.messages
    return []


@fuzz(
    400,
    case=st.sampled_from(TEXT_FIELDS),
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=NONCHARACTERS), max_size=30
    ),
    bad=FORBIDDEN,
    at=st.integers(0, 30),
)
@pytest.mark.slow
def test_every_stored_text_field_refuses_control_characters_and_lone_surrogates(case, text, bad, at):
    """Every curated text field, on every path: a control character (other than tab and line breaks in
    multi-line text), a lone surrogate or a noncharacter is refused wherever it sits; the same text
    without it is not refused for that reason."""
    model, f = case
    spoiled = text[:at] + bad + text[at:]
    assert any(any(r in m for r in (*REFUSALS, "slug", "file name")) for m in field_errors(model, f, spoiled)), (
        model,
        f.name,
        spoiled,
    )
    assert not [m for m in field_errors(model, f, text) if any(r in m for r in REFUSALS)]


@fuzz(200, case=st.sampled_from(DATE_FIELDS), day=st.dates(datetime.date(1880, 1, 1), datetime.date(2120, 12, 31)))
def test_every_stored_date_is_bounded(case, day):
    """Dates near and past both bounds: accepted from 1900-01-01 to 2100-12-31, refused outside."""
    model, f = case
    refused = [m for m in field_errors(model, f, day) if "between 1900 and 2100" in m]
    assert bool(refused) == (not EARLIEST <= day <= LATEST), (model, f.name, day)
