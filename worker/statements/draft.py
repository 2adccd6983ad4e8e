"""A statement found but not yet resolved, and the span helpers the framing passes share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.statements.mentions import Mention
from worker.statements.resolve import Entity
from worker.statements.segment import Quote, Sentence


@dataclass
class Draft:
    cue_start: int
    cue_end: int
    cue: str
    mention: Mention | None
    content_start: int
    content_end: int
    kind: str
    confidence: float
    paragraph: int
    implicit_entity: Entity | None = None



def chain(text: str, sents: list[Sentence], si: int, q: Quote, quotes: list[Quote]) -> int:
    """End of the quotation run starting with q: later sentences of the paragraph that are quotations."""
    end = q.end
    para = sents[si].paragraph
    k = si + 1
    while k < len(sents) and sents[k].paragraph == para:
        nxt = sents[k]
        q2 = next((x for x in quotes if x.start == nxt.start), None)
        if q2 is None or nxt.end - q2.end > 2 or q2.start < end:
            break
        end = q2.end
        k += 1
    return end


def trim_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".;:!?,"):
        end -= 1
    return end


_ABBREV_DOT = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|St|Jr|Sr|Prof|Rev|"
                         r"Inc|Corp|Co|Ltd|[A-Z])\.|\([^()]{1,12}\)")


def mask_abbreviations(gap: str) -> str:
    """The gap with abbreviation dots and short parenthesised asides blanked: "Mrs. Clinton (D-N.Y.)"."""
    return _ABBREV_DOT.sub(lambda m: "x" * len(m.group()), gap)


def substantive(text: str, q: Quote) -> bool:
    """A quotation worth a statement: three words or more (not a quoted title or a scare quote)."""
    return q.words(text) >= 3



def in_any(quotes: list[Quote], i: int) -> bool:
    return any(q.start <= i < q.end for q in quotes)
