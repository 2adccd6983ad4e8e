"""Framing one reporting cue: which quotation or clause it introduces, and whose mention it is.

Per sentence, every reporting cue outside quotation marks is framed as one of:
  A  “…,” NP said / “…,” said NP           the quotation before the cue (direct)
  B  NP said: “…” / NP said “…”            the quotation after the cue (direct, or mixed when the
                                           sentence goes on)
  C  NP said:  ⏎ “…”                        the next paragraph's quotation (direct)
  D  NP said (that) CLAUSE                  the reported clause (indirect; mixed when it quotes)
  E  CLAUSE, NP said / CLAUSE, said NP      the clause before (indirect)
  F  according to NP, CLAUSE / CLAUSE, according to NP
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import islice

from worker.statements.draft import Context, Draft, chain, mask_abbreviations, substantive, trim_end
from worker.statements.lexicon import ADJUNCT_WORDS, CUE_WORDS, WEAK_CUES, wordset
from worker.statements.mentions import Mention, left_mention, loose_mention, right_mention
from worker.statements.segment import Sentence
from worker.statements.tokens import Ahead
from worker.statements.window import ends_with, has_words, last_visible, lead_words, space_back, stripped

_CUE_ALT = "|".join(sorted((w for w in CUE_WORDS if not w.startswith("point")), key=len, reverse=True))
_CUE = re.compile(
    r"\b(?:[Aa]ccording to|(?:went|goes|go|going) on to (?:say|add|note|write|explain|argue)|pointed out|"
    r"call(?:s|ed)? (?:for|on)|put it|"
    + _CUE_ALT
    + r")\b"
)
_OBJECT_CUES = wordset("tell tells told telling ask asks asked warn warns warned urge urges urged "
                         "promise promises promised assure assures assured")
_OBJECT = re.compile(r"\s*(?:reporters|journalists|lawmakers|supporters|"
                     r"(?:the|his|her|their|its|my|our|a|an)\s+(?:\w+\s+){0,3}?\w+|"
                     r"(?:him|her|them|us|me|you)\b|(?:[A-Z][\w.'’&-]*\s*){1,6})")
_CLAUSE_MIN_WORDS = 3
_PREPOSITIONS = wordset("in on at during with to after before from over via through")
# Cue forms that are also nouns: after a determiner, "of" or a possessive they are not cues.
_NOUN_FORMS = wordset("""state states report reports post posts comment comments call calls show shows
find finds estimate
estimates promise promises pledge pledges claim claims statement remark remarks warning warnings
vow vows tweet tweets note notes comment concern concerns fear fears hope hopes denial denials""")
_TO_CUES = wordset("""promise promises promised pledge pledges pledged vow vows vowed urge urges urged
threaten threatens threatened ask asks asked tell tells told warn warns warned""")
_PARTICIPLE_OK = wordset("""saying adding noting arguing claiming insisting explaining warning declaring
telling writing stating suggesting acknowledging admitting denying stressing describing calling
predicting promising vowing urging asserting complaining""")


# A cue is framed within this many characters either side of it. The widest sentence context a
# statement took in the PolNeAR and SCU articles is 631 characters before its cue and 1,221 after;
# beyond that a "sentence" is a run-on (a page without full stops) whose every cue would otherwise
# read, and report as content, all of it. A statement whose content runs into the cut is dropped:
# in a run-on there is no telling where the clause ends, and every cue would report the same
# thousands of characters again.
_REACH = 2500
# A speaker phrase between a quotation and its cue ("…,” Sen. Ted Cruz, a Republican, said): the
# patterns below allow 200 characters after the first word, so a longer gap can only be blank.
_GAP_MAX = 300
# How far from a cue the punctuation closing a loose speaker phrase is looked for: after it, the end
# of "…,” said the 46-year-old." (a phrase of at most 6 words) and the comma of "according to NP,"
# (30 words); before it, the comma opening "…, the campaign's new manager said that" (12 words).
# A longer stretch without that punctuation holds too many words for the phrase, unless they are
# hundreds of characters long.
_SLOT_MAX = 600
_COMMA_MAX = 1200
_CLAUSE_BACK = 600

_NOUN_BEFORE = re.compile(r"(?:\b(?:the|a|an|his|her|their|its|our|this|that|these|those|of|new|latest|"
                          r"recent|previous|earlier|initial|first|same)|’s|'s)\s*$", re.I)
_CALLED_BEFORE = re.compile(r"\b(?:was|were|is|are|be|been|being|group|organization|movement|program|project|"
                            r"law|bill|book|film|show)\s*$")
_BLANK_GAP = re.compile(r"[\s,—–-]*")
_NAME_GAP = re.compile(r"[\s,—–-]*[^\s,.;:!?“”\"„«»][^.;:!?“”\"„«»]{0,200}")
_STOP = re.compile(r"[,.;:!?“\"]|$")
_PUNCT_GAP = re.compile(r"[\s,:;—–-]*")
_THAT_SOON = re.compile(r"\s+(?:\w+\s+){0,2}?that\s")
_PRONOUN_NEXT = re.compile(r"\s+(?:he|she|they|it|we|I|there|the|this|his|her|their)\s")
_WORD_NEXT = re.compile(r"\s+[\w“\"]")
_PREP_NEXT = re.compile(r"\s+(?:by|of|to|for|with|in|on|at|about|from|and)\b")
_HEAD = re.compile(r"(?:^|[.;:!?]\s+|,\s+)((?:The|the)\s+(?:[\w’'-]+\s+){0,3}[\w’'-]+)\s*$")
_B_GAPS = (re.compile(r"\s*(?:,|:|—|–)?\s*(?:that\s+)?"),
           re.compile(r"\s+(?:of|about|to|on|in)\s+[^“\"'.:]{1,50}?[:,]\s*"))
_B_OBJECT_GAP = re.compile(r"\s*[\w.'’ ]{1,40}?[,:]\s*")
_COLON_AFTER = re.compile(r"[^.!?]{0,60}:\s*")
_COMMA_NEXT = re.compile(r"\s*,")
_THAT_LATER = re.compile(r"\s+(?:[\w’']+\s+){0,5}?that\s")
_SHARE_WORDS = re.compile(r"%|percent|half|third|quarter")
_BARE_LEAD = re.compile(r"(?:That|This|So|Or so)(?: was| is)?(?: how| what)?")


def sentence_drafts(ctx: Context, si: int) -> list[Draft]:
    text, sent = ctx.text, ctx.sents[si]
    inside = ctx.quotes.between(sent.start, sent.end)
    out: list[Draft] = []
    for m in _CUE.finditer(text, sent.start, sent.end):
        cs, ce = m.start(), m.end()
        if ctx.quotes.containing(cs) in inside:
            continue
        view, near = _view(ctx, sent, inside, cs, ce)
        draft = _frame(ctx, si, view, near, cs, ce, m.group(), out)
        if draft is not None and not _cut(text, sent, view, draft):
            out.append(draft)
    return out


def _cut(text: str, sent: Sentence, view: Sentence, draft: Draft) -> bool:
    """Whether the draft's content reaches where the view cuts its sentence short."""
    if view.start > sent.start and draft.content_start <= view.start:
        return True
    return view.end < sent.end and draft.content_end >= trim_end(text, draft.content_start, view.end)


