"""run_jsonl: one output line per input line, in order, errors reported and skipped over."""

from __future__ import annotations

import io
import json
from pathlib import Path

from worker.extract.jsonl import run_jsonl

DEMO = Path(__file__).resolve().parent.parent / "seeds" / "demo" / "pages"
PAGE = (DEMO / "city-budget-vote.html").read_text(encoding="utf-8")


def test_run_jsonl_order_fields_and_errors() -> None:
    lines = [
        json.dumps({"id": "a", "url": "https://riverside.example/p", "html": PAGE}),
        "{not json",
        "",
        json.dumps({"id": "c", "url": None}),
        json.dumps({"id": 4, "url": None, "html": "<html></html>"}),
        json.dumps(["not", "an", "object"]),
    ]
    out = io.StringIO()
    count = run_jsonl(lines, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(rows) == 5
    assert [r.get("id") for r in rows] == ["a", None, "c", 4, None]
    first = rows[0]
    assert set(first) == {"id", "url", "title", "author", "published_at", "language", "text"}
    assert first["title"] == "Council approves budget with more money for school repairs"
    assert first["published_at"] == "2024-11-20T17:05:00+00:00"
    assert first["language"] == "en"
    assert first["text"].startswith("The city council approved")
    assert "error" in rows[1] and "error" in rows[2] and "error" in rows[4]
    assert rows[3]["text"] == "" and "error" not in rows[3]


def test_statements_are_added_when_asked_and_only_for_languages_the_parser_reads() -> None:
    quote = "<p>“We will win,” Jane Doe said after the vote on Tuesday evening in the city hall.</p>"
    german = ("<p>Die Stadt baut die alte Brücke über den Fluss neu, teilte die Verwaltung mit.</p>"
              "<p>Länge: 3:28:15</p><p>Verkehr: Die Umleitung führt über die Nordbrücke.</p>")
    lines = [json.dumps({"id": 1, "url": None, "html": f'<html lang="en"><body><article>{quote * 3}</article></body></html>'}),
             json.dumps({"id": 2, "url": None, "html": f'<html lang="de"><body><article>{german * 3}</article></body></html>'})]
    out = io.StringIO()
    assert run_jsonl(lines, out, statements=True) == 2
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["statements"] and first["statements"][0]["speaker"] == "Jane Doe"
    assert second["language"] == "de" and second["statements"] == []
    plain = io.StringIO()
    run_jsonl(lines[:1], plain)
    assert "statements" not in json.loads(plain.getvalue())
