"""The statement value the parser returns, and the parser's version stamp."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Bump when the parser's output can change for the same text: `worker reparse` re-parses older rows.
PARSER_VERSION = "quotes-1"

SPEAKER_TYPES = ("person", "organisation", "unknown")
KINDS = ("direct", "indirect", "mixed")


@dataclass(frozen=True)
class Statement:
    """One attribution: ``speaker`` said ``content`` (``text[content_start:content_end]``)."""

    speaker: str
    speaker_type: str  # person | organisation | unknown
    role: str | None
    speaker_start: int | None  # the mention's offsets in the text; None when implicit
    speaker_end: int | None
    cue: str | None  # the reporting expression: said, told, according to, ":" ...
    content: str
    content_start: int
    content_end: int
    kind: str  # direct | indirect | mixed
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
