"""One reporting cue being framed, and the span helpers every cue construction shares.

The constructions themselves live in ``frames_quoted`` (the cue attributes a quotation) and
``frames_clause`` (the cue attributes a clause); ``frames`` finds the cues and tries them in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.statements.draft import Context, Draft
from worker.statements.lexicon import CUE_WORDS, wordset
from worker.statements.mentions import Mention
from worker.statements.segment import Sentence
from worker.statements.window import last_visible

CUE_ALT = "|".join(sorted((w for w in CUE_WORDS if not w.startswith("point")), key=len, reverse=True))
OBJECT_CUES = wordset("tell tells told telling ask asks asked warn warns warned urge urges urged "
                      "promise promises promised assure assures assured")
# the person told, asked or warned: "told reporters", "warned the committee's chairman", "asked him"
OBJECT = re.compile(r"\s*(?:reporters|journalists|lawmakers|supporters|"
                    r"(?:the|his|her|their|its|my|our|a|an)\s+(?:\w+\s+){0,3}?\w+|"
                    r"(?:him|her|them|us|me|you)\b|(?:[A-Z][\w.'’&-]*\s*){1,6})")
CLAUSE_MIN_WORDS = 3
COMMA_NEXT = re.compile(r"\s*,")


@dataclass(frozen=True, slots=True)
class CueSite:
    """A reporting cue at text[start:end] (``cue`` as written, ``low`` lower-cased) in sentence ``si``;
    ``sent`` is that sentence as the cue sees it (perhaps cut short) and ``inside`` the quotations
    starting in it."""

    ctx: Context
    si: int
    sent: Sentence
    inside: range
    start: int
    end: int
    cue: str
    low: str

    @property
    def text(self) -> str:
        return self.ctx.text

    def draft(self, who: Mention | None, start: int, end: int, kind: str, confidence: float,
              cue: str | None = None) -> Draft:
        """The statement this cue makes of who's content text[start:end]."""
        return Draft(self.start, self.end, self.cue if cue is None else cue, who, start, end, kind,
                     confidence, self.sent.paragraph)


def ends_in(text: str, start: int, end: int, chars: str) -> bool:
    """Whether text[start:end].rstrip() ends with one of ``chars``."""
    k = last_visible(text, start, end)
    return k > start and text[k - 1] in chars


def within(ctx: Context, inside: range, start: int, end: int) -> range:
    """The quotations of ``inside`` starting in [start, end)."""
    held = ctx.quotes.between(start, end)
    return range(max(held.start, inside.start), min(held.stop, inside.stop))


def claim(ctx: Context, held: range) -> None:
    """Claim every quotation in ``held``, stepping over those already claimed."""
    i = ctx.claimed.next_free(held.start)
    while i < held.stop:
        ctx.claimed.add(i)
        i = ctx.claimed.next_free(i + 1)


# (?<!\s) and (?:,|(?<!\s)): a cut starts at the first space of a run, where the original pattern's
# leftmost match always started; without it each space of a long run would rescan the run.
# (?=[,\s]): every alternative starts with one of those; the check first makes the scan cheaper.
# cues of a second speaker's clause joined to the sentence: "…, and human rights groups warned that …"
_JOINED_CUES = ("said|say|says|told|added|warned|warn|warns|noted|argued|argue|insisted|claimed|denied|"
                "acknowledged|admitted|stressed|emphasized|asserted|contended|countered|responded|replied|"
                "wrote|tweeted|announced|predicted|urged|cautioned|complained|suggested|cautioned")
_TRAILING = re.compile(
    r"(?=[,\s])(?:,\s+(?:according to|adding|saying|noting|he said|she said|they said)\b|"
    r"(?<!\s)\s+(?:and|but)\s+(?:also\s+)?(?:" + CUE_ALT + r")\b|"
    r",\s+(?:and|but|while)\s+(?:[\w’'-]+\s+){1,8}?(?:" + _JOINED_CUES + r")\b|"
    r",\s+(?:which|where|something|a move|a claim|an assertion|a statement|a charge|a prospect|for which)\b|"
    r"\s+[—–]\s+but\s+(?:it|it’s|it's|there|that|this)\s|"
    r",\s+(?:but|though|although)\s+(?:he|she|they)\s+(?:did not|didn’t|didn't|would not|declined|"
    r"acknowledged|conceded|admitted|added|noted)\b|"
    r"(?:,|(?<!\s))\s+and\s+(?:accused|blamed|criticized|criticised|dismissed|praised|slammed|attacked)\b)")


def cut_trailing(text: str, start: int, end: int) -> int:
    """Stop the reported clause before a trailing attribution or participle (", adding …")."""
    m = _TRAILING.search(text[start:end])
    return start + m.start() if m else end
