"""Rows out as JSON, JSON lines or CSV: one writer for every listing command (`articles`,
`statements`, `export`), streaming, so a long listing is never held whole in memory.

- ``json``: one JSON array (indented as ``json.dumps(rows, indent=2)``), written row by row;
- ``jsonl``: one compact JSON object per line;
- ``csv``: a header line, then one line per row (the csv module's quoting, ``\\n`` line ends, UTF-8
  as the output stream is): a date is ISO 8601, a list or dict is compact JSON, None is empty.

Dates are ISO 8601 everywhere; text is written as it is (no ``\\u`` escapes).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TextIO

FORMATS = ("json", "jsonl", "csv")


class FormatError(ValueError):
    """Two output formats asked for at once; the message names them."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_text(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, indent=indent)


def csv_cell(value: Any) -> Any:
    """One CSV cell: '' for None, ISO 8601 for a date, compact JSON for a list or dict."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))
    return value


def chosen_format(args: argparse.Namespace) -> str | None:
    """The format the command line asks for (--json, --jsonl, --csv, or --format), None for the
    table; FormatError when it asks for two."""
    asked = [name for name in FORMATS if getattr(args, name, False)]
    given = getattr(args, "format", None)
    if given is not None and given not in asked:
        asked.append(given)
    if len(asked) > 1:
        raise FormatError("choose one output format: " + " or ".join(f"--{a}" for a in asked))
    return asked[0] if asked else None


class RowWriter:
    """Write rows (mappings) in one format; ``columns`` fixes the CSV header and the order of the
    keys in JSON (keys not among them follow, in the row's order)."""

    def __init__(self, fmt: str, out: TextIO, columns: Sequence[str]):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        self.fmt = fmt
        self.out = out
        self.columns = tuple(columns)
        self.count = 0
        self._csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow(self.columns)

    def _ordered(self, row: Mapping[str, Any]) -> dict[str, Any]:
        ordered = {c: row[c] for c in self.columns if c in row}
        ordered.update((k, v) for k, v in row.items() if k not in ordered)
        return ordered

    def write(self, row: Mapping[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow([csv_cell(row.get(c)) for c in self.columns])
        elif self.fmt == "jsonl":
            self.out.write(json_text(self._ordered(row)) + "\n")
        else:
            text = json_text(self._ordered(row), indent=2).replace("\n", "\n  ")
            self.out.write(("[\n  " if self.count == 0 else ",\n  ") + text)
        self.count += 1

    def close(self) -> None:
        """Finish the output (the JSON array's closing bracket) and flush it."""
        if self.fmt == "json":
            self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


def write_rows(rows: Iterable[Mapping[str, Any]], fmt: str, out: TextIO, columns: Sequence[str]) -> int:
    """Write every row in ``fmt``; returns how many."""
    writer = RowWriter(fmt, out, columns)
    for row in rows:
        writer.write(row)
    writer.close()
    return writer.count
