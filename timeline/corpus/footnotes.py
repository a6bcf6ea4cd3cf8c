"""Footnotes: a text's statements numbered by the citations they rest on, as a page shows them."""

from dataclasses import dataclass


@dataclass
class Marker:
    number: int
    citation: object


@dataclass
class Footnoted:
    """A text's statements with their markers, and its citations with the statements resting on each."""

    statements: list
    citations: list


def footnoted(statements, citations):
    """Number citations 1.. in list order; each statement gets the markers of the citations it rests on."""
    numbers = {c.pk: n for n, c in enumerate(citations, start=1)}
    by_citation = {c.pk: [] for c in citations}
    rows = []
    for statement in statements:
        cited = sorted(numbers[pk] for pk in statement.cited_pks() if pk in numbers)
        statement.markers = [Marker(n, citations[n - 1]) for n in cited]
        for n in cited:
            by_citation[citations[n - 1].pk].append(statement)
        rows.append(statement)
    for citation in citations:
        citation.number = numbers[citation.pk]
        citation.resting = by_citation[citation.pk]
    return Footnoted(rows, list(citations))
