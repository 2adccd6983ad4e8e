"""Hostile input gets a clear answer and loses nothing: charset labels that name no text encoding,
JSON nested a hundred thousand deep, invalid UTF-8 and lone surrogates, out-of-range command-line
values. Through the real parts: decode_html, parse_feed, the JSON-lines engines, `worker` itself,
and `Worker.ingest` against the local server on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

import pytest
from cliharness import use_local_site
from server import LocalServer
from sqlalchemy import text

from db.database import Database
from db.feeds import add_feed
from worker.cli import main
from worker.cli.arguments import MAX_LIMIT, parse_since
from worker.cli.statements import run_parse_jsonl
from worker.extract import extract_article
from worker.extract.jsonl import run_jsonl
from worker.jsonlines import run_lines
from worker.parse.feed import parse_feed
from worker.pipeline.charset import LABELS, decode_html, text_encoding
from worker.pipeline.runner import Worker
from worker.pool import CpuPool
from worker.settings import settings_with

NOT_TEXT = ["rot13", "base64", "punycode", "hex", "zlib", "uu", "bz2", "quopri", "idna", "undefined",
            "unicode_escape", "raw_unicode_escape", "utf-7", "mbcs", "x-user-defined", "bogus"]
SENTENCE = "The council met on Tuesday to discuss the proposal and asked for more detail on the costs. "
DEEP = ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000]


# --- charset labels: pages -------------------------------------------------------------------------

def test_a_label_that_is_no_text_encoding_is_as_good_as_none() -> None:
    for label in NOT_TEXT:
        utf8 = "<p>Café “crème” naïve</p>".encode()
        cp1252 = "<p>Café “crème” naïve</p>".encode("cp1252")
        assert decode_html(utf8, f"text/html; charset={label}") == "<p>Café “crème” naïve</p>", label
        assert decode_html(cp1252, f"text/html; charset={label}") == "<p>Café “crème” naïve</p>", label
        meta = f'<html><head><meta charset="{label}"></head><body><p>Café naïve</p></body></html>'
        assert decode_html(meta.encode(), "text/html") == meta, label
        assert decode_html(meta.encode("cp1252"), None) == meta, label
        equiv = f'<meta http-equiv="Content-Type" content="text/html; charset={label}"><p>Café</p>'
        assert decode_html(equiv.encode(), None) == equiv, label
        assert text_encoding(label) is None, label


def test_labels_are_read_as_browsers_read_them() -> None:
    quoted = "“quoted” — café".encode("cp1252")
    for label in ("ISO-8859-1", "latin1", "US-ASCII", " windows-1252 ", "\"iso-8859-1\""):
        assert decode_html(quoted, f"text/html; charset={label}") == "“quoted” — café", label
    assert decode_html("Привет".encode("cp1251"), "text/html; charset=windows-1251") == "Привет"
    # labels browsers know and Python does not, and the code pages browsers use for EUC-KR
    assert decode_html("Привет".encode("cp1251"), "text/html; charset=x-cp1251") == "Привет"
    assert decode_html("Ångström".encode("mac_roman"), "text/html; charset=x-mac-roman") == "Ångström"
    assert decode_html("똠방각하".encode("cp949"), "text/html; charset=euc-kr") == "똠방각하"
    assert decode_html("ニュース".encode("cp932"), "text/html; charset=Shift_JIS") == "ニュース"
    assert decode_html("新闻".encode("gb18030"), "text/html; charset=gb2312") == "新闻"
    page = '<meta charset="iso-8859-9">İstanbul'.encode("cp1254")
    assert decode_html(page, None) == '<meta charset="iso-8859-9">İstanbul'
    assert text_encoding(b"UTF8") == "utf-8" and text_encoding("x-sjis") == "cp932"
    junk = bytes(range(256)) * 8 + os.urandom(4096)
    for label in LABELS:  # every codec of the table decodes any bytes
        assert isinstance(decode_html(junk, f"text/html; charset={label}"), str), label


def test_utf16_is_believed_only_of_a_page_that_is_utf16() -> None:
    ascii_page = "<p>café</p>".encode()
    assert decode_html(ascii_page, "text/html; charset=utf-16") == "<p>café</p>"
    assert decode_html(b'<meta charset="utf-16">' + ascii_page, None) == '<meta charset="utf-16"><p>café</p>'
    assert decode_html("<p>café</p>".encode("utf-16-le"), "text/html; charset=utf-16") == "<p>café</p>"
    assert decode_html(b"\xfe\xff" + "<p>café</p>".encode("utf-16-be"), None) == "<p>café</p>"
    assert decode_html(b"\xff\xfe" + "<p>café</p>".encode("utf-16-le"), None) == "<p>café</p>"


# --- charset labels: feeds -------------------------------------------------------------------------

def _rss(label: str | None, title: str, encoding: str) -> bytes:
    decl = f' encoding="{label}"' if label else ""
    return (f'<?xml version="1.0"{decl}?>\n<rss version="2.0"><channel><title>Feed</title>'
            f"<item><guid>g1</guid><title>{title}</title><link>http://news.example/a</link></item>"
            "</channel></rss>").encode(encoding)


def test_feed_with_a_label_that_is_no_text_encoding() -> None:
    title = r"Café “crème” C:\new \u00e9 +AGEAYgBj-"  # what unicode_escape or utf-7 would change
    for label in [*NOT_TEXT, "utf-16"]:
        for where in ("header", "declaration", "both"):
            for encoding in ("utf-8", "cp1252"):
                body = _rss(label if where != "header" else None, title, encoding)
                content_type = "application/rss+xml" + (f"; charset={label}" if where != "declaration" else "")
                feed = parse_feed(body, {"Content-Type": content_type}, "http://news.example/feed")
                assert [e.title for e in feed.entries] == [title], (label, where, encoding)


def test_feed_labels_that_name_text_encodings_still_count_and_a_bom_wins_over_a_bad_one() -> None:
    body = _rss("windows-1251", "Привет", "cp1251")
    assert parse_feed(body, {"Content-Type": "application/rss+xml"}, "http://n.example/f").entries[0].title == "Привет"
    body = _rss(None, "Привет", "koi8-r")
    feed = parse_feed(body, {"Content-Type": "application/rss+xml; charset=KOI8-R"}, "http://n.example/f")
    assert feed.entries[0].title == "Привет"
    wide = "\ufeff".encode("utf-16-le") + _rss("utf-16", "Café", "utf-16-le")
    for label in ("utf-16", "undefined", "rot13"):
        feed = parse_feed(wide, {"Content-Type": f"application/rss+xml; charset={label}"}, "http://n.example/f")
        assert feed.entries[0].title == "Café"


# --- charset labels: end to end --------------------------------------------------------------------

ARTICLE = ("<html><head><title>Bridge reopens</title>{meta}</head><body><nav>Home | News</nav><article>"
           "<h1>Bridge reopens</h1>{paragraphs}</article><footer>Copyright Valley Post</footer></body></html>")


def test_page_served_with_charset_rot13_is_stored_with_its_text(
        http_server: LocalServer, database: Database, caplog: pytest.LogCaptureFixture) -> None:
    paragraphs = "".join(f"<p>{SENTENCE * 2}Café number {n} reopened.</p>" for n in range(4))
    http_server.add("/a", ARTICLE.format(meta="", paragraphs=paragraphs).encode("cp1252"),
                    headers={"Content-Type": "text/html; charset=rot13"})
    http_server.add("/b", ARTICLE.format(meta='<meta charset="base64">', paragraphs=paragraphs),
                    headers={"Content-Type": "text/html"})
    items = "".join(f"<item><guid>{p}</guid><title>Story {p}</title><link>{http_server.url('/' + p)}</link>"
                    "<description>Short summary.</description></item>" for p in ("a", "b"))
    http_server.add("/feed", f'<?xml version="1.0" encoding="rot13"?><rss version="2.0"><channel>'
                             f"<title>Valley Post</title>{items}</channel></rss>",
                    headers={"Content-Type": "application/rss+xml; charset=rot13"})
    with database.transaction() as session:
        add_feed(session, http_server.url("/feed"))
    settings = settings_with(allowed_networks="127.0.0.0/8", per_host_delay=0, fetch_timeout=10, processes=0)
    with caplog.at_level(logging.INFO):
        summary = asyncio.run(Worker(settings, database, owner="test").ingest())
    assert (summary.feeds_ok, summary.articles_new, summary.pages_fetched) == (1, 2, 2)
    with database.transaction() as session:
        rows = session.execute(text("SELECT url, source, source_reason, text FROM articles ORDER BY url")).all()
    assert [(r.source, r.source_reason) for r in rows] == [("page", None), ("page", None)]
    for row in rows:
        assert "Café number 3 reopened." in row.text and row.text.count(SENTENCE.strip()) == 8
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


# --- JSON nested too deeply ------------------------------------------------------------------------

def test_deeply_nested_lines_get_an_error_each_and_the_rest_is_answered() -> None:
    jane = "“We will win,” Jane Doe said."
    out = io.StringIO()
    lines = [*DEEP, json.dumps({"id": 3, "text": jane}), '{"id": 4, "text": ' + "[" * 100_000]
    assert run_parse_jsonl(lines, out) == 4
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0] == rows[1] == {"id": None, "error": "invalid JSON: nested too deeply"}
    assert rows[2]["id"] == 3 and rows[2]["statements"][0]["speaker"] == "Jane Doe"
    assert rows[3]["id"] is None and rows[3]["error"].startswith("invalid JSON")

    page = f"<html><body><article><p>{SENTENCE * 3}</p></article></body></html>"
    out = io.StringIO()
    assert run_jsonl([*DEEP, json.dumps({"id": 3, "url": None, "html": page})], out) == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0] == rows[1] == {"id": None, "error": "invalid JSON: nested too deeply"}
    assert rows[2]["id"] == 3 and SENTENCE.strip() in rows[2]["text"]


@pytest.mark.slow
def test_deep_lines_through_the_command_line_and_the_process_pool(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WORKER_PROCESSES", "1")
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([DEEP[0], json.dumps({"id": 2, "text": "“Yes,” Ann Lee said."})]) + "\n")
    assert main(["parse", "--jsonl", str(source)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == {"id": None, "error": "invalid JSON: nested too deeply"} and rows[1]["id"] == 2

    page = f"<html><body><article><p>{SENTENCE * 3}</p></article></body></html>"
    stdin = "\n".join([DEEP[1], json.dumps({"id": 2, "url": None, "html": page})]) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    assert main(["extract", "--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == {"id": None, "error": "invalid JSON: nested too deeply"}
    assert rows[1]["id"] == 2 and SENTENCE.strip() in rows[1]["text"]


def _task(line: str) -> dict[str, Any]:
    if "boom" in line:
        raise KeyError("a bug")
    return {"id": json.loads(line)["id"], "ok": True}


def test_a_task_that_raises_answers_its_line_with_an_error_and_the_batch_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    out = io.StringIO()
    lines = ['{"id": 1}', '{"id": 2, "boom": 1}', '{"id": 3}']
    assert run_lines(lines, out, _task, CpuPool.in_process(), "parsing") == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [{"id": 1, "ok": True}, {"id": 2, "error": "parsing failed: KeyError: 'a bug'"},
                    {"id": 3, "ok": True}]
    assert any(r.exc_info for r in caplog.records)


def test_deeply_nested_json_ld_does_not_lose_the_article() -> None:
    paragraphs = "".join(f"<p>{SENTENCE * 2}Paragraph {n}.</p>" for n in range(3))
    for deep in (*DEEP, '{"@context":"https://schema.org","@type":"NewsArticle","author":"' + "[" * 100_000 + '"}',
                 '{"@type":"NewsArticle","datePublished":"2026-03-01T09:00:00Z","x":' + "[" * 500 + "]" * 500 + "}"):
        html = (f'<html><head><title>Bridge</title><script type="application/ld+json">{deep}</script></head>'
                f"<body><article><h1>Bridge</h1>{paragraphs}</article></body></html>")
        page = extract_article(html, "https://news.example/bridge")
        assert "Paragraph 2." in page.text and page.text.count(SENTENCE.strip()) == 6
    assert page.published_at == datetime(2026, 3, 1, 9, tzinfo=UTC)


# --- invalid UTF-8 and lone surrogates -------------------------------------------------------------

def _html(middle: str) -> str:
    return f"<html><body><article><p>{SENTENCE * 3}BEFORE{middle}AFTER the mark. {SENTENCE * 2}</p></article></body></html>"


def test_extract_jsonl_keeps_the_text_after_a_lone_surrogate_or_an_invalid_byte(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    escaped = json.dumps({"id": "\ud800x", "url": None, "html": _html("\udfff\ud800")})  # ASCII, \u escapes
    assert run_jsonl([escaped], out) == 1
    row = json.loads(out.getvalue())
    assert row["id"] == "\ufffdx" and "BEFORE\ufffd\ufffdAFTER the mark." in row["text"]
    assert row["text"].endswith(SENTENCE.strip())

    raw = json.dumps({"id": 2, "url": None, "html": _html("@@")}).encode().replace(b"@@", b"\xff\xc3")
    for errors in ("strict", "surrogateescape"):  # what sys.stdin does depends on the locale
        monkeypatch.setenv("WORKER_PROCESSES", "0")
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw + b"\n" + escaped.encode() + b"\n"),
                                                          encoding="utf-8", errors=errors))
        assert main(["extract", "--jsonl"]) == 0
        first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
        assert "BEFORE\ufffd\ufffdAFTER the mark." in first["text"] and first["text"].endswith(SENTENCE.strip())
        assert "BEFORE\ufffd\ufffdAFTER the mark." in second["text"]


def test_parse_jsonl_with_lone_surrogates_answers_in_valid_utf8() -> None:
    text_in = "“We will \ud800win,” Jane Doe said. More \udc80 text."
    line = json.dumps({"id": "\udfff", "text": text_in})
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    assert run_parse_jsonl([line, '{"id": 2, "text": "ok"}'], out) == 2
    first, second = (json.loads(x) for x in raw.getvalue().decode("utf-8").splitlines())
    assert first["id"] == "\ufffd" and second == {"id": 2, "statements": []}
    statement = first["statements"][0]
    assert statement["speaker"] == "Jane Doe" and statement["content"] == "We will \ufffdwin,"
    cleaned = text_in.replace("\ud800", "\ufffd").replace("\udc80", "\ufffd")
    assert [cleaned[a:b] for a, b in statement["content_spans"]] == [statement["content"]]


# --- out-of-range command-line values ----------------------------------------------------------------

def test_parse_since_clamps_to_the_dates_there_are() -> None:
    assert parse_since("1000000d") is None and parse_since("99999999999d") is None
    assert parse_since("9" * 400 + "d") is None
    assert parse_since("0001-01-01T00:30:00+01:00") is None
    assert parse_since("9999-12-31T23:00:00-05:00") == datetime.max.replace(tzinfo=UTC)
    assert parse_since("0001-01-01") == datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(argparse.ArgumentTypeError, match=r"got 'x{40}…'$"):
        parse_since("x" * 5000)


@pytest.mark.parametrize("args", [["articles", "--limit", "-" + "9" * 5000], ["statements", "--since", "x" * 5000],
                                  ["feeds", "add", "f.xml", "--interval", "99999999999d"],
                                  ["feeds", "add", "f.xml", "--interval", "9" * 400 + "d"]])
def test_bad_values_are_a_one_line_usage_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and len(error_lines[0]) < 200 and "Traceback" not in err


@pytest.fixture
def stored(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch, db_url: str,
           capsys: pytest.CaptureFixture[str]) -> str:
    """One article with one statement, stored by `worker ingest` in the database under test."""
    use_local_site(monkeypatch, db_url)
    paragraphs = f"<p>{SENTENCE * 2}</p><p>“We will win,” Jane Doe said.</p><p>{SENTENCE * 2}</p>"
    http_server.add("/a", ARTICLE.format(meta="", paragraphs=paragraphs), headers={"Content-Type": "text/html"})
    http_server.add("/feed", f'<rss version="2.0"><channel><title>T</title><item><guid>a</guid><title>A</title>'
                             f"<link>{http_server.url('/a')}</link><pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate>"
                             "</item></channel></rss>", headers={"Content-Type": "application/rss+xml"})
    assert main(["ingest", "--feed", http_server.url("/feed")]) == 0
    capsys.readouterr()
    return db_url


@pytest.mark.parametrize(("args", "found"), [
    (["--since", "1000000d"], 1), (["--since", "99999999999d"], 1), (["--since", "0001-01-01T00:30:00+01:00"], 1),
    (["--since", "9999-12-31T23:00:00-05:00"], 0), (["--limit", "99999999999999999999"], 1),
    (["--limit", "9" * 5000], 1),
    (["--limit", str(MAX_LIMIT), "--since", "1000000d"], 1)])
def test_extreme_since_and_limit_reach_the_database_as_values_it_takes(
        stored: str, args: list[str], found: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", *args, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == found
    assert main(["statements", *args, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == found
    since = [a for a in args if a != "--limit" and not a.isdigit()]
    if since:
        assert main(["reparse", "--all", *since, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["articles"] == found
