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

from worker.statements.draft import Draft, chain, in_any, mask_abbreviations, substantive, trim_end
from worker.statements.lexicon import ADJUNCT_WORDS, CUE_WORDS, WEAK_CUES, wordset
from worker.statements.mentions import Mention, left_mention, loose_mention, right_mention, tokens
from worker.statements.segment import Quote, Sentence

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


def sentence_drafts(text: str, sents: list[Sentence], si: int, quotes: list[Quote],
                     claimed: set[int]) -> list[Draft]:
    sent = sents[si]
    inside = [q for q in quotes if sent.start <= q.start < sent.end]
    out: list[Draft] = []
    for m in _CUE.finditer(text, sent.start, sent.end):
        cs, ce = m.start(), m.end()
        if in_any(inside, cs):
            continue
        cue = m.group()
        draft = _frame(text, sents, si, quotes, inside, cs, ce, cue, claimed, out)
        if draft is not None:
            out.append(draft)
    return out


def _frame(text: str, sents: list[Sentence], si: int, quotes: list[Quote], inside: list[Quote],
           cs: int, ce: int, cue: str, claimed: set[int], earlier: list[Draft]) -> Draft | None:
    sent = sents[si]
    low = cue.lower()
    if low == "according to":
        return _according_to(text, sent, inside, cs, ce, claimed, quotes)
    weak = low.split()[0] in WEAK_CUES
    if low in _NOUN_FORMS and re.search(r"(?:\b(?:the|a|an|his|her|their|its|our|this|that|these|those|of|"
                                        r"new|latest|recent|previous|earlier|initial|first|same)|’s|'s)\s*$",
                                        text[sent.start:cs], re.I):
        return None  # "the report", "his claims", "a new poll shows" stays, "the poll's findings" goes
    if low.startswith("call") and re.search(r"\b(?:was|were|is|are|be|been|being|group|organization|"
                                            r"movement|program|project|law|bill|book|film|show)\s*$",
                                            text[sent.start:cs]):
        return None  # "Texas was called for Cruz", "a group called …"

    # A: a quotation just before the cue: “…,” NP said / “…,” said NP
    before_q = [q for q in inside if q.end <= cs and quotes.index(q) not in claimed]
    if before_q:
        q = before_q[-1]
        gap = text[q.end:cs]
        mention = None
        if re.fullmatch(r"[\s,—–-]*", gap):
            mention = right_mention(text, ce, sent.end)
            if mention is None:  # “…,” said the 46-year-old.
                stop = re.search(r"[,.;:!?“\"]|$", text[ce:sent.end])
                mention = loose_mention(text, ce, ce + (stop.start() if stop else 0), max_words=6)
        elif re.fullmatch(r"[\s,—–-]*[^\s,.;:!?“”\"„«»][^.;:!?“”\"„«»]{0,200}", mask_abbreviations(gap)):
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
            claimed.add(quotes.index(q))
            start, kind = q.start, "direct"
            lead = text[sent.start:q.start]
            if len(lead.split()) >= 3 and not lead.rstrip().endswith((":", ",")):
                start, kind = sent.start, "mixed"
            elif q.start == sent.start:
                start = _chain_back(text, sents, si, quotes, claimed, start)
            end = chain(text, sents, si, q, quotes)
            after_attr = max(ce, mention.end)
            rest_q = next((x for x in inside if x.start >= after_attr and quotes.index(x) not in claimed),
                          None)
            if rest_q is not None and re.fullmatch(r"[\s,:;—–-]*", text[after_attr:rest_q.start]):
                claimed.add(quotes.index(rest_q))
                end = max(end, chain(text, sents, si, rest_q, quotes))
            return Draft(cs, ce, cue, mention, start, end, kind, 0.9, sent.paragraph)

    mention = left_mention(text, sent.start, cs)
    if mention is not None and low.endswith("ing") and re.search(r"%|percent|half|third|quarter",
                                                                   mention.text):
        return None  # "with 64% saying …": a poll's finding, not someone's statement
    if mention is None and _coordinated(text, sent.start, cs, low):
        mention = earlier[-1].mention if earlier else _sentence_subject(text, sent)
    after = text[ce:sent.end]
    if mention is None and (re.match(r"\s+(?:\w+\s+){0,2}?that\s", after) or re.match(
            r"\s+(?:he|she|they|it|we|I|there|the|this|his|her|their)\s", after)):
        clause = max(text.rfind(",", sent.start, cs), text.rfind("—", sent.start, cs), sent.start - 1) + 1
        loose = loose_mention(text, clause, cs)
        if loose is not None and len(loose.text.split()) <= 10:
            mention = loose
    if mention is None and low in ("says", "said", "told", "tells", "added", "adds") and re.match(
            r"\s+[\w“\"]", after) and not re.match(r"\s+(?:by|of|to|for|with|in|on|at|about|from|and)\b",
                                                    after):
        # "The billionaire businessman says running for president is tough"
        head = re.search(r"(?:^|[.;:!?]\s+|,\s+)((?:The|the)\s+(?:[\w’'-]+\s+){0,3}[\w’'-]+)\s*$",
                         text[sent.start:cs])
        if head:
            mention = loose_mention(text, sent.start + head.start(1), sent.start + head.end(1))

    # B: a quotation right after the cue: NP said: “…”
    after_q = [q for q in inside if q.start >= ce and quotes.index(q) not in claimed]
    if mention is not None and after_q and substantive(text, after_q[0]):
        q = after_q[0]
        gap = text[ce:q.start]
        if re.fullmatch(r"\s*(?:,|:|—|–)?\s*(?:that\s+)?", gap) or re.fullmatch(
                r"\s+(?:of|about|to|on|in)\s+[^“\"'.:]{1,50}?[:,]\s*", gap) or (
                low in _OBJECT_CUES and re.fullmatch(r"\s*[\w.'’ ]{1,40}?[,:]\s*", gap)):
            claimed.add(quotes.index(q))
            tail_end = trim_end(text, q.end, sent.end)
            if len(re.findall(r"\w+", text[q.end:tail_end])) >= 3:
                end = cut_trailing(text, q.start, tail_end)
                return Draft(cs, ce, cue, mention, q.start, end, "mixed", 0.8, sent.paragraph)
            end = chain(text, sents, si, q, quotes)
            return Draft(cs, ce, cue, mention, q.start, end, "direct", 0.9, sent.paragraph)

    # C: NP said: ⏎ “…”
    if mention is not None and re.fullmatch(r"[^.!?]{0,60}:\s*", after) and si + 1 < len(sents):
        nxt = sents[si + 1]
        q2 = next((x for x in quotes if x.start == nxt.start), None)
        if q2 is not None and quotes.index(q2) not in claimed:
            claimed.add(quotes.index(q2))
            end = chain(text, sents, si + 1, q2, quotes)
            return Draft(cs, ce, cue, mention, q2.start, end, "direct", 0.85, sent.paragraph)
        if q2 is None and nxt.paragraph != sent.paragraph:
            end = trim_end(text, nxt.start, nxt.end)
            return Draft(cs, ce, cue, mention, nxt.start, end, "indirect", 0.6, sent.paragraph)

    # CLAUSE, NP said, CLAUSE — the attribution in the middle of what was said
    if mention is not None and re.match(r"\s*,", after) and \
            text[sent.start:mention.start].rstrip().endswith(",") and \
            len(re.findall(r"\w+", text[sent.start:mention.start])) >= 2:
        end = trim_end(text, sent.start, sent.end)
        if len(re.findall(r"\w+", text[ce:end])) >= 2:
            kind = "mixed" if inside else "indirect"
            for q in inside:
                claimed.add(quotes.index(q))
            return Draft(cs, ce, cue, mention, sent.start, end, kind, 0.75, sent.paragraph)

    # D: NP said (that) CLAUSE
    if mention is not None and (not weak or re.match(r"\s+(?:[\w’']+\s+){0,5}?that\s", after)):
        begin = _content_start(text, ce, sent.end, low)
        if begin is not None:
            start = begin
            end = trim_end(text, start, sent.end)
            end = cut_trailing(text, start, end)
            if len(re.findall(r"\w+", text[start:end])) >= _CLAUSE_MIN_WORDS:
                kind = "mixed" if any(start <= q.start < end for q in inside) else "indirect"
                for q in inside:
                    if start <= q.start < end:
                        claimed.add(quotes.index(q))
                return Draft(cs, ce, cue, mention, start, end, kind, 0.75, sent.paragraph)

    # E: CLAUSE, NP said / CLAUSE, said NP — the cue closes the sentence
    right = None
    if mention is None:
        comma = max(text.rfind(",", sent.start, cs), text.rfind("—", sent.start, cs))
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
    if not _only_adjuncts(text[tail_start:sent.end]):
        return None
    head_end = who.start if mention is not None else cs
    lead = text[sent.start:head_end].strip()
    if si > 0 and (not lead or re.fullmatch(r"(?:That|This|So|Or so)(?: was| is)?(?: how| what)?", lead)):
        # “…” ⏎ Smith said so on Tuesday. — the attribution follows the quotation
        prev = sents[si - 1]
        q0 = next((x for x in quotes if x.start == prev.start and prev.end - x.end <= 2), None)
        if q0 is not None and quotes.index(q0) not in claimed and substantive(text, q0):
            claimed.add(quotes.index(q0))
            return Draft(cs, ce, cue, who, q0.start, q0.end, "direct", 0.8, sent.paragraph)
    comma = text.rfind(",", sent.start, head_end)
    dash = max(text.rfind("—", sent.start, head_end), text.rfind("–", sent.start, head_end))
    cut = max(comma, dash)
    if cut < 0 or text[cut:head_end].strip(" ,—–") != "":
        return None
    start = sent.start
    if len(re.findall(r"\w+", text[start:cut])) < _CLAUSE_MIN_WORDS:
        return None
    kind = "indirect"
    for q in inside:
        if start <= q.start < cut:
            claimed.add(quotes.index(q))
            kind = "direct" if q.start == start and q.end >= cut else "mixed"
    if weak and kind == "indirect":
        return None
    return Draft(cs, ce, cue, who, start, cut, kind, 0.75, sent.paragraph)


