"""Find the statements of a text: reporting cues, their speakers and what was said.

Per sentence, every reporting cue outside quotation marks is framed as one of:
  A  “…,” NP said / “…,” said NP           the quotation before the cue (direct)
  B  NP said: “…” / NP said “…”            the quotation after the cue (direct)
  C  NP said:  ⏎ “…”                        the next paragraph's quotation (direct)
  D  NP said (that) CLAUSE                  the reported clause (indirect; mixed when it quotes)
  E  CLAUSE, NP said / CLAUSE, said NP      the clause before (indirect)
  F  according to NP, CLAUSE / CLAUSE, according to NP
A quotation continued by the next sentences of its paragraph ("…,” he said. “…”) joins them. A
quotation no cue claims, standing as its own sentence, continues the latest speaker with lower
confidence. Speakers are then resolved in text order (see resolve.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.statements.lexicon import ADJUNCT_WORDS, CUE_WORDS, WEAK_CUES, wordset
from worker.statements.mentions import Mention, left_mention, loose_mention, right_mention, tokens
from worker.statements.model import Statement
from worker.statements.resolve import Entity, Registry
from worker.statements.segment import Quote, Sentence, find_quotes, paragraphs, sentences

_CUE_ALT = "|".join(sorted((w for w in CUE_WORDS if not w.startswith("point")), key=len, reverse=True))
_CUE = re.compile(
    r"\b(?:[Aa]ccording to|(?:went|goes|go|going) on to (?:say|add|note|write|explain|argue)|pointed out|"
    r"call(?:s|ed)? (?:for|on)|put it|"
    + _CUE_ALT
    + r")\b"
)
_OBJECT_CUES = wordset("tell tells told telling ask asks asked warn warns warned urge urges urged "
                         "promise promises promised assure assures assured")
_OBJECT = re.compile(r"\s*(?:reporters|journalists|lawmakers|supporters|the\s+(?:\w+\s+){0,3}?\w+|"
                     r"(?:him|her|them|us|me|you)\b|(?:[A-Z][\w.'’&-]*\s*){1,6})")
_CLAUSE_MIN_WORDS = 3
_TO_CUES = wordset("""promise promises promised pledge pledges pledged vow vows vowed urge urges urged
threaten threatens threatened ask asks asked tell tells told warn warns warned""")
_PARTICIPLE_OK = wordset("""saying adding noting arguing claiming insisting explaining warning declaring
telling writing stating suggesting acknowledging admitting denying stressing describing calling
predicting promising vowing urging asserting complaining""")


@dataclass
class Draft:
    cue_start: int
    cue_end: int
    cue: str
    mention: Mention | None
    content_start: int
    content_end: int
    kind: str
    confidence: float
    paragraph: int
    implicit_entity: Entity | None = None


def parse_statements(text: str) -> list[Statement]:
    if not text or not text.strip():
        return []
    paras = paragraphs(text)
    quotes = find_quotes(text, paras)
    sents = sentences(text, paras, quotes)
    claimed: set[int] = set()
    drafts: list[Draft] = []
    for si in range(len(sents)):
        drafts.extend(_sentence_drafts(text, sents, si, quotes, claimed))
    drafts.extend(_colon_quotes(text, sents, quotes, claimed))
    drafts.extend(_asked_drafts(text, sents, drafts))
    drafts.extend(_headline_drafts(text, paras, drafts))
    drafts = _drop_nested(drafts)
    registry = Registry(text, sents, [(q.start, q.end) for q in quotes])
    return _resolve(text, drafts, quotes, sents, claimed, registry)


# --- framing ------------------------------------------------------------------------------------

def _in_any(quotes: list[Quote], i: int) -> bool:
    return any(q.start <= i < q.end for q in quotes)


def _sentence_drafts(text: str, sents: list[Sentence], si: int, quotes: list[Quote],
                     claimed: set[int]) -> list[Draft]:
    sent = sents[si]
    inside = [q for q in quotes if sent.start <= q.start < sent.end]
    out: list[Draft] = []
    for m in _CUE.finditer(text, sent.start, sent.end):
        cs, ce = m.start(), m.end()
        if _in_any(inside, cs):
            continue
        cue = m.group()
        draft = _frame(text, sents, si, quotes, inside, cs, ce, cue, claimed, out)
        if draft is not None:
            out.append(draft)
    return out


def _chain(text: str, sents: list[Sentence], si: int, q: Quote, quotes: list[Quote]) -> int:
    """End of the quotation run starting with q: later sentences of the paragraph that are quotations."""
    end = q.end
    para = sents[si].paragraph
    k = si + 1
    while k < len(sents) and sents[k].paragraph == para:
        nxt = sents[k]
        q2 = next((x for x in quotes if x.start == nxt.start), None)
        if q2 is None or nxt.end - q2.end > 2 or q2.start < end:
            break
        end = q2.end
        k += 1
    return end


def _frame(text: str, sents: list[Sentence], si: int, quotes: list[Quote], inside: list[Quote],
           cs: int, ce: int, cue: str, claimed: set[int], earlier: list[Draft]) -> Draft | None:
    sent = sents[si]
    low = cue.lower()
    if low == "according to":
        return _according_to(text, sent, inside, cs, ce, claimed, quotes)
    weak = low.split()[0] in WEAK_CUES
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
        elif re.fullmatch(r"[\s,—–-]*[^\s,.;:!?“”\"„«»][^.;:!?“”\"„«»]{0,80}", _mask_abbreviations(gap)):
            mention = left_mention(text, q.end, cs)
            if mention is not None and text[q.end:mention.start].strip(" ,—–-") != "":
                mention = None
            if mention is None:
                mention = loose_mention(text, q.end, cs)
        if mention is not None and _substantive(text, q):
            claimed.add(quotes.index(q))
            start, kind = q.start, "direct"
            lead = text[sent.start:q.start]
            if len(lead.split()) >= 3 and not lead.rstrip().endswith((":", ",")):
                start, kind = sent.start, "mixed"
            end = _chain(text, sents, si, q, quotes)
            after_attr = max(ce, mention.end)
            rest_q = next((x for x in inside if x.start >= after_attr and quotes.index(x) not in claimed),
                          None)
            if rest_q is not None and re.fullmatch(r"[\s,:;—–-]*", text[after_attr:rest_q.start]):
                claimed.add(quotes.index(rest_q))
                end = max(end, _chain(text, sents, si, rest_q, quotes))
            return Draft(cs, ce, cue, mention, start, end, kind, 0.9, sent.paragraph)

    mention = left_mention(text, sent.start, cs)
    if mention is None and _coordinated(text, sent.start, cs, low):
        mention = earlier[-1].mention if earlier else _sentence_subject(text, sent)
    after = text[ce:sent.end]
    if mention is None and (re.match(r"\s+(?:\w+\s+){0,2}?that\s", after) or re.match(
            r"\s+(?:he|she|they|it|we|I|there|the|this|his|her|their)\s", after)):
        clause = max(text.rfind(",", sent.start, cs), text.rfind("—", sent.start, cs), sent.start - 1) + 1
        loose = loose_mention(text, clause, cs)
        if loose is not None and len(loose.text.split()) <= 8:
            mention = loose

    # B: a quotation right after the cue: NP said: “…”
    after_q = [q for q in inside if q.start >= ce and quotes.index(q) not in claimed]
    if mention is not None and after_q and _substantive(text, after_q[0]):
        q = after_q[0]
        gap = text[ce:q.start]
        if re.fullmatch(r"\s*(?:,|:|—|–)?\s*(?:that\s+)?", gap) or (
                low in _OBJECT_CUES and re.fullmatch(r"\s*[\w.'’ ]{1,40}?[,:]\s*", gap)):
            claimed.add(quotes.index(q))
            tail_end = _trim_end(text, q.end, sent.end)
            if len(re.findall(r"\w+", text[q.end:tail_end])) >= 3:
                end = _cut_trailing(text, q.start, tail_end)
                return Draft(cs, ce, cue, mention, q.start, end, "mixed", 0.8, sent.paragraph)
            end = _chain(text, sents, si, q, quotes)
            return Draft(cs, ce, cue, mention, q.start, end, "direct", 0.9, sent.paragraph)

    # C: NP said: ⏎ “…”
    if mention is not None and re.fullmatch(r"[^.!?]{0,60}:\s*", after) and si + 1 < len(sents):
        nxt = sents[si + 1]
        q2 = next((x for x in quotes if x.start == nxt.start), None)
        if q2 is not None and quotes.index(q2) not in claimed:
            claimed.add(quotes.index(q2))
            end = _chain(text, sents, si + 1, q2, quotes)
            return Draft(cs, ce, cue, mention, q2.start, end, "direct", 0.85, sent.paragraph)
        if q2 is None and nxt.paragraph != sent.paragraph:
            end = _trim_end(text, nxt.start, nxt.end)
            return Draft(cs, ce, cue, mention, nxt.start, end, "indirect", 0.6, sent.paragraph)

    # CLAUSE, NP said, CLAUSE — the attribution in the middle of what was said
    if mention is not None and re.match(r"\s*,", after) and \
            text[sent.start:mention.start].rstrip().endswith(",") and \
            len(re.findall(r"\w+", text[sent.start:mention.start])) >= 2:
        end = _trim_end(text, sent.start, sent.end)
        if len(re.findall(r"\w+", text[ce:end])) >= 2:
            kind = "mixed" if inside else "indirect"
            for q in inside:
                claimed.add(quotes.index(q))
            return Draft(cs, ce, cue, mention, sent.start, end, kind, 0.75, sent.paragraph)

    # D: NP said (that) CLAUSE
    if mention is not None and (not weak or re.match(r"\s+(?:\w+\s+){0,3}?that\s", after)):
        begin = _content_start(text, ce, sent.end, low)
        if begin is not None:
            start = begin
            end = _trim_end(text, start, sent.end)
            end = _cut_trailing(text, start, end)
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
        if q0 is not None and quotes.index(q0) not in claimed and _substantive(text, q0):
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
        who = loose_mention(text, ce, _trim_end(text, ce, sent.end), max_words=30)
    if who is None:
        return None
    if at_start:
        comma = text.find(",", who.end, sent.end)
        if comma < 0 or comma - who.end > 120:
            return None
        start = comma + 1
        while start < sent.end and text[start].isspace():
            start += 1
        end = _trim_end(text, start, sent.end)
    else:
        cut = text.rfind(",", sent.start, cs)
        if cut < 0 or text[cut:cs].strip(" ,") != "":
            return None
        start, end = sent.start, cut
    if len(re.findall(r"\w+", text[start:end])) < _CLAUSE_MIN_WORDS:
        return None
    kind = "indirect"
    for q in inside:
        if start <= q.start < end:
            claimed.add(quotes.index(q))
            kind = "mixed"
    return Draft(cs, ce, "according to", who, start, end, kind, 0.75, sent.paragraph)


_ABBREV_DOT = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|St|Jr|Sr|Prof|Rev|"
                         r"Inc|Corp|Co|Ltd|[A-Z])\.|\([^()]{1,12}\)")


def _mask_abbreviations(gap: str) -> str:
    """The gap with abbreviation dots and short parenthesised asides blanked: "Mrs. Clinton (D-N.Y.)"."""
    return _ABBREV_DOT.sub(lambda m: "x" * len(m.group()), gap)


def _substantive(text: str, q: Quote) -> bool:
    """A quotation worth a statement: three words or more (not a quoted title or a scare quote)."""
    return q.words(text) >= 3


def _coordinated(text: str, sent_start: int, cs: int, cue: str) -> bool:
    """ "X called … and said …", "X flipped his choice – saying …": the cue shares the sentence subject."""
    before = text[sent_start:cs].rstrip()
    if re.search(r"(?:\band|\bbut|\bthen)\s*(?:(?:also|later|then|\w+ly)\s*)?$", before):
        return True
    return cue in _PARTICIPLE_OK and bool(re.search(r"[,—–-]$", before))


def _sentence_subject(text: str, sent: Sentence) -> Mention | None:
    start = sent.start
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
    while k < len(toks) and toks[k].low in ADJUNCT_WORDS and toks[k].low not in ("the", "a", "an", "his",
                                                                                 "her", "their", "its"):
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


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".;:!?,"):
        end -= 1
    return end


def _cut_trailing(text: str, start: int, end: int) -> int:
    """Stop the reported clause before a trailing attribution or participle (", adding …")."""
    m = re.search(r",\s+(?:according to|adding|saying|noting|he said|she said|they said)\b|"
                  r"\s+(?:and|but)\s+(?:also\s+)?(?:" + _CUE_ALT + r")\b",
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


def _drop_nested(drafts: list[Draft]) -> list[Draft]:
    """A cue inside another statement's content belongs to what is being reported: drop it."""
    out = []
    for d in drafts:
        size = d.content_end - d.content_start
        if any(o is not d and o.content_start <= d.cue_start < o.content_end
               and o.content_end - o.content_start > size for o in drafts):
            continue
        out.append(d)
    return out


