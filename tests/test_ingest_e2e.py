"""End to end: a local site with RSS 2.0, Atom 1.0 and RSS 1.0 feeds -> `worker ingest` -> rows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import newssite as news_site
import pytest
from cliharness import use_local_site
from server import LocalServer
from sqlalchemy import create_engine, text

from worker.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in args else out


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    use_local_site(monkeypatch, db_url, processes="auto")  # end to end: with the default process pool
    capsys.readouterr()
    return db_url


def _plain(value: Any) -> Any:
    """SQLite hands back timestamps as text, PostgreSQL as datetimes: compare them as UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?", value):
        return value[:19]
    return value


def snapshot(db_url: str) -> dict[str, Any]:
    """What a person querying the tables would see, without ids and clock times."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        articles = conn.execute(text(
            "SELECT url, title, author, published_at, language, text, summary, source, source_reason, "
            "content_hash, extractor_version FROM articles ORDER BY url")).all()
        entries = conn.execute(text(
            "SELECT f.url, e.guid, e.link, a.url FROM feed_entries e JOIN feeds f ON f.id = e.feed_id "
            "JOIN articles a ON a.id = e.article_id ORDER BY f.url, e.guid")).all()
        feeds = conn.execute(text(
            "SELECT url, title, etag, last_modified, last_status, last_http_status, last_error, error_count "
            "FROM feeds ORDER BY url")).all()
    engine.dispose()
    return {name: [tuple(_plain(v) for v in row) for row in rows]
            for name, rows in (("articles", articles), ("entries", entries), ("feeds", feeds))}


def test_three_formats_overlapping_links_stored_once(http_server: LocalServer, env: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    feeds = news_site.build(http_server)
    code, summary = run_cli(capsys, "ingest", "--feed", feeds["rss2"], "--feed", feeds["atom"],
                            "--feed", feeds["rss1"], "--json")
    assert code == 0
    assert (summary["feeds_ok"], summary["feeds_failed"]) == (3, 0)
    # harbour, budget (canonical), rail, and the missing page kept as feed text
    assert summary["articles_new"] == 4
    for path in ("/news/harbour", "/news/budget", "/news/rail", "/news/missing-page"):
        assert http_server.hits(path) == 1, path
    snap = snapshot(env)
    by_url = {row[0]: row for row in snap["articles"]}
    base = http_server.url("")
    assert set(by_url) == {f"{base}/news/harbour", f"{base}/2026/03/budget-approved", f"{base}/news/rail",
                           f"{base}/news/missing-page"}
    assert by_url[f"{base}/news/harbour"][7] == "page"
    assert "Mara Lind" in by_url[f"{base}/news/harbour"][5]
    assert "Related posts" not in by_url[f"{base}/news/harbour"][5]
    missing = by_url[f"{base}/news/missing-page"]
    assert missing[7] == "feed" and "404" in missing[8] and "Ines Paulsen" in missing[5]
    assert len(snap["entries"]) == 7
    links = {row[2] for row in snap["entries"]}
    assert all("utm_" not in link and "fbclid" not in link and "gclid" not in link and "#" not in link
               for link in links)

    # Second run: every feed request is conditional and answered 304; no page is fetched again.
    before = len(http_server.requests)
    code, summary = run_cli(capsys, "ingest", "--json")
    assert code == 0 and summary["feeds_not_modified"] == 3 and summary["articles_new"] == 0
    again = http_server.requests[before:]
    assert sorted(r.path for r in again) == ["/atom.xml", "/rdf.xml", "/rss.xml"]
    assert all(r.headers.get("if-none-match") and r.headers.get("if-modified-since") for r in again)
    assert snapshot(env) == {**snap, "feeds": snapshot(env)["feeds"]}


def test_broken_feeds_are_recorded_and_the_run_goes_on(http_server: LocalServer, env: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    feeds = news_site.build(http_server)
    http_server.add("/html-not-feed", "<html><body><p>hello</p></body></html>",
                    headers={"Content-Type": "text/html"})
    http_server.add("/server-error", "oops", status=500)
    broken = [http_server.url("/server-error"), http_server.url("/html-not-feed"),
              "http://169.254.169.254/feed", "ftp://example.org/feed.xml"]
    code, summary = run_cli(capsys, "ingest", "--feed", feeds["rss2"],
                            *[a for url in broken for a in ("--feed", url)], "--json")
    assert code == 0
    assert summary["feeds_ok"] == 1 and summary["feeds_failed"] == 4
    errors = {f["url"]: f["error"] for f in summary["feeds"] if f["status"] == "failed"}
    assert "500" in errors[http_server.url("/server-error")]
    assert "not a feed" in errors[http_server.url("/html-not-feed")].lower()
    assert "169.254.169.254" in errors["http://169.254.169.254/feed"]
    assert "scheme" in errors["ftp://example.org/feed.xml"]
    rows = {r[0]: r for r in snapshot(env)["feeds"]}
    server_error = http_server.url("/server-error")
    assert rows[server_error][4:] == ("failed", 500, errors[server_error], 1)
    assert rows[feeds["rss2"]][4] == "ok"
    assert "ftp://example.org/feed.xml" not in rows  # never added


@pytest.mark.slow
@pytest.mark.postgres
def test_sqlite_and_postgresql_store_identical_results(http_server: LocalServer, tmp_path,
                                                       postgres_schema_url: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    feeds = news_site.build(http_server)
    monkeypatch.setenv("WORKER_ALLOWED_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("WORKER_PER_HOST_DELAY", "0")
    snaps = []
    for url in (f"sqlite:///{tmp_path / 'a.db'}", postgres_schema_url):
        monkeypatch.setenv("WORKER_DATABASE_URL", url)
        assert main(["db", "upgrade"]) == 0
        capsys.readouterr()
        code, _ = run_cli(capsys, "ingest", *[a for f in feeds.values() for a in ("--feed", f)], "--json")
        assert code == 0
        snaps.append(snapshot(url))
    for name in snaps[0]:
        for a, b in zip(snaps[0][name], snaps[1][name], strict=True):
            assert a == b, name
    assert len(snaps[0]["articles"]) == 4
