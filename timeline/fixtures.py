"""Reading, validating, comparing and writing the corpus fixtures.

The fixtures are Django's JSON serialization with natural keys. They hold the whole
corpus, so a reload makes the database match them, except where a curator changed a
record in the admin since the last reload (see ``plan_reload``).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models

from .models import (
    Actor,
    ActorStatement,
    Alias,
    Category,
    Citation,
    Era,
    EraStatement,
    Event,
    EventStatement,
    Participation,
    Source,
    Statement,
)

LAYOUT = {
    "taxonomy.json": (Era, Category),
    "sources.json": (Source,),
    "actors.json": (Actor, Alias),
    "events.json": (Event, Participation),
    "citations.json": (Citation,),
    "statements.json": (EventStatement, ActorStatement, EraStatement),
}
MODELS = [model for models_ in LAYOUT.values() for model in models_]
MAX_FIXTURE_BYTES = 5 * 1024 * 1024


class FixtureError(Exception):
    """One or more problems with the fixtures; nothing has been written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


def label(model):
    return model._meta.label_lower


def fixture_fields(model):
    """The fields a fixture record carries, in model order."""
    exclude = getattr(model, "fixture_exclude", ())
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude]
    many = [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    return concrete + many


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def key_of(model, fields):
    """A record's natural key from its fields, foreign keys flattened."""
    parts = []
    for name in model.natural_key_fields:
        value = fields[name]
        parts.extend(value if isinstance(value, list) else [value])
    return tuple(parts)


def describe(model, key):
    return f"{label(model)} {'/'.join(str(part) for part in key)!r}"


def digest(fields):
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# Reading the database ----------------------------------------------------------


def natural_key_select(model):
    """select_related paths that the natural keys of a model's foreign keys need."""
    paths = []
    for f in fixture_fields(model):
        if f.is_relation and not f.many_to_many:
            paths.append(f.name)
            related = f.related_model
            paths.extend(
                f"{f.name}__{name}" for name in related.natural_key_fields if related._meta.get_field(name).is_relation
            )
    return paths


def serialize(obj):
    fields = {}
    for f in fixture_fields(type(obj)):
        if f.many_to_many:
            fields[f.name] = sorted(list(o.natural_key()) for o in getattr(obj, f.name).all())
        elif f.is_relation:
            related = getattr(obj, f.name)
            fields[f.name] = list(related.natural_key()) if related is not None else None
        else:
            fields[f.name] = json_value(f.value_from_object(obj))
    return fields


def database_records(model):
    """{natural key: fields} for every row of a model, in natural-key order."""
    many = [
        models.Prefetch(f.name, queryset=f.related_model.objects.select_related(*natural_key_select(f.related_model)))
        for f in fixture_fields(model)
        if f.many_to_many
    ]
    rows = model.objects.select_related(*natural_key_select(model)).prefetch_related(*many)
    records = {}
    for obj in rows:
        fields = serialize(obj)
        records[key_of(model, fields)] = fields
    return dict(sorted(records.items(), key=lambda item: sort_key(item[0])))


def sort_key(key):
    return tuple((isinstance(part, int), part if isinstance(part, int) else 0, str(part)) for part in key)


def dump(records_by_model):
    """Fixture file text: Django's JSON format, stable order and indentation."""
    out = []
    for model, records in records_by_model:
        out.extend({"model": label(model), "fields": fields} for fields in records.values())
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def export(directory):
    """Write the database as fixture files; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, models_ in LAYOUT.items():
        path = directory / name
        path.write_text(dump((m, database_records(m)) for m in models_), encoding="utf-8")
        written.append(path)
    return written


# Reading and validating the fixtures --------------------------------------------


JSON_TYPES = {
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.DateField: (str,),
    models.CharField: (str,),
    models.TextField: (str,),
}


def expected_types(f):
    for field_class, types in JSON_TYPES.items():
        if isinstance(f, field_class):
            return types
    raise TypeError(f"No fixture type for {f!r}")


@dataclass
class Record:
    path: str
    index: int
    model: type
    fields: dict

    @property
    def where(self):
        key = self.fields.get("slug") or ""
        return f"{self.path}, record {self.index}" + (f" ({label(self.model)} {key!r})" if key else "")


@dataclass
class Fixtures:
    """Validated fixture records: {model: {natural key: fields}}."""

    records: dict = field(default_factory=dict)
    seed_texts: dict = field(default_factory=dict)


def read_fixtures(directory, seeds_dir):
    directory = Path(directory)
    problems = []
    raw = []
    for name, models_ in LAYOUT.items():
        path = directory / name
        shown = f"{directory.name}/{name}"
        if not path.is_file():
            problems.append(f"{shown}: file is missing.")
            continue
        if path.stat().st_size > MAX_FIXTURE_BYTES:
            problems.append(f"{shown}: file is {path.stat().st_size:,} bytes; the limit is {MAX_FIXTURE_BYTES:,}.")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(f"{shown}: not UTF-8 ({exc.reason} at byte {exc.start}).")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{shown}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.")
            continue
        if not isinstance(data, list):
            problems.append(f"{shown}: expected a JSON list of records, got {type(data).__name__}.")
            continue
        allowed = {label(m): m for m in models_}
        for index, item in enumerate(data, start=1):
            where = f"{shown}, record {index}"
            if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
                problems.append(f"{where}: expected an object with 'model' and 'fields'.")
                continue
            if item.get("model") not in allowed:
                problems.append(
                    f"{where}, field 'model': {item.get('model')!r} does not belong in this file "
                    f"(expected one of {', '.join(sorted(allowed))})."
                )
                continue
            extra = set(item) - {"model", "fields"}
            if extra:
                problems.append(f"{where}: unexpected keys {sorted(extra)} (natural keys are used, not pk).")
                continue
            raw.append(Record(shown, index, allowed[item["model"]], item["fields"]))
    if problems:
        raise FixtureError(problems)

    fixtures = Fixtures(records={m: {} for m in MODELS})
    origins = {}
    for record in raw:
        fields = check_record(record, problems)
        if fields is None:
            continue
        key = key_of(record.model, fields)
        if key in fixtures.records[record.model]:
            problems.append(
                f"{record.where}, field {record.model.natural_key_fields[0]!r}: duplicate "
                f"{describe(record.model, key)}, already defined at {origins[record.model, key].where}."
            )
            continue
        origins[record.model, key] = record
        fixtures.records[record.model][key] = fields
    if problems:
        raise FixtureError(problems)

    check_unique(fixtures, origins, problems)
    check_references(fixtures, origins, problems)
    check_seeds(fixtures, origins, seeds_dir, problems)
    if not problems:
        check_citations(fixtures, origins, problems)
        check_statements(fixtures, origins, problems)
    if problems:
        raise FixtureError(problems)
    for model in MODELS:
        fixtures.records[model] = dict(sorted(fixtures.records[model].items(), key=lambda item: sort_key(item[0])))
    return fixtures


def check_record(record, problems):
    """Type-check and clean one record's fields; returns them in canonical form or None."""
    model, given = record.model, record.fields
    expected = {f.name: f for f in fixture_fields(model)}
    failed = False
    for name in sorted(set(given) - set(expected)):
        problems.append(f"{record.where}, field {name!r}: {label(model)} has no such field.")
        failed = True
    fields = {}
    for name, f in expected.items():
        where = f"{record.where}, field {name!r}"
        if name not in given:
            if f.many_to_many or f.has_default() or f.null:
                value = [] if f.many_to_many else (None if f.null and not f.has_default() else f.get_default())
                fields[name] = json_value(value)
                continue
            problems.append(f"{where}: required field is missing.")
            failed = True
            continue
        value = given[name]
        if f.many_to_many:
            if not isinstance(value, list) or not all(is_natural_key(v, f.related_model) for v in value):
                problems.append(f'{where}: expected a list of natural keys like [["slug"], ...].')
                failed = True
            else:
                fields[name] = sorted(value)
            continue
        if f.is_relation:
            if value is None and f.null:
                fields[name] = None
            elif not is_natural_key(value, f.related_model):
                problems.append(f'{where}: expected a natural key like ["slug"], got {value!r}.')
                failed = True
            else:
                fields[name] = value
            continue
        if value is None and f.null:
            fields[name] = None
            continue
        types = expected_types(f)
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            problems.append(
                f"{where}: expected {' or '.join(t.__name__ for t in types)}, got {type(value).__name__} {value!r:.60}."
            )
            failed = True
            continue
        try:
            fields[name] = json_value(f.clean(value, None))
        except ValidationError as exc:
            problems.append(f"{where}: {' '.join(exc.messages)}")
            failed = True
    if failed:
        return None
    try:
        instance_for(model, fields).clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.append(f"{record.where}, field {name!r}: {' '.join(messages)}")
        return None
    return fields


def is_natural_key(value, model):
    return (
        isinstance(value, list)
        and len(value) == len(model.natural_key_fields)
        and all(isinstance(part, (str, int)) and not isinstance(part, bool) for part in value)
    )


def instance_for(model, fields):
    """An unsaved instance with the scalar fields set, for model-level clean().

    Relations are left unset; citations are checked against their article in
    check_citations instead.
    """
    instance = model()
    for f in fixture_fields(model):
        if not f.is_relation:
            setattr(instance, f.attname, f.to_python(fields[f.name]))
    return instance


def check_unique(fixtures, origins, problems):
    for model in MODELS:
        for f in model._meta.concrete_fields:
            if not f.unique or f.primary_key or f.name in model.natural_key_fields:
                continue
            seen = {}
            for key, fields in fixtures.records[model].items():
                value = fields[f.name]
                if value in seen:
                    problems.append(
                        f"{origins[model, key].where}, field {f.name!r}: {value!r} is already used by "
                        f"{describe(model, seen[value])}."
                    )
                seen[value] = key
        for constraint in model._meta.constraints:
            names = getattr(constraint, "fields", ())
            if not names or set(names) == set(model.natural_key_fields):
                continue
            seen = {}
            for key, fields in fixtures.records[model].items():
                value = tuple(json.dumps(fields[n]) for n in names)
                if value in seen:
                    problems.append(
                        f"{origins[model, key].where}, field {names[0]!r}: "
                        f"{', '.join(names)} must be unique; {describe(model, seen[value])} has the same."
                    )
                seen[value] = key


def check_references(fixtures, origins, problems):
    for model in MODELS:
        for key, fields in fixtures.records[model].items():
            for f in fixture_fields(model):
                if not f.is_relation:
                    continue
                targets = fields[f.name] if f.many_to_many else [fields[f.name]]
                for target in targets:
                    if target is not None and tuple(target) not in fixtures.records[f.related_model]:
                        problems.append(
                            f"{origins[model, key].where}, field {f.name!r}: refers to "
                            f"{describe(f.related_model, target)}, which no fixture defines."
                        )


def check_seeds(fixtures, origins, seeds_dir, problems):
    for key, fields in fixtures.records[Source].items():
        path = Path(seeds_dir) / fields["seed_file"]
        where = f"{origins[Source, key].where}, field 'seed_file'"
        if Path(fields["seed_file"]).name != fields["seed_file"] or not path.is_file():
            problems.append(f"{where}: no article {fields['seed_file']!r} in seeds/.")
            continue
        try:
            fixtures.seed_texts[key] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(f"{where}: seeds/{fields['seed_file']} is not UTF-8.")


def check_citations(fixtures, origins, problems):
    cited = set()
    for key, fields in fixtures.records[Citation].items():
        source = fixtures.records[Source][tuple(fields["source"])]
        text = fixtures.seed_texts[tuple(fields["source"])]
        where = origins[Citation, key].where
        start, end, quote = fields["start"], fields["end"], fields["quote"]
        if quote not in text:
            problems.append(f"{where}, field 'quote': not found in {source['seed_file']}: {quote[:80]!r}")
        elif start is None or end is None or text[start:end] != quote:
            found = text.find(quote)
            problems.append(
                f"{where}, field 'start': offsets {start}:{end} do not match the quote, "
                f"which is at {found}:{found + len(quote)} in {source['seed_file']}."
            )
        cited.add(tuple(fields["event"]))
    for key in fixtures.records[Event]:
        if key not in cited:
            problems.append(f"{origins[Event, key].where}, field 'slug': the event has no citation.")


def check_statements(fixtures, origins, problems):
    """Every statement rests on citations its owner may use, or is marked context/external with a note.

    An event's statement cites that event's citations; an actor's, citations of events the
    actor takes part in; an era's, citations of events in that era. Every event has a statement.
    """
    events_of_actor = {}
    for event_key, actor_key in fixtures.records[Participation]:
        events_of_actor.setdefault((actor_key,), set()).add((event_key,))
    era_of_event = {key: tuple(fields["era"]) for key, fields in fixtures.records[Event].items()}
    allowed_events = {
        EventStatement: lambda owner: {owner},
        ActorStatement: lambda owner: events_of_actor.get(owner, set()),
        EraStatement: lambda owner: {event for event, era in era_of_event.items() if era == owner},
    }
    described = set()
    for model, events_for in allowed_events.items():
        for key, fields in fixtures.records[model].items():
            owner = tuple(fields[model.owner_field])
            where = f"{origins[model, key].where} ({describe(model, key)})"
            if model is EventStatement:
                described.add(owner)
            if fields["basis"] == Statement.Basis.CITED and not fields["citations"]:
                problems.append(
                    f"{where}, field 'citations': the statement cites nothing; cite the quotes it rests on, "
                    "or mark its basis 'context' or 'external' with a note."
                )
            permitted = events_for(owner)
            for citation in fields["citations"]:
                if (citation[0],) not in permitted:
                    problems.append(
                        f"{where}, field 'citations': {describe(Citation, tuple(citation))} belongs to event "
                        f"{citation[0]!r}, which this {model.owner_field}'s statements may not cite."
                    )
    for key in fixtures.records[Event]:
        if key not in described:
            problems.append(f"{origins[Event, key].where}, field 'slug': the event has no statement.")
