"""What "the data changed" means, and the one way to build a cache key from it.

The data version is a random token in the one DataVersion row, rewritten by database
triggers (migration 0004) on every INSERT, UPDATE, DELETE or TRUNCATE of a curated table,
whatever made it: the admin, a reload, ``loaddata``, ``QuerySet.update()``, ``bulk_create``
or raw SQL. Being random, a token never repeats, so a restored or recreated database never
meets another database's entries in a shared cache. The release id is the same on every
instance of one deployment: ``TIMELINE_RELEASE`` from the environment, or a digest of the
code, templates and static files by content and relative path.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

SQLITE_NEW_TOKEN = """
INSERT INTO timeline_dataversion (id, token, changed_at)
VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'))
ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at;
"""
POSTGRES_NEW_TOKEN = """
INSERT INTO timeline_dataversion (id, token, changed_at)
VALUES (1, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
"""
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION timeline_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {POSTGRES_NEW_TOKEN} RETURN NULL; END $$;
"""
RELEASE_FOLDERS = ("timeline", "templates", "static")
MISSING = object()


@lru_cache(maxsize=1)
def release():
    """An id of the deployed code: the configured release, or a digest of the files' contents."""
    if settings.TIMELINE_RELEASE:
        return settings.TIMELINE_RELEASE
    digest = hashlib.sha256()
    for folder in RELEASE_FOLDERS:
        root = settings.BASE_DIR / folder
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def new_version(schema_editor):
    """Write a fresh token (used by migrations)."""
    vendor = schema_editor.connection.vendor
    schema_editor.execute(POSTGRES_NEW_TOKEN if vendor == "postgresql" else SQLITE_NEW_TOKEN)


def create_version_triggers(schema_editor, tables):
    """Triggers that give the data a new version whenever one of these tables changes; idempotent.

    PostgreSQL runs one per statement (TRUNCATE included); SQLite has only row triggers.
    """
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in tables:
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION timeline_data_changed()"
            )
    elif vendor == "sqlite":
        for table in tables:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_{operation.lower()}d AFTER {operation} ON {table} "
                    f"BEGIN {SQLITE_NEW_TOKEN} END"
                )
    else:
        raise NotImplementedError(f"No data-version triggers for {vendor}.")


def curated_tables():
    """Every table of the corpus: the timeline's models and their many-to-many links, but not
    bookkeeping (the data version, what the last reload wrote, stored renderings) or the history."""
    from django.apps import apps

    tables = []
    for model in apps.get_app_config("timeline").get_models(include_auto_created=True):
        table = model._meta.db_table
        bookkeeping = model._meta.model_name in ("dataversion", "loadedrecord", "eventrendering", "eventwords")
        if not bookkeeping and "historical" not in table:
            tables.append(table)
    return sorted(tables)


def keep_version_triggers(using="default", **kwargs):
    """After every migrate: a trigger on every curated table, including new ones and those SQLite
    rebuilt for a schema change (a rebuild drops a table's triggers)."""
    from django.db import connections

    with connections[using].schema_editor() as schema_editor:
        create_version_triggers(schema_editor, curated_tables())


def drop_version_triggers(schema_editor, tables):
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
        else:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{operation}d")


def cache_key(version, *parts):
    """The key of anything cached from the data: the release, the data version, then what it is."""
    return ":".join([release(), version, *map(str, parts)])


def cached(key, compute, timeout=None):
    """The value cached under key, or compute() stored there."""
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:24]
