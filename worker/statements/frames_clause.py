"""Cue constructions that attribute a clause (indirect speech; mixed when the clause quotes).

  CLAUSE, NP said, CLAUSE               said_mid_sentence     the attribution in the middle
  NP said (that) CLAUSE                 said_that_clause      the reported clause after the cue
  CLAUSE, NP said / CLAUSE, said NP     clause_then_said      the clause before (the cue closes the
                                                              sentence)
  according to NP, CLAUSE / CLAUSE, according to NP
                                        according_to
"""

from __future__ import annotations

import re
from itertools import islice

from worker.statements.draft import Draft, trim_end
from worker.statements.frames_cue import (
    CLAUSE_MIN_WORDS,
    COMMA_NEXT,
    OBJECT,
    OBJECT_CUES,
    CueSite,
    claim,
    cut_trailing,
    ends_in,
    within,
)
from worker.statements.frames_object import CLAUSE, NOTHING, NOUN_CUES, noun_object_end
from worker.statements.frames_quoted import quotation_sentence_before
from worker.statements.lexicon import ADJUNCT_WORDS, WEAK_CUES, wordset
from worker.statements.mentions import Mention, loose_mention, right_mention
from worker.statements.tokens import Ahead
from worker.statements.window import ends_with, has_words, space_back, stripped

_REPORT_FORMS = wordset("report reports reported")
_PREPOSITIONS = wordset("in on at during with to after before from over via through")
_TO_CUES = wordset("""promise promises promised pledge pledges pledged vow vows vowed urge urges urged
threaten threatens threatened ask asks asked tell tells told warn warns warned""")
# How far from a cue the punctuation closing a loose speaker phrase is looked for: the comma of
# "according to NP," (30 words). A longer stretch without it holds too many words for the phrase,
# unless they are hundreds of characters long.
_COMMA_MAX = 1200

_THAT_LATER = re.compile(r"\s+(?:[\w’']+\s+){0,5}?that\s")
_COLON_NEXT = re.compile(r":\s+(?=\w)")
_BARE_LEAD = re.compile(r"(?:That|This|So|Or so)(?: was| is)?(?: how| what)?")
_TAIL_WORD = re.compile(r"[\w’']+")
_SPEAKING_KINDS = ("person", "organisation", "group", "pronoun", "title")


def said_mid_sentence(site: CueSite, mention: Mention) -> Draft | None:
    """ "CLAUSE, NP said, CLAUSE": the attribution set off by commas inside what was said; the whole
    sentence is the content."""
    text, sent = site.text, site.sent
    if not (COMMA_NEXT.match(text, site.end, sent.end) and ends_in(text, sent.start, mention.start, ",")
            and has_words(text, sent.start, mention.start, 2)):
        return None
    if _SOURCE_NEXT.match(text, site.end, sent.end):
        return None  # "CLAUSE, the office said, according to X": the clause is before the cue
    end = trim_end(text, sent.start, sent.end)
    if not has_words(text, site.end, end, 2):
        return None
    kind = "mixed" if site.inside else "indirect"
    claim(site.ctx, site.inside)
    return site.draft(mention, sent.start, end, kind, 0.75)


def said_that_clause(site: CueSite, mention: Mention) -> Draft | None:
    """ "NP said (that) CLAUSE": the clause after the cue and its adjuncts. A weak cue ("believes")
    needs a "that" within a few words."""
    text, sent = site.text, site.sent
    if _SOURCE_NEXT.match(text, site.end, sent.end):
        return None  # "CLAUSE, the office said, according to X"
    colon = _COLON_NEXT.match(text, site.end, sent.end)
    word = site.low.split()[0]
    weak = colon is None and word in WEAK_CUES and not _THAT_LATER.match(text, site.end, sent.end)
    if weak and word not in NOUN_CUES:
        return None
    start = colon.end() if colon else _content_start(text, site.end, sent.end, site.low)
    if start is None:
        return None
    end = trim_end(text, start, sent.end)
    end = cut_trailing(text, start, end)
    # a noun phrase right after the cue: "denied the allegations in a statement", "reported a loss"
    obj_end = CLAUSE if colon or text[site.end:start].strip() else noun_object_end(text, start, end, word)
    # right after the cue: not "reported from Kabul, and …" (a byline) nor "reported for duty"
    reported = word in _REPORT_FORMS and mention.kind in ("person", "organisation") \
        and not _PREPOSITION_NEXT.match(text, site.end, sent.end)
    refused = obj_end == CLAUSE and not reported
    if obj_end == NOTHING or (weak and (refused or mention.kind not in _SPEAKING_KINDS)):
        # "added a goal"; "McClatchy reported a loss …", not "the guard reported for duty"; a clause
        # after a weak cue needs "that", but a named source reports one ("Politico reported the aid …")
        return None
    if obj_end != CLAUSE:
        end = obj_end
    elif not has_words(text, start, end, CLAUSE_MIN_WORDS):
        return None
    held = within(site.ctx, site.inside, start, end)
    kind = "mixed" if held else "indirect"
    claim(site.ctx, held)
    return site.draft(mention, start, end, kind, 0.75)


