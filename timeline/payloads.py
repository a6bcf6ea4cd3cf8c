"""The read-only JSON contract: plain dicts for events, actors and sources."""


def iso(value):
    return value.isoformat() if value else None


def event_payload(event):
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "date": iso(event.date),
        "date_precision": event.date_precision,
        "end_date": iso(event.end_date),
        "date_basis": event.date_basis,
        "date_note": event.date_note,
        "certainty": event.certainty,
        "importance": event.importance,
        "categories": [c.slug for c in event.categories.all()],
        "era": event.era.slug,
        "actors": [{"slug": p.actor.slug, "name": p.actor.name, "role": p.role} for p in event.participations.all()],
        "citations": [
            {
                "source": c.source.slug,
                "source_file": c.source.seed_file,
                "quote": c.quote,
                "stance": c.stance,
                "start": c.start,
                "end": c.end,
            }
            for c in event.citations.all()
        ],
        "statements": statement_payloads(event),
    }


def statement_payloads(event):
    """The summary's statements; `citations` are indexes into the event's `citations` list."""
    index = {c.pk: n for n, c in enumerate(event.citations.all())}
    return [
        {
            "text": s.text,
            "citations": sorted(index[pk] for pk in s.cited_pks() if pk in index),
            "basis": s.basis,
            "note": s.note,
        }
        for s in event.statements.all()
    ]


def actor_payload(actor):
    return {
        "slug": actor.slug,
        "name": actor.name,
        "kind": actor.kind,
        "aliases": [alias.name for alias in actor.aliases.all()],
        "description": actor.description,
    }


def source_payload(source):
    return {
        "slug": source.slug,
        "title": source.title,
        "outlet": source.outlet,
        "published": iso(source.published),
        "published_precision": source.published_precision,
        "seed_file": source.seed_file,
        "quality_note": source.quality_note,
    }
