"""Curating a new article: adding it in the admin, citing passages from the cite screen, exporting and reloading it."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from timeline.corpus.articles import MAX_ARTICLE_BYTES, check_article, text_sha256
from timeline.corpus.citing import passage_from
from timeline.corpus.seeds import SeedError, read_seed
from timeline.dataset.export import ExportError, export
from timeline.dataset.schema import MODELS
from timeline.models import (
    Actor,
    ActorStatement,
    Citation,
    DataVersion,
    Era,
    EraStatement,
    Event,
    EventStatement,
    LoadedRecord,
    Source,
    TextLocked,
)

pytestmark = pytest.mark.usefixtures("corpus")

ARTICLE = (
    "Court filing: a test article written for the curating tests\n"
    "\n"
    "A federal judge in Seattle approved the agreement on Tuesday, the filing says.\n"
    "Lawyers for the exchange said the agreement “closes a chapter” for the company.\n"
    "The filing says the agreement closes a chapter, and names no new defendant.\n"
)


def article_form(**changes):
    data = {
        "title": "A test court filing",
        "slug": "test-court-filing",
        "outlet": "",
        "quality": "standard",
        "quality_note": "",
        "published": "",
        "published_precision": "unknown",
        "published_note": "",
        "text": ARTICLE,
    }
    data.update(changes)
    return data


def add_article(client, **changes):
    return client.post("/admin/timeline/source/add/", article_form(**changes))


def test_a_curator_adds_an_article_by_pasting_it(curator_client, curator):
    response = add_article(curator_client, text=ARTICLE.replace("\n", "\r\n"))
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(slug="test-court-filing")
    assert source.text == ARTICLE  # the browser's CR LF line ends are the form's, not the article's
    assert source.sha256 == text_sha256(ARTICLE)
    assert source.seed_file == ""
    assert source.history.first().history_user == curator


def test_a_curator_adds_an_article_by_uploading_it(curator_client):
    upload = SimpleUploadedFile("filing.txt", ARTICLE.encode("utf-8"), content_type="text/plain")
    response = add_article(curator_client, text="", upload=upload)
    assert response.status_code == 302
    assert Source.objects.get(slug="test-court-filing").text == ARTICLE


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Caf\xe9 in Latin-1".encode("latin-1"), "is not UTF-8 text (byte 3 cannot be read)"),
        (b"Line one\r\nLine two", "control character (U+000D)"),
        (b"Bell \x07 here", "control character (U+0007)"),
        (b"x" * (MAX_ARTICLE_BYTES + 1), "the limit is 1,000,000"),
        (b"   \n  ", "The article is empty."),
    ],
)
def test_an_upload_that_is_not_plain_utf8_text_is_refused(curator_client, content, message):
    upload = SimpleUploadedFile("filing.txt", content, content_type="text/plain")
    response = add_article(curator_client, text="", upload=upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.filter(slug="test-court-filing").exists()


def test_the_admin_and_seeds_share_one_size_limit(curator_client, seeds_dir):
    """An article the admin accepts is one a reload can read from seeds/, and the next byte is refused by both."""
    largest, over = b"a" * (MAX_ARTICLE_BYTES - 1) + b"\n", b"a" * MAX_ARTICLE_BYTES + b"\n"
    assert MAX_ARTICLE_BYTES == 1_000_000
    refused = add_article(curator_client, text="", upload=SimpleUploadedFile("over.txt", over))
    assert "the limit is 1,000,000" in refused.content.decode()
    (seeds_dir / "over.txt").write_bytes(over)
    with pytest.raises(SeedError, match="larger than 1,000,000 bytes"):
        read_seed("over.txt")
    assert add_article(curator_client, text="", upload=SimpleUploadedFile("largest.txt", largest)).status_code == 302
    (seeds_dir / "largest.txt").write_bytes(largest)
    assert read_seed("largest.txt") == Source.objects.get(slug="test-court-filing").text


def test_pasted_text_is_checked_too_and_lone_surrogates_are_refused(curator_client):
    response = add_article(curator_client, text="Escape \x1b[31m red")
    assert "control character (U+001B)" in response.content.decode()
    with pytest.raises(ValidationError, match="lone surrogate"):
        check_article("broken \ud800 pair")
    both = add_article(curator_client, upload=SimpleUploadedFile("a.txt", b"text"))
    assert "not both" in both.content.decode()


def test_the_same_article_twice_is_refused(curator_client):
    original = Source.objects.get(seed_file__startswith="001")
    response = add_article(curator_client, text=original.text)
    assert f"This article is already a source: {original.title}" in response.content.decode()


def test_the_text_cannot_be_changed_in_the_admin_or_once_cited(curator_client):
    source = Citation.objects.first().source
    text = source.text
    response = curator_client.get(f"/admin/timeline/source/{source.pk}/change/")
    assert response.status_code == 200
    assert "text" not in response.context["adminform"].form.fields
    source.text = text + " A correction."
    with pytest.raises(TextLocked, match="add a corrected article as a new source"):
        source.save()
    source.refresh_from_db()
    assert source.text == text


def test_only_administrators_delete_sources_and_never_a_cited_one(curator_client, admin_client):
    add_article(curator_client)
    new = Source.objects.get(slug="test-court-filing")
    cited = Citation.objects.first().source
    assert curator_client.post(f"/admin/timeline/source/{new.pk}/delete/", {"post": "yes"}).status_code == 403
    assert curator_client.get("/admin/timeline/source/add/").status_code == 200
    assert curator_client.get("/admin/timeline/citation/add/").status_code == 200
    response = admin_client.post(f"/admin/timeline/source/{cited.pk}/delete/", {"post": "yes"})
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Source.objects.filter(pk=cited.pk).exists()
    assert admin_client.post(f"/admin/timeline/source/{new.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=new.pk).exists()


def test_a_source_change_rewrites_the_data_version():
    before = DataVersion.current()[0]
    source = Source.objects.first()
    source.quality_note += "."
    source.save()
    assert DataVersion.current()[0] != before  # SQLite's table rebuild in migration 0005 kept the triggers


# Choosing a passage ------------------------------------------------------------------------


def test_a_passage_from_offsets_or_typed_words_drops_whitespace_at_its_edges():
    start = ARTICLE.index("A federal judge")
    line_end = ARTICLE.index("\n", start)
    chosen = passage_from(ARTICLE, {"start": str(start - 1), "end": str(line_end + 1)})
    assert (chosen.start, chosen.end, chosen.quote) == (start, line_end, ARTICLE[start:line_end])
    typed = passage_from(ARTICLE, {"find": "A federal judge", "until": "the filing says."})
    assert typed.quote == ARTICLE[start:line_end]
    assert passage_from(ARTICLE, {"find": "closes a chapter"}).occurrences == 2
    assert passage_from(ARTICLE, {}) is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "x", "end": "4"}, "not whole numbers"),
        ({"start": "5", "end": "99999"}, "outside the article"),
        ({"start": "9", "end": "3"}, "outside the article"),
        ({"start": "59", "end": "61"}, "only spaces or line breaks"),
        ({"find": "not in it"}, "is not in the article"),
        ({"find": "A federal", "until": "nowhere"}, "does not occur after"),
    ],
)
def test_a_passage_that_cannot_be_cited_is_explained(curator_client, params, message):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    response = curator_client.get(f"/admin/timeline/source/{source.pk}/cite/", params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_cite_screen_is_for_curators_only_and_the_public_page_only_links_to_it(curator_client):
    client = Client()
    source = Source.objects.first()
    url = reverse("admin:timeline_source_cite", args=[source.pk])
    public = client.get(source.get_absolute_url())
    assert f'href="{url}"' in public.content.decode()
    assert "Set-Cookie" not in public.headers and "Cookie" not in public.headers.get("Vary", "")
    assert client.get(url).status_code == 302  # to the sign-in page
    page = curator_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="article-text"' in html and "timeline/cite.js" in html and "<script>" not in html


def test_the_article_on_the_cite_screen_is_exactly_the_text(curator_client):
    """The selection script counts offsets in the page's text, so the page must hold the article verbatim."""
    from html.parser import HTMLParser

    source = Source.objects.get(seed_file__startswith="003")
    html = curator_client.get(f"/admin/timeline/source/{source.pk}/cite/").content.decode()

    class ArticleText(HTMLParser):
        depth, text = 0, []

        def handle_starttag(self, tag, attrs):
            if ("id", "article-text") in attrs or self.depth:
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.text.append(data)

    parser = ArticleText(convert_charrefs=True)
    parser.feed(html)
    assert "".join(parser.text) == source.text


