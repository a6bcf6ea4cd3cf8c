"""A curator's whole round trip in a real browser: add an article, cite passages by selecting them or by
typing them, see them on the public pages, export, reload into an empty database and see the same pages."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import test_browser
from tests.conftest import AXE
from timeline.corpus.articles import text_sha256
from timeline.corpus.quotes import in_quotation_marks
from timeline.models import Citation, Event, Source

pytestmark = pytest.mark.browser
expect = test_browser.playwright_api.expect

PASSWORD = "correct horse battery staple"
ARTICLE = (
    "Court filing: a test article written for the browser test\n"
    "\n"
    "A federal judge in Seattle approved the monitorship agreement on Tuesday, the filing says.\n"
    "Lawyers for the exchange said the agreement “closes a chapter” for the company.\n"
    "The filing names no new defendant.\n"
)
FIRST = "A federal judge in Seattle approved the monitorship agreement on Tuesday, the filing says."
SECOND = "the agreement “closes a chapter” for the company"
EXISTING = "trump-pardons-cz"


@pytest.fixture
def site(writable_site):
    """Every test here writes (a curator, an article): its site and pages (conftest.py) are writable."""
    return writable_site


@pytest.fixture
def curator(site):
    user = User.objects.create_user("curator", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    return user


def sign_in(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Curator’s desk")).to_be_visible()


def select_text(page, text):
    """Select `text` in the article as a mouse would: a DOM selection the cite script reads."""
    found = page.evaluate(
        """(text) => {
            const walker = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    getSelection().removeAllRanges();
                    getSelection().addRange(range);
                    return true;
                }
            }
            return false;
        }""",
        text,
    )
    assert found


def public_texts(page, source_slug, event_slug):
    """What a reader sees: each page's text, and on the chronology each event's.

    Events on one date (and undated ones) are ordered by database id, which a reload into an
    empty database assigns anew, so the chronology is compared event by event.
    """
    page.goto("/")
    texts = {"/": dict(page.eval_on_selector_all("#results article.event", "els => els.map(e => [e.id, e.innerText])"))}
    for url in [f"/sources/{source_slug}/", f"/events/{event_slug}/", f"/events/{EXISTING}/"]:
        page.goto(url)
        texts[url] = page.inner_text("main")
    return texts


def test_a_curator_adds_an_article_cites_it_by_selecting_and_round_trips_it(page, curator, seeds_dir, tmp_path):
    sign_in(page)
    page.goto("/admin/timeline/source/add/")
    page.get_by_label("Title").fill("A test court filing")
    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    source = Source.objects.get(title="A test court filing")
    assert source.text == ARTICLE

    page.goto(source.get_absolute_url())
    page.get_by_role("link", name="Curators: cite a passage of this article").click()
    cite = page.get_by_role("button", name="Cite this passage")
    expect(cite).to_be_disabled()
    page.locator("#article-text p", has_text="A federal judge").click(click_count=3)  # a paragraph, by mouse
    expect(cite).to_be_enabled()
    cite.click()
    assert page.get_by_label("Quote").input_value() == FIRST
    expect(page.locator("mark.passage")).to_have_text(FIRST)
    page.get_by_label("A new event from this passage").check()
    page.get_by_label("Title").fill("Judge approves the monitorship agreement")
    page.get_by_label("Summary").fill("A federal judge approved the monitorship agreement, a court filing says.")
    page.get_by_label("Era").select_option(index=1)
    page.get_by_label("Certainty").select_option("reported")
    page.get_by_role("button", name="Save the citation").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Cited for Judge approves")

    select_text(page, SECOND)
    expect(page.locator("#selection-preview")).to_contain_text("closes a chapter")
    cite.click()
    assert page.get_by_label("Quote").input_value() == SECOND
    existing = Event.objects.get(slug=EXISTING)
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Trump pardons Changpeng")
    page.locator(".select2-results__option", has_text=existing.title).click()
    page.get_by_role("button", name="Save the citation").click()
    expect(page.locator(".messagelist .success")).to_contain_text(existing.title)

    new_event = Event.objects.get(title="Judge approves the monitorship agreement")
    assert new_event.citations.get().quote == FIRST
    assert existing.citations.filter(source=source, quote=SECOND).exists()

    page.goto("/")
    expect(page.locator("#results article.event", has_text=new_event.title)).to_have_count(1)
    page.goto(source.get_absolute_url())
    expect(page.locator(".article-text mark", has_text="A federal judge")).to_have_count(1)
    expect(page.locator(".article-text mark", has_text="closes a chapter")).to_have_count(1)
    page.goto(existing.get_absolute_url())
    expect(page.locator("main")).to_contain_text(in_quotation_marks(SECOND))  # its own marks nested as single

    fixtures = tmp_path / "fixtures"
    call_command("export_timeline", "--output", str(fixtures), "--seeds", str(seeds_dir), verbosity=0)
    name = f"005_{text_sha256(ARTICLE)[:16]}.txt"
    assert (seeds_dir / name).read_bytes() == ARTICLE.encode("utf-8")
    before = public_texts(page, source.slug, new_event.slug)
    assert name not in before[source.get_absolute_url()]  # readers know an article by its title, not its file
    call_command("flush", interactive=False, verbosity=0)  # a fresh, empty database
    call_command("reload_timeline", "--fixtures", str(fixtures), verbosity=0)
    assert Source.objects.get(slug=source.slug).seed_file == name
    after = public_texts(page, source.slug, new_event.slug)
    assert after == before

    path = fixtures / "citations.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    spoiled = next(r for r in records if r["fields"]["quote"] == FIRST)
    spoiled["fields"]["quote"] = FIRST.replace("Seattle", "Tacoma")
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match="field 'quote': This quote is not in the article"):
        call_command("reload_timeline", "--fixtures", str(fixtures), verbosity=0)
    assert Citation.objects.filter(quote=FIRST).exists()


def tab_to(page, predicate, limit=200):
    """Press Tab until the focused element satisfies a JS predicate over `el`."""
    for _ in range(limit):
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {predicate}")


def test_the_same_flow_by_keyboard_only(page, curator):
    page.goto("/admin/login/?next=/admin/")
    page.keyboard.type("curator")  # the username field has focus on load
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Curator’s desk")).to_be_visible()

    page.goto("/admin/timeline/source/add/")
    tab_to(page, "el.id === 'id_title'")
    page.keyboard.type("A test court filing")
    tab_to(page, "el.id === 'id_text'")
    page.keyboard.type(ARTICLE)
    tab_to(page, "el.name === '_save'")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_be_visible()
    source = Source.objects.get(title="A test court filing")
    assert source.text == ARTICLE

    page.goto(source.get_absolute_url())
    tab_to(page, "el.textContent === 'Curators: cite a passage of this article'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "el.id === 'id_find'")
    page.keyboard.type("A federal judge")
    page.keyboard.press("Tab")
    page.keyboard.type("the filing says.")
    page.keyboard.press("Enter")
    expect(page.locator("mark.passage")).to_have_text(FIRST)
    tab_to(page, "el.type === 'radio' && el.value === 'existing'")
    page.keyboard.press("ArrowDown")  # to "A new event from this passage"
    assert page.evaluate("document.activeElement.value") == "new"
    tab_to(page, "el.id === 'id_new-title'")
    page.keyboard.type("Judge approves the monitorship agreement")
    tab_to(page, "el.id === 'id_new-summary'")
    page.keyboard.type("A federal judge approved the monitorship agreement, a court filing says.")
    tab_to(page, "el.id === 'id_new-era'")
    page.keyboard.press("ArrowDown")
    tab_to(page, "el.id === 'id_new-certainty'")
    page.keyboard.type("Reported")
    tab_to(page, "el.value === 'Save the citation'")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_contain_text("Cited for Judge approves")

    tab_to(page, "el.id === 'id_find'")
    page.keyboard.type("the agreement “closes")
    page.keyboard.press("Tab")
    page.keyboard.type("for the company")
    page.keyboard.press("Enter")
    expect(page.locator("mark.passage")).to_have_text(SECOND)
    existing = Event.objects.get(slug=EXISTING)
    tab_to(page, "el.classList.contains('select2-selection')")
    page.keyboard.press("Enter")
    page.keyboard.type("Trump pardons Changpeng")
    expect(page.locator(".select2-results__option", has_text=existing.title)).to_be_visible()
    # The results of the whole text, not an earlier keystroke's, whose first option Enter would take.
    expect(page.locator(".select2-results__option--highlighted")).to_have_text(existing.title)
    page.keyboard.press("Enter")
    tab_to(page, "el.value === 'Save the citation'")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_contain_text(existing.title)

    assert Event.objects.get(title="Judge approves the monitorship agreement").citations.get().quote == FIRST
    assert existing.citations.filter(source=source, quote=SECOND).exists()
    page.goto(source.get_absolute_url())
    expect(page.locator(".article-text mark", has_text="closes a chapter")).to_have_count(1)


def test_axe_reports_no_violations_on_the_curator_pages(browser, site, curator):
    """The cite screen, the citation form, the desk and the add form, checked where this project wrote them."""
    context = browser.new_context(base_url=site)
    context.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page = context.new_page()
    sign_in(page)
    source = Source.objects.get(slug="cz-rejects-wsj-report")
    cite = f"/admin/timeline/source/{source.pk}/cite/"
    problems = {}
    for url in [cite, f"{cite}?find=Binance", "/admin/desk/", "/admin/timeline/source/add/"]:
        page.goto(url)
        page.add_script_tag(url="/__axe__.js")
        result = page.evaluate("axe.run('#content-main', {resultTypes: ['violations']})")
        violations = [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in result["violations"]]
        if violations:
            problems[url] = violations
    context.close()
    assert problems == {}, json.dumps(problems, indent=2)
