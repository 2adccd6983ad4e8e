"""Quotations, paragraphs and sentences of a text, as character spans into it.

Quotation marks handled: “…” ‘…’ „…” „…“ «…» ‹…› "…" ''…'' (and ‚…‘). A quotation left open at the
end of a paragraph continues when the next paragraph opens with a quotation mark (the newspaper
convention for quotes running over paragraphs); otherwise it ends with its paragraph. Nothing here
ever raises on unbalanced marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Quote:
    start: int  # at the opening mark
    end: int  # just after the closing mark (or at the paragraph's end when left open)
    closed: bool

    def words(self, text: str) -> int:
        return len(re.findall(r"\w+", text[self.start:self.end]))


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
    carry: int | None = None  # start of a quote running over from the previous paragraph
    carry_opener = ""
    for pi, (ps, pe) in enumerate(paras):
        i = ps
        open_at: int | None = None
        opener = ""
        if carry is not None:
            m = _OPENER_RE.match(text, ps)
            if m and m.group() in (*_DOUBLE_OPENERS, "‘"):
                open_at, opener = carry, carry_opener
                i = m.end()
            carry = None
        while i < pe:
            if open_at is None:
                m = _OPENER_RE.search(text, i, pe)
                if m is None:
                    break
                if _is_opening(text, m.start(), m.group()):
                    open_at, opener = m.start(), m.group()
                i = m.end()
                continue
            closers = _PAIRS[opener]
            j = i
            found = -1
            mark_len = 1
            while j < pe:
                ch = text[j]
                if opener == "''" and text.startswith("''", j) and _closes(text, j, "''"):
                    found, mark_len = j, 2
                    break
                if opener == "“" and ch == "“" and j > i and not text[j - 1].isspace() and \
                        (j + 1 >= pe or text[j + 1].isspace()):
                    found = j  # a closing mark typed as an opening one: “…,“ said X
                    break
                if opener != "''" and ch in closers and _closes(text, j, ch):
                    # a straight quote that opens a nested one is not our closer
                    if ch == '"' and opener == '"' and j + 1 < pe and not text[j + 1].isspace() and \
                            text[j + 1] not in ".,;:!?)—–-" and (j == 0 or text[j - 1].isspace()):
                        j = _skip_nested(text, j, pe)
                        continue
                    found = j
                    break
                if opener in ("“", "„", "«") and ch == '"' and (j == 0 or text[j - 1].isspace()):
                    j = _skip_nested(text, j, pe)
                    continue
                j += 1
            if found >= 0:
                quotes.append(Quote(open_at, found + mark_len, True))
                open_at = None
                i = found + mark_len
            else:
                next_para = paras[pi + 1] if pi + 1 < len(paras) else None
                if next_para is not None and _OPENER_RE.match(text, next_para[0]) and opener != "‘":
                    carry, carry_opener = open_at, opener
                elif pe - open_at > 1:
                    quotes.append(Quote(open_at, pe, False))
                open_at = None
                break
    if carry is not None:
        quotes.append(Quote(carry, paras[-1][1], False))
    return quotes


def _skip_nested(text: str, j: int, pe: int) -> int:
    """Past a nested straight-quoted stretch starting at j (or just past j when it has no end)."""
    k = text.find('"', j + 1, pe)
    return k + 1 if k > 0 else j + 1


_BOUNDARY = re.compile(r"[.!?…]+[\"”’'»›“)\]]*(?=\s+(?:''|[\"“„«‹‘‚'(\[])?[A-Z0-9ÀÁÂÉÎÓÖÜ])")


def sentences(text: str, paras: list[tuple[int, int]], quotes: list[Quote]) -> list[Sentence]:
    """Sentences, never breaking inside a quotation; a quotation running over paragraphs joins them."""
    inside = _quote_mask(quotes)
    out: list[Sentence] = []
    pi = 0
    while pi < len(paras):
        ps, pe = paras[pi]
        # join paragraphs a quotation runs over
        last = pi
        while last + 1 < len(paras) and _covered(inside, paras[last][1] - 1, paras[last + 1][0]):
            last += 1
        pe = paras[last][1]
        start = ps
        for m in _BOUNDARY.finditer(text, ps, pe):
            end = m.end()
            if _in_quote(inside, m.start()) and _in_quote(inside, end):
                continue
            if _in_quote(inside, m.start()) and not _quote_ends_at(quotes, end):
                continue
            word = re.search(r"([\w.]+)\.$", text[max(start, m.start() - 12):m.start() + 1])
            if word and m.group().startswith(".") and _is_abbreviation(word.group(1)):
                continue
            out.append(Sentence(start, end, pi))
            start = end
            while start < pe and text[start].isspace():
                start += 1
        if start < pe:
            out.append(Sentence(start, pe, pi))
        pi = last + 1
    return out


def _is_abbreviation(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in ABBREVIATIONS or len(w) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", w))


def _quote_mask(quotes: list[Quote]) -> list[tuple[int, int]]:
    return [(q.start, q.end) for q in quotes]


def _in_quote(mask: list[tuple[int, int]], i: int) -> bool:
    return any(s < i < e for s, e in mask)


def _covered(mask: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s <= a and b < e for s, e in mask)


def _quote_ends_at(quotes: list[Quote], i: int) -> bool:
    return any(q.end == i for q in quotes)
