"""Checks across fixture records: unique keys and labels, references, reading order, seeds, quotes, statements.

Each check appends to `problems` a message naming the file, the record and the field.
"""

import datetime
import json
from types import SimpleNamespace

from timeline.corpus.quotes import quote_problem
from timeline.corpus.seeds import SeedError, read_seed, text_sha256
from timeline.corpus.support import Vocabulary, article_facts, support_message, unsupported
from timeline.dataset.schema import (
    MODELS,
    describe,
    fixture_fields,
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
