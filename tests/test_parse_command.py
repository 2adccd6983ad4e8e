"""`worker parse`: text in, the parser's statements out as JSON, with no database; `--jsonl` is what
the shared statement scorer drives (`uv run -q worker parse --jsonl`)."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cliharness import run

from worker.statements import parse_statements

JANE = "“We will win,” Jane Doe said."
JOHN = "“Taxes will fall,” John Smith said."
FIELDS = {"speaker", "speaker_type", "role", "speaker_start", "speaker_end", "cue", "content",
          "content_start", "content_end", "content_spans", "kind", "confidence"}


def expected(text: str) -> list[dict[str, Any]]:
    return [s.to_dict() for s in parse_statements(text)]


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory where any database would show up; `parse` must create none."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKER_DATABASE_URL", f"sqlite:///{tmp_path / 'news.db'}")
    yield tmp_path
    assert not (tmp_path / "news.db").exists()


def test_parse_a_file_keeps_offsets_into_the_text_as_written(no_database: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = f"Windows line ends.\r\n\r\n{JANE}\r\nThe crowd went home. {JOHN}\n"
    (no_database / "story.txt").write_bytes(text.encode("utf-8"))
    code, out, _ = run(capsys, "parse", "story.txt")
    statements = json.loads(out)
    assert code == 0 and statements == expected(text) and len(statements) >= 2
    assert all(set(s) == FIELDS for s in statements)
    assert all(" ".join(text[a:b] for a, b in s["content_spans"]) == s["content"] for s in statements)


@pytest.mark.parametrize("args", [("parse",), ("parse", "-")])
def test_parse_reads_stdin_without_a_file_or_with_a_dash(args: tuple[str, ...],
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"Über den Fluss.\r\n{JOHN}"
    stdin_bytes(monkeypatch, text.encode("utf-8"))
    code, out, _ = run(capsys, *args)
    assert code == 0 and json.loads(out) == expected(text) and json.loads(out)


def test_parse_refuses_what_it_cannot_read(no_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "parse", "missing.txt")
    assert code == 2 and "missing.txt" in err
    (no_database / "latin1.txt").write_bytes("“Ça ira,” Jean Dupont said.".encode("cp1252"))
    code, _, err = run(capsys, "parse", "latin1.txt")
    assert code == 2 and "UTF-8" in err


def test_parse_jsonl_answers_each_line_in_order_and_goes_on_after_a_bad_one(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps({"id": "a", "text": JANE}), "{not json", json.dumps({"id": 2, "text": JOHN}), "",
             json.dumps({"id": "no-text"}), "[1, 2]", json.dumps({"id": "empty", "text": ""})]
    stdin_bytes(monkeypatch, "\n".join(lines).encode("utf-8"))
    code, out, _ = run(capsys, "parse", "--jsonl")
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(results) == 6  # one per non-blank line
    assert results[0] == {"id": "a", "statements": expected(JANE)} and results[0]["statements"]
    assert results[1]["id"] is None and "invalid JSON" in results[1]["error"]
    assert results[2] == {"id": 2, "statements": expected(JOHN)}
    assert results[3]["id"] == "no-text" and "text" in results[3]["error"]
    assert results[4] == {"id": None, "error": "expected a JSON object"}
    assert results[5] == {"id": "empty", "statements": []}


def test_parse_jsonl_reads_a_file_too(no_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (no_database / "in.jsonl").write_text(json.dumps({"id": 7, "text": JANE}) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "parse", "--jsonl", "in.jsonl")
    assert code == 0 and [json.loads(line) for line in out.splitlines()] == [
        {"id": 7, "statements": expected(JANE)}]


@pytest.mark.slow
def test_parse_jsonl_answers_a_line_before_the_next_arrives(no_database: Path) -> None:
    """Through the console script, as the scorer runs it: every answer is flushed at once."""
    script = Path(sys.executable).with_name("worker")
    env = {k: v for k, v in os.environ.items()
           if (not k.startswith("WORKER_") or k.startswith("WORKER_TEST_")) and k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen([str(script), "parse", "--jsonl"], cwd=no_database, env=env, text=True,
                            encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for n, text in enumerate((JANE, JOHN)):
            proc.stdin.write(json.dumps({"id": n, "text": text}) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no answer while the input stays open"
            assert json.loads(proc.stdout.readline()) == {"id": n, "statements": expected(text)}
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0 and proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
