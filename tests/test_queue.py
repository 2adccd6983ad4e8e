"""The page queue, leases and the polling decider at work, against a local server, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from server import LocalServer
from sqlalchemy import text

from db import queue
from db.database import Database
from db.feeds import add_feed, claim_feeds
from db.types import utcnow
from worker.pipeline.runner import RunSummary, Worker
from worker.settings import Settings, settings_with

ARTICLE = "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
PARAGRAPH = "<p>The council met on Tuesday to discuss the proposal and several members asked for more detail on the costs before the final vote was taken by the full chamber.</p>"


def settings(**kw: Any) -> Settings:
    return settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, fetch_timeout=10, **kw)


def rss(server: LocalServer, items: list[tuple[str, str]]) -> str:
    body = "".join(f"<item><guid>{guid}</guid><title>{guid}</title><link>{server.url(path)}</link>"
                   f"<description>Summary of {guid}, as the feed tells it.</description></item>"
                   for guid, path in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'


def page(server: LocalServer, path: str, title: str) -> None:
    server.add(path, ARTICLE.format(title=title, body=PARAGRAPH * 4), headers={"Content-Type": "text/html"})


def ingest(db: Database, s: Settings, **kw: Any) -> RunSummary:
    return asyncio.run(Worker(s, db, owner="test").ingest(**kw))


def rows(db: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    with db.transaction() as session:
        result = session.execute(text(sql), params)
        return [dict(r._mapping) for r in result] if result.returns_rows else []


def add(db: Database, url: str) -> None:
    with db.transaction() as session:
        add_feed(session, url)


def test_entries_are_stored_at_once_and_their_pages_fetched_from_the_queue(
        http_server: LocalServer, database: Database) -> None:
    http_server.add("/feed", rss(http_server, [("a", "/a"), ("b", "/b")]), headers={"ETag": '"v1"'})
    page(http_server, "/a", "Story A")
    page(http_server, "/b", "Story B")
    add(database, http_server.url("/feed"))
    summary = ingest(database, settings())
    assert (summary.articles_new, summary.pages_fetched, summary.articles_updated) == (2, 2, 0)
    assert {r["state"] for r in rows(database, "SELECT state FROM page_jobs")} == {"fetched"}
    assert {r["source"] for r in rows(database, "SELECT source FROM articles")} == {"page"}
    feed = rows(database, "SELECT next_check_reason, lease_owner, next_check_at FROM feeds")[0]
    assert feed["next_check_reason"] == "default interval 30m" and feed["lease_owner"] is None


@pytest.mark.slow
def test_failed_pages_are_retried_with_backoff_then_kept_as_feed_text(
        http_server: LocalServer, database: Database) -> None:
    http_server.add("/feed", rss(http_server, [("a", "/a")]))
    http_server.add("/a", "busy", status=503)
    add(database, http_server.url("/feed"))
    s = settings(page_retry_limit=3)
    first = ingest(database, s)
    assert (first.articles_new, first.pages_fetched, first.pages_retrying) == (1, 0, 1)
    job = rows(database, "SELECT state, attempts, next_attempt_at, last_error FROM page_jobs")[0]
    assert job["state"] == "pending" and job["attempts"] == 1 and "503" in job["last_error"]
    article = rows(database, "SELECT source, source_reason FROM articles")[0]
    assert article["source"] == "feed" and "503" in article["source_reason"]
    assert http_server.hits("/a") == 1
    again = ingest(database, s)  # not due yet: the page is not asked for again
    assert again.pages_retrying == 0 and http_server.hits("/a") == 1
    for attempt in (2, 3):
        rows(database, "UPDATE page_jobs SET next_attempt_at = created_at")
        ingest(database, s)
        assert http_server.hits("/a") == attempt
    job = rows(database, "SELECT state, attempts FROM page_jobs")[0]
    assert (job["state"], job["attempts"]) == ("failed", 3)
    rows(database, "UPDATE page_jobs SET next_attempt_at = created_at")
    ingest(database, s)
    assert http_server.hits("/a") == 3  # given up for good: the feed's text stays


def test_a_page_that_works_later_replaces_the_feed_text(http_server: LocalServer, database: Database) -> None:
    http_server.add("/feed", rss(http_server, [("a", "/a")]))
    http_server.add("/a", "oops", status=500)
    add(database, http_server.url("/feed"))
    ingest(database, settings())
    page(http_server, "/a", "Story A")
    rows(database, "UPDATE page_jobs SET next_attempt_at = created_at")
    summary = ingest(database, settings())
    assert summary.pages_fetched == 1 and summary.articles_updated == 1
    assert rows(database, "SELECT source FROM articles")[0]["source"] == "page"


def test_retry_after_pauses_the_feed_and_its_origin_until_forced(http_server: LocalServer,
                                                                 database: Database) -> None:
    http_server.add("/limited", "slow down", status=429, headers={"Retry-After": "3600"})
    http_server.add("/other", rss(http_server, [("x", "/x")]))
    page(http_server, "/x", "Story X")
    limited, other = http_server.url("/limited"), http_server.url("/other")
    add(database, limited)
    first = ingest(database, settings(), feed_urls=[limited])
    assert first.feeds_failed == 1
    feed = rows(database, "SELECT server_wait_until, next_check_reason, next_check_at FROM feeds")[0]
    assert feed["server_wait_until"] is not None and "Retry-After" in feed["next_check_reason"]
    assert [r["origin"] for r in rows(database, "SELECT origin FROM host_pauses")] == [
        f"http://127.0.0.1:{http_server.port}"]
    again = ingest(database, settings(), feed_urls=[limited])
    assert again.feeds_skipped == 1 and "Retry-After" in (again.feeds[0].error or "")
    assert http_server.hits("/limited") == 1
    add(database, other)  # the same origin: paused for everyone, and skipped (not failed)
    paused = ingest(database, settings(), feed_urls=[other])
    assert paused.feeds_skipped == 1 and paused.feeds_failed == 0
    assert "asked to wait" in (paused.feeds[0].error or "")
    assert http_server.hits("/other") == 0
    forced = ingest(database, settings(), feed_urls=[limited, other], force=True)
    assert http_server.hits("/limited") == 2 and http_server.hits("/other") == 1
    assert forced.feeds_ok == 1


def test_gone_disables_the_feed_and_a_permanent_redirect_moves_it(http_server: LocalServer,
                                                                   database: Database) -> None:
    http_server.add("/gone", "bye", status=410)
    http_server.add("/old", "", status=301, headers={"Location": http_server.url("/new")})
    http_server.add("/new", rss(http_server, []))
    add(database, http_server.url("/gone"))
    add(database, http_server.url("/old"))
    ingest(database, settings())
    feeds = {r["url"]: r for r in rows(database, "SELECT url, enabled, disabled_reason FROM feeds")}
    assert not feeds[http_server.url("/gone")]["enabled"]
    assert "410" in feeds[http_server.url("/gone")]["disabled_reason"]
    assert http_server.url("/new") in feeds and http_server.url("/old") not in feeds
    ingest(database, settings())
    assert http_server.hits("/gone") == 1  # disabled feeds are not polled


def test_a_feed_held_by_another_worker_is_left_to_it_until_its_lease_expires(
        http_server: LocalServer, database: Database) -> None:
    http_server.add("/feed", rss(http_server, []))
    url = http_server.url("/feed")
    add(database, url)
    with database.transaction() as session:
        claimed, _ = claim_feeds(session, "other-worker", utcnow(), 300)
    assert [s.url for s in claimed] == [url]
    named = ingest(database, settings(), feed_urls=[url])
    assert named.feeds_skipped == 1 and (named.feeds[0].error or "").startswith("held by other-worker until ")
    unnamed = ingest(database, settings())  # not named: left to its holder, and said so too
    assert unnamed.feeds_skipped == 1 and (unnamed.feeds[0].error or "").startswith("held by other-worker")
    assert http_server.hits("/feed") == 0
    rows(database, "UPDATE feeds SET lease_until = :t", t=utcnow() - timedelta(seconds=1))
    assert ingest(database, settings()).feeds_ok == 1  # the lease expired: taken over


def test_page_jobs_are_claimed_once(database: Database) -> None:
    with database.transaction() as session:
        feed, _ = add_feed(session, "https://example.org/feed")
        session.execute(text("INSERT INTO articles (url, text, source, content_hash, extracted_at, "
                             "extractor_version, created_at, updated_at, page_attempts) VALUES "
                             "(:u, 't', 'feed', 'h', :n, 'v', :n, :n, 0)"), {"u": "https://example.org/a", "n": utcnow()})
        article_id = session.execute(text("SELECT id FROM articles")).scalar()
        assert queue.enqueue_page(session, article_id, feed.id, "https://example.org/a", utcnow())
        assert not queue.enqueue_page(session, article_id, feed.id, "https://example.org/a", utcnow())
    with database.transaction() as session:
        a = queue.claim_pages(session, "a", utcnow(), 300, limit=10)
    with database.transaction() as session:
        b = queue.claim_pages(session, "b", utcnow(), 300, limit=10)
    assert len(a) == 1 and b == []
    with database.transaction() as session:
        assert not queue.finish_page(session, a[0].job_id, "b", state="fetched", attempts=1, now=utcnow())
    rows(database, "UPDATE page_jobs SET lease_until = :t", t=utcnow() - timedelta(seconds=1))
    with database.transaction() as session:
        c = queue.claim_pages(session, "c", utcnow(), 300, limit=10)
    assert [j.job_id for j in c] == [a[0].job_id]
    with database.transaction() as session:
        assert not queue.finish_page(session, a[0].job_id, "a", state="fetched", attempts=1, now=utcnow())
        assert queue.finish_page(session, a[0].job_id, "c", state="fetched", attempts=1, now=utcnow())
    assert queue.queue_depth is not None


@pytest.mark.parametrize("status", [500, 404])
def test_feed_errors_are_recorded_with_the_reason_for_the_next_check(
        http_server: LocalServer, database: Database, status: int) -> None:
    http_server.add("/broken", "no", status=status)
    add(database, http_server.url("/broken"))
    ingest(database, settings())
    feed = rows(database, "SELECT error_count, next_check_reason, enabled FROM feeds")[0]
    assert feed["error_count"] == 1 and feed["enabled"]
    assert "failure 1 in a row" in feed["next_check_reason"]


def test_an_anti_bot_page_is_a_refusal_not_a_broken_feed(http_server: LocalServer, database: Database) -> None:
    http_server.add("/feed", "<html><head><title>Just a moment...</title></head><body>"
                             "<div id='cf-chl-widget'></div></body></html>", headers={"Content-Type": "text/html"})
    add(database, http_server.url("/feed"))
    summary = ingest(database, settings())
    assert summary.feeds_failed == 1 and "anti-bot" in (summary.feeds[0].error or "")
    feed = rows(database, "SELECT next_check_reason FROM feeds")[0]
    assert feed["next_check_reason"].startswith("access refused, failure 1 in a row")
