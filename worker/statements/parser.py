"""Find the statements of a text. (Work in progress: direct quotes with a trailing "X said" only.)"""

from __future__ import annotations

import re

from worker.statements.model import Statement

_SIMPLE = re.compile(r"(?P<q>[\"“„«][^\"“”„«»]+[\"”»]),? (?P<who>[A-Z][\w.]*(?: [A-Z][\w.-]*)*) said")


def parse_statements(text: str) -> list[Statement]:
    out = []
    for m in _SIMPLE.finditer(text):
        out.append(Statement(
            speaker=m["who"], speaker_type="person", role=None, speaker_start=m.start("who"),
            speaker_end=m.end("who"), cue="said", content=m["q"], content_start=m.start("q"),
            content_end=m.end("q"), kind="direct", confidence=0.9))
    return out
