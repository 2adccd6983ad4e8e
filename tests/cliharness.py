"""Driving the `worker` command line in-process, the way the CLI tests do: run a command and take its
exit code and output, point the worker at a database and the local test server, read rows back with
plain SQL. One copy of what a dozen test modules used to define each for themselves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from worker.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`worker ARGS` in this process: (exit code, stdout, stderr). argparse's SystemExit on a bad
    command line is its exit code, as the console script would report it."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def query(db_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Run one SQL statement in its own transaction; the rows of a SELECT as dicts."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = [dict(r._mapping) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


def use_local_site(monkeypatch: pytest.MonkeyPatch, db_url: str, *, workdir: Path | None = None,
                   clean: bool = False, **settings: str) -> None:
    """WORKER_* for a run against the local test server and the database at ``db_url``: loopback
    allowed, no per-host delay, a 10 s fetch timeout, pages parsed in this process, plus
    ``settings`` (``processes="auto"`` sets WORKER_PROCESSES). In-process parsing because starting the
    pool's processes costs each run seconds of imports; the pool has its own tests (test_pool.py)
    and test_ingest_e2e.py runs the whole pipeline with it. ``clean`` first drops every WORKER_* the environment has (but the test
    suite's own WORKER_TEST_*); ``workdir`` becomes the working directory. A PostgreSQL database
    is migrated here, as a user would with `worker db upgrade` (SQLite files migrate on first use)."""
    if clean:
        for var in [v for v in os.environ if v.startswith("WORKER_") and not v.startswith("WORKER_TEST_")]:
            monkeypatch.delenv(var)
    if workdir is not None:
        monkeypatch.chdir(workdir)
    values = {"database_url": db_url, "allowed_networks": "127.0.0.0/8", "per_host_delay": "0",
              "fetch_timeout": "10", "processes": "0",
              **settings}
    for name, value in values.items():
        monkeypatch.setenv(f"WORKER_{name.upper()}", value)
    if db_url.startswith("postgresql"):
        assert main(["db", "upgrade"]) == 0
