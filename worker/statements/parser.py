"""Find the statements of a text: reporting cues, their speakers and what was said.

Every reporting cue is framed (frames.py), then headlines, transcripts, colon quotations and
questions are added (special.py). A quotation continued by the next sentences of its paragraph
("…,” he said. “…”) joins them. A quotation no cue claims, standing as its own sentence, continues
the latest speaker with lower confidence. A cue inside another statement's content is dropped,
unless it names its own speaker inside a clause of that content (nested speech).
Speakers are then resolved in text order (see resolve.py), and what each statement says is cut into
pieces that leave out quotation marks and an attribution inside it (see pieces.py).

The cost grows linearly with the text and its quotation marks: quotations, sentences, claimed
quotations and entities are looked up by bisection and maps, never by a scan over all of them; a
cue reads its sentence only within fixed reaches (frames.py), its speaker phrase only as far as the
phrase goes (mentions.py, tokens.py) and earlier speakers only a fixed way back (resolve.py). The
bounds are well beyond anything in real articles (see where each is set).
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right

from worker.statements.draft import Context, Draft
from worker.statements.frames import sentence_drafts
from worker.statements.lexicon import wordset
from worker.statements.model import Statement
from worker.statements.pieces import content_spans
from worker.statements.resolve import Recent, Registry
from worker.statements.segment import QuoteIndex, find_quotes, paragraphs, sentences
from worker.statements.special import asked_drafts, colon_quotes, headline_drafts, signoff_drafts
from worker.statements.window import SpanSet


def parse_statements(text: str) -> list[Statement]:
    if not text or not text.strip():
        return []
    paras = paragraphs(text)
    quotes = QuoteIndex(find_quotes(text, paras))
    sents = sentences(text, paras, quotes)
    ctx = Context(text, sents, quotes)
    drafts: list[Draft] = []
    for si in range(len(sents)):
        drafts.extend(sentence_drafts(ctx, si))
    drafts.extend(signoff_drafts(ctx, paras))
    drafts.extend(colon_quotes(ctx))
    drafts.extend(asked_drafts(text, sents, drafts))
    drafts.extend(headline_drafts(text, paras, drafts))
    drafts = _drop_nested(drafts)
    registry = Registry(text, sents, quotes)
    return _resolve(ctx, drafts, registry)


# --- framing ------------------------------------------------------------------------------------

def _drop_nested(drafts: list[Draft]) -> list[Draft]:
    """A cue inside another statement's content belongs to what is being reported: drop it, unless
    it is a statement of its own inside a clause of that content (``_own_speaker``).

    Whether some content starts at or before the cue, ends after it and is longer than the draft's
    own: a sweep over the cues in text order with a heap of the contents started so far, largest
    first, whose top is discarded once it ends at or before the cue (later cues are further on)."""
    by_start = sorted(drafts, key=lambda d: d.content_start)
    nested: set[int] = set()
    heap: list[tuple[int, int, int]] = []  # (-size, content_end, content_start)
    k = 0
    for d in sorted(drafts, key=lambda d: d.cue_start):
        while k < len(by_start) and by_start[k].content_start <= d.cue_start:
            o = by_start[k]
            heapq.heappush(heap, (o.content_start - o.content_end, o.content_end, o.content_start))
            k += 1
        while heap and heap[0][1] <= d.cue_start:
            heapq.heappop(heap)
        if heap and -heap[0][0] > d.content_end - d.content_start \
                and not _own_speaker(d, heap[0][2], heap[0][1]):
            nested.add(id(d))
    return [d for d in drafts if id(d) not in nested]


def _own_speaker(d: Draft, outer_start: int, outer_end: int) -> bool:
    """Whether a cue inside another statement's content is a statement of its own: it names its
    speaker, a person or body, inside a clause of that content ("Lee said she acted after the agency
    reported the loss"); not the content's own subject ("Lee says Kim promised …", "According to X,
    Kim said …"), which is reported only as part of what the outer speaker said. Its content ends within
    the outer one (one running on over the outer attribution is mis-framed)."""
    m = d.mention
    return m is not None and m.start < m.end and m.kind in _OWN_KINDS and d.kind != "direct" \
        and m.start - outer_start > 2 and d.content_end <= outer_end \
        and d.cue.split()[0].lower() in _SAY_WORDS


_OWN_KINDS = ("person", "organisation")
_SAY_WORDS = wordset("""say says said tell tells told write writes wrote note notes noted add adds added
announce announces announced acknowledge acknowledges acknowledged report reports reported""")


# --- resolving ----------------------------------------------------------------------------------

def _resolve(ctx: Context, drafts: list[Draft], registry: Registry) -> list[Statement]:
    text = ctx.text
    floating = _floating(ctx, drafts)
    items = sorted(drafts + floating, key=lambda d: (d.content_start if d.mention is None else d.cue_start))
    recent = Recent()
    out: list[Statement] = []
    for d in items:
        if d.mention is None:
            # the latest speaker within 1,500 characters: ``recent`` is in text order and every
            # position in it is at or before this content's start
            latest = recent.last()
            latest = registry.introduced_since(latest[0] if latest else -1, d.content_start) or latest
            ent = latest[1] if latest is not None and d.content_start - latest[0] < 1500 else None
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
                recent.append(d.cue_start, r.entity)
        cs, ce = d.content_start, d.content_end
        if ce <= cs:
            continue
        if role:
            role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.I) or None
        m = d.mention
        spans = content_spans(text, ctx.quotes, cs, ce, d.kind, (d.cue_start, d.cue_end),
                              (m.start, m.end) if m is not None and m.start < m.end else None)
        out.append(Statement(
            speaker=speaker, speaker_type=stype, role=role, speaker_start=s_start, speaker_end=s_end,
            cue=d.cue if d.mention is not None else None, content=" ".join(text[a:b] for a, b in spans),
            content_start=cs, content_end=ce, content_spans=spans, kind=d.kind, confidence=round(conf, 2),
        ))
    out.sort(key=lambda s: s.content_start)
    return out


def _floating(ctx: Context, drafts: list[Draft]) -> list[Draft]:
    text, quotes, claimed = ctx.text, ctx.quotes, ctx.claimed
    out = []
    covered = SpanSet([(d.content_start, d.content_end) for d in drafts])
    ends = sorted(d.content_end for d in drafts)
    newlines = [m.start() for m in re.finditer("\n", text)]
    for qi, q in enumerate(quotes):
        if qi in claimed or not q.closed or q.words(text) < 5 or covered.holds(q.start):
            continue
        sent = ctx.sentences.starting_at(q.start)
        if sent is None or sent.end - q.end > 2:
            continue
        k = bisect_left(newlines, q.start)  # text.rfind("\n", 0, q.start) + 1
        line_start = newlines[k - 1] + 1 if k else 0
        if q.start != line_start and not _follows_statement(q.start, ends):
            continue
        end = q.end
        out.append(Draft(q.start, q.start, "", None, q.start, end, "direct", 0.5, sent.paragraph))
    return out


def _follows_statement(pos: int, ends: list[int]) -> bool:
    """Whether a statement's content ends at most 199 characters before pos (ends: sorted)."""
    k = bisect_right(ends, pos)
    return k > 0 and pos - ends[k - 1] < 200