# --- resolving ----------------------------------------------------------------------------------

def _resolve(text: str, drafts: list[Draft], quotes: list[Quote], sents: list[Sentence], claimed: set[int],
             registry: Registry) -> list[Statement]:
    floating = _floating(text, quotes, sents, claimed, drafts)
    items = sorted(drafts + floating, key=lambda d: (d.content_start if d.mention is None else d.cue_start))
    recent: list[tuple[int, Entity]] = []
    out: list[Statement] = []
    for d in items:
        if d.mention is None:
            ent = next((e for at, e in reversed(recent) if d.content_start - at < 1500), None)
            if ent is None:
                continue
            speaker, stype, role, conf = ent.name, ent.kind, ent.role, d.confidence
            s_start = s_end = None
        else:
            r = registry.resolve(d.mention, d.mention.start, recent)
            speaker, stype, role = r.speaker, r.speaker_type, r.role
            conf = min(d.confidence, r.confidence + 0.1)
            implicit = d.mention.end <= d.mention.start
            s_start, s_end = (None, None) if implicit else (d.mention.start, d.mention.end)
            if r.entity is not None:
                recent.append((d.cue_start, r.entity))
        cs, ce = d.content_start, d.content_end
        if ce <= cs:
            continue
        out.append(Statement(
            speaker=speaker, speaker_type=stype, role=role, speaker_start=s_start, speaker_end=s_end,
            cue=d.cue if d.mention is not None else None, content=text[cs:ce], content_start=cs,
            content_end=ce, kind=d.kind, confidence=round(conf, 2),
        ))
    out.sort(key=lambda s: s.content_start)
    return out


