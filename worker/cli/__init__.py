"""`worker` command line: argument parsing, exit codes and error reporting.

Exit codes: 0 the command completed (for `ingest`: whatever single feeds did); 2 bad usage or
configuration; 3 the database cannot be used; 1 anything unexpected (a bug: a traceback follows).

What each command does is in the module of its group (feeds.py, ingest.py, statements.py, …);
what they share is public in arguments.py (command-line values, UsageError, settings) and
database.py (open_db), so no command module reaches into another's private names.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any, cast

from config.defaults import VERSION
from db.engine import DatabaseError
from db.faults import DatabaseUnavailable, unavailable
from worker import daemon_commands  # moves into this package once its own change is merged
from worker.cli import (
    arguments,
    articles,
    export,
    extract,
    feeds,
    ingest,
    lifecycle,
    schema,
    search,
    speakers,
    statements,
)
from worker.cli.arguments import MAX_INTERVAL_DAYS, UsageError
from worker.formats import FormatError
from worker.settings import ConfigError

EXIT_USAGE = 2
EXIT_DATABASE = 3


SINCE_ALL = "; an age reaching before the year 1 (say 1000000d) means all of them"
LIMIT_HELP = "at most N rows; a number too large for the database (over 2^63-1) means all"


def _common() -> argparse.ArgumentParser:
    """Options every command takes after its name as well as before it (`worker ingest -v` and
    `worker -v ingest`). SUPPRESS: not given after the command, the value before it stands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="TOML config file (default: $WORKER_CONFIG)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log to stderr what happens (for ingest: one line per feed and per page)")
    return common


def _json(parser: argparse.ArgumentParser, help_text: str) -> None:
    """--json after the command; `worker --json COMMAND` means the same."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=help_text)
    parser.set_defaults(takes_json=True)


def _formats(parser: argparse.ArgumentParser) -> None:
    """--json, --jsonl or --csv (worker/formats.py), else a table."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print a JSON array of objects with every column")
    group.add_argument("--jsonl", action="store_true", help="print one JSON object per line")
    group.add_argument("--csv", action="store_true", help="print CSV (a header line, then a row each; UTF-8)")
    parser.set_defaults(takes_json=True)


def _quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress display on stderr (a live bar on a terminal, else a line every "
                        "progress_interval seconds)")


def _stored_since(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stored-since", type=arguments.parse_since, metavar="DATE", dest="stored_since",
                        help="only articles first stored (ingested) on or after this date, however old "
                        "their publication date, e.g. 7d" + SINCE_ALL)


CATEGORY_HELP = "only feeds in this category or below it (News takes News/Europe), in any case"


def _feed_options(parser: argparse.ArgumentParser, *, edit: bool) -> None:
    clear = "; '' clears it" if edit else ""
    parser.add_argument("--title", help="the feed's title (kept over the feed's own)" + clear)
    parser.add_argument("--interval", type=arguments.edit_interval if edit else arguments.interval,
                        help=f"polling interval, e.g. 15m or 2h (from 1m to {MAX_INTERVAL_DAYS}d)"
                        + ("; 'default' goes back to the adaptive schedule" if edit else ""))
    parser.add_argument("--category", metavar="PATH",
                        help="the feed's category, a folder path such as News/Europe" + clear)


def _feeds_parser(command: Any) -> None:
    actions = command("feeds", "manage the feed list").add_subparsers(
        dest="feeds_command", required=True, metavar="ACTION", help="what to do with the feed list")
    add = command("add", "add a feed, or the feed(s) an HTML page names; says what it changed on a "
                         "feed already present", actions)
    add.add_argument("url", metavar="URL_OR_PATH",
                     help="the feed (an http(s) URL, a path or a file:// URL), or a page naming it")
    _feed_options(add, edit=False)
    add.add_argument("--all", action="store_true", help="add every feed the page names, not only the first")
    add.add_argument("--no-check", action="store_true",
                     help="store the URL as given, without fetching it to see whether it is a feed or a page")
    add.set_defaults(func=feeds.feeds_add)
    edit = command("edit", "change a feed's title, interval or category", actions)
    edit.add_argument("feed", metavar="ID_OR_URL", help="the feed's id (see feeds list) or URL")
    _feed_options(edit, edit=True)
    edit.set_defaults(func=feeds.feeds_edit)
    ls = command("list", "list feeds", actions)
    ls.add_argument("--category", type=arguments.category, metavar="PATH", help=CATEGORY_HELP)
    _json(ls, "print a JSON array with every column")
    ls.set_defaults(func=feeds.feeds_list)
    for name, func, what in (("enable", feeds.feeds_enable, "enable feeds (due at once)"),
                             ("disable", feeds.feeds_disable, "disable feeds (not polled)"),
                             ("remove", feeds.feeds_remove, "remove feeds (their articles stay)")):
        act = command(name, what, actions)
        act.add_argument("feeds", nargs="+", metavar="ID_OR_URL", help="feed ids or URLs (or paths)")
        act.set_defaults(func=func)
    imp = command("import", "add the feeds of an OPML file, with their categories", actions)
    imp.add_argument("file", metavar="FILE.opml", help="an OPML file listing feeds")
    imp.set_defaults(func=feeds.feeds_import)
    exp = command("export", "print the feeds as OPML, categories as nested outlines", actions)
    exp.set_defaults(func=feeds.feeds_export)


