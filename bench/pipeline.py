"""End-to-end ingest bench: naive loop, `worker extract --jsonl` and `worker ingest`, one site, one run.

usage: uv run python bench/pipeline.py [--feeds 40] [--items 50] [--scale 1] [--real-share 1 | --synthetic]
           [--runs naive,naive-statements,extract,ingest] [--database URL] [--py-spy OUT.txt]
           [--extract-statements] [--naive-httpx-get] [--quiet-wait 300] [--json FILE]

One site process (bench/site_fixture.py; real news pages by default) serves feeds x items articles;
the same pages are then
  naive             bench/naive.py --base SITE: the sequential loop, no statements (a subprocess;
                    one httpx.Client, or httpx.get per request with --naive-httpx-get);
  naive-statements  the same with worker.statements.parse_statements on every text;
  extract           `worker extract --jsonl` over every page as {"id","url","html"} lines (the
                    lines are written to a file first; the run reads it on stdin); with
                    --extract-statements, `worker extract --jsonl --statements`;
  ingest            `worker ingest --json --feed URL ...` (the CLI, a subprocess) with
                    WORKER_PER_HOST_DELAY=0, WORKER_PER_HOST_CONCURRENCY=16, 127.0.0.0/8 allowed, on
                    a fresh database (SQLite file, or --database; PostgreSQL databases named bench_*
                    are created for the run and dropped after it), migrated with `worker db upgrade`
                    before the clock starts.
Each run's wall and CPU time are taken from outside (os.wait4; process start and imports included);
the naive rate is articles / the loop's own wall. The ingest's memory is the peak of the sum over the
ingest process and all its descendants, sampled every 0.2 s (RSS and PSS; proctree.py). --scale 5
multiplies the feeds (memory should stay flat). --py-spy OUT profiles one more ingest, on a fresh
SQLite file, with `py-spy record --subprocesses --format raw` (not timed) and prints its top functions.
Every run also shows the site's CPU seconds (it shares the 2 cores) and "others": the cores other
processes on the machine kept busy meanwhile, on average — above ~0.1 the wall times are skewed.
Before each run the bench waits (up to --quiet-wait seconds) for such load to stop.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from proctree import Measured, cpu_seconds, measure, wait_quiet
from profile_top import top
from site_fixture import Site, local_site

BENCH = Path(__file__).resolve().parent
RUNS = ("naive", "naive-statements", "extract", "ingest")


def worker_cmd() -> list[str]:
    script = Path(sys.executable).parent / "worker"
    return [str(script)] if script.exists() else [sys.executable, "-m", "worker.cli"]


def ingest_env(database_url: str, concurrency: int) -> dict[str, str]:
    return {**os.environ, "WORKER_DATABASE_URL": database_url, "WORKER_ALLOWED_NETWORKS": "127.0.0.0/8",
            "WORKER_PER_HOST_DELAY": "0", "WORKER_PER_HOST_CONCURRENCY": str(concurrency),
            "WORKER_CONCURRENCY": str(concurrency)}


@contextmanager
def fresh_database(url: str | None, tmp: Path, name: str) -> Iterator[str]:
    """A SQLite file in tmp, or the given URL; a PostgreSQL database named bench_* is (re)created
    for the run and dropped after it."""
    if url is None:
        yield f"sqlite:///{tmp / name}.db"
        return
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgresql") or not dbname.startswith("bench_"):
        yield url
        return
    import psycopg

    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def line(label: str, m: Measured, items: int, site_cpu: float, extra: str = "") -> str:
    return (f"{label:17} wall {m.wall:7.2f} s  {items / m.wall:7.1f} /s  CPU {m.cpu:6.1f} s "
            f"({1000 * m.cpu / max(items, 1):.0f} ms/article)  largest process {m.max_rss_one:4.0f} MiB  "
            f"site CPU {site_cpu:.1f} s  others {m.others(site_cpu):.2f} cores{extra}")


def quiet(limit: float) -> None:
    """Let other work on the machine finish first (bounded): it would skew the wall times."""
    if limit <= 0:
        return
    waited, load = wait_quiet(limit)
    if waited > 3 or load >= 0.3:
        print(f"{'':17} (waited {waited:.0f} s for a quiet machine; other load now {load:.2f} cores)",
              flush=True)


def run_naive(site: Site, statements: bool, out: dict[str, object], httpx_get: bool = False) -> None:
    flags = (["--statements"] if statements else []) + (["--client-per-request"] if httpx_get else [])
    cmd = [sys.executable, str(BENCH / "naive.py"), "--base", site.base, "--feeds", str(len(site.feed_urls)),
           "--json", *flags]
    site_cpu = cpu_seconds(site.pid)
    with tempfile.TemporaryFile() as stdout:
        m = measure(cmd, stdout=stdout, sample=False)
        stdout.seek(0)
        result = json.loads(stdout.read().decode().strip().splitlines()[-1])
    label = "naive-statements" if statements else "naive"
    site_cpu = cpu_seconds(site.pid) - site_cpu
    out[label] = {**vars(m), "site_cpu": site_cpu, "others": m.others(site_cpu), "loop": result}
    r = result
    print(f"{label:17} loop {r['wall']:7.2f} s  {r['rate']:7.1f} /s  ({r['articles']} articles, "
          f"{r['with_text']} with text, {r['statements']} statements)", flush=True)
    print(line("", m, r["articles"], site_cpu, "  (process)"), flush=True)


def run_extract(site: Site, tmp: Path, out: dict[str, object], statements: bool = False) -> None:
    pages = tmp / "pages.jsonl"
    count = 0
    with pages.open("w", encoding="utf-8") as handle:
        for url, body, content_type in site.page_bodies():
            charset = content_type.partition("charset=")[2] or "utf-8"
            html = body.decode(charset, "replace")
            handle.write(json.dumps({"id": count, "url": url, "html": html}) + "\n")
            count += 1
    site_cpu = cpu_seconds(site.pid)  # idle during this run: the pages come from the file
    with pages.open("rb") as stdin, (tmp / "extracted.jsonl").open("wb") as stdout:
        m = measure([*worker_cmd(), "extract", "--jsonl", *(["--statements"] if statements else [])],
                    stdin=stdin, stdout=stdout)
    site_cpu = cpu_seconds(site.pid) - site_cpu
    with (tmp / "extracted.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(r) for r in handle]
    with_text = sum(1 for r in rows if r.get("text"))
    pages.unlink()
    out["extract"] = {"pages": count, "rows": len(rows), "with_text": with_text, **vars(m),
                      "others": m.others(site_cpu)}
    label = "extract --jsonl" + (" -s" if statements else "")
    print(line(label, m, count, site_cpu, f"  ({len(rows)} of {count} pages out, {with_text} with text)"),
          flush=True)


def run_ingest(site: Site, database: str | None, tmp: Path, concurrency: int,
               out: dict[str, object], py_spy: Path | None = None) -> None:
    with fresh_database(database if py_spy is None else None, tmp, "profile" if py_spy else "ingest") as url:
        env = ingest_env(url, concurrency)
        subprocess.run([*worker_cmd(), "db", "upgrade"], env=env, check=True, capture_output=True)
        cmd = [*worker_cmd(), "ingest", "--json"] + [a for f in site.feed_urls for a in ("--feed", f)]
        if py_spy is not None:
            spy = shutil.which("py-spy") or str(Path.home() / ".local/bin/py-spy")
            cmd = [spy, "record", "--subprocesses", "--format", "raw", "-o", str(py_spy), "--", *cmd]
        site_cpu = cpu_seconds(site.pid)
        with (tmp / "summary.json").open("wb") as stdout:
            m = measure(cmd, env=env, stdout=stdout, sample=py_spy is None)
        site_cpu = cpu_seconds(site.pid) - site_cpu
        text = (tmp / "summary.json").read_text(encoding="utf-8")
        if m.returncode:
            sys.exit(f"worker ingest exited {m.returncode}:\n{text[-2000:]}")
        summary, _ = json.JSONDecoder().raw_decode(text, text.index("{"))  # py-spy adds lines after it
        articles = summary["articles_new"]
        distinct = ""
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
                query = "SELECT count(*), count(DISTINCT content_hash) FROM articles"
                n, hashes = db.execute(query).fetchone()
            distinct = f", {n} rows with {hashes} distinct texts"
    if py_spy is not None:
        print(f"ingest under py-spy: wall {m.wall:.2f} s, {articles} articles; profile {py_spy}")
        print(top(py_spy))
        return
    out["ingest"] = {**vars(m), "summary": {k: v for k, v in summary.items() if k != "feeds"},
                     "site_cpu": site_cpu, "others": m.others(site_cpu)}
    print(line("ingest", m, articles, site_cpu))
    s = summary
    print(f"{'':17} {articles} new articles ({s['pages_fetched']} from pages, {s['pages_fallback']} "
          f"from feed text, {s['pages_retrying']} retrying), {s['statements_stored']} statements, "
          f"{s['feeds_failed']} feeds failed{distinct}")
    print(f"{'':17} memory of the ingest's process tree: peak RSS sum {m.peak_rss_sum:.0f} MiB, peak PSS sum "
          f"{m.peak_pss_sum:.0f} MiB, up to {m.peak_processes} processes ({m.samples} samples)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--scale", type=int, default=1, help="multiply the feeds (the site) by this")
    ap.add_argument("--real-share", type=float, default=1.0,
                    help="share of the item pages that are real news pages, the rest synthetic (default 1)")
    ap.add_argument("--synthetic", action="store_true", help="synthetic pages only (--real-share 0)")
    ap.add_argument("--quiet-wait", type=float, default=300, metavar="SECONDS",
                    help="before each run, wait up to this long for other load to stop (0: never)")
    ap.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, of {', '.join(RUNS)}")
    ap.add_argument("--database", help="SQLAlchemy URL for the ingest (default: a fresh SQLite file)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--extract-statements", action="store_true",
                    help="run `worker extract --jsonl --statements` (releases that have the flag)")
    ap.add_argument("--naive-httpx-get", action="store_true",
                    help="naive loops call module-level httpx.get (a client per request; naive.py)")
    ap.add_argument("--py-spy", type=Path, metavar="OUT", help="also profile one ingest into OUT (raw)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE as JSON")
    args = ap.parse_args()
    runs = [r for r in args.runs.split(",") if r]
    if unknown := set(runs) - set(RUNS):
        ap.error(f"unknown runs: {', '.join(sorted(unknown))}")
    feeds = args.feeds * args.scale
    share = 0.0 if args.synthetic else args.real_share
    out: dict[str, object] = {"feeds": feeds, "items": args.items, "articles": feeds * args.items,
                              "real_share": share}
    with local_site(feeds, args.items, real_share=share) as site, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        print(f"site: {feeds} feeds x {args.items} items = {feeds * args.items} pages ({share:.0%} real news "
              f"pages) at {site.base} (pid {site.pid}); cores {os.cpu_count()}", flush=True)
        for run in runs:
            quiet(args.quiet_wait)
            if run in ("naive", "naive-statements"):
                run_naive(site, run == "naive-statements", out, args.naive_httpx_get)
            elif run == "extract":
                run_extract(site, tmp, out, args.extract_statements)
            else:
                run_ingest(site, args.database, tmp, args.concurrency, out)
        if args.py_spy:
            quiet(args.quiet_wait)
            run_ingest(site, None, tmp, args.concurrency, out, py_spy=args.py_spy)
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


def report(out: dict[str, object]) -> None:
    ingest, naive, extract = out.get("ingest"), out.get("naive"), out.get("extract")
    if not isinstance(ingest, dict):
        return
    rate = ingest["summary"]["articles_new"] / ingest["wall"]
    print(f"ingest: {rate:.1f} articles/s (issue: >= 100); peak RSS sum {ingest['peak_rss_sum']:.0f} MiB, "
          f"PSS sum {ingest['peak_pss_sum']:.0f} MiB (issue: <= 600 MB = 572 MiB)")
    if isinstance(naive, dict):
        naive_rate = naive["loop"]["rate"]
        print(f"ingest rate / naive rate = {rate:.1f} / {naive_rate:.1f} = {rate / naive_rate:.2f} "
              f"(issue: >= 0.6)")
    if isinstance(extract, dict):
        print(f"ingest wall / extract --jsonl wall = {ingest['wall']:.2f} / {extract['wall']:.2f} = "
              f"{ingest['wall'] / extract['wall']:.2f} (issue: <= 1.25)")


if __name__ == "__main__":
    main()