def _according_to(text: str, sent: Sentence, inside: list[Quote], cs: int, ce: int, claimed: set[int],
                  quotes: list[Quote]) -> Draft | None:
    lead = text[sent.start:cs].strip()
    at_start = re.fullmatch(r"(?:(?:But|And|Yet|Still|However|Indeed|So),?)?", lead) is not None
    who = right_mention(text, ce, sent.end, appositive=not at_start)
    if at_start:
        comma = text.find(",", ce, sent.end)
        if comma > 0 and (who is None or who.end < comma):
            who = loose_mention(text, ce, comma, max_words=30, anything=True) or who
    if who is None and not at_start:
        who = loose_mention(text, ce, trim_end(text, ce, sent.end), max_words=30)
    if who is None:
        return None
    if at_start:
        comma = text.find(",", who.end, sent.end)
        if comma < 0 or comma - who.end > 120:
            return None
        start = comma + 1
        while start < sent.end and text[start].isspace():
            start += 1
        end = trim_end(text, start, sent.end)
    else:
        cut = text.rfind(",", sent.start, cs)
        if cut < 0 or text[cut:cs].strip(" ,\n\t”’\"»") != "":
            return None
        start, end = sent.start, cut
        if text[cut + 1:cs].strip() and text[cut + 1:cs].strip()[0] in "”’\"»":
            end = cut + 1 + text[cut + 1:cs].index(text[cut + 1:cs].strip()[0]) + 1  # keep the closing mark
        rest = re.match(r"\s*,\s*(\S.*)", text[who.end:sent.end], re.S)
        if rest and len(re.findall(r"\w+", rest.group(1))) >= 3:
            end = trim_end(text, start, sent.end)  # "Over the long term, according to X, the rise …"
    if len(re.findall(r"\w+", text[start:end])) < _CLAUSE_MIN_WORDS:
        return None
    kind = "indirect"
    for q in inside:
        if start <= q.start < end:
            claimed.add(quotes.index(q))
            kind = "mixed"
    return Draft(cs, ce, "according to", who, start, end, kind, 0.75, sent.paragraph)


