"""On PostgreSQL, a RUM index over Event.search_vector in place of the GIN index: it returns the
matches of a search in rank order (`search_vector <=> query`), so a page's best matches are read
without scoring every match (listing/search.py). RUM is Debian's postgresql-15-rum; creating the
extension needs a superuser, which the test and benchmark clusters are (tests/pgcluster.py), and
a deployment's administrator runs ``CREATE EXTENSION rum`` once if the app's role is not
(docs/deploy.md). SQLite searches its FTS5 table and is not touched."""

from django.db import migrations

GIN = "timeline_event_search_vector_gin"
RUM = "timeline_event_search_vector_rum"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RUM} ON timeline_event USING rum (search_vector rum_tsvector_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN} ON timeline_event USING gin (search_vector)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUM}")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0012_synonym")]

    operations = [migrations.RunPython(create_index, drop_index)]
