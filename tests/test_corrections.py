"""Corrections readers can see: changes to a published event, from its history, on its page, in a list and a feed."""

import datetime
import json
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command

from tests.admin_forms import change_form_data
from tests.conftest import AXE
from tests.test_browser import run_axe
from timeline.dataset.synthetic import generate
from timeline.models import Event, EventStatement
from timeline.web.corrections import TYPO

ATOM = "{http://www.w3.org/2005/Atom}"
STAKE_TALKS = "wsj-reports-binance-us-stake-talks"
STEPS_DOWN = "cz-steps-down-as-ceo"


def admin_post(client, event, statement_text=None, typo=False, **changes):
    """Post the event's admin change form with some fields (and statement 2's text) changed."""
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = change_form_data(client.get(url))
    data.update({name: "" if value is None else value for name, value in changes.items()})
    if typo:
        data["typo"] = "on"
    if statement_text is not None:
        second = event.statements.get(position=2)
        row = next(k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and str(v) == str(second.pk))
        data[f"{row}-text"] = statement_text
        if typo:
            data[f"{row}-typo"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def feed_entries(client, query=""):
    response = client.get(f"/corrections/feed/{query}")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary")) for e in root.iter(f"{ATOM}entry")]


def correct(slug, reason=None, **changes):
    """A change saved straight to the model, as a script or the shell would."""
    event = Event.objects.get(slug=slug)
    for name, value in changes.items():
        setattr(event, name, value)
    if reason:
        event._change_reason = reason
    event.save()
    return event


@pytest.mark.django_db
@pytest.mark.slow
def test_admin_changes_show_on_the_event_page_in_the_list_and_the_feed(corpus, admin_client):
    event = Event.objects.get(slug=STAKE_TALKS)
    old_title = event.title
    old_statement = event.statements.get(position=2).text
    admin_post(
        admin_client,
        event,
        title="Binance.US stake talks reported",
        certainty="alleged",
        date="2025-03-01",
        date_precision="month",
    )
    admin_post(admin_client, Event.objects.get(pk=event.pk), statement_text="The report, as corrected.")

    expected = [
        f"statement 2 was “{old_statement.strip()}”, it is now “The report, as corrected.”",
        "the certainty was reported, it is now alleged",
        "the date was 13 Mar 2025, it is now Mar 2025",
        f"the title was “{old_title}”, it is now “Binance.US stake talks reported”",
    ]
    today = datetime.date.today()
    page = html(admin_client, event.get_absolute_url())
    assert f'Corrected <time datetime="{today:%Y-%m-%d}' in page
    for sentence in expected:
        assert sentence.replace("“", "&ldquo;") in page or sentence in page, sentence

    listing = html(admin_client, "/corrections/")
    positions = [listing.find(sentence) for sentence in expected]
    assert -1 not in positions, positions
    assert positions[0] < min(positions[1:]), "the statement, corrected last, comes first"
    assert "4 corrections" in listing
    assert f'href="{event.get_absolute_url()}#correction-' in listing

    entries = feed_entries(admin_client)
    assert len(entries) == 4
    assert entries[0] == (
        "Corrected: Binance.US stake talks reported",
        f"<p>{expected[0][0].upper()}{expected[0][1:]}.</p>",
    )
    assert {summary for _, summary in entries} == {f"<p>{s[0].upper()}{s[1:]}.</p>" for s in expected}


@pytest.mark.django_db
@pytest.mark.slow
def test_a_change_marked_as_a_typo_fix_is_kept_but_not_announced(corpus, admin_client):
    event = Event.objects.get(slug=STAKE_TALKS)
    admin_post(admin_client, event, title=event.title + "s", statement_text="The report, retyped.", typo=True)
    event.refresh_from_db()
    assert event.history.first().history_change_reason == TYPO
    assert (
        EventStatement.history.filter(event_id=event.pk, text="The report, retyped.").get().history_change_reason
        == TYPO
    )
    assert "Corrections</h2>" not in html(admin_client, event.get_absolute_url())
    assert "No corrections yet" in html(admin_client, "/corrections/")
    assert feed_entries(admin_client) == []

    admin_post(admin_client, event, certainty="alleged")
    page = html(admin_client, event.get_absolute_url())
    assert "the certainty was reported, it is now alleged" in page
    assert "the title was" not in page and "statement 2 was" not in page


@pytest.mark.django_db
def test_model_saves_make_corrections_and_a_typo_reason_does_not(corpus, client):
    correct(STEPS_DOWN, date=datetime.date(2023, 11, 1), date_precision="month")
    correct(STEPS_DOWN, date=None, date_precision="unknown", date_basis="undated", date_note="")
    correct(STEPS_DOWN, reason=TYPO, title="Zhao steps down as chief executive")
    page = html(client, Event.objects.get(slug=STEPS_DOWN).get_absolute_url())
    assert "the date was Nov 2023, it is now unknown" in page
    assert "the date was 21 Nov 2023, it is now Nov 2023" in page
    assert "the title was" not in page
    assert page.find("it is now unknown") < page.find("it is now Nov 2023"), "newest first"


@pytest.mark.django_db
def test_no_correction_for_a_records_creation(corpus, client):
    """The loaded corpus (created, then its summaries filled in: versions without an announced change) has none."""
    assert Event.history.filter(history_type="~").exists()
    assert "No corrections yet" in html(client, "/corrections/")
    generate(3)
    assert "No corrections yet" in html(client, "/corrections/")
    event = Event.objects.order_by("-pk").first()
    assert "Corrections</h2>" not in html(client, event.get_absolute_url())


@pytest.mark.django_db
def test_a_reload_that_changes_a_title_shows_it(corpus, fixture_dir, client):
    path = fixture_dir / "events.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    record = next(r for r in records if r["model"] == "timeline.event" and r["fields"]["slug"] == STEPS_DOWN)
    old_title = record["fields"]["title"]
    record["fields"]["title"] = "Zhao resigns as Binance's chief executive"
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    call_command("reload_timeline", "--fixtures", str(fixture_dir), stdout=StringIO())
    sentence = f"the title was “{old_title}”, it is now “Zhao resigns as Binance's chief executive”"
    assert sentence in html(client, "/corrections/").replace("&#x27;", "'")
    assert sentence in html(client, f"/events/{STEPS_DOWN}/").replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_chronology_filters_select_whose_corrections_are_listed(corpus, client):
    correct(STEPS_DOWN, certainty="reported")
    correct(STAKE_TALKS, certainty="alleged")
    only_talks = html(client, "/corrections/?actor=coinbase")
    assert "it is now alleged" in only_talks and "it is now reported" not in only_talks
    both = html(client, "/corrections/?actor=changpeng-zhao")
    assert "it is now alleged" in both and "it is now reported" in both
    assert [title for title, _ in feed_entries(client, "?actor=coinbase")] == [
        f"Corrected: {Event.objects.get(slug=STAKE_TALKS).title}"
    ]
    bad = client.get("/corrections/?actor=nobody")
    assert bad.status_code == 400
    assert "actor" in bad.content.decode()
    assert client.get("/corrections/feed/?actor=nobody").status_code == 400
    assert client.get("/corrections/?after=2023-11-21|2~5").status_code == 400
    assert client.post("/corrections/").status_code == 405


@pytest.mark.django_db
@pytest.mark.slow
def test_the_list_takes_the_same_queries_whatever_the_number_of_corrections(
    corpus, client, django_assert_max_num_queries
):
    correct(STEPS_DOWN, certainty="reported")
    with django_assert_max_num_queries(6) as few:
        assert "1 correction" in html(client, "/corrections/")
    for n, event in enumerate(Event.objects.all()[:40]):
        correct(event.slug, title=f"Retitled {n}")
        correct(event.slug, title=f"Retitled again {n}")
        correct(event.slug, title=f"Retitled a third time {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(client, "/corrections/")
    assert "121 corrections; the newest 100 are shown" in page
    assert page.count('<li id="correction-') == 100


def test_the_chronology_and_every_page_link_to_the_corrections(corpus, client):
    assert 'href="/corrections/?actor=binance"' in html(client, "/?actor=binance")
    assert 'href="/corrections/"' in html(client, "/actors/")


# In a browser ---------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("writable_site")
def test_axe_finds_nothing_and_the_pages_work_without_javascript(browser, live_server):
    site = live_server.url
    correct(STAKE_TALKS, certainty="alleged", title="Binance.US stake talks reported")
    urls = ["/corrections/", f"/events/{STAKE_TALKS}/"]
    context = browser.new_context(base_url=site)
    context.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page = context.new_page()
    problems = {}
    for url in urls:
        page.goto(url)
        problems[url] = run_axe(page)
    context.close()
    assert problems == {url: [] for url in urls}

    context = browser.new_context(base_url=site, java_script_enabled=False)
    page = context.new_page()
    for url in urls:
        page.goto(url)
        assert "the certainty was reported, it is now alleged" in page.locator("main").inner_text()
    page.goto("/corrections/")
    page.get_by_role("link", name="Binance.US stake talks reported").first.click()
    assert page.url.endswith(f"/events/{STAKE_TALKS}/#" + page.url.split("#")[1])
    context.close()