def _coordinated(text: str, sent_start: int, cs: int, cue: str) -> bool:
    """ "X called … and said …", "X flipped his choice – saying …": the cue shares the sentence subject."""
    before = text[sent_start:cs].rstrip()
    if re.search(r"(?:\band|\bbut|\bthen)\s*(?:(?:also|later|then|\w+ly)\s*)?$", before):
        return True
    return cue in _PARTICIPLE_OK and bool(re.search(r"[,—–-]$", before))


def _sentence_subject(text: str, sent: Sentence) -> Mention | None:
    start = sent.start
    dateline = re.match(r"[A-Z][A-Z .,'-]{2,40}(?:\([^)]{1,30}\))?\s*[-—–]+\s*", text[start:sent.end])
    if dateline:
        start += dateline.end()
    m = re.match(r"(?:(?:But|And|So|Yet|Still|Then|Now|Meanwhile|Later|Earlier|Instead)\b,?\s*)?"
                 r"(?:(?:In|On|At|During|After|Before|Since|For|With|Asked)\b[^,]{0,60},\s*)?",
                 text[start:sent.end])
    if m:
        start += m.end()
    who = right_mention(text, start, sent.end)
    if who is None or who.kind not in ("person", "organisation", "pronoun", "group", "title"):
        return None
    return who


