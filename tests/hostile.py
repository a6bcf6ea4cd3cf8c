"""Records whose every text field is hostile, for the escaping tests of each output format."""

import datetime

from timeline.models import Actor, Alias, Citation, Era, Event, Participation, Source

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
