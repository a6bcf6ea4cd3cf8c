"""Sources added in the admin: a blank seed file until export_timeline writes one, and the text's SHA-256.

SQLite applies these changes by rebuilding timeline_source, which drops its data-version
triggers (caching.py), so they are created again after each rebuild; PostgreSQL keeps them.
"""

from django.db import migrations, models

from timeline.caching import create_version_triggers


def restore_source_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_version_triggers(schema_editor, ["timeline_source"])


class Migration(migrations.Migration):
    dependencies = [("timeline", "0004_data_version_token")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_source_triggers),
        migrations.AddField(
            model_name="historicalsource",
            name="sha256",
            field=models.CharField(
                blank=True, default="", editable=False, help_text="Of the text as UTF-8.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="sha256",
            field=models.CharField(
                blank=True, default="", editable=False, help_text="Of the text as UTF-8.", max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="seed_file",
            field=models.CharField(
                blank=True,
                help_text="Its file in seeds/. Blank for an article added in the admin until export_timeline writes it.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="seed_file",
            field=models.CharField(
                blank=True,
                help_text="Its file in seeds/. Blank for an article added in the admin until export_timeline writes it.",
                max_length=100,
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                condition=models.Q(("seed_file", ""), _negated=True),
                fields=("seed_file",),
                name="source_seed_file_unique",
            ),
        ),
        migrations.RunPython(restore_source_triggers, migrations.RunPython.noop),
    ]
