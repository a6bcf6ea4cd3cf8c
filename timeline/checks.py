"""Corpus integrity: every quote verbatim at its offsets, every event cited, seeds intact."""

from django.core import checks
from django.db import connection
from django.db.models import Exists, OuterRef


def corpus_problems():
    from .models import Citation, Event, Source

    problems = []
    texts = {}
    for source in Source.objects.all():
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
    problems.extend(statement_problems())
    return problems


def statement_problems():
    """Each statement rests on citations its owner may cite, or is marked context/external with a note."""
    from .models import STATEMENT_MODELS, Statement

    problems = []
    for model in STATEMENT_MODELS:
        owner = model.owner_field
        statements = model.objects.select_related(owner)
        where = {s.pk: f"Statement {s.position} of {owner} {s.owner.slug!r}" for s in statements}
        bare = statements.filter(basis=Statement.Basis.CITED, citations__isnull=True)
        problems.extend(
            f"{where[pk]}: cites nothing and is not marked context or external."
            for pk in bare.values_list("pk", flat=True)
        )
        unexplained = statements.exclude(basis=Statement.Basis.CITED).filter(note="")
        problems.extend(
            f"{where[pk]}: context or outside knowledge without a note."
            for pk in unexplained.values_list("pk", flat=True)
        )
        for link in model.forbidden_links():
            problems.append(
                f"{where[getattr(link, f'{model._meta.model_name}_id')]}: cites a quote of event "
                f"{link.citation.event.slug!r}, which it may not cite."
            )
    return problems


@checks.register("corpus")
def check_corpus(app_configs=None, databases=None, **kwargs):
    """Runs with `manage.py check --database default`, and on migrate once the tables exist."""
    from .models import Citation

    if not databases or Citation._meta.db_table not in connection.introspection.table_names():
        return []
    return [checks.Error(problem, id="timeline.E001") for problem in corpus_problems()]
