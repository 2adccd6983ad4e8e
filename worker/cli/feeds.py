"""`worker feeds …`: add (with autodiscovery), edit, enable, disable, remove, list, import, export.

Feeds are named by id or by URL (or path) wherever several may be given; unknown names are listed
on one line and make the command exit 2, after the known ones were dealt with."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db.articles import feed_rows
from db.feeds import add_feed, delete_feed, edit_feed, find_feed, get_feed, set_enabled
from db.models import Feed
from worker.cli.arguments import UsageError, feed_url, settings_for
from worker.cli.database import open_db
from worker.locations import BadLocation, feed_location
from worker.output import table, to_json
from worker.parse.opml import OpmlFeed, clean_category, parse_opml, render_opml
from worker.pipeline.discover import Discovery, discover
from worker.settings import redact_url

DISABLED_BY_HAND = "disabled by hand (worker feeds disable)"


def interval_text(seconds: int | None) -> str:
    """15m, 2h, 1d …; "adaptive" when no interval is set."""
    if seconds is None:
        return "adaptive"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _shown(column: str, value: Any) -> str:
    if column == "interval_seconds":
        return interval_text(value)
    return "none" if value is None else repr(value)


def describe(changes: dict[str, tuple[Any, Any]]) -> str:
    """"title 'A' -> 'B', interval 30m -> 1h", or "nothing changed"."""
    names = {"interval_seconds": "interval"}
    parts = [f"{names.get(c, c)} {_shown(c, old)} -> {_shown(c, new)}" for c, (old, new) in changes.items()]
    return ", ".join(parts) or "nothing changed"


def _find(session: Session, text: str) -> Feed | None:
    """A feed by id (digits) or by URL or path (as stored, or as `feeds add` would store it)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return find_feed(session, int(text)) if len(text) < 19 else None
    try:
        url = feed_location(text)
    except BadLocation:
        url = text  # a stored feed whose file has gone can still be named
    return find_feed(session, url) or find_feed(session, text)


def read_feeds(args: argparse.Namespace, *, category: str | None = None, redact: bool = True
               ) -> list[dict[str, Any]]:
    """Every feed (in ``category``) with all its columns; with ``redact``, URLs safe to print (an
    OPML export keeps them whole, credentials included, so that it can be imported again)."""
    with open_db(settings_for(args), reading=True) as db, db.read() as session:
        rows = feed_rows(session, category=category)
    if redact:
        for row in rows:
            row["url"] = redact_url(row["url"])
    return rows


# --- add and edit -------------------------------------------------------------------------------

def _given(args: argparse.Namespace) -> dict[str, Any]:
    """The columns the command line sets: {} for none; "" clears a title or category, and
    `--interval default` the interval."""
    values: dict[str, Any] = {}
    if args.title is not None:
        values["title"] = " ".join(args.title.split()) or None
    if args.interval is not None:
        values["interval_seconds"] = None if args.interval == "default" else args.interval
    if args.category is not None:
        values["category"] = clean_category(args.category)
    return values


def _add_one(session: Session, url: str, values: dict[str, Any]) -> str:
    shown = redact_url(url)
    feed = get_feed(session, url)
    if feed is None:
        add_feed(session, url, title=values.get("title"), interval_seconds=values.get("interval_seconds"),
                 category=values.get("category"))
        return f"added: {shown}"
    return f"already present: {shown} ({describe(edit_feed(session, feed, values))})"


def _targets(found: Discovery, take_all: bool) -> tuple[list[str], list[str]]:
    """(feeds to add, lines to print first) for what `discover` found."""
    if not found.page:
        if found.note:
            print(f"worker: note: {redact_url(found.url)}: {found.note}; added as given", file=sys.stderr)
        return [found.url], []
    if not found.links:
        raise UsageError(f"{redact_url(found.url)} is an HTML page naming no feed (no <link "
                         'rel="alternate" type="application/rss+xml" or atom+xml>): give the feed\'s own URL')
    taken = found.links if take_all else found.links[:1]
    lines = [f"page: {redact_url(found.url)} names {len(found.links)} feed(s)"]
    lines += [f"not added: {redact_url(link.url)} (--all adds every feed the page names)"
              for link in found.links[len(taken):]]
    return [link.url for link in taken], lines


