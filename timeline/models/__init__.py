"""The corpus: sources (articles), actors, events and the citations that tie them, one module per concept."""

from timeline.models.bookkeeping import DataVersion, EventRendering, EventWords, LoadedRecord
from timeline.models.citations import (
    STATEMENT_MODELS,
    ActorStatement,
    Citation,
    EraStatement,
    EventStatement,
    Statement,
    derive_statement_text,
    joined_statements,
    own_footnotes,
    refresh_statement_text,
)
from timeline.models.common import DATE, LINE, TEXT, CitationIds, SlugManager, related
from timeline.models.events import (
    MAX_FOLLOWS_DEPTH,
    Event,
    Participation,
    event_parts,
    follower_key,
    follows_problem,
    stored_synonyms,
    term_keys,
    term_sets,
)
from timeline.models.sources import Source, TextLocked
from timeline.models.vocabulary import Actor, Alias, Category, Era, Synonym

__all__ = [
    "Actor",
    "ActorStatement",
    "Alias",
    "Category",
    "Citation",
    "CitationIds",
    "DATE",
    "DataVersion",
    "Era",
    "EraStatement",
    "Event",
    "EventRendering",
    "EventStatement",
    "EventWords",
    "LINE",
    "LoadedRecord",
    "MAX_FOLLOWS_DEPTH",
    "Participation",
    "STATEMENT_MODELS",
    "SlugManager",
    "Source",
    "Statement",
    "Synonym",
    "TEXT",
    "TextLocked",
    "derive_statement_text",
    "event_parts",
    "term_keys",
    "term_sets",
    "follower_key",
    "follows_problem",
    "joined_statements",
    "own_footnotes",
    "refresh_statement_text",
    "stored_synonyms",
    "related",
]
