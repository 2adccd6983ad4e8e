"""`worker reprocess` and `worker prune`: an article's life after ingest. Parsing and exit codes
live in worker/cli.py; the work itself in worker/pipeline/lifecycle.py."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime
from typing import Any

from db import lifecycle as db_lifecycle
from db.records import PruneCounts
from worker.commands import UsageError, _location, _open, _settings
from worker.output import to_json
from worker.pipeline.lifecycle import ExtractSummary, prune, reextract_articles
from worker.pipeline.statements import ReparseSummary
from worker.pipeline.statements import reparse as reparse_articles
from worker.pool import CpuPool
from worker.progress import make_progress

# --- reprocess ----------------------------------------------------------------------------------

def _by_count(reasons: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(reasons.items(), key=lambda item: (-item[1], item[0]))


def _extract_lines(summary: ExtractSummary) -> list[str]:
    skipped, failed = sum(summary.skipped.values()), sum(summary.failed.values())
    lines = [f"re-extracted {summary.articles} articles (extractor {summary.extractor_version}): "
             f"{summary.changed} changed ({summary.statements} statements), {summary.unchanged} unchanged, "
             f"{skipped} skipped, {failed} failed"]
    lines += [f"  skipped {n}: {reason}" for reason, n in _by_count(summary.skipped)]
    lines += [f"  failed {n}: {reason} (the stored text stays)" for reason, n in _by_count(summary.failed)]
    return lines


def _parse_lines(summary: ReparseSummary) -> list[str]:
    lines = [f"re-parsed {summary.articles} articles, {summary.statements} statements "
             f"(parser {summary.parser_version})"]
    if summary.failed:
        lines.append(f"  failed {summary.failed}: the parser failed; they keep their old statements (see -v)")
    if summary.skipped:
        lines.append(f"  skipped {summary.skipped}: changed while being parsed; ingest has parsed them")
    return lines


def reprocess(args: argparse.Namespace) -> int:
    """--extract and/or --parse (both when neither is given): extract first, so that what changed
    is parsed in that step and --parse is left with the statements of other parser versions."""
    both = not args.extract and not args.parse
    feed_url = _location(args.feed) if args.feed else None
    settings = _settings(args)
    db = _open(settings)
    out: dict[str, Any] = {}
    try:
        progress = make_progress(quiet=args.quiet, interval=settings.progress_interval)
        try:
            with CpuPool.from_settings(settings) as pool:
                if args.extract or both:
                    out["extract"] = reextract_articles(
                        db, pool, since=args.since, feed_url=feed_url, min_chars=settings.min_article_chars,
                        progress=progress)
                if args.parse or both:
                    out["parse"] = reparse_articles(db, pool, since=args.since, feed_url=feed_url,
                                                    progress=progress)
        finally:
            progress.close()
    finally:
        db.close()
    if args.json:
        print(to_json({k: dataclasses.asdict(v) for k, v in out.items()}))
        return 0
    if "extract" in out:
        print("\n".join(_extract_lines(out["extract"])))
    if "parse" in out:
        print("\n".join(_parse_lines(out["parse"])))
    return 0


# --- prune --------------------------------------------------------------------------------------

def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(sep=" ", timespec="minutes")[:16] + " UTC"


def _prune_line(counts: PruneCounts, cutoff: datetime, dry_run: bool) -> str:
    verb = "would prune" if dry_run else "pruned"
    return (f"{verb} {counts.articles} articles published before {_when(cutoff)} (undated: stored before): "
            f"{counts.statements} statements, {counts.feed_entries} feed entries, {counts.page_jobs} page "
            f"jobs, {counts.kept_pages} kept pages; {counts.tombstones} URLs "
            + ("would be " if dry_run else "") + "remembered as pruned")


def prune_command(args: argparse.Namespace) -> int:
    if args.older_than is None and args.tombstones_older_than is None:
        raise UsageError("prune needs --older-than AGE (or --tombstones-older-than AGE)")
    settings = _settings(args)
    db = _open(settings)
    out: dict[str, Any] = {"dry_run": args.dry_run}
    lines = []
    try:
        if args.older_than is not None:
            progress = make_progress(quiet=args.quiet, interval=settings.progress_interval)
            try:
                counts = prune(db, args.older_than, dry_run=args.dry_run, progress=progress)
            finally:
                progress.close()
            out["pruned"] = dataclasses.asdict(counts)
            lines.append(_prune_line(counts, args.older_than, args.dry_run))
        if args.tombstones_older_than is not None:
            session_of = db.read if args.dry_run else db.transaction
            with session_of() as session:
                forgotten = db_lifecycle.forget_tombstones(session, args.tombstones_older_than,
                                                           dry_run=args.dry_run)
            out["tombstones_forgotten"] = forgotten
            verb = "would forget" if args.dry_run else "forgot"
            lines.append(f"{verb} {forgotten} tombstones of articles pruned before "
                         f"{_when(args.tombstones_older_than)}: their URLs may be ingested again")
    finally:
        db.close()
    print(to_json(out) if args.json else "\n".join(lines))
    return 0