def _content_start(text: str, ce: int, end: int, cue: str) -> int | None:
    i = ce
    rest = text[i:end]
    if cue.startswith("ask"):
        wh = re.match(r"(?:\s+[\w.'’-]+){0,6}?\s+(if|whether|why|what|how|which|who|when|where)\s", rest)
        if wh is None:
            m = _OBJECT.match(rest)
            return i + m.end() + 1 if m and re.match(r"\s+to\s", rest[m.end():]) else None
        return i + wh.start(1)
    if cue in _OBJECT_CUES:
        m = _OBJECT.match(rest)
        if m:
            i += m.end()
    # adjuncts ("on Tuesday", "in a statement", "in an interview with CNN") up to "that" or a comma
    m = re.match(r"\s*,?\s*((?:[\w.'’-]+\s+){0,10}?)that\s", text[i:end])
    if m and (all(w.lower() in ADJUNCT_WORDS or w[:1].isupper() or w.lower() in ("of", "for", "and", "'s")
                  for w in m.group(1).split())
              or re.match(r"(?:of|about|on|in|during|at|to|with|after|before)\s", m.group(1))):
        return i + m.end()
    m = re.match(r"\s*(?:for|in|over)\s+(?:the\s+past\s+|recent\s+|several\s+|many\s+)?(?:weeks|"
                 r"months|years|days|decades|some\s+time|a\s+while|a\s+long\s+time)\s*,?", text[i:end])
    if m:
        i += m.end()
    toks = tokens(text, i, end)
    k = 0
    while k < len(toks) and toks[k].low in ADJUNCT_WORDS and (
            toks[k].low not in ("the", "a", "an", "his", "her", "their", "its")
            or (k > 0 and toks[k - 1].low in _PREPOSITIONS)):
        k += 1
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k >= len(toks):
        return None
    first = toks[k]
    if first.low == "to" and cue.startswith("add"):
        return None  # "adding to his victories"
    if first.low == "to" and cue.split()[0] in _TO_CUES:
        return first.start
    if first.text in ".,;:!?)" or first.low in ("by", "of", "about", "to", "for", "with", "on", "in", "at",
                                                  "from", "and", "as"):
        return None
    return first.start


def _chain_back(text: str, sents: list[Sentence], si: int, quotes: list[Quote], claimed: set[int],
                start: int) -> int:
    """ "“Why are you still endorsing him?” “What does this say about your party?” she asked." — earlier
    sentences of the paragraph that are whole, unclaimed quotations belong to the same statement."""
    k = si - 1
    while k >= 0 and sents[k].paragraph == sents[si].paragraph:
        prev = sents[k]
        q0 = next((x for x in quotes if x.start == prev.start), None)
        if q0 is None or prev.end - q0.end > 2 or quotes.index(q0) in claimed:
            break
        claimed.add(quotes.index(q0))
        start = q0.start
        k -= 1
    return start


def cut_trailing(text: str, start: int, end: int) -> int:
    """Stop the reported clause before a trailing attribution or participle (", adding …")."""
    m = re.search(r",\s+(?:according to|adding|saying|noting|he said|she said|they said)\b|"
                  r"\s+(?:and|but)\s+(?:also\s+)?(?:" + _CUE_ALT + r")\b|"
                  r",\s+(?:and|but|while)\s+(?:[\w’'-]+\s+){1,6}?(?:said|say|says|told|added)\b|"
                  r",\s+(?:which|where|something|a move|a claim|an assertion|a statement|a charge)\b|"
                  r",?\s+and\s+(?:accused|blamed|criticized|criticised|dismissed|praised|slammed|attacked)\b",
                  text[start:end])
    return start + m.start() if m else end


def _only_adjuncts(tail: str) -> bool:
    words = re.findall(r"[\w’']+", tail)
    if len(words) > 12:
        return False
    stripped = tail.strip(" .!?;:”\"’)")
    if not stripped:
        return True
    if re.match(r"\s*,", tail):  # an appositive after the speaker: ", a spokesman for X."
        return True
    return all(w.lower() in ADJUNCT_WORDS or w[:1].isupper() or w.isdigit() for w in words)
