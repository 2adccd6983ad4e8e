"""`worker export` on a large database: peak memory and rate (a benchmark, not a timed test).

usage: uv run python bench/export.py [--articles 100000] [--statements 3] [--database URL]
       [--keep]

Generates ``--articles`` articles (each ~1.5 kB of text with ``--statements`` statements, spread
over ten feeds) in a fresh SQLite file (or the given database, which must be empty and, for
PostgreSQL, migrated with `worker db upgrade`), then runs the `worker export` CLI in a child
process, as JSON lines and as CSV, once over every article and once over one feed's tenth of them,
output to /dev/null. Prints per run the wall time, articles per second (after the start-up an
export of nothing takes) and the child's peak resident memory: memory flat in the number of
articles shows the export streams (a batch at a time) instead of holding them.

`generate` is also used by tests/test_export.py to build a modest set.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy import text as sql

from db.database import Database
from db.models import Article, Feed, FeedEntry, Statement

FEEDS = 10
FILLER = ("The valley road was resurfaced over the summer and reopened to traffic in early September. "
          "Shops along the high street have extended their opening hours for the winter season. ") * 6
SPEAKERS = ("Jane Doe", "Maroš Šefčovič", "John Smith", "Anna Müller", "Council members")


def feed_url(n: int) -> str:
    return f"https://news{n}.example/rss.xml"


def article_text(i: int, statements: int) -> tuple[str, list[dict[str, object]]]:
    """The text of article ``i`` and its statements (offsets into the text, as the parser stores them)."""
    text, said = "", []
    for k in range(statements):
        speaker = SPEAKERS[(i + k) % len(SPEAKERS)]
        content = f"We will build {i} bridges, {k} roads and \"more\", whatever it costs"
        start = len(text) + 1
        end = start + len(content)
        text += f"“{content},” {speaker} said.\n\n"
        said.append({"speaker": speaker, "speaker_type": "person", "role": None, "cue": "said",
                     "content": content, "kind": "direct", "content_start": start,
                     "content_end": end, "content_spans": [[start, end]],
                     "speaker_start": end + 3, "speaker_end": end + 3 + len(speaker),
                     "confidence": 0.9, "parser_version": "bench"})
    return text + FILLER, said


def generate(database_url: str, articles: int, *, statements: int = 3, every_nth_without: int = 0,
             batch: int = 2000) -> None:
    """Fill an empty database with ``articles`` articles in FEEDS feeds. Article i (from 0) is
    published 2020-01-01 plus i hours and was stored i % 20 days ago; with every_nth_without=n,
    every n-th article has no statements."""
    db = Database.open(database_url, upgrade=True)
    now = datetime.now(UTC)
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(Feed), [{"id": n + 1, "url": feed_url(n), "title": f"News {n}, \"daily\""}
                                         for n in range(FEEDS)])
        for first in range(0, articles, batch):
            rows, entries, said = [], [], []
            for i in range(first, min(first + batch, articles)):
                count = 0 if every_nth_without and i % every_nth_without == 0 else statements
                text, found = article_text(i, count)
                rows.append({"id": i + 1, "url": f"https://news{i % FEEDS}.example/story/{i}",
                             "title": f"Story {i}: bridges, roads & \"more\"", "author": "Desk",
                             "published_at": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                             "language": "en", "text": text, "summary": None, "source": "page",
                             "content_hash": f"{i:064x}", "extracted_at": now, "extractor_version": "bench",
                             "statements_version": "bench", "created_at": now - timedelta(days=i % 20),
                             "updated_at": now})
                entries.append({"feed_id": i % FEEDS + 1, "article_id": i + 1, "guid": str(i),
                                "link": rows[-1]["url"], "first_seen_at": now})
                said += [{"article_id": i + 1, **s} for s in found]
            with db.engine.begin() as conn:
                conn.execute(insert(Article), rows)
                conn.execute(insert(FeedEntry), entries)
                if said:
                    conn.execute(insert(Statement), said)
        if db.dialect == "postgresql":  # what autovacuum does after a bulk load, before anyone queries
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sql("ANALYZE"))
    finally:
        db.close()


def export_run(database_url: str, *args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `worker export` child writing to /dev/null."""
    env = {**os.environ, "WORKER_DATABASE_URL": database_url}
    worker = Path(sys.executable).with_name("worker")
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen([str(worker), "export", "--quiet", *args], stdout=sink, env=env)
        _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"worker export {' '.join(args)} failed")
    return took, usage.ru_maxrss / 1024  # kB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--statements", type=int, default=3, help="statements per article (default 3)")
    ap.add_argument("--database", help="an empty database's SQLAlchemy URL (default: a fresh SQLite file)")
    ap.add_argument("--keep", action="store_true", help="keep the generated SQLite file and say where")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="export-bench-")
    url = args.database or f"sqlite:///{tmp}/export.db"
    started = time.perf_counter()
    generate(url, args.articles, statements=args.statements)
    print(f"generated {args.articles} articles x {args.statements} statements in "
          f"{time.perf_counter() - started:.1f} s ({url})", flush=True)
    tenth = args.articles // FEEDS
    start, rss = export_run(url, "--stored-since", "2999-01-01")
    print(f"export of nothing (start-up, imports): {start:.1f} s, peak RSS {rss:.0f} MiB", flush=True)
    for fmt in ("jsonl", "csv"):
        for label, extra, n in (("all", [], args.articles), ("one feed", ["--feed", feed_url(0)], tenth)):
            took, rss = export_run(url, "--format", fmt, *extra)
            rate = n / max(took - start, 1e-3)
            print(f"export {fmt:5} {label:8}: {n:7} articles in {took:6.1f} s ({rate:6.0f} articles/s "
                  f"after start-up), peak RSS {rss:5.0f} MiB", flush=True)
    if args.database is None and not args.keep:
        Path(tmp, "export.db").unlink()
        for extra in ("-wal", "-shm"):
            Path(tmp, f"export.db{extra}").unlink(missing_ok=True)
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
