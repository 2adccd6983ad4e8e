"""What each `worker` subcommand does. Parsing and exit codes live in worker/cli.py."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from db.articles import ARTICLE_COLUMNS, FEED_FIELDS, list_articles
from db.database import Database
from db.engine import make_engine, make_read_engine
from db.feeds import add_feed, category_feeds
from db.migrate import current_revision, head_revision, upgrade
from worker.extract import detect_language, extract_article
from worker.extract.jsonl import run_jsonl
from worker.fetch import Fetcher, FetchError
from worker.formats import chosen_format, write_rows
from worker.locations import BadLocation, feed_location, local_path
from worker.logs import configure_logging
from worker.output import table, to_json
from worker.parse.urls import is_file_url
from worker.pipeline.charset import decode_html
from worker.pipeline.runner import FeedReport, RunSummary, Worker, add_failure
from worker.pool import CpuPool
from worker.progress import make_progress
from worker.settings import Settings, load_settings, parse_duration, redact_url
from worker.speakers import article_speakers
from worker.statements.languages import statements_in


class UsageError(Exception):
    """The command line asks for something that cannot be done; the message says why."""


def parse_since(value: str) -> datetime | None:
    """A date (2026-01-31), a timestamp (2026-01-31T08:00:00+01:00) or an age (7d, 12h), in UTC.
    None (no lower bound: everything) for a moment before the year 1, such as an age of 1000000d;
    a timestamp pushed past 9999-12-31 by its offset is the last moment there is."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        pass
    else:
        try:
            return datetime.now(UTC) - timedelta(seconds=seconds)
        except OverflowError:  # further back than the year 1
            return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        msg = f"expected a date like 2026-01-31 or an age like 7d, got {shown!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 or 9999-12-31T23:00-02:00
        return None if parsed.year == 1 else datetime.max.replace(tzinfo=UTC)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    configure_logging(settings.log_format, getattr(args, "verbose", False))
    return settings


def _open(settings: Settings, *, reading: bool = False) -> Database:
    """reading=True for commands that only read (through `Database.read()`)."""
    return Database.open(settings.database_url, busy_timeout=settings.sqlite_busy_timeout, reading=reading,
                         speaker_rules=article_speakers)


def _location(text: str) -> str:
    try:
        return feed_location(text)
    except BadLocation as exc:
        raise UsageError(str(exc)) from None


# --- ingest -------------------------------------------------------------------------------------

def ingest(args: argparse.Namespace) -> int:
    if args.category is not None and args.feed:
        raise UsageError("give --feed or --category, not both")
    settings = _settings(args)
    db = _open(settings)
    try:
        rejected: list[FeedReport] = []
        urls: list[str] | None = None
        if args.category is not None:
            urls = _enabled_in(db, args.category)
        elif args.feed:
            urls = []
            with db.transaction() as session:
                for text in args.feed:
                    try:
                        url = feed_location(text)
                    except BadLocation as exc:
                        rejected.append(FeedReport(url=text, status="failed", error=str(exc)))
                        continue
                    add_feed(session, url)
                    urls.append(url)
        progress = make_progress(quiet=args.quiet, interval=settings.progress_interval)
        try:
            worker = Worker(settings, db, progress=progress)
            summary = asyncio.run(worker.ingest(feed_urls=urls, due_only=args.due, force=args.force))
        finally:
            progress.close()
    finally:
        db.close()
    summary.feeds_failed += len(rejected)
    summary.feeds = rejected + summary.feeds
    for report in rejected:
        add_failure(summary.failed_feeds, report.error or "rejected", report.url)
    summary.sort_failures()
    _print_summary(summary, as_json=args.json)
    return 0


def _enabled_in(db: Database, category: str) -> list[str]:
    """The enabled feeds of a category (or below it), for `ingest --category`."""
    with db.read() as session:
        feeds = category_feeds(session, category)
    if not feeds:
        raise UsageError(f"no feeds in category {category!r} (`worker feeds list` shows the categories)")
    return [url for url, enabled in feeds if enabled]


