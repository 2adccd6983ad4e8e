"""Schema versions: upgrade with Alembic, and refuse databases newer than this code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from db.engine import DatabaseError, read_only

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaTooNew(DatabaseError):
    """The database was migrated by a newer version of the worker."""


class SchemaOutdated(DatabaseError):
    """The database needs `worker db upgrade`."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision, read in a read-only transaction (no write lock on SQLite)."""
    try:
        with read_only(engine).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot open the database: {exc.__class__.__name__}: {_first_line(exc)}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


def _check_known(revision: str | None) -> None:
    if revision is None:
        return
    scripts = ScriptDirectory.from_config(_config())
    known = {s.revision for s in scripts.walk_revisions()}
    if revision not in known:
        raise SchemaTooNew(
            f"the database schema is at revision {revision}, newer than this worker knows "
            f"(its newest is {head_revision()}); upgrade the worker instead of using it on this database"
        )


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Bring the schema to the newest revision (or to revision `to`); returns (before, after)."""
    before = current_revision(engine)
    _check_known(before)
    if before is None and _has_foreign_tables(engine):
        raise DatabaseError("the database has tables but no worker schema version; refusing to touch it")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)
    return before, head_revision() if to == "head" else to


def _has_foreign_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names & {"feeds", "articles", "feed_entries", "statements"})


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current: upgrade it (SQLite) or explain what to run (PostgreSQL)."""
    current = current_revision(engine)
    _check_known(current)
    if current == head_revision():
        return
    if auto_upgrade:
        upgrade(engine)
        return
    state = "has no worker schema yet" if current is None else f"is at schema revision {current}"
    raise SchemaOutdated(f"the database {state}; run `worker db upgrade` first")
