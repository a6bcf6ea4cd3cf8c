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
from django.db import models, transaction

from .articles import next_seed_name, refuse_symlinks, write_atomically
from .models import (
    Actor,
    Alias,
    Category,
    Citation,
    Era,
    Event,
    Participation,
    Source,
)

LAYOUT = {
    "taxonomy.json": (Era, Category),
    "sources.json": (Source,),
    "actors.json": (Actor, Alias),
    "events.json": (Event, Participation),
    "citations.json": (Citation,),
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
    many = [f.name for f in fixture_fields(model) if f.many_to_many]
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


def export(directory, seeds_dir=None):
    """Write the database as fixture files, each replaced atomically; returns the paths written.

    With `seeds_dir`, first write there every article that is not there yet (see write_seeds),
    so the fixtures never name a file that does not exist.
    """
    directory = Path(directory)
    refuse_symlinks(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = write_seeds(seeds_dir) if seeds_dir is not None else []
    for name, models_ in LAYOUT.items():
        path = directory / name
        write_atomically(path, dump((m, database_records(m)) for m in models_).encode("utf-8"))
        written.append(path)
    return written


class ExportError(Exception):
    """The database and seeds/ disagree about an article; nothing more was written."""


EXPORT_REASON = "export_timeline wrote the article to seeds/"  # shown in the source's admin history


def write_seeds(seeds_dir):
    """Write each article missing from seeds_dir, naming those added in the admin `NNN_<hash16>.txt`.

    A file already there is never overwritten: if its bytes are not the stored text, the export stops.
    """
    seeds_dir = Path(seeds_dir)
    refuse_symlinks(seeds_dir)
    taken = {path.name for path in seeds_dir.iterdir()}
    taken |= set(Source.objects.exclude(seed_file="").values_list("seed_file", flat=True))
    written = []
    for source in Source.objects.order_by("pk"):
        with transaction.atomic():
            named_now = not source.seed_file
            if named_now:
                source.seed_file = next_seed_name(source.text, taken)
                taken.add(source.seed_file)
            path = seeds_dir / source.seed_file
            data = source.text.encode("utf-8")
            if Path(source.seed_file).name != source.seed_file:
                raise ExportError(f"Source {source.slug!r}: {source.seed_file!r} is not a file name.")
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise ExportError(f"Source {source.slug!r}: {path} is not a plain file.")
            if path.exists():
                if path.read_bytes() != data:
                    raise ExportError(
                        f"Source {source.slug!r}: {path} differs from the article stored in the database; "
                        "it was left as it is."
                    )
                continue
            write_atomically(path, data, replace=False)
            written.append(path)
            if named_now:
                source._change_reason = EXPORT_REASON
                source.save(update_fields=["seed_file"])
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
        if not fields["seed_file"]:
            problems.append(f"{where}: blank; export_timeline names the article's file in seeds/.")
            continue
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
