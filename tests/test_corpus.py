"""The curated corpus: verbatim, complete on the key moments, and honest about certainty and dates."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings

from timeline.corpus.checks import corpus_problems
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


def test_the_pardon_report_is_reported_and_disputed_not_denied():
    report = Event.objects.get(slug="wsj-reports-cz-seeking-pardon")
    assert report.certainty == "reported"
    assert report.is_disputed  # he rejected the report and wrote it "got the facts wrong": a dispute, not a denial
    stances = dict(report.citations.values_list("quote", "stance"))
    assert stances["Sorry to disappoint. The WSJ article got the facts wrong."] == "disputes"
    assert any("publicly rejected" in q and s == "disputes" for q, s in stances.items())
    assert any("Binance US with anyone" in q and s == "context" for q, s in stances.items())  # he denied only that
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


# Round three (issue 29): who says what, and how firmly. ---------------------------------

QUOTED = re.compile(r"“([^”]*)”")


def test_a_phrase_in_quotation_marks_is_an_articles_words_never_a_cleaned_up_reading():
    """Garbled text is quoted as written ("final December"), never cleaned up inside quotation marks."""
    articles = [s.text.casefold() for s in Source.objects.all()]
    articles += [s.title.casefold() for s in Source.objects.all()]  # an article named by its title
    texts = [(e.slug, e.date_note) for e in Event.objects.all()]
    for model in (EventStatement, ActorStatement, EraStatement):
        texts += [(str(s), s.text) for s in model.objects.filter(basis="cited")]
    texts += [(s.slug, s.published_note) for s in Source.objects.all()]
    wrong = [(w, q) for w, t in texts for q in QUOTED.findall(t) if not any(q.casefold() in a for a in articles)]
    assert wrong == []


def test_a_claim_resting_on_the_machine_reworded_article_alone_is_at_most_reported():
    reworded = Source.objects.get(quality="machine_reworded")
    alone = Event.objects.exclude(citations__source__in=Source.objects.exclude(pk=reworded.pk))
    assert alone.exists()
    assert set(alone.values_list("certainty", flat=True)) <= {"reported", "alleged", "denied"}
    assert "at most reported" in reworded.quality_note


def test_the_13_march_report_rests_on_the_articles_that_report_it_not_on_the_reworded_copy():
    for slug in ("wsj-reports-binance-us-stake-talks", "wsj-reports-cz-seeking-pardon"):
        first = EventStatement.objects.get(event__slug=slug, position=1)
        assert first.text.startswith("On 13 March 2025 the Wall Street Journal")
        assert not first.citations.filter(source__quality="machine_reworded").exists()


def test_the_eras_begin_in_their_order_and_say_only_what_their_events_do():
    first_seen = []
    for event in Event.objects.chronological().select_related("era"):
        if event.era.slug not in first_seen:
            first_seen.append(event.era.slug)
    assert first_seen == list(Era.objects.order_by("position").values_list("slug", flat=True))
    tron = Citation.objects.get(quote__startswith="Over half of final 12 months")
    assert (tron.event.slug, tron.stance) == ("justin-sun-invests-75-million", "context")  # background, not an event
    assert "courts" not in Era.objects.get(slug="rapprochement").description


def test_dates_are_no_more_precise_than_their_sources():
    fine = Event.objects.get(slug="cz-pays-50-million-fine")
    assert "pays" not in fine.title and "agrees" in fine.title and "not stated" in fine.date_note
    withdrawn = Event.objects.get(slug="administration-withdraws-crypto-cases")
    assert withdrawn.date_basis == "external"
    assert "20 January 2025" in withdrawn.date_note and "23 October 2025" in withdrawn.date_note
    served = Event.objects.get(slug="cz-serves-prison-term")
    assert "say only that he served" not in served.date_note and "four-month sentence" in served.date_note


def test_attributed_claims_keep_their_attribution():
    texts = " ".join(s.text for model in (EventStatement, ActorStatement, EraStatement) for s in model.objects.all())
    for stated_as_fact in ("called the article an attack", "has courted", "the pardon corrected", "Binance insiders"):
        assert stated_as_fact not in texts
    assert (
        "Feels like the article is motivated"
        in EventStatement.objects.get(event__slug="cz-denies-wsj-report", position=3).text
    )
    assert "according to people aware of the meeting" in Actor.objects.get(slug="eleanor-hughes").description
    assert (
        "According to the Wall Street Journal, citing people familiar" in Actor.objects.get(slug="binance").description
    )
    assert "its new dollar-pegged" not in texts  # USD1 is World Liberty's, not Binance's


def test_people_companies_and_the_doj_take_part_only_where_a_quote_names_them():
    from timeline.corpus.checks import database_vocabulary

    vocabulary = database_vocabulary()
    for part in Participation.objects.select_related("actor", "event"):
        if part.actor.kind in ("person", "company") or part.actor.slug == "doj":
            named = {key for c in part.event.citations.all() for key, _ in vocabulary.names_in(c.quote, exact=False)}
            assert part.actor.slug in named, (part.event.slug, part.actor.slug)


def test_what_no_quote_carries_is_marked():
    inauguration = EventStatement.objects.get(event__slug="trump-second-inauguration", position=2)
    assert inauguration.basis == "context" and inauguration.note
    coinbase = ActorStatement.objects.get(actor__slug="coinbase", position=1)
    assert coinbase.basis == "external" and "crypto exchange" in coinbase.text and coinbase.note


def test_every_citation_is_used_by_a_statement():
    used = set()
    for model in (EventStatement, ActorStatement, EraStatement):
        used |= set(model.citations.through.objects.values_list("citation_id", flat=True))
    assert list(Citation.objects.exclude(pk__in=used).values_list("event__slug", "quote")) == []
    spokesperson = Citation.objects.get(quote__startswith="The spokesperson for World Liberty")
    assert spokesperson.stance == "context"


def test_the_two_missing_events_are_there():
    investigation = Event.objects.get(slug="doj-investigates-binance")
    quote = (
        "The Department of Justice (DOJ) and other regulatory bodies pursued investigations that revealed alleged "
        "systemic weaknesses in Binance’s operational framework."
    )
    citation = investigation.citations.get(quote=quote)
    assert citation.source.text[citation.start : citation.end] == quote
    assert {"doj", "binance"} <= actors(investigation.slug) and investigation.era.slug == "prosecution"
    monitor = Event.objects.get(slug="binance-placed-under-monitor")
    assert "court-appointed monitor" in quotes(monitor.slug) and monitor.certainty == "reported"
    assert {"binance", "treasury", "doj"} <= actors(monitor.slug) and monitor.era.slug == "prosecution"
    assert monitor.date_basis == "external" and "outside the articles" in monitor.date_note


def test_the_speculative_campaign_is_unique_only_in_its_lobbying_firms():
    unique = EventStatement.objects.get(event__slug="speculative-lobbying-campaign", position=3).text
    assert "no other article mentions such a campaign" not in unique and "lobbying firms" in unique


def test_no_event_is_confirmed_on_the_speculative_or_reworded_article_alone():
    """The speculative article's claims are never confirmed facts, and the machine-reworded one is at most
    reported: a confirmed event has a supporting quote from a standard article."""
    confirmed = Event.objects.filter(certainty="confirmed").prefetch_related("citations__source")
    resting_elsewhere = [
        event.slug
        for event in confirmed
        if not any(c.stance == "supports" and c.source.quality == "standard" for c in event.citations.all())
    ]
    assert resting_elsewhere == []
