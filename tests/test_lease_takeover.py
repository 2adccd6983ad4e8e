"""Leases on both databases: a dead local holder's feeds and pages are taken over at once, a live
holder's and another host's are left until they expire, and the heartbeat keeps ours alive."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from server import LocalServer
from sqlalchemy import select, text

from db import queue
from db.database import Database
from db.feeds import add_feed, claim_feeds
from db.models import Feed, PageJob
from db.types import utcnow
from worker.cli.ingest import print_summary
from worker.pipeline import leases
from worker.pipeline.dbio import DbIO
from worker.pipeline.leases import Owner, format_owner, parse_owner
from worker.pipeline.runner import Worker
from worker.settings import settings_with

pytestmark = pytest.mark.slow  # waits on processes, signals, servers or locks

PARAGRAPH = ("<p>The council met on Tuesday to discuss the proposal and several members asked for more "
             "detail on the costs before the final vote was taken by the full chamber.</p>")


def dead_owner() -> str:
    """The owner id of a real worker process of this host that has exited."""
    code = "from worker.pipeline.leases import new_owner_id; print(new_owner_id())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def far_owner(dead: str) -> str:
    """A holder on another host (with a pid that is dead here: that must not matter)."""
    parsed = parse_owner(dead)
    assert parsed is not None
    return format_owner(Owner("elsewhere", parsed.pid, parsed.start, parsed.machine, "abc123"))


def rows(db: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    with db.transaction() as session:
        result = session.execute(text(sql), params)
        return [dict(r._mapping) for r in result] if result.returns_rows else []


def lease(db: Database, table: str, where: str, holder: str, until: datetime, **params: Any) -> None:
    rows(db, f"UPDATE {table} SET lease_owner = :holder, lease_until = :held_until WHERE {where}", holder=holder,
         held_until=until, **params)


def held_until(db: Database, model: type[Feed] | type[PageJob], holder: str) -> datetime:
    with db.transaction() as session:
        until = session.scalars(select(model.lease_until).where(model.lease_owner == holder)).one()
    assert until is not None
    return until


def seed(db: Database, holders: dict[str, str]) -> None:
    """One feed per name, each with one article whose page is queued; both held by holders[name]."""
    now = utcnow()
    with db.transaction() as session:
        for name in holders:
            feed, _ = add_feed(session, f"https://{name}.example/feed")
            session.execute(text(
                "INSERT INTO articles (url, text, source, content_hash, extracted_at, extractor_version, "
                "created_at, updated_at, page_attempts) VALUES (:u, 't', 'feed', 'h', :n, 'v', :n, :n, 0)"),
                {"u": f"https://{name}.example/a", "n": now})
            article_id = session.execute(text("SELECT id FROM articles WHERE url = :u"),
                                         {"u": f"https://{name}.example/a"}).scalar_one()
            queue.enqueue_page(session, article_id, feed.id, f"https://{name}.example/a", now)
    until = now + timedelta(seconds=300)
    for name, holder in holders.items():
        lease(db, "feeds", "url = :url", holder, until, url=f"https://{name}.example/feed")
        lease(db, "page_jobs", "url = :url", holder, until, url=f"https://{name}.example/a")


def test_claims_take_over_a_dead_local_holder_at_once_and_leave_the_others_until_expiry(
        database: Database) -> None:
    dead, live = dead_owner(), leases.new_owner_id()  # live: this very process
    far = far_owner(dead)
    seed(database, {"dead": dead, "live": live, "far": far})
    me = leases.new_owner_id()
    now = utcnow()
    with database.transaction() as session:  # without knowing who is dead: nothing is free
        assert claim_feeds(session, me, now, 60)[0] == []
        assert queue.claim_pages(session, me, now, 60, limit=10) == []
        assert queue.lease_holders(session, now) == {dead, live, far}
    with database.transaction() as session:
        pages = queue.claim_pages(session, me, now, 60, limit=10, dead_owners={dead})
    assert [p.url for p in pages] == ["https://dead.example/a"]
    with database.transaction() as session:
        claimed, skipped = leases.claim_feeds_taking_over(session, me, now, 60)
    assert [s.url for s in claimed] == ["https://dead.example/feed"]
    why = dict(skipped)
    assert set(why) == {"https://live.example/feed", "https://far.example/feed"}
    assert why["https://live.example/feed"].startswith(f"held by {leases.describe(live)} until ")
    assert why["https://far.example/feed"].startswith("held by elsewhere:")
    assert rows(database, "SELECT lease_owner FROM feeds WHERE url = 'https://dead.example/feed'") == [
        {"lease_owner": me}]
    with database.transaction() as session:
        assert leases.pages_held_elsewhere(session, me, utcnow()) == 2  # live's and far's, not ours

    rows(database, "UPDATE feeds SET lease_until = :t WHERE lease_owner <> :me", t=now - timedelta(seconds=1),
         me=me)
    rows(database, "UPDATE page_jobs SET lease_until = :t WHERE lease_owner <> :me",
         t=now - timedelta(seconds=1), me=me)
    with database.transaction() as session:  # expired: anyone's
        claimed, skipped = leases.claim_feeds_taking_over(session, me, utcnow(), 60)
        pages = queue.claim_pages(session, me, utcnow(), 60, limit=10)
    assert len(claimed) == 3 and skipped == []
    assert sorted(p.url for p in pages) == ["https://far.example/a", "https://live.example/a"]


def test_a_dead_holders_pages_are_given_back_by_the_claim_of_feeds(database: Database) -> None:
    dead = dead_owner()
    seed(database, {"dead": dead})
    with database.transaction() as session:
        leases.claim_feeds_taking_over(session, "someone", utcnow(), 60, urls=[])  # claims no feed
    assert rows(database, "SELECT lease_owner FROM page_jobs") == [{"lease_owner": None}]


def test_the_heartbeat_extends_our_leases_and_frees_those_of_dead_holders(database: Database) -> None:
    dead, live = dead_owner(), leases.new_owner_id()
    seed(database, {"mine": "x", "dead": dead, "live": live})
    me = leases.new_owner_id()
    soon = utcnow() + timedelta(seconds=1)
    lease(database, "feeds", "url = 'https://mine.example/feed'", me, soon)
    lease(database, "page_jobs", "url = 'https://mine.example/a'", me, soon)
    live_until = held_until(database, Feed, live)

    async def run() -> int:
        io = DbIO(database)
        heartbeat = leases.LeaseHeartbeat(io, me, 120, interval=0.05).start()
        try:
            for _ in range(200):
                if heartbeat.beats >= 2:
                    break
                await asyncio.sleep(0.02)
        finally:
            await heartbeat.stop()
            io.close()
        return heartbeat.beats

    assert asyncio.run(run()) >= 2
    later = utcnow() + timedelta(seconds=100)
    assert held_until(database, Feed, me) > later and held_until(database, PageJob, me) > later
    assert rows(database, "SELECT count(*) AS n FROM page_jobs WHERE lease_owner = :o", o=dead) == [{"n": 0}]
    # the dead holder's feed is left to the next claim (which takes it: see the claim tests above);
    # updating it here could wait on a claimer's row lock, and that claimer on ours
    assert rows(database, "SELECT count(*) AS n FROM feeds WHERE lease_owner = :o", o=dead) == [{"n": 1}]
    assert held_until(database, Feed, live) == live_until  # a live holder's lease is its own business


def test_the_heartbeat_is_started_and_stopped_by_ingest(http_server: LocalServer, database: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.add("/feed", '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>')
    with database.transaction() as session:
        add_feed(session, http_server.url("/feed"))
    started: list[leases.LeaseHeartbeat] = []
    original = leases.LeaseHeartbeat.start

    def spy(self: leases.LeaseHeartbeat) -> leases.LeaseHeartbeat:
        started.append(self)
        return original(self)

    monkeypatch.setattr(leases.LeaseHeartbeat, "start", spy)
    s = settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, processes=0, lease=90)
    worker = Worker(s, database)
    assert asyncio.run(worker.ingest()).feeds_ok == 1
    assert len(started) == 1 and started[0].owner == worker.owner and started[0].interval == 30
    assert started[0]._task is None  # stopped


def test_ingest_takes_over_a_dead_workers_feeds_and_pages_and_reports_a_live_ones(
        http_server: LocalServer, database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    items = "".join(f"<item><guid>{n}</guid><title>Story {n}</title><link>{http_server.url(f'/p/{n}')}</link>"
                    f"<description>Summary of story {n}.</description></item>" for n in range(3))
    http_server.add("/feed", f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
                             "</channel></rss>", headers={"ETag": '"v1"'})
    http_server.add("/other", '<?xml version="1.0"?><rss version="2.0"><channel><title>O</title></channel></rss>')
    for n in range(3):
        http_server.add(f"/p/{n}", "busy", status=503)
    s = settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, fetch_timeout=10, processes=0)
    with database.transaction() as session:
        add_feed(session, http_server.url("/feed"))
        add_feed(session, http_server.url("/other"))
    assert asyncio.run(Worker(s, database).ingest()).pages_retrying == 3  # queued, to retry later
    for n in range(3):
        http_server.add(f"/p/{n}", f"<html><body><article><h1>Story {n}</h1>{PARAGRAPH * 4}</article></body></html>",
                        headers={"Content-Type": "text/html"})
    # The state a `kill -9` leaves: a dead process holds a feed and two due pages; a live one holds
    # the other feed and one due page.
    dead, live = dead_owner(), leases.new_owner_id()
    until = utcnow() + timedelta(seconds=300)
    rows(database, "UPDATE page_jobs SET next_attempt_at = :n", n=utcnow())
    lease(database, "feeds", "url = :u", dead, until, u=http_server.url("/feed"))
    lease(database, "feeds", "url = :u", live, until, u=http_server.url("/other"))
    lease(database, "page_jobs", "url <> :u", dead, until, u=http_server.url("/p/2"))
    lease(database, "page_jobs", "url = :u", live, until, u=http_server.url("/p/2"))

    summary = asyncio.run(Worker(s, database).ingest())
    assert summary.feeds_not_modified == 1 and summary.feeds_skipped == 1
    assert (summary.feeds[0].url, summary.feeds[0].status) == (http_server.url("/other"), "skipped")
    assert (summary.feeds[0].error or "").startswith(f"held by {leases.describe(live)} until ")
    assert summary.pages_fetched == 2 and summary.pages_held_elsewhere == 1
    assert http_server.hits("/other") == 1  # only the first run's poll
    states = rows(database, "SELECT url, state, lease_owner FROM page_jobs ORDER BY url")
    assert [(r["state"], r["lease_owner"]) for r in states] == [("fetched", None), ("fetched", None),
                                                                ("pending", live)]
    print_summary(summary, as_json=False)
    out = capsys.readouterr().out
    assert "pages: 1 due but left to the other live workers holding them" in out
    assert f"skipped: {http_server.url('/other')}: held by {leases.describe(live)} until " in out
    print_summary(summary, as_json=True)
    assert '"pages_held_elsewhere": 1' in capsys.readouterr().out


@pytest.mark.postgres
def test_two_workers_taking_over_one_dead_workers_leases_never_deadlock(
        postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each claims half of a dead worker's feeds (row locks held to the end of its transaction),
    then frees the dead worker's page jobs: nothing either does may wait on the other's locks."""
    import threading

    db = Database.open(postgres_schema_url, upgrade=True)
    try:
        dead = dead_owner()
        with db.transaction() as session:
            for i in range(10):
                feed, _ = add_feed(session, f"https://x{i}.example/feed")
                session.execute(text("INSERT INTO articles (url, text, source, content_hash, extracted_at, "
                                     "extractor_version, created_at, updated_at, page_attempts) VALUES "
                                     "(:u, 't', 'feed', 'h', :n, 'v', :n, :n, 0)"),
                                {"u": f"https://x{i}.example/a", "n": utcnow()})
                article = session.execute(text("SELECT max(id) FROM articles")).scalar_one()
                queue.enqueue_page(session, article, feed.id, f"https://x{i}.example/a", utcnow())
        rows(db, "UPDATE feeds SET lease_owner = :d, lease_until = :u", d=dead, u=utcnow() + timedelta(minutes=5))
        rows(db, "UPDATE page_jobs SET lease_owner = :d, lease_until = :u", d=dead, u=utcnow() + timedelta(minutes=5))
        both_claimed = threading.Barrier(2, timeout=10)
        claim = leases.claim_feeds

        def claim_then_wait(*args: Any, **kwargs: Any) -> Any:
            claimed = claim(*args, **kwargs)
            both_claimed.wait()  # the other holds its rows now, and we hold ours
            return claimed

        monkeypatch.setattr(leases, "claim_feeds", claim_then_wait)
        outcomes: dict[str, Any] = {}

        def take_over(name: str) -> None:
            try:
                with db.transaction() as session:
                    claimed, _ = leases.claim_feeds_taking_over(session, name, utcnow(), 60, limit=5)
                outcomes[name] = len(claimed)
            except Exception as exc:  # a deadlock lands here
                outcomes[name] = exc

        threads = [threading.Thread(target=take_over, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert outcomes == {"a": 5, "b": 5}
        assert rows(db, "SELECT count(*) AS n FROM page_jobs WHERE lease_owner IS NOT NULL") == [{"n": 0}]
    finally:
        db.close()
