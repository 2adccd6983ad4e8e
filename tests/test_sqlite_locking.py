"""Reads never take SQLite's write lock: the CLI's read commands work while another connection holds
it and on a database this process may not write; writers still begin IMMEDIATE and wait their turn.

The lock is held by a real second connection on a real file. Read-only databases are real too: a
file of mode 0444 in a directory of mode 0555. Root ignores those modes, so as root the commands run
under `setpriv` without the capabilities that let root write anyway (CAP_DAC_OVERRIDE and friends).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cliharness import run
from prometheus_client import generate_latest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from db.database import Database
from db.migrate import head_revision
from db.models import Article, Feed, FeedEntry, PageJob, Statement
from worker.metrics import Metrics

ROOT = Path(__file__).resolve().parent.parent
FEED = "https://valley.example/rss.xml"
ARTICLE = "https://valley.example/news/jane"
UNCOMMITTED = "https://uncommitted.example/rss.xml"
SENTENCE = "“We will win,” Jane Doe said."


def seed(db: Database) -> None:
    """One failing feed with one article, its statement and a pending page job."""
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        feed = Feed(url=FEED, title="Valley Post", error_count=2, last_status="error",
                    last_error="HTTP 503")
        article = Article(url=ARTICLE, title="Jane Doe is confident", published_at=now, language="en",
                          text=SENTENCE, source="page", content_hash="0" * 64, extracted_at=now,
                          extractor_version="test")
        session.add_all([feed, article])
        session.flush()
        session.add_all([
            FeedEntry(feed_id=feed.id, article_id=article.id, guid="jane", link=ARTICLE),
            Statement(article_id=article.id, speaker="Jane Doe", speaker_type="person", cue="said",
                      content="We will win,", kind="direct", content_start=1, content_end=13,
                      speaker_start=15, speaker_end=23, confidence=0.9, parser_version="test"),
            PageJob(article_id=article.id, feed_id=feed.id, url=ARTICLE, state="pending"),
        ])


@pytest.fixture
def seeded(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """db_url with the schema and seed() in it, as the CLI's database, with a 1 s busy timeout."""
    for var in [v for v in os.environ if v.startswith("WORKER_") and not v.startswith("WORKER_TEST_")]:
        monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKER_DATABASE_URL", db_url)
    monkeypatch.setenv("WORKER_SQLITE_BUSY_TIMEOUT", "1")
    db = Database.open(db_url, upgrade=True)
    try:
        seed(db)
    finally:
        db.close()
    yield db_url


@contextmanager
def writer_holding_the_lock(db_url: str) -> Iterator[None]:
    """Another connection in the middle of a write: it has inserted a feed and not committed.

    On SQLite it holds the database's write lock (BEGIN IMMEDIATE). PostgreSQL has no such lock; there
    the writer also locks the feeds table against every other writer (EXCLUSIVE mode)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO feeds (url, enabled, error_count, created_at) "
                         "VALUES (?, 1, 0, '2026-03-01 09:00:00')", (UNCOMMITTED,))
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    engine = create_engine(db_url)
    try:
        with engine.connect() as pg:
            pg.execute(text("LOCK TABLE feeds IN EXCLUSIVE MODE"))
            pg.execute(text("INSERT INTO feeds (url, enabled, error_count, created_at) "
                            "VALUES (:url, true, 0, now())"), {"url": UNCOMMITTED})
            yield
            pg.rollback()
    finally:
        engine.dispose()


def test_read_commands_work_while_a_writer_holds_the_lock(seeded: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with writer_holding_the_lock(seeded):
        started = time.monotonic()
        code, out, err = run(capsys, "articles", "--json")
        assert (code, err) == (0, "")
        assert [a["url"] for a in json.loads(out)] == [ARTICLE]

        code, out, err = run(capsys, "status", "--json")
        assert (code, err) == (0, "")
        assert [(f["url"], f["error_count"]) for f in json.loads(out)["feeds"]] == [(FEED, 2)]  # not UNCOMMITTED

        code, out, err = run(capsys, "feeds", "list")
        assert (code, err) == (0, "")
        assert FEED in out and UNCOMMITTED not in out

        code, out, err = run(capsys, "feeds", "export")
        assert (code, err) == (0, "")
        assert FEED in out and UNCOMMITTED not in out

        code, out, err = run(capsys, "statements", "--json")
        assert (code, err) == (0, "")
        assert [(s["speaker"], s["url"]) for s in json.loads(out)] == [("Jane Doe", ARTICLE)]

        code, out, err = run(capsys, "db", "current")
        assert (code, err) == (0, "")
        assert out.startswith(f"current: {head_revision()} ")
        # none of them waited for the lock (the busy timeout is 1 s; six waits would be 6 s)
        assert time.monotonic() - started < 5


def test_metrics_gauges_read_while_a_writer_holds_the_lock(seeded: str) -> None:
    metrics = Metrics()
    db = Database.open(seeded, busy_timeout=1)
    try:
        metrics.watch(db, lambda: (True, "ok"))
        with writer_holding_the_lock(seeded):
            started = time.monotonic()
            scraped = generate_latest(metrics.registry).decode()
            assert time.monotonic() - started < 1  # it did not wait for the lock
    finally:
        db.close()
    assert 'worker_page_queue_depth{state="pending"} 1.0\n' in scraped
    assert 'worker_page_queue_depth{state="failed"} 0.0\n' in scraped
    assert "worker_feeds_failing 1.0\n" in scraped
    assert "worker_up 1.0\n" in scraped


def test_a_read_transaction_refuses_to_write(database: Database) -> None:
    seed(database)
    if database.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="read-only transaction"), database.read() as session:
            session.add(Feed(url=UNCOMMITTED))
            session.flush()
    else:  # SQLite has no read-only transactions; what one writes is rolled back at its end
        with database.read() as session:
            session.add(Feed(url=UNCOMMITTED))
            session.flush()
    with database.read() as session:
        assert session.scalars(select(Feed.url)).all() == [FEED]


def test_writers_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    """A write transaction that reads first, then writes, while another writer holds the lock and
    commits 0.5 s later: it waits (BEGIN IMMEDIATE) rather than failing on the lock upgrade."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    db = Database.open(url, busy_timeout=10)
    other = sqlite3.connect(tmp_path / "news.db", isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO feeds (url, enabled, error_count, created_at) "
                      "VALUES ('https://first.example/rss', 1, 0, '2026-03-01 09:00:00')")
        timer = threading.Timer(0.5, other.commit)
        timer.start()
        with db.transaction() as session:
            before = session.scalar(select(func.count()).select_from(Feed))
            session.add(Feed(url="https://second.example/rss"))
        timer.join()
        assert before == 1  # it began after the other writer had committed
        with db.read() as session:
            assert sorted(session.scalars(select(Feed.url))) == [
                "https://first.example/rss", "https://second.example/rss"]
    finally:
        other.close()
        db.close()


