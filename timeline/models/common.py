"""What every corpus model shares: field validators, slug lookups, naming related records."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from timeline.corpus.dates import validate_date_in_range
from timeline.corpus.text import validate_single_line, validate_text

LINE = [validate_single_line]
TEXT = [validate_text]
DATE = [validate_date_in_range]


def related(record, field, attribute=None):
    """A related record (or one of its attributes) for a name; an old version (the history, a revert) may
    point at one deleted since, and is then named by its id."""
    try:
        target = getattr(record, field)
    except ObjectDoesNotExist:
        return f"(deleted {field} {getattr(record, f'{field}_id')})"
    return getattr(target, attribute) if attribute else target


class SlugManager(models.Manager):
    """Looks records up by slug, their natural key in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CitationIds(models.Aggregate):
    """A statement's citation ids in one column ("3,7"): a page reads statements and their links in one query."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def __init__(self, **extra):
        super().__init__("citations", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s((%(expressions)s)::text, ',')", **extra
        )


def related_model(model, relation):
    """The model at the end of a relation, so a module can name a model defined after it without importing it."""
    return model._meta.get_field(relation).related_model
