"""The support rule: a cited statement says no figure, date or name that its quotes do not carry."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.test_reload import snapshot
from timeline.corpus.checks import corpus_problems, unsupported_statements
from timeline.corpus.support import Vocabulary, unsupported
from timeline.curation.desk import unsupported_figures_and_names
from timeline.models import ActorStatement, Citation, EventStatement

VOCABULARY = Vocabulary(
    [
        ("justin-sun", "Justin Sun"),
        ("justin-sun", "Justin Solar"),
        ("justin-sun", "Solar"),
        ("changpeng-zhao", "Changpeng Zhao"),
        ("changpeng-zhao", "CZ"),
        ("changpeng-zhao", "Zhao"),
        ("donald-trump", "Trump"),
        ("eric-trump", "Eric Trump"),
        ("trump-family", "Trump household"),
        ("sec", "SEC"),
        ("outlet:Tech Today", "Tech Today"),
    ]
)


def missing(text, *quotes, articles=()):
    return unsupported(text, list(quotes), VOCABULARY, list(articles))


@pytest.mark.parametrize(
    "said, quote",
    [
        ("Binance paid $4.3 billion.", "Binance settled for $4.3 billion."),
        ("Binance paid $4.3 billion.", "it paid 4.3 billion dollars"),
        ("Binance paid $4.3 billion.", "a $4,300 million penalty"),
        ("He served four months.", "he served a four-month sentence"),
        ("He served 4 months.", "served four months in prison"),
        ("over 1.5 million trades", "allowing over 1,500,000 trades"),
        ("a 12% share", "a 12 percent share"),
        ("On 13 March 2025 the report", "The March 13 report, 2025"),
        ("On 13 March 2025 the report", " date 2025-03-13 Representatives"),
        ("in November 2023", "In November 2023, CZ pleaded"),
    ],
)
def test_figures_and_dates_in_any_usual_spelling(said, quote):
    assert missing(said, quote) == []


@pytest.mark.parametrize(
    "said, quote, word",
    [
        ("Binance paid $5.3 billion.", "Binance settled for $4.3 billion.", "$5.3 billion"),
        ("He served five months.", "he served a four-month sentence", "five months"),
        ("He served four years.", "he served a four-month sentence", "four years"),
        ("It paid $50 million.", "over 50 million users", "$50 million"),
        ("accessible for millions", "accessible for hundreds of thousands across the globe", "millions"),
        ("On 14 March 2025 the report", "The March 13 report, 2025", "14 March 2025"),
        ("in December 2023", "In November 2023, CZ pleaded", "December 2023"),
        ("in 2024", "In November 2023, CZ pleaded", "2024"),
    ],
)
def test_a_figure_or_date_no_quote_carries_is_named(said, quote, word):
    assert missing(said, quote) == [word]


def test_names_are_carried_through_aliases_including_garbled_ones():
    assert missing("Justin Sun invested.", "Solar, who’s dealing with SEC scrutiny, invested") == []
    assert missing("Zhao pleaded guilty.", "CZ pleaded to violating US anti-money laundering laws") == []
    assert missing("The Trump household gains.", "the Trump Household relationship") == []  # case as garbled
    assert missing("Justin Sun faces SEC scrutiny.", "Solar invested $75 million") == ["SEC"]


def test_the_longest_name_wins():
    assert missing("Eric Trump promoted it.", "Trump used the chance") == ["Eric Trump"]
    assert missing("Trump promoted it.", "Eric Trump used the chance") == ["Trump"]


def test_names_are_the_declared_vocabulary_not_capital_letters():
    said = "Former federal prosecutors said Sources familiar with Binance were Right; may it be so."
    assert missing(said, "nothing of the kind") == []
    assert missing("zhao and the sec", "nothing") == []  # a name is written with its capitals in a statement


def test_a_statement_may_name_the_article_it_cites_by_outlet_or_date():
    assert missing("Tech Today says he agreed.", "he agreed", articles=["Tech Today"]) == []
    assert missing("The 13 March 2025 article says so.", "it says so", articles=["2025-03-13"]) == []
    assert missing("Tech Today says he agreed.", "he agreed") == ["Tech Today"]


# The corpus, the reload, the system check and the desk ------------------------------------


def reload(fixture_dir):
    call_command("reload_timeline", "--fixtures", str(fixture_dir), stdout=StringIO())


def edit_statement(fixture_dir, kind, owner, position, **fields):
    path = fixture_dir / "statements.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    record = next(
        r
        for r in records
        if r["model"] == f"timeline.{kind}statement"
        and r["fields"][kind] == [owner]
        and r["fields"]["position"] == position
    )
    record["fields"].update(fields)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def refused(fixture_dir, pattern):
    before = snapshot()
    texts = sorted(EventStatement.objects.values_list("text", flat=True))
    with pytest.raises(CommandError) as excinfo:
        reload(fixture_dir)
    assert "the database is unchanged" in str(excinfo.value)
    assert re.search(pattern, str(excinfo.value)), str(excinfo.value)
    assert snapshot() == before and sorted(EventStatement.objects.values_list("text", flat=True)) == texts


@pytest.mark.usefixtures("corpus")
def test_the_whole_corpus_passes_the_rule():
    assert unsupported_statements() == []
    assert corpus_problems() == []
    assert unsupported_figures_and_names() == []


@pytest.mark.usefixtures("corpus")
def test_the_reload_refuses_a_garbled_figure_cleaned_up(fixture_dir):
    """Defect 2: the statement said “millions”, which no article says."""
    text = (
        "A World Liberty spokesperson said USD1 aims to be “accessible for hundreds of thousands across the globe” "
        "(a garbled “millions”) and called Binance an integral player in crypto’s global market."
    )
    edit_statement(fixture_dir, "event", "binance-world-liberty-usd1-talks", 5, text=text)
    refused(
        fixture_dir,
        r"fixtures/statements.json, record \d+ \(timeline.eventstatement 'binance-world-liberty-usd1-talks/5'\), "
        r"field 'text': “millions” is in none of the quotes it cites",
    )


@pytest.mark.usefixtures("corpus")
def test_the_reload_refuses_sec_scrutiny_cited_without_its_quote(fixture_dir):
    """Defect 7: Justin Sun “facing SEC scrutiny”, citing only the quote on Tron."""
    edit_statement(
        fixture_dir,
        "actor",
        "justin-sun",
        1,
        citations=[["justin-sun-invests-75-million", "binance-monitor-world-liberty-talks", 3764]],
    )
    refused(
        fixture_dir,
        r"\(timeline.actorstatement 'justin-sun/1'\), field 'text': “SEC” is in none of the quotes it cites",
    )


@pytest.mark.usefixtures("corpus")
def test_the_check_and_the_desk_find_a_statement_that_lost_its_quote():
    statement = ActorStatement.objects.get(actor__slug="justin-sun", position=1)
    statement.citations.remove(Citation.objects.get(event__slug="justin-sun-invests-75-million", start=4025))
    assert "Statement 1 of actor 'justin-sun': “SEC” is in none of the quotes it cites" in " ".join(corpus_problems())
    call_command("check", "--database", "default", stdout=StringIO(), fail_level="CRITICAL")
    (item,) = unsupported_figures_and_names()
    assert "“SEC” in none of its quotes; the uncited quote “Solar, who’s dealing with SEC scrutiny" in item.note
    assert item.url.endswith(f"/admin/timeline/actor/{statement.actor.pk}/change/")


@pytest.mark.usefixtures("corpus")
def test_the_admin_refuses_a_figure_its_quotes_do_not_carry(admin_client):
    from tests.test_statements import current_statements, era_form
    from timeline.models import Era

    era = Era.objects.get(slug="prosecution")
    statements = current_statements(era)
    statements[1]["text"] = statements[1]["text"].replace("$50 million", "$60 million")
    response = admin_client.post(f"/admin/timeline/era/{era.pk}/change/", era_form(admin_client, era, statements))
    assert response.status_code == 200
    assert "“$60 million” is in none of the quotes it cites" in response.content.decode()
    assert "$50 million" in Era.objects.get(slug="prosecution").description
