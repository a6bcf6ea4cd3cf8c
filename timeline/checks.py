"""Corpus integrity: every quote verbatim at its offsets, every event cited, seeds intact."""

from django.core import checks
from django.db import connection
from django.db.models import Exists, OuterRef


def corpus_problems():
    from .models import Citation, Event, Source

    problems = []
    texts = {}
    for source in Source.objects.all():
        if not source.seed_file:  # added in the admin; export_timeline writes it to seeds/
            texts[source.pk] = source.text
            continue
        try:
            seed = source.read_seed()
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"Source {source.slug!r}: cannot read seeds/{source.seed_file} ({exc}).")
            continue
        if source.text != seed:
            problems.append(f"Source {source.slug!r}: stored text differs from seeds/{source.seed_file}.")
        texts[source.pk] = seed
    for citation in Citation.objects.select_related("event", "source"):
        text = texts.get(citation.source_id)
        if text is None:
            continue
        where = f"Citation of {citation.source.slug!r} for event {citation.event.slug!r}"
        if citation.quote not in text:
            problems.append(f"{where}: quote not in the article: {citation.quote[:80]!r}")
        elif citation.start is None or text[citation.start : citation.end] != citation.quote:
            problems.append(f"{where}: offsets {citation.start}:{citation.end} do not match the quote.")
    uncited = Event.objects.filter(~Exists(Citation.objects.filter(event=OuterRef("pk"))))
    problems.extend(f"Event {slug!r}: has no citation." for slug in uncited.values_list("slug", flat=True))
    return problems


@checks.register("corpus")
def check_corpus(app_configs=None, databases=None, **kwargs):
    """Runs with `manage.py check --database default`, and on migrate once the tables exist."""
    from .models import Citation

    if not databases or Citation._meta.db_table not in connection.introspection.table_names():
        return []
    return [checks.Error(problem, id="timeline.E001") for problem in corpus_problems()]
