"""Statements end to end on SQLite and PostgreSQL: `worker ingest` stores them with each article,
`worker statements` lists them, `worker reparse` refreshes stale ones, `worker extract` shows them.

Expected statements come from calling parse_statements on the stored text, so these tests hold
whatever the parser learns; the texts use the simple pattern so that there is something to find."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import cliharness
import pytest
from cliharness import query, use_local_site
from server import LocalServer

from worker.statements import PARSER_VERSION, parse_statements

ROOT = Path(__file__).resolve().parent.parent
JANE = "“We will win,” Jane Doe said."
JOHN = "“Taxes will fall,” John Smith said."
ANNA = "“Rates will stay low,” Anna Berg said."
FILLER = (
    "The valley road was resurfaced over the summer and reopened to traffic in early September.",
    "Shops along the high street have extended their opening hours for the winter season.",
    "The next meeting takes place in the town hall on the first Monday of the month, at seven.",
)
FIELDS = ("speaker", "speaker_type", "role", "speaker_start", "speaker_end", "cue", "content",
          "content_start", "content_end", "content_spans", "kind", "confidence")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, _ = cliharness.run(capsys, *args)
    return code, out


def page(title: str, *paragraphs: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
            f"<footer>Copyright Valley Post</footer></body></html>")


def feed(server: LocalServer) -> str:
    items = [
        ("jane", "Jane Doe is confident", server.url("/news/jane"), "Sun, 01 Mar 2026 09:00:00 GMT",
         "A close match."),
        ("john", "John Smith on taxes", server.url("/news/john"), "Sun, 01 Jun 2025 09:00:00 GMT", JOHN),
        ("anna", "Anna Berg on rates", None, "Sun, 01 Feb 2026 09:00:00 GMT", ANNA),
    ]
    body = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>{title}</title>'
        + (f"<link>{link}</link>" if link else "")
        + f"<pubDate>{date}</pubDate><description>{summary}</description></item>"
        for guid, title, link, date, summary in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valley Post</title>'
            f"<link>{server.url('/')}</link><description>News</description>{body}</channel></rss>")


JANE_PAGE = page("Jane Doe is confident", FILLER[0], JANE, FILLER[1], FILLER[2])
JOHN_PAGE = page("John Smith on taxes", FILLER[2], FILLER[0], JOHN, FILLER[1])


@pytest.fixture
def site(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str,
         capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> str:
    """The feed URL of a local site whose John page fails until a test serves it: with 404 (the
    default; the feed's text is kept for good) or with the status the test gives as its param
    (500: the page is queued for a retry and the feed's text is provisional)."""
    use_local_site(monkeypatch, db_url)
    capsys.readouterr()
    http_server.add("/rss.xml", feed(http_server), headers={"Content-Type": "application/rss+xml"})
    http_server.add("/news/jane", JANE_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    http_server.add("/news/john", "not here", status=getattr(request, "param", 404))
    code, out = run(capsys, "ingest", "--feed", http_server.url("/rss.xml"), "--json")
    assert code == 0 and json.loads(out)["articles_new"] == 3
    return http_server.url("/rss.xml")


def by_article(db_url: str) -> dict[str, dict[str, Any]]:
    """Per article URL: its text, statements_version and statements (all columns, in text order)."""
    articles = query(db_url, "SELECT id, url, text, source, statements_version FROM articles")
    rows = query(db_url, "SELECT * FROM statements ORDER BY article_id, content_start, id")
    return {a["url"]: {**a, "statements": [r for r in rows if r["article_id"] == a["id"]]} for a in articles}


def expected(body: str) -> list[dict[str, Any]]:
    return [s.to_dict() for s in parse_statements(body)]


def fields(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parser's fields of stored rows, content_spans read from its JSON text."""
    return [{k: json.loads(r[k]) if k == "content_spans" else r[k] for k in FIELDS} for r in rows]


def test_kept_feed_text_gets_statements(site: str, http_server: LocalServer, db_url: str) -> None:
    stored = by_article(db_url)
    john = stored[http_server.url("/news/john")]
    assert john["source"] == "feed" and john["text"] == JOHN  # the page is gone: the feed's text stays
    assert john["statements"] and fields(john["statements"]) == expected(JOHN)
    assert john["statements_version"] == PARSER_VERSION


@pytest.mark.parametrize("site", [500], indirect=True)
def test_ingest_stores_statements_and_replaces_them_when_the_text_changes(
        site: str, http_server: LocalServer, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = by_article(db_url)
    jane, john = first[http_server.url("/news/jane")], first[http_server.url("/news/john")]
    assert jane["source"] == "page" and JANE in jane["text"]
    assert john["source"] == "feed" and john["text"] == JOHN  # the page failed: the feed's text
    assert len(first) == 3
    # John's page is queued for a retry: its feed text is provisional and not parsed (statements
    # are parsed once per article, for the text that is kept).
    assert john["statements"] == [] and john["statements_version"] is None
    for art in (a for a in first.values() if a is not john):  # the linkless Anna entry too
        assert art["statements"], art["url"]
        assert fields(art["statements"]) == expected(art["text"])
        assert art["statements_version"] == PARSER_VERSION
        assert all(r["parser_version"] == PARSER_VERSION and r["article_id"] == art["id"]
                   for r in art["statements"])
        assert all(" ".join(art["text"][a:b] for a, b in json.loads(r["content_spans"])) == r["content"]
                   for r in art["statements"])

    # The John page works now: its text replaces the feed's and so do its statements; Jane's stay.
    # (The 500 left its page queued with a backoff; let that time pass.)
    http_server.add("/news/john", JOHN_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    assert [r["state"] for r in query(db_url, "SELECT state FROM page_jobs WHERE url LIKE '%john'")] == ["pending"]
    query(db_url, "UPDATE page_jobs SET next_attempt_at = created_at")
    code, out = run(capsys, "ingest", "--json")
    assert code == 0 and json.loads(out)["articles_updated"] == 1
    second = by_article(db_url)
    new_john = second[http_server.url("/news/john")]
    assert new_john["source"] == "page" and new_john["text"] != john["text"] and JOHN in new_john["text"]
    assert new_john["statements"] and fields(new_john["statements"]) == expected(new_john["text"])
    assert new_john["statements_version"] == PARSER_VERSION
    assert second[http_server.url("/news/jane")]["statements"] == jane["statements"]  # same rows, same ids
    assert http_server.hits("/news/jane") == 1


def test_statements_command_filters_and_formats(site: str, http_server: LocalServer, db_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    stored = by_article(db_url)
    code, out = run(capsys, "statements", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == sum(len(a["statements"]) for a in stored.values())
    assert {"id", "article_id", "speaker", "speaker_type", "role", "cue", "content", "kind", "content_start",
            "content_end", "speaker_start", "speaker_end", "confidence", "parser_version", "url", "title",
            "published_at"} <= set(rows[0])
    assert [r["published_at"] for r in rows] == sorted((r["published_at"] for r in rows), reverse=True)

    code, out = run(capsys, "statements", "--speaker", "JANE", "--json")
    jane = json.loads(out)
    assert jane and all("jane" in r["speaker"].lower() for r in jane)
    assert jane[0]["url"] == http_server.url("/news/jane") and jane[0]["title"] == "Jane Doe is confident"
    assert len(jane) == sum("jane" in r["speaker"].lower() for r in rows)
    code, out = run(capsys, "statements", "--speaker", "smith", "--json")
    assert {r["url"] for r in json.loads(out)} == {http_server.url("/news/john")}

    john_id = stored[http_server.url("/news/john")]["id"]
    code, out = run(capsys, "statements", "--article", str(john_id), "--json")
    assert {r["article_id"] for r in json.loads(out)} == {john_id}
    code, out = run(capsys, "statements", "--article", http_server.url("/news/john?utm_source=x"), "--json")
    assert {r["article_id"] for r in json.loads(out)} == {john_id}  # the URL as stored, tracking dropped
    anna_url = next(url for url, a in stored.items() if a["text"] == ANNA)  # the linkless entry
    code, out = run(capsys, "statements", "--since", "2026-01-01", "--json")
    assert {r["url"] for r in json.loads(out)} == {http_server.url("/news/jane"), anna_url}  # not 2025's
    code, out = run(capsys, "statements", "--limit", "1", "--json")
    assert len(json.loads(out)) == 1
    code, out = run(capsys, "statements", "--speaker", "nobody at all", "--json")
    assert json.loads(out) == []

    code, out = run(capsys, "statements", "--speaker", "jane", "--csv")
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [(r["speaker"], r["content"], int(r["content_start"])) for r in parsed] == [
        (r["speaker"], r["content"], r["content_start"]) for r in jane]
    assert parsed[0]["url"] == http_server.url("/news/jane")
    assert parsed[0]["published_at"].startswith("2026-03-01")

    code, out = run(capsys, "statements", "--speaker", "jane")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["article", "published", "speaker", "kind", "content", "feed", "url"]
    assert len(lines) == 1 + len(jane) and "2026-03-01" in lines[1] and jane[0]["speaker"] in lines[1]


def test_reparse_command_picks_stale_articles_and_is_idempotent(site: str, db_url: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    stored = by_article(db_url)
    total = sum(len(a["statements"]) for a in stored.values())
    code, out = run(capsys, "reparse")
    assert code == 0 and out.startswith("reparsed 0 articles, 0 statements")

    stale = min(a["id"] for a in stored.values())
    query(db_url, "UPDATE articles SET statements_version = 'quotes-0' WHERE id = :a", a=stale)
    stale_count = next(len(a["statements"]) for a in stored.values() if a["id"] == stale)
    code, out = run(capsys, "reparse")
    assert out.startswith(f"reparsed 1 articles, {stale_count} statements")
    assert {a["statements_version"] for a in by_article(db_url).values()} == {PARSER_VERSION}
    code, out = run(capsys, "reparse", "--json")
    assert json.loads(out)["articles"] == 0

    code, out = run(capsys, "reparse", "--all", "--json")
    summary = json.loads(out)
    assert (summary["articles"], summary["statements"]) == (3, total)
    assert summary["parser_version"] == PARSER_VERSION
    snapshot = {url: fields(a["statements"]) for url, a in by_article(db_url).items()}
    code, out = run(capsys, "reparse", "--all", "--json")
    assert json.loads(out)["articles"] == 3
    assert {url: fields(a["statements"]) for url, a in by_article(db_url).items()} == snapshot

    query(db_url, "UPDATE articles SET statements_version = NULL")
    code, out = run(capsys, "reparse", "--since", "2026-01-01", "--json")
    assert json.loads(out)["articles"] == 2  # Jane (March 2026) and Anna (February 2026), not John (2025)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in [v for v in os.environ if v.startswith("WORKER_") and not v.startswith("WORKER_TEST_")]:
        monkeypatch.delenv(var)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_demo_articles_get_their_statements(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(capsys, "ingest", "--feed", "seeds/demo/feed.xml")
    assert code == 0
    stored = by_article(f"sqlite:///{home / 'news.db'}")
    seed = stored["https://danube-daily.example/world/blinken-no-concessions-russia/"]
    assert "„There is no change, there will be no change,” he said" in seed["text"]
    for art in stored.values():
        assert art["statements_version"] == PARSER_VERSION
        assert fields(art["statements"]) == expected(art["text"]), art["url"]


def test_extract_shows_the_statements_of_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "jane.html"
    path.write_text(JANE_PAGE, encoding="utf-8")
    code, out = run(capsys, "extract", str(path))
    result = json.loads(out)
    assert code == 0 and JANE in result["text"]
    assert result["statements"] == expected(result["text"]) and result["statements"]

    # The --jsonl output stays as it was: an external scorer reads it.
    line = json.dumps({"id": 1, "url": None, "html": JANE_PAGE})
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    code, out = run(capsys, "extract", "--jsonl")
    assert set(json.loads(out)) == {"id", "url", "title", "author", "published_at", "language", "text"}
