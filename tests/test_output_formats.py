"""`worker articles` and `worker statements` as JSON, JSON lines, CSV and tables, on SQLite and
PostgreSQL through the CLI: the same rows in every format, the article's URL and feed in each,
CSV that round-trips commas, quotes, line breaks and non-ASCII text; `--stored-since` beside
`--since`; options before and after the command; a help line for every option."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from outputsite import STORIES, Run, ingest_site, site_cli
from server import LocalServer

from worker.cli import build_parser
from worker.formats import RowWriter, csv_cell, write_rows


@pytest.fixture
def run(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> Run:
    go = site_cli(monkeypatch, db_url, tmp_path, capsys)
    ingest_site(go, http_server, "--quiet")
    return go


def as_csv(value: Any) -> str:
    """A JSON value as the CSV writer renders it."""
    cell = csv_cell(value)
    return cell if isinstance(cell, str) else str(cell)


def same_rows(json_rows: list[dict[str, Any]], csv_rows: list[dict[str, str]]) -> None:
    assert len(json_rows) == len(csv_rows)
    for j, c in zip(json_rows, csv_rows, strict=True):
        assert list(c) == list(j)  # the same columns, in the same order
        assert {k: as_csv(v) for k, v in j.items()} == c


@pytest.mark.parametrize("command", ["articles", "statements"])
def test_every_format_holds_the_same_rows(run: Run, command: str, http_server: LocalServer) -> None:
    code, out, _ = run(command, "--json")
    rows = json.loads(out)
    assert code == 0 and rows
    code, out, _ = run(command, "--jsonl")
    assert code == 0 and [json.loads(line) for line in out.splitlines()] == rows
    assert len(out.splitlines()) == len(rows)
    code, out, _ = run(command, "--csv")
    assert code == 0 and out.endswith("\n") and "\r" not in out.replace("\r\n", "")
    same_rows(rows, list(csv.DictReader(io.StringIO(out))))
    feed = http_server.url("/rss.xml")
    for row in rows:
        assert row["url"].startswith(http_server.url("/news/"))
        assert row["feed_url"] == feed and row["feed_title"] == 'Valley Post, "Daily"'
    code, out, _ = run(command)
    assert code == 0 and 'Valley Post, "Daily"' in out
    assert all(r["url"] in out for r in rows)  # the table shows each row's URL


def test_csv_keeps_commas_quotes_line_breaks_and_non_ascii(run: Run) -> None:
    code, out, _ = run("articles", "--csv")
    assert code == 0
    parsed = {r["title"]: r for r in csv.DictReader(io.StringIO(out))}
    sefcovic = parsed['Šefčovič: "no deal, no vote"']
    assert "“We will not sign, not today, not tomorrow,” Maroš Šefčovič said." in sefcovic["text"]
    assert "\n\n" in sefcovic["text"]  # paragraphs, inside one quoted cell
    code, out, _ = run("statements", "--speaker", "šefčovič", "--csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["speaker"] == "Maroš Šefčovič" and row["content"] == "We will not sign, not today, not tomorrow,"
    (start, end), = json.loads(row["content_spans"])  # compact JSON, as stored
    assert sefcovic["text"][start:end] == row["content"]
    assert row["published_at"] == "2019-03-01T09:00:00+00:00"


def test_stored_since_finds_old_stories_ingested_today(run: Run) -> None:
    stories = len(STORIES)
    for command in ("articles", "statements"):
        code, out, _ = run(command, "--since", "7d", "--json")
        assert code == 0 and json.loads(out) == []  # published in 2019
        code, out, _ = run(command, "--stored-since", "7d", "--json")
        found = json.loads(out)
        assert found and all(r["published_at"].startswith("2019-03") for r in found)
        code, out, _ = run(command, "--stored-since", "2999-01-01", "--json")
        assert json.loads(out) == []
        code, out, _ = run(command, "--since", "2019-03-03", "--stored-since", "1h", "--json")
        assert found and all(r["published_at"] >= "2019-03-03" for r in json.loads(out))
    code, out, _ = run("articles", "--stored-since", "1d", "--json")
    assert len(json.loads(out)) == stories
    code, _, err = run("articles", "--stored-since", "yesterday-ish")
    assert code == 2 and "2026-01-31" in err


def test_options_before_and_after_the_command(run: Run, tmp_path: Path, http_server: LocalServer) -> None:
    code, after, _ = run("articles", "--json")
    code2, before, _ = run("--json", "articles")
    assert code == code2 == 0 and json.loads(after) == json.loads(before)
    code, out, _ = run("--json", "statements", "--limit", "1")
    assert code == 0 and len(json.loads(out)) == 1
    code, _, err = run("--json", "articles", "--csv")
    assert code == 2 and "--json or --csv" in err
    code, _, err = run("articles", "--jsonl", "--csv")
    assert code == 2 and "not allowed" in err
    code, _, err = run("--json", "feeds", "add", "https://example.org/rss")
    assert code == 2 and "feeds add has no JSON output" in err

    missing = tmp_path / "missing.toml"
    for args in (["--config", str(missing), "articles"], ["articles", "--config", str(missing)]):
        code, _, err = run(*args)
        assert code == 2 and "missing.toml" in err, args
    config = tmp_path / "json-logs.toml"
    config.write_text('log_format = "json"\n', encoding="utf-8")
    feed = http_server.url("/rss.xml")
    for args in (["ingest", "--feed", feed, "-q", "-v", "--config", str(config)],
                 ["-v", "--config", str(config), "ingest", "--feed", feed, "-q"]):
        code, out, err = run(*args)
        logged = [json.loads(line) for line in err.splitlines()]
        assert code == 0 and any(line["msg"] == "feed polled" for line in logged), args
    code, out, err = run("ingest", "--feed", feed, "-q")
    assert code == 0 and err == ""  # neither -v nor progress


def _walk(parser: argparse.ArgumentParser, where: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if not choice.help:
                    missing.append(f"{where} {choice.dest}")
            for name, sub in action.choices.items():
                missing += _walk(sub, f"{where} {name}")
        elif not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_option_and_command_has_a_help_line() -> None:
    assert _walk(build_parser(), "worker") == []


def test_writer_formats_without_a_database() -> None:
    rows = [{"b": "x, \"y\"\nz", "a": None, "c": [[1, 2]]}, {"a": 1, "b": "ü", "c": {"k": 1}}]
    out = io.StringIO()
    assert write_rows(rows, "json", out, ("a", "b", "c")) == 2
    assert json.loads(out.getvalue()) == rows
    assert out.getvalue() == json.dumps([{k: r[k] for k in "abc"} for r in rows], ensure_ascii=False,
                                        indent=2) + "\n"
    out = io.StringIO()
    write_rows([], "json", out, ("a",))
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_rows(rows, "csv", out, ("a", "b", "c"))
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["a", "b", "c"], ["", "x, \"y\"\nz", "[[1,2]]"], ["1", "ü", '{"k":1}']]
    out = io.StringIO()
    writer = RowWriter("jsonl", out, ("a",))
    writer.write(rows[0])
    writer.close()
    assert json.loads(out.getvalue()) == rows[0] and list(json.loads(out.getvalue())) == ["a", "b", "c"]
