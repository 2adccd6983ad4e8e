"""Cue constructions that name the source of a clause in an adverbial:

  As NP reports (for X), CLAUSE       as_source_said     "As Emily Feng reports for NPR, the first cases …";
                                                         "If, as I've suggested, developers benefit …"
  CLAUSE, per NP / Per NP, CLAUSE     (according_to)     "per" read like "according to" (frames_clause)
  NP, which accuses …                 relative_speaker   the antecedent of "which"/"who" speaks
"""

from __future__ import annotations

import re

from worker.statements.draft import Draft, trim_end
from worker.statements.frames_cue import CLAUSE_MIN_WORDS, CueSite, claim, cut_trailing, within
from worker.statements.mentions import Mention, left_mention
from worker.statements.window import has_words, stripped

# "As" opening the sentence (perhaps after "Yet,", "But" or "If,") or a clause after a comma, right
# before the speaker phrase
_AS_LEAD = re.compile(r"(?:(?:But|And|Yet|So|If|Still)\s*,?\s*)?[Aa]s")
_AS_AFTER_COMMA = re.compile(r"[,;—]\s*as\s+$")
# the comma closing "as NP reports for NPR," comes within this many characters of the cue
_AS_COMMA = 120
# between the cue and the comma, nothing or a short adjunct: "for NPR", "at the time", "in a blog post"
_ADJUNCT_GAP = re.compile(r"(?:\s+(?:for|in|on|at|to|during|with|last|this|earlier|recently|previously|"
                          r"once|before|often|himself|herself)(?:\s+[\w.’'-]+){0,5})?\s*")
_RELATIVE_BEFORE = re.compile(r",\s*(?:which|who)\s+(?:\w+\s+){0,2}?$")
_SPEAKING = ("person", "organisation", "group", "pronoun", "title")


def as_source_said(site: CueSite, mention: Mention) -> Draft | None:
    """ "As NP reports (for NPR), CLAUSE": what was said is the clause after the comma."""
    text, sent = site.text, site.sent
    lead = stripped(text, sent.start, mention.start, 24)
    if not (lead is not None and _AS_LEAD.fullmatch(lead)) and \
            not _AS_AFTER_COMMA.search(text, max(sent.start, mention.start - 24), mention.start):
        return None
    comma = text.find(",", site.end, min(sent.end, site.end + _AS_COMMA))
    if comma < 0 or not _ADJUNCT_GAP.fullmatch(text, site.end, comma):
        return None  # "as Campa shows this news organization the camp, …": an object, no source
    start = comma + 1
    while start < sent.end and text[start].isspace():
        start += 1
    end = cut_trailing(text, start, trim_end(text, start, sent.end))
    if not has_words(text, start, end, CLAUSE_MIN_WORDS):
        return None
    held = within(site.ctx, site.inside, start, end)
    claim(site.ctx, held)
    return site.draft(mention, start, end, "mixed" if held else "indirect", 0.7)


def relative_speaker(site: CueSite) -> Mention | None:
    """ "the United States, which accuses him of …": the phrase before ", which" (or ", who") when it
    names a speaker."""
    text, sent = site.text, site.sent
    lo = max(sent.start, site.start - 40)
    m = _RELATIVE_BEFORE.search(text, lo, site.start)
    if m is None:
        return None
    who = left_mention(text, sent.start, m.start())
    return who if who is not None and who.kind in ("person", "organisation") else None
