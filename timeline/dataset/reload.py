"""Making the database match the fixtures without losing a curator's admin edits.

Each record is compared three ways: the fixture (F), the database (D) and the digest
of what the last reload wrote (B, kept in LoadedRecord):

- F == D: unchanged.
- D == B: nobody touched the record since the last reload, so the fixture wins
  (create, update or delete).
- D != B: a curator changed it in the admin. If the fixture did not change (F == B)
  the edit is kept; if both changed it is a conflict, and the reload is refused.
  ``force`` makes the fixtures win everywhere and reports what it overwrote.
"""

import json
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from timeline.corpus.checks import corpus_problems
from timeline.dataset.consistency import unique_clashes
from timeline.dataset.export import export
from timeline.dataset.schema import (
    MODELS,
    database_records,
    describe,
    digest,
    fixture_fields,
    label,
    natural_key_select,
)
from timeline.dataset.validation import FixtureError
from timeline.listing.signals import corpus_changes
from timeline.models import Actor, Era, Event, LoadedRecord, Source, TextLocked, refresh_statement_text


@dataclass
class Change:
    model: type
    key: tuple
    action: str
    fixture: dict | None
    database: dict | None
    base: str | None = None
    overwrites_edit: bool = False
    reason: str = ""

    def __str__(self):
        return describe(self.model, self.key)

    def differing_fields(self):
        fixture, database = self.fixture or {}, self.database or {}
        return sorted(n for n in set(fixture) | set(database) if fixture.get(n) != database.get(n))

    def explain(self):
        if self.reason not in ("created", "edited"):
            return f"{self}: {self.reason}"
        if self.database is None:
            return f"{self}: deleted in the admin since the last reload, but the fixture changed it"
        if self.fixture is None:
            what = "created" if self.reason == "created" else "edited"
            return f"{self}: {what} in the admin since the last reload, but the fixture removes it"
        return (
            f"{self}: edited in the admin since the last reload and changed in the fixture "
            f"(differs in {', '.join(self.differing_fields())})"
        )


def plan_reload(fixtures, force=False):
    base = {(row.model, row.key): row.digest for row in LoadedRecord.objects.all()}
    changes = []
    for model in MODELS:
        in_db = database_records(model)
        wanted = fixtures.records[model]
        base_keys = {tuple(json.loads(key)) for model_label, key in base if model_label == label(model)}
        for key in sorted(set(wanted) | set(in_db) | base_keys, key=str):
            f, d = wanted.get(key), in_db.get(key)
            b = base.get((label(model), json.dumps(list(key))))
            f_digest = digest(f) if f is not None else None
            d_digest = digest(d) if d is not None else None
            change = Change(model, key, "unchanged", f, d, base=b)
            if f_digest == d_digest:
                pass
            elif d_digest == b or force:
                change.action = "create" if d is None else "delete" if f is None else "update"
                change.overwrites_edit = d_digest != b
            elif f_digest == b:
                change.action = "kept"
            else:
                change.action = "conflict"
                change.reason = "created" if b is None else "edited"
            changes.append(change)
    if not force:
        protect_kept_dependents(changes)
    refuse_unique_clashes(changes, fixtures)
    return changes


def protect_kept_dependents(changes):
    """A deletion that would cascade to a record kept for the admin, or unlink it, becomes a conflict.

    Foreign keys and many-to-many links alike: deleting a category must not silently drop
    it from an event a curator edited.
    """
    deleting = {(c.model, c.key): c for c in changes if c.action == "delete"}
    for change in changes:
        if change.action not in ("kept", "conflict") or change.database is None:
            continue
        for f in fixture_fields(change.model):
            if not f.is_relation or change.database[f.name] is None:
                continue
            targets = change.database[f.name] if f.many_to_many else [change.database[f.name]]
            for target_key in targets:
                target = deleting.get((f.related_model, tuple(target_key)))
                if target is not None:
                    target.action = "conflict"
                    link = f"lists it in {f.name!r}" if f.many_to_many else "refers to it"
                    target.reason = f"{change}, kept from the admin, {link}"


def refuse_unique_clashes(changes, fixtures):
    """A fixture record whose unique value a record kept from the admin already holds is a conflict."""
    by_model = {}
    for change in changes:
        after = change.fixture if change.action in ("create", "update", "unchanged") else change.database
        if change.action != "delete" and after is not None:
            by_model.setdefault(change.model, {})[change.key] = (change, after)
    for model, rows in by_model.items():
        for key, other, names in unique_clashes(model, {k: after for k, (_, after) in rows.items()}):
            for mine, theirs in ((rows[key][0], rows[other][0]), (rows[other][0], rows[key][0])):
                if mine.fixture is not None and theirs.action in ("kept", "conflict"):
                    mine.action = "conflict"
                    mine.reason = (
                        f"{fixtures.where(model, mine.key)}, field {names[0]!r}: {', '.join(names)} must be unique, "
                        f"and {theirs}, kept from the admin, has the same"
                    )
                    break


