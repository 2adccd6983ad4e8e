"""A statement found but not yet resolved, and the span helpers the framing passes share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.statements.mentions import Mention
from worker.statements.segment import Quote, QuoteIndex, Sentence, SentenceIndex


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


class Claimed:
    """Indexes of the quotations already given to a statement, with the nearest unclaimed one on
    either side of an index found in near-constant time (union-find with path compression): a cue
    looks for the last unclaimed quotation before it, and a long sentence can hold thousands of
    claimed ones."""

    def __init__(self, n: int) -> None:
        self._set: set[int] = set()
        self._next = list(range(n + 1))  # _next[i]: a candidate for the first unclaimed index >= i
        self._prev = list(range(n + 1))  # _prev[i + 1]: a candidate for the last unclaimed index <= i

    def __contains__(self, i: object) -> bool:
        return i in self._set

    def add(self, i: int) -> None:
        if i not in self._set:
            self._set.add(i)
            self._next[i] = i + 1
            self._prev[i + 1] = i

    def next_free(self, i: int) -> int:
        """The first unclaimed index >= i (len when there is none)."""
        root = i
        while self._next[root] != root:
            root = self._next[root]
        while self._next[i] != root:
            self._next[i], i = root, self._next[i]
        return root

    def prev_free(self, i: int) -> int:
        """The last unclaimed index <= i (-1 when there is none)."""
        root = i + 1
        while self._prev[root] != root:
            root = self._prev[root]
        j = i + 1
        while self._prev[j] != root:
            self._prev[j], j = root, self._prev[j]
        return root - 1


class Context:
    """What the framing passes share for one text."""

    def __init__(self, text: str, sents: list[Sentence], quotes: QuoteIndex) -> None:
        self.text = text
        self.sents = sents
        self.sentences = SentenceIndex(sents)
        self.quotes = quotes
        self.claimed = Claimed(len(quotes))


# A quotation run continued by the next sentences of its paragraph is a few sentences long (at most
# one sentence and 862 characters past the first quotation in the PolNeAR and SCU articles); every
# statement of a sentence extends over the same run, so an unbounded one would make the output grow
# with (statements in the sentence) x (run length).
CHAIN_MAX_SENTENCES = 32
CHAIN_MAX_CHARS = 8000


def chain(ctx: Context, si: int, q: Quote) -> int:
    """End of the quotation run starting with q: later sentences of the paragraph that are quotations."""
    sents = ctx.sents
    end = q.end
    para = sents[si].paragraph
    k = si + 1
    while k < len(sents) and sents[k].paragraph == para and k - si <= CHAIN_MAX_SENTENCES:
        nxt = sents[k]
        q2 = ctx.quotes.starting_at(nxt.start)
        if q2 is None or nxt.end - q2.end > 2 or q2.start < end or q2.end - q.end > CHAIN_MAX_CHARS:
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
