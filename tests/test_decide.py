"""The decider with plain values: no database, no network."""

from __future__ import annotations

from db.records import KnownEntry
from worker.parse.feed import ParsedEntry
from worker.pipeline.decide import plan_entries


def entry(guid: str, link: str | None = None) -> ParsedEntry:
    return ParsedEntry(guid=guid, link=link, title=guid, author=None, published_at=None,
                       summary=f"summary of {guid}", content=None)


def known(guid: str, article_id: int, source: str = "page", attempts: int = 1) -> KnownEntry:
    return KnownEntry(guid, article_id, f"https://x.test/{guid}", source, attempts)


def test_new_entries_with_links_are_fetched() -> None:
    plan = plan_entries([entry("a", "https://x.test/a"), entry("b", "https://x.test/b")], {}, {},
                        retry_limit=3)
    assert [j.entry.guid for j in plan.fetch] == ["a", "b"]
    assert all(j.replaces_article_id is None for j in plan.fetch)
    assert plan.link_existing == [] and plan.feed_only == []


def test_known_entries_cost_nothing() -> None:
    plan = plan_entries([entry("a", "https://x.test/a")], {"a": known("a", 7)}, {}, retry_limit=3)
    assert plan.fetch == [] and plan.link_existing == [] and plan.feed_only == []


def test_new_entry_with_a_stored_link_is_linked_not_fetched() -> None:
    plan = plan_entries([entry("other-feed-guid", "https://x.test/a")], {}, {"https://x.test/a": 7},
                        retry_limit=3)
    assert plan.fetch == []
    assert [(e.guid, i) for e, i in plan.link_existing] == [("other-feed-guid", 7)]


def test_entry_without_link_keeps_feed_text() -> None:
    plan = plan_entries([entry("sha256:abc")], {}, {}, retry_limit=3)
    assert [e.guid for e in plan.feed_only] == ["sha256:abc"]


def test_feed_text_article_is_retried_until_the_limit() -> None:
    e = entry("a", "https://x.test/a")
    plan = plan_entries([e], {"a": known("a", 7, source="feed", attempts=1)}, {}, retry_limit=3)
    assert [(j.replaces_article_id, j.attempts_before) for j in plan.fetch] == [(7, 1)]
    assert plan.link_existing == [] and plan.feed_only == []
    plan = plan_entries([e], {"a": known("a", 7, source="feed", attempts=3)}, {}, retry_limit=3)
    assert plan.fetch == [] and plan.link_existing == [] and plan.feed_only == []


def test_page_article_is_never_refetched() -> None:
    plan = plan_entries([entry("a", "https://x.test/a")], {"a": known("a", 7, attempts=0)}, {},
                        retry_limit=3)
    assert plan.fetch == []