def _floating(text: str, quotes: list[Quote], sents: list[Sentence], claimed: set[int],
              drafts: list[Draft]) -> list[Draft]:
    out = []
    covered = [(d.content_start, d.content_end) for d in drafts]
    for qi, q in enumerate(quotes):
        if qi in claimed or q.words(text) < 5 or any(a <= q.start < b for a, b in covered):
            continue
        sent = next((s for s in sents if s.start == q.start), None)
        if sent is None or sent.end - q.end > 2:
            continue
        para_start = text.rfind("\n", 0, q.start) + 1
        if q.start != para_start and not _follows_statement(q.start, drafts):
            continue
        end = q.end
        out.append(Draft(q.start, q.start, "", None, q.start, end, "direct", 0.5, sent.paragraph))
    return out


def _follows_statement(pos: int, drafts: list[Draft]) -> bool:
    return any(0 <= pos - d.content_end < 200 for d in drafts)


_TITLE_SAYS = re.compile(r"((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)\s+"
                         r"(Says|Warns|Urges|Claims|Insists|Admits|Denies|Calls for|Tells \w+)\s+"
                         r"(\S.*?)[.]?$")
_TRANSCRIPT = re.compile(r"([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s+(\S)")
_HEADLINE = re.compile(r"(?:[A-Z]{3,}\s*[–—-]\s*)?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)"
                       r"(?:\s+[Oo]n\s+[\w’' -]{1,40}?)?:\s+(\S.*?)[.]?$")
