"""Cue constructions that attribute a quotation.

  “…,” NP said / “…,” said NP      quotation_then_cue           the quotation before the cue
  NP said: “…” / NP said “…”       cue_then_quotation           the quotation after the cue (mixed
                                                                when the sentence goes on)
  NP said:  ⏎ “…”                  cue_colon_next_paragraph     the next paragraph's quotation (or,
                                                                without one, its first sentence)
  “…” ⏎ NP said so.                quotation_sentence_before    the sentence before, a quotation
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from worker.statements.draft import Context, Draft, chain, mask_abbreviations, substantive, trim_end
from worker.statements.frames_cue import OBJECT_CUES, CueSite, cut_trailing, ends_in
from worker.statements.lexicon import CUE_WORDS
from worker.statements.mentions import Mention, left_mention, loose_mention, right_mention
from worker.statements.segment import Quote
from worker.statements.window import has_words, lead_words

# A speaker phrase between a quotation and its cue ("…,” Sen. Ted Cruz, a Republican, said): the
# patterns below allow 200 characters after the first word, so a longer gap can only be blank.
_GAP_MAX = 300
# How far after a cue the punctuation closing a loose speaker phrase is looked for: the end of
# "…,” said the 46-year-old." (a phrase of at most 6 words). A longer stretch without it holds too
# many words for the phrase, unless they are hundreds of characters long.
_SLOT_MAX = 600

_BLANK_GAP = re.compile(r"[\s,;—–-]*")
_NAME_GAP = re.compile(r"[\s,;—–-]*[^\s,.;:!?“”\"„«»][^.;:!?“”\"„«»]{0,200}")
_STOP = re.compile(r"[,.;:!?“\"]|$")
_PUNCT_GAP = re.compile(r"[\s,:;—–-]*")
# “…,” he said, referring to the rule, “…” / “…,” she said, telling the board, “…”: a participle's
# short phrase between the attribution and the quotation's second piece
_ASIDE_GAP = re.compile(r"(?:\s+in)?,\s+([a-z]+ing)\b[^“”\"\n.;:!?]{0,120}?,\s*")
_B_GAPS = (re.compile(r"\s*(?:,|:|—|–)?\s*(?:that\s+)?"),
           re.compile(r"\s+(?:of|about|to|on|in)\s+[^“\"'.:]{1,50}?[:,]\s*"))
_B_OBJECT_GAP = re.compile(r"\s*[\w.'’ ]{1,40}?[,:]\s*")
# a quotation closed by a comma ("…,”) hands the sentence on to an attribution: X said, “…,” his office said
_COMMA_CLOSE = re.compile(r",\s*(?:''|[”\"’])$")
_UTTERANCE_CLOSE = re.compile(r"\w[,?!]\s*(?:''|[”\"’])$")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_COLON_AFTER = re.compile(r"[^.!?]{0,60}:\s*")


def quotation_then_cue(site: CueSite) -> Draft | None:
    """ "“…,” NP said" / "“…,” said NP": the last unclaimed quotation before the cue, with a speaker
    between them or right after the cue; a quotation right after the speaker continues it."""
    text, sent, inside, quotes, claimed = site.text, site.sent, site.inside, site.ctx.quotes, site.ctx.claimed
    top = min(inside.stop, bisect_right(quotes.ends, site.start)) - 1
    qi = claimed.prev_free(top) if top >= inside.start else -1
    if qi < inside.start:
        return None
    q = quotes[qi]
    mention = _speaker_after_quotation(site, q)
    if mention is None or not (substantive(text, q) or _short_utterance(text, sent.start, q)):
        return None
    claimed.add(qi)
    start, kind = q.start, "direct"
    if _clause_before(text, sent.start, q) and not ends_in(text, sent.start, q.start, ":"):
        start, kind = sent.start, "mixed"
    elif q.start == sent.start:
        start = _chain_back(site.ctx, site.si, start)
    end = chain(site.ctx, site.si, q)
    after_attr = max(site.end, mention.end)
    ri = claimed.next_free(bisect_left(quotes.starts, after_attr))
    if ri < inside.stop and _resumes(site, after_attr, quotes[ri].start):
        claimed.add(ri)
        end = max(end, chain(site.ctx, site.si, quotes[ri]))
    return site.draft(mention, start, end, kind, 0.9)


def _resumes(site: CueSite, start: int, end: int) -> bool:
    """Whether the quotation at ``end`` resumes the one before the attribution ending at ``start``:
    only punctuation between ("…,” she said, “…”), the person told ("…,” she told the board, “…”)
    or a participle's aside reporting no speech of its own ("…,” she said, referring to the rule, “…”,
    not "adding later")."""
    text = site.text
    if _PUNCT_GAP.fullmatch(text, start, end):
        return True
    if site.low in OBJECT_CUES and start == site.end and _B_OBJECT_GAP.fullmatch(text, start, end):
        return True
    m = _ASIDE_GAP.fullmatch(text, start, end)
    return m is not None and m.group(1) not in CUE_WORDS


def _short_utterance(text: str, start: int, q: Quote) -> bool:
    """ "“You winning?” she said" / "“I would,” he said": a quotation of one or two words opening its
    sentence and closing on the comma, question or exclamation mark that hands over to the cue (a
    quoted title or term does not)."""
    return q.start == start and q.closed and _UTTERANCE_CLOSE.search(text, q.start, q.end) is not None


def _clause_before(text: str, start: int, q: Quote) -> bool:
    """Whether the quotation finishes a clause begun before it: two words or more before it ("Apple
    was “…”"), or one when the quotation opens in lower case (Customers “began to say …”)."""
    if lead_words(text, start, q.start, 2):
        return True
    first = _FIRST_LETTER.search(text, q.start, q.end)
    return first is not None and first.group().islower() and lead_words(text, start, q.start, 1)


def _speaker_after_quotation(site: CueSite, q: Quote) -> Mention | None:
    """Who the cue after quotation q names: after the cue when only punctuation parts them ("…,” said
    NP), else the phrase between them ("…,” NP said)."""
    text, cs = site.text, site.start
    if cs - q.end > _GAP_MAX:
        return None
    gap = text[q.end:cs]
    if _BLANK_GAP.fullmatch(gap):
        return _said_speaker(site)
    if _NAME_GAP.fullmatch(mask_abbreviations(gap)):
        return _speaker_said(text, q.end, cs)
    return None


def _said_speaker(site: CueSite) -> Mention | None:
    """ "said NP": the speaker right after the cue, or a short loose phrase up to punctuation."""
    text, ce, sent_end = site.text, site.end, site.sent.end
    mention = right_mention(text, ce, sent_end)
    if mention is None:  # “…,” said the 46-year-old.
        limit = min(sent_end, ce + _SLOT_MAX)
        stop = _STOP.search(text, ce, limit)
        if stop is not None and (stop.group() or limit == sent_end):
            mention = loose_mention(text, ce, stop.start(), max_words=6)
    return mention


def _speaker_said(text: str, start: int, cs: int) -> Mention | None:
    """ "NP said": the speaker filling text[start:cs], between a quotation and its cue."""
    mention = left_mention(text, start, cs)
    if mention is not None:
        residue = text[start:mention.start]
        if mention.role:
            residue = residue.replace(mention.role, "", 1)
        if re.sub(r"\b(?:the|a|an)\b", "", residue).strip(" ,—–-") != "":
            mention = None
    if mention is None:
        mention = loose_mention(text, start, cs)
    return mention


def cue_then_quotation(site: CueSite, mention: Mention) -> Draft | None:
    """ "NP said: “…”": an unclaimed quotation right after the cue (past a colon, comma, "that", a
    short "about X:" or, after "told", the person told)."""
    text, sent, quotes, claimed = site.text, site.sent, site.ctx.quotes, site.ctx.claimed
    bi = claimed.next_free(bisect_left(quotes.starts, site.end))
    if bi >= site.inside.stop or not substantive(text, quotes[bi]):
        return None
    q = quotes[bi]
    if not (any(p.fullmatch(text, site.end, q.start) for p in _B_GAPS) or (
            site.low in OBJECT_CUES and _B_OBJECT_GAP.fullmatch(text, site.end, q.start))):
        return None
    claimed.add(bi)
    tail_end = trim_end(text, q.end, sent.end)
    if has_words(text, q.end, tail_end, 3) and not _COMMA_CLOSE.search(text, q.start, q.end):
        end = cut_trailing(text, q.start, tail_end)
        return site.draft(mention, q.start, end, "mixed", 0.8)
    return site.draft(mention, q.start, chain(site.ctx, site.si, q), "direct", 0.9)


def cue_colon_next_paragraph(site: CueSite, mention: Mention) -> Draft | None:
    """ "NP said: ⏎ “…”": the cue ends its sentence with a colon; the next sentence's quotation (or the
    next paragraph's first sentence) is what was said."""
    text, sent, sents = site.text, site.sent, site.ctx.sents
    quotes, claimed = site.ctx.quotes, site.ctx.claimed
    if not _COLON_AFTER.fullmatch(text, site.end, sent.end) or site.si + 1 >= len(sents):
        return None
    nxt = sents[site.si + 1]
    q2 = quotes.starting_at(nxt.start)
    if q2 is not None and quotes.index(q2) not in claimed:
        claimed.add(quotes.index(q2))
        end = chain(site.ctx, site.si + 1, q2)
        return site.draft(mention, q2.start, end, "direct", 0.85)
    if q2 is None and nxt.paragraph != sent.paragraph:
        end = trim_end(text, nxt.start, nxt.end)
        return site.draft(mention, nxt.start, end, "indirect", 0.6)
    return None


def quotation_sentence_before(site: CueSite, who: Mention) -> Draft | None:
    """ "“…” ⏎ Smith said so on Tuesday.": the sentence before, when it is a whole unclaimed quotation."""
    if site.si == 0:
        return None
    text, quotes, claimed = site.text, site.ctx.quotes, site.ctx.claimed
    prev = site.ctx.sents[site.si - 1]
    q0 = quotes.starting_at(prev.start)
    if q0 is None or prev.end - q0.end > 2 or quotes.index(q0) in claimed or \
            not (substantive(text, q0) or _short_utterance(text, prev.start, q0)):
        return None
    claimed.add(quotes.index(q0))
    end = q0.end
    if prev.paragraph == site.sent.paragraph:  # “…?” Smith said. “…” — the quotation goes on after her
        end = max(end, chain(site.ctx, site.si, q0))
    return site.draft(who, q0.start, end, "direct", 0.8)


def _chain_back(ctx: Context, si: int, start: int) -> int:
    """ "“Why are you still endorsing him?” “What does this say about your party?” she asked." — earlier
    sentences of the paragraph that are whole, unclaimed quotations belong to the same statement."""
    sents, quotes, claimed = ctx.sents, ctx.quotes, ctx.claimed
    k = si - 1
    while k >= 0 and sents[k].paragraph == sents[si].paragraph:
        prev = sents[k]
        q0 = quotes.starting_at(prev.start)
        if q0 is None or prev.end - q0.end > 2 or quotes.index(q0) in claimed:
            break
        claimed.add(quotes.index(q0))
        start = q0.start
        k -= 1
    return start
