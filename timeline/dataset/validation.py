"""Reading and validating the fixture files before anything is written.

Every problem names the file, the record and the field; past MAX_PROBLEMS they are
only counted. A reload (reload.py) makes the database match what passes.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.core.exceptions import ValidationError

from timeline.corpus.quotes import quote_problem
from timeline.corpus.seeds import SeedError, read_seed, text_sha256
from timeline.corpus.support import Vocabulary, article_facts, support_message, unsupported
from timeline.corpus.text import printable
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
from timeline.listing.dimensions import named_dimensions, shared_labels
from timeline.models import (
    Actor,
    ActorStatement,
    Alias,
    Citation,
    EraStatement,
    Event,
    EventStatement,
    Participation,
    Source,
    Statement,
    follows_problem,
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


def check_labels(fixtures, origins, problems):
    names = {d.name: [(k, f["name"]) for k, f in fixtures.records[d.vocabulary].items()] for d in named_dimensions()}
    models = {d.name: d.vocabulary for d in named_dimensions()}
    for name, (first, first_key), (second, key) in shared_labels(names):
        problems.append(
            f"{origins[models[second], key].where}, field 'name': “{name}” is also the name of "
            f"{describe(models[first], first_key)}; a reader could not tell their filters apart."
        )


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
    vocabulary = fixture_vocabulary(fixtures)
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
            words = unsupported_in_fixture(fixtures, fields, vocabulary)
            if words:
                problems.append(f"{where}, field 'text': {support_message(words)}")
    for key in fixtures.records[Event]:
        if key not in described:
            problems.append(f"{origins[Event, key].where}, field 'slug': the event has no statement.")


def fixture_vocabulary(fixtures):
    """The names the support rule looks for (support.py), from the fixtures' actors, aliases and outlets."""
    names = [(key[0], fields["name"]) for key, fields in fixtures.records[Actor].items()]
    names += [(key[0], key[1]) for key in fixtures.records[Alias]]
    names += [(f"outlet:{f['outlet']}", f["outlet"]) for f in fixtures.records[Source].values() if f["outlet"]]
    return Vocabulary(names)


def unsupported_in_fixture(fixtures, fields, vocabulary):
    """What a cited statement record says that its quotes do not carry (support.py); nothing for context/external."""
    if fields["basis"] != Statement.Basis.CITED:
        return []
    citations = [fixtures.records[Citation][tuple(key)] for key in fields["citations"]]
    articles = []
    for citation in citations:
        source = fixtures.records[Source][tuple(citation["source"])]
        published = datetime.date.fromisoformat(source["published"]) if source["published"] else None
        articles += article_facts(source["outlet"], published, source["published_precision"])
    return unsupported(fields["text"], [c["quote"] for c in citations], vocabulary, articles)
