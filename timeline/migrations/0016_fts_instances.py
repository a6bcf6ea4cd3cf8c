from django.db import migrations

FTS_TABLE = "timeline_event_fts"
INSTANCES = f"{FTS_TABLE}_instances"


def create(apps, schema_editor):
    """SQLite: FTS5's record of every word it holds, by row and column (fts5vocab, "instance"), which the
    event index reads its words' postings from (listing/words.py). A view of the FTS table: it stores nothing."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {INSTANCES} USING fts5vocab({FTS_TABLE}, instance)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {INSTANCES}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0015_forget_deleted_events_words"),
    ]

    operations = [migrations.RunPython(create, drop)]
