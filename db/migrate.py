"""Schema versions: upgrade with Alembic, and refuse databases newer than this code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.backfill import SPEAKERS_REVISION, SpeakerRules, fill_speaker_ids
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


def upgrade(engine: Engine, to: str = "head", *,
            speaker_rules: SpeakerRules | None = None) -> tuple[str | None, str]:
    """Bring the schema to the newest revision (or to revision `to`); returns (before, after).

    Going past migration 0007 from before it also fills in the speakers of the statements stored so
    far (db/backfill.py), with `speaker_rules` (worker/speakers `article_speakers`), in the same
    transaction: after the schema reached head, since it runs today's code."""
    before = current_revision(engine)
    _check_known(before)
    if before is None and _has_foreign_tables(engine):
        raise DatabaseError("the database has tables but no worker schema version; refusing to touch it")
    after = head_revision() if to == "head" else to
    rules = _speaker_step(engine, before, after, speaker_rules)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        # Read again in the transaction: a worker that upgraded the database a moment ago has
        # filled the speakers in already.
        started = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(cfg, to)
        if rules is not None and started == before:
            fill_speaker_ids(Session(bind=conn), rules)
    return before, after


def _passes(before: str, after: str, revision: str) -> bool:
    """Whether upgrading from `before` to `after` applies `revision`."""
    scripts = ScriptDirectory.from_config(_config())
    return revision in {s.revision for s in scripts.iterate_revisions(after, before)}


def _speaker_step(engine: Engine, before: str | None, after: str,
                  rules: SpeakerRules | None) -> SpeakerRules | None:
    """The rules to fill in speakers with after this upgrade, None when there is nothing to fill in;
    refuses an upgrade that would leave the statements stored so far without their speakers."""
    if before is None or not _passes(before, after, SPEAKERS_REVISION) or not _has_statements(engine):
        return None
    if after != head_revision():
        raise DatabaseError(
            f"upgrading from {before} past {SPEAKERS_REVISION} fills in the speakers of the stored "
            "statements with today's code, which needs the newest schema: upgrade to head, or to before "
            f"{SPEAKERS_REVISION}"
        )
    if rules is None:
        raise DatabaseError(
            f"the database is at schema revision {before}: upgrading it fills in the speakers of the stored "
            "statements, which needs the worker's speaker rules; run `worker db upgrade`"
        )
    return rules


def _has_statements(engine: Engine) -> bool:
    if "statements" not in inspect(engine).get_table_names():
        return False  # before migration 0002
    with read_only(engine).connect() as conn:
        return conn.execute(text("SELECT 1 FROM statements LIMIT 1")).first() is not None


def _has_foreign_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names & {"feeds", "articles", "feed_entries", "statements"})


def ensure_schema(engine: Engine, *, auto_upgrade: bool, speaker_rules: SpeakerRules | None = None) -> None:
    """Make sure the schema is current: upgrade it (SQLite) or explain what to run (PostgreSQL).
    `speaker_rules` as for `upgrade`."""
    current = current_revision(engine)
    _check_known(current)
    if current == head_revision():
        return
    if auto_upgrade:
        upgrade(engine, speaker_rules=speaker_rules)
        return
    state = "has no worker schema yet" if current is None else f"is at schema revision {current}"
    raise SchemaOutdated(f"the database {state}; run `worker db upgrade` first")
