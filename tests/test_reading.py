"""The chronology in true time order: follows links, headings that never repeat, undated events accounted for."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from timeline.models import Event

pytestmark = pytest.mark.usefixtures("corpus")

# (earlier, later): what the issue found upside down, and what the follows links settle.
PAIRS = [
    ("cz-sentenced-to-four-months", "cz-serves-prison-term"),
    ("wsj-reports-cz-seeking-pardon", "cz-denies-wsj-report"),
    ("trump-pardons-cz", "cz-thanks-trump"),
    ("trump-pardons-cz", "trump-defends-pardon"),
    ("trump-pardons-cz", "leavitt-explains-pardon"),
    ("justin-sun-invests-75-million", "sec-seeks-pause-in-sun-case"),
    ("trump-second-inauguration", "doj-disbands-crypto-unit"),
    ("cz-pleads-guilty", "cz-sentenced-to-four-months"),
]


def event_order(html):
    return re.findall(r'<article class="event[^"]*" id="([^"]+)"', html)


@pytest.mark.parametrize("url", ["/", "/embed/", "/events.json"])
def test_the_corpus_reads_in_time_order(client, url):
    response = client.get(url)
    slugs = (
        [e["slug"] for e in response.json()["events"]]
        if url.endswith(".json")
        else event_order(response.content.decode())
    )
    for earlier, later in PAIRS:
        assert slugs.index(earlier) < slugs.index(later), (earlier, later)


def test_headings_never_repeat_and_count_what_they_hold(client):
    html = client.get("/").content.decode()
    sections = re.findall(r'<section class="year-section".*?</section>', html, re.S)
    years = [re.search(r'class="year-heading"[^>]*>(\S+)', s).group(1) for s in sections]
    assert years == ["2023", "2024", "2025", "Undated"]
    for section in sections:
        stated = int(re.search(r"· (\d+) events?", section).group(1))
        assert stated == len(event_order(section))
    months = re.findall(r'<h3 class="month-heading">([^<]+)</h3>', html)
    assert len(months) == len(set(months))
    eras = re.findall(r'class="era-label[^"]*">.*?</span>([^<]+)</p>', html)
    assert sorted(eras) == sorted(
        ["Prosecution", "Sentence and prison", "Rapprochement", "Enforcement rollback", "Pardon"]
    )
    # the label stands where the era's first event on the page is
    first_pardon_era_event = html.index('id="trump-pardons-cz"')
    assert html.rindex("Pardon</p>", 0, first_pardon_era_event) > html.rindex("October 2025", 0, first_pardon_era_event)


def test_a_follower_sits_under_the_heading_of_the_event_it_follows(client):
    html = client.get("/").content.decode()
    april = html.index("April 2024</h3>")
    assert april < html.index('id="cz-sentenced-to-four-months"') < html.index('id="cz-serves-prison-term"')
    assert html.index('id="cz-serves-prison-term"') < html.index("November 2024</h3>")


def test_a_changed_date_moves_the_followers_with_it(db):
    sentence = Event.objects.get(slug="cz-sentenced-to-four-months")
    sentence.date = sentence.date.replace(day=29)
    sentence.save()
    prison = Event.objects.get(slug="cz-serves-prison-term")
    assert prison.sort_key == "2024-04-29|2+"


@pytest.mark.parametrize(
    "follower, followed, message",
    [
        ("cz-sentenced-to-four-months", "cz-serves-prison-term", "may not form a cycle"),
        ("cz-thanks-trump", "cz-pleads-guilty", "outside this event’s period"),
        ("cz-pleads-guilty", "cz-pleads-guilty", "may not form a cycle"),
        ("cz-pleads-guilty", "white-house-counsel-reviews-request", "cannot follow an undated one"),
    ],
)
def test_the_admin_refuses_a_follows_link_that_cannot_hold(db, follower, followed, message):
    event = Event.objects.get(slug=follower)
    event.follows = Event.objects.get(slug=followed)
    with pytest.raises(ValidationError, match=message):
        event.full_clean()


def edit_event(fixture_dir, slug, follows):
    path = fixture_dir / "events.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        if record["fields"].get("slug") == slug:
            record["fields"]["follows"] = follows
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    "slug, follows, message",
    [
        ("cz-sentenced-to-four-months", ["cz-serves-prison-term"], "may not form a cycle"),
        ("cz-thanks-trump", ["cz-pleads-guilty"], "outside this event’s period"),
        ("cz-thanks-trump", ["no-such-event"], "which no fixture defines"),
    ],
)
def test_a_reload_refuses_a_bad_follows_link_and_names_it(corpus, fixture_dir, slug, follows, message):
    edit_event(fixture_dir, slug, follows)
    before = list(Event.objects.values_list("slug", "sort_key", "follows_id"))
    with pytest.raises(CommandError, match=rf"events.json, record \d+ \(timeline.event '{slug}'\), field 'follows'"):
        call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    with pytest.raises(CommandError, match=message):
        call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    assert list(Event.objects.values_list("slug", "sort_key", "follows_id")) == before


@pytest.mark.slow
def test_a_reload_sets_a_new_follows_link_and_the_order(corpus, fixture_dir):
    edit_event(fixture_dir, "mark-bini-calls-case-regulatory", None)
    call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    assert Event.objects.get(slug="mark-bini-calls-case-regulatory").sort_key == "2025-10-01|1"
    edit_event(fixture_dir, "mark-bini-calls-case-regulatory", ["trump-pardons-cz"])
    call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    assert Event.objects.get(slug="mark-bini-calls-case-regulatory").sort_key == "2025-10-23|2+"


def test_a_date_range_says_how_many_undated_events_it_left_out_and_links_to_them(client, django_assert_max_num_queries):
    undated = Event.objects.filter(date__isnull=True).count()
    with django_assert_max_num_queries(8):
        html = client.get("/?from=2025").content.decode()
    assert f"{undated} undated events are not shown" in html
    link = re.search(r'href="(/\?[^"]*undated=include[^"]*)">Show them too', html).group(1).replace("&amp;", "&")
    shown = client.get(link).content.decode()
    ids = event_order(shown)
    assert set(Event.objects.filter(date__isnull=True).values_list("slug", flat=True)) <= set(ids)
    assert "undated events are not shown" not in shown
    assert "cz-pleads-guilty" not in ids


def test_the_export_panel_says_which_exports_leave_undated_events_out(client):
    html = client.get("/").content.decode()
    total, undated = Event.objects.count(), Event.objects.filter(date__isnull=True).count()
    assert f"these {total} events" in html
    assert f"The {total - undated} dated events only ({undated} undated events left out" in html


def test_calendar_and_feed_say_how_many_undated_events_they_leave_out(client):
    undated = Event.objects.filter(date__isnull=True).count()
    ics = client.get("/events.ics").content.decode().replace("\r\n ", "")
    assert f"{undated} undated events of this selection are not in this calendar" in ics
    assert re.search(r"X-WR-CALDESC:[^\r]* undated events of this selection are not in this calendar", ics)
    assert f"{undated} undated events of this selection are not in this feed" in client.get("/feed/").content.decode()


def test_the_follows_link_is_editable_in_the_admin(admin_client):
    prison = Event.objects.get(slug="cz-serves-prison-term")
    html = admin_client.get(f"/admin/timeline/event/{prison.pk}/change/").content.decode()
    field = re.search(r'<select name="follows".*?</select>', html, re.S).group()
    assert f'value="{prison.follows_id}" selected' in field
    assert "admin-autocomplete" in field
