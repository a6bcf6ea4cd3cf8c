"""Events may follow another (reading order); on SQLite, an FTS5 table searches the events.

The FTS5 table holds each event's title, summary and the rest of its search text (quotes,
names, aliases) under the event's id; search.py keeps it in step. PostgreSQL searches the
weighted ``search_vector`` column instead, so the table exists on SQLite only.
"""

import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "timeline_event_fts"
HELP = (
    "The event this one comes right after, when its date cannot say so: a sentence before the prison term, "
    "a report before its denial. A dated event may follow only an event of its own period."
)


class SQLiteOnly(migrations.RunSQL):
    """Raw SQL run on SQLite and skipped elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0005_integrity_bounds_sha256_category_history")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="follows",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="followers",
                to="timeline.event",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="follows",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="timeline.event",
            ),
        ),
        SQLiteOnly(
            sql=[
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')",
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "
                "SELECT id, title, summary, search_text FROM timeline_event",
            ],
            reverse_sql=[f"DROP TABLE IF EXISTS {FTS_TABLE}"],
        ),
    ]
