"""Statements outside the cue framing: headlines ("Roger Stone: Don't Trust …", "X Says …"),
transcript lines ("TRUMP: …"), a speaker and a colon before a quotation, and questions put to
someone ("Asked whether …")."""

from __future__ import annotations

import re

from worker.statements.draft import Context, Draft, chain, substantive, trim_end
from worker.statements.lexicon import wordset
from worker.statements.mentions import Mention, left_mention, loose_mention
from worker.statements.segment import Sentence
from worker.statements.window import SpanSet, has_words

_TITLE_SAYS = re.compile(r"((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)\s+"
                         r"(Says|Warns|Urges|Claims|Insists|Admits|Denies|Calls for|Tells \w+)\s+"
                         r"(\S.*?)[.]?$")
_TRANSCRIPT = re.compile(r"([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s+(\S)")
_HEADLINE = re.compile(r"(?:[A-Z]{3,}\s*[–—-]\s*)?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)"
                       r"(?:\s+[Oo]n\s+[\w’' -]{1,40}?)?:\s+(\S.*?)[.]?$")
_NOT_SPEAKERS = wordset("""note update updated watch related video photo photos read more editor's latest
exclusive breaking live listen opinion analysis advertisement source sources image images""")


def headline_drafts(text: str, paras: list[tuple[int, int]], drafts: list[Draft]) -> list[Draft]:
    """ "Roger Stone: Don't Trust the Voting Machines" — a headline quoting its speaker after a colon."""
    out = []
    taken = SpanSet([(d.content_start, d.content_end) for d in drafts])
    for pi, (ps, pe) in enumerate(paras):
        line = text[ps:pe]
        t = _TRANSCRIPT.match(line)
        if t is not None and t.group(1).lower() not in _NOT_SPEAKERS and len(t.group(1)) > 2:
            # "TRUMP: The deaths of …" — a transcript line
            cs, ce = ps + t.start(2), trim_end(text, ps + t.start(2), pe)
            speaker = Mention(ps, ps + t.end(1), t.group(1), t.group(1).title(), None, "person")
            if not taken.holds(cs):
                out.append(Draft(ps + t.end(1), ps + t.end(1) + 1, ":", speaker, cs, ce, "direct", 0.6, pi))
            continue
        if len(line.split()) > 30:
            continue
        ts = _TITLE_SAYS.match(line)
        who: Mention | None
        if ts is not None:
            who = loose_mention(text, ps + ts.start(1), ps + ts.end(1))
            cs, ce = ps + ts.start(3), ps + ts.end(3)
            if who is not None and who.kind in ("person", "organisation", "group") and not taken.holds(cs):
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
        if taken.holds(cs) or not has_words(text, cs, ce, 3):
            continue
        colon = text.rfind(":", ps, cs)
        out.append(Draft(colon, colon + 1, ":", who, cs, ce, "direct", 0.6, pi))
    return out


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
