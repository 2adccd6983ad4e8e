"""The database failing under a real `worker ingest`: PostgreSQL refusing connections mid-run and
SQLite locked by another connection. The run ends with exit 3 and one line (no traceback), what
was in flight is cancelled cleanly (no request on a closed client), and a rerun completes with
nothing lost or doubled."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import LocalServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_daemon import WORKER, cli, env_for, site

pytestmark = pytest.mark.slow  # waits on processes, signals, servers or locks


def wait_for(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def page_hits(server: LocalServer) -> int:
    return sum(1 for r in server.requests if r.path.startswith("/p/"))


def assert_one_line_exit_3(done: subprocess.CompletedProcess[str] | tuple[int, str]) -> str:
    code, stderr = (done.returncode, done.stderr) if isinstance(done, subprocess.CompletedProcess) else done
    assert code == 3, stderr
    assert "Traceback" not in stderr and "client has been closed" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("\r")]
    errors = [line for line in lines if line.startswith("worker: database error")]
    assert len(errors) == 1, stderr
    return errors[0]


def assert_complete(rows: list[tuple[str, str, int]], expected: int) -> None:
    """(url, source, job state) per article: every page fetched, each article once."""
    urls = [url for url, _, _ in rows]
    assert len(urls) == expected and len(set(urls)) == expected
    assert {(source, state) for _, source, state in rows} == {("page", "fetched")}


ARTICLES_SQL = ("SELECT a.url, a.source, j.state FROM articles a JOIN page_jobs j ON j.article_id = a.id "
                "ORDER BY a.url")


@pytest.fixture
def throwaway_postgres(postgres_url: str) -> Iterator[str]:
    """A database of its own, so connections to it can be refused without touching other tests."""
    name = f"t_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_postgresql_gone_mid_run_exits_3_and_a_rerun_completes(
        http_server: LocalServer, postgres_url: str, throwaway_postgres: str, tmp_path: Path) -> None:
    feeds = site(http_server, 2, 15, delay=0.1)
    env = env_for(throwaway_postgres, WORKER_PROCESSES="1", WORKER_CONCURRENCY="4")
    assert cli(env, "db", "upgrade").returncode == 0
    for url in feeds:
        assert cli(env, "feeds", "add", url, "--no-check").returncode == 0
    name = make_url(throwaway_postgres).database
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    proc = subprocess.Popen([WORKER, "ingest"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: page_hits(http_server) >= 4)
        with admin.connect() as conn:  # the database goes away: no new connection, the open ones cut
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                         {"d": name})
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    line = assert_one_line_exit_3((proc.returncode, stderr))
    # Which of the two cuts the worker meets first is timing: a query in flight when its connection
    # is terminated, or the next connection refused (both said by PostgreSQL in its own words).
    assert ("not currently accepting connections" in line
            or "terminating connection due to administrator command" in line), line
    assert "run the command again" in line
    hits_at_exit = page_hits(http_server)
    time.sleep(0.5)
    assert page_hits(http_server) == hits_at_exit  # nothing went on fetching after the exit
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()

    rerun = cli(env, "ingest")
    assert rerun.returncode == 0, rerun.stderr
    engine = create_engine(throwaway_postgres)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(ARTICLES_SQL))]
        entries = conn.execute(text("SELECT count(*), count(DISTINCT guid) FROM feed_entries")).one()
    engine.dispose()
    assert_complete(rows, 30)  # type: ignore[arg-type]
    assert tuple(entries) == (30, 30)


def hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE feeds SET title = title")
        started.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.parametrize("held", [1.0, 8.0], ids=["waited-out", "past-busy-timeout"])
def test_sqlite_locked_mid_run_is_waited_out_or_exits_3(http_server: LocalServer, tmp_path: Path,
                                                        held: float) -> None:
    feeds = site(http_server, 1, 12, delay=0.1)
    path = tmp_path / "news.db"
    env = env_for(f"sqlite:///{path}", WORKER_PROCESSES="1", WORKER_CONCURRENCY="4",
                  WORKER_SQLITE_BUSY_TIMEOUT="3")
    assert cli(env, "feeds", "add", feeds[0], "--no-check").returncode == 0
    proc = subprocess.Popen([WORKER, "ingest"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = threading.Event()
    try:
        wait_for(lambda: page_hits(http_server) >= 2)
        locker = threading.Thread(target=hold_write_lock, args=(path, held, started))
        locker.start()
        started.wait(10)
        _, stderr = proc.communicate(timeout=60)
        locker.join()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if held < 3:
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr
    else:
        assert "locked" in assert_one_line_exit_3((proc.returncode, stderr))
        rerun = cli(env, "ingest")
        assert rerun.returncode == 0, rerun.stderr
    with sqlite3.connect(path) as conn:
        rows = conn.execute(ARTICLES_SQL).fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert_complete(rows, 12)


def test_the_daemon_rides_out_a_database_outage_and_finishes_the_work(
        http_server: LocalServer, postgres_url: str, throwaway_postgres: str, tmp_path: Path) -> None:
    feeds = site(http_server, 2, 10, delay=0.2)
    env = env_for(throwaway_postgres, WORKER_PROCESSES="1", WORKER_CONCURRENCY="4", WORKER_TICK="0.3")
    assert cli(env, "db", "upgrade").returncode == 0
    for url in feeds:
        assert cli(env, "feeds", "add", url, "--no-check").returncode == 0
    name = make_url(throwaway_postgres).database
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([WORKER, "-v", "run"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: page_hits(http_server) >= 4)
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                         {"d": name})
        time.sleep(2)
        assert proc.poll() is None  # the daemon does not exit for an outage
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        engine = create_engine(throwaway_postgres)

        def fetched() -> int:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM page_jobs WHERE state = 'fetched'")).scalar_one())
        wait_for(lambda: fetched() == 20, 60)
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(ARTICLES_SQL))]
        engine.dispose()
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        admin.dispose()
    assert_complete(rows, 20)  # type: ignore[arg-type]
    text_ = log.read_text()
    assert "Traceback" not in text_, text_
    assert text_.count("database unusable") >= 1


@pytest.mark.parametrize("command", [["feeds", "add", "FEED"], ["ingest", "--feed", "FEED"], ["feeds", "remove", "FEED"]])
def test_commands_that_write_exit_3_while_sqlite_stays_locked(http_server: LocalServer, tmp_path: Path,
                                                             command: list[str]) -> None:
    feed = site(http_server, 1, 1)[0]
    path = tmp_path / "news.db"
    env = env_for(f"sqlite:///{path}", WORKER_PROCESSES="0", WORKER_SQLITE_BUSY_TIMEOUT="1")
    assert cli(env, "feeds", "add", feed, "--no-check").returncode == 0
    started = threading.Event()
    locker = threading.Thread(target=hold_write_lock, args=(path, 6.0, started))
    locker.start()
    try:
        started.wait(10)
        done = cli(env, *[feed if part == "FEED" else part for part in command])
    finally:
        locker.join()
    assert "locked" in assert_one_line_exit_3(done)


def test_a_database_fault_while_polling_ends_the_run_and_is_no_failure_of_the_feed(
        http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database failing while a poll reads what is known of its entries is the database's
    fault: the run ends (exit 3 at the command line), and the feed's row shows no error."""
    import asyncio

    from db.database import Database
    from db.faults import DatabaseUnavailable
    from db.feeds import add_feed, get_feed
    from worker.pipeline.runner import Worker
    from worker.settings import settings_with

    feed = site(http_server, 1, 2)[0]
    db = Database.open(f"sqlite:///{tmp_path / 'news.db'}")
    with db.transaction() as session:
        add_feed(session, feed)

    async def unavailable(*_: object) -> object:
        raise DatabaseUnavailable("the server closed the connection")

    worker = Worker(settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, processes=0), db, owner="t")
    monkeypatch.setattr(worker, "_read_state", unavailable)
    with pytest.raises(DatabaseUnavailable):
        asyncio.run(worker.ingest())
    with db.transaction() as session:
        row = get_feed(session, feed)
        assert row is not None and (row.error_count, row.last_status, row.last_error) == (0, None, None)
    db.close()
