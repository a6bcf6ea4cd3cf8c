"""Reading, validating, comparing and writing the corpus fixtures.

The fixtures are Django's JSON serialization with natural keys. They hold the whole
corpus, so a reload makes the database match them, except where a curator changed a
record in the admin since the last reload (see ``plan_reload``).
"""

import datetime
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .articles import next_seed_name, refuse_symlinks, write_atomically
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
    follows_problem,
)
from .quotes import quote_problem
from .seeds import SeedError, read_seed, text_sha256
from .text import printable

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
MAX_RECORDS = 20_000  # per file; the corpus has a few hundred
MAX_DEPTH = 8  # a file is a list of records, whose fields hold at most lists of natural keys
MAX_PROBLEMS = 50


class Problems(list):
    """The problems found so far. Past MAX_PROBLEMS they are only counted, so a huge bad file costs little."""

    more = 0

    def append(self, problem):
        if len(self) < MAX_PROBLEMS:
            super().append(printable(problem))
        else:
            self.more += 1

    def extend(self, problems):
        for problem in problems:
            self.append(problem)

    def lines(self):
        return [*self, f"... and {self.more:,} more problems."] if self.more else list(self)


class FixtureError(Exception):
    """One or more problems with the fixtures; nothing has been written."""

    def __init__(self, problems):
        if not isinstance(problems, Problems):
            bounded = Problems()
            bounded.extend(problems)
            problems = bounded
        self.problems = problems.lines()
        super().__init__("\n".join(self.problems))


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


class ExportRefused(Exception):
    """The export would write somewhere it must not; nothing was written."""


def export(directory, seeds_dir=None):
    """Write the database as fixture files, each atomically; returns the paths written.

    Writes only to the project's fixtures/, to a folder it creates, or to a folder that
    holds nothing but fixture files (an earlier export); never through a symbolic link.
    With `seeds_dir`, first write there every article that is not there yet (see
    write_seeds), so the fixtures never name a file that does not exist.
    """
    directory = export_directory(Path(directory))
    for name in LAYOUT:
        refuse_link(directory / name)
    written = write_seeds(seeds_dir) if seeds_dir is not None else []
    for name, models_ in LAYOUT.items():
        path = directory / name
        write_atomically(path, dump((m, database_records(m)) for m in models_).encode("utf-8"))
        written.append(path)
    return written


def export_directory(directory):
    if directory.is_symlink():
        raise ExportRefused(f"{directory} is a symbolic link; export to a real folder.")
    if not directory.exists():
        directory.mkdir(parents=True)
        return directory
    if not directory.is_dir():
        raise ExportRefused(f"{directory} is not a folder.")
    if directory.resolve() == Path(settings.FIXTURES_DIR).resolve():
        return directory
    others = sorted(entry for entry in os.listdir(directory) if entry not in LAYOUT)
    if others:
        raise ExportRefused(
            f"{directory} already holds other files ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''}); "
            "export to fixtures/, to a new folder, or to a folder holding only an earlier export."
        )
    return directory


def refuse_link(path):
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ExportRefused(f"{path} is a symbolic link or not a plain file; nothing is written through it.")


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
    origins: dict = field(default_factory=dict)  # {(model, key): Record}, to name a record in a refusal

    def where(self, model, key):
        record = self.origins.get((model, key))
        return record.where if record else describe(model, key)


def read_fixtures(directory, seeds_dir):
    directory = Path(directory)
    problems = Problems()
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
        except RecursionError:
            problems.append(f"{shown}: JSON nested too deeply; records nest at most {MAX_DEPTH} levels.")
            continue
        if not isinstance(data, list):
            problems.append(f"{shown}: expected a JSON list of records, got {type(data).__name__}.")
            continue
        if len(data) > MAX_RECORDS:
            problems.append(f"{shown}: holds {len(data):,} records; the limit is {MAX_RECORDS:,}.")
            continue
        deep = too_deep(data)
        if deep is not None:
            problems.append(f"{shown}, record {deep}: JSON nested too deeply; records nest at most {MAX_DEPTH} levels.")
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
    origins = fixtures.origins
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
    if not problems:
        check_follows(fixtures, origins, problems)
    check_seeds(fixtures, origins, seeds_dir, problems)
    if not problems:
        check_citations(fixtures, origins, problems)
        check_statements(fixtures, origins, problems)
    if problems:
        raise FixtureError(problems)
    for model in MODELS:
        fixtures.records[model] = dict(sorted(fixtures.records[model].items(), key=lambda item: sort_key(item[0])))
    return fixtures


