"""The read-only JSON contract, declared once: each field's name, its OpenAPI schema and how it is read.

The payload functions and the OpenAPI description (api.py) are both built from these
declarations, so the two cannot drift apart.
"""

from dataclasses import dataclass
from typing import Any

from timeline.corpus.dates import DatePrecision
from timeline.listing.dimensions import ON_EVENT
from timeline.models import Actor, Citation, Event, Statement

STRING = {"type": "string"}
NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
INTEGER = {"type": "integer", "minimum": 0}


def enum(choices):
    return {"type": "string", "enum": [value for value, _ in choices]}


def array(items):
    return {"type": "array", "items": items}


def iso(value):
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Field:
    name: str
    schema: dict
    read: Any

    @classmethod
    def attribute(cls, name, schema):
        return cls(name, schema, lambda obj: getattr(obj, name))


def object_schema(fields):
    return {
        "type": "object",
        "required": [f.name for f in fields],
        "properties": {f.name: f.schema for f in fields},
    }


def payload(fields, obj):
    return {f.name: f.read(obj) for f in fields}


def term_field(dimension):
    """A dimension held on the event (registry): its choice value, its term's slug, or its terms' slugs."""
    field = dimension.event_field
    if not dimension.vocabulary:
        return Field.attribute(field.name, enum(field.choices))
    if field.many_to_many:
        return Field(field.name, array(STRING), lambda e: [term.slug for term in dimension.terms_of(e)])
    schema = {**STRING, "nullable": True} if field.null else STRING
    return Field(field.name, schema, lambda e: next((term.slug for term in dimension.terms_of(e)), None))


PARTICIPATION_FIELDS = [
    Field("slug", STRING, lambda p: p.actor.slug),
    Field("name", STRING, lambda p: p.actor.name),
    Field.attribute("role", STRING),
]
CITATION_FIELDS = [
    Field("source", STRING, lambda c: c.source.slug),
    Field("source_file", STRING, lambda c: c.source.seed_file),
    Field.attribute("quote", STRING),
    Field.attribute("stance", enum(Citation.Stance.choices)),
    Field.attribute("start", INTEGER),
    Field.attribute("end", INTEGER),
]
STATEMENT_FIELDS = [  # each read from (statement, {citation id: its index in the event's citations})
    Field("text", STRING, lambda pair: pair[0].text),
    Field(
        "citations",
        array(INTEGER),
        lambda pair: sorted(pair[1][pk] for pk in pair[0].cited_pks() if pk in pair[1]),
    ),
    Field("basis", enum(Statement.Basis.choices), lambda pair: pair[0].basis),
    Field("note", STRING, lambda pair: pair[0].note),
]


def statement_payloads(event):
    """The summary's statements; `citations` are indexes into the event's `citations` list."""
    index = {c.pk: n for n, c in enumerate(event.citations.all())}
    return [payload(STATEMENT_FIELDS, (statement, index)) for statement in event.statements.all()]


EVENT_FIELDS = [
    Field.attribute("slug", STRING),
    Field.attribute("title", STRING),
    Field.attribute("summary", STRING),
    Field("date", NULLABLE_DATE, lambda e: iso(e.date)),
    Field.attribute("date_precision", enum(DatePrecision.choices)),
    Field("end_date", NULLABLE_DATE, lambda e: iso(e.end_date)),
    Field.attribute("date_basis", enum(Event.DateBasis.choices)),
    Field.attribute("date_note", STRING),
    Field.attribute("importance", {"type": "integer", "minimum": 1, "maximum": 3}),
    *(term_field(dimension) for dimension in ON_EVENT),
    Field(
        "actors",
        array(object_schema(PARTICIPATION_FIELDS)),
        lambda e: [payload(PARTICIPATION_FIELDS, p) for p in e.participations.all()],
    ),
    Field(
        "citations",
        array(object_schema(CITATION_FIELDS)),
        lambda e: [payload(CITATION_FIELDS, c) for c in e.citations.all()],
    ),
    Field(
        "statements",
        {
            **array(object_schema(STATEMENT_FIELDS)),
            "description": "The summary, sentence by sentence; `citations` are indexes into this event's "
            "`citations`. A statement with no citation is marked `context` or `external` and says why in `note`.",
        },
        statement_payloads,
    ),
]
ACTOR_FIELDS = [
    Field.attribute("slug", STRING),
    Field.attribute("name", STRING),
    Field.attribute("kind", enum(Actor.Kind.choices)),
    Field("aliases", array(STRING), lambda a: [alias.name for alias in a.aliases.all()]),
    Field.attribute("description", STRING),
]
SOURCE_FIELDS = [
    Field.attribute("slug", STRING),
    Field.attribute("title", STRING),
    Field.attribute("outlet", STRING),
    Field("published", NULLABLE_DATE, lambda s: iso(s.published)),
    Field.attribute("published_precision", enum(DatePrecision.choices)),
    Field.attribute("seed_file", STRING),
    Field.attribute("quality_note", STRING),
]


def event_payload(event):
    return payload(EVENT_FIELDS, event)


def actor_payload(actor):
    return payload(ACTOR_FIELDS, actor)


def source_payload(source):
    return payload(SOURCE_FIELDS, source)
