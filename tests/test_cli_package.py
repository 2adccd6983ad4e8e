"""The command modules' shared seams: open_db() closes the database however its block ends, the
helpers they share are public (no module imports another's private names), every JSON-lines task
reads its line through one reader, and `worker` runs as a console script and as `python -m`."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from db.database import Database
from db.migrate import current_revision, head_revision
from worker.cli import main
from worker.cli.database import open_db
from worker.jsonlines import string_fields
from worker.output import counted, one_line, short_feed
from worker.settings import settings_with

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[Database]:
    """The databases closed during the test, in order."""
    seen: list[Database] = []
    real_close = Database.close

    def close(self: Database) -> None:
        seen.append(self)
        real_close(self)

    monkeypatch.setattr(Database, "close", close)
    return seen


def test_open_db_closes_the_database_when_its_block_raises(tmp_path: Path, closed: list[Database]) -> None:
    settings = settings_with(database_url=f"sqlite:///{tmp_path / 'news.db'}")
    with pytest.raises(RuntimeError), open_db(settings) as db:
        with db.transaction():
            pass
        raise RuntimeError("the command failed")
    assert closed == [db]


def test_open_db_checks_the_schema_unless_told_not_to(tmp_path: Path, closed: list[Database]) -> None:
    settings = settings_with(database_url=f"sqlite:///{tmp_path / 'news.db'}")
    with open_db(settings, check_schema=False) as bare:
        assert current_revision(bare.engine) is None  # left as found: `worker db current` shows it so
    with open_db(settings, reading=True) as db:
        assert current_revision(db.engine) == head_revision()  # SQLite is upgraded on first use
    assert closed == [bare, db]


def test_a_command_closes_its_database_when_it_fails(tmp_path: Path, closed: list[Database],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "worker.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "news.db"}"\n')
    assert main(["feeds", "edit", "99", "--title", "T", "--config", str(config)]) == 2
    assert "no such feed: 99" in capsys.readouterr().err
    assert len(closed) == 1


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("worker", "db"):
            found += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    found = [hit for package in ("worker", "db") for path in sorted((ROOT / package).rglob("*.py"))
             for hit in _private_imports(path)]
    assert found == []


@pytest.mark.parametrize(("line", "expected"), [
    ('{"id": 1, "text": "t", "language": "en"}', (1, "t", "en")),
    ('{"id": "a", "text": "t"}', ("a", "t", None)),
    ('{"text": ""}', (None, "", None)),
    ("{not json", None),
    ('["a list"]', {"id": None, "error": "expected a JSON object"}),
    ('{"id": 2}', {"id": 2, "error": "missing or non-string 'text'"}),
    ('{"id": 3, "text": 5}', {"id": 3, "error": "missing or non-string 'text'"}),
    ('{"id": 4, "text": "t", "language": 7}', {"id": 4, "error": "'language' must be a string or null"}),
])
def test_string_fields_reads_a_line_or_answers_why_not(line: str, expected: Any) -> None:
    fields = string_fields(line, "text", "language")
    if expected is None:
        assert isinstance(fields, dict) and fields["id"] is None
        assert fields["error"].startswith("invalid JSON: ")
    else:
        assert fields == expected


def test_both_line_tasks_answer_a_bad_line_alike() -> None:
    from worker.cli.statements import parse_line
    from worker.extract.jsonl import extract_line

    line = json.dumps({"id": 9, "text": 1, "html": 1, "url": 1, "language": 1})
    assert parse_line(line) == {"id": 9, "error": "missing or non-string 'text'"}
    assert extract_line(line) == {"id": 9, "error": "missing or non-string 'html'"}
    assert parse_line("[]") == extract_line("[]") == {"id": None, "error": "expected a JSON object"}


def test_table_cells_and_summary_lines() -> None:
    assert one_line("  a\n\tb  c ", 10) == "a b c"
    assert one_line("abcdefghij", 5) == "abcd…"
    assert short_feed({"feed_title": None, "feed_url": "https://example.org/a/very/long/feed/url"}) == (
        "https://example.org/a/v…")
    assert short_feed({"feed_title": "Daily\nNews", "feed_url": "x"}) == "Daily News"
    assert short_feed({}) == ""
    assert counted([(0, "none"), (2, "two"), (1, "one")]) == ["two", "one"]


def test_the_console_script_and_python_m_run_the_same_main() -> None:
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["worker"]
    module, _, name = target.partition(":")
    assert getattr(importlib.import_module(module), name) is main
    run = subprocess.run([sys.executable, "-m", "worker.cli", "--version"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0 and run.stdout.startswith("worker "), run.stderr