_ASK_WH = re.compile(r"(?:\s+[\w.'’-]+){0,6}?\s+(if|whether|why|what|how|which|who|when|where)\s")
_TO_NEXT = re.compile(r"\s+to\s")
_THAT_CLAUSE = re.compile(r"\s*,?\s*((?:[\w.'’-]+\s+){0,10}?)that\s")
_ADJUNCT_LEAD = re.compile(r"(?:of|about|on|in|during|at|to|with|after|before)\s")
_DURATION = re.compile(r"\s*(?:for|in|over)\s+(?:the\s+past\s+|recent\s+|several\s+|many\s+)?(?:weeks|"
                       r"months|years|days|decades|some\s+time|a\s+while|a\s+long\s+time)\s*,?")
# Adjuncts between a cue and its clause ("on Tuesday in a statement to reporters") are a few words;
# some cue words are adjunct words too ("call"), so a run of them is not walked past this.
_MAX_ADJUNCTS = 48
_DETERMINERS = ("the", "a", "an", "his", "her", "their", "its")
_PREPOSITION_NEXT = re.compile(r"\s+(?:from|for|on|in|at|to|with|by|about)\b")
_REDUCED_RELATIVE = re.compile(r"(?:a|an|the|this|that)\s+[\w’'-]+\s+(?:the|a|an|his|her|their|its)\s", re.I)
_NAME_LINK = re.compile(r"\b(?:of|for|at|in)\s*$")
_WHILE_WORDS = ("while", "when", "after", "before", "during")
_NOT_A_CLAUSE = ("by", "of", "about", "to", "for", "with", "on", "in", "at", "from", "and", "as")


def _content_start(text: str, ce: int, end: int, cue: str) -> int | None:
    """Where the clause reported by the cue ending at ``ce`` starts (None when none follows)."""
    if cue.startswith("ask"):
        return _asked_start(text, ce, end)
    i = ce
    if cue in OBJECT_CUES:
        m = OBJECT.match(text, i, end)
        if m:
            i = m.end()
    # adjuncts ("on Tuesday", "in a statement", "in an interview with CNN") up to "that" or a comma
    m = _THAT_CLAUSE.match(text, i, end)
    if m and (all(w.lower() in ADJUNCT_WORDS or w[:1].isupper() or w.lower() in ("of", "for", "and", "'s")
                  for w in m.group(1).split())
              or _ADJUNCT_LEAD.match(m.group(1))):
        return m.end()
    m = _DURATION.match(text, i, end)
    if m:
        i = m.end()
    toks = Ahead(text, i, end)
    k = 0
    while k < _MAX_ADJUNCTS and (t := toks.get(k)) is not None and t.low in ADJUNCT_WORDS and (
            t.low not in _DETERMINERS
            or (k > 0 and (prev := toks.get(k - 1)) is not None and prev.low in _PREPOSITIONS)):
        k += 1
    t = toks.get(k)
    if t is not None and t.text == ",":
        k += 1
    first = toks.get(k)
    if first is None:
        return None
    if first.low == "to" and cue.startswith("add"):
        return None  # "adding to his victories"
    if first.low == "to" and cue.split()[0] in _TO_CUES:
        return first.start
    if first.text in ".,;:!?)" or first.low in _NOT_A_CLAUSE:
        return None
    if first.low in _WHILE_WORDS and _PARTICIPLE_TAIL.match(text, first.start - 1, end):
        return None  # "said while visiting Ohio": an adjunct, the clause is before the cue
    return first.start


def _asked_start(text: str, ce: int, end: int) -> int | None:
    """ "asked whether …", "asked him to …": where the question or request starts."""
    wh = _ASK_WH.match(text, ce, end)
    if wh is None:
        m = OBJECT.match(text, ce, end)
        return m.end() + 1 if m and _TO_NEXT.match(text, m.end(), end) else None
    return wh.start(1)


