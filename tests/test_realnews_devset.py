"""The real-news development set (tests/data/statements/realnews_dev.jsonl, see docs/statements.md)
holds together: every span inside its text and equal to what it names, no content piece holding
the attribution, kinds and speaker types from the lists, and two readings behind every article."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "statements"
TYPES = {"person", "organisation", "group", "unknown"}
KINDS = {"direct", "indirect", "mixed"}


def articles() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (DATA / "realnews_dev.jsonl").read_text(encoding="utf-8").splitlines()]


def test_thirty_articles_of_thirty_outlets() -> None:
    docs = articles()
    assert len(docs) == 30 and len({d["id"] for d in docs}) == 30
    assert len({d["url"].split("/")[2] for d in docs}) == 30


def test_every_span_is_exact_and_no_piece_holds_the_attribution() -> None:
    for doc in articles():
        text = doc["text"]
        starts = []
        for s in doc["statements"]:
            where = (doc["id"], s["content"])
            assert s["content"] and s["speaker"], where
            assert s["type"] in TYPES and s["kind"] in KINDS, where
            for a, b in s["content"] + s["source"] + s["cue"]:
                assert 0 <= a < b <= len(text), where
            assert text[slice(*s["source"][0])] == s["source_text"] if s["source"] else s["source_text"] == ""
            assert text[slice(*s["cue"][0])] == s["cue_text"] if s["cue"] else s["cue_text"] == ""
            pieces = s["content"]
            assert all(p[1] <= q[0] for p, q in itertools.pairwise(pieces)), where
            for a, b in pieces:
                for c, e in s["source"] + s["cue"]:
                    assert not (a <= c and e <= b), where
            starts.append(pieces[0][0])
        assert starts == sorted(starts), doc["id"]


def test_every_article_was_read_twice() -> None:
    readings = [json.loads(line) for line in
                (DATA / "realnews" / "readings.jsonl").read_text(encoding="utf-8").splitlines()]
    count = Counter((r["id"], r["reading"]) for r in readings)
    ids = {d["id"] for d in articles()}
    assert set(count) == {(i, r) for i in ids for r in ("a", "b")}
    assert set(count.values()) == {1}
