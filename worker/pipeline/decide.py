"""The decider: old state + a freshly parsed feed -> what to do with each entry.

Pure and dependency-free (no database, no network), so it is tested with plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from db.records import KnownEntry
from worker.parse.feed import ParsedEntry


@dataclass(frozen=True)
class PageJob:
    """Fetch this entry's page; if `replaces_article_id` is set, it upgrades that stored article."""

    entry: ParsedEntry
    replaces_article_id: int | None = None
    attempts_before: int = 0


@dataclass
class Plan:
    fetch: list[PageJob] = field(default_factory=list)
    link_existing: list[tuple[ParsedEntry, int]] = field(default_factory=list)
    feed_only: list[ParsedEntry] = field(default_factory=list)


def plan_entries(entries: Iterable[ParsedEntry], known: Mapping[str, KnownEntry],
                 stored_links: Mapping[str, int], *, retry_limit: int,
                 tombstoned: Collection[str] = frozenset()) -> Plan:
    """Decide per entry:

    - a new entry whose link (or, without one, guid) is `tombstoned` (its article was pruned) ->
      nothing: it counts as known, so what retention deleted is not fetched and stored again;
    - a new entry whose link is stored already (another feed, or tracking parameters) -> link to it;
    - a new entry with a link -> fetch its page;
    - a new entry without a usable link -> store the feed's own text;
    - a known entry whose article still holds the feed's text after fewer than `retry_limit`
      page attempts -> fetch the page again to upgrade it;
    - any other known entry -> nothing to do (no request at all).
    """
    plan = Plan()
    for entry in entries:
        seen = known.get(entry.guid)
        if seen is not None:
            if seen.source == "feed" and entry.link and seen.page_attempts < retry_limit:
                plan.fetch.append(PageJob(entry, seen.article_id, seen.page_attempts))
        elif (entry.link or entry.guid) in tombstoned:
            continue  # its article was pruned: not stored again
        elif entry.link and entry.link in stored_links:
            plan.link_existing.append((entry, stored_links[entry.link]))
        elif entry.link:
            plan.fetch.append(PageJob(entry))
        else:
            plan.feed_only.append(entry)
    return plan
