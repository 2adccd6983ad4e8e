"""Who holds a lease, whether that holder has died on this machine, and keeping our own leases alive.

A lease owner id names the process that holds a feed or a page job (``lease_owner``, at most 64
characters)::

    host:pid:start:machine:tail

- ``host``: the host name, cut to 24 characters;
- ``pid`` and ``start``: the process id and the process's start time (clock ticks since boot,
  field 22 of ``/proc/<pid>/stat``; ``-`` where the system has no ``/proc``): together they tell
  a live process from a later one that was given the same pid;
- ``machine``: 8 hex digits of a hash of the boot id and the pid namespace, so a pid is only ever
  compared with pids of the same boot and the same namespace (two containers sharing a host name,
  or a holder from before a reboot, are never judged by a process table that is not theirs);
- ``tail``: a random part, so that two workers in one process hold different leases.

A claim takes over at once the leases of holders that are dead *here* (same host, same machine tag,
and the pid is gone, a zombie, or now a different process). Anything else — another host, an id of
the older ``host:pid:random`` form, an id of some other shape — is left until its lease expires.
While a worker runs, :class:`LeaseHeartbeat` renews its leases every third of the lease, so the
lease can be short and a worker that dies on another host holds its work only that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db import queue
from db.feeds import claim_feeds
from db.records import FeedState
from db.types import utcnow
from worker.pipeline.dbio import DbIO

log = logging.getLogger("worker.leases")

MAX_OWNER = 64  # lease_owner is String(64)
HOST_CHARS = 24
_PROC = Path("/proc")


@dataclass(frozen=True)
class Owner:
    """A lease owner id taken apart."""

    host: str
    pid: int
    start: int | None  # clock ticks since boot; None where it could not be read
    machine: str
    tail: str


@dataclass(frozen=True)
class Here:
    """This machine as lease owner ids name it."""

    host: str
    machine: str


# --- reading the process table ------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after ``(comm)`` (the 3rd field onwards), None if no such process."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return []
    return stat.rsplit(")", 1)[1].split()  # comm may hold spaces and parentheses


def process_start(pid: int) -> tuple[bool, int | None]:
    """(the process exists and is not a zombie, its start time in clock ticks since boot or None)."""
    if _PROC.is_dir():
        fields = _stat_fields(pid)
        if fields is None:
            return False, None
        if len(fields) < 20:
            return True, None
        if fields[0] in ("Z", "X"):  # exited, only its exit status is left: it holds nothing
            return False, None
        return True, int(fields[19]) if fields[19].isdigit() else None  # field 22 overall
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False, None
    except PermissionError:
        pass
    return True, None


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def host_name() -> str:
    return socket.gethostname().replace(":", "_")[:HOST_CHARS] or "?"


def here() -> Here:
    seed = f"{_read('/proc/sys/kernel/random/boot_id')}|{_pid_namespace()}"
    return Here(host_name(), hashlib.sha256(seed.encode()).hexdigest()[:8])


# --- owner ids ----------------------------------------------------------------------------------

def format_owner(owner: Owner) -> str:
    start = "-" if owner.start is None else str(owner.start)
    text = f"{owner.host}:{owner.pid}:{start}:{owner.machine}:{owner.tail}"
    if len(text) > MAX_OWNER:
        raise ValueError(f"lease owner id longer than {MAX_OWNER} characters: {text!r}")
    return text


def new_owner_id() -> str:
    """The owner id of a worker in this process (each call a new tail)."""
    pid = os.getpid()
    _, start = process_start(pid)
    where = here()
    return format_owner(Owner(where.host, pid, start, where.machine, uuid.uuid4().hex[:6]))


def _hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)


def parse_owner(text: str) -> Owner | None:
    """The parts of an owner id of the current form; None for anything else (older ids included)."""
    parts = text.split(":")
    if len(parts) != 5:
        return None
    host, pid, start, machine, tail = parts
    if not host or not pid.isdigit() or not (start == "-" or start.isdigit()):
        return None
    if len(machine) != 8 or not _hex(machine) or not _hex(tail):
        return None
    return Owner(host, int(pid), None if start == "-" else int(start), machine, tail)


def describe(owner: str) -> str:
    """``host:pid`` of an owner id (of either form) for messages; other ids as they are."""
    parsed = parse_owner(owner)
    if parsed is not None:
        return f"{parsed.host}:{parsed.pid}"
    parts = owner.split(":")
    if len(parts) == 3 and parts[1].isdigit():  # the older host:pid:random form
        return f"{parts[0]}:{parts[1]}"
    return owner


# --- deciding -----------------------------------------------------------------------------------

def judge(owner: Owner, where: Here, running: bool, start: int | None) -> bool:
    """Whether ``owner`` is dead, given what this machine's process table says of its pid
    (``running``: a live process has that pid; ``start``: that process's start time, if known).
    True only when sure: an owner on another host or in another boot or pid namespace is unknown."""
    if owner.host != where.host or owner.machine != where.machine:
        return False
    if not running:
        return True
    return owner.start is not None and start is not None and start != owner.start  # the pid was reused


def owner_is_dead_here(owner: str, where: Here | None = None) -> bool:
    """True when the process named by ``owner`` ran on this machine and has ended."""
    parsed = parse_owner(owner)
    if parsed is None:
        return False
    where = where or here()
    if parsed.host != where.host or parsed.machine != where.machine:
        return False
    running, start = process_start(parsed.pid)
    return judge(parsed, where, running, start)


def dead_owners(owners: Iterable[str], me: str) -> set[str]:
    """The owners among ``owners`` that are dead processes of this machine (never ``me``)."""
    where = here()
    return {o for o in set(owners) if o != me and owner_is_dead_here(o, where)}


# --- in the database (one transaction each, through the worker's DbIO) -----------------------------

def dead_holders(session: Session, me: str, now: datetime) -> set[str]:
    """Owners of live leases, on feeds or pages, that are dead processes of this machine."""
    return dead_owners(queue.lease_holders(session, now), me)


def claim_feeds_taking_over(session: Session, owner: str, now: datetime, lease_seconds: float,
                            **kwargs: Any) -> tuple[list[FeedState], list[tuple[str, str]]]:
    """:func:`db.feeds.claim_feeds`, taking over at once what dead processes of this machine hold:
    their feeds are claimable like free ones, their page jobs are given back to the queue (any
    worker's next page claim takes them). Feeds held by live workers are among the skipped, with
    who holds them until when. Nothing is updated that another claimer may have locked (SKIP
    LOCKED throughout), so concurrent takeovers on PostgreSQL never deadlock."""
    dead = dead_holders(session, owner, now)
    claimed = claim_feeds(session, owner, now, lease_seconds, dead_owners=dead, owner_label=describe,
                          **kwargs)
    if dead:
        log.info("taking over the leases of dead workers", extra={"owners": sorted(dead)})
        queue.release_dead_pages(session, dead)
    return claimed


def pages_held_elsewhere(session: Session, owner: str, now: datetime) -> int:
    """Due page jobs that other live (or not known to be dead) workers hold."""
    return queue.held_pages(session, now, exclude={owner} | dead_holders(session, owner, now))


def renew(session: Session, owner: str, now: datetime, lease_seconds: float, *,
          free_dead: bool = True) -> set[str]:
    """Extend every lease ``owner`` holds to now + lease; with ``free_dead``, give back the page
    jobs dead processes of this machine hold (their feeds are taken by the next claim of them).
    Returns the dead owners found."""
    queue.renew_leases(session, owner, now + timedelta(seconds=lease_seconds))
    dead: set[str] = set()
    if free_dead:
        dead = dead_holders(session, owner, now)
        queue.release_dead_pages(session, dead)
    return dead


class LeaseHeartbeat:
    """Renews ``owner``'s leases every ``lease / 3`` seconds while started (and gives back those of
    dead local workers), each time in one transaction through ``io``. ``start()`` on the running
    event loop; ``await stop()`` when the work ends (a renewal under way is finished first)."""

    def __init__(self, io: DbIO, owner: str, lease_seconds: float, *, interval: float | None = None,
                 free_dead: bool = True):
        self.io = io
        self.owner = owner
        self.lease = lease_seconds
        self.interval = interval if interval is not None else lease_seconds / 3
        self.free_dead = free_dead
        self.beats = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> LeaseHeartbeat:
        if self._task is None or self._task.done():
            self._stop = asyncio.Event()
            self._task = asyncio.ensure_future(self._run())
        return self

    async def beat(self) -> None:
        await self.io.transaction(lambda session: renew(session, self.owner, utcnow(), self.lease,
                                                        free_dead=self.free_dead))
        self.beats += 1

    async def _run(self) -> None:
        failing = False
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
            if self._stop.is_set():
                return
            try:
                await self.beat()
            except Exception as exc:  # the database may be back by the next beat; the work goes on
                if not failing:  # one line per outage, not one per beat
                    log.warning("could not renew leases: %s: %s", exc.__class__.__name__, exc)
                failing = True
            else:
                failing = False

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise


__all__ = ["Here", "LeaseHeartbeat", "Owner", "claim_feeds_taking_over", "dead_owners", "describe",
           "format_owner", "judge", "new_owner_id", "owner_is_dead_here", "pages_held_elsewhere",
           "parse_owner", "renew"]
