"""`kill -9` of a real `worker ingest`, then another `worker ingest` at once: it takes over what the
dead process held (its feeds and its pages) and completes every page, with nothing stored twice.
The same after several kills at random moments. No worker process outlives the killed one."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from server import LocalServer
from sqlalchemy import create_engine, text

from db.database import Database
from db.feeds import add_feed

WORKER = str(Path(sys.executable).with_name("worker"))
FEEDS, PAGES = 3, 20
TOTAL = FEEDS * PAGES
ARTICLE = ("<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
           + "<p>The council met on Tuesday to discuss the proposal and several members asked for more detail "
             "on the costs before the final vote was taken by the full chamber of the city.</p>" * 4
           + "</article></body></html>")


def slow_page(title: str, delay: float) -> Callable[[Any], None]:
    data = ARTICLE.format(t=title).encode()

    def handler(h: Any) -> None:
        time.sleep(delay)
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return handler


def site(server: LocalServer, *, delay: float = 0.3) -> None:
    for f in range(FEEDS):
        items = "".join(f"<item><guid>f{f}-{i}</guid><title>Story {f}-{i}</title>"
                        f"<link>{server.url(f'/p/{f}/{i}')}</link><description>Summary {f}-{i}</description></item>"
                        for i in range(PAGES))
        server.add(f"/f/{f}", f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{items}'
                              "</channel></rss>", headers={"ETag": f'"f{f}"', "Content-Type": "application/rss+xml"})
        for i in range(PAGES):
            server.add_handler(f"/p/{f}/{i}", slow_page(f"Story {f}-{i}", delay))


def environment(db_url: str, processes: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_") or k.startswith("WORKER_TEST_")}
    env.update({"WORKER_DATABASE_URL": db_url, "WORKER_ALLOWED_NETWORKS": "127.0.0.0/8", "WORKER_PER_HOST_DELAY": "0",
                "WORKER_PER_HOST_CONCURRENCY": "16", "WORKER_CONCURRENCY": "4", "WORKER_PROCESSES": str(processes),
                "WORKER_FETCH_TIMEOUT": "10"})  # WORKER_LEASE stays at its default: 60 s
    return env


def scalar(db_url: str, sql: str) -> Any:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def live_in_group(pgid: int) -> list[int]:
    """Processes (not zombies) of process group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_for(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def kill_ingest(env: dict[str, str], *, when: Callable[[], bool], after: float = 0.0) -> int:
    """Start `worker ingest`, SIGKILL it once ``when()`` holds (and ``after`` more seconds), and check
    that none of its worker processes is left behind. Returns its exit status (-9: killed)."""
    proc = subprocess.Popen([WORKER, "ingest"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_for(lambda: when() or proc.poll() is not None, 60)
        time.sleep(after)
        proc.send_signal(signal.SIGKILL)  # (nothing if it has finished already)
        status = proc.wait(timeout=10)
        # Its forkserver sees the pipe to it close and goes, with the pool's worker, within moments.
        wait_for(lambda: live_in_group(proc.pid) == [], 10)
    finally:
        if live_in_group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    return status


def ingest(env: dict[str, str]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    result = subprocess.run([WORKER, "ingest", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), time.monotonic() - started


def assert_complete(db_url: str) -> None:
    assert scalar(db_url, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") == TOTAL
    assert scalar(db_url, "SELECT count(*) FROM page_jobs WHERE lease_owner IS NOT NULL") == 0
    assert scalar(db_url, "SELECT count(*) FROM articles") == TOTAL  # one article per link
    assert scalar(db_url, "SELECT count(DISTINCT url) FROM articles") == TOTAL
    assert scalar(db_url, "SELECT count(*) FROM articles WHERE source = 'page' AND text LIKE '%council met%'") == TOTAL
    assert scalar(db_url, "SELECT count(*) FROM feed_entries") == TOTAL
    assert scalar(db_url, "SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0
    assert scalar(db_url, "SELECT count(*) FROM feeds WHERE last_status IN ('ok', 'not_modified')") == FEEDS
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def prepare(server: LocalServer, db_url: str, *, processes: int = 1) -> dict[str, str]:
    site(server)
    db = Database.open(db_url, upgrade=True)  # in this process: each `worker` command takes a second to start
    try:
        with db.transaction() as session:
            for f in range(FEEDS):
                add_feed(session, server.url(f"/f/{f}"))
    finally:
        db.close()
    return environment(db_url, processes)


def first_request_from_now(server: LocalServer) -> Callable[[], bool]:
    seen = len(server.requests)
    return lambda: len(server.requests) > seen


def pages_requested(server: LocalServer) -> int:
    return sum(1 for r in list(server.requests) if r.path.startswith("/p/"))


def test_kill_9_mid_run_then_an_immediate_ingest_completes_every_page(http_server: LocalServer,
                                                                      tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'news.db'}"
    env = prepare(http_server, db_url)
    assert kill_ingest(env, when=lambda: pages_requested(http_server) >= 6) == -signal.SIGKILL
    assert scalar(db_url, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") < TOTAL
    assert scalar(db_url, "SELECT count(*) FROM page_jobs WHERE lease_owner IS NOT NULL") > 0  # left held

    summary, took = ingest(env)
    assert summary["feeds_skipped"] == 0 and summary["pages_held_elsewhere"] == 0, summary
    assert took < 45, took  # the dead process's leases (60 s) were not waited out
    assert_complete(db_url)


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_several_kills_at_random_moments_then_an_ingest_completes_everything(
        http_server: LocalServer, tmp_path: Path, database: str, request: pytest.FixtureRequest) -> None:
    db_url = (f"sqlite:///{tmp_path / 'news.db'}" if database == "sqlite"
              else str(request.getfixturevalue("postgres_schema_url")))
    env = prepare(http_server, db_url, processes=0)  # no pool to start: each run is up sooner
    moments = random.Random(20260301)
    statuses = [kill_ingest(env, when=first_request_from_now(http_server), after=moments.uniform(0.0, 1.5))
                for _ in range(4)]  # at any moment once it is up: polling feeds, storing them, working pages
    assert statuses.count(-signal.SIGKILL) >= 3, statuses
    assert scalar(db_url, "SELECT count(*) FROM page_jobs WHERE state = 'fetched'") < TOTAL
    summary, took = ingest(env)
    assert summary["feeds_skipped"] == 0 and summary["pages_held_elsewhere"] == 0, summary
    assert took < 45, took
    assert_complete(db_url)
