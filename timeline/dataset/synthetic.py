"""Synthetic events for benchmarks and scale tests, clearly marked and never mixed into fixtures.

Every synthetic event has a slug starting "synthetic-", a title starting "[Synthetic]",
the category "synthetic", about five actors and two citations. Its citations quote real
sentences of the seed articles at their true offsets, so the corpus checks still hold.
"""

import datetime
import random
import re

from django.db import connection, transaction

from timeline.corpus.dates import DatePrecision
from timeline.listing import rendering, search
from timeline.models import Actor, Category, Citation, Era, Event, Participation, Source

PREFIX = "synthetic-"
SYNTHETIC_ACTORS = 200
START, END = datetime.date(2015, 1, 1), datetime.date(2025, 12, 31)


def sentences(text):
    """(start, end, sentence) for each sentence-like run of the text."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^.\n]{40,300}[.]", text)]


def synthetic_actors():
    existing = set(Actor.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    Actor.objects.bulk_create(
        Actor(
            slug=f"{PREFIX}actor-{n:03d}",
            name=f"[Synthetic] Actor {n:03d}",
            kind=Actor.Kind.GROUP,
            description="Synthetic benchmark actor; not part of the corpus.",
        )
        for n in range(SYNTHETIC_ACTORS)
        if f"{PREFIX}actor-{n:03d}" not in existing
    )
    return list(Actor.objects.all())


@transaction.atomic
def generate(count, seed=0, batch_size=2000):
    """Add synthetic events until there are `count` of them; returns how many were added."""
    have = Event.objects.filter(slug__startswith=PREFIX).count()
    if have >= count:
        return 0
    eras = list(Era.objects.order_by("position"))
    sources = list(Source.objects.all())
    if not eras or not sources:
        raise ValueError("Load the corpus first (reload_timeline): synthetic events use its eras and sources.")
    rng = random.Random(seed + have)
    actors = synthetic_actors()
    category, _ = Category.objects.get_or_create(slug="synthetic", defaults={"name": "Synthetic (benchmark)"})
    categories = [category, *Category.objects.exclude(pk=category.pk)]
    passages = [(source, *passage) for source in sources for passage in sentences(source.text)]
    certainties = [c for c, _ in Event.Certainty.choices]
    days = (END - START).days
    added = 0
    for offset in range(have, count, batch_size):
        numbers = range(offset, min(offset + batch_size, count))
        events, chosen = [], []
        for n in numbers:
            precision = rng.choices([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR], [7, 2, 1])[0]
            day = START + datetime.timedelta(days=rng.randrange(days))
            if precision == DatePrecision.MONTH:
                day = day.replace(day=1)
            elif precision == DatePrecision.YEAR:
                day = day.replace(month=1, day=1)
            event_actors = rng.sample(actors, 5)
            event_passages = rng.sample(passages, 2)
            event = Event(
                slug=f"{PREFIX}{n + 1:06d}",
                title=f"[Synthetic] Benchmark event {n + 1}",
                summary="Synthetic event generated for benchmarks; not part of the corpus.",
                date=day,
                date_precision=precision,
                date_basis=Event.DateBasis.EXTERNAL,
                date_note="Synthetic benchmark date, not from any article.",
                certainty=rng.choice(certainties),
                importance=rng.choice([1, 2, 3]),
                era=rng.choice(eras),
            )
            event.fill_derived()
            event.search_text = "\n".join(
                [event.title, event.summary, *(p[3] for p in event_passages), *(a.name for a in event_actors)]
            )
            events.append(event)
            chosen.append((event_actors, event_passages))
        Event.objects.bulk_create(events, batch_size=batch_size)
        if any(e.pk is None for e in events):  # backends that cannot return ids
            ids = dict(Event.objects.filter(slug__in=[e.slug for e in events]).values_list("slug", "id"))
            for event in events:
                event.pk = ids[event.slug]
        Participation.objects.bulk_create(
            [
                Participation(event=e, actor=a, role="synthetic")
                for e, (acts, _) in zip(events, chosen, strict=True)
                for a in acts
            ],
            batch_size=5000,
        )
        Citation.objects.bulk_create(
            [
                Citation(event=e, source=src, quote=quote, start=start, end=end, stance=Citation.Stance.SUPPORTS)
                for e, (_, passages_) in zip(events, chosen, strict=True)
                for src, start, end, quote in passages_
            ],
            batch_size=5000,
        )
        through = Event.categories.through
        through.objects.bulk_create(
            [through(event_id=e.pk, category_id=c.pk) for e in events for c in {category, rng.choice(categories)}],
            batch_size=5000,
        )
        search.index(Event, events)
        rendering.store(event.pk for event in events)
        added += len(events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, or the planner plans for the empty tables
    return added
