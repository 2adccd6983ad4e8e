"""`worker export` through the CLI on SQLite and PostgreSQL: every article with its statements as
JSON lines or CSV, the filters, the progress line, and memory that does not grow with the number
of articles (checked here on a modest generated set; bench/export.py does 100,000)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from outputsite import Run, ingest_site, site_cli
from server import LocalServer

import db.export
from worker.cli import main
from worker.cli.export import CSV_COLUMNS, JSONL_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_export", ROOT / "bench" / "export.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ARTICLES = 1_200  # more than two batches of 500
STATEMENTS = 3
WITHOUT = 7  # every 7th article has no statements


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return site_cli(monkeypatch, db_url, tmp_path, capsys)


@pytest.fixture
def generated(run: Run, db_url: str) -> Run:
    bench.generate(db_url, ARTICLES, statements=STATEMENTS, every_nth_without=WITHOUT)
    return run


def said(i: int) -> int:
    return 0 if i % WITHOUT == 0 else STATEMENTS


def test_jsonl_has_every_article_with_its_statements(generated: Run) -> None:
    code, out, err = generated("export", "-q")
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in lines] == list(range(1, ARTICLES + 1))  # in id order, across batches
    assert list(lines[0]) == list(JSONL_COLUMNS)
    for article in lines:
        i = article["id"] - 1
        assert article["feed_url"] == bench.feed_url(i % bench.FEEDS)
        assert article["feed_title"] == f"News {i % bench.FEEDS}, \"daily\""
        assert article["url"] == f"https://news{i % bench.FEEDS}.example/story/{i}"
        assert len(article["statements"]) == said(i)
        text, expected = bench.article_text(i, said(i))
        assert article["text"] == text
        for got, want in zip(article["statements"], expected, strict=True):
            assert {k: got[k] for k in want} == want
            assert text[got["content_start"]:got["content_end"]] == got["content"]
    assert "content_hash" not in lines[0] and "article_id" not in lines[1]["statements"][0]


def test_csv_has_a_row_per_statement_with_its_article(generated: Run) -> None:
    code, out, _ = generated("export", "--format", "csv", "--quiet")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == sum(max(said(i), 1) for i in range(ARTICLES))
    by_article: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        by_article.setdefault(int(row["article_id"]), []).append(row)
    assert sorted(by_article) == list(range(1, ARTICLES + 1))
    lonely = by_article[1]  # article 0: no statements, one row with the statement columns empty
    assert len(lonely) == 1 and lonely[0]["statement_id"] == lonely[0]["speaker"] == ""
    assert lonely[0]["feed_url"] == bench.feed_url(0)
    row = by_article[2][1]
    _, expected = bench.article_text(1, STATEMENTS)
    assert row["content"] == expected[1]["content"] and '"more"' in row["content"]  # quotes and commas
    assert row["speaker"] == expected[1]["speaker"] and row["title"] == 'Story 1: bridges, roads & "more"'
    assert json.loads(row["content_spans"]) == expected[1]["content_spans"]
    assert row["published_at"] == "2020-01-01T01:00:00+00:00"


def test_filters_and_progress(generated: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = generated("export", "--since", "2020-01-10", "-q")
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert code == 0 and ids == list(range(9 * 24 + 1, ARTICLES + 1))  # published from the 10th
    code, out, _ = generated("export", "--stored-since", "7d", "-q")
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert ids == [i + 1 for i in range(ARTICLES) if i % 20 < 7]  # stored up to 6 days ago
    code, out, _ = generated("export", "--since", "7d", "-q")
    assert out == ""  # published in 2020
    code, out, _ = generated("export", "--feed", bench.feed_url(3), "--format", "csv", "-q")
    assert {r["feed_url"] for r in csv.DictReader(io.StringIO(out))} == {bench.feed_url(3)}
    code, _, err = generated("export", "--format", "xml")
    assert code == 2 and "invalid choice" in err

    monkeypatch.setenv("WORKER_PROGRESS_INTERVAL", "0")
    code, out, err = generated("export")
    assert code == 0 and err.splitlines()[-1].startswith(f"progress: articles {ARTICLES}/{ARTICLES} (")


class Sink(io.TextIOBase):
    """stdout that counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def peak_memory(*args: str) -> tuple[int, int]:
    """Peak Python memory (bytes, tracemalloc) of one `worker export` in this process, and the
    characters it wrote."""
    sink, saved = Sink(), sys.stdout
    sys.stdout = sink
    tracemalloc.start()
    try:
        assert main(["export", "-q", *args]) == 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        sys.stdout = saved
    return peak, sink.chars


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_articles(generated: Run,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten times the articles, the same peak: a batch at a time is held, never the export."""
    monkeypatch.setattr(db.export, "EXPORT_BATCH", 50)
    peak_memory("--feed", bench.feed_url(0))  # warm up: imports, caches, connections
    for fmt in ("jsonl", "csv"):
        tenth, tenth_chars = peak_memory("--format", fmt, "--feed", bench.feed_url(0))
        whole, whole_chars = peak_memory("--format", fmt)
        assert whole_chars > 9 * tenth_chars  # ten times the output...
        assert whole < 1.5 * tenth + 512 * 1024, (fmt, whole, tenth)  # ...not ten times the memory


def test_export_of_ingested_articles_matches_the_listings(run: Run, http_server: LocalServer) -> None:
    ingest_site(run, http_server, "-q")
    code, out, _ = run("export")
    exported = [json.loads(line) for line in out.splitlines()]
    code, out, _ = run("statements", "--json")
    listed: list[dict[str, Any]] = json.loads(out)
    assert code == 0 and listed
    flat = [{**s, "article_id": a["id"], "url": a["url"]} for a in exported for s in a["statements"]]
    assert sorted((s["id"], s["article_id"], s["speaker"], s["content"], s["url"]) for s in flat) == \
        sorted((s["id"], s["article_id"], s["speaker"], s["content"], s["url"]) for s in listed)
    assert any("Šefčovič" in s["speaker"] for s in flat)
    assert {a["feed_url"] for a in exported} == {http_server.url("/rss.xml")}