def clause_then_said(site: CueSite, mention: Mention | None) -> Draft | None:
    """ "CLAUSE, NP said" / "CLAUSE, said NP": the cue and its speaker close the sentence (nothing but
    time and manner words after them); the clause before is what was said."""
    text, sent = site.text, site.sent
    right = None
    if mention is not None and ends_with(_NAME_LINK, text, sent.start, mention.start, 8):
        # "…, the Office for the District of Utah said": the name is the tail of a longer phrase
        mention = _speaker_after_comma(site) or mention
    if mention is None:
        mention = _speaker_after_comma(site)
    if mention is None:
        right = right_mention(text, site.end, sent.end)
    who = mention or right
    if who is None:
        return None
    tail_start = who.end if right is not None else site.end
    if site.low in OBJECT_CUES and right is None:
        obj = OBJECT.match(text, tail_start, sent.end)
        if obj:
            tail_start = obj.end()
    if not _only_adjuncts(text, tail_start, sent.end):
        return None
    head_end = who.start if mention is not None else site.start
    lead = stripped(text, sent.start, head_end, 16)
    if lead is not None and (not lead or _BARE_LEAD.fullmatch(lead)):
        draft = quotation_sentence_before(site, who)
        if draft is not None:
            return draft
    return _clause_before(site, who, head_end)


def _speaker_after_comma(site: CueSite) -> Mention | None:
    """ "CLAUSE, the Trump campaign said": a person, organisation or group between a comma (within
    80 characters) and the cue."""
    text, cs, sent_start = site.text, site.start, site.sent.start
    lo = max(sent_start, cs - 79)  # the comma must be within 80 characters of the cue
    comma = max(text.rfind(",", lo, cs), text.rfind("—", lo, cs))
    if comma <= sent_start or cs - comma >= 80:
        return None
    mention = loose_mention(text, comma + 1, cs)
    if mention is not None and mention.kind not in ("organisation", "group", "person"):
        return None
    if mention is not None and _REDUCED_RELATIVE.match(mention.text):
        return None  # "…, a prospect the council rejected": the thing rejected, then its rejecter
    return mention


def _clause_before(site: CueSite, who: Mention, head_end: int) -> Draft | None:
    """The clause from the sentence's start to the comma or dash before the speaker (or cue)."""
    text, sent, quotes = site.text, site.sent, site.ctx.quotes
    # the clause ends at a comma or dash followed only by spaces
    cut = space_back(text, sent.start, head_end, " ") - 1
    if cut < sent.start or text[cut] not in ",;—–":
        return None
    start = sent.start
    if not has_words(text, start, cut, CLAUSE_MIN_WORDS):
        return None
    kind = "indirect"
    held = within(site.ctx, site.inside, start, cut)
    if held:
        q = quotes[held[-1]]
        kind = "direct" if q.start == start and q.end >= cut else "mixed"
    claim(site.ctx, held)
    if kind == "indirect" and site.low.split()[0] in WEAK_CUES and not _reported_last(site, who):
        return None
    return site.draft(who, start, cut, kind, 0.75)


def _reported_last(site: CueSite, who: Mention) -> bool:
    """ "…, Reuters reported." / "…, reported Channel 9.": a weak "report" counts when a person or
    organisation says it and the two end the sentence."""
    if site.low not in _REPORT_FORMS or who.kind not in ("person", "organisation"):
        return False
    tail = site.text[max(site.end, who.end):site.sent.end].strip(" .!?”\"’)")
    return not tail or tail.isdigit()  # "Channel 9": the number is part of the name


