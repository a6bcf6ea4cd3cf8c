"""The source reader: the article as consecutive pieces, each knowing the citations over it, and the passages cited."""

from dataclasses import dataclass


@dataclass
class Piece:
    text: str
    citations: list
    opens: list
    closes: list

    @property
    def anchors(self):
        """Ids of the passages that start here, once each (two events may cite one passage)."""
        return list(dict.fromkeys(c.anchor for c in self.opens))


def article_pieces(text, citations):
    """The article as consecutive pieces, newlines kept, each listing the citations covering it.

    Joined, the pieces are the article exactly, so the reader's text element has the seed's
    characters at the seed's offsets (what a TextPositionSelector counts).
    """
    cuts = sorted({0, len(text)} | {c.start for c in citations} | {c.end for c in citations})
    pieces = []
    for begin, finish in zip(cuts, cuts[1:], strict=False):
        covering = [c for c in citations if c.start <= begin and finish <= c.end]
        opens = [c for c in covering if c.start == begin]
        pieces.append(Piece(text[begin:finish], covering, opens, [c for c in covering if c.end == finish]))
    return pieces


@dataclass
class Passage:
    """One highlighted passage and the citations (of one or more events) that quote it."""

    anchor: str
    quote: str
    citations: list


def cited_passages(citations):
    """Citations grouped by the passage they quote, in reading order."""
    passages = {}
    for citation in citations:
        passages.setdefault(citation.anchor, Passage(citation.anchor, citation.quote, [])).citations.append(citation)
    return list(passages.values())
