"""The source reader: an article cut into paragraphs and pieces, each piece knowing the citations over it."""

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


def source_segments(text, citations):
    """Paragraphs of pieces; a piece lists the citations covering it, opening or closing there."""
    cuts = {0, len(text)}
    for citation in citations:
        cuts.update((citation.start, citation.end))
    for index, char in enumerate(text):
        if char == "\n":
            cuts.update((index, index + 1))
    cuts = sorted(cuts)
    paragraphs, current = [], []
    for begin, finish in zip(cuts, cuts[1:], strict=False):
        piece_text = text[begin:finish]
        if piece_text == "\n":
            paragraphs.append(current)
            current = []
            continue
        covering = [c for c in citations if c.start <= begin and finish <= c.end]
        current.append(
            Piece(
                piece_text,
                covering,
                [c for c in covering if c.start == begin],
                [c for c in covering if c.end == finish],
            )
        )
    paragraphs.append(current)
    return [p for p in paragraphs if any(piece.text.strip() for piece in p)]
