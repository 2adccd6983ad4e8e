"""The command line's values, read for the commands: dates, ages, intervals, limits, categories, feed
and speaker names, and the settings that --config and -v select.

A value argparse can check alone is an argparse type here (its error is a usage message naming
the option); one that only a command can judge raises UsageError (exit 2, one line on stderr).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from db.records import SpeakerQuery
from worker.locations import BadLocation, feed_location
from worker.logs import configure_logging
from worker.parse.opml import clean_category
from worker.settings import Settings, load_settings, parse_duration
from worker.speakers import speaker_query

# Bounds of command-line values. An interval is stored in a 32-bit column and added to dates; a
# limit goes into SQL as a signed 64-bit integer, the most SQLite and PostgreSQL take.
MAX_INTERVAL_DAYS = 365
MAX_LIMIT = 2**63 - 1


class UsageError(Exception):
    """The command line asks for something that cannot be done; the message says why."""


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings of this run (--config, the environment) with logging set up as -v asks."""
    settings = load_settings(args.config)
    configure_logging(settings.log_format, getattr(args, "verbose", False))
    return settings


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


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
        msg = f"expected a date like 2026-01-31 or an age like 7d, got {_shown(value)}"
        raise argparse.ArgumentTypeError(msg) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 or 9999-12-31T23:00-02:00
        return None if parsed.year == 1 else datetime.max.replace(tzinfo=UTC)


def cutoff(value: str) -> datetime:
    """A moment to compare with: a date or an age (parse_since); one before the year 1 is the first."""
    return parse_since(value) or datetime.min.replace(tzinfo=UTC)


def interval(value: str) -> int:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc) if len(value) <= 40 else "expected a duration") from None
    if seconds < 60:
        raise argparse.ArgumentTypeError("an interval must be at least 1m")
    if seconds > MAX_INTERVAL_DAYS * 86400:
        raise argparse.ArgumentTypeError(f"an interval must be at most {MAX_INTERVAL_DAYS}d")
    return int(seconds)


def edit_interval(value: str) -> int | str:
    """An interval, or "default" to go back to the adaptive schedule."""
    return "default" if value.strip().lower() in ("default", "adaptive") else interval(value)


def positive(value: str) -> int:
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


def category(value: str) -> str:
    """A category to filter by: "News" takes "News" and "News/Europe"."""
    cleaned = clean_category(value)
    if cleaned is None:
        raise argparse.ArgumentTypeError("expected a category name such as News or News/Europe")
    return cleaned


def feed_url(text: str) -> str:
    """A feed as given (an http(s) URL, a path or a file: URL) as it is stored."""
    try:
        return feed_location(text)
    except BadLocation as exc:
        raise UsageError(str(exc)) from None


def speaker_filter(name: str | None) -> SpeakerQuery | None:
    """`--speaker NAME` as a lookup; a NAME with no word in it is a usage error."""
    if name is None:
        return None
    query = speaker_query(name)
    if query is None:
        raise UsageError(f"--speaker needs a name, got {name!r}")
    return query
