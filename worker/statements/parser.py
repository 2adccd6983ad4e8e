"""Find the statements of a text: reporting cues, their speakers and what was said.

Every reporting cue is framed (frames.py), then headlines, transcripts, colon quotations and
questions are added (special.py). A quotation continued by the next sentences of its paragraph
("…,” he said. “…”) joins them. A quotation no cue claims, standing as its own sentence, continues
the latest speaker with lower confidence. A cue inside another statement's content is dropped.
Speakers are then resolved in text order (see resolve.py).
"""

from __future__ import annotations

import re

from worker.statements.draft import Draft
from worker.statements.frames import sentence_drafts
from worker.statements.model import Statement
from worker.statements.resolve import Entity, Registry
from worker.statements.segment import Quote, Sentence, find_quotes, paragraphs, sentences
from worker.statements.special import asked_drafts, colon_quotes, headline_drafts


def parse_statements(text: str) -> list[Statement]:
    if not text or not text.strip():
        return []
    paras = paragraphs(text)
    quotes = find_quotes(text, paras)
    sents = sentences(text, paras, quotes)
    claimed: set[int] = set()
    drafts: list[Draft] = []
    for si in range(len(sents)):
        drafts.extend(sentence_drafts(text, sents, si, quotes, claimed))
    drafts.extend(colon_quotes(text, sents, quotes, claimed))
    drafts.extend(asked_drafts(text, sents, drafts))
    drafts.extend(headline_drafts(text, paras, drafts))
    drafts = _drop_nested(drafts)
    registry = Registry(text, sents, [(q.start, q.end) for q in quotes])
    return _resolve(text, drafts, quotes, sents, claimed, registry)


# --- framing ------------------------------------------------------------------------------------

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
            stype = ent.kind if ent.kind in ("person", "organisation") else "unknown"
            speaker, role, conf = ent.name, ent.role, d.confidence
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
        if role:
            role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.I) or None
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
        if qi in claimed or not q.closed or q.words(text) < 5 or any(a <= q.start < b for a, b in covered):
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
