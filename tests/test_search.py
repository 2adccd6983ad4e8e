"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector, GIN, pg_trgm), through the CLI:
`worker search` ranks and shows snippets of articles and statements, its filters and formats; the
index follows every insert, update and delete (ingest, reparse, plain SQL) in the same transaction;
`worker db reindex` rebuilds it; no query, however hostile, is a crash."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from cliharness import query, run, use_local_site
from server import LocalServer
from sqlalchemy import create_engine, inspect, text

from db.search import SQLITE_OBJECTS
from worker.cli import main

FILLER = (
    "Shops along the high street have extended their opening hours for the winter season.",
    "The next meeting takes place in the town hall on the first Monday of the month, at seven.",
    "Residents were invited to comment on the plans at the library until the end of October.",
)
BRIDGE = (
    "Harbour bridge reopens three weeks early",
    "The swing bridge over the inner harbour reopened on Monday. Engineers replaced the bridge deck "
    "and both bridge motors.",
    "“The bridge will carry buses again from Tuesday,” Jane Doe said.",
    *FILLER,
)
BUDGET = (
    "Council approves the budget",
    "The city council approved next year's budget by 31 votes to 14 after a four-hour debate.",
    "“Taxes will fall for most households,” John Smith said.",
    "The budget also sets aside money to paint the old rail bridge next spring.",
    *FILLER,
    "Opposition members said the spending plans for roads were too timid and asked for a review.",
)
FESTIVAL = (
    "Wine festival draws a record crowd",
    "More than forty thousand visitors came to the wine festival in the old town this weekend.",
    "“The festival will grow again next year,” Maria Pop said.",
    *FILLER,
)
ZEPPELIN = (
    "A zeppelin over the bay",
    "A zeppelin circled over the bay on Sunday afternoon, to the delight of the crowds on the beach.",
    "“The zeppelin flies again at noon tomorrow,” Ada Lee said.",
    *FILLER,
)


def page(title: str, *paragraphs: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright Valley Post</footer></body></html>"
    )


def rss(server: LocalServer, items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><guid>{server.url(path)}</guid><title>{title}</title><link>{server.url(path)}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for path, title, date in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valley Post</title>'
        f"<link>{server.url('/')}</link><description>News</description>{body}</channel></rss>"
    )


def serve(server: LocalServer, path: str, article: tuple[str, ...]) -> None:
    server.add(path, page(*article), headers={"Content-Type": "text/html; charset=utf-8"})


def hits(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "search", *args, "--json")
    assert code == 0, err
    return list(json.loads(out))


