"""Word tokens of a text span, and reading them outward from a cue only as far as a phrase needs.

A speaker phrase is a few words beside its cue, but the span it is looked for in runs to the start
or the end of the sentence, and a sentence can be a megabyte long: tokenising the whole span for
every cue made parsing quadratic. ``Ahead`` reads tokens left to right on demand; ``before``
tokenises only the end of a span, a window that grows while the caller asks for more (it raises
``NeedMore``), and gives exactly the tokens, parentheses dropped, that the whole span would end with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[\w]+(?:[’'&.-][\w]+)*(?:[’']s?)?\.?|[^\w\s]")
# A character no token shares with a neighbour: whitespace, or punctuation that is a token on its
# own (word characters and ’ ' & . - can join a longer token). Tokenising from just after one gives
# the same tokens as tokenising from further left.
_HARD = re.compile(r"[^\w’'&.\-]")


class Token(NamedTuple):
    text: str
    start: int
    end: int
    low: str  # text.lower(), asked for several times per token by every walk

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


def iter_tokens(text: str, start: int, end: int) -> Iterator[Token]:
    for m in _TOKEN.finditer(text, start, end):
        tok = m.group()
        s, e = m.span()
        if tok[-1] == "." and len(tok) > 1 and not abbrev(tok):
            tok, e = tok[:-1], e - 1
        yield Token(tok, s, e, tok.lower())


def tokens(text: str, start: int, end: int) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text, start, end):
        tok = m.group()
        if tok[-1] == "." and len(tok) > 1 and not abbrev(tok):
            tok = tok[:-1]
            out.append(_new(Token, (tok, m.start(), m.end() - 1, tok.lower())))
        else:
            out.append(_new(Token, (tok, *m.span(), tok.lower())))
    return out


_new = tuple.__new__  # what Token(...) does, without its argument handling: the hot path


def abbrev(tok: str) -> bool:
    low = tok.lower().rstrip(".")
    return (low in ("mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "maj",
                    "adm", "cmdr", "st", "jr", "sr", "prof", "rev", "hon", "inc", "corp", "co", "ltd", "ft")
            or len(low) == 1 or "." in low)


def drop_parentheses(toks: list[Token]) -> list[Token]:
    """Without short parenthesised asides such as a party code: "Sen. Kristen Gillibrand (D-NY)"."""
    out: list[Token] = []
    k = 0
    while k < len(toks):
        if toks[k].text == "(":
            close = next((j for j in range(k + 1, min(k + 6, len(toks))) if toks[j].text == ")"), None)
            if close is not None:
                k = close + 1
                continue
        out.append(toks[k])
        k += 1
    return out


class Ahead:
    """The tokens of text[start:end], read left to right as far as they are asked for."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self._it = iter_tokens(text, start, end)
        self._toks: list[Token] = []
        self._done = False

    def get(self, k: int) -> Token | None:
        """The k-th token (from 0), or None when the span has fewer."""
        while len(self._toks) <= k and not self._done:
            nxt = next(self._it, None)
            if nxt is None:
                self._done = True
            else:
                self._toks.append(nxt)
        return self._toks[k] if k < len(self._toks) else None

    def first(self, n: int) -> list[Token]:
        self.get(n - 1)
        return self._toks[:n]


class NeedMore(Exception):
    """A walk leftwards reached the first of the tokens it was given, and they do not start the span."""


class Before:
    """The last tokens of a span (parentheses dropped), as ``before`` gives them: ``whole`` when they
    are all of the span's. ``at(i)`` is the i-th of them, None before the first when they are whole,
    and raises NeedMore when the answer lies further left."""

    def __init__(self, toks: list[Token], whole: bool) -> None:
        self.toks = toks
        self.whole = whole

    def __len__(self) -> int:
        return len(self.toks)

    def at(self, i: int) -> Token | None:
        if i >= 0:
            return self.toks[i]
        if self.whole:
            return None
        raise NeedMore

    def need(self, i: int) -> None:
        """Raise NeedMore unless token i is known to exist or known not to (i < 0, whole)."""
        if i < 0 and not self.whole:
            raise NeedMore


# Past this many characters the window is taken as the whole span: a phrase would have to be spelt
# with tokens hundreds of characters long for the difference to show.
_WINDOW_MAX = 1 << 16


def before(text: str, start: int, end: int, size: int) -> Before:
    """The tokens of text[start:end] that fall in (about) its last ``size`` characters."""
    if end - start <= size or size >= _WINDOW_MAX:
        lo = start if end - start <= size else end - size
        toks = tokens(text, lo, end)
        return Before(drop_parentheses(toks) if text.find("(", lo, end) >= 0 else toks, True)
    hard = _HARD.search(text, end - size, end)
    if hard is None:
        return Before([], False)  # one long token: widen
    raw = tokens(text, hard.end(), end)
    # drop_parentheses reads left to right and skips from a "(" to the first ")" within five tokens.
    # Start where its reading of the window agrees with its reading of the whole span: just after a
    # ")" (no skip from further left reaches past it), or after five tokens without a "(".
    if text.find("(", hard.end(), end) < 0:
        return Before(raw[5:] if len(raw) > 5 else [], False)
    last_paren = -1
    for k, t in enumerate(raw):
        if k - last_paren > 5 or (k and raw[k - 1].text == ")"):
            return Before(drop_parentheses(raw[k:]), False)
        if t.text == "(":
            last_paren = k
    return Before([], False)
