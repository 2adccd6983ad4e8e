"""The `worker` command line as a user runs it: Quickstart, feeds, articles, extract, errors."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cliharness import run
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
COMMENT_FORM = ("Please enter your comment", "Please enter your name", "incorrect email",
                "Post Comment", "Leave a reply", "RELATED", "Related posts")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a copy of the demo seeds and no WORKER_* settings."""
    for var in [v for v in os.environ if v.startswith("WORKER_") and not v.startswith("WORKER_TEST_")]:
        monkeypatch.delenv(var)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_quickstart_as_a_new_user_runs_it(home: Path) -> None:
    """`worker ingest --feed seeds/demo/feed.xml` through the installed console script."""
    script = Path(sys.executable).with_name("worker")
    env = {"PATH": str(script.parent), "HOME": str(home)}
    first = subprocess.run([str(script), "ingest", "--feed", "seeds/demo/feed.xml"], cwd=home, env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "feeds: 1 ok, 0 not modified, 0 failed" in first.stdout
    assert "articles: 4 new" in first.stdout
    with sqlite3.connect(home / "news.db") as conn:
        rows = conn.execute("SELECT url, title, text, source, language FROM articles ORDER BY id").fetchall()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(rows) == 4 and {r[3] for r in rows} == {"page"}
    seed = rows[0]
    assert seed[0] == "https://danube-daily.example/world/blinken-no-concessions-russia/"
    paragraphs = seed[2].split("\n\n")
    assert len(paragraphs) == 12
    assert paragraphs[3].endswith("„There is no change, there will be no change,” he said.")
    assert not any(marker.lower() in seed[2].lower() for marker in COMMENT_FORM)
    assert {r[4] for r in rows} == {"en", "fr"}

    again = subprocess.run([str(script), "ingest", "--feed", "seeds/demo/feed.xml"], cwd=home, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "articles: 0 new, 0 updated" in again.stdout


def test_ingest_json_summary_and_due(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ingest", "--feed", "seeds/demo/feed.xml", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["feeds_ok"] == 1 and summary["articles_new"] == 4
    code, out, _ = run(capsys, "ingest", "--due", "--json")
    assert code == 0 and json.loads(out)["feeds"] == []  # checked a moment ago: not due
    code, out, _ = run(capsys, "ingest", "--json")
    assert json.loads(out)["feeds_ok"] == 1  # without --due every enabled feed is polled


def test_articles_listing_filters_and_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "ingest", "--feed", "seeds/demo/feed.xml")
    code, out, _ = run(capsys, "articles", "--json")
    rows: list[dict[str, Any]] = json.loads(out)
    assert code == 0 and len(rows) == 4
    assert {"id", "url", "title", "author", "published_at", "language", "text", "summary", "source",
            "content_hash", "extracted_at", "extractor_version"} <= set(rows[0])
    assert rows[0]["published_at"] >= rows[-1]["published_at"]  # newest first
    code, out, _ = run(capsys, "articles", "--since", "2024-06-01", "--json")
    assert {r["title"][:10] for r in json.loads(out)} == {"Council ap", "Le festiva"}
    code, out, _ = run(capsys, "articles", "--limit", "1", "--json")
    assert len(json.loads(out)) == 1
    code, out, _ = run(capsys, "articles", "--feed", "seeds/demo/feed.xml")
    assert code == 0 and "Harbour bridge reopens" in out
    code, _, err = run(capsys, "articles", "--since", "last tuesday")
    assert code == 2 and "2026-01-31" in err
    code, out, _ = run(capsys, "articles", "--feed", "/no/such/feed.xml")
    assert code == 2


def test_feeds_add_list_remove_import_export(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "feeds", "add", "https://news.example/rss?utm_source=x", "--title", "Ex",
                       "--interval", "15m")
    assert code == 0 and out.strip() == "added: https://news.example/rss"  # tracking parameter dropped
    code, out, _ = run(capsys, "feeds", "add", "https://news.example/rss")
    assert out.startswith("already present")
    code, out, _ = run(capsys, "feeds", "import", "seeds/feeds.opml")
    assert code == 0 and "imported 28 feeds (28 new)" in out
    code, out, _ = run(capsys, "feeds", "list", "--json")
    listed = json.loads(out)
    assert len(listed) == 29
    ex = next(f for f in listed if f["url"] == "https://news.example/rss")
    assert ex["title"] == "Ex" and ex["enabled"] is True and ex["interval_seconds"] == 900
    code, out, _ = run(capsys, "feeds", "export")
    exported = out
    assert exported.count("xmlUrl=") == 29 and 'xmlUrl="https://news.example/rss"' in exported
    code, out, _ = run(capsys, "feeds", "remove", "https://news.example/rss")
    assert code == 0
    code, _, err = run(capsys, "feeds", "remove", "https://news.example/rss")
    assert code == 2 and "no such feed" in err

    # the export imports back into an empty database unchanged
    (home / "out.opml").write_text(exported, encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(_config(home, "other.db")), "feeds", "import", "out.opml")
    assert "imported 29 feeds (29 new)" in out


def test_feeds_add_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "feeds", "add", "ftp://example.org/feed")
    assert code == 2 and "scheme" in err
    code, _, err = run(capsys, "feeds", "add", "missing.xml")
    assert code == 2 and "missing.xml" in err
    code, _, err = run(capsys, "feeds", "add", "https://news.example/rss", "--interval", "10s")
    assert code == 2 and "at least 1m" in err
    code, _, err = run(capsys, "feeds", "import", "seeds/demo/feed.xml")
    assert code == 2 and "seeds/demo/feed.xml" in err


def _config(home: Path, db_name: str, extra: str = "") -> Path:
    path = home / f"{db_name}.toml"
    path.write_text(f'database_url = "sqlite:///{home / db_name}"\n{extra}', encoding="utf-8")
    return path


@pytest.mark.parametrize(("var", "value", "words"), [
    ("WORKER_CONCURRENCY", "0", "at least 1"),
    ("WORKER_FETCH_TIMEOUT", "soon", "soon"),
    ("WORKER_MAX_PAGE_BYTES", "10 parsecs", "10 parsecs"),
    ("WORKER_ALLOWED_NETWORKS", "10.0.0.0/33", "10.0.0.0/33"),
    ("WORKER_PER_HOST_DELAY", "-1", "-1"),
    ("WORKER_DATABASE_URL", "mysql://x/y", "sqlite:///FILE"),  # never echoed: may hold a password
])
def test_invalid_settings_fail_at_start_naming_the_setting(home: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, var: str,
                                                           value: str, words: str) -> None:
    monkeypatch.setenv(var, value)
    code, _, err = run(capsys, "ingest", "--feed", "seeds/demo/feed.xml")
    assert code == 2
    assert var in err and words in err
    assert not (home / "news.db").exists()


def test_config_file_settings_and_errors(home: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(home, "from-file.db")
    code, _, _ = run(capsys, "--config", str(config), "ingest", "--feed", "seeds/demo/feed.xml")
    assert code == 0 and (home / "from-file.db").exists() and not (home / "news.db").exists()
    monkeypatch.setenv("WORKER_CONFIG", str(_config(home, "bad.db", "concurrency = 0\n")))
    code, _, err = run(capsys, "feeds", "list")
    assert code == 2 and "concurrency" in err and "bad.db.toml" in err
    monkeypatch.setenv("WORKER_CONFIG", str(_config(home, "typo.db", "concurency = 4\n")))
    code, _, err = run(capsys, "feeds", "list")
    assert code == 2 and "unknown setting 'concurency'" in err
    monkeypatch.setenv("WORKER_CONFIG", str(home / "absent.toml"))
    code, _, err = run(capsys, "feeds", "list")
    assert code == 2 and "absent.toml" in err


def test_refuses_a_database_newer_than_it_knows(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "feeds", "list")[0] == 0  # creates and migrates news.db
    with sqlite3.connect(home / "news.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for args in (["feeds", "list"], ["ingest", "--feed", "seeds/demo/feed.xml"], ["db", "upgrade"]):
        code, _, err = run(capsys, *args)
        assert code == 3, args
        assert "9999_from_the_future" in err and "newer" in err
    with sqlite3.connect(home / "news.db") as conn:
        assert conn.execute("SELECT count(*) FROM feeds").fetchone()[0] == 0


def test_unusable_database_exits_3(home: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_DATABASE_URL", f"sqlite:///{home / 'no' / 'such' / 'dir.db'}")
    code, _, err = run(capsys, "ingest", "--feed", "seeds/demo/feed.xml")
    assert code == 3 and "database" in err
    (home / "garbage.db").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("WORKER_DATABASE_URL", "sqlite:///garbage.db")
    code, _, err = run(capsys, "feeds", "list")
    assert code == 3 and "database" in err


@pytest.mark.postgres
def test_postgresql_needs_an_explicit_upgrade(home: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              postgres_schema_url: str) -> None:
    monkeypatch.setenv("WORKER_DATABASE_URL", postgres_schema_url)
    code, _, err = run(capsys, "feeds", "list")
    assert code == 3 and "worker db upgrade" in err
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "empty ->" in out and "test" in out
    code, out, _ = run(capsys, "ingest", "--feed", "seeds/demo/feed.xml", "--json")
    assert code == 0 and json.loads(out)["articles_new"] == 4
    engine = create_engine(postgres_schema_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles WHERE source = 'page'")).scalar() == 4
    engine.dispose()


def test_extract_prints_the_article_without_a_database(home: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "extract", "seeds/demo/pages/blinken-no-concessions.html")
    assert code == 0
    article = json.loads(out)
    assert article["title"].startswith("US offers no concessions")
    assert article["url"] == (home / "seeds/demo/pages/blinken-no-concessions.html").as_uri()
    assert article["canonical_url"] == "https://danube-daily.example/world/blinken-no-concessions-russia/"
    assert article["text"].count("\n\n") == 11 and article["language"] == "en"
    assert not (home / "news.db").exists()
    code, _, err = run(capsys, "extract", "nothing-here.html")
    assert code == 2 and "nothing-here.html" in err
    code, _, err = run(capsys, "extract")
    assert code == 2