def _print_summary(summary: RunSummary, *, as_json: bool) -> None:
    if as_json:
        print(to_json(summary.to_dict()))
        return
    skipped = f", {summary.feeds_skipped} skipped" if summary.feeds_skipped else ""
    print(f"feeds: {summary.feeds_ok} ok, {summary.feeds_not_modified} not modified, "
          f"{summary.feeds_failed} failed{skipped}")
    print(f"articles: {summary.articles_new} new, {summary.articles_updated} updated "
          f"({summary.pages_fetched} from pages, {summary.pages_fallback} from feed text)")
    if summary.pages_retrying:
        print(f"pages: {summary.pages_retrying} to retry later (worker run or a later ingest)")
    if summary.pages_held_elsewhere:
        print(f"pages: {summary.pages_held_elsewhere} due but left to the other live workers holding them")
    for report in summary.feeds:
        if report.status == "skipped":
            print(f"skipped: {report.url}: {report.error}")
    for what, groups in (("feeds", summary.failed_feeds), ("pages", summary.failed_pages)):
        if groups:
            print(f"failed {what}, by reason:")
        for reason, group in groups.items():
            more = f" (and {group.count - len(group.urls)} more)" if group.count > len(group.urls) else ""
            print(f"  {group.count:>5}  {reason}: {', '.join(group.urls)}{more}")


# --- extract ------------------------------------------------------------------------------------

def extract(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.target:
            raise UsageError("--jsonl reads stdin; give no URL or path with it")
        with CpuPool.from_settings(_settings(args)) as pool:
            run_jsonl(sys.stdin, sys.stdout, pool, statements=args.statements)
        return 0
    if args.statements:
        raise UsageError("--statements goes with --jsonl (a single page's statements are always shown)")
    if not args.target:
        raise UsageError("give a URL or a path, or --jsonl")
    settings = _settings(args)
    target = args.target
    if urlsplit_scheme(target) in ("http", "https"):
        try:
            response = asyncio.run(_fetch_page(settings, target))
        except FetchError as exc:
            raise UsageError(str(exc)) from None
        html = decode_html(response.body, response.headers.get("content-type"))
        url = response.url
    else:
        path = local_path(target) if is_file_url(target) else Path(target)
        if path is None or not path.is_file():
            raise UsageError(f"{target!r}: no such file")
        html = decode_html(path.read_bytes(), None)
        url = path.resolve().as_uri()
    page = extract_article(html, url)
    statements = statements_in(page.text, page.language or detect_language(page.text))
    result: dict[str, Any] = {"url": url, **page.__dict__, "statements": [s.to_dict() for s in statements]}
    print(to_json(result))
    return 0


def urlsplit_scheme(text: str) -> str:
    head, sep, _ = text.partition(":")
    return head.lower() if sep else ""


async def _fetch_page(settings: Settings, url: str) -> Any:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, kind="page")


# --- articles -----------------------------------------------------------------------------------

def articles(args: argparse.Namespace) -> int:
    fmt = chosen_format(args)
    feed_url = _location(args.feed) if args.feed else None
    db = _open(_settings(args), reading=True)
    try:
        with db.read() as session:
            rows = list_articles(session, feed_url=feed_url, since=args.since, stored_after=args.stored_since,
                                 limit=args.limit, category=args.category)
    finally:
        db.close()
    if fmt is not None:
        write_rows(rows, fmt, sys.stdout, (*ARTICLE_COLUMNS, *FEED_FIELDS))
    else:
        table([(r["id"], r["published_at"].strftime("%Y-%m-%d %H:%M") if r["published_at"] else "",
                r["source"], len(r["text"]), short_feed(r), (r["title"] or "")[:60], r["url"]) for r in rows],
              ["id", "published", "source", "chars", "feed", "title", "url"])
    return 0


def short_feed(row: dict[str, Any], width: int = 24) -> str:
    """The feed of a listed row in a table cell: its title, else its URL, cut to ``width``."""
    name = " ".join((row.get("feed_title") or row.get("feed_url") or "").split())
    return name if len(name) <= width else name[:width - 1] + "…"


# --- db -----------------------------------------------------------------------------------------

def db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)
    try:
        before, after = upgrade(engine, speaker_rules=article_speakers)
    finally:
        engine.dispose()
    print(f"database {redact_url(settings.database_url)}: schema {before or 'empty'} -> {after}")
    return 0


def db_current(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = make_read_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    print(f"current: {current or 'none'}  (this worker's newest: {head_revision()})")
    return 0


# shared with the other command modules
settings_of = _settings
open_database = _open
