"""Politeness: how many requests run at once, per host and overall, and how often one host is hit.

:class:`HostLimiter` hands out slots::

    async with limiter.slot("example.com"):
        ...  # one request to example.com

A slot is granted when (1) fewer than ``per_host`` requests to that host are running,
(2) at least ``delay`` seconds passed since the previous request to that host started, and
(3) fewer than ``total`` requests are running overall. Waiting for the delay does not hold a
global slot. Hosts are compared lower-cased. asyncio only. (A server's Retry-After pauses its
origin for every worker: that is stored, see ``db.queue.pause_origin``.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    running: asyncio.Semaphore
    users: int = 0
    last_start: float = field(default=-float("inf"))


class HostLimiter:
    """Global and per-host concurrency plus a minimum gap between request starts to one host."""

    _PRUNE_ABOVE = 512

    def __init__(self, total: int, per_host: int, delay: float) -> None:
        if total < 1 or per_host < 1 or delay < 0:
            raise ValueError("total and per_host must be at least 1, delay not negative")
        self.total = total
        self.per_host = per_host
        self.delay = delay
        self._global = asyncio.Semaphore(total)
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            if len(self._hosts) >= self._PRUNE_ABOVE:
                self._prune()
            state = self._hosts[key] = _Host(asyncio.Semaphore(self.per_host))
        return state

    def _prune(self) -> None:
        """Forget idle hosts whose delay is over: they would impose nothing anymore."""
        now = time.monotonic()
        for key, state in list(self._hosts.items()):
            if state.users == 0 and state.last_start + self.delay <= now:
                del self._hosts[key]

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a slot for one request to ``host`` and hold it for the ``async with`` body."""
        state = self._host(host)
        state.users += 1
        try:
            async with state.running:
                await self._wait_turn(state)
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            state.users -= 1

    async def _wait_turn(self, state: _Host) -> None:
        """Return holding a global slot, at a moment this host may start a request."""
        while True:
            wait = state.last_start + self.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            await self._global.acquire()
            # No await between this check and recording the start: the gap cannot be raced.
            now = time.monotonic()
            if now >= state.last_start + self.delay:
                state.last_start = now
                return
            self._global.release()


__all__ = ["HostLimiter"]
