"""`worker` command line: argument parsing, exit codes and error reporting.

Exit codes: 0 the command completed (for `ingest`: whatever single feeds did); 2 bad usage or
configuration; 3 the database cannot be used; 1 anything unexpected (a bug: a traceback follows).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from config.defaults import VERSION
from db.engine import DatabaseError
from db.faults import DatabaseUnavailable, unavailable
from worker import (
    commands,
    daemon_commands,
    feed_commands,
    search_commands,
    speaker_commands,
    statement_commands,
)
from worker.parse.opml import clean_category
from worker.settings import ConfigError, parse_duration

EXIT_USAGE = 2
EXIT_DATABASE = 3


# Bounds of command-line values. An interval is stored in a 32-bit column and added to dates; a
# limit goes into SQL as a signed 64-bit integer, the most SQLite and PostgreSQL take.
MAX_INTERVAL_DAYS = 365
MAX_LIMIT = 2**63 - 1


SINCE_ALL = "; an age reaching before the year 1 (say 1000000d) means all of them"
LIMIT_HELP = "at most N rows; a number too large for the database (over 2^63-1) means all"


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _interval(value: str) -> int:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc) if len(value) <= 40 else "expected a duration") from None
    if seconds < 60:
        raise argparse.ArgumentTypeError("an interval must be at least 1m")
    if seconds > MAX_INTERVAL_DAYS * 86400:
        raise argparse.ArgumentTypeError(f"an interval must be at most {MAX_INTERVAL_DAYS}d")
    return int(seconds)


def _positive(value: str) -> int:
    """A whole number >= 1; one above MAX_LIMIT (more rows than any database holds) is MAX_LIMIT."""
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text.lstrip("0")) > len(str(MAX_LIMIT)):
        return MAX_LIMIT  # too long for int() to be asked (it refuses over 4300 digits)
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {_shown(value)}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return min(n, MAX_LIMIT)


def _edit_interval(value: str) -> int | str:
    """An interval, or "default" to go back to the adaptive schedule."""
    return "default" if value.strip().lower() in ("default", "adaptive") else _interval(value)


def _category(value: str) -> str:
    """A category to filter by: "News" takes "News" and "News/Europe"."""
    cleaned = clean_category(value)
    if cleaned is None:
        raise argparse.ArgumentTypeError("expected a category name such as News or News/Europe")
    return cleaned


CATEGORY_HELP = "only feeds in this category or below it (News takes News/Europe), in any case"


def _feed_options(parser: argparse.ArgumentParser, *, edit: bool) -> None:
    clear = "; '' clears it" if edit else ""
    parser.add_argument("--title", help="the feed's title (kept over the feed's own)" + clear)
    parser.add_argument("--interval", type=_edit_interval if edit else _interval,
                        help=f"polling interval, e.g. 15m or 2h (from 1m to {MAX_INTERVAL_DAYS}d)"
                        + ("; 'default' goes back to the adaptive schedule" if edit else ""))
    parser.add_argument("--category", metavar="PATH",
                        help="the feed's category, a folder path such as News/Europe" + clear)


def _feeds_parser(sub: Any) -> None:
    feeds = sub.add_parser("feeds", help="manage the feed list").add_subparsers(
        dest="feeds_command", required=True, metavar="ACTION")
    add = feeds.add_parser("add", help="add a feed, or the feed(s) an HTML page names; says what it "
                                       "changed on a feed already present")
    add.add_argument("url", metavar="URL_OR_PATH")
    _feed_options(add, edit=False)
    add.add_argument("--all", action="store_true", help="add every feed the page names, not only the first")
    add.add_argument("--no-check", action="store_true",
                     help="store the URL as given, without fetching it to see whether it is a feed or a page")
    add.set_defaults(func=feed_commands.feeds_add)
    edit = feeds.add_parser("edit", help="change a feed's title, interval or category")
    edit.add_argument("feed", metavar="ID_OR_URL")
    _feed_options(edit, edit=True)
    edit.set_defaults(func=feed_commands.feeds_edit)
    ls = feeds.add_parser("list", help="list feeds")
    ls.add_argument("--category", type=_category, metavar="PATH", help=CATEGORY_HELP)
    ls.add_argument("--json", action="store_true", help="print a JSON array with every column")
    ls.set_defaults(func=feed_commands.feeds_list)
    for name, func, what in (("enable", feed_commands.feeds_enable, "enable feeds (due at once)"),
                             ("disable", feed_commands.feeds_disable, "disable feeds (not polled)"),
                             ("remove", feed_commands.feeds_remove, "remove feeds (their articles stay)")):
        act = feeds.add_parser(name, help=what)
        act.add_argument("feeds", nargs="+", metavar="ID_OR_URL", help="feed ids or URLs (or paths)")
        act.set_defaults(func=func)
    imp = feeds.add_parser("import", help="add the feeds of an OPML file, with their categories")
    imp.add_argument("file", metavar="FILE.opml")
    imp.set_defaults(func=feed_commands.feeds_import)
    exp = feeds.add_parser("export", help="print the feeds as OPML, categories as nested outlines")
    exp.set_defaults(func=feed_commands.feeds_export)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="worker", description="News-feed ingestion worker.")
    p.add_argument("--version", action="version", version=f"worker {VERSION}")
    p.add_argument("--config", metavar="FILE", help="TOML config file (default: $WORKER_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser("ingest", help="poll feeds once, store new articles")
    ing.add_argument("--feed", action="append", metavar="URL_OR_PATH",
                     help="poll this feed (added if new); repeatable. Default: every enabled feed")
    ing.add_argument("--category", type=_category, metavar="PATH",
                     help="poll the enabled feeds in this category or below it (not with --feed)")
    ing.add_argument("--due", action="store_true", help="only feeds whose next check has come")
    ing.add_argument("--json", action="store_true", help="print the summary as JSON")
    ing.add_argument("--force", action="store_true",
                     help="poll the named feeds even if their server asked us to wait (Retry-After)")
    ing.set_defaults(func=commands.ingest)

    run = sub.add_parser("run", help="run as a daemon: keep every feed fresh (SIGTERM stops cleanly)")
    run.set_defaults(func=daemon_commands.run)
    st = sub.add_parser("status", help="per feed: last poll, outcome, next check and why, articles "
                                       "stored, last new article, pages queued and failed; totals")
    st.add_argument("--json", action="store_true", help='print {"feeds": [...], "totals": {...}}')
    st.set_defaults(func=daemon_commands.status)

    _feeds_parser(sub)

    ext = sub.add_parser("extract", help="extract one article page (no database)")
    ext.add_argument("target", nargs="?", metavar="URL_OR_PATH")
    ext.add_argument("--jsonl", action="store_true",
                     help='read {"id","url","html"} lines on stdin, write one result line each')
    ext.add_argument("--statements", action="store_true",
                     help="with --jsonl: add each page's statements to its line")
    ext.set_defaults(func=commands.extract)

    arts = sub.add_parser("articles", help="list stored articles")
    arts.add_argument("--feed", metavar="URL_OR_PATH")
    arts.add_argument("--category", type=_category, metavar="PATH",
                      help="from feeds in this category or below it")
    arts.add_argument("--since", type=commands.parse_since, metavar="DATE",
                      help="published (or stored) on or after this date, e.g. 2026-01-31 or 7d" + SINCE_ALL)
    arts.add_argument("--limit", type=_positive, default=None, metavar="N", help=LIMIT_HELP)
    arts.add_argument("--json", action="store_true", help="print a JSON array with every column")
    arts.set_defaults(func=commands.articles)

    prs = sub.add_parser("parse", help="print the statements of a text as JSON (no database)")
    prs.add_argument("file", nargs="?", metavar="FILE", help="plain text (default, or '-': stdin)")
    prs.add_argument("--jsonl", action="store_true",
                     help='read {"id","text"} lines, write {"id","statements"} lines, in order')
    prs.set_defaults(func=statement_commands.parse)

    rep = sub.add_parser("reparse", help="re-parse the statements of stored articles")
    rep.add_argument("--since", type=commands.parse_since, metavar="DATE",
                     help="only articles published (or stored) on or after this date, e.g. 7d" + SINCE_ALL)
    rep.add_argument("--all", action="store_true",
                     help="every article, not only those parsed by another parser version")
    rep.add_argument("--json", action="store_true", help="print the summary as JSON")
    rep.set_defaults(func=statement_commands.reparse)

    sts = sub.add_parser("statements", help="list stored statements with their articles")
    sts.add_argument("--speaker", metavar="NAME",
                     help="statements by the speaker going by NAME: any of their names, in any case, with "
                     "or without titles (\"President Trump\"); one word also matches a forename or surname")
    sts.add_argument("--article", metavar="ID_OR_URL", help="one article, by id or URL")
    sts.add_argument("--since", type=commands.parse_since, metavar="DATE",
                     help="articles published (or stored) on or after this date, e.g. 2026-01-31 or 7d"
                     + SINCE_ALL)
    sts.add_argument("--limit", type=_positive, default=None, metavar="N", help=LIMIT_HELP)
    fmt = sts.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON array with every column")
    fmt.add_argument("--csv", action="store_true", help="print CSV with every column")
    sts.set_defaults(func=statement_commands.statements)

    sch = sub.add_parser("search", help="full-text search of articles (or, with --statements, statements)")
    sch.add_argument("query", metavar="QUERY",
                     help='words (all must occur), "a phrase", a OR b, -excluded, prefix*')
    sch.add_argument("--statements", action="store_true", help="search what was said, not articles")
    sch.add_argument("--speaker", metavar="NAME",
                     help="statements by this speaker, under any of its names (implies --statements)")
    sch.add_argument("--feed", metavar="URL_OR_PATH", help="only articles of this feed")
    sch.add_argument("--since", type=commands.parse_since, metavar="DATE",
                     help="published (or stored) on or after this date, e.g. 2026-01-31 or 7d" + SINCE_ALL)
    sch.add_argument("--limit", type=_positive, default=None, metavar="N",
                     help="at most N hits, best first (default: the search_limit setting)")
    out = sch.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print a JSON array of the hits")
    out.add_argument("--jsonl", action="store_true", help="print one JSON object per hit and line")
    out.add_argument("--csv", action="store_true", help="print CSV with a header line")
    sch.set_defaults(func=search_commands.search)
    spk = sub.add_parser("speakers", help="who is quoted most: speakers by their statements")
    spk.add_argument("--top", type=_positive, default=None, metavar="N",
                     help="the N speakers quoted most (default: the speakers_top setting)")
    spk.add_argument("--since", type=commands.parse_since, metavar="DATE",
                     help="count statements of articles published (or stored) on or after this date, "
                     "e.g. 2026-01-31 or 7d" + SINCE_ALL)
    spk.add_argument("--json", action="store_true",
                     help="print a JSON array: id, name, type, statements, articles, aliases, last_published")
    spk.set_defaults(func=speaker_commands.speakers)

    dbp = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION")
    up = dbp.add_parser("upgrade", help="migrate the database to this version's schema")
    up.set_defaults(func=commands.db_upgrade)
    cur = dbp.add_parser("current", help="print the schema revision of the database")
    cur.set_defaults(func=commands.db_current)
    rei = dbp.add_parser("reindex", help="rebuild the full-text search index from the stored rows")
    rei.set_defaults(func=search_commands.reindex)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except commands.UsageError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"worker: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as exc:
        return _unavailable(exc)
    except DatabaseError as exc:
        print(f"worker: database error: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print("worker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a database error met outside the pipeline (which raises it as such)
        down = unavailable(exc)
        if down is None:
            raise
        return _unavailable(down)


def _unavailable(exc: DatabaseUnavailable) -> int:
    print(f"worker: database error: {exc} (nothing half-written was kept: run the command again once "
          "the database answers)", file=sys.stderr)
    return EXIT_DATABASE


if __name__ == "__main__":
    sys.exit(main())
