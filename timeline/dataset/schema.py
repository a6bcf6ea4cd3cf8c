"""What a fixture record is: which file holds which models, a record's fields, natural key and digest,
and the database read as records. The reload (reload.py), the export and the validation share it.

The fixtures are Django's JSON serialization with natural keys.
"""

import datetime
import hashlib
import json

from django.db import models

from timeline.listing.dimensions import DIMENSIONS
from timeline.models import (
    ActorStatement,
    Alias,
    Citation,
    EraStatement,
    Event,
    EventStatement,
    Participation,
    Synonym,
)

# Each file's models, in loading order: the dimensions' vocabularies first (dimensions.py), then the rest.
LAYOUT = {
    file: (*(d.vocabulary for d in DIMENSIONS if d.fixture_file == file), *rest)
    for file, rest in {
        "taxonomy.json": (),
        "sources.json": (),
        "actors.json": (Alias,),
        "events.json": (Event, Participation),
        "citations.json": (Citation,),
        "statements.json": (EventStatement, ActorStatement, EraStatement),
        "synonyms.json": (Synonym,),
    }.items()
}
MODELS = [model for models_ in LAYOUT.values() for model in models_]


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
    shown = "/".join(str(part) for part in key)
    return f"{label(model)} {shown if len(shown) <= 120 else shown[:120] + '…'!r}"


def digest(fields):
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
