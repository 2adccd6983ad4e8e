"""Poll one feed: conditional fetch, parse, decide. Returns values; stores nothing, fetches no page.

New entries come back with the feed's own text as a provisional article and their page URL to
queue; the page queue (pages.py) fetches them later, in this run or another worker's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from db.records import EntryRecord, FeedPoll, FeedState
from db.types import utcnow
from worker.fetch import BadStatus, Fetcher, FetchError
from worker.parse.feed import FeedParseError, ParsedFeed, parse_feed
from worker.parse.urls import is_file_url, normalize_url
from worker.pipeline.article import feed_text_record, provisional_record
from worker.pipeline.decide import plan_entries
from worker.pipeline.schedule import FeedHistory, Limits, PollResult, Schedule, plan_next_check
from worker.pool import CpuPool, TaskFailed
from worker.settings import Settings

# Challenge pages some CDNs serve to clients they take for bots (Cloudflare, DataDome, Akamai, captchas)
_ANTIBOT = re.compile(rb"(?i)cf-chl|challenge-platform|just a moment\.\.\.|attention required|captcha|"
                      rb"datadome|ddos protection|access denied.{0,80}reference")

# Reads what storage knows: feed id, guids, links -> (guids stored from this feed, stored article ids by
# link, tombstoned URLs)
StateReader = Callable[[int, list[str], list[str]],
                       Awaitable[tuple[set[str], dict[str, int], set[str]]]]


def local_root_of(feed_url: str) -> Path | None:
    """The folder whose files a local (operator-given) feed may link to; None for http(s) feeds."""
    parts = urlsplit(feed_url)
    if not is_file_url(feed_url):
        return None
    return Path(url2pathname(parts.path)).parent


def limits_of(settings: Settings) -> Limits:
    return Limits(settings.default_interval, settings.min_interval, settings.max_interval)


def _history(state: FeedState) -> FeedHistory:
    return FeedHistory(state.interval_seconds, state.error_count, state.entry_times)


def failed_poll(state: FeedState, settings: Settings, reason: str, *, kind: str | None = "other",
                status: int | None = None, headers: dict[str, str] | None = None,
                owner: str | None = None) -> FeedPoll:
    """A failed poll; ``kind`` and ``status`` pick its row of the retry table (schedule.py)."""
    now = utcnow()
    result = PollResult("failed", now, status, kind, headers)
    plan = plan_next_check(_history(state), result, limits_of(settings))
    return FeedPoll(
        feed_id=state.id, checked_at=now, status="failed", http_status=status, error=reason,
        next_check_at=plan.next_check_at, next_check_reason=plan.reason,
        server_wait_until=plan.server_wait_until, disabled_reason=plan.reason if plan.disable else None,
        release_lease_of=owner,
    )


async def poll_feed(state: FeedState, *, fetcher: Fetcher, settings: Settings, read_state: StateReader,
                    cpu: CpuPool, owner: str | None = None) -> FeedPoll:
    checked_at = utcnow()
    local_root = local_root_of(state.url)
    try:
        response = await fetcher.fetch(state.url, kind="feed", etag=state.etag,
                                       last_modified=state.last_modified, local_root=local_root)
    except BadStatus as exc:
        return failed_poll(state, settings, exc.reason, kind=exc.kind, status=exc.status,
                           headers=exc.headers, owner=owner)
    except FetchError as exc:
        return failed_poll(state, settings, exc.reason, kind=exc.kind, owner=owner)
    moved = response.permanent_url
    moved_to = normalize_url(moved) if moved and urlsplit(moved).scheme in ("http", "https") else None
    if response.not_modified:
        plan = _plan_ok(state, settings, "not_modified", response.headers, None)
        return FeedPoll(
            feed_id=state.id, checked_at=checked_at, status="not_modified", http_status=304,
            next_check_at=plan.next_check_at, next_check_reason=plan.reason,
            etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
            moved_to=moved_to, release_lease_of=owner, fetch_seconds=response.elapsed,
        )
    try:
        parsed = await cpu.run(parse_feed, response.body, response.headers, response.url)
    except TaskFailed as exc:
        return failed_poll(state, settings, f"feed parsing {exc.reason}", kind="parse",
                           status=response.status, owner=owner)
    except FeedParseError as exc:
        if _ANTIBOT.search(response.body[:20000]):
            return failed_poll(state, settings, "an anti-bot challenge page instead of the feed",
                               kind="antibot", status=response.status, owner=owner)
        return failed_poll(state, settings, f"cannot parse the feed: {exc}", kind="parse",
                           status=response.status, owner=owner)
    plan = _plan_ok(state, settings, "ok", response.headers, parsed.ttl_seconds)
    poll = FeedPoll(
        feed_id=state.id, checked_at=checked_at, status="ok", http_status=response.status,
        next_check_at=plan.next_check_at, next_check_reason=plan.reason, error=parsed.warning,
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
        title=parsed.title, site_url=parsed.site_url, moved_to=moved_to, release_lease_of=owner,
        fetch_seconds=response.elapsed,
    )
    entries = await _collect_entries(parsed, state, settings, read_state, cpu)
    return dataclasses.replace(poll, entries=tuple(entries))


def _plan_ok(state: FeedState, settings: Settings, outcome: str, headers: dict[str, str],
             ttl: float | None) -> Schedule:
    return plan_next_check(_history(state), PollResult(outcome, utcnow(), headers=headers, ttl_seconds=ttl),
                           limits_of(settings))


async def _collect_entries(parsed: ParsedFeed, state: FeedState, settings: Settings, read_state: StateReader,
                           cpu: CpuPool) -> list[EntryRecord]:
    """Decide per entry; new entries get their feed text now and their page queued. That text is
    provisional: its statements are parsed only if it is kept (the page cannot be used)."""
    entries = list(parsed.entries)
    links = [e.link for e in entries if e.link]
    known, stored_links, pruned = await read_state(state.id, [e.guid for e in entries], links)
    plan = plan_entries(entries, known, stored_links, tombstoned=pruned)
    out = [EntryRecord(entry.guid, entry.link, article_id=article_id, published_at=entry.published_at)
           for entry, article_id in plan.link_existing]
    for entry in plan.feed_only:
        record = await feed_text_record(cpu, entry, "the entry has no usable link",
                                        attempts=settings.page_retry_limit, final=True)
        out.append(EntryRecord(entry.guid, None, article=record))
    out += [EntryRecord(entry.guid, entry.link, article=provisional_record(entry), page_url=entry.link)
            for entry in plan.queue]
    return out
