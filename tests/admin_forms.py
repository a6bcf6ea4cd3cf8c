"""Form data the admin's change forms expect, for tests that post them."""

from timeline.fixtures import digest, serialize


def citation_form(citation, **changes):
    data = {
        "event": citation.event_id,
        "source": citation.source_id,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "stance": citation.stance,
        "loaded_digest": digest(serialize(citation)),
    }
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}
