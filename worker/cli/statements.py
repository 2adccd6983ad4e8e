"""`worker parse`, `worker reparse` and `worker statements`: statements from the command line.

`parse` needs no database: text in, the parser's statements out as JSON (or JSON lines, which is
what the shared scorer drives). Parsing and exit codes live in worker/cli/__init__.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any, TextIO

from db.statements import ARTICLE_FIELDS, STATEMENT_COLUMNS, list_statements
from worker.cli.arguments import UsageError, settings_for, speaker_filter
from worker.cli.database import open_db
from worker.formats import chosen_format, write_rows
from worker.jsonlines import decoded_lines, run_lines, string_fields
from worker.output import counted, one_line, short_feed, table, to_json
from worker.parse.urls import normalize_url
from worker.pipeline.statements import reparse as reparse_articles
from worker.pool import CpuPool
from worker.progress import make_progress
from worker.statements import parse_statements
from worker.statements.languages import parses

log = logging.getLogger("worker.statements")


# --- parse --------------------------------------------------------------------------------------

def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _read_text(name: str | None) -> str:
    """The whole of FILE, or of stdin for '-' or no name, exactly as given (no newline translation,
    so the offsets index into the bytes' text as they are)."""
    if name in (None, "-"):
        buffer = getattr(sys.stdin, "buffer", None)
        return _decode(buffer.read(), "stdin") if buffer is not None else sys.stdin.read()
    try:
        return _decode(Path(name).read_bytes(), name)
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from None


def _input_lines(name: str | None) -> Iterable[str]:
    if name in (None, "-"):
        yield from decoded_lines(sys.stdin)
        return
    try:
        with open(name, encoding="utf-8", errors="replace") as handle:
            yield from handle
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from None


def parse_line(line: str) -> dict[str, Any]:
    """One {"id","text"[,"language"]} line -> {"id","statements"}, or {"id","error"} when it cannot
    be read. A text in a language the parser does not read has no statements."""
    fields = string_fields(line, "text", "language")
    if isinstance(fields, dict):
        return fields
    record_id, text, language = fields
    if not parses(language):
        return {"id": record_id, "statements": []}
    try:
        statements = parse_statements(text)
    except MemoryError:  # the task's budget (worker/pool.py)
        raise
    except Exception as exc:  # one text that trips the parser must not stop a batch
        log.exception("the statement parser failed on input %r", record_id)
        return {"id": record_id, "error": f"parser failed: {exc.__class__.__name__}: {exc}"}
    return {"id": record_id, "statements": [s.to_dict() for s in statements]}


def run_parse_jsonl(lines: Iterable[str], out: TextIO, pool: CpuPool | None = None) -> int:
    """One output line per non-blank input line, in order, flushed as it is written; the texts are
    parsed in ``pool``'s worker processes (in this process without one)."""
    return run_lines(lines, out, parse_line, pool or CpuPool.in_process(), "parsing")


def parse(args: argparse.Namespace) -> int:
    if args.jsonl:
        with CpuPool.from_settings(settings_for(args)) as pool:
            run_parse_jsonl(_input_lines(args.file), sys.stdout, pool)
        return 0
    text = _read_text(args.file)
    print(to_json([s.to_dict() for s in parse_statements(text)]))
    return 0


# --- reparse ------------------------------------------------------------------------------------

def reparse(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    with (open_db(settings) as db,
          closing(make_progress(quiet=args.quiet, interval=settings.progress_interval)) as progress,
          CpuPool.from_settings(settings) as pool):
        summary = reparse_articles(db, pool, since=args.since, everything=args.all, progress=progress)
    if args.json:
        print(to_json(dataclasses.asdict(summary)))
        return 0
    print("\n".join([
        f"reparsed {summary.articles} articles, {summary.statements} statements "
        f"(parser {summary.parser_version})",
        *counted([
            (summary.failed,
             f"the parser failed on {summary.failed} articles; they keep their old statements (see -v)"),
            (summary.skipped,
             f"{summary.skipped} articles changed while being parsed; ingest has parsed them"),
        ]),
    ]))
    return 0


# --- statements ---------------------------------------------------------------------------------

def _article_filter(value: str | None) -> tuple[int | None, str | None]:
    """--article takes an article id or its URL (normalised as stored)."""
    if value is None:
        return None, None
    value = value.strip()
    if value.isdigit():
        return int(value), None
    return None, normalize_url(value, allow_file=True) or value


def statements(args: argparse.Namespace) -> int:
    fmt = chosen_format(args)
    article_id, article_url = _article_filter(args.article)
    speaker = speaker_filter(args.speaker)  # a bad name is a usage error before the database is opened
    with open_db(settings_for(args), reading=True) as db, db.read() as session:
        rows = list_statements(session, speaker=speaker, article_id=article_id, article_url=article_url,
                               since=args.since, stored_after=args.stored_since, limit=args.limit)
    if fmt is not None:
        write_rows(rows, fmt, sys.stdout, (*STATEMENT_COLUMNS, *ARTICLE_FIELDS))
    else:
        table([(r["article_id"], r["published_at"].strftime("%Y-%m-%d") if r["published_at"] else "",
                one_line(r["speaker"], 30), r["kind"], one_line(r["content"], 80), short_feed(r), r["url"])
               for r in rows],
              ["article", "published", "speaker", "kind", "content", "feed", "url"])
    return 0