def test_a_read_only_connection_reads_a_database_that_is_not_in_wal_mode(tmp_path: Path) -> None:
    """Setting WAL on connect needs a write; a connection that may not write reads on without it."""
    path = tmp_path / "news.db"
    db = Database.open(f"sqlite:///{path}", upgrade=True)
    seed(db)
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    conn.close()
    before = path.read_bytes()
    db = Database.open(f"sqlite:///file:{path}?mode=ro&uri=true", reading=True)
    try:
        with db.read() as session:
            assert session.scalars(select(Feed.url)).all() == [FEED]
    finally:
        db.close()
    assert path.read_bytes() == before


# --- read-only databases ------------------------------------------------------------------------

def _unprivileged() -> list[str]:
    """The command prefix that makes file modes bind this process (setpriv when root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to bind")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_unprivileged(), sys.executable, "-m", "worker.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A seeded SQLite database, mode 0444, in a directory of mode 0555; and the CLI's environment."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "news.db"
    db = Database.open(f"sqlite:///{path}", upgrade=True)
    try:
        seed(db)
    finally:
        db.close()
    assert sorted(p.name for p in folder.iterdir()) == ["news.db"]  # the last close removed -wal, -shm
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update(WORKER_DATABASE_URL=f"sqlite:///{path}", WORKER_SQLITE_BUSY_TIMEOUT="1",
               PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path, env
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def _fingerprint(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.mark.slow
def test_read_commands_work_on_a_read_only_database(read_only_db: tuple[Path, dict[str, str]],
                                                    tmp_path: Path) -> None:
    path, env = read_only_db
    before = _fingerprint(path.parent)
    denied = cli(env, tmp_path, "feeds", "add", "https://other.example/rss.xml")
    assert denied.returncode == 3, denied.stderr  # the modes do bind: a write is refused, clearly
    assert "readonly database" in denied.stderr

    for args, expected in [(("articles",), "Jane Doe is confident"), (("status",), FEED),
                           (("feeds", "list"), FEED), (("feeds", "export"), FEED),
                           (("statements",), "Jane Doe"), (("db", "current"), head_revision())]:
        result = cli(env, tmp_path, *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert expected in result.stdout, args
    assert _fingerprint(path.parent) == before  # nothing was written, no -wal or -shm file made


@pytest.mark.slow
def test_a_read_only_file_in_a_writable_directory_is_read_and_left_as_it_was(
        read_only_db: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    path, env = read_only_db
    path.parent.chmod(0o755)  # SQLite may make its -wal and -shm files here, but not write news.db
    before = path.read_bytes()
    result = cli(env, tmp_path, "status", "--json")
    assert (result.returncode, result.stderr) == (0, "")
    assert [f["url"] for f in json.loads(result.stdout)["feeds"]] == [FEED]
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


@pytest.mark.slow
def test_a_read_only_directory_is_read_while_a_writer_has_the_database_open(
        read_only_db: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """The writer (who may write there) has made the -wal and -shm files: the reader uses them and
    sees what the writer committed to the -wal file, not what it has not committed yet."""
    path, env = read_only_db
    path.parent.chmod(0o755)
    path.chmod(0o644)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")  # keep what follows in the -wal file
        writer.execute("UPDATE feeds SET title = 'Valley Post (committed)'")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE feeds SET title = 'Valley Post (uncommitted)'")
        path.chmod(0o444)
        path.parent.chmod(0o555)
        assert {p.name for p in path.parent.iterdir()} == {"news.db", "news.db-wal", "news.db-shm"}
        result = cli(env, tmp_path, "feeds", "list", "--json")
        assert (result.returncode, result.stderr) == (0, "")
        assert [f["title"] for f in json.loads(result.stdout)] == ["Valley Post (committed)"]
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
        writer.rollback()
        writer.close()
