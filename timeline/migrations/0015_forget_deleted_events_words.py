from django.db import migrations

FTS_TABLE = "timeline_event_fts"


def forget(apps, schema_editor):
    """SQLite: drop the full-text rows of events deleted before deletion dropped them (listing/search.py's
    forget_deleted); a search now reads the FTS table's rowids alone, and bm25 counts its rows."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM timeline_event)")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0014_event_words"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