def cite(client, source, passage, **fields):
    data = {"quote": passage.quote, "start": passage.start, "end": passage.end, "stance": "supports"}
    data.update(fields)
    return client.post(f"/admin/timeline/source/{source.pk}/cite/", data)


NEW_EVENT = {
    "target": "new",
    "new-title": "Judge approves the agreement",
    "new-slug": "",
    "new-summary": "A federal judge in Seattle approved the agreement, according to a court filing.",
    "new-era": "",
    "new-certainty": "reported",
    "new-importance": "2",
    "new-date": "",
    "new-date_precision": "unknown",
    "new-end_date": "",
    "new-date_basis": "undated",
    "new-date_note": "",
}


def test_citing_a_passage_into_a_new_event_and_into_an_existing_one(curator_client, curator):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    first = passage_from(source.text, {"find": "A federal judge", "until": "the filing says."})
    form = curator_client.get(f"/admin/timeline/source/{source.pk}/cite/", {"start": first.start, "end": first.end})
    assert form.context["form"].initial == {"quote": first.quote, "start": first.start, "end": first.end}
    assert '<mark class="passage">A federal judge' in form.content.decode()

    era = Event.objects.first().era
    response = cite(curator_client, source, first, **{**NEW_EVENT, "new-era": era.pk})
    assert response.status_code == 302, response.context["form"].errors or response.context["new_event"].errors
    event = Event.objects.get(slug="judge-approves-the-agreement")
    citation = event.citations.get()
    assert (citation.source, citation.quote, citation.start) == (source, first.quote, first.start)
    assert event.history.first().history_user == curator == citation.history.first().history_user

    existing = Event.objects.exclude(pk=event.pk).first()
    second = passage_from(source.text, {"find": "Lawyers for the exchange"})
    assert cite(curator_client, source, second, target="existing", event=existing.pk).status_code == 302
    assert existing.citations.filter(source=source, quote=second.quote).exists()