def _view(ctx: Context, sent: Sentence, inside: range, cs: int, ce: int) -> tuple[Sentence, range]:
    """The sentence as the cue sees it: cut to _REACH characters either side."""
    if cs - sent.start <= _REACH and sent.end - ce <= _REACH:
        return sent, inside
    start, end = sent.start, sent.end
    if cs - start > _REACH:
        start = cs - _REACH
        while start < cs and not ctx.text[start - 1].isspace():
            start += 1  # from the start of a word
    end = min(end, ce + _REACH)
    return Sentence(start, end, sent.paragraph), ctx.quotes.between(start, end)


def _frame(ctx: Context, si: int, sent: Sentence, inside: range, cs: int, ce: int, cue: str,
           earlier: list[Draft]) -> Draft | None:
    text, sents, quotes, claimed = ctx.text, ctx.sents, ctx.quotes, ctx.claimed
    low = cue.lower()
    if low == "according to":
        return _according_to(ctx, sent, inside, cs, ce)
    weak = low.split()[0] in WEAK_CUES
    if low in _NOUN_FORMS and ends_with(_NOUN_BEFORE, text, sent.start, cs, 12):
        return None  # "the report", "his claims", "a new poll shows" stays, "the poll's findings" goes
    if low.startswith("call") and ends_with(_CALLED_BEFORE, text, sent.start, cs, 16):
        return None  # "Texas was called for Cruz", "a group called …"

    # A: a quotation just before the cue: “…,” NP said / “…,” said NP
    top = min(inside.stop, bisect_right(quotes.ends, cs)) - 1
    qi = claimed.prev_free(top) if top >= inside.start else -1
    if qi >= inside.start:
        q = quotes[qi]
        mention = None
        if cs - q.end <= _GAP_MAX:
            gap = text[q.end:cs]
            if _BLANK_GAP.fullmatch(gap):
                mention = right_mention(text, ce, sent.end)
                if mention is None:  # “…,” said the 46-year-old.
                    limit = min(sent.end, ce + _SLOT_MAX)
                    stop = _STOP.search(text, ce, limit)
                    if stop is not None and (stop.group() or limit == sent.end):
                        mention = loose_mention(text, ce, stop.start(), max_words=6)
            elif _NAME_GAP.fullmatch(mask_abbreviations(gap)):
                mention = left_mention(text, q.end, cs)
                if mention is not None:
                    residue = text[q.end:mention.start]
                    if mention.role:
                        residue = residue.replace(mention.role, "", 1)
                    if re.sub(r"\b(?:the|a|an)\b", "", residue).strip(" ,—–-") != "":
                        mention = None
                if mention is None:
                    mention = loose_mention(text, q.end, cs)
        if mention is not None and substantive(text, q):
            claimed.add(qi)
            start, kind = q.start, "direct"
            if lead_words(text, sent.start, q.start, 3) and not _ends_in(text, sent.start, q.start, ":,"):
                start, kind = sent.start, "mixed"
            elif q.start == sent.start:
                start = _chain_back(ctx, si, start)
            end = chain(ctx, si, q)
            after_attr = max(ce, mention.end)
            ri = claimed.next_free(bisect_left(quotes.starts, after_attr))
            if ri < inside.stop and _PUNCT_GAP.fullmatch(text, after_attr, quotes[ri].start):
                claimed.add(ri)
                end = max(end, chain(ctx, si, quotes[ri]))
            return Draft(cs, ce, cue, mention, start, end, kind, 0.9, sent.paragraph)

    mention = left_mention(text, sent.start, cs)
    if mention is not None and low.endswith("ing") and _SHARE_WORDS.search(mention.text):
        return None  # "with 64% saying …": a poll's finding, not someone's statement
    if mention is None and _coordinated(text, sent.start, cs, low):
        mention = earlier[-1].mention if earlier else _sentence_subject(text, sent)
    if mention is None and (_THAT_SOON.match(text, ce, sent.end) or _PRONOUN_NEXT.match(text, ce, sent.end)):
        lo = max(sent.start, cs - _CLAUSE_BACK)
        cut = max(text.rfind(",", lo, cs), text.rfind("—", lo, cs))
        if cut >= 0 or lo == sent.start:  # else the clause is too long for a loose phrase
            loose = loose_mention(text, max(cut, sent.start - 1) + 1, cs)
            if loose is not None and len(loose.text.split()) <= 10:
                mention = loose
    if mention is None and low in ("says", "said", "told", "tells", "added", "adds") and \
            _WORD_NEXT.match(text, ce, sent.end) and not _PREP_NEXT.match(text, ce, sent.end):
        # "The billionaire businessman says running for president is tough"
        head = _the_head(text, sent.start, cs)
        if head:
            mention = loose_mention(text, head[0], head[1])

    # B: a quotation right after the cue: NP said: “…”
    bi = claimed.next_free(bisect_left(quotes.starts, ce))
    if mention is not None and bi < inside.stop and substantive(text, quotes[bi]):
        q = quotes[bi]
        if any(p.fullmatch(text, ce, q.start) for p in _B_GAPS) or (
                low in _OBJECT_CUES and _B_OBJECT_GAP.fullmatch(text, ce, q.start)):
            claimed.add(bi)
            tail_end = trim_end(text, q.end, sent.end)
            if has_words(text, q.end, tail_end, 3):
                end = cut_trailing(text, q.start, tail_end)
                return Draft(cs, ce, cue, mention, q.start, end, "mixed", 0.8, sent.paragraph)
            end = chain(ctx, si, q)
            return Draft(cs, ce, cue, mention, q.start, end, "direct", 0.9, sent.paragraph)

    # C: NP said: ⏎ “…”
    if mention is not None and _COLON_AFTER.fullmatch(text, ce, sent.end) and si + 1 < len(sents):
        nxt = sents[si + 1]
        q2 = quotes.starting_at(nxt.start)
        if q2 is not None and quotes.index(q2) not in claimed:
            claimed.add(quotes.index(q2))
            end = chain(ctx, si + 1, q2)
            return Draft(cs, ce, cue, mention, q2.start, end, "direct", 0.85, sent.paragraph)
        if q2 is None and nxt.paragraph != sent.paragraph:
            end = trim_end(text, nxt.start, nxt.end)
            return Draft(cs, ce, cue, mention, nxt.start, end, "indirect", 0.6, sent.paragraph)

    # CLAUSE, NP said, CLAUSE — the attribution in the middle of what was said
    if mention is not None and _COMMA_NEXT.match(text, ce, sent.end) and \
            _ends_in(text, sent.start, mention.start, ",") and \
            has_words(text, sent.start, mention.start, 2):
        end = trim_end(text, sent.start, sent.end)
        if has_words(text, ce, end, 2):
            kind = "mixed" if inside else "indirect"
            _claim(ctx, inside)
            return Draft(cs, ce, cue, mention, sent.start, end, kind, 0.75, sent.paragraph)

    # D: NP said (that) CLAUSE
    if mention is not None and (not weak or _THAT_LATER.match(text, ce, sent.end)):
        begin = _content_start(text, ce, sent.end, low)
        if begin is not None:
            start = begin
            end = trim_end(text, start, sent.end)
            end = cut_trailing(text, start, end)
            if has_words(text, start, end, _CLAUSE_MIN_WORDS):
                held = _within(ctx, inside, start, end)
                kind = "mixed" if held else "indirect"
                _claim(ctx, held)
                return Draft(cs, ce, cue, mention, start, end, kind, 0.75, sent.paragraph)

    # E: CLAUSE, NP said / CLAUSE, said NP — the cue closes the sentence
    right = None
    if mention is None:
        lo = max(sent.start, cs - 79)  # the comma must be within 80 characters of the cue
        comma = max(text.rfind(",", lo, cs), text.rfind("—", lo, cs))
        if comma > sent.start and cs - comma < 80:
            mention = loose_mention(text, comma + 1, cs)
            if mention is not None and mention.kind not in ("organisation", "group", "person"):
                mention = None
    if mention is None:
        right = right_mention(text, ce, sent.end)
    who = mention or right
    if who is None:
        return None
    tail_start = who.end if right is not None else ce
    if low in _OBJECT_CUES and right is None:
        obj = _OBJECT.match(text, tail_start, sent.end)
        if obj:
            tail_start = obj.end()
    if not _only_adjuncts(text, tail_start, sent.end):
        return None
    head_end = who.start if mention is not None else cs
    lead = stripped(text, sent.start, head_end, 16)
    if si > 0 and lead is not None and (not lead or _BARE_LEAD.fullmatch(lead)):
        # “…” ⏎ Smith said so on Tuesday. — the attribution follows the quotation
        prev = sents[si - 1]
        q0 = quotes.starting_at(prev.start)
        if q0 is not None and prev.end - q0.end <= 2 and quotes.index(q0) not in claimed and \
                substantive(text, q0):
            claimed.add(quotes.index(q0))
            return Draft(cs, ce, cue, who, q0.start, q0.end, "direct", 0.8, sent.paragraph)
    # the clause ends at a comma or dash followed only by spaces
    cut = space_back(text, sent.start, head_end, " ") - 1
    if cut < sent.start or text[cut] not in ",—–":
        return None
    start = sent.start
    if not has_words(text, start, cut, _CLAUSE_MIN_WORDS):
        return None
    kind = "indirect"
    held = _within(ctx, inside, start, cut)
    if held:
        q = quotes[held[-1]]
        kind = "direct" if q.start == start and q.end >= cut else "mixed"
    _claim(ctx, held)
    if weak and kind == "indirect":
        return None
    return Draft(cs, ce, cue, who, start, cut, kind, 0.75, sent.paragraph)


