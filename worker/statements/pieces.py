"""What a statement says, as pieces of the text: the parts of its envelope that were said.

A statement's envelope (content_start to content_end) can hold more than what was said: a
quotation split by its attribution holds the attribution (“We know the cause,” he said. “It was
the grid.”), and so does a clause the attribution interrupts (The plan, Ortiz notes, costs more).
The pieces leave that out:

- a direct statement whose envelope opens with a quotation: the insides of the quotations in the
  envelope, without their marks. Whatever lies between two quotations (the attribution, narration)
  is left out, and a quotation running over paragraphs gives one piece per paragraph, without the
  mark that reopens it;
- any other statement (indirect, mixed, a transcript line): the envelope without the statement's
  own cue and speaker mention where they lie inside it, and without the commas, dashes and spaces
  around them. A piece that is exactly one quotation is given without its marks.

Every piece is trimmed of white space, non-empty and exact (``text[start:end]``); the pieces are
in text order, disjoint and inside the envelope. The work is a bisection into the quotations, a
visit to each quotation in the envelope and a look for line breaks inside the pieces: no more than
the envelope's own characters, which the content string costs anyway.
"""

from __future__ import annotations

from bisect import bisect_left

from worker.statements.segment import OPENER_RE, QuoteIndex

Span = tuple[int, int]

# A speaker mention this close to its cue is one attribution with it ("Ortiz notes", "said Jane
# Doe, the mayor"): the two go together. The phrase patterns keep a mention within a few words of
# its cue (at most 16 auxiliaries and time words between them, see mentions.py).
_NEAR = 120
_AROUND_CUT = " \t\r\n,—–"


def content_spans(text: str, quotes: QuoteIndex, start: int, end: int, kind: str,
                  cue: Span | None, mention: Span | None) -> tuple[Span, ...]:
    """The pieces of the statement whose envelope is text[start:end] (see the module's docstring).

    ``cue`` and ``mention`` are the statement's own reporting expression and speaker mention (None
    when it has none, or the mention is implicit). Falls back to the trimmed envelope when nothing
    else is left, so a statement always has a piece."""
    first = quotes.containing(start)
    if kind == "direct" and first >= 0 and quotes[first].start == start:
        pieces = _quotation_insides(text, quotes, first, start, end)
    else:
        pieces = _without_attribution(text, quotes, start, end, cue, mention)
    if not pieces:
        piece = _trimmed(text, start, end)
        pieces = [piece] if piece is not None else [(start, end)]
    return tuple(pieces)


def _quotation_insides(text: str, quotes: QuoteIndex, first: int, start: int, end: int) -> list[Span]:
    out: list[Span] = []
    for k in range(first, bisect_left(quotes.starts, end)):
        out.extend(_inside(text, quotes, k, start, end))
    return out


def _inside(text: str, quotes: QuoteIndex, k: int, lo: int, hi: int) -> list[Span]:
    """The inside of quotation k, clipped to [lo, hi): one piece per paragraph it runs over."""
    q = quotes[k]
    opener = OPENER_RE.match(text, q.start)
    a = q.start + (len(opener.group()) if opener else 0)
    b = q.end
    if q.closed:
        b -= 2 if opener is not None and opener.group() == "''" else 1
    return _paragraph_pieces(text, max(a, lo), min(b, hi))


def _paragraph_pieces(text: str, a: int, b: int) -> list[Span]:
    """text[a:b] cut where a new line opens with a quotation mark (the mark left out), each piece
    trimmed."""
    out: list[Span] = []
    pos = a
    while True:
        nl = text.find("\n", pos, b)
        if nl < 0:
            break
        j = nl + 1
        while j < b and text[j].isspace():
            j += 1
        reopen = OPENER_RE.match(text, j) if j < b else None
        if reopen is not None:
            piece = _trimmed(text, a, nl)
            if piece is not None:
                out.append(piece)
            a = reopen.end()
        pos = j if reopen is None else a
    piece = _trimmed(text, a, b)
    if piece is not None:
        out.append(piece)
    return out


def _without_attribution(text: str, quotes: QuoteIndex, start: int, end: int, cue: Span | None,
                         mention: Span | None) -> list[Span]:
    cut = _attribution(start, end, cue, mention)
    if cut is None:
        parts = [(start, end)]
    else:
        a, b = cut
        while a > start and text[a - 1] in _AROUND_CUT:
            a -= 1
        while b < end and text[b] in _AROUND_CUT:
            b += 1
        parts = [(start, a), (b, end)]
    out: list[Span] = []
    for a, b in parts:
        piece = _trimmed(text, a, b)
        if piece is None:
            continue
        k = quotes.containing(piece[0])
        if k >= 0 and quotes[k].start == piece[0] and quotes[k].end == piece[1]:
            out.extend(_inside(text, quotes, k, piece[0], piece[1]))  # exactly one quotation
        else:
            out.extend(_paragraph_pieces(text, *piece))  # a quoted transcript turn reopens its mark
    return out


def _attribution(start: int, end: int, cue: Span | None, mention: Span | None) -> Span | None:
    """The statement's cue, with its speaker mention when that is near, where it lies inside the
    envelope (strictly: an attribution at its edge is not inside it)."""
    if cue is None or cue[0] >= cue[1] or not start < cue[0] or not cue[1] < end:
        return None
    a, b = cue
    if mention is not None and mention[0] < mention[1] and start < mention[0] and mention[1] < end:
        gap = cue[0] - mention[1] if mention[1] <= cue[0] else mention[0] - cue[1]
        if 0 <= gap <= _NEAR:
            a, b = min(a, mention[0]), max(b, mention[1])
    return a, b


def _trimmed(text: str, a: int, b: int) -> Span | None:
    """[a, b) without white space at either end; None when nothing is left."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None
