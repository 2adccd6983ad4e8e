"""The database of a command, open for the length of a `with` block and closed however it ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.database import Database
from db.engine import make_engine, make_read_engine
from worker.settings import Settings
from worker.speakers import article_speakers


@contextmanager
def open_db(settings: Settings, *, reading: bool = False, check_schema: bool = True) -> Iterator[Database]:
    """The database of ``settings``, closed (its connections too) when the block ends.

    reading=True for commands that only read (through `Database.read()`): a SQLite file they cannot
    write is read all the same. check_schema=False leaves the schema as it is found, for the
    `db` commands that show or migrate it; otherwise it is checked (and SQLite upgraded) first,
    as `Database.open` does."""
    if check_schema:
        db = Database.open(settings.database_url, busy_timeout=settings.sqlite_busy_timeout, reading=reading,
                           speaker_rules=article_speakers)
    else:
        opener = make_read_engine if reading else make_engine
        db = Database(opener(settings.database_url, busy_timeout=settings.sqlite_busy_timeout))
    try:
        yield db
    finally:
        db.close()