def _ends_in(text: str, start: int, end: int, chars: str) -> bool:
    """Whether text[start:end].rstrip() ends with one of ``chars``."""
    k = last_visible(text, start, end)
    return k > start and text[k - 1] in chars


def _within(ctx: Context, inside: range, start: int, end: int) -> range:
    """The quotations of ``inside`` starting in [start, end)."""
    held = ctx.quotes.between(start, end)
    return range(max(held.start, inside.start), min(held.stop, inside.stop))


def _claim(ctx: Context, held: range) -> None:
    """Claim every quotation in ``held``, stepping over those already claimed."""
    i = ctx.claimed.next_free(held.start)
    while i < held.stop:
        ctx.claimed.add(i)
        i = ctx.claimed.next_free(i + 1)


def _the_head(text: str, start: int, cs: int) -> tuple[int, int] | None:
    """ "(…, )the billionaire businessman" ending at the cue: the span of the phrase, read from the
    last 240 characters (the phrase is five words)."""
    lo = max(start, cs - 240)
    if lo == start:
        m = _HEAD.search(text[start:cs])  # "^" is the sentence's start
        return (start + m.start(1), start + m.end(1)) if m else None
    m = _HEAD.search(text, lo, cs)  # in place, "^" cannot match: the sentence starts further left
    return (m.start(1), m.end(1)) if m else None


