"""DbIO: database calls off the event loop; grouped writes commit together, and a failing unit is
rolled back alone while the others in its group are kept. On both databases."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.database import Database
from db.feeds import add_feed
from db.models import Feed
from worker.pipeline.dbio import DbIO


def urls(db: Database) -> set[str]:
    with db.transaction() as session:
        return set(session.scalars(select(Feed.url)))


def test_writes_are_grouped_and_a_failing_unit_is_rolled_back_alone(database: Database) -> None:
    threads: set[str] = set()

    def unit(url: str, fail: bool = False) -> object:
        def write(session: Session) -> str:
            threads.add(threading.current_thread().name)
            add_feed(session, url)
            if fail:
                raise LookupError(f"no {url}")
            return url
        return write

    async def run() -> list[object]:
        io = DbIO(database)
        try:
            return await asyncio.gather(
                io.write(unit("https://a.example/rss")), io.write(unit("https://b.example/rss", fail=True)),
                io.write(unit("https://c.example/rss")), return_exceptions=True)
        finally:
            io.close()

    outcome = asyncio.run(run())
    assert outcome[0] == "https://a.example/rss" and outcome[2] == "https://c.example/rss"
    assert isinstance(outcome[1], LookupError)
    assert urls(database) == {"https://a.example/rss", "https://c.example/rss"}
    assert threads and all(name.startswith("db") for name in threads)  # never the event loop's thread


def test_a_transaction_runs_on_the_database_thread_and_returns_its_value(database: Database) -> None:
    async def run() -> tuple[str, str]:
        io = DbIO(database)
        try:
            await io.write(lambda s: add_feed(s, "https://a.example/rss"))
            return await io.transaction(lambda s: (threading.current_thread().name,
                                                   s.scalars(select(Feed.url)).one()))
        finally:
            io.close()

    name, url = asyncio.run(run())
    assert name.startswith("db") and url == "https://a.example/rss"