def test_the_cite_screen_edits_statements_only_with_the_statement_permissions(curator_client, curator):
    """Curators edit statements everywhere; someone allowed to cite but not to edit statements is refused."""
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    existing = Event.objects.filter(statements__isnull=False).first()
    passage = passage_from(source.text, {"find": "Lawyers for the exchange"})
    curator.groups.clear()
    wanted = ["view_source", "add_citation", "view_event", "add_event"]
    curator.user_permissions.set(Permission.objects.filter(content_type__app_label="timeline", codename__in=wanted))
    statement = existing.statements.first()
    for fields in ({"statements-statement": "A new sentence."}, {"statements-statements": [statement.pk]}):
        response = cite(curator_client, source, passage, target="existing", event=existing.pk, **fields)
        assert "You may not edit statements" in response.content.decode()
        assert not Citation.objects.filter(source=source).exists()
    assert cite(curator_client, source, passage, target="existing", event=existing.pk).status_code == 302


def test_a_quote_that_does_not_match_its_offsets_is_refused_and_nothing_is_saved(curator_client):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    passage = passage_from(source.text, {"find": "A federal judge"})
    passage.quote = "A federal judges"
    era = Event.objects.first().era
    response = cite(curator_client, source, passage, **{**NEW_EVENT, "new-era": era.pk})
    assert response.status_code == 200
    assert "no longer matches the article" in response.content.decode()
    assert not Event.objects.filter(title=NEW_EVENT["new-title"]).exists()
    missing = cite(curator_client, source, passage_from(source.text, {"find": "A federal judge"}), target="existing")
    assert "Choose the event" in missing.content.decode()