def _search_parser(command: Any) -> None:
    sch = command("search", "full-text search of articles (or, with --statements, statements)")
    sch.add_argument("query", metavar="QUERY",
                     help='words (all must occur), "a phrase", a OR b, -excluded, prefix*')
    sch.add_argument("--statements", action="store_true", help="search what was said, not articles")
    sch.add_argument("--speaker", metavar="NAME",
                     help="statements by this speaker, under any of its names (implies --statements)")
    sch.add_argument("--feed", metavar="URL_OR_PATH", help="only articles of this feed")
    sch.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                     help="published (or stored) on or after this date, e.g. 2026-01-31 or 7d" + SINCE_ALL)
    sch.add_argument("--limit", type=arguments.positive, default=None, metavar="N",
                     help="at most N hits, best first (default: the search_limit setting)")
    _formats(sch)
    sch.set_defaults(func=search.search)
    spk = command("speakers", "who is quoted most: speakers by their statements")
    spk.add_argument("--top", type=arguments.positive, default=None, metavar="N",
                     help="the N speakers quoted most (default: the speakers_top setting)")
    spk.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                     help="count statements of articles published (or stored) on or after this date, "
                     "e.g. 2026-01-31 or 7d" + SINCE_ALL)
    _json(spk, "print a JSON array: id, name, type, statements, articles, aliases, last_published")
    spk.set_defaults(func=speakers.speakers)


