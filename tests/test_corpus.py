"""The curated corpus: verbatim, complete on the key moments, and honest about certainty and dates."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings

from timeline.checks import corpus_problems
from timeline.models import (
    Actor,
    ActorStatement,
    Alias,
    Citation,
    Era,
    EraStatement,
    Event,
    EventStatement,
    Participation,
    Source,
)

pytestmark = pytest.mark.usefixtures("corpus")

SEED_SHA256 = {
    "000_f1cb600b499e6748.txt": "e0c41c3d5c5b564c4120f273074c4ca97c826e6f2f3c511115a30441f4139848",
    "001_f92a6fcb98b83300.txt": "37b3e8c5987680662717f46ff6a2905673f3149f6b6103c8494da9e250436264",
    "002_1c820eb4196e347a.txt": "21c8a9b70895a84004d066f243b7afb2145548df3eb6cc9647572231b78390f4",
    "003_37d728629ec431b0.txt": "95b1e5479f6dfd5748fc9160f91a8f9f92079443302dd7fff613b3062ef6b8ad",
    "004_cc1a0169b6d8b70e.txt": "fd90cbff3815f10f5dce2ee00115b7bae9d42e8d979aec6a6893cfd31f51c534",
}
SHARED_SEEDS = settings.BASE_DIR.parent / "shared" / "seeds"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(SEED_SHA256))
def test_seeds_are_byte_for_byte_the_shared_articles(name):
    ours = settings.SEEDS_DIR / name
    assert sha256(ours) == SEED_SHA256[name]
    if SHARED_SEEDS.is_dir():
        assert ours.read_bytes() == (SHARED_SEEDS / name).read_bytes()


def test_every_quote_is_verbatim_at_its_offsets_and_every_event_cited():
    assert corpus_problems() == []
    for citation in Citation.objects.select_related("source"):
        text = (settings.SEEDS_DIR / citation.source.seed_file).read_text(encoding="utf-8")
        assert text[citation.start : citation.end] == citation.quote


def test_corpus_size():
    assert 25 <= Event.objects.count() <= 45
    assert Actor.objects.count() >= 30
    assert Source.objects.count() == 5


def quotes(slug):
    return " ".join(Citation.objects.filter(event__slug=slug).values_list("quote", flat=True))


def actors(slug):
    return set(Event.objects.get(slug=slug).actors.values_list("slug", flat=True))


def test_the_plea():
    plea = Event.objects.get(slug="cz-pleads-guilty")
    assert (plea.date, plea.date_precision, plea.date_basis) == (datetime.date(2023, 11, 21), "day", "external")
    assert "outside the articles" in plea.date_note and "November 2023" in plea.date_note
    assert "Bank Secrecy Act" in quotes("cz-pleads-guilty")
    assert "changpeng-zhao" in actors("cz-pleads-guilty")


def test_figures_are_attached_to_the_right_party():
    settlement = quotes("binance-settles-for-4-3-billion")
    assert "$4.3 billion" in settlement
    assert "binance" in actors("binance-settles-for-4-3-billion")
    assert "$50 million fine" in quotes("cz-pays-50-million-fine")
    assert "changpeng-zhao" in actors("cz-pays-50-million-fine")
    assert "four months in prison" in quotes("cz-sentenced-to-four-months")
    assert Event.objects.get(slug="cz-sentenced-to-four-months").certainty == "confirmed"


def test_the_march_2025_wsj_report_and_the_denial():
    report = Event.objects.get(slug="wsj-reports-binance-us-stake-talks")
    assert (report.date, report.date_basis) == (datetime.date(2025, 3, 13), "stated")
    assert report.certainty == "reported"  # Zhao denied talks of his own, not the family's reported talks
    disputes = report.citations.filter(stance="disputes").values_list("quote", flat=True)
    assert any("The WSJ article got the facts wrong." in quote for quote in disputes)
    assert report.is_disputed
    denial = Event.objects.get(slug="cz-denies-wsj-report")
    assert "Sorry to disappoint. The WSJ article got the facts wrong." in quotes("cz-denies-wsj-report")
    assert denial.certainty == "confirmed"


def test_the_abu_dhabi_meeting_resolves_last_december():
    meeting = Event.objects.get(slug="abu-dhabi-whale-only-lounge")
    assert (meeting.date, meeting.date_precision, meeting.date_basis) == (
        datetime.date(2024, 12, 1),
        "month",
        "inferred",
    )
    assert "last December" in meeting.date_note or "final December" in meeting.date_note
    assert {"changpeng-zhao", "eric-trump", "steve-witkoff"} <= actors("abu-dhabi-whale-only-lounge")
    assert "Abu Dhabi" in quotes("abu-dhabi-whale-only-lounge")


def test_the_doj_policy_change():
    change = Event.objects.get(slug="doj-disbands-crypto-unit")
    assert "Ending Regulation by Prosecution" in quotes("doj-disbands-crypto-unit")
    assert change.date_basis == "inferred" and change.date_note


def test_the_pardon_and_reactions():
    pardon = Event.objects.get(slug="trump-pardons-cz")
    assert (pardon.date, pardon.date_basis) == (datetime.date(2025, 10, 23), "external")
    assert "on Thursday" in pardon.date_note
    assert pardon.date.weekday() == 3  # the article's "Thursday"
    assert "“correct overreach”" in quotes("trump-pardons-cz")
    assert "very hostile to the cryptocurrency industry" in quotes("leavitt-explains-pardon")
    assert "karoline-leavitt" in actors("leavitt-explains-pardon")
    assert "crypto persecution" in quotes("trump-defends-pardon")
    for reaction in ["cz-thanks-trump", "mark-bini-calls-case-regulatory"]:
        assert Event.objects.get(slug=reaction).era.slug == "pardon"


def test_the_speculative_article_never_confirms_anything():
    speculative = Source.objects.get(quality="speculative")
    only_002 = Event.objects.exclude(citations__source__in=Source.objects.exclude(pk=speculative.pk))
    assert only_002.exists()
    assert set(only_002.values_list("certainty", flat=True)) == {"speculative"}


def test_garbled_names_are_aliases_never_actors():
    garbled = set(Alias.objects.filter(garbled=True).values_list("name", flat=True))
    assert {"Justin Solar", "Solar", "World Liberty Monetary", "Wall Road Journal"} <= garbled
    assert not Actor.objects.filter(name__in=garbled).exists()
    assert Alias.objects.get(name="Justin Solar").actor.slug == "justin-sun"
    assert Alias.objects.get(name="World Liberty Monetary").actor.slug == "world-liberty-financial"
    reworded = Source.objects.get(quality="machine_reworded").text
    assert all(name in reworded for name in ["Justin Solar", "World Liberty Monetary", "Wall Road Journal"])


def test_every_non_stated_date_says_how_it_was_resolved():
    for event in Event.objects.exclude(date_basis__in=["stated", "undated"]):
        assert len(event.date_note) > 20, event.slug
    for event in Event.objects.filter(date__isnull=True):
        assert event.date_basis == "undated"


def test_sources_record_only_what_the_text_supports():
    by_file = {s.seed_file[:3]: s for s in Source.objects.all()}
    assert by_file["000"].published is None and by_file["002"].published is None
    assert (by_file["004"].published, by_file["004"].published_precision) == (datetime.date(2025, 3, 13), "day")
    assert by_file["002"].outlet == "Tech Today"
    assert by_file["003"].outlet == ""
    assert by_file["003"].quality == "machine_reworded" and by_file["002"].quality == "speculative"


# The claim-by-claim pass: each defect found is pinned here. ---------------------------

FILE_NUMBER = re.compile(r"\b00[0-4]\b")


def test_no_reader_visible_text_names_an_article_by_file_number():
    texts = []
    for event in Event.objects.all():
        texts += [event.title, event.summary, event.date_note]
    texts += [s.note for model in (EventStatement, ActorStatement, EraStatement) for s in model.objects.all()]
    texts += [a.description for a in Actor.objects.all()] + [e.description for e in Era.objects.all()]
    texts += list(Participation.objects.values_list("role", flat=True))
    for source in Source.objects.all():
        texts += [source.title, source.published_note, source.quality_note]
    assert [t for t in texts if FILE_NUMBER.search(t)] == []


def test_the_pardon_report_is_reported_not_denied():
    report = Event.objects.get(slug="wsj-reports-cz-seeking-pardon")
    assert report.certainty == "reported"
    assert not report.is_disputed  # his quoted words deny Binance.US talks, not seeking a pardon
    assert Participation.objects.get(event=report, actor__slug="changpeng-zhao").role != "denied"
    assert "No felon would complain about a pardon" in quotes("wsj-reports-cz-seeking-pardon")
    assert "Zhao’s request" in quotes("wsj-reports-cz-seeking-pardon")


def test_titles_claim_only_what_their_quotes_say():
    barred = Event.objects.get(slug="cz-barred-from-running-binance")
    assert "for life" not in barred.title
    defends = Event.objects.get(slug="trump-defends-pardon")
    assert "crypto persecution" not in defends.title and "ending" not in defends.title.lower()
    assert "represented “persecution” rather than legitimate prosecution" in quotes("trump-defends-pardon")
    assert "crypto persecution" not in Actor.objects.get(slug="donald-trump").description
    denial = Event.objects.get(slug="cz-denies-wsj-report")
    assert "on X" in denial.title and "Soon after WSJ’s expose, CZ took to social media platform X" in quotes(
        "cz-denies-wsj-report"
    )


def test_the_bar_is_not_placed_inside_the_plea_deal():
    plea = Event.objects.get(slug="cz-pleads-guilty")
    assert "barred" not in plea.summary
    assert "plea deal" not in Era.objects.get(slug="prosecution").description.split(";")[1]


def test_events_described_as_under_way_in_2025_are_dated_2025():
    for slug in (
        "binance-world-liberty-usd1-talks",
        "binance-aml-controls-weakening-claim",
        "binance-asks-treasury-to-end-monitor",
    ):
        event = Event.objects.get(slug=slug)
        assert (event.date, event.date_precision, event.date_basis) == (datetime.date(2025, 1, 1), "year", "inferred")
        assert "written in 2025" in event.date_note
    for event in Event.objects.filter(date__isnull=True):
        assert event.date_note, event.slug


def test_what_was_missing_is_there():
    launch = Event.objects.get(slug="usd1-launched-by-world-liberty")
    assert "launched by World Liberty Monetary" in quotes(launch.slug)
    assert {"world-liberty-financial", "usd1"} <= actors(launch.slug)
    assert "tether" in actors("binance-world-liberty-usd1-talks")
    assert "world-liberty-token" in actors("justin-sun-invests-75-million")
    assert "binance" in actors("cz-pleads-guilty")
    assert "biden-administration" in actors("trump-pardons-cz") and "biden-administration" in actors(
        "trump-defends-pardon"
    )
    aliases = set(Alias.objects.values_list("name", flat=True))
    assert {"allies of Trump", "Trump relatives", "Trump associates", "previous government"} <= aliases
    texts = {s.text for s in Source.objects.all()}
    assert all(any(alias in text for text in texts) for alias in aliases - {"Justin Sun"})


def test_descriptions_keep_what_the_articles_hedge_and_do_not_date_the_pardon():
    assert "not been confirmed" in Actor.objects.get(slug="steve-witkoff").description
    for text in [a.description for a in Actor.objects.all()] + [e.description for e in Era.objects.all()]:
        assert "October 2025" not in text