_AT_START = re.compile(r"(?:(?:But|And|Yet|Still|However|Indeed|So),?)?")
_REST = re.compile(r"\s*,\s*(?=\S)")


def _according_to(ctx: Context, sent: Sentence, inside: range, cs: int, ce: int) -> Draft | None:
    text = ctx.text
    lead = stripped(text, sent.start, cs, 8)
    at_start = lead is not None and _AT_START.fullmatch(lead) is not None
    who = right_mention(text, ce, sent.end, appositive=not at_start)
    if at_start:
        # a comma further than this would close a loose phrase of more than 30 words
        comma = text.find(",", ce, min(sent.end, ce + _COMMA_MAX))
        if comma > 0 and (who is None or who.end < comma):
            who = loose_mention(text, ce, comma, max_words=30, anything=True) or who
    if who is None and not at_start:
        who = loose_mention(text, ce, trim_end(text, ce, sent.end), max_words=30)
    if who is None:
        return None
    if at_start:
        comma = text.find(",", who.end, min(sent.end, who.end + 121))
        if comma < 0:
            return None  # none, or more than 120 characters after the phrase
        start = comma + 1
        while start < sent.end and text[start].isspace():
            start += 1
        end = trim_end(text, start, sent.end)
    else:
        # the clause before ends at a comma, perhaps with closing quotation marks after it
        cut = space_back(text, sent.start, cs, " \n\t”’\"»") - 1
        if cut < sent.start or text[cut] != ",":
            return None
        start, end = sent.start, cut
        closing = text[cut + 1:cs].strip()
        if closing and closing[0] in "”’\"»":
            end = cut + 1 + text[cut + 1:cs].index(closing[0]) + 1  # keep the closing mark
        rest = _REST.match(text, who.end, sent.end)
        if rest and has_words(text, rest.end(), sent.end, 3):
            end = trim_end(text, start, sent.end)  # "Over the long term, according to X, the rise …"
    if not has_words(text, start, end, _CLAUSE_MIN_WORDS):
        return None
    held = _within(ctx, inside, start, end)
    _claim(ctx, held)
    kind = "mixed" if held else "indirect"
    return Draft(cs, ce, "according to", who, start, end, kind, 0.75, sent.paragraph)


