"""Scoring found statements against gold ones, for the quality gate.

Definitions (the same as the shared evaluation's, written here for the project):
- a found statement's content characters are the union of its pieces (content_spans), a gold
  statement's those of its content spans;
- a found and a gold statement match when their content characters overlap by at least a threshold
  share of the longer of the two (lenient 0.3, strict 0.8), or, in containment mode (gold content
  is a whole sentence), by that share of the found statement; pairs match one to one, best first;
- on a matched pair the speaker is right when the found mention overlaps the gold source span, or
  the resolved name shares a name word with the gold speaker; pairs with neither a gold span nor a
  gold name word are not judged;
- speech only: gold attributions whose cue is not a speech verb are dropped, and so are found
  statements that mostly overlap one of them;
- resolved: of the gold statements that name their speaker (a "speaker" field), the share matched
  by a found statement whose speaker holds the gold speaker's last name word ("he" resolved to
  "Antony Blinken" for gold "Antony Blinken"; a shared first name is not enough).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from worker.statements import Statement
from worker.statements.lexicon import CUE_WORDS

# Speaking, not believing or finding: the weak belief cues the parser also knows are left out.
_BELIEFS = {"believe", "believes", "believed", "find", "finds", "found", "show", "shows", "showed",
            "estimate", "estimates", "estimated"}
SPEECH_CUES = (CUE_WORDS - _BELIEFS) | {"according"}
_NOT_NAMES = {"the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr", "he", "she", "they", "it", "his", "her",
              "their", "its", "who", "said", "says"}


def _span_chars(spans: Iterable[Iterable[int]]) -> set[int]:
    out: set[int] = set()
    for start, end in spans:
        out.update(range(start, end))
    return out


def _name_words(name: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'\-]+", (name or "").lower()) if w not in _NOT_NAMES}


def is_speech(gold: dict[str, Any]) -> bool:
    cue = gold.get("cue_text") or ""
    return any(w in SPEECH_CUES for w in re.findall(r"[a-z]+", cue.lower())) or cue.strip() in (":", "—", "―")


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    speaker: float
    resolved: float = 0.0


def _surname(name: str) -> str | None:
    words = re.findall(r"[a-z0-9][a-z0-9'\-.]*", name.lower())
    words = [w.strip(".") for w in words if w.strip(".") not in ("jr", "sr", "ii", "iii")]
    return words[-1] if words else None


def score(docs: list[dict[str, Any]], found: dict[str, list[Statement]], *, threshold: float,
          speech_only: bool = False, containment: bool = False) -> Score:
    matched = judged = right = n_gold = n_found = named = resolved = 0
    for doc in docs:
        golds = [g for g in doc["statements"] if not speech_only or is_speech(g)]
        preds = found.get(doc["id"], [])
        if speech_only:
            others = [_span_chars(g["content"]) for g in doc["statements"] if not is_speech(g)]
            preds = [p for p in preds if not any(
                len(o & _span_chars(p.content_spans)) >= 0.3 * max(len(o), 1) for o in others)]
        n_gold += len(golds)
        n_found += len(preds)
        named += sum(1 for g in golds if g.get("speaker"))
        gold_chars = [_span_chars(g["content"]) for g in golds]
        pred_chars = [_span_chars(p.content_spans) for p in preds]
        pairs = []
        for gi, a in enumerate(gold_chars):
            for pi, b in enumerate(pred_chars):
                if a and b:
                    share = len(a & b) / (len(b) if containment else max(len(a), len(b)))
                    if share >= threshold:
                        pairs.append((share, gi, pi))
        used_g: set[int] = set()
        used_p: set[int] = set()
        for _, gi, pi in sorted(pairs, reverse=True):
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            matched += 1
            gold, pred = golds[gi], preds[pi]
            surname = _surname(gold.get("speaker") or "")
            if surname and surname in re.findall(r"[a-z0-9][a-z0-9'\-]*", pred.speaker.lower()):
                resolved += 1
            source = _span_chars(gold.get("source") or [])
            gold_name = gold.get("speaker") or gold.get("source_text") or ""
            has_mention = pred.speaker_start is not None and pred.speaker_end is not None
            if not (has_mention and source) and not _name_words(gold_name):
                continue
            judged += 1
            ok = has_mention and bool(source & set(range(pred.speaker_start or 0, pred.speaker_end or 0)))
            right += ok or bool(_name_words(pred.speaker) & _name_words(gold_name))
    precision = matched / n_found if n_found else 0.0
    recall = matched / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, right / judged if judged else 0.0, resolved / named if named else 0.0)
