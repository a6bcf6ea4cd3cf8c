"""Corpus integrity: every quote verbatim at its offsets, every event cited, seeds intact."""

from django.core import checks
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch

from timeline.corpus.quotes import quote_problem
from timeline.corpus.seeds import SeedError, read_seed, text_sha256
from timeline.corpus.support import Vocabulary, article_facts, support_message, unsupported
from timeline.listing.dimensions import named_dimensions, shared_labels


def corpus_problems():
    from timeline.models import Citation, Event, Source

    problems = []
    texts = {}
    for source in Source.objects.all():
        if not source.seed_file:  # added in the admin; export_timeline writes it to seeds/
            texts[source.pk] = source.text
            continue
        try:
            seed = read_seed(source.seed_file)
        except SeedError as exc:
            problems.append(f"Source {source.slug!r}: {exc}")
            continue
        if source.text != seed:
            problems.append(f"Source {source.slug!r}: stored text differs from seeds/{source.seed_file}.")
        elif source.sha256 != text_sha256(seed):
            problems.append(f"Source {source.slug!r}: stored SHA-256 is not that of its text.")
        texts[source.pk] = source.text
    for citation in Citation.objects.select_related("event", "source"):
        text = texts.get(citation.source_id)
        if text is None:
            continue
        problem = quote_problem(text, citation.quote, citation.start, citation.end)
        if problem:
            where = f"Citation of {citation.source.slug!r} for event {citation.event.slug!r}"
            problems.append(f"{where}, field {problem.field!r}: {problem.message} (quote {citation.quote[:80]!r})")
    uncited = Event.objects.filter(~Exists(Citation.objects.filter(event=OuterRef("pk"))))
    problems.extend(f"Event {slug!r}: has no citation." for slug in uncited.values_list("slug", flat=True))
    problems.extend(statement_problems())
    return problems


def statement_problems():
    """Each statement rests on citations its owner may cite, or is marked context/external with a note."""
    from timeline.models import STATEMENT_MODELS, Statement

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
    problems.extend(f"{where}: {support_message(words)}" for where, _, words in unsupported_statements())
    return problems


def database_vocabulary():
    """The names the support rule looks for (support.py): actors' names and aliases, and outlets."""
    from timeline.models import Actor, Alias, Source

    names = list(Actor.objects.values_list("slug", "name"))
    names += list(Alias.objects.values_list("actor__slug", "name"))
    names += [
        (f"outlet:{outlet}", outlet) for outlet in Source.objects.exclude(outlet="").values_list("outlet", flat=True)
    ]
    return Vocabulary(names)


def unsupported_words(text, citations, vocabulary=None):
    """The figures, dates and names of a cited statement's text that none of these citations carries."""
    articles = [
        fact
        for c in citations
        for fact in article_facts(c.source.outlet, c.source.published, c.source.published_precision)
    ]
    return unsupported(text, [c.quote for c in citations], vocabulary or database_vocabulary(), articles)


def support_problem(basis, text, citations):
    """The refusal for a statement the admin is about to save, or None (a context/external one is not checked)."""
    from timeline.models import Statement

    if basis != Statement.Basis.CITED or not citations:
        return None
    words = unsupported_words(text or "", list(citations))
    return support_message(words) if words else None


def unsupported_statements(vocabulary=None):
    """(where, statement, words) for each cited statement that says a figure or name its quotes do not carry."""
    from timeline.models import STATEMENT_MODELS, Citation, Statement

    vocabulary = vocabulary or database_vocabulary()
    found = []
    for model in STATEMENT_MODELS:
        owner = model.owner_field
        statements = model.objects.filter(basis=Statement.Basis.CITED).select_related(owner)
        statements = statements.prefetch_related(Prefetch("citations", Citation.objects.select_related("source")))
        for statement in statements:
            words = unsupported_words(statement.text, list(statement.citations.all()), vocabulary)
            if words:
                found.append((f"Statement {statement.position} of {owner} {statement.owner.slug!r}", statement, words))
    return found


@checks.register("corpus")
def check_corpus(app_configs=None, databases=None, **kwargs):
    """Runs with `manage.py check --database default`, and on migrate once the schema is current.

    An error, not a warning: such a corpus shows readers claims that rest on nothing, and CI's
    check must fail on it. No ordinary edit makes one: the admin refuses what a reload would
    (keep_cited.py, the article size limit), so only a direct database write can. While
    migrations are pending the check stays silent, so a release's migrations always apply; an
    operator who must migrate past such a database uses `migrate --skip-checks` and fixes what
    `check --database default` lists.
    """
    from django.db.migrations.executor import MigrationExecutor

    if not databases:
        return []
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return []  # the tables are missing or older than the models: migrate first

    return [checks.Error(problem, id="timeline.E001") for problem in corpus_problems()] + [
        checks.Error(f"“{name}” names both {a[0]} {a[1]} and {b[0]} {b[1]}.", id="timeline.E002")
        for name, a, b in shared_labels(
            {d.name: list(d.vocabulary.objects.values_list("slug", "name")) for d in named_dimensions()}
        )
    ]
