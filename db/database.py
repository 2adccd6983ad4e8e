"""One object the rest of the worker uses to reach the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db import migrate
from db.engine import DatabaseError, make_engine, session_factory


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = session_factory(engine)

    @classmethod
    def open(cls, url: str, *, busy_timeout: float = 30.0, upgrade: bool | None = None) -> Database:
        """Connect and check the schema. SQLite is upgraded on first use unless upgrade=False;
        PostgreSQL only when upgrade=True (`worker db upgrade`), since it is often shared."""
        engine = make_engine(url, busy_timeout=busy_timeout)
        auto = engine.dialect.name == "sqlite" if upgrade is None else upgrade
        try:
            migrate.ensure_schema(engine, auto_upgrade=auto)
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

    def close(self) -> None:
        self.engine.dispose()
