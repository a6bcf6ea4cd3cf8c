"""Reading and validating the fixture files before anything is written.

Every problem names the file, the record and the field; past MAX_PROBLEMS they are
only counted. A reload (reload.py) makes the database match what passes.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from timeline.corpus.text import printable
from timeline.dataset.consistency import (
    check_citations,
    check_follows,
    check_labels,
    check_references,
    check_seeds,
    check_statements,
    check_unique,
)
from timeline.dataset.files import MAX_DEPTH, UNREAD, Unreadable, read_json, type_name
from timeline.dataset.schema import (
    LAYOUT,
    MODELS,
    describe,
    expected_types,
    fixture_fields,
    json_value,
    key_of,
    label,
    sort_key,
)

MAX_RECORDS = 20_000  # per file; the corpus has a few hundred
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
        shown = f"{directory.name}/{name}"
        data = read_json(directory / name, shown, problems)
        if data is UNREAD:
            continue
        if not isinstance(data, list):
            problems.append(f"{shown}: expected a JSON list of records, got {type_name(data)}.")
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
            if item.duplicates or item["fields"].duplicates:
                names = sorted(item.duplicates | item["fields"].duplicates)
                problems.append(f"{where}, field {names[0]!r}: given more than once; JSON keeps only the last.")
                continue
            if not isinstance(item.get("model"), str) or item["model"] not in allowed:
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
    check_labels(fixtures, origins, problems)
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
        if isinstance(value, Unreadable):
            problems.append(f"{where}: {value}, more than any field holds.")
            failed = True
            continue
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
                f"{where}: expected {' or '.join(t.__name__ for t in types)}, got {type_name(value)} {value!r:.60}."
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
