"""Retry-After pauses one origin (scheme, host, port): other ports of the same host name go on, and
feeds left out because of a pause are skipped — never failed, their own errors untouched."""

from __future__ import annotations

from datetime import timedelta

from server import LocalServer, serve
from test_queue import add, ingest, page, rows, rss, settings

from db import queue
from db.database import Database
from db.feeds import get_feed
from db.types import utcnow
from worker.parse.urls import origin_of


def test_origin_of_writes_scheme_host_and_port() -> None:
    assert origin_of("https://Example.org/a?b") == "https://example.org:443"
    assert origin_of("http://example.org:8080/") == "http://example.org:8080"
    assert origin_of("http://[::1]:81/x") == "http://[::1]:81"
    assert origin_of("file:///tmp/feed.xml") == ""
    assert origin_of("http://example.org:notaport/") == ""


def test_a_pause_holds_one_origin_and_skips_without_inventing_failures(
        http_server: LocalServer, database: Database) -> None:
    with serve() as second:  # the same host name (127.0.0.1), another port: another origin
        http_server.add("/limited", "slow down", status=429, headers={"Retry-After": "3600"})
        http_server.add("/sibling", rss(http_server, [("s", "/s")]))
        page(http_server, "/s", "Story S")
        second.add("/feed", rss(second, [("o", "/o")]))
        page(second, "/o", "Story O")
        limited, sibling, elsewhere = http_server.url("/limited"), http_server.url("/sibling"), second.url("/feed")
        for url in (limited, sibling, elsewhere):
            add(database, url)
        # the sibling failed before, for a reason of its own
        rows(database, "UPDATE feeds SET error_count = 2, last_error = 'its own old error', "
                       "last_status = 'failed' WHERE url = :u", u=sibling)

        ingest(database, settings(), feed_urls=[limited])
        pause = rows(database, "SELECT origin, reason, url FROM host_pauses")
        assert pause == [{"origin": f"http://127.0.0.1:{http_server.port}",
                          "reason": pause[0]["reason"], "url": limited}]
        assert "429" in pause[0]["reason"]

        summary = ingest(database, settings(), feed_urls=[sibling, elsewhere])
        assert summary.feeds_ok == 1 and summary.feeds_skipped == 1 and summary.feeds_failed == 0
        assert second.hits("/feed") == 1 and second.hits("/o") == 1  # the other port was fetched
        assert http_server.hits("/sibling") == 0
        with database.transaction() as session:
            feed = get_feed(session, sibling)
            assert feed is not None
            assert (feed.error_count, feed.last_error, feed.last_status) == (2, "its own old error", "failed")
            assert feed.lease_owner is None
            assert feed.next_check_at is not None
            assert feed.next_check_at > utcnow() + timedelta(minutes=50)  # checked again after the pause
            assert limited in (feed.next_check_reason or "") and "429" in (feed.next_check_reason or "")
        report = next(r for r in summary.feeds if r.url == sibling)
        assert report.status == "skipped" and limited in (report.error or "")


def test_a_shorter_pause_never_overwrites_the_reason_of_a_longer_one(database: Database) -> None:
    now = utcnow()
    with database.transaction() as session:
        queue.pause_origin(session, "https://a.example:443", now + timedelta(hours=1), "HTTP 429", "https://a.example/1")
        queue.pause_origin(session, "https://a.example:443", now + timedelta(minutes=5), "HTTP 503",
                           "https://a.example/2")
        queue.pause_origin(session, "https://a.example:8443", now + timedelta(minutes=5), "HTTP 503",
                           "https://a.example:8443/3")
    with database.transaction() as session:
        pauses = queue.paused_origins(session, now)
    assert pauses["https://a.example:443"].reason == "HTTP 429"
    assert pauses["https://a.example:443"].url == "https://a.example/1"
    assert pauses["https://a.example:8443"].url == "https://a.example:8443/3"
    with database.transaction() as session:
        queue.pause_origin(session, "https://a.example:443", now + timedelta(hours=2), "HTTP 503", "https://a.example/4")
    with database.transaction() as session:
        longer = queue.paused_origins(session, now)["https://a.example:443"]
    assert (longer.reason, longer.url) == ("HTTP 503", "https://a.example/4")


def test_a_page_answering_retry_after_pauses_only_its_origin(http_server: LocalServer,
                                                             database: Database) -> None:
    with serve() as second:
        http_server.add("/feed", rss(http_server, [("a", "/a"), ("b", "/b")]))
        http_server.add("/a", "busy", status=503, headers={"Retry-After": "600"})
        page(http_server, "/b", "Story B")
        second.add("/feed", rss(second, [("c", "/c")]))
        page(second, "/c", "Story C")
        add(database, http_server.url("/feed"))
        add(database, second.url("/feed"))
        ingest(database, settings(concurrency=1))
        assert second.hits("/c") == 1
        pause = rows(database, "SELECT origin, url FROM host_pauses")
        assert pause == [{"origin": f"http://127.0.0.1:{http_server.port}", "url": http_server.url("/a")}]