@pytest.fixture
def site(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """Two feeds on a local site: the first lists the bridge (2026) and budget (2025) stories, the
    second the festival one (2026); all three ingested. Returns the feeds' URLs."""
    use_local_site(monkeypatch, db_url)
    capsys.readouterr()
    serve(http_server, "/news/bridge", BRIDGE)
    serve(http_server, "/news/budget", BUDGET)
    serve(http_server, "/news/festival", FESTIVAL)
    http_server.add(
        "/local.xml",
        rss(
            http_server,
            [
                ("/news/bridge", BRIDGE[0], "Sun, 01 Mar 2026 09:00:00 GMT"),
                ("/news/budget", BUDGET[0], "Sun, 01 Jun 2025 09:00:00 GMT"),
            ],
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    http_server.add(
        "/culture.xml",
        rss(
            http_server,
            [
                ("/news/festival", FESTIVAL[0], "Sun, 01 Feb 2026 09:00:00 GMT"),
            ],
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    feeds = {"local": http_server.url("/local.xml"), "culture": http_server.url("/culture.xml")}
    code, out, err = run(capsys, "ingest", "--feed", feeds["local"], "--feed", feeds["culture"], "--json")
    assert code == 0 and json.loads(out)["articles_new"] == 3, err
    return feeds


def test_articles_ranked_with_snippets(
    site: dict[str, str], http_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    found = hits(capsys, "bridge")
    # the story with "bridge" in its title and four times in its text first, the one mention next
    assert [h["url"] for h in found] == [http_server.url("/news/bridge"), http_server.url("/news/budget")]
    assert [h["rank"] for h in found] == [1, 2] and found[0]["score"] > found[1]["score"]
    best = found[0]
    assert best["title"] == BRIDGE[0] and best["published_at"].startswith("2026-03-01")
    assert best["feed"] == site["local"]
    assert "**bridge**" in best["snippet"] and "\n" not in best["snippet"]
    assert "**bridge**" in found[1]["snippet"] and "rail" in found[1]["snippet"]
    assert [h["url"] for h in hits(capsys, "bridges")] == [h["url"] for h in found]  # stemmed
    assert len(hits(capsys, "bridge", "--limit", "1")) == 1
    assert hits(capsys, "submarine") == []

    code, out, _ = run(capsys, "search", "harbour bridge")
    lines = out.splitlines()
    assert code == 0 and lines[0] == f"1. 2026-03-01  {BRIDGE[0]}"
    assert "**" in lines[1] and lines[2].startswith(f"   {http_server.url('/news/bridge')}")
    assert run(capsys, "search", "submarine")[1] == "no matches\n"


def test_statements_mode_and_speaker_filter(
    site: dict[str, str], http_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    said = hits(capsys, "bridge", "--statements")
    assert [h["speaker"] for h in said] == ["Jane Doe"]  # the budget story's bridge is not a quote
    jane = said[0]
    assert jane["content"].startswith("The bridge will carry buses") and "**bridge**" in jane["snippet"]
    assert jane["url"] == http_server.url("/news/bridge") and jane["title"] == BRIDGE[0]
    assert jane["kind"] == "direct" and jane["feed"] == site["local"] and isinstance(jane["article_id"], int)

    assert [h["speaker"] for h in hits(capsys, "fall OR grow", "--statements")] in (
        ["John Smith", "Maria Pop"],
        ["Maria Pop", "John Smith"],
    )
    # --speaker: any part of the name, any case; it implies --statements
    assert [h["speaker"] for h in hits(capsys, "fall OR grow", "--speaker", "SMITH")] == ["John Smith"]
    assert hits(capsys, "fall OR grow", "--speaker", "nobody") == []
    assert hits(capsys, "bridge", "--speaker", "100%_") == []  # LIKE wildcards taken literally

    code, out, _ = run(capsys, "search", "buses", "--statements")
    assert code == 0 and out.splitlines()[0] == f"1. Jane Doe (direct), 2026-03-01: {BRIDGE[0]}"


def test_filters_and_formats(
    site: dict[str, str],
    http_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    every = "bridge OR festival OR budget"
    assert len(hits(capsys, every)) == 3
    assert {h["url"] for h in hits(capsys, every, "--since", "2026-01-01")} == {
        http_server.url("/news/bridge"),
        http_server.url("/news/festival"),
    }
    assert [h["url"] for h in hits(capsys, every, "--feed", site["culture"])] == [
        http_server.url("/news/festival")
    ]
    assert [h["speaker"] for h in hits(capsys, "festival", "--statements", "--feed", site["culture"])] == [
        "Maria Pop"
    ]
    assert hits(capsys, "festival", "--statements", "--feed", site["local"]) == []
    assert hits(capsys, every, "--feed", http_server.url("/none.xml")) == []
    assert [h["speaker"] for h in hits(capsys, "taxes", "--statements", "--since", "2026-01-01")] == []

    code, out, _ = run(capsys, "search", every, "--jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [row["url"] for row in lines] == [h["url"] for h in hits(capsys, every)]
    code, out, _ = run(capsys, "search", "bridge", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == "rank,score,id,url,title,published_at,feed,snippet"
    assert [r["url"] for r in rows] == [h["url"] for h in hits(capsys, "bridge")]
    assert rows[0]["published_at"].startswith("2026-03-01") and "**bridge**" in rows[0]["snippet"]
    code, out, _ = run(capsys, "search", "bridge", "--statements", "--csv")
    assert code == 0 and next(csv.DictReader(io.StringIO(out)))["speaker"] == "Jane Doe"

    monkeypatch.setenv("WORKER_SEARCH_LIMIT", "2")  # the default --limit is a setting
    assert len(hits(capsys, every)) == 2
    assert len(hits(capsys, every, "--limit", "3")) == 3

    for bad in (["--since", "last tuesday"], ["--limit", "0"], ["--json", "--csv"]):
        with pytest.raises(SystemExit) as exit_:
            main(["search", "bridge", *bad])
        assert exit_.value.code == 2, bad


def statement_ids(db_url: str) -> set[int]:
    return {r["id"] for r in query(db_url, "SELECT id FROM statements")}


def check_sqlite_index(db_url: str) -> None:
    """FTS5's own check that the index holds exactly the rows of its content table."""
    if db_url.startswith("sqlite"):
        for fts in ("articles_fts", "statements_fts"):
            query(db_url, f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def test_index_follows_inserts_updates_deletes_and_reparse(
    site: dict[str, str], http_server: LocalServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # insert: a new story through ingest
    serve(http_server, "/news/zeppelin", ZEPPELIN)
    http_server.add(
        "/culture.xml",
        rss(
            http_server,
            [
                ("/news/festival", FESTIVAL[0], "Sun, 01 Feb 2026 09:00:00 GMT"),
                ("/news/zeppelin", ZEPPELIN[0], "Sun, 08 Feb 2026 09:00:00 GMT"),
            ],
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    code, out, _ = run(capsys, "ingest", "--json")
    assert code == 0 and json.loads(out)["articles_new"] == 1
    [zeppelin] = hits(capsys, "zeppelin")
    assert zeppelin["url"] == http_server.url("/news/zeppelin")
    assert [h["speaker"] for h in hits(capsys, "zeppelin", "--statements")] == ["Ada Lee"]

    # update: the text and the title, in plain SQL as any other tool might
    query(
        db_url,
        "UPDATE articles SET text = replace(text, 'zeppelin', 'airship'), title = 'Airship day' "
        "WHERE id = :id",
        id=zeppelin["id"],
    )
    assert hits(capsys, "zeppelin") == []
    assert [(h["id"], h["title"]) for h in hits(capsys, "airship")] == [(zeppelin["id"], "Airship day")]
    query(db_url, "UPDATE articles SET page_attempts = page_attempts + 1")  # no indexed column: no change
    assert len(hits(capsys, "airship")) == 1
    check_sqlite_index(db_url)

    # delete: the article, and its statements with it (ON DELETE CASCADE)
    query(db_url, "DELETE FROM articles WHERE id = :id", id=zeppelin["id"])
    assert hits(capsys, "airship") == [] and hits(capsys, "zeppelin", "--statements") == []
    check_sqlite_index(db_url)

    # reparse replaces every statement row: the index holds the new rows and none of the old
    query(db_url, "UPDATE statements SET content = 'xylophone lessons' WHERE speaker = 'Jane Doe'")
    assert [h["speaker"] for h in hits(capsys, "xylophone", "--statements")] == ["Jane Doe"]
    assert hits(capsys, "bridge", "--statements") == []
    before = statement_ids(db_url)
    code, out, err = run(capsys, "reparse", "--all")
    assert code == 0, err
    after = statement_ids(db_url)
    assert hits(capsys, "xylophone", "--statements") == []
    said = hits(capsys, "bridge OR taxes OR festival", "--statements")
    assert sorted(h["speaker"] for h in said) == ["Jane Doe", "John Smith", "Maria Pop"]
    assert {h["id"] for h in said} <= after and len(after) == len(before)
    check_sqlite_index(db_url)


def test_reindex_rebuilds_and_repairs(
    site: dict[str, str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if db_url.startswith("sqlite"):
        # a later migration that rebuilt the table would drop its triggers: rows go unindexed
        query(db_url, "DROP TRIGGER articles_fts_insert")
        query(
            db_url,
            "INSERT INTO articles (url, title, text, source, content_hash, extracted_at, "
            "extractor_version, page_attempts, created_at, updated_at) VALUES ('https://x.example/z', "
            "'Zebra crossing', 'A zebra crossing was painted.', 'feed', 'h', '2026-03-01 00:00:00', "
            "'t', 0, '2026-03-01 00:00:00', '2026-03-01 00:00:00')",
        )
        assert hits(capsys, "zebra") == []
    else:
        query(db_url, "DROP INDEX ix_statements_speaker_trgm")
    code, out, err = run(capsys, "db", "reindex")
    assert code == 0, err
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    count = 4 if dialect == "sqlite" else 3
    assert out.startswith(f"search index rebuilt: {count} articles, ") and out.endswith(f"({dialect})\n")
    assert len(hits(capsys, "bridge")) == 2
    assert [h["speaker"] for h in hits(capsys, "bridge", "--speaker", "doe")] == ["Jane Doe"]
    if dialect == "sqlite":
        assert [h["title"] for h in hits(capsys, "zebra")] == ["Zebra crossing"]
        assert query(db_url, "SELECT name FROM sqlite_master WHERE name = 'articles_fts_insert'")
        check_sqlite_index(db_url)
    else:
        assert query(db_url, "SELECT to_regclass('ix_statements_speaker_trgm') IS NOT NULL AS x") == [
            {"x": True}
        ]
    assert run(capsys, "db", "reindex")[0] == 0  # again: nothing to repair, same result


HOSTILE = (
    '"',
    '""',
    '"""',
    "*",
    "**",
    "-",
    "--",
    "---x",
    "'",
    "\\",
    "%",
    "_",
    "(",
    ")",
    "((bridge",
    "bridge)",
    '"unbalanced bridge',
    'bridge"',
    'harbour" "bridge',
    "NEAR(bridge harbour)",
    "bridge NEAR harbour",
    "title:bridge",
    "{title text}:bridge",
    "^bridge",
    "bridge AND",
    "AND bridge",
    "OR",
    "OR OR bridge OR",
    "NOT",
    "NOT bridge",
    "bridge NOT",
    "bridge -",
    "bridge - -",
    "bridge -*",
    "*bridge",
    "bridge**",
    "bri*dge",
    "bridge:*",
    "bridge & budget",
    "bridge | budget",
    "!bridge",
    "bridge <-> harbour",
    "bridge\x00",
    "\x00",
    "bridge\udcff",
    "\udcff",
    "\ud800bridge",
    "bridge\u200b",
    "🌉 bridge",
    "'; DROP TABLE articles; --",
    "bridge' OR '1'='1",
    "x" * 5000,
    " ".join(["bridge"] * 32),
    "\t\n",
    "   ",
)


@pytest.mark.slow
def test_hostile_queries_never_crash(
    site: dict[str, str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for q in HOSTILE:
        for mode in ([], ["--statements"], [f"--speaker={q}"], [f"--feed={q}"]):
            code, out, err = run(capsys, "search", "--json", *mode, "--", q)
            assert code in (0, 2), (q, mode, err)
            if code == 2:
                assert out == "" and err.startswith("worker: ") and err.count("\n") == 1, (q, err)
            else:
                assert isinstance(json.loads(out), list)
    assert query(db_url, "SELECT count(*) AS n FROM articles") == [{"n": 3}]

    def count(q: str) -> int:
        code, out, err = run(capsys, "search", "--json", "--", q)
        assert code == 0, err
        return len(json.loads(out))

    # what the query language means, the same on both databases
    assert count('"unbalanced bridge') == 0  # an unbalanced quote runs to the end: one phrase
    assert count('"harbour bridge"') == 1 and count('"bridge harbour"') == 0  # phrases keep order
    assert count("bridge -budget") == 1 and count("bridge NOT budget") == 1
    assert count("bridge OR festival") == 3 and count("bridge festival") == 0
    assert count("bridg*") == 2 and count("fest*") == 1
    assert count("title:bridge") == 0  # no column syntax: "title" is just a word to find
    assert count("bridge\x00") == 2 and count("((bridge") == 2
    for nothing in ("", "   ", "-bridge", "NOT bridge", '"', "*", "-", "OR", "\udcff", "%"):
        code, out, err = run(capsys, "search", "--", nothing)
        assert code == 2 and "nothing to search for" in err and out == "", nothing
    code, _, err = run(capsys, "search", "--", " ".join(["bridge"] * 33))
    assert code == 2 and "at most 32" in err


def test_search_objects_exist_and_agree(database: Any, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        # the migration's triggers are those `db reindex` puts back (db/search.py)
        stored = {
            r["name"]: " ".join(r["sql"].split())
            for r in query(
                db_url, "SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts%' AND sql IS NOT NULL"
            )
        }
        assert sorted(" ".join(s.split()) for s in SQLITE_OBJECTS) == sorted(
            s for name, s in stored.items() if not name.endswith(("_data", "_idx", "_docsize", "_config"))
        )
        return
    # pg_trgm belongs to the database, not to the (throwaway) schema: dropping a schema keeps it
    [row] = query(
        db_url,
        "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n "
        "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    )
    assert row["schema"] != query(db_url, "SELECT current_schema() AS s")[0]["s"]
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text("EXPLAIN SELECT id FROM statements WHERE lower(speaker) LIKE '%doe%' ESCAPE '\\'")
            )
        )
        assert "ix_statements_speaker_trgm" in plan
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT id FROM articles WHERE search_vector @@ phraseto_tsquery('english', 'bridge')"
                )
            )
        )
        assert "ix_articles_search_vector" in plan
    engine.dispose()


def test_migration_indexes_rows_stored_before_it_and_goes_down_cleanly(
    site: dict[str, str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic import command

    from db.engine import make_engine
    from db.migrate import _config, current_revision, upgrade
    from worker.speakers import article_speakers

    engine = make_engine(db_url)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    assert current_revision(engine) == "0005"
    left = inspect(engine)
    assert not [t for t in left.get_table_names() if "fts" in t]
    assert "search_vector" not in {c["name"] for c in left.get_columns("articles")}
    assert "ix_statements_speaker_trgm" not in {i["name"] for i in left.get_indexes("statements")}
    upgrade(engine, speaker_rules=article_speakers)  # the rows stored so far are indexed by the migration itself
    engine.dispose()
    assert [h["title"] for h in hits(capsys, "bridge")] == [BRIDGE[0], BUDGET[0]]
    assert [h["speaker"] for h in hits(capsys, "buses", "--speaker", "jane")] == ["Jane Doe"]