_CONJUNCTION_BEFORE = re.compile(r"(?:\band|\bbut|\bthen)\s*(?:(?:also|later|then|\w+ly)\s*)?$")


def _coordinated(text: str, sent_start: int, cs: int, cue: str) -> bool:
    """ "X called … and said …", "X flipped his choice – saying …": the cue shares the sentence subject."""
    end = last_visible(text, sent_start, cs)
    if ends_with(_CONJUNCTION_BEFORE, text, sent_start, end, 64):
        return True
    return cue in _PARTICIPLE_OK and end > sent_start and text[end - 1] in ",—–-"


_DATELINE = re.compile(r"[A-Z][A-Z .,'-]{2,40}(?:\([^)]{1,30}\))?\s*[-—–]+\s*")
_OPENING = re.compile(r"(?:(?:But|And|So|Yet|Still|Then|Now|Meanwhile|Later|Earlier|Instead)\b,?\s*)?"
                      r"(?:(?:In|On|At|During|After|Before|Since|For|With|Asked)\b[^,]{0,60},\s*)?")


def _sentence_subject(text: str, sent: Sentence) -> Mention | None:
    start = sent.start
    dateline = _DATELINE.match(text, start, sent.end)
    if dateline:
        start = dateline.end()
    m = _OPENING.match(text, start, sent.end)
    if m:
        start = m.end()
    who = right_mention(text, start, sent.end)
    if who is None or who.kind not in ("person", "organisation", "pronoun", "group", "title"):
        return None
    return who