# Export and reload --------------------------------------------------------------------------


@pytest.mark.slow
def test_export_writes_a_new_article_to_seeds_and_a_reload_reads_it_back(curator_client, seeds_dir, tmp_path):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    passage = passage_from(source.text, {"find": "Lawyers for the exchange"})
    existing = Event.objects.first()
    cite(curator_client, source, passage, target="existing", event=existing.pk)
    originals = {p.name: p.read_bytes() for p in seeds_dir.iterdir()}

    fixtures = tmp_path / "fixtures"
    call_command("export_timeline", "--output", str(fixtures), "--seeds", str(seeds_dir), verbosity=0)
    source.refresh_from_db()
    name = f"005_{text_sha256(ARTICLE)[:16]}.txt"
    assert source.seed_file == name
    assert (seeds_dir / name).read_bytes() == ARTICLE.encode("utf-8")
    assert {p.name: p.read_bytes() for p in seeds_dir.iterdir() if p.name != name} == originals
    assert source.history.first().history_change_reason == "export_timeline wrote the article to seeds/"
    records = json.loads((fixtures / "sources.json").read_text(encoding="utf-8"))
    assert any(r["fields"]["seed_file"] == name for r in records)

    again = tmp_path / "again"
    call_command("export_timeline", "--output", str(again), "--seeds", str(seeds_dir), verbosity=0)
    assert sorted(p.name for p in seeds_dir.iterdir()) == sorted([*originals, name])  # stable: no second copy

    for model in (ActorStatement, EraStatement, Citation, Event):  # an empty corpus, as in a fresh database
        model.objects.all().delete()
    Source.objects.all().delete()
    LoadedRecord.objects.all().delete()
    call_command("reload_timeline", "--fixtures", str(fixtures), verbosity=0)
    reloaded = Source.objects.get(slug="test-court-filing")
    assert (reloaded.text, reloaded.seed_file, reloaded.sha256) == (ARTICLE, name, text_sha256(ARTICLE))
    assert existing.slug in reloaded.citations.values_list("event__slug", flat=True)


def test_a_spoiled_quote_in_the_exported_fixture_is_refused(curator_client, seeds_dir, tmp_path):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    passage = passage_from(source.text, {"find": "Lawyers"})
    cite(curator_client, source, passage, target="existing", event=Event.objects.first().pk)
    fixtures = tmp_path / "fixtures"
    export(fixtures, seeds_dir=seeds_dir)
    path = fixtures / "citations.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    index, spoiled = next((i, r) for i, r in enumerate(records, 1) if r["fields"]["source"] == [source.slug])
    spoiled["fields"]["quote"] = spoiled["fields"]["quote"].replace("Lawyers", "Lawmakers")
    path.write_text(json.dumps(records), encoding="utf-8")
    before = Citation.objects.count()
    with pytest.raises(
        CommandError, match=rf"citations.json, record {index}, field 'quote': This quote is not in the article"
    ):
        call_command("reload_timeline", "--fixtures", str(fixtures), verbosity=0)
    assert Citation.objects.count() == before


def test_export_never_overwrites_a_differing_article_nor_writes_through_a_link(curator_client, seeds_dir, tmp_path):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    taken = seeds_dir / f"005_{'0' * 16}.txt"
    taken.write_text("Another article.", encoding="utf-8")
    export(tmp_path / "out", seeds_dir=seeds_dir)
    source.refresh_from_db()
    assert source.seed_file == f"006_{source.sha256[:16]}.txt"  # the next free number
    assert taken.read_text(encoding="utf-8") == "Another article."

    original = seeds_dir / Source.objects.get(seed_file__startswith="000").seed_file
    original.write_text("Spoiled.", encoding="utf-8")
    with pytest.raises(ExportError, match="differs from the article stored"):
        export(tmp_path / "out", seeds_dir=seeds_dir)
    assert original.read_text(encoding="utf-8") == "Spoiled."
    link = tmp_path / "linked-seeds"
    link.symlink_to(seeds_dir)
    with pytest.raises(CommandError, match="is a symbolic link"):
        call_command("export_timeline", "--output", str(tmp_path / "out"), "--seeds", str(link), verbosity=0)
    fixtures_link = tmp_path / "linked-fixtures"
    fixtures_link.symlink_to(tmp_path / "out", target_is_directory=True)
    with pytest.raises(CommandError, match="is a symbolic link"):
        call_command("export_timeline", "--output", str(fixtures_link), "--seeds", str(seeds_dir), verbosity=0)


