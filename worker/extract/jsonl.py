"""Batch extraction over JSON lines: the engine of `worker extract --jsonl`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

from worker.extract.article import extract_article
from worker.jsonlines import run_lines, string_fields
from worker.pool import CpuPool


def run_jsonl(lines: Iterable[str], out: TextIO, pool: CpuPool | None = None, *,
              statements: bool = False) -> int:
    """Read {"id","url","html"} lines, write one result line each, in order; return lines written.

    Lines are extracted in ``pool``'s worker processes (in this process without one); with
    ``statements`` each result also carries the statements of its text. A line that cannot be
    read, or whose extraction runs past its budget, gives {"id": ..., "error": "..."} and the run
    goes on. Blank input lines are skipped.
    """
    task = extract_line_with_statements if statements else extract_line
    return run_lines(lines, out, task, pool or CpuPool.in_process(), "extraction")


def extract_line_with_statements(line: str) -> dict[str, Any]:
    """extract_line, plus "statements" (none for a language the parser does not read)."""
    from worker.extract.language import detect_language
    from worker.statements.languages import statements_in

    result = extract_line(line)
    text = result.get("text")
    if isinstance(text, str):
        found = statements_in(text, result.get("language") or detect_language(text))
        result["statements"] = [s.to_dict() for s in found]
    return result


def extract_line(line: str) -> dict[str, Any]:
    fields = string_fields(line, "html", "url")
    if isinstance(fields, dict):
        return fields
    record_id, html, url = fields
    result = extract_article(html, url)
    return {
        "id": record_id,
        "url": url,
        "title": result.title,
        "author": result.author,
        "published_at": result.published_at.isoformat() if result.published_at else None,
        "language": result.language,
        "text": result.text,
    }


if __name__ == "__main__":
    run_jsonl(sys.stdin, sys.stdout)
