"""Statements outside the cue framing: headlines ("Roger Stone: Don't Trust …", "X Says …"),
transcript lines ("TRUMP: …"), a speaker and a colon before a quotation, and questions put to
someone ("Asked whether …")."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from worker.statements.draft import Context, Draft, chain, substantive, trim_end
from worker.statements.lexicon import wordset
from worker.statements.mentions import Mention, left_mention, loose_mention
from worker.statements.segment import OPENER_RE, Sentence
from worker.statements.window import SpanSet, has_words

_TITLE_SAYS = re.compile(r"((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)\s+"
                         r"(Says|Warns|Urges|Claims|Insists|Admits|Denies|Calls for|Tells \w+)\s+"
                         r"(\S.*?)[.]?$")
_TRANSCRIPT = re.compile(r"(?:''|[\"“])?([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s+(\S)")
_HEADLINE = re.compile(r"(?:[A-Z]{3,}\s*[–—-]\s*)?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)"
                       r"(?:\s+[Oo]n\s+[\w’' -]{1,40}?)?:\s+(\S.*?)[.]?$")
_NOT_SPEAKERS = wordset("""note update updated watch related video photo photos read more editor's latest
exclusive breaking live listen opinion analysis advertisement source sources image images contact
contacts credit credits caption email e-mail phone tel fax website address location venue date tags
topics category correction clarification disclaimer q""")
# "Q: …" / "A: …": a question and its answer in an interview transcript
_QA = re.compile(r"([QA])\s*:\s+(\S)")
_QA_TURN = re.compile(r"(?:^|(?<=\s))([QA]):\s+(?=\S)")


def headline_drafts(text: str, paras: list[tuple[int, int]], drafts: list[Draft]) -> list[Draft]:
    """ "Roger Stone: Don't Trust the Voting Machines" — a headline quoting its speaker after a colon;
    also transcript lines ("TRUMP: …", "Q: … A: …") and "Title says …" headlines."""
    out: list[Draft] = []
    taken = SpanSet([(d.content_start, d.content_end) for d in drafts])
    cues = sorted(d.cue_start for d in drafts)
    first_q = next((ps for ps, pe in paras if text.startswith("Q", ps) and _QA.match(text, ps, pe)), -1)
    lower: list[set[str]] = []  # the text's lower-case words, read once when first needed
    turn: list[Draft] = []  # a transcript turn whose line opened with a quotation mark
    for pi, (ps, pe) in enumerate(paras):
        line = text[ps:pe]
        if _continues_turn(text, ps, pe, turn):
            continue
        if _QA.match(line) is not None:
            if first_q >= 0:
                out.extend(_qa_drafts(text, ps, pe, pi, first_q, drafts, taken, cues))
            continue
        # each kind of line, once it matches, settles the line: with a statement or with none
        for kind in (_transcript_line, _title_says, _colon_headline):
            if kind is not _transcript_line and len(line.split()) > 30:
                break
            matched, draft = kind(text, ps, pe, pi, taken, lower)
            if draft is not None:
                out.append(draft)
                if kind is _transcript_line and OPENER_RE.match(text, ps):
                    turn.append(draft)
            if matched:
                break
    return out


def _continues_turn(text: str, ps: int, pe: int, turn: list[Draft]) -> bool:
    """A paragraph opening with a quotation mark and no speaker label goes on with the transcript turn
    before it (a quoted transcript reopens the quotation at every paragraph); a stage direction
    ("(CROSSTALK.)") or any other paragraph ends the turn."""
    if turn:
        mark = OPENER_RE.match(text, ps, pe)
        after = text[mark.end():mark.end() + 1] if mark is not None else ""
        if after.isalnum() and not _TRANSCRIPT.match(text, ps, pe):
            turn[-1].content_end = trim_end(text, ps, pe)
            return True
        turn.clear()
    return False


Found = tuple[bool, Draft | None]  # (the line is of this kind, its statement if it has one)


def _transcript_line(text: str, ps: int, pe: int, pi: int, taken: SpanSet, _lower: list[set[str]]) -> Found:
    """"TRUMP: The deaths of …" — a transcript line."""
    t = _TRANSCRIPT.match(text[ps:pe])
    if t is None or t.group(1).lower() in _NOT_SPEAKERS or len(t.group(1)) <= 2:
        return False, None
    cs, ce = ps + t.start(2), trim_end(text, ps + t.start(2), pe)
    speaker = Mention(ps + t.start(1), ps + t.end(1), t.group(1), t.group(1).title(), None, "person")
    if taken.holds(cs):
        return True, None
    return True, Draft(ps + t.end(1), ps + t.end(1) + 1, ":", speaker, cs, ce, "direct", 0.6, pi)


def _title_says(text: str, ps: int, pe: int, pi: int, taken: SpanSet, _lower: list[set[str]]) -> Found:
    """"Mayor says bridge will open in May" — a headline reporting its speaker."""
    ts = _TITLE_SAYS.match(text[ps:pe])
    if ts is None:
        return False, None
    who = loose_mention(text, ps + ts.start(1), ps + ts.end(1))
    cs, ce = ps + ts.start(3), ps + ts.end(3)
    if who is None or who.kind not in ("person", "organisation", "group") or taken.holds(cs):
        return True, None
    cue = ts.group(2).lower()
    return True, Draft(ps + ts.start(2), ps + ts.end(2), cue, who, cs, ce, "indirect", 0.6, pi)


def _colon_headline(text: str, ps: int, pe: int, pi: int, taken: SpanSet, lower: list[set[str]]) -> Found:
    """"Roger Stone: Don't Trust …" — not a list label ("Path A:") nor a topic ("Flooding:")."""
    m = _HEADLINE.match(text[ps:pe])
    if m is None or any(w.lower() in _NOT_SPEAKERS for w in m.group(1).split()):
        return True, None
    words = m.group(1).split()
    if len(words[-1]) == 1 or words[-1].isdigit():
        return True, None  # "Path A: …", "Step 2: …" — a list label; no name ends in a lone letter or number
    if len(words) == 1:
        if not lower:
            lower.append(set(_LOWER_WORD.findall(text)))
        if words[0].lower() in lower[0]:
            return True, None  # "Flooding: …" when the story speaks of "flooding": a topic, not a name
    who = loose_mention(text, ps + m.start(1), ps + m.end(1))
    if who is None or who.kind not in ("person", "organisation"):
        return True, None
    cs, ce = ps + m.start(2), ps + m.end(2)
    if taken.holds(cs) or not has_words(text, cs, ce, 3):
        return True, None
    colon = text.rfind(":", ps, cs)
    return True, Draft(colon, colon + 1, ":", who, cs, ce, "direct", 0.6, pi)


def _qa_drafts(text: str, ps: int, pe: int, pi: int, first_q: int, drafts: list[Draft],
               taken: SpanSet, cues: list[int]) -> list[Draft]:
    """The turns of one transcript paragraph ("Q: …  A: …"): a question is the unnamed interviewer's,
    an answer the interviewee's. A turn that reports speech itself ("I said …") is left to that
    report: as a statement of its own it would hide the nested one."""
    turns = list(_QA_TURN.finditer(text, ps, pe))
    out = []
    for k, turn in enumerate(turns):
        cs = turn.end()
        stop = turns[k + 1].start() if k + 1 < len(turns) else pe
        line_end = text.find("\n", cs, stop)
        ce = trim_end(text, cs, stop if line_end < 0 else line_end)
        if taken.holds(cs) or ce <= cs or bisect_left(cues, cs) < bisect_left(cues, ce):
            continue
        colon = turn.end(1)
        who: Mention | None
        if turn.group(1) == "Q":
            who = Mention(turn.start(), turn.start(), "", "unknown", None, "unknown")
        elif ps > first_q or k > 0:
            who = _interviewee(drafts, first_q)
            if who is None:
                continue
        else:
            continue  # an "A:" before any question is a list item
        out.append(Draft(colon, colon + 1, ":", who, cs, ce, "direct", 0.5, pi))
    return out


_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][\w’'-]*")


def _interviewee(drafts: list[Draft], before: int) -> Mention | None:
    """Who answers in a transcript: the latest named speaker before its first question, as an implicit
    mention (no offsets of its own); None to continue the latest speaker."""
    named = [d for d in drafts if d.cue_start < before and d.mention is not None and d.mention.name
             and d.mention.kind in ("person", "organisation")]
    if not named:
        return None
    m = max(named, key=lambda d: d.cue_start).mention
    assert m is not None
    return replace(m, end=m.start)


_COLON_BEFORE = re.compile(r"([^\s:])\s*:\s*$")


def colon_quotes(ctx: Context) -> list[Draft]:
    """A speaker, a colon, a quote: "… doesn't surprise pollster Daron Shaw: “Historically, …”"."""
    text, quotes, claimed = ctx.text, ctx.quotes, ctx.claimed
    out = []
    for qi, q in enumerate(quotes):
        if qi in claimed or not substantive(text, q):
            continue
        m = _COLON_BEFORE.search(text[max(0, q.start - 4):q.start])
        if m is None:
            continue
        colon = text.rfind(":", 0, q.start)  # within the four characters just searched
        si = ctx.sentences.at(colon)
        if si < 0:
            continue
        sent = ctx.sents[si]
        who = left_mention(text, sent.start, colon)
        if who is None or who.kind not in ("person", "pronoun", "organisation"):
            continue
        claimed.add(qi)
        end = chain(ctx, si, q) if q.start >= sent.start else q.end
        out.append(Draft(colon, colon + 1, ":", who, q.start, end, "direct", 0.7, sent.paragraph))
    return out


_ASKED = re.compile(r"(?:^|(?<=\b[Ww]hen )|(?<=\b[Aa]fter being )|(?<=\b[Ww]hen being ))[Aa]sked"
                    r"(?: by ([^,;.]{2,60}?))?(?: \w+){0,3}? (if|whether|why|what|how|which|who|about|to) ")


_COMMA_OR_END = re.compile(r"[,;]|$")
# The question put ("Asked whether he would run, …") ends at a comma: one this far on is no longer
# part of it (the longest indirect statement in the PolNeAR and SCU articles is 388 characters).
_QUESTION_MAX = 1000


def asked_drafts(text: str, sents: list[Sentence], drafts: list[Draft]) -> list[Draft]:
    """ "Asked whether he would run, Smith said …" — the question is a statement of whoever asked it."""
    out = []
    taken = SpanSet([(d.content_start, d.content_end) for d in drafts])
    for sent in sents:
        chunk = text[sent.start:sent.end]
        for m in _ASKED.finditer(chunk):
            if m.start() > 0 and not chunk[max(0, m.start() - 16):m.start()].rstrip().lower().endswith(
                    ("when", "being")):
                continue
            cs = sent.start + m.start(2)
            limit = min(len(chunk), m.end() + _QUESTION_MAX)
            comma = _COMMA_OR_END.search(chunk, m.end(), limit)
            if comma is None or (not comma.group() and limit < len(chunk)):
                continue
            ce = trim_end(text, cs, sent.start + comma.start())
            if taken.holds(cs) or not has_words(text, cs, ce, 3):
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


# "“…” ― Dana Reyes" / "“…”— Dana Reyes." — a quotation signed off by a dash and a name closing
# its line (reader comments, epigraphs, collected reactions)
_SIGN_OFF = re.compile(r"([”\"])\s*([―—])\s*([A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*\.?){0,4}?)\.?\s*$")
_SIGN_OFF_REACH = 120  # the mark, the dash and a name of at most five words


def signoff_drafts(ctx: Context, paras: list[tuple[int, int]]) -> list[Draft]:
    """Quotations signed off by their speaker at the end of their line: the whole line up to the
    closing mark is what was said."""
    text, quotes, claimed = ctx.text, ctx.quotes, ctx.claimed
    out = []
    for pi, (ps, pe) in enumerate(paras):
        m = _SIGN_OFF.search(text, max(ps, pe - _SIGN_OFF_REACH), pe)
        if m is None or (OPENER_RE.match(text, ps) is None and text[ps] != "”"):
            continue
        close = m.start(1)
        qi = quotes.containing(close)
        if qi >= 0 and (quotes[qi].start != ps or qi in claimed):
            continue
        cs = ps + 1 if qi < 0 else ps
        ce = close if qi < 0 else quotes[qi].end
        who = loose_mention(text, m.start(3), m.end(3))
        if who is None or who.kind != "person" or not has_words(text, cs, ce, 3):
            continue
        if qi >= 0:
            claimed.add(qi)
        out.append(Draft(m.start(2), m.end(2), m.group(2), who, cs, ce, "direct", 0.7, pi))
    return out
