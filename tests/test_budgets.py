"""Budgets at work in a real ingest: a page whose extraction runs past its deadline or its memory
ceiling, and a feed whose parsing runs past its deadline, are recorded like any other failure
(the feed's text with the reason; the feed's last_error) while the run completes and the pool
goes on serving the next page. Pages in a language the statement parser does not read get none.
On both databases, with faults injected into the worker processes (tests/pool_hooks.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pool_hooks
import pytest
from server import LocalServer
from sqlalchemy import text

from db.database import Database
from db.feeds import add_feed
from worker.pipeline.runner import RunSummary, Worker
from worker.pool import CpuPool
from worker.settings import Settings, settings_with

MiB = 1024**2
QUOTE = "“The bridge opens in May,” Mayor Lena Park said."
PARAGRAPH = ("<p>The council met on Tuesday to discuss the proposal and several members asked for more "
             "detail on the costs before the final vote was taken by the full chamber.</p>")


def settings() -> Settings:
    return settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, fetch_timeout=10,
                         per_host_concurrency=4)


def article(title: str, *, marker: str = "", lang: str = "en", body: str = "") -> str:
    return (f'<html lang="{lang}"><head><title>{title}</title></head><body><article><h1>{title}</h1>'
            f"{marker}{body or PARAGRAPH * 4}<p>{QUOTE}</p></article></body></html>")


def rss(server: LocalServer, paths: list[str], *, marker: str = "") -> str:
    items = "".join(f"<item><guid>{p}</guid><title>{p}</title><link>{server.url(p)}</link>"
                    f"<description>{QUOTE} Summary of {p}, as the feed tells it.</description></item>"
                    for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{marker}{items}</channel></rss>'


def add_page(server: LocalServer, path: str, html: str) -> None:
    server.add(path, html, headers={"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def pool() -> Iterator[CpuPool]:
    with CpuPool(2, timeout=1.0, memory=768 * MiB, initializer=pool_hooks.install) as p:
        yield p


@pytest.fixture
def roomy_pool() -> Iterator[CpuPool]:
    """A pool whose budget no page here comes near, for tests about something else than budgets:
    under a loaded machine a first extraction in a fresh process can pass 1 s."""
    with CpuPool(2, timeout=30.0, memory=768 * MiB, initializer=pool_hooks.install) as p:
        yield p


def ingest(db: Database, pool: CpuPool, *feeds: str) -> RunSummary:
    with db.transaction() as session:
        for url in feeds:
            add_feed(session, url)
    return asyncio.run(Worker(settings(), db, owner="test", cpu=pool).ingest(feed_urls=list(feeds)))


def articles(db: Database) -> dict[str, dict[str, Any]]:
    with db.transaction() as session:
        rows = session.execute(text(
            "SELECT a.url, a.source, a.source_reason, a.language, a.statements_version, j.state,"
            " (SELECT count(*) FROM statements s WHERE s.article_id = a.id) AS statements"
            " FROM articles a LEFT JOIN page_jobs j ON j.article_id = a.id"))
        return {r.url.rsplit("/", 1)[-1]: dict(r._mapping) for r in rows}


@pytest.mark.slow
def test_pages_past_their_budget_keep_the_feed_text_and_the_run_goes_on(
        http_server: LocalServer, database: Database, pool: CpuPool) -> None:
    add_page(http_server, "/ok", article("Fine"))
    add_page(http_server, "/slow", article("Slow", marker="<!--slow-->"))
    add_page(http_server, "/hungry", article("Hungry", marker="<!--hungry-->"))
    http_server.add("/feed", rss(http_server, ["/ok", "/slow", "/hungry"]))
    summary = ingest(database, pool, http_server.url("/feed"))
    assert (summary.feeds_ok, summary.articles_new, summary.pages_fetched, summary.pages_fallback) == (1, 3, 1, 2)
    stored = articles(database)
    assert stored["ok"]["source"] == "page" and stored["ok"]["state"] == "fetched"
    assert stored["slow"]["source"] == "feed" and stored["slow"]["source_reason"] == "extraction exceeded 1 s"
    assert stored["hungry"]["source"] == "feed"
    assert stored["hungry"]["source_reason"] == "extraction exceeded the memory ceiling of 768 MiB"
    for name in ("slow", "hungry"):  # given up for good: the feed's text is kept, and parsed
        assert stored[name]["state"] == "failed" and stored[name]["statements"] == 1

    # The pool is healthy: the next run's page is extracted as usual.
    add_page(http_server, "/next", article("Next"))
    http_server.add("/feed2", rss(http_server, ["/next"]))
    summary = ingest(database, pool, http_server.url("/feed2"))
    assert summary.pages_fetched == 1 and articles(database)["next"]["source"] == "page"


@pytest.mark.slow
def test_a_feed_past_its_parsing_deadline_is_recorded_and_the_others_are_stored(
        http_server: LocalServer, database: Database, pool: CpuPool) -> None:
    add_page(http_server, "/a", article("A"))
    http_server.add("/slow-feed", rss(http_server, ["/a"], marker="<!--slow-->"))
    http_server.add("/feed", rss(http_server, ["/a"]))
    summary = ingest(database, pool, http_server.url("/slow-feed"), http_server.url("/feed"))
    assert (summary.feeds_ok, summary.feeds_failed, summary.pages_fetched) == (1, 1, 1)
    with database.transaction() as session:
        row = session.execute(text("SELECT last_status, last_error, error_count FROM feeds "
                                   "WHERE url LIKE '%slow-feed'")).one()
    assert tuple(row) == ("failed", "feed parsing exceeded 1 s", 1)


GERMAN = ("<p>Die Stadt baut die alte Brücke über den Fluss neu. Bürgermeisterin Anna Weber sagte: "
          "„Wir beginnen im Frühjahr mit den Arbeiten.“</p><p>Länge: 3:28:15</p>"
          "<p>Verkehr: Die Umleitung führt über die Nordbrücke und die Bahnhofstraße, wie die Stadt "
          "am Dienstag mitteilte. Die Arbeiten sollen zwei Jahre dauern und rund vierzig Millionen Euro "
          "kosten.</p>") * 2


def test_a_page_in_a_language_the_parser_does_not_read_gets_no_statements(
        http_server: LocalServer, database: Database, roomy_pool: CpuPool) -> None:
    add_page(http_server, "/de", f'<html lang="de"><head><title>Brücke</title></head><body><article>'
                                 f"<h1>Neue Brücke</h1>{GERMAN}</article></body></html>")
    add_page(http_server, "/en", article("English"))
    http_server.add("/feed", rss(http_server, ["/de", "/en"]))
    ingest(database, roomy_pool, http_server.url("/feed"))
    stored = articles(database)
    assert stored["de"]["source"] == "page" and stored["de"]["language"] == "de"
    assert stored["de"]["statements"] == 0 and stored["de"]["statements_version"] is not None
    assert stored["en"]["language"] == "en" and stored["en"]["statements"] == 1


def test_a_page_whose_extraction_raises_counts_its_attempts_and_stops_at_the_retry_limit(
        http_server: LocalServer, database: Database, pool: CpuPool) -> None:
    add_page(http_server, "/bug", article("Bug", marker="<!--bug-->"))
    http_server.add("/feed", rss(http_server, ["/bug"]))
    limit = settings().page_retry_limit
    for _ in range(limit + 2):
        ingest(database, pool, http_server.url("/feed"))
        with database.transaction() as session:  # the retry is due now, not in minutes
            session.execute(text("UPDATE page_jobs SET next_attempt_at = created_at"))
    assert http_server.hits("/bug") == limit  # tried page_retry_limit times, then never again
    with database.transaction() as session:
        job = session.execute(text("SELECT state, attempts, last_error FROM page_jobs")).one()
    assert (job.state, job.attempts) == ("failed", limit)
    assert job.last_error.startswith("internal error: RuntimeError: an injected bug")
    kept = articles(database)["bug"]
    assert kept["source"] == "feed" and kept["source_reason"].startswith("internal error")
    assert kept["statements_version"] is not None  # kept for good, so parsed
