"""One object the rest of the worker uses to reach the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db import migrate
from db.backfill import SpeakerRules
from db.engine import DatabaseError, make_engine, make_read_engine, read_only, session_factory


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = session_factory(engine)
        self._readers = session_factory(read_only(engine))

    @classmethod
    def open(cls, url: str, *, busy_timeout: float = 30.0, upgrade: bool | None = None,
             reading: bool = False, speaker_rules: SpeakerRules | None = None) -> Database:
        """Connect and check the schema. SQLite is upgraded on first use unless upgrade=False;
        PostgreSQL only when upgrade=True (`worker db upgrade`), since it is often shared.
        Checking a current schema writes nothing. reading=True is for callers that only use
        `read()`: a SQLite file they cannot write is read all the same (see make_read_engine).
        speaker_rules: for an upgrade that fills in speakers (db/migrate.py `upgrade`)."""
        opener = make_read_engine if reading else make_engine
        engine = opener(url, busy_timeout=busy_timeout)
        auto = engine.dialect.name == "sqlite" if upgrade is None else upgrade
        try:
            migrate.ensure_schema(engine, auto_upgrade=auto, speaker_rules=speaker_rules)
        except OperationalError as exc:
            engine.dispose()
            raise DatabaseError(f"cannot use the database: {str(exc.orig).strip()}") from exc
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit at the end of the block, roll back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads, rolled back at the end: deferred on SQLite (no write
        lock, so it goes on while a writer holds the lock), READ ONLY on PostgreSQL."""
        with self._readers() as session:
            session.begin()
            yield session

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (for health checks)."""
        with self.read() as session:
            session.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()
