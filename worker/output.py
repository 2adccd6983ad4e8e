"""Printing for the CLI: JSON and plain tables (worker/formats.py writes listings as JSON, JSON lines
or CSV; worker/progress.py shows progress)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from worker.formats import json_text


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON for people (indented), written as the --json/--jsonl listings write it."""
    return json_text(value, indent=indent)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), file=out)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(), file=out)


def one_line(text: str, width: int) -> str:
    """``text`` for a table cell: its whitespace runs made single spaces, cut to ``width`` with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def short_feed(row: dict[str, Any], width: int = 24) -> str:
    """The feed of a listed row in a table cell: its title, else its URL, cut to ``width``."""
    return one_line(row.get("feed_title") or row.get("feed_url") or "", width)


def counted(lines: Iterable[tuple[int, str]]) -> list[str]:
    """The lines of a summary whose count is not zero (a summary leaves out what did not happen)."""
    return [line for count, line in lines if count]
