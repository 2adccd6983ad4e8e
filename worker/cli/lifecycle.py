"""`worker reprocess` and `worker prune`: an article's life after ingest. Parsing and exit codes
live in worker/cli/__init__.py; the work itself in worker/pipeline/lifecycle.py."""

from __future__ import annotations

import argparse
import dataclasses
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

from db import lifecycle as db_lifecycle
from db.records import PruneCounts
from worker.cli.arguments import UsageError, feed_url, settings_for
from worker.cli.database import open_db
from worker.output import counted, to_json
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
    return [f"re-parsed {summary.articles} articles, {summary.statements} statements "
            f"(parser {summary.parser_version})",
            *counted([
                (summary.failed,
                 f"  failed {summary.failed}: the parser failed; they keep their old statements (see -v)"),
                (summary.skipped,
                 f"  skipped {summary.skipped}: changed while being parsed; ingest has parsed them"),
            ])]


def reprocess(args: argparse.Namespace) -> int:
    """--extract and/or --parse (both when neither is given): extract first, so that what changed
    is parsed in that step and --parse is left with the statements of other parser versions."""
    both = not args.extract and not args.parse
    feed = feed_url(args.feed) if args.feed else None
    settings = settings_for(args)
    out: dict[str, Any] = {}
    with (open_db(settings) as db,
          closing(make_progress(quiet=args.quiet, interval=settings.progress_interval)) as progress,
          CpuPool.from_settings(settings) as pool):
        if args.extract or both:
            out["extract"] = reextract_articles(db, pool, since=args.since, feed_url=feed,
                                                min_chars=settings.min_article_chars, progress=progress)
        if args.parse or both:
            out["parse"] = reparse_articles(db, pool, since=args.since, feed_url=feed, progress=progress)
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
    settings = settings_for(args)
    out: dict[str, Any] = {"dry_run": args.dry_run}
    lines = []
    with open_db(settings) as db:
        if args.older_than is not None:
            with closing(make_progress(quiet=args.quiet, interval=settings.progress_interval)) as progress:
                counts = prune(db, args.older_than, dry_run=args.dry_run, progress=progress)
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
    print(to_json(out) if args.json else "\n".join(lines))
    return 0
