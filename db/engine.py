"""Engines for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (psycopg 3).

Transactions write unless their connection carries the READ_ONLY execution option (see
`read_only`): on SQLite a write transaction begins IMMEDIATE, a read one deferred; on PostgreSQL a
read one is READ ONLY.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

# Execution option: the transactions of a connection carrying it only read.
READ_ONLY = "worker_read_only"


class DatabaseError(RuntimeError):
    """The database cannot be used (unreachable, unreadable, wrong schema); the message says why."""


def make_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "begin", _on_postgresql_begin)
        return engine
    raise DatabaseError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def read_only(engine: Engine) -> Engine:
    """The same engine (pool, events) whose transactions only read."""
    return engine.execution_options(**{READ_ONLY: True})


def _on_postgresql_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def make_read_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for commands that only read. Like make_engine, except that a SQLite file this
    process cannot write, in a directory it cannot write either, is still read: SQLite needs its
    -shm and -wal files to read a WAL database, and cannot create them there. While a writer has
    the database open they exist and are used; when none has (no -wal file, so every change is in
    the file itself) the file is opened as immutable, without them: no locks, so a writer that
    opens it meanwhile goes unseen, which suits a short read by someone who may not write it."""
    engine = make_engine(url, busy_timeout=busy_timeout)
    if engine.dialect.name != "sqlite":
        return engine
    path = _sqlite_file(url)
    if path is None or not path.is_file() or Path(f"{path}-wal").exists():
        return engine
    try:
        with read_only(engine).connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master"))
    except SQLAlchemyError as exc:
        if not _is_read_only_error(getattr(exc, "orig", None)):
            return engine  # the caller meets and reports this error itself
        engine.dispose()
        return _sqlite_engine(url, busy_timeout, immutable=path)
    return engine


def _sqlite_file(url: str) -> Path | None:
    """The database file of a plain sqlite:///PATH URL (None for memory and `file:` URIs)."""
    parsed = make_url(url)
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(database).expanduser().resolve()


def _is_read_only_error(exc: BaseException | None) -> bool:
    """SQLite refused to write (a read-only file, or no -shm/-wal files and no way to create them)."""
    code = getattr(exc, "sqlite_errorcode", 0) if isinstance(exc, sqlite3.Error) else 0
    return code & 0xFF == sqlite3.SQLITE_READONLY


def _sqlite_engine(url: str, busy_timeout: float, immutable: Path | None = None) -> Engine:
    path = _sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        database = make_url(url).database
        raise DatabaseError(f"cannot create the SQLite database {database}: {path.parent} is not a directory")
    connect_args: dict[str, Any] = {"timeout": busy_timeout, "check_same_thread": False}
    if immutable is None:
        engine = create_engine(url, connect_args=connect_args)
    else:
        uri = f"file:{quote(str(immutable))}?mode=ro&immutable=1"
        engine = create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True, **connect_args))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            # A file this process may only read: the first writer has made it WAL (or cannot).
            if not _is_read_only_error(exc):
                raise
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()
        # SQLite's own lower() folds ASCII only; queries such as `worker statements --speaker` need
        # "Šefčovič" to match "šefčovič" as PostgreSQL's lower() does.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            # Deferred: a read snapshot and no write lock, so reads go on beside a writer (WAL)
            # and work on a file this process cannot write.
            conn.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front, so two writers wait on the busy timeout
        # instead of failing with "database is locked" when a read transaction tries to write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upsert_insert(session: Session) -> Any:
    """The dialect's ``insert`` (PostgreSQL's or SQLite's): the one with ``on_conflict_do_…``, which
    both spell alike; the store, queue, speakers and kept pages build their upserts with it."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


IN_CHUNK = 500  # values per IN (...) list, well under SQLite's limit on bound values


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in runs of IN_CHUNK: one IN (...) list each."""
    for start in range(0, len(items), IN_CHUNK):
        yield items[start:start + IN_CHUNK]