class ReloadRefused(Exception):
    def __init__(self, conflicts):
        self.conflicts = conflicts
        lines = [c.explain() for c in conflicts]
        super().__init__(
            "Refused: these records were changed in the admin since the last reload and the "
            "fixtures change them too. Nothing was written. Run export_timeline to keep the "
            "admin edits, or --force to overwrite them.\n  " + "\n  ".join(lines)
        )


class _DryRun(Exception):
    pass


def reload(fixtures, force=False, dry_run=False, backup_to=None):
    """Apply the fixtures in one transaction; returns the list of changes.

    When admin edits are about to be overwritten and `backup_to` is given, the database as
    it stands is first exported there as fixtures, so a forced reload loses nothing.
    """
    try:
        with transaction.atomic():
            changes = plan_reload(fixtures, force=force)
            conflicts = [c for c in changes if c.action == "conflict"]
            if conflicts:
                raise ReloadRefused(conflicts)
            if backup_to is not None and not dry_run and any(c.overwrites_edit for c in changes):
                export(backup_to)
            with corpus_changes():
                apply(changes, fixtures)
            problems = corpus_problems()
            if problems:
                raise FixtureError(["After applying, the corpus fails its checks:", *problems])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return changes


CHANGE_REASON = "reload_timeline from fixtures"  # shown in each record's admin history


def apply(changes, fixtures):
    for change in reversed(changes):
        if change.action == "delete":
            obj = lookup(change.model, change.key)
            obj._change_reason = CHANGE_REASON
            obj.delete()
    pks = {}
    by_model = {}
    for change in changes:
        by_model.setdefault(change.model, []).append(change)
    for model in MODELS:
        later = []
        for change in by_model.get(model, []):
            if change.action in ("create", "update"):
                later += write(change, pks)
        pks[model] = natural_key_index(model)
        for obj, name, target in later:
            setattr(obj, name, pks[model][tuple(target)])
            obj.save(update_fields=[name])
    Event.objects.refresh_reading_order()
    refresh_source_texts(fixtures)
    refresh_statement_texts()
    record_loaded(changes)


def lookup(model, key):
    return model.objects.get_by_natural_key(*key)


def natural_key_index(model):
    return {obj.natural_key(): obj.pk for obj in model.objects.select_related(*natural_key_select(model))}


def write(change, pks):
    """Save one record; returns the links to records of its own model, set once all of them exist."""
    model, fields = change.model, change.fixture
    obj = lookup(model, change.key) if change.action == "update" else model()
    many, later = {}, []
    for f in fixture_fields(model):
        value = fields[f.name]
        if f.many_to_many:
            many[f.name] = [pks[f.related_model][tuple(k)] for k in value]
        elif f.is_relation and f.related_model is model:
            setattr(obj, f.attname, None)
            if value is not None:
                later.append((obj, f.attname, value))
        elif f.is_relation:
            setattr(obj, f.attname, pks[f.related_model][tuple(value)] if value is not None else None)
        else:
            setattr(obj, f.attname, f.to_python(value))
    obj._change_reason = CHANGE_REASON
    obj.save()
    for name, related_pks in many.items():
        getattr(obj, name).set(related_pks)
    return later


def refresh_source_texts(fixtures):
    """The fixtures' articles from seeds/; a source made in the admin keeps the text it was given,
    and a cited article's text may not change."""
    for source in Source.objects.filter(slug__in=[key[0] for key in fixtures.seed_texts]):
        text = fixtures.seed_texts[source.natural_key()]
        if source.text == text and source.sha256:
            continue
        source.text = text
        source._change_reason = CHANGE_REASON
        try:
            source.save(update_fields=["text", "sha256"])
        except TextLocked as exc:
            raise FixtureError(
                [f"sources.json ({source.slug!r}), field 'seed_file': seeds/{source.seed_file}: {exc}"]
            ) from exc


def refresh_statement_texts():
    """Each event's summary and each actor's and era's description: their statements, joined."""
    for model in (Event, Actor, Era):
        for owner in model.objects.prefetch_related("statements"):
            owner._change_reason = CHANGE_REASON
            refresh_statement_text(owner)


def record_loaded(changes, batch=500):
    """Remember the digest of each record this reload wrote: a few batched statements, not one per record."""
    forgotten, written = {}, []
    for change in changes:
        if change.action == "kept":
            continue
        key = json.dumps(list(change.key))
        if change.fixture is None:
            if change.base is not None:
                forgotten.setdefault(label(change.model), []).append(key)
        elif (loaded := digest(change.fixture)) != change.base:
            written.append(LoadedRecord(model=label(change.model), key=key, digest=loaded))
    for model, keys in forgotten.items():
        for start in range(0, len(keys), batch):
            LoadedRecord.objects.filter(model=model, key__in=keys[start : start + batch]).delete()
    LoadedRecord.objects.bulk_create(
        written, batch_size=batch, update_conflicts=True, unique_fields=["model", "key"], update_fields=["digest"]
    )


def summarize(changes):
    return Counter(c.action for c in changes if not (c.fixture is None and c.database is None))
