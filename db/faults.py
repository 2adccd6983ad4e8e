"""Which database errors mean the database cannot be used now, as opposed to a fault of one unit of
work (a constraint, a bug): the first end a run (`worker` exits 3), the second are recorded on
the feed or page they belong to and the run goes on."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from db.engine import DatabaseError


class DatabaseUnavailable(DatabaseError):
    """The database stopped answering (server gone, connection refused or cut, lock not granted
    within the busy timeout, disk full, file read-only). Nothing half-written was committed."""


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", "") or "")


def unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """``exc`` as a DatabaseUnavailable when it says the database cannot be used, else None.

    A PostgreSQL serialization failure or deadlock (SQLSTATE class 40) is an OperationalError too,
    but only the transaction lost: running it again works, so it is not reported here."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if not isinstance(exc, DBAPIError):
        return None
    if not (isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated):
        return None
    if _sqlstate(exc).startswith("40"):
        return None
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    message = lines[0] if lines else exc.__class__.__name__
    if message == "database is locked":
        message += " (another process held the write lock for longer than sqlite_busy_timeout)"
    return DatabaseUnavailable(message)


def transient(exc: BaseException) -> bool:
    """Only this transaction lost (a PostgreSQL deadlock or serialization failure, SQLSTATE class
    40): running it again is the documented remedy."""
    return isinstance(exc, DBAPIError) and _sqlstate(exc).startswith("40")