_NOT_SPEAKERS = wordset("""note update updated watch related video photo photos read more editor's latest
exclusive breaking live listen opinion analysis advertisement source sources image images""")


def _headline_drafts(text: str, paras: list[tuple[int, int]], drafts: list[Draft]) -> list[Draft]:
    """ "Roger Stone: Don't Trust the Voting Machines" — a headline quoting its speaker after a colon."""
    out = []
    taken = [(d.content_start, d.content_end) for d in drafts]
    for pi, (ps, pe) in enumerate(paras):
        line = text[ps:pe]
        t = _TRANSCRIPT.match(line)
        if t is not None and t.group(1).lower() not in _NOT_SPEAKERS and len(t.group(1)) > 2:
            # "TRUMP: The deaths of …" — a transcript line
            cs, ce = ps + t.start(2), _trim_end(text, ps + t.start(2), pe)
            speaker = Mention(ps, ps + t.end(1), t.group(1), t.group(1).title(), None, "person")
            if not any(a <= cs < b for a, b in taken):
                out.append(Draft(ps + t.end(1), ps + t.end(1) + 1, ":", speaker, cs, ce, "direct", 0.6, pi))
            continue
        if len(line.split()) > 30:
            continue
        ts = _TITLE_SAYS.match(line)
        who: Mention | None
        if ts is not None:
            who = loose_mention(text, ps + ts.start(1), ps + ts.end(1))
            cs, ce = ps + ts.start(3), ps + ts.end(3)
            if who is not None and who.kind in ("person", "organisation", "group") and \
                    not any(a <= cs < b for a, b in taken):
                out.append(Draft(ps + ts.start(2), ps + ts.end(2), ts.group(2).lower(), who, cs, ce,
                                 "indirect", 0.6, pi))
            continue
        m = _HEADLINE.match(line)
        if m is None or any(w.lower() in _NOT_SPEAKERS for w in m.group(1).split()):
            continue
        who = loose_mention(text, ps + m.start(1), ps + m.end(1))
        if who is None or who.kind not in ("person", "organisation"):
            continue
        cs = ps + m.start(2)
        ce = ps + m.end(2)
        if any(a <= cs < b for a, b in taken) or len(re.findall(r"\w+", text[cs:ce])) < 3:
            continue
        colon = text.rfind(":", ps, cs)
        out.append(Draft(colon, colon + 1, ":", who, cs, ce, "direct", 0.6, pi))
    return out