def feeds_add(args: argparse.Namespace) -> int:
    if args.all and args.title is not None:
        raise UsageError("--title names one feed: leave it out with --all (feeds edit sets it later)")
    url = feed_url(args.url)
    settings = settings_for(args)
    values = _given(args)
    with open_db(settings) as db:
        with db.read() as session:
            known = get_feed(session, url) is not None
        targets, lines = [url], list[str]()
        if not known and not args.no_check and url.startswith(("http://", "https://")):
            targets, lines = _targets(asyncio.run(discover(settings, url)), args.all)
        with db.transaction() as session:
            lines += [_add_one(session, target, values) for target in targets]
    print("\n".join(sorted(lines, key=lambda line: line.startswith("not added"))))
    return 0


def feeds_edit(args: argparse.Namespace) -> int:
    values = _given(args)
    if not values:
        raise UsageError("say what to change: --title, --interval or --category")
    with open_db(settings_for(args)) as db, db.transaction() as session:
        feed = _find(session, args.feed)
        if feed is None:
            raise UsageError(f"no such feed: {args.feed}")
        line = f"edited: {redact_url(feed.url)} ({describe(edit_feed(session, feed, values))})"
    print(line)
    return 0


# --- enable, disable, remove --------------------------------------------------------------------

def _each(args: argparse.Namespace, act: Callable[[Session, Feed], str], verb: str) -> int:
    """Apply ``act`` to every named feed (once each) in one transaction; print a line per feed."""
    lines: list[str] = []
    unknown: list[str] = []
    with open_db(settings_for(args)) as db, db.transaction() as session:
        done: set[int] = set()
        for text in args.feeds:
            feed = _find(session, text)
            if feed is None:
                unknown.append(text.strip())
            elif feed.id not in done:
                done.add(feed.id)
                lines.append(act(session, feed))
    if lines:
        print("\n".join(lines))
    if unknown:
        rest = f" (the other {len(lines)} {verb})" if lines else ""
        raise UsageError(f"no such feed: {', '.join(unknown)}{rest}")
    return 0


def _enable(session: Session, feed: Feed) -> str:
    url = redact_url(feed.url)
    return f"enabled: {url} (due now)" if set_enabled(session, feed, True) else f"already enabled: {url}"


def _disable(session: Session, feed: Feed) -> str:
    url = redact_url(feed.url)
    changed = set_enabled(session, feed, False, reason=DISABLED_BY_HAND)
    return f"disabled: {url}" if changed else f"already disabled: {url}"


def _remove(session: Session, feed: Feed) -> str:
    url = redact_url(feed.url)
    delete_feed(session, feed)
    return f"removed: {url}"


def feeds_enable(args: argparse.Namespace) -> int:
    return _each(args, _enable, "enabled")


def feeds_disable(args: argparse.Namespace) -> int:
    return _each(args, _disable, "disabled")


def feeds_remove(args: argparse.Namespace) -> int:
    return _each(args, _remove, "removed")


# --- list, import, export -----------------------------------------------------------------------

def feeds_list(args: argparse.Namespace) -> int:
    rows = read_feeds(args, category=args.category)
    if args.json:
        print(to_json(rows))
    else:
        table([(r["id"], r["url"], r["title"], r["category"], "yes" if r["enabled"] else "no",
                r["last_status"], r["error_count"], r["last_error"]) for r in rows],
              ["id", "url", "title", "category", "enabled", "last_status", "errors", "last_error"])
    return 0


def feeds_import(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        outlines = parse_opml(data)
    except ValueError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    added = 0
    with open_db(settings_for(args)) as db, db.transaction() as session:
        for item in outlines:
            _, new = add_feed(session, item.url, title=item.title, site_url=item.site_url,
                              category=item.category)
            added += new
    categories = len({item.category for item in outlines if item.category})
    print(f"imported {len(outlines)} feeds ({added} new) from {args.file}, in {categories} categories")
    return 0


def feeds_export(args: argparse.Namespace) -> int:
    rows = read_feeds(args, redact=False)
    sys.stdout.write(render_opml(OpmlFeed(r["url"], r["title"], r["site_url"], r["category"]) for r in rows))
    return 0
