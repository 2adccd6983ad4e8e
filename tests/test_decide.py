"""The decider with plain values: no database, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from db.records import ArticleRecord, StoredArticle, content_hash
from worker.parse.feed import ParsedEntry
from worker.pipeline.decide import FILLABLE, merge_article, plan_entries

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def entry(guid: str, link: str | None = None) -> ParsedEntry:
    return ParsedEntry(guid=guid, link=link, title=guid, author=None, published_at=None,
                       summary=f"summary of {guid}", content=None)


def test_new_entries_with_links_are_queued() -> None:
    plan = plan_entries([entry("a", "https://x.test/a"), entry("b", "https://x.test/b")], {}, {})
    assert [e.guid for e in plan.queue] == ["a", "b"]
    assert plan.link_existing == [] and plan.feed_only == []


def test_known_entries_cost_nothing() -> None:
    plan = plan_entries([entry("a", "https://x.test/a")], {"a"}, {})
    assert plan.queue == [] and plan.link_existing == [] and plan.feed_only == []


def test_new_entry_with_a_stored_link_is_linked_not_fetched() -> None:
    plan = plan_entries([entry("other-feed-guid", "https://x.test/a")], {}, {"https://x.test/a": 7})
    assert plan.queue == []
    assert [(e.guid, i) for e, i in plan.link_existing] == [("other-feed-guid", 7)]


def test_entry_without_link_keeps_feed_text() -> None:
    plan = plan_entries([entry("sha256:abc")], {}, {})
    assert [e.guid for e in plan.feed_only] == ["sha256:abc"]


def test_a_known_entry_whose_article_holds_the_feed_text_is_left_to_the_page_queue() -> None:
    """The queue retries its page (as the table of schedule.py says); a poll plans no fetch for it."""
    plan = plan_entries([entry("a", "https://x.test/a")], {"a"}, {"https://x.test/a": 7})
    assert plan.queue == [] and plan.link_existing == [] and plan.feed_only == []


# --- merge_article: what to write over a stored article -------------------------------------------

def stored(**kw: Any) -> StoredArticle:
    values: dict[str, Any] = {"title": "Old title", "author": "Ann", "published_at": T0, "language": "en",
                              "summary": "old summary", "source": "feed", "content_hash": content_hash("feed text"),
                              "statements_version": None}
    return StoredArticle(**{**values, **kw})


def record(text: str = "page text", *, source: str = "page", **kw: Any) -> ArticleRecord:
    values: dict[str, Any] = {"url": "https://x.test/a", "title": "New title", "author": None,
                              "published_at": None, "language": None, "text": text, "summary": None,
                              "source": source, "source_reason": None, "extracted_at": T1,
                              "extractor_version": "v", "page_attempts": 1, "statements_version": "quotes-2"}
    return ArticleRecord(**{**values, **kw})


def test_a_page_replaces_its_article_but_keeps_what_it_lacks() -> None:
    write = merge_article(stored(), record().columns(), own=True)
    assert write.changed and write.statements
    assert write.values["text"] == "page text" and write.values["title"] == "New title"
    assert write.values["source"] == "page" and write.values["statements_version"] == "quotes-2"
    assert not {"author", "published_at", "language", "summary"} & set(write.values)  # kept as stored
    assert write.values["provisional"] is False


def test_the_same_text_again_changes_nothing_readers_see_and_keeps_the_statements() -> None:
    old = stored(source="page", content_hash=content_hash("page text"), statements_version="quotes-2")
    write = merge_article(old, record().columns(), own=True)
    assert not write.changed and not write.statements and "statements_version" not in write.values
    unparsed = merge_article(old, record(statements_version=None).columns(), own=True)
    assert not unparsed.statements and "statements_version" not in unparsed.values
    reparsed = merge_article(old, record(statements_version="quotes-3").columns(), own=True)
    assert reparsed.statements and not reparsed.changed and reparsed.values["statements_version"] == "quotes-3"


def test_a_page_from_another_entry_replaces_a_feed_text_article() -> None:
    write = merge_article(stored(), record().columns(), own=False)
    assert write.changed and write.values["source"] == "page"


def test_another_feed_only_fills_in_what_is_missing() -> None:
    old = stored(title=None, author="Ann", published_at=None, source="page")
    new = record("other text", source="feed", title="A title", author="Bob", published_at=T1,
                 language="fr", summary="s").columns()
    write = merge_article(old, new, own=False)
    assert dict(write.values) == {"title": "A title", "published_at": T1}
    assert not write.changed and not write.statements
    assert set(write.values) <= set(FILLABLE)


def test_a_linked_entry_fills_in_the_date_only_when_the_article_has_none() -> None:
    assert dict(merge_article(stored(published_at=None), {"published_at": T1}, own=False).values) == {
        "published_at": T1}
    assert dict(merge_article(stored(published_at=T0), {"published_at": T1}, own=False).values) == {}
