"""Records whose every text field is hostile, for the escaping tests of each output format."""

import datetime

from django.db import connection

from timeline.models import Actor, Alias, Category, Citation, Era, Event, Participation, Source

PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> \"double\" 'single' & amp; "
    "{{ request.user }} {% now 'Y' %} javascript:alert(3) ]]> =1+2"
)
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]


def create_hostile_records():
    """An event, an actor (with an alias) and a quote from an article that all carry PAYLOAD."""
    article = f"An article that quotes {PAYLOAD} in its own words.\n\nA second paragraph."
    source = Source.objects.create(
        slug="hostile-source", title=f"Source {PAYLOAD}", seed_file="hostile.txt", text=article
    )
    event = Event.objects.create(
        slug="hostile",
        title=f"Event {PAYLOAD}",
        summary=f"Summary {PAYLOAD}",
        date=datetime.date(2025, 6, 1),
        date_precision="month",
        date_basis="inferred",
        date_note=f"Note {PAYLOAD}",
        certainty="reported",
        era=Era.objects.get(slug="pardon"),
    )
    actor = Actor.objects.create(
        slug="hostile-actor", name=f"Actor {PAYLOAD}", kind="person", description=f"About {PAYLOAD}"
    )
    Alias.objects.create(actor=actor, name=f"Alias {PAYLOAD}", garbled=True)
    Participation.objects.create(event=event, actor=actor, role=PAYLOAD[:100])  # the column holds 100
    start = article.index(PAYLOAD)
    Citation.objects.create(event=event, source=source, quote=PAYLOAD, start=start, end=start + len(PAYLOAD))
    return event, actor, source


CONTROL = "\x01\x08\x0b\x0c\x1b[2J\x7f"  # and NUL where the database can store it (not PostgreSQL)
BOUNDS = [
    (datetime.date(1900, 1, 1), "year", None),
    (datetime.date(1900, 1, 1), "day", None),
    (datetime.date(2100, 12, 1), "month", None),
    (datetime.date(2100, 12, 31), "day", None),
    (datetime.date(1900, 1, 1), "day", datetime.date(2100, 12, 31)),
]


def create_control_records():
    """Control characters in every stored text field, and dates at both bounds, written as raw SQL would.

    The validators refuse both on every curated path; this is what the public pages must still
    survive if such text got in some other way. (A lone surrogate cannot be stored at all: SQLite
    and PostgreSQL refuse to encode it.)
    """
    control = CONTROL if connection.vendor == "postgresql" else "\x00" + CONTROL
    article = f"An article {control} with control characters.\n"
    source = Source.objects.create(
        slug="control-source",
        title=f"Source {control}",
        outlet=f"Outlet {control}",
        published=datetime.date(2100, 12, 31),
        published_precision="day",
        published_note=f"Note {control}",
        seed_file="control.txt",
        quality_note=f"Quality {control}",
        text=article,
    )
    era = Era.objects.create(slug="control-era", name=f"Era {control}", position=90, description=control)
    category = Category.objects.create(slug="control-category", name=f"Category {control}")
    actor = Actor.objects.create(slug="control-actor", name=f"Actor {control}", kind="person", description=control)
    Alias.objects.create(actor=actor, name=f"Alias {control}")
    events = []
    for index, (date, precision, end) in enumerate(BOUNDS):
        event = Event.objects.create(
            slug=f"control-{index}",
            title=f"Event {control}",
            summary=f"Summary {control}",
            date=date,
            date_precision=precision,
            end_date=end,
            date_basis="inferred",
            date_note=f"Note {control}",
            certainty="reported",
            era=era,
        )
        event.categories.add(category)
        Participation.objects.create(event=event, actor=actor, role=f"Role {control}")
        start = article.index(control)
        Citation.objects.create(event=event, source=source, quote=control, start=start, end=start + len(control))
        events.append(event)
    return events, actor, source
