"""The statement value the parser returns, and the parser's version stamp."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Bump when the parser's output can change for the same text: `worker reparse` re-parses older rows.
PARSER_VERSION = "quotes-3"  # quotes-2: content as pieces (content_spans); quotes-3: cues, speakers, groups

SPEAKER_TYPES = ("person", "organisation", "group", "unknown")
KINDS = ("direct", "indirect", "mixed")


@dataclass(frozen=True)
class Statement:
    """One attribution: ``speaker`` said ``content``.

    What was said is ``content_spans``, pieces of the text in order, disjoint and inside the
    envelope ``text[content_start:content_end]``: quotations without their marks, a clause without
    the attribution that interrupts it (worker/statements/pieces.py). ``content`` is the pieces
    joined by one space; the envelope, which runs from the first piece's quotation mark to the
    last's, is what statements are sorted and indexed by."""

    speaker: str
    speaker_type: str  # person | organisation | group (plural: "officials") | unknown
    role: str | None
    speaker_start: int | None  # the mention's offsets in the text; None when implicit
    speaker_end: int | None
    cue: str | None  # the reporting expression: said, told, according to, ":" ...
    content: str
    content_start: int
    content_end: int
    content_spans: tuple[tuple[int, int], ...]  # each text[start:end] exact
    kind: str  # direct | indirect | mixed
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["content_spans"] = [list(span) for span in self.content_spans]
        return out
