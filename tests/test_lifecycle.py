"""An article's life after ingest, through the CLI on SQLite and PostgreSQL against the local site
(tests/outputsite.py): pages kept with `keep_html` (and not without), `worker reprocess` extracting
them again and re-parsing, `worker prune` with --dry-run, tombstones that stop a feed's entries
from being stored again (and forgetting them); the decider's part with plain values."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from outputsite import Run, ingest_site, serve_site, site_cli
from server import LocalServer
from sqlalchemy import func, select, update

from db.database import Database
from db.models import Article, ArticlePage, ArticleTombstone, FeedEntry, Statement
from db.records import content_hash
from worker.parse.feed import ParsedEntry
from worker.pipeline.decide import plan_entries
from worker.pipeline.lifecycle import NO_PAGE

GOOD = ("sefcovic", "mueller", "jane")  # the stories whose pages are HTML with their text
# (the pages of "gone", "broken" and "plain" fail: the feed's text is stored)


@pytest.fixture
def site(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
         capsys: pytest.CaptureFixture[str]) -> Run:
    return site_cli(monkeypatch, db_url, tmp_path, capsys)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database.open(db_url, upgrade=True)
    yield db
    db.close()


def slug_of(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_pages_are_kept_compressed_only_with_keep_html(site: Run, http_server: LocalServer,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      database: Database) -> None:
    ingest_site(site, http_server, "--quiet")
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(ArticlePage)) == 0
    code, out, _ = site("reprocess", "--extract", "--json", "--quiet")
    summary = json.loads(out)["extract"]
    assert code == 0 and summary["changed"] == 0 and summary["unchanged"] == 0
    assert summary["skipped"] == {NO_PAGE: 6}

    monkeypatch.setenv("WORKER_KEEP_HTML", "true")
    with database.transaction() as session:  # new entries again: their pages are fetched again
        session.execute(FeedEntry.__table__.delete())
        session.execute(Article.__table__.delete())
    ingest_site(site, http_server, "--quiet")
    with database.read() as session:
        rows = session.execute(select(Article.url, ArticlePage.content_type, ArticlePage.encoding,
                                      ArticlePage.size, ArticlePage.html_zlib)
                               .join(ArticlePage, ArticlePage.article_id == Article.id)).all()
    assert sorted(slug_of(r.url) for r in rows) == sorted(GOOD)  # not the pages that failed
    for row in rows:
        body = zlib.decompress(row.html_zlib)
        assert row.content_type == "text/html; charset=utf-8" and row.encoding == "zlib"
        assert row.size == len(body) and len(row.html_zlib) < len(body)
        assert body.decode("utf-8").startswith("<!DOCTYPE html>") and "</article>" in body.decode("utf-8")


def test_reprocess_extract_replaces_a_changed_text_and_its_statements(
        site: Run, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.setenv("WORKER_KEEP_HTML", "1")
    ingest_site(site, http_server, "--quiet")
    stale = "An older extractor kept only this line."
    with database.transaction() as session:
        jane = session.scalars(select(Article).where(Article.url.like("%/news/jane"))).one()
        jane_id, jane_text = jane.id, jane.text
        session.execute(Statement.__table__.delete().where(Statement.article_id == jane_id))
        session.execute(update(Article).values(extractor_version="old"))
        session.execute(update(Article).where(Article.id == jane_id)
                        .values(text=stale, content_hash=content_hash(stale)))
    code, out, _ = site("search", "\"will win\"", "--json")
    assert code == 0 and json.loads(out) == []

    code, out, err = site("reprocess", "--extract")
    assert code == 0, err
    lines = out.splitlines()
    assert "1 changed" in lines[0] and "2 unchanged, 3 skipped, 0 failed" in lines[0], out
    assert lines[1] == f"  skipped 3: {NO_PAGE}"
    with database.read() as session:
        restored = session.get(Article, jane_id)
        assert restored is not None and restored.text == jane_text
        assert restored.content_hash == content_hash(jane_text)
        said = session.scalars(select(Statement.speaker).where(Statement.article_id == jane_id)).all()
        versions = {u: v for u, v in session.execute(select(Article.url, Article.extractor_version))}
    assert said == ["Jane Doe"]
    assert {slug_of(u) for u, v in versions.items() if v != "old"} == set(GOOD)  # pages extracted again
    code, out, _ = site("search", "\"will win\"", "--json")  # the search index followed
    assert code == 0 and [slug_of(hit["url"]) for hit in json.loads(out)] == ["jane"]

    # Nothing changed since: all unchanged; --feed and --since narrow it down.
    code, out, _ = site("reprocess", "--extract", "--json", "--feed", http_server.url("/rss.xml"))
    extract = json.loads(out)["extract"]
    assert (extract["changed"], extract["unchanged"], extract["articles"]) == (0, 3, 6)
    code, out, _ = site("reprocess", "--extract", "--json", "--since", "7d")  # published in 2019
    assert json.loads(out)["extract"]["articles"] == 0
    code, out, _ = site("reprocess", "--extract", "--json", "--feed", http_server.url("/broken.xml"))
    assert json.loads(out)["extract"]["articles"] == 0


def test_reprocess_reports_a_page_that_no_longer_extracts(
        site: Run, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.setenv("WORKER_KEEP_HTML", "1")
    ingest_site(site, http_server, "--quiet")
    short = b"<!DOCTYPE html><html><body><article><p>Short.</p></article></body></html>"
    with database.transaction() as session:
        session.execute(update(ArticlePage).where(ArticlePage.article_id.in_(
            select(Article.id).where(Article.url.like("%/news/jane")))).values(html_zlib=zlib.compress(short)))
    code, out, _ = site("reprocess", "--extract", "--json")
    extract = json.loads(out)["extract"]
    assert code == 0 and extract["unchanged"] == 2 and extract["changed"] == 0
    assert list(extract["failed"]) == [next(iter(extract["failed"]))]
    assert next(iter(extract["failed"])).startswith("page text now too short")


def test_reprocess_parse_reuses_reparse(site: Run, http_server: LocalServer, database: Database) -> None:
    ingest_site(site, http_server, "--quiet")
    assert site("reprocess", "--parse", "--quiet")[0] == 0  # the feed text of a page still to retry
    with database.transaction() as session:
        session.execute(update(Article).where(Article.url.like("%/news/mueller"))
                        .values(statements_version="0-old"))
    code, out, _ = site("reprocess", "--parse")
    assert code == 0 and out.startswith("re-parsed 1 articles, 1 statements"), out
    code, out, _ = site("reprocess", "--json", "--quiet")  # neither option: both
    both = json.loads(out)
    assert set(both) == {"extract", "parse"} and both["parse"]["articles"] == 0


def test_prune_dry_run_prune_and_tombstones(site: Run, http_server: LocalServer,
                                            monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.setenv("WORKER_KEEP_HTML", "1")
    ingest_site(site, http_server, "--quiet")

    def stored() -> list[str]:
        with database.read() as session:
            return sorted(slug_of(u) for u in session.scalars(select(Article.url)))

    everything = stored()
    assert len(everything) == 6
    # Published 1 and 2 March 2019: the two before the 3rd.
    code, out, _ = site("prune", "--older-than", "2019-03-03", "--dry-run")
    assert code == 0 and out.startswith("would prune 2 articles published before 2019-03-03 00:00 UTC"), out
    assert "2 statements, 2 feed entries, 2 page jobs, 2 kept pages; 2 URLs would be remembered" in out
    assert stored() == everything

    code, out, _ = site("prune", "--older-than", "2019-03-03", "--json", "--quiet")
    pruned = json.loads(out)["pruned"]
    assert code == 0 and pruned["articles"] == 2 and pruned["kept_pages"] == 2
    assert stored() == sorted(set(everything) - {"sefcovic", "mueller"})
    with database.read() as session:
        tombs = sorted(slug_of(u) for u in session.scalars(select(ArticleTombstone.url)))
        left = session.scalar(select(func.count()).select_from(ArticlePage))
    assert tombs == ["mueller", "sefcovic"] and left == 1
    code, out, _ = site("statements", "--speaker", "Šefčovič", "--json")
    assert json.loads(out) == []

    # The feed still lists them: not fetched, not stored again.
    hits = http_server.hits("/news/sefcovic")
    good = serve_site(http_server)[0]
    code, out, _ = site("ingest", "--feed", good, "--json", "--quiet")
    assert code == 0 and json.loads(out)["articles_new"] == 0
    assert http_server.hits("/news/sefcovic") == hits and stored() == sorted(set(everything) - {"sefcovic",
                                                                                                 "mueller"})
    # Forgotten tombstones: the feed's entries are stored again.
    code, out, _ = site("prune", "--tombstones-older-than", "1d")
    assert code == 0 and out.startswith("forgot 0 tombstones")
    code, out, _ = site("prune", "--tombstones-older-than", "0s", "--dry-run")
    assert out.startswith("would forget 2 tombstones")
    code, out, _ = site("prune", "--tombstones-older-than", "0s")
    assert out.startswith("forgot 2 tombstones")
    code, out, _ = site("ingest", "--feed", good, "--json", "--quiet")
    assert json.loads(out)["articles_new"] == 2 and stored() == everything

    # Everything older than 180 days: all of them (2019).
    code, out, _ = site("prune", "--older-than", "180d")
    assert out.startswith("pruned 6 articles") and stored() == []


def test_prune_needs_an_age(site: Run) -> None:
    code, _, err = site("prune")
    assert code == 2 and err.strip().startswith("worker: prune needs --older-than") and "\n" not in err.strip()
    code, out, _ = site("prune", "--older-than", "1000000d", "--quiet")  # before the year 1: none
    assert code == 0 and out.startswith("pruned 0 articles published before 0001-01-01"), out
    code, _, err = site("prune", "--older-than", "soon")
    assert code == 2 and "expected a date like 2026-01-31 or an age like 7d" in err


def entry(guid: str, link: str | None) -> ParsedEntry:
    return ParsedEntry(guid=guid, link=link, title=guid, author=None, published_at=None,
                       summary="s", content=None)


def test_the_decider_treats_a_tombstoned_url_as_known() -> None:
    entries = [entry("a", "https://x.test/a"), entry("b", "https://x.test/b"), entry("https://x.test/c", None)]
    plan = plan_entries(entries, {}, {"https://x.test/b": 4},
                        tombstoned={"https://x.test/a", "https://x.test/b", "https://x.test/c"})
    assert plan.queue == [] and plan.link_existing == [] and plan.feed_only == []
    plan = plan_entries(entries, {}, {}, tombstoned=set())
    assert len(plan.queue) == 2 and len(plan.feed_only) == 1
