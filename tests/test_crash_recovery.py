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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from server import LocalServer
from test_daemon import WORKER, env_for, scalar, site

from db.database import Database
from db.feeds import add_feed

pytestmark = pytest.mark.slow  # waits on processes, signals, servers or locks

FEEDS, PAGES = 3, 20
TOTAL = FEEDS * PAGES


def environment(db_url: str, processes: int) -> dict[str, str]:
    # WORKER_LEASE stays at its default: 60 s
    return env_for(db_url, WORKER_CONCURRENCY="4", WORKER_PROCESSES=str(processes))


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
    site(server, FEEDS, PAGES, delay=0.3)
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
