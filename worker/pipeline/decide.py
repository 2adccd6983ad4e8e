"""The decider: old state + new data -> what to write. Pure and dependency-free (no database, no
network), so it is tested with plain values; storage (db/store.py) applies what it returns.

- :func:`plan_entries`: a freshly parsed feed's entries -> what to do with each;
- :func:`merge_article`: a stored article + what a page or another feed says of it -> the columns
  to set (an :class:`~db.records.ArticleWrite`, reader's "intent").

Page fetches are not planned here: a new entry's page is queued when its article is stored, and the
queue (db/queue.py, worker/pipeline/pages.py) retries it as the table of worker/pipeline/schedule.py
says.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from db.records import ArticleWrite, StoredArticle
from worker.parse.feed import ParsedEntry

# What an article may lack and another source know: a page or feed without it keeps the stored value,
# and a stored article without it takes it from the next feed or page that has it.
FILLABLE = ("title", "author", "published_at", "language", "summary")


@dataclass
class Plan:
    queue: list[ParsedEntry] = field(default_factory=list)  # stored with the feed's text; page queued
    link_existing: list[tuple[ParsedEntry, int]] = field(default_factory=list)
    feed_only: list[ParsedEntry] = field(default_factory=list)


def plan_entries(entries: Iterable[ParsedEntry], known: Collection[str], stored_links: Mapping[str, int], *,
                 tombstoned: Collection[str] = frozenset()) -> Plan:
    """Decide per entry:

    - an entry whose guid is ``known`` (stored from this feed already) -> nothing to do (no request
      at all): if its article still holds the feed's text, its page is in the queue;
    - a new entry whose link (or, without one, guid) is `tombstoned` (its article was pruned) ->
      nothing: it counts as known, so what retention deleted is not fetched and stored again;
    - a new entry whose link is stored already (another feed, or tracking parameters) -> link to it;
    - a new entry with a link -> store the feed's text for now and queue its page;
    - a new entry without a usable link -> store the feed's own text for good.
    """
    plan = Plan()
    for entry in entries:
        if entry.guid in known or (entry.link or entry.guid) in tombstoned:
            continue
        if entry.link and entry.link in stored_links:
            plan.link_existing.append((entry, stored_links[entry.link]))
        elif entry.link:
            plan.queue.append(entry)
        else:
            plan.feed_only.append(entry)
    return plan


def merge_article(old: StoredArticle, new: Mapping[str, Any], *, own: bool) -> ArticleWrite:
    """What to write over a stored article, given what is newly known of it (``new``: column values,
    a whole record's or a few, such as an entry's ``published_at``).

    - ``own``: ``new`` is this article's own page outcome (its queued page, fetched or given up), or
      a page's text for an article that holds a feed's -> it replaces the article, except that what
      ``new`` lacks (FILLABLE) keeps its stored value;
    - otherwise (the same URL from another feed, another page) -> it only fills in what the stored
      article lacks (FILLABLE).

    The statements are written again when the text changed (old offsets no longer hold) or when
    ``new`` carries statements of another parser version."""
    if own or (old.source == "feed" and new.get("source") == "page"):
        values = {key: value for key, value in new.items() if key != "statements_version"
                  and not (value is None and key in FILLABLE and getattr(old, key) is not None)}
        text_changed = "content_hash" in new and new["content_hash"] != old.content_hash
        changed = text_changed or new.get("source", old.source) != old.source
        version = new.get("statements_version")
        restate = text_changed or (version is not None and version != old.statements_version)
        if restate:  # the version goes with the statements: unchanged, they and it stay
            values["statements_version"] = version
        return ArticleWrite(values, changed=changed, statements=restate)
    return ArticleWrite({key: new[key] for key in FILLABLE
                         if new.get(key) is not None and getattr(old, key) is None})