def too_deep(data):
    """The number of the first record nested deeper than MAX_DEPTH, or None."""
    for index, item in enumerate(data, start=1):
        stack = [(item, 2)]
        while stack:
            value, depth = stack.pop()
            if isinstance(value, dict | list):
                if depth > MAX_DEPTH:
                    return index
                stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return None


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
        for key, other, names in unique_clashes(model, fixtures.records[model]):
            problems.append(f"{origins[model, key].where}, field {names[0]!r}: {clash(model, key, other, names)}.")


def unique_clashes(model, records):
    """(key, other key, field names) for each record that a unique field or constraint forbids beside another."""
    groups = [
        (f.name,)
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and f.name not in model.natural_key_fields
    ]
    groups += [
        tuple(c.fields)
        for c in model._meta.constraints
        if getattr(c, "fields", ()) and set(c.fields) != set(model.natural_key_fields)
    ]
    for names in groups:
        seen = {}
        for key, fields in records.items():
            value = json.dumps([fields[n] for n in names])
            if value in seen:
                yield key, seen[value], names
            else:
                seen[value] = key


def clash(model, key, other, names):
    return f"{', '.join(names)} must be unique, and {describe(model, other)} has the same"


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


def check_follows(fixtures, origins, problems):
    """Follows links form no cycle and stay within the follower's period (see models.follows_problem)."""
    events = {}
    for key, fields in fixtures.records[Event].items():
        event = SimpleNamespace(**{name: fields[name] for name in ("slug", "date_precision")}, follows=None)
        for name in ("date", "end_date"):
            setattr(event, name, datetime.date.fromisoformat(fields[name]) if fields[name] else None)
        events[key] = event
    for key, fields in fixtures.records[Event].items():
        if fields["follows"] is not None:
            events[key].follows = events[tuple(fields["follows"])]
    for key, event in events.items():
        if event.follows is not None:
            problem = follows_problem(event, event.follows)
            if problem:
                problems.append(f"{origins[Event, key].where}, field 'follows': {problem}")


def check_seeds(fixtures, origins, seeds_dir, problems):
    for key, fields in fixtures.records[Source].items():
        where = f"{origins[Source, key].where}, field 'seed_file'"
        if not fields["seed_file"]:
            problems.append(f"{where}: blank; export_timeline names the article's file in seeds/.")
            continue
        try:
            text = read_seed(fields["seed_file"], seeds_dir)
        except SeedError as exc:
            problems.append(f"{where}: {exc}")
            continue
        digest_ = text_sha256(text)
        if fields["sha256"] and fields["sha256"] != digest_:
            problems.append(
                f"{origins[Source, key].where}, field 'sha256': seeds/{fields['seed_file']} is not the article "
                f"the fixture names (its SHA-256 is {digest_[:12]}…, the fixture says {fields['sha256'][:12]}…)."
            )
            continue
        fields["sha256"] = digest_
        fixtures.seed_texts[key] = text


def check_citations(fixtures, origins, problems):
    cited = set()
    for key, fields in fixtures.records[Citation].items():
        source = tuple(fields["source"])
        problem = quote_problem(fixtures.seed_texts[source], fields["quote"], fields["start"], fields["end"])
        if problem:
            problems.append(
                f"{origins[Citation, key].where}, field {problem.field!r}: {problem.message} "
                f"(article {describe(Source, source)}; quote {fields['quote'][:80]!r})"
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
