"""`worker run` as people run it: real processes, a local site, SQLite and PostgreSQL.

Covers polling on schedule with conditional re-polls, a clean SIGTERM, several workers sharing one
PostgreSQL database (every page fetched once, every article stored once), and SIGKILL mid-run
followed by a new run (nothing lost, nothing doubled, SQLite integrity intact).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server import LocalServer
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow  # waits on processes, signals, servers or locks

ARTICLE = ("<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
           + "<p>The council met on Tuesday to discuss the proposal and several members asked for more detail "
             "on the costs before the final vote was taken by the full chamber of the city.</p>" * 4
           + "</article></body></html>")
WORKER = str(Path(sys.executable).with_name("worker"))


def site(server: LocalServer, feeds: int, items: int, *, delay: float = 0.0) -> list[str]:
    """`feeds` RSS feeds of `items` entries each, pages answering after `delay` seconds."""
    urls = []
    for f in range(feeds):
        body = "".join(f"<item><guid>f{f}-{i}</guid><title>Story {f}-{i}</title>"
                       f"<link>{server.url(f'/p/{f}/{i}')}</link><description>Summary {f}-{i}</description></item>"
                       for i in range(items))
        server.add(f"/f/{f}", f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{body}'
                              f"</channel></rss>", headers={"ETag": f'"f{f}"', "Content-Type": "application/rss+xml"})
        for i in range(items):
            if delay:
                server.add_handler(f"/p/{f}/{i}", _slow(ARTICLE.format(t=f"Story {f}-{i}"), delay))
            else:
                server.add(f"/p/{f}/{i}", ARTICLE.format(t=f"Story {f}-{i}"), headers={"Content-Type": "text/html"})
        urls.append(server.url(f"/f/{f}"))
    return urls


def _slow(body: str, delay: float) -> Callable[[Any], None]:
    data = body.encode()

    def handler(h: Any) -> None:
        time.sleep(delay)
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return handler


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_") or k.startswith("WORKER_TEST_")}
    env.update({"WORKER_DATABASE_URL": db_url, "WORKER_ALLOWED_NETWORKS": "127.0.0.0/8",
                "WORKER_PER_HOST_DELAY": "0", "WORKER_TICK": "0.3", "WORKER_FETCH_TIMEOUT": "10",
                "WORKER_PER_HOST_CONCURRENCY": "16", **extra})
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WORKER, *args], env=env, capture_output=True, text=True, timeout=120)


def start(env: dict[str, str], tmp: Path, name: str = "run") -> subprocess.Popen[str]:
    log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([WORKER, "-v", "run"], env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def wait_for(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def scalar(db_url: str, sql: str) -> Any:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[str]:
    assert cli(env_for(db_url), "db", "upgrade").returncode == 0
    yield db_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_daemon_polls_on_schedule_repolls_conditionally_and_stops_on_sigterm(
        http_server: LocalServer, db: str, tmp_path: Path) -> None:
    feed = site(http_server, 1, 2)[0]
    port = free_port()
    env = env_for(db, WORKER_METRICS_ADDR=f"127.0.0.1:{port}", WORKER_LOG_FORMAT="json")
    assert cli(env, "feeds", "add", feed, "--no-check").returncode == 0
    proc = start(env, tmp_path)
    try:
        wait_for(lambda: scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 2)
        assert http_server.hits("/f/0") == 1  # not due again for 30 minutes
        scalar(db, "UPDATE feeds SET next_check_at = last_checked_at")  # the time has come
        wait_for(lambda: http_server.hits("/f/0") == 2)
        again = [r for r in http_server.requests if r.path == "/f/0"][-1]
        assert again.headers.get("if-none-match") == '"f0"'
        wait_for(lambda: scalar(db, "SELECT last_status FROM feeds") == "not_modified")
        status = cli(env, "status", "--json")
        assert status.returncode == 0 and '"next_check_reason": "default interval 30m"' in status.stdout
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'worker_polls_total{outcome="ok"} 1' in scraped
        assert 'worker_polls_total{outcome="not_modified"} 1' in scraped
        assert 'worker_articles_stored_total{kind="new"} 2' in scraped
        assert 'worker_page_queue_depth{state="pending"} 0' in scraped
        assert "worker_feeds_failing 0" in scraped and "worker_up 1" in scraped
        assert 'worker_fetch_seconds_count{kind="page"} 2' in scraped
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert scalar(db, "SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0
    lines = [json.loads(line) for line in (tmp_path / "run.log").read_text().splitlines() if line.startswith("{")]
    polls = [line for line in lines if line["msg"] == "feed polled"]
    assert [p["status"] for p in polls] == ["ok", "not_modified"] and polls[0]["feed"] == feed
    assert any("finishing in-flight work" in line["msg"] for line in lines)


def test_sigterm_lets_in_flight_pages_finish(http_server: LocalServer, db: str, tmp_path: Path) -> None:
    feed = site(http_server, 1, 3, delay=1.5)[0]
    env = env_for(db)
    cli(env, "feeds", "add", feed, "--no-check")
    proc = start(env, tmp_path)
    wait_for(lambda: any(r.path.startswith("/p/") for r in http_server.requests))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 3  # finished, not dropped
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE lease_owner IS NOT NULL") == 0


@pytest.mark.postgres
def test_several_workers_share_the_work_on_postgresql(http_server: LocalServer, postgres_schema_url: str,
                                                      tmp_path: Path) -> None:
    db_url = postgres_schema_url
    env = env_for(db_url, WORKER_CONCURRENCY="1")  # four feeds per claim: the others are left to the rest
    assert cli(env, "db", "upgrade").returncode == 0
    feeds = site(http_server, 12, 4, delay=0.2)
    for url in feeds:
        cli(env, "feeds", "add", url, "--no-check")
    procs = [start(env, tmp_path, f"w{i}") for i in range(3)]
    try:
        wait_for(lambda: scalar(db_url, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 48, 90)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        assert [p.wait(timeout=20) for p in procs] == [0, 0, 0]
    for f in range(12):
        assert http_server.hits(f"/f/{f}") == 1
        for i in range(4):
            assert http_server.hits(f"/p/{f}/{i}") == 1, (f, i)
    assert scalar(db_url, "SELECT count(*) FROM articles") == 48
    assert scalar(db_url, "SELECT count(DISTINCT url) FROM articles") == 48
    assert scalar(db_url, "SELECT count(*) FROM feed_entries") == 48
    logs = [(tmp_path / f"w{i}.log").read_text() for i in range(3)]
    assert sum(1 for text_ in logs if "feed polled" in text_) >= 2  # the work really was shared


def test_sigkill_mid_run_loses_nothing_and_doubles_nothing(http_server: LocalServer, db: str,
                                                           tmp_path: Path) -> None:
    feeds = site(http_server, 4, 5, delay=0.3)
    env = env_for(db, WORKER_LEASE="2s", WORKER_CONCURRENCY="2")
    for url in feeds:
        cli(env, "feeds", "add", url, "--no-check")
    proc = start(env, tmp_path)
    wait_for(lambda: scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") >= 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    done_before = scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'")
    assert done_before < 20
    time.sleep(2.5)  # the killed worker's leases expire
    result = cli(env, "ingest", "--json")
    assert result.returncode == 0, result.stderr
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 20
    assert scalar(db, "SELECT count(*) FROM articles") == 20
    assert scalar(db, "SELECT count(*) FROM articles WHERE source = 'page'") == 20
    assert scalar(db, "SELECT count(*) FROM feed_entries") == 20
    assert scalar(db, "SELECT count(*) FROM statements s LEFT JOIN articles a ON a.id = s.article_id "
                      "WHERE a.id IS NULL") == 0
    pages = [r.path for r in http_server.requests if r.path.startswith("/p/")]
    assert len(set(pages)) == 20
    if db.startswith("sqlite"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sqlite_daemon_and_one_off_runs_side_by_side(http_server: LocalServer, tmp_path: Path) -> None:
    """One daemon plus concurrent `worker ingest` runs on one SQLite file: no "database is locked"."""
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    feeds = site(http_server, 6, 4, delay=0.05)
    env = env_for(db_url, WORKER_CONCURRENCY="2")
    for url in feeds[:3]:
        cli(env, "feeds", "add", url, "--no-check")
    proc = start(env, tmp_path)
    try:
        runs = [subprocess.Popen([WORKER, "ingest", "--json", "--feed", url], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for url in feeds[3:]]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in runs]
        assert all(code == 0 for code, _ in results), results
        assert not any("locked" in err for _, err in results)
        wait_for(lambda: scalar(db_url, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 24, 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert "locked" not in (tmp_path / "run.log").read_text()
    assert scalar(db_url, "SELECT count(*) FROM articles") == 24


def test_a_repeated_sigterm_is_one_stop_request_but_a_later_one_exits_at_once(
        http_server: LocalServer, db: str, tmp_path: Path) -> None:
    feed = site(http_server, 1, 2, delay=4)[0]
    env = env_for(db, WORKER_SHUTDOWN_GRACE="20s")
    cli(env, "feeds", "add", feed, "--no-check")
    proc = start(env, tmp_path, "twice")
    wait_for(lambda: any(r.path.startswith("/p/") for r in http_server.requests))
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)  # as `uv run` and systemd's control-group kill deliver it
    assert proc.wait(timeout=30) == 0  # waited for the in-flight pages
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == 2

    scalar(db, "UPDATE page_jobs SET state = 'pending', next_attempt_at = created_at")
    proc = start(env, tmp_path, "impatient")
    wait_for(lambda: len([r for r in http_server.requests if r.path.startswith("/p/")]) > 2)
    proc.send_signal(signal.SIGTERM)
    time.sleep(1.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 1 and time.monotonic() - started < 3


def processes_in_group(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, …
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


HEAVY = ("<html><body><article>"
         + "<p>The council met on Tuesday evening to discuss the proposal, which would change how "
           "the district allocates money.</p>" * 60000
         + "</article></body></html>")  # 7 MB of paragraphs: many seconds of extraction each


def test_sigterm_with_a_busy_pool_exits_within_the_grace_and_leaves_no_process(
        http_server: LocalServer, db: str, tmp_path: Path) -> None:
    feed = site(http_server, 1, 4)[0]
    for i in range(4):
        http_server.add(f"/p/0/{i}", HEAVY, headers={"Content-Type": "text/html"})
    env = env_for(db, WORKER_PROCESSES="2", WORKER_TASK_TIMEOUT="120", WORKER_SHUTDOWN_GRACE="1")
    cli(env, "feeds", "add", feed, "--no-check")
    log = open(tmp_path / "run.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([WORKER, "-v", "run"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(lambda: sum(r.path.startswith("/p/") for r in http_server.requests) >= 2)
        time.sleep(1.0)  # the pages are with the worker processes now
        assert len(processes_in_group(proc.pid)) >= 3  # the daemon, its forkserver and workers
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        took = time.monotonic() - signalled
        assert took < 1 + 5, took  # the grace, and a moment to stop the workers
        wait_for(lambda: processes_in_group(proc.pid) == [], timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE lease_owner IS NOT NULL") == 0
    assert scalar(db, "SELECT count(*) FROM page_jobs WHERE state = 'pending'") == 4  # done next time


def test_ctrl_c_on_ingest_with_a_busy_pool_leaves_no_process(
        http_server: LocalServer, db: str, tmp_path: Path) -> None:
    feed = site(http_server, 1, 4)[0]
    for i in range(4):
        http_server.add(f"/p/0/{i}", HEAVY, headers={"Content-Type": "text/html"})
    env = env_for(db, WORKER_PROCESSES="2", WORKER_TASK_TIMEOUT="120")
    proc = subprocess.Popen([WORKER, "ingest", "--feed", feed], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(lambda: sum(r.path.startswith("/p/") for r in http_server.requests) >= 2)
        time.sleep(1.0)
        assert len(processes_in_group(proc.pid)) >= 3
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole group
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
        wait_for(lambda: processes_in_group(proc.pid) == [], timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert scalar(db, "SELECT count(*) FROM articles") == 4  # the entries were stored before the pages