def test_a_reload_keeps_an_article_not_yet_exported_with_its_citations(curator_client):
    add_article(curator_client)
    source = Source.objects.get(slug="test-court-filing")
    passage = passage_from(source.text, {"find": "Lawyers"})
    assert cite(curator_client, source, passage, target="existing", event=Event.objects.first().pk).status_code == 302
    call_command("reload_timeline", verbosity=0)
    source.refresh_from_db()
    assert (source.text, source.seed_file) == (ARTICLE, "")
    assert source.citations.count() == 1


def test_a_reload_refuses_an_article_file_that_is_not_the_one_the_fixture_names(seeds_dir, fixture_dir):
    source = Source.objects.get(seed_file__startswith="001")
    (seeds_dir / source.seed_file).write_text(source.text + "A correction.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="is not the article the fixture names"):
        call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    source.refresh_from_db()
    assert not source.text.endswith("A correction.\n")


def test_a_reload_refuses_to_change_the_text_of_a_cited_article(seeds_dir, fixture_dir):
    """Even when the fixture names the new file's SHA-256, a cited article's text does not change."""
    source = Source.objects.get(seed_file__startswith="001")
    corrected = source.text + "A correction.\n"
    (seeds_dir / source.seed_file).write_text(corrected, encoding="utf-8")
    path = fixture_dir / "sources.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in records if r["fields"]["slug"] == source.slug)["fields"]["sha256"] = text_sha256(corrected)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="is cited, so it cannot change"):
        call_command("reload_timeline", "--fixtures", str(fixture_dir), verbosity=0)
    source.refresh_from_db()
    assert source.text != corrected


# The desk ------------------------------------------------------------------------------------


def test_the_desk_lists_one_of_each_kind_of_problem(curator_client, curator):
    """A corpus made to hold one of each: every item is listed under its heading, with a link to fix it."""
    era = Event.objects.first().era
    add_article(curator_client)  # an article with no citation yet
    uncited = Source.objects.get(slug="test-court-filing")
    other = Source.objects.exclude(pk=uncited.pk).first()
    quote = next(w for w in ("the", "and", "Binance") if other.text.count(w) > 1)

    def made(slug, **fields):
        event = Event(slug=slug, title=slug.replace("-", " ").capitalize(), summary="Made for the desk test.", era=era)
        for name, value in {"date_basis": "undated", "certainty": "reported", **fields}.items():
            setattr(event, name, value)
        event.save()
        return event

    confirmed = made("desk-confirmed-one-source", certainty="confirmed")
    Citation.objects.create(event=confirmed, source=other, quote=other.text[0:20], start=0, end=20)
    disputed = made("desk-disputed")
    Citation.objects.create(event=disputed, source=other, quote=other.text[0:20], start=0, end=20, stance="disputes")
    undated = made("desk-undated")
    Citation.objects.create(event=undated, source=other, quote=other.text[0:20], start=0, end=20)
    start = other.text.index(quote)
    ambiguous = Citation.objects.create(event=undated, source=other, quote=quote, start=start, end=start + len(quote))
    edited = Event.objects.get(slug="trump-pardons-cz")
    edited.title += " (edited)"
    edited._change_reason = "desk test"
    edited.save()
    bare = EventStatement.objects.create(event=disputed, position=9, text="Said with nothing behind it.")

    response = curator_client.get(reverse("curators_desk"))
    assert response.status_code == 200
    concerns = {title: items for title, items in response.context["concerns"]}
    event_url = lambda e: reverse("admin:timeline_event_change", args=[e.pk])  # noqa: E731
    assert event_url(confirmed) in {i.url for i in concerns["Confirmed events resting on one article"]}
    assert event_url(disputed) in {i.url for i in concerns["Events with a disputing citation"]}
    assert event_url(undated) in {i.url for i in concerns["Undated events"]}
    ambiguous_url = reverse("admin:timeline_citation_change", args=[ambiguous.pk])
    assert ambiguous_url in {i.url for i in concerns["Quotes that occur more than once in their article"]}
    cite_url = reverse("admin:timeline_source_cite", args=[uncited.pk])
    assert [i.url for i in concerns["Articles with no citation yet"]] == [cite_url]
    changes = concerns["Changed since the last reload"]
    assert reverse("admin:timeline_event_history", args=[edited.pk]) in {i.url for i in changes}
    assert any(i.label == "Added source “A test court filing”" and "by curator" in i.note for i in changes)
    assert all("reload_timeline" not in i.note for i in changes)
    assert [(i.url, i.note) for i in concerns["Statements without a citation"]] == [
        (event_url(disputed), "cites nothing")
    ]
    assert f"#{bare.position}: “{bare.text}”" in concerns["Statements without a citation"][0].label
    html = response.content.decode()
    for url in (event_url(confirmed), ambiguous_url, cite_url):
        assert f'href="{url}"' in html
    assert "Curator’s desk" in curator_client.get("/admin/").content.decode()


def test_the_desk_is_for_signed_in_curators(client):
    assert client.get(reverse("curators_desk")).status_code == 302


@pytest.mark.slow
def test_the_desk_costs_the_same_queries_at_any_size(curator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from timeline.dataset.synthetic import generate

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert curator_client.get(reverse("curators_desk")).status_code == 200
        return len(captured)

    before = queries()
    generate(200)
    # one query per statement model for the uncited ones, 7 for the support rule's names and statements, and
    # two per history (the last reload, the changes since), the synonyms' included
    assert queries() == before <= 46, before


def test_the_desk_lists_statements_that_rest_on_nothing(curator_client):
    """No citation and not context or outside knowledge with a note: listed, with a link to the owner's page."""
    event = Event.objects.filter(citations__isnull=False).first()
    actor = Actor.objects.first()
    era = Era.objects.first()
    bare = EventStatement.objects.create(event=event, position=90, text="Nothing supports this.")
    unexplained = ActorStatement.objects.create(actor=actor, position=90, text="Said without a why.", basis="context")
    EraStatement.objects.create(
        era=era, position=90, text="Known from outside.", basis="external", note="A court record."
    )
    cited = EventStatement.objects.create(event=event, position=91, text="Supported.")
    cited.citations.add(event.citations.first())

    response = curator_client.get(reverse("curators_desk"))
    listed = dict(response.context["concerns"])["Statements without a citation"]
    assert [(i.url, i.note) for i in listed] == [
        (reverse("admin:timeline_event_change", args=[event.pk]), "cites nothing"),
        (reverse("admin:timeline_actor_change", args=[actor.pk]), "marked editorial context without a note saying why"),
    ]
    assert f"#{bare.position}: “{bare.text}”" in listed[0].label
    assert unexplained.text in listed[1].label


@pytest.mark.slow
def test_the_desk_works_after_a_change_to_every_kind_of_record(curator_client, admin_client):
    """Statements have no admin of their own: their changes link to the owner's page (it was a 500). A deleted
    event takes its citations, participations and statements with it: their old versions name it by id."""
    for model in MODELS:
        record = model.objects.first()
        record._change_reason = "desk test"
        record.save()
    EventStatement.objects.first().delete()
    gone = Event.objects.filter(statements__isnull=False, participations__isnull=False).last()
    parts = [gone.citations.count(), gone.participations.count(), gone.statements.count()]
    gone.delete()
    response = curator_client.get(reverse("curators_desk"))
    assert response.status_code == 200
    changes = dict(response.context["concerns"])["Changed since the last reload"]
    assert len(changes) == len(MODELS) + 1 + 1 + sum(parts)
    for item in changes:
        assert curator_client.get(item.url, follow=True).status_code == 200, item