def _colon_quotes(text: str, sents: list[Sentence], quotes: list[Quote], claimed: set[int]) -> list[Draft]:
    """A speaker, a colon, a quote: "… doesn't surprise pollster Daron Shaw: “Historically, …”"."""
    out = []
    for qi, q in enumerate(quotes):
        if qi in claimed or not _substantive(text, q):
            continue
        m = re.search(r"([^\s:])\s*:\s*$", text[max(0, q.start - 4):q.start])
        if m is None:
            continue
        colon = text.rfind(":", 0, q.start)
        sent = next((x for x in sents if x.start <= colon < x.end), None)
        if sent is None:
            continue
        who = left_mention(text, sent.start, colon)
        if who is None or who.kind not in ("person", "pronoun", "organisation"):
            continue
        claimed.add(qi)
        si = sents.index(sent)
        end = _chain(text, sents, si, q, quotes) if q.start >= sent.start else q.end
        out.append(Draft(colon, colon + 1, ":", who, q.start, end, "direct", 0.7, sent.paragraph))
    return out


_ASKED = re.compile(r"(?:^|(?<=\b[Ww]hen )|(?<=\b[Aa]fter being )|(?<=\b[Ww]hen being ))[Aa]sked"
                    r"(?: by ([^,;.]{2,60}?))?(?: \w+){0,3}? (if|whether|why|what|how|which|who|about|to) ")


def _asked_drafts(text: str, sents: list[Sentence], drafts: list[Draft]) -> list[Draft]:
    """ "Asked whether he would run, Smith said …" — the question is a statement of whoever asked it."""
    out = []
    taken = [(d.content_start, d.content_end) for d in drafts]
    for sent in sents:
        chunk = text[sent.start:sent.end]
        for m in _ASKED.finditer(chunk):
            if m.start() > 0 and not chunk[:m.start()].rstrip().lower().endswith(("when", "being")):
                continue
            cs = sent.start + m.start(2)
            comma = re.search(r"[,;]|$", chunk[m.end():])
            ce = _trim_end(text, cs, sent.start + m.end() + (comma.start() if comma else 0))
            if any(a <= cs < b for a, b in taken) or len(re.findall(r"\w+", text[cs:ce])) < 3:
                continue
            who = None
            if m.group(1):
                who = loose_mention(text, sent.start + m.start(1), sent.start + m.end(1), anything=True)
            if who is None:
                at = sent.start + m.start()
                who = Mention(at, at, "", "unknown", None, "unknown")
            cue_at = sent.start + m.start()
            out.append(Draft(cue_at, cue_at + 5, "asked", who, cs, ce, "indirect", 0.5, sent.paragraph))
    return out
