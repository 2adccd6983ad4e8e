"""Quotations, paragraphs and sentences of a text, as character spans into it.

Quotation marks handled: “…” ‘…’ „…” „…“ «…» ‹…› "…" ''…'' (and ‚…‘). A quotation left open at the
end of a paragraph ends with its paragraph. When the next paragraph reopens it (the newspaper
convention for quotes running over paragraphs) that paragraph's quotation is a quotation of its own:
each paragraph of a long quotation is said on its own (the annotation rules of docs/statements.md),
and the paragraph after the attribution joins it as the next sentence would. Nothing here ever
raises on unbalanced marks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from worker.statements.lexicon import ABBREVIATIONS

# opener -> closers it accepts
_PAIRS: dict[str, str] = {
    "“": "”\"",
    "„": "”“\"",
    "«": "»",
    "‹": "›",
    '"': '"”',
    "''": "''’’",
    "‘": "’",
    "‚": "‘’",
}
_DOUBLE_OPENERS = ("“", "„", "«", '"', "''")
_OPENER_RE = re.compile(r"''|[“„«‹\"‘‚]")
OPENER_RE = _OPENER_RE  # an opening quotation mark (what may open one: _is_opening decides)
# A transcript turn opening with a quotation mark ("WALLACE: …, the whole transcript quoted one
# paragraph at a time): the mark opens no quotation of its own, and no quotation runs into the line.
_LABEL_LINE = re.compile(r"(''|[\"“])[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}:\s")


@dataclass(frozen=True)
class Quote:
    start: int  # at the opening mark
    end: int  # just after the closing mark (or at the paragraph's end when left open)
    closed: bool
    # the word count, counted once: every cue near a quotation asks for it, and a quotation left
    # open runs to its paragraph's end, which has no bound
    _words: list[int] = field(default_factory=list, compare=False, repr=False)

    def words(self, text: str) -> int:
        if not self._words:
            self._words.append(len(_WORD.findall(text, self.start, self.end)))
        return self._words[0]


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: a non-blank line, joined with the next when a hard wrap cut a
    sentence ("said\nmany families …": no closing punctuation, and a lower-case continuation)."""
    lines = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            s, e = m.start(), m.end()
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            lines.append((s, e))
    out: list[tuple[int, int]] = []
    for s, e in lines:
        if out and _wrapped(text, out[-1], s):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _wrapped(text: str, prev: tuple[int, int], start: int) -> bool:
    ps, pe = prev
    if text[pe - 1] in ".!?…:;\"”’»)]" or "\n\n" in text[pe:start] or not text[start].isalpha():
        return False
    return text[start].islower() or (pe - ps > 60 and text[start].isupper() and text[pe - 1].isalnum())


def _is_opening(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + len(mark)] if i + len(mark) < len(text) else " "
    if after.isspace():
        return False
    if mark in ("‘", "‚"):
        return not before.isalnum() and (after.isalnum() or after in "“\"")
    if mark in ('"', "''"):
        return not before.isalnum() and before not in ".,;:!?"
    return True


def _closes(text: str, i: int, mark: str) -> bool:
    """A closing mark at i: not an apostrophe inside a word."""
    after = text[i + len(mark)] if i + len(mark) < len(text) else " "
    if mark in ("’", "'", "''", "’’"):
        return not after.isalnum()
    return True


def find_quotes(text: str, paras: list[tuple[int, int]]) -> list[Quote]:
    quotes: list[Quote] = []
    for ps, pe in paras:
        i = ps
        open_at: int | None = None
        opener = ""
        label = _LABEL_LINE.match(text, ps, pe)
        if label is not None:
            i = label.end(1)
        while i < pe:
            if open_at is None:
                m = _OPENER_RE.search(text, i, pe)
                if m is None:
                    break
                if _is_opening(text, m.start(), m.group()):
                    open_at, opener = m.start(), m.group()
                i = m.end()
                continue
            found, mark_len = _find_closer(text, i, pe, opener)
            if found >= 0:
                quotes.append(Quote(open_at, found + mark_len, True))
                open_at = None
                i = found + mark_len
            else:
                if pe - open_at > 1:
                    quotes.append(Quote(open_at, pe, False))
                open_at = None
                break
    return quotes


