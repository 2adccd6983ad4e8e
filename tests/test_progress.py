"""Seeing what a long command does: the progress display (a live bar on a terminal, a line every
few seconds otherwise, nothing with --quiet), the run summary's failures by reason, and `-v`'s
line per page; through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from outputsite import FAILING, STORIES, Run, ingest_site, serve_site, site_cli
from server import LocalServer

from worker.pipeline.progress import NO_PROGRESS
from worker.pipeline.runner import FAILURE_URLS, FailureGroup, add_failure, failure_reason
from worker.progress import BarProgress, LineProgress, make_progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_line_progress_writes_a_line_per_interval_with_rate_and_eta() -> None:
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, 5.0, clock)
    progress.expect("feeds", 10)
    progress.advance("feeds", 2)
    assert out.getvalue() == ""  # not yet 5 seconds
    clock.now += 5
    progress.expect("pages", 4)
    progress.advance("feeds", 3)
    assert out.getvalue() == "progress: feeds 5/10 (1.0/s, ETA 5s) | pages 0/4\n"
    clock.now += 1
    progress.advance("pages")
    assert out.getvalue().count("\n") == 1  # one line per interval at most
    clock.now += 5
    progress.advance("feeds", 5)
    progress.advance("pages", 3)
    assert out.getvalue().splitlines()[-1] == "progress: feeds 10/10 (0.9/s) | pages 1/4 (1.0/s, ETA 3s)"
    progress.close()
    assert out.getvalue().splitlines()[-1] == "progress: feeds 10/10 (0.9/s) | pages 4/4 (0.7/s)"


def test_line_progress_of_a_short_run_says_nothing() -> None:
    out = io.StringIO()
    progress = LineProgress(out, 5.0, Clock())
    progress.expect("articles", 3)
    progress.advance("articles", 3)
    progress.close()
    assert out.getvalue() == ""


def test_more_done_than_expected_raises_the_total() -> None:
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, 0.0, clock)
    progress.expect("pages", 1)
    clock.now += 1
    progress.advance("pages", 2)
    assert "pages 2/2" in out.getvalue()


def test_the_display_follows_the_stream() -> None:
    assert make_progress(quiet=True, interval=5, stream=Terminal()) is NO_PROGRESS
    assert isinstance(make_progress(quiet=False, interval=5, stream=io.StringIO()), LineProgress)
    bars = make_progress(quiet=False, interval=5, stream=Terminal())
    assert isinstance(bars, BarProgress)
    bars.expect("feeds", 4)
    bars.advance("feeds", 3)
    bars.expect("pages", 2)
    bars.advance("pages", 2)
    bars.close()
    assert isinstance(bars, BarProgress)
    shown = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", bars.bars.console.file.getvalue())  # type: ignore[attr-defined]
    assert "feeds" in shown and "3/4" in shown and "pages" in shown and "2/2" in shown
    assert "/s" in shown and "ETA" in shown


def test_log_lines_go_above_the_bars() -> None:
    terminal = Terminal()
    handler = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        bars = BarProgress(terminal)
        assert handler.stream is not terminal
        bars.advance("pages")
        logging.getLogger("worker.pages").warning("page fetched url=https://example.org/a")
        bars.close()
        assert handler.stream is terminal
    finally:
        root.removeHandler(handler)
    assert "page fetched url=https://example.org/a\n" in terminal.getvalue()


def test_failures_are_grouped_by_reason_without_details() -> None:
    assert failure_reason("page text too short (120 characters)") == "page text too short"
    assert failure_reason("page is not HTML (text/plain)") == "page is not HTML"
    assert failure_reason("page fetch failed: server answered HTTP 404") == \
        "page fetch failed: server answered HTTP 404"
    groups: dict[str, FailureGroup] = {}
    for n in range(5):
        add_failure(groups, f"page text too short ({n} characters)", f"https://x.example/{n}")
    assert groups == {"page text too short": FailureGroup(5, [f"https://x.example/{n}" for n in range(FAILURE_URLS)])}


@pytest.fixture
def run(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> Run:
    return site_cli(monkeypatch, db_url, tmp_path, capsys)


def test_ingest_reports_progress_off_a_terminal_and_quiet_silences_it(
        run: Run, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_PROGRESS_INTERVAL", "0")
    good, broken = serve_site(http_server)
    code, out, err = run("ingest", "--feed", good, "--feed", broken)
    assert code == 0
    lines = err.splitlines()
    assert lines and all(line.startswith("progress: feeds ") for line in lines)
    assert lines[-1].startswith("progress: feeds 2/2 (") and f"| pages {len(STORIES)}/{len(STORIES)} (" in lines[-1]
    code, out, err = run("reparse", "--all")
    assert code == 0 and err.splitlines()[-1].startswith(f"progress: articles {len(STORIES)}/{len(STORIES)} (")
    code, out, err = run("ingest", "--feed", good, "--quiet")
    assert code == 0 and out.startswith("feeds: 1 ok") and err == ""
    code, _out, err = run("reparse", "--all", "-q")
    assert code == 0 and err == ""


def test_summary_lists_failed_feeds_and_pages_by_reason(run: Run, http_server: LocalServer) -> None:
    summary = ingest_site(run, http_server, "-q")
    broken = http_server.url("/broken.xml")
    assert summary["failed_feeds"] == {"server answered HTTP 503": {"count": 1, "urls": [broken]}}
    pages = summary["failed_pages"]
    assert isinstance(pages, dict) and sum(g["count"] for g in pages.values()) == len(FAILING)
    by_url = {url: reason for reason, group in pages.items() for url in group["urls"]}
    assert set(by_url) == {http_server.url(f"/news/{slug}") for slug in FAILING}
    assert "404" in by_url[http_server.url("/news/gone")] and "500" in by_url[http_server.url("/news/broken")]
    assert by_url[http_server.url("/news/plain")] == "page is not HTML"

    # the same as text, after the counts (the retried page fails again)
    code, out, _err = run("ingest", "--feed", http_server.url("/rss.xml"), "--feed", broken, "-q")
    assert code == 0
    text = out[out.index("failed feeds, by reason:"):]
    assert f"      1  server answered HTTP 503: {broken}\n" in text
    # not due again yet: the pages that failed are not retried in this run
    assert "failed pages" not in text


def test_verbose_logs_one_line_per_page(run: Run, http_server: LocalServer) -> None:
    good, _ = serve_site(http_server)
    code, _out, err = run("ingest", "--feed", good, "-v", "-q")
    assert code == 0
    pages = [line for line in err.splitlines() if " worker.pages: page " in line]
    assert len(pages) == len(STORIES)
    for slug, *_ in STORIES:
        (line,) = [p for p in pages if f"url={http_server.url('/news/' + slug)} " in p]
        if slug in FAILING:
            assert "page to retry" in line or "page feed text kept" in line
            assert "error=" in line
        else:
            assert "page fetched" in line


def test_summary_json_is_plain_json(run: Run, http_server: LocalServer) -> None:
    summary = ingest_site(run, http_server, "-q")
    assert json.loads(json.dumps(summary)) == summary
    assert summary["feeds_failed"] == 1 and summary["pages_fetched"] == len(STORIES) - len(FAILING)