def _only_adjuncts(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], what follows a sentence-final cue and its speaker, is only time and
    manner words (at most 12: read no further than the 13th)."""
    tail = text[start:end]
    if _APPOSITIVE_TAIL.match(tail) or _PARTICIPLE_TAIL.match(tail):
        return True  # "…, said Ann Lee, who heads the group." / "…, Lee said while visiting Ohio."
    words = [m.group() for m in islice(_TAIL_WORD.finditer(text, start, end), 13)]
    if len(words) > 12:
        return False
    stripped_tail = tail.strip(" .!?;:”\"’)")
    if not stripped_tail:
        return True
    if COMMA_NEXT.match(tail):  # an appositive after the speaker: ", a spokesman for X."
        return True
    return all(w.lower() in ADJUNCT_WORDS or w[:1].isupper() or w.isdigit() for w in words)


# after a sentence-final speaker: an appositive or relative clause about the speaker ("…, said Ann Lee,
# who heads the group, a body that …"), or a participial adjunct ("…, Lee said while visiting Ohio")
_APPOSITIVE_TAIL = re.compile(r"\s*,\s*(?:who|whose|a|an|the|one|[A-Z][\w’'.-]*)\s[^;:]*$")
_PARTICIPLE_TAIL = re.compile(r"\s+(?:while|when|after|before|during)\s+[a-z]+ing\b[^,;:]*$")
_SOURCE_NEXT = re.compile(r"\s*,\s*(?:according to|per)\b")
_SAID_BEFORE = re.compile(r"\b(?:said|says|told|reported|wrote|added|noted|stated)\s*$")
_AT_START = re.compile(r"(?:(?:But|And|Yet|Still|However|Indeed|So),?)?")
_REST = re.compile(r"\s*,\s*(?=\S)")


def according_to(site: CueSite) -> Draft | None:
    """ "According to NP, CLAUSE" (at the sentence's start, perhaps after "But") or "CLAUSE, according
    to NP"."""
    text, sent = site.text, site.sent
    lead = stripped(text, sent.start, site.start, 8)
    at_start = lead is not None and _AT_START.fullmatch(lead) is not None
    who = _according_to_speaker(site, at_start)
    if who is None or (site.low == "per" and not _per_source(text, who)):
        return None
    span = _clause_after_according(site, who) if at_start else _clause_before_according(site, who)
    if span is None:
        return None
    start, end = span
    if not has_words(text, start, end, CLAUSE_MIN_WORDS):
        return None
    held = within(site.ctx, site.inside, start, end)
    claim(site.ctx, held)
    kind = "mixed" if held else "indirect"
    return site.draft(who, start, end, kind, 0.75, cue="per" if site.low == "per" else "according to")


def _per_source(text: str, who: Mention) -> bool:
    """ "per the WHO", "per Feng": "per" names a source when a named person or body follows (not "per
    the McKinley plan")."""
    rest = text[who.end:who.end + 8].lstrip()
    return who.kind in ("person", "organisation") and (not rest or rest[0] in ",.;)")


def _according_to_speaker(site: CueSite, at_start: bool) -> Mention | None:
    """NP of "according to NP": a named speaker, or a loose phrase (up to the comma when at the start)."""
    text, sent, ce = site.text, site.sent, site.end
    who = right_mention(text, ce, sent.end, appositive=not at_start)
    if at_start:
        # a comma further than this would close a loose phrase of more than 30 words
        comma = text.find(",", ce, min(sent.end, ce + _COMMA_MAX))
        if comma > 0 and (who is None or who.end < comma):
            who = loose_mention(text, ce, comma, max_words=30, anything=True) or who
    if who is None and not at_start:
        # "One of the officers, according to prison records, had worked …": the phrase up to the comma
        comma = text.find(",", ce, min(sent.end, ce + 120))
        if comma > 0 and has_words(text, comma, sent.end, 3):
            who = loose_mention(text, ce, comma, anything=True)
    if who is None and not at_start:
        who = loose_mention(text, ce, trim_end(text, ce, sent.end), max_words=30)
    return who


def _clause_after_according(site: CueSite, who: Mention) -> tuple[int, int] | None:
    """ "According to NP, CLAUSE": the clause after the comma closing the phrase (within 120 characters)."""
    text, sent = site.text, site.sent
    comma = text.find(",", who.end, min(sent.end, who.end + 121))
    if comma < 0:
        return None  # none, or more than 120 characters after the phrase
    start = comma + 1
    while start < sent.end and text[start].isspace():
        start += 1
    return start, trim_end(text, start, sent.end)


def _clause_before_according(site: CueSite, who: Mention) -> tuple[int, int] | None:
    """ "CLAUSE, according to NP": the clause before, ending at a comma perhaps followed by closing
    quotation marks; a clause going on after the phrase makes the whole sentence the content."""
    text, sent, cs = site.text, site.sent, site.start
    cut = space_back(text, sent.start, cs, " \n\t”’\"»") - 1
    if cut < sent.start or text[cut] != "," or _SAID_BEFORE.search(text, max(sent.start, cut - 12), cut):
        return None  # "…, the commission said, according to Reuters": the clause is the commission's
    start, end = sent.start, cut
    closing = text[cut + 1:cs].strip()
    if closing and closing[0] in "”’\"»":
        end = cut + 1 + text[cut + 1:cs].index(closing[0]) + 1  # keep the closing mark
    rest = _REST.match(text, who.end, sent.end)
    if rest and has_words(text, rest.end(), sent.end, 3):
        end = trim_end(text, start, sent.end)  # "Over the long term, according to X, the rise …"
    return start, end