def _find_closer(text: str, i: int, pe: int, opener: str) -> tuple[int, int]:
    """The mark closing the quotation ``opener`` opened, looked for in text[i:pe]: its position and
    length, or (-1, 1) when the paragraph ends first."""
    closers = _PAIRS[opener]
    j = i
    while j < pe:
        ch = text[j]
        if opener == "''" and text.startswith("''", j) and _closes(text, j, "''"):
            return j, 2
        if opener == "“" and ch == "“" and j > i and not text[j - 1].isspace() and \
                (j + 1 >= pe or text[j + 1].isspace()):
            return j, 1  # a closing mark typed as an opening one: “…,“ said X
        if opener != "''" and ch in closers and _closes(text, j, ch):
            # a straight quote that opens a nested one is not our closer
            if ch == '"' and opener == '"' and j + 1 < pe and not text[j + 1].isspace() and \
                    text[j + 1] not in ".,;:!?)—–-" and (j == 0 or text[j - 1].isspace()):
                j = _skip_nested(text, j, pe)
                continue
            return j, 1
        if opener in ("“", "„", "«") and ch == '"' and (j == 0 or text[j - 1].isspace()):
            j = _skip_nested(text, j, pe)
            continue
        j += 1
    return -1, 1


class QuoteIndex:
    """A text's quotations as find_quotes returns them (in text order and disjoint: each starts after
    the previous one ends), with the lookups the framing passes make for every cue and sentence done
    by bisection and maps instead of a scan over all quotations."""

    def __init__(self, quotes: list[Quote]) -> None:
        self.quotes = quotes
        self.starts = [q.start for q in quotes]
        self.ends = [q.end for q in quotes]
        self._by_start = {q.start: i for i, q in enumerate(quotes)}
        self._ends = set(self.ends)

    def __len__(self) -> int:
        return len(self.quotes)

    def __getitem__(self, i: int) -> Quote:
        return self.quotes[i]

    def __iter__(self) -> Iterator[Quote]:
        return iter(self.quotes)

    def index(self, q: Quote) -> int:
        return self._by_start[q.start]

    def starting_at(self, pos: int) -> Quote | None:
        i = self._by_start.get(pos)
        return None if i is None else self.quotes[i]

    def between(self, a: int, b: int) -> range:
        """Indexes of the quotations starting in [a, b)."""
        return range(bisect_left(self.starts, a), bisect_left(self.starts, b))

    def containing(self, i: int) -> int:
        """Index of the quotation with start <= i < end, or -1 (disjoint: only the last one starting
        at or before i can hold it)."""
        k = bisect_right(self.starts, i) - 1
        return k if k >= 0 and i < self.ends[k] else -1

    def strictly_inside(self, i: int) -> bool:
        """Whether start < i < end for some quotation."""
        k = bisect_left(self.starts, i) - 1
        return k >= 0 and i < self.ends[k]

    def ends_at(self, i: int) -> bool:
        return i in self._ends


def _skip_nested(text: str, j: int, pe: int) -> int:
    """Past a nested straight-quoted stretch starting at j (or just past j when it has no end)."""
    k = text.find('"', j + 1, pe)
    return k + 1 if k > 0 else j + 1


# (?<![.!?…]): a boundary starts at the first mark of a run ("..."), the only place the original
# pattern could match; without it every mark of a long run of dots would rescan the rest of the run.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[\"”’'»›“)\]]*(?=\s+(?:''|[\"“„«‹‘‚'(\[])?[A-Z0-9ÀÁÂÉÎÓÖÜ])")
_ABBREV_BEFORE = re.compile(r"([\w.]+)\.$")


def sentences(text: str, paras: list[tuple[int, int]], quotes: QuoteIndex) -> list[Sentence]:
    """Sentences, never breaking inside a quotation. A quotation never runs over paragraphs
    (find_quotes ends one left open at its paragraph's end), so no sentence does either."""
    out: list[Sentence] = []
    for pi, (ps, pe) in enumerate(paras):
        start = ps
        for m in _BOUNDARY.finditer(text, ps, pe):
            end = m.end()
            if quotes.strictly_inside(m.start()) and (quotes.strictly_inside(end) or not quotes.ends_at(end)):
                continue
            word = _ABBREV_BEFORE.search(text[max(start, m.start() - 12):m.start() + 1])
            if word and m.group().startswith(".") and _is_abbreviation(word.group(1)):
                continue
            out.append(Sentence(start, end, pi))
            start = end
            while start < pe and text[start].isspace():
                start += 1
        if start < pe:
            out.append(Sentence(start, pe, pi))
    return out


def _is_abbreviation(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in ABBREVIATIONS or (len(w) == 1 and w.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", w))


class SentenceIndex:
    """Sentences (in text order, disjoint) looked up by position."""

    def __init__(self, sents: list[Sentence]) -> None:
        self.sents = sents
        self.starts = [s.start for s in sents]
        self._by_start = {s.start: i for i, s in enumerate(sents)}

    def at(self, pos: int) -> int:
        """Index of the sentence holding pos, or -1."""
        k = bisect_right(self.starts, pos) - 1
        return k if k >= 0 and pos < self.sents[k].end else -1

    def starting_at(self, pos: int) -> Sentence | None:
        i = self._by_start.get(pos)
        return None if i is None else self.sents[i]
