"""One set of text rules (timeline/corpus/text.py) on every way text comes in (issue 26, finding 6).

U+FFFF in a title made /feed/ not well-formed XML for every subscriber. The admin, the
fixtures and the articles in seeds/ now refuse noncharacters like the control characters
they already refused, and the feed still replaces whatever got stored behind their back.
"""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from tests.admin_forms import change_form_data
from tests.test_curating import add_article
from tests.test_integrity import edit, first, refused
from timeline.corpus.articles import check_article
from timeline.corpus.seeds import SeedError, read_seed
from timeline.corpus.text import printable, validate_single_line, validate_text, xml_safe
from timeline.models import Category, Citation, Event, Source

pytestmark = pytest.mark.usefixtures("corpus")


# U+FFFF and U+FFFE, the noncharacter block, the last two code points of an astral plane, a C1 control.
REFUSED = ["\uffff", "\ufffe", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff", "\x85", "\x9f"]
# Their neighbours are ordinary text.
ACCEPTED = ["\ufffd", "\ufdcf", "\ufdf0", "\U0001fffd", "\U00020000", "\xa0", "é"]


@pytest.mark.parametrize("character", REFUSED)
def test_every_validator_refuses_noncharacters_and_c1_controls(character):
    for validate in (validate_text, validate_single_line, check_article):
        with pytest.raises(ValidationError, match=r"U\+[0-9A-F]{4,6}"):
            validate(f"Binance{character}pardon")
    assert character not in printable(f"A{character}B") and character not in xml_safe(f"A{character}B")


@pytest.mark.parametrize("character", ACCEPTED)
def test_their_neighbours_are_still_text(character):
    for validate in (validate_text, validate_single_line, check_article):
        validate(f"Binance{character}pardon")


def test_the_admin_refuses_a_title_with_u_ffff_and_says_why(admin_client):
    event = Event.objects.filter(date__isnull=False).first()
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["title"] = "Pardon\uffff granted"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The text holds a noncharacter (U+FFFF) at character 7" in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == event.title


def test_the_admin_refuses_a_pasted_article_with_a_noncharacter(admin_client):
    response = add_article(admin_client, text="An article \U0010ffff here.")
    assert response.status_code == 200
    assert "noncharacter (U+10FFFF)" in response.content.decode()
    assert not Source.objects.filter(slug="test-court-filing").exists()


@pytest.mark.parametrize("character", ["\uffff", "\ufdd0", "\U0001ffff"])
def test_a_fixture_with_a_noncharacter_is_refused_naming_file_record_and_field(fixture_dir, character):
    edit(fixture_dir, "events.json", lambda rs: first(rs, "timeline.event")["fields"].update(title=f"A{character}B"))
    message = refused(fixture_dir, "fixtures/events.json, record 1", "field 'title': The text holds a noncharacter")
    assert character not in message


def test_an_article_in_seeds_with_u_ffff_is_refused_on_reload(seeds_dir, fixture_dir):
    name = "000_f1cb600b499e6748.txt"
    (seeds_dir / name).write_text((seeds_dir / name).read_text(encoding="utf-8") + "\uffff", encoding="utf-8")
    with pytest.raises(SeedError, match=r"noncharacter \(U\+FFFF\)"):
        read_seed(name)
    records = json.loads((fixture_dir / "sources.json").read_text(encoding="utf-8"))
    record = next(i for i, r in enumerate(records, start=1) if r["fields"]["seed_file"] == name)
    refused(fixture_dir, f"fixtures/sources.json, record {record}", "field 'seed_file'", f"seeds/{name}", "U+FFFF")


def test_the_feed_stays_well_formed_on_stored_noncharacters(client):
    """Stored behind the validators' back (raw SQL, an old row): the feed replaces them, for every subscriber."""
    event = Event.objects.filter(date__isnull=False).order_by("-sort_key").first()
    Event.objects.filter(pk=event.pk).update(title="A\uffffB\ufffe", summary="C\ufdd0D\U0001ffffE\x85")
    Citation.objects.filter(event=event).update(quote="F\U0010fffeG")
    Category.objects.filter(events=event).update(name="H\ufdefI")
    response = client.get("/feed/")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(title.endswith("A\ufffdB\ufffd") for title in titles)
    assert not set(REFUSED) & set(response.content.decode())
