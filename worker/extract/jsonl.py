"""Batch extraction over JSON lines: the engine of `worker extract --jsonl`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from worker.extract.article import extract_article
from worker.jsonlines import json_object


def run_jsonl(lines: Iterable[str], out: TextIO) -> int:
    """Read {"id","url","html"} lines, write one result line each, in order; return lines written.

    A line that cannot be read gives {"id": ..., "error": "..."} and the run goes on.
    Blank input lines are skipped.
    """
    count = 0
    for line in lines:
        if not line.strip():
            continue
        out.write(json.dumps(_process(line), ensure_ascii=False) + "\n")
        count += 1
    out.flush()
    return count


def _process(line: str) -> dict[str, Any]:
    record, error = json_object(line)
    if record is None:
        return {"id": None, "error": error}
    record_id, url, html = record.get("id"), record.get("url"), record.get("html")
    if not isinstance(html, str):
        return {"id": record_id, "error": "missing or non-string 'html'"}
    if url is not None and not isinstance(url, str):
        return {"id": record_id, "error": "'url' must be a string or null"}
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