def _lifecycle_parsers(command: Any) -> None:
    rpr = command("reprocess", "after an upgrade: extract stored articles again from their kept pages "
                               "(keep_html) and/or re-parse their statements")
    rpr.add_argument("--extract", action="store_true",
                     help="extract each article's kept page again; a changed text replaces the stored one "
                     "and is re-parsed (articles without a kept page are skipped)")
    rpr.add_argument("--parse", action="store_true",
                     help="re-parse statements found by another parser version (as `worker reparse`); "
                     "with neither option, both")
    rpr.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                     help="only articles published (or stored) on or after this date, e.g. 30d" + SINCE_ALL)
    rpr.add_argument("--feed", metavar="URL_OR_PATH", help="only the articles of this feed")
    _json(rpr, 'print {"extract": {...}, "parse": {...}} with the counts and reasons')
    _quiet(rpr)
    rpr.set_defaults(func=lifecycle.reprocess)

    prn = command("prune", "delete old articles with their statements, feed entries, queued pages and kept "
                           "pages; their URLs are remembered so ingest does not store them again")
    prn.add_argument("--older-than", type=arguments.cutoff, metavar="AGE", dest="older_than",
                     help="articles published before this age or date (e.g. 180d or 2026-01-01); an article "
                     "without a publication date by when it was stored")
    prn.add_argument("--dry-run", action="store_true", help="only print what would be deleted")
    prn.add_argument("--tombstones-older-than", type=arguments.cutoff, metavar="AGE",
                     dest="tombstones_older_than",
                     help="also forget the URLs of articles pruned before this age (e.g. 365d): a feed "
                     "still listing one would then store it again")
    _json(prn, "print the counts as JSON")
    _quiet(prn)
    prn.set_defaults(func=lifecycle.prune_command)


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    p = argparse.ArgumentParser(prog="worker", description="News-feed ingestion worker.")
    p.add_argument("--version", action="version", version=f"worker {VERSION}")
    p.add_argument("--config", metavar="FILE", help="TOML config file (default: $WORKER_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log to stderr what happens (for ingest: one line per feed and per page)")
    p.add_argument("--json", action="store_true",
                   help="JSON output, for the commands that have it (the same as --json after the command)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", help="what to do")

    def command(name: str, help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        return cast(argparse.ArgumentParser, parent.add_parser(name, help=help_text, parents=[common]))

    ing = command("ingest", "poll feeds once, store new articles")
    ing.add_argument("--feed", action="append", metavar="URL_OR_PATH",
                     help="poll this feed (added if new); repeatable. Default: every enabled feed")
    ing.add_argument("--category", type=arguments.category, metavar="PATH",
                     help="poll the enabled feeds in this category or below it (not with --feed)")
    ing.add_argument("--due", action="store_true", help="only feeds whose next check has come")
    _json(ing, "print the summary as JSON")
    ing.add_argument("--force", action="store_true",
                     help="poll the named feeds even if their server asked us to wait (Retry-After)")
    _quiet(ing)
    ing.set_defaults(func=ingest.ingest)

    run = command("run", "run as a daemon: keep every feed fresh (SIGTERM stops cleanly)")
    run.set_defaults(func=daemon_commands.run)
    st = command("status", "per feed: last poll, outcome, next check and why, articles stored, last new "
                           "article, pages queued and failed; totals")
    _json(st, 'print {"feeds": [...], "totals": {...}}')
    st.set_defaults(func=daemon_commands.status)

    _feeds_parser(command)

    ext = command("extract", "extract one article page (no database)")
    ext.add_argument("target", nargs="?", metavar="URL_OR_PATH", help="the page: an http(s) URL or a file")
    ext.add_argument("--jsonl", action="store_true",
                     help='read {"id","url","html"} lines on stdin, write one result line each')
    ext.add_argument("--statements", action="store_true",
                     help="with --jsonl: add each page's statements to its line")
    ext.set_defaults(func=extract.extract)

    arts = command("articles", "list stored articles, with their URL and feed")
    arts.add_argument("--feed", metavar="URL_OR_PATH", help="only the articles of this feed")
    arts.add_argument("--category", type=arguments.category, metavar="PATH",
                      help="from feeds in this category or below it")
    arts.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                      help="published (or stored) on or after this date, e.g. 2026-01-31 or 7d" + SINCE_ALL)
    _stored_since(arts)
    arts.add_argument("--limit", type=arguments.positive, default=None, metavar="N", help=LIMIT_HELP)
    _formats(arts)
    arts.set_defaults(func=articles.articles)

    prs = command("parse", "print the statements of a text as JSON (no database)")
    prs.add_argument("file", nargs="?", metavar="FILE", help="plain text (default, or '-': stdin)")
    prs.add_argument("--jsonl", action="store_true",
                     help='read {"id","text"} lines, write {"id","statements"} lines, in order')
    prs.set_defaults(func=statements.parse)

    rep = command("reparse", "re-parse the statements of stored articles")
    rep.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                     help="only articles published (or stored) on or after this date, e.g. 7d" + SINCE_ALL)
    rep.add_argument("--all", action="store_true",
                     help="every article, not only those parsed by another parser version")
    _json(rep, "print the summary as JSON")
    _quiet(rep)
    rep.set_defaults(func=statements.reparse)

    _lifecycle_parsers(command)

    sts = command("statements", "list stored statements with their article's URL and feed")
    sts.add_argument("--speaker", metavar="NAME",
                     help="statements by the speaker going by NAME: any of their names, in any case, with "
                     "or without titles (\"President Trump\"); one word also matches a forename or surname")
    sts.add_argument("--article", metavar="ID_OR_URL", help="one article, by id or URL")
    sts.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                     help="articles published (or stored) on or after this date, e.g. 2026-01-31 or 7d"
                     + SINCE_ALL)
    _stored_since(sts)
    sts.add_argument("--limit", type=arguments.positive, default=None, metavar="N", help=LIMIT_HELP)
    _formats(sts)
    sts.set_defaults(func=statements.statements)

    xp = command("export", "stream every article with its statements (JSON lines or CSV)")
    xp.add_argument("--since", type=arguments.parse_since, metavar="DATE",
                    help="only articles published (or stored) on or after this date, e.g. 7d" + SINCE_ALL)
    _stored_since(xp)
    xp.add_argument("--feed", metavar="URL_OR_PATH", help="only the articles of this feed")
    xp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                    help="jsonl (default): one article per line with its statements; csv: one row per "
                    "statement with its article's columns (an article without statements: one row)")
    _quiet(xp)
    xp.set_defaults(func=export.export)

    _search_parser(command)

    dbp = command("db", "database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION", help="what to do with the schema")
    up = command("upgrade", "migrate the database to this version's schema", dbp)
    up.set_defaults(func=schema.db_upgrade)
    cur = command("current", "print the schema revision of the database", dbp)
    cur.set_defaults(func=schema.db_current)
    rei = command("reindex", "rebuild the full-text search index from the stored rows", dbp)
    rei.set_defaults(func=search.reindex)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.json and not getattr(args, "takes_json", False):
        print(f"worker: {_command_name(args)} has no JSON output (--json)", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except (UsageError, FormatError) as exc:
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


def _command_name(args: argparse.Namespace) -> str:
    words = [args.command, getattr(args, "feeds_command", None), getattr(args, "db_command", None)]
    return " ".join(w for w in words if w)


def _unavailable(exc: DatabaseUnavailable) -> int:
    print(f"worker: database error: {exc} (nothing half-written was kept: run the command again once "
          "the database answers)", file=sys.stderr)
    return EXIT_DATABASE
