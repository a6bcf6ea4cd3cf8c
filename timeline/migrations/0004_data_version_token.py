"""The data version becomes a random token that database triggers rewrite on every change (see caching.py)."""

from django.db import migrations, models

from timeline.cache.versions import create_version_triggers, drop_version_triggers, new_version

TABLES = [
    "timeline_source",
    "timeline_actor",
    "timeline_alias",
    "timeline_era",
    "timeline_category",
    "timeline_event",
    "timeline_event_categories",
    "timeline_participation",
    "timeline_citation",
]


def forwards(apps, schema_editor):
    create_version_triggers(schema_editor, TABLES)
    new_version(schema_editor)


def backwards(apps, schema_editor):
    drop_version_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0003_history")]

    operations = [
        migrations.RemoveField(model_name="dataversion", name="counter"),
        migrations.AddField(
            model_name="dataversion",
            name="token",
            field=models.CharField(default="none", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, backwards),
    ]