_ASK_WH = re.compile(r"(?:\s+[\w.'’-]+){0,6}?\s+(if|whether|why|what|how|which|who|when|where)\s")
_TO_NEXT = re.compile(r"\s+to\s")
_THAT_CLAUSE = re.compile(r"\s*,?\s*((?:[\w.'’-]+\s+){0,10}?)that\s")
_ADJUNCT_LEAD = re.compile(r"(?:of|about|on|in|during|at|to|with|after|before)\s")
_DURATION = re.compile(r"\s*(?:for|in|over)\s+(?:the\s+past\s+|recent\s+|several\s+|many\s+)?(?:weeks|"
                       r"months|years|days|decades|some\s+time|a\s+while|a\s+long\s+time)\s*,?")
# Adjuncts between a cue and its clause ("on Tuesday in a statement to reporters") are a few words;
# some cue words are adjunct words too ("call"), so a run of them is not walked past this.
_MAX_ADJUNCTS = 48


def _content_start(text: str, ce: int, end: int, cue: str) -> int | None:
    i = ce
    if cue.startswith("ask"):
        wh = _ASK_WH.match(text, i, end)
        if wh is None:
            m = _OBJECT.match(text, i, end)
            return m.end() + 1 if m and _TO_NEXT.match(text, m.end(), end) else None
        return wh.start(1)
    if cue in _OBJECT_CUES:
        m = _OBJECT.match(text, i, end)
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
            t.low not in ("the", "a", "an", "his", "her", "their", "its")
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
    if first.text in ".,;:!?)" or first.low in ("by", "of", "about", "to", "for", "with", "on", "in", "at",
                                                  "from", "and", "as"):
        return None
    return first.start


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


# (?<!\s) and (?:,|(?<!\s)): a cut starts at the first space of a run, where the original pattern's
# leftmost match always started; without it each space of a long run would rescan the run.
# (?=[,\s]): every alternative starts with one of those; the check first makes the scan cheaper.
_TRAILING = re.compile(
    r"(?=[,\s])(?:,\s+(?:according to|adding|saying|noting|he said|she said|they said)\b|"
    r"(?<!\s)\s+(?:and|but)\s+(?:also\s+)?(?:" + _CUE_ALT + r")\b|"
    r",\s+(?:and|but|while)\s+(?:[\w’'-]+\s+){1,6}?(?:said|say|says|told|added)\b|"
    r",\s+(?:which|where|something|a move|a claim|an assertion|a statement|a charge)\b|"
    r"(?:,|(?<!\s))\s+and\s+(?:accused|blamed|criticized|criticised|dismissed|praised|slammed|attacked)\b)")


def cut_trailing(text: str, start: int, end: int) -> int:
    """Stop the reported clause before a trailing attribution or participle (", adding …")."""
    m = _TRAILING.search(text[start:end])
    return start + m.start() if m else end


_TAIL_WORD = re.compile(r"[\w’']+")


def _only_adjuncts(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], what follows a sentence-final cue and its speaker, is only time and
    manner words (at most 12: read no further than the 13th)."""
    words = [m.group() for m in islice(_TAIL_WORD.finditer(text, start, end), 13)]
    if len(words) > 12:
        return False
    tail = text[start:end]
    stripped_tail = tail.strip(" .!?;:”\"’)")
    if not stripped_tail:
        return True
    if _COMMA_NEXT.match(tail):  # an appositive after the speaker: ", a spokesman for X."
        return True
    return all(w.lower() in ADJUNCT_WORDS or w[:1].isupper() or w.isdigit() for w in words)
