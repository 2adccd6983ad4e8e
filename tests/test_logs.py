"""worker.logs.configure_logging: text and JSON lines, extra fields, redaction, no duplicate handlers."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from worker.fetch.errors import redact as fetch_redact
from worker.logs import HANDLER_NAME, configure_logging, redact
from worker.settings import redact_url

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SECRET_DB = "postgresql+psycopg://news:s3cret@db.internal:5432/news"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {n: logging.getLogger(n).level for n in ("httpx", "httpcore")}
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h in handlers:
        if h not in root.handlers:
            root.addHandler(h)
    root.setLevel(level)
    for name, lvl in quiet.items():
        logging.getLogger(name).setLevel(lvl)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]


def test_json_line_has_base_keys_then_extra_fields() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    before = datetime.now(UTC)
    logging.getLogger("worker.ingest").info("feed %s polled", "A", extra={
        "feed": "https://example.org/rss.xml", "status": "ok", "articles_new": 3, "error": None})
    [line] = json_lines(out)
    assert list(line) == ["ts", "level", "logger", "msg", "feed", "status", "articles_new", "error"]
    assert TS.match(line["ts"])
    ts = datetime.strptime(line["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((ts - before).total_seconds()) < 5
    assert line["level"] == "INFO"
    assert line["logger"] == "worker.ingest"
    assert line["msg"] == "feed A polled"
    assert line["feed"] == "https://example.org/rss.xml"
    assert (line["status"], line["articles_new"], line["error"]) == ("ok", 3, None)


def test_json_leaves_out_logrecord_attributes() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    logging.getLogger("worker.x").warning("plain")
    [line] = json_lines(out)
    assert set(line) == {"ts", "level", "logger", "msg"}


def test_json_exception_is_a_formatted_traceback() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=False, stream=out)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("worker.daemon").exception("tick failed", extra={"tick": 4})
    [line] = json_lines(out)
    assert line["level"] == "ERROR"
    assert line["tick"] == 4
    assert line["exc"].startswith("Traceback (most recent call last):")
    assert line["exc"].rstrip().endswith("ValueError: boom")


def test_json_values_fall_back_to_str() -> None:
    class Thing:
        def __str__(self) -> str:
            return "a thing"

    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    when = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    logging.getLogger("w").info("values", extra={
        "thing": Thing(), "when": when, "ratio": float("nan"), "tags": ("a", "b"),
        "nested": {"n": 1, "obj": Thing()}, "flag": True, "seconds": 0.25, "level": "mine"})
    [line] = json_lines(out)
    assert line["thing"] == "a thing"
    assert line["when"] == "2026-03-01T09:00:00+00:00"
    assert line["ratio"] == "nan"
    assert line["tags"] == ["a", "b"]
    assert line["nested"] == {"n": 1, "obj": "a thing"}
    assert (line["flag"], line["seconds"]) == (True, 0.25)
    assert line["level"] == "INFO" and line["extra_level"] == "mine"


def test_one_line_per_record_even_with_newlines() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    logging.getLogger("w").info("two\nlines", extra={"body": "a\nb"})
    [line] = json_lines(out)
    assert line["msg"] == "two\nlines" and line["body"] == "a\nb"


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_passwords_in_urls_never_reach_the_log(fmt: str) -> None:
    out = io.StringIO()
    configure_logging(fmt, verbose=True, stream=out)
    log = logging.getLogger("worker.db")
    log.info("connecting to %s", SECRET_DB, extra={"database": SECRET_DB, "urls": [SECRET_DB],
                                                   "cfg": {"url": SECRET_DB}})
    try:
        raise ConnectionError(f"could not reach {SECRET_DB}")
    except ConnectionError:
        log.exception("database down", extra={"feed": "https://reader:hunter2@feeds.example/rss"})
    text = out.getvalue()
    assert "s3cret" not in text and "hunter2" not in text
    assert "postgresql+psycopg://news:***@db.internal:5432/news" in text
    assert "https://reader:***@feeds.example/rss" in text
    if fmt == "json":
        first, second = json_lines(out)
        assert first["database"] == redact_url(SECRET_DB)
        assert first["urls"] == [redact_url(SECRET_DB)] and first["cfg"] == {"url": redact_url(SECRET_DB)}
        assert "news:***@db.internal" in second["exc"]


def test_redact_agrees_with_settings_and_spares_ordinary_text() -> None:
    for url in (SECRET_DB, "https://u:p@h/x", "https://u:p%2Fq@h:8443/x", "https://example.org/rss"):
        assert redact(url) == redact_url(url)
    assert redact("redis://:pw@cache:6379/0") == "redis://:***@cache:6379/0"  # no user name
    for text in ("http://host:8080/path then mail me@example.org", "https://medium.com/@writer/story",
                 "user:pass@host without a scheme is not a URL", "ratio 3:2 @ noon"):
        assert redact(text) == text


def test_text_keeps_the_human_format_and_appends_fields() -> None:
    out = io.StringIO()
    configure_logging("text", verbose=True, stream=out)
    logging.getLogger("worker.ingest").info("feed polled", extra={
        "feed": "https://example.org/rss.xml", "status": "ok", "articles_new": 3, "error": None,
        "next_check": "adaptive 2h (an entry every 2h)"})
    line = out.getvalue()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO worker\.ingest: feed polled "
                        r'feed=https://example\.org/rss\.xml status=ok articles_new=3 '
                        r'next_check="adaptive 2h \(an entry every 2h\)"\n', line), line


def test_text_without_fields_is_the_classic_line() -> None:
    out = io.StringIO()
    configure_logging("text", verbose=False, stream=out)
    logging.getLogger("worker.daemon").warning("second %s: exiting at once", "SIGTERM")
    assert re.fullmatch(r"\S+ \S+ WARNING worker\.daemon: second SIGTERM: exiting at once\n", out.getvalue())


def test_verbose_decides_the_level() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=False, stream=out)
    log = logging.getLogger("worker.level")
    log.info("hidden")
    log.warning("shown")
    assert [line["msg"] for line in json_lines(out)] == ["shown"]
    configure_logging("json", verbose=True, stream=out)
    log.info("now shown")
    assert [line["msg"] for line in json_lines(out)] == ["shown", "now shown"]


def test_http_client_request_lines_stay_quiet() -> None:
    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    logging.getLogger("httpx").info('HTTP Request: GET https://example.org "HTTP/1.1 200 OK"')
    assert out.getvalue() == ""


def test_reconfiguring_never_duplicates_handlers() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("text", verbose=True, stream=first)
    configure_logging("json", verbose=True, stream=second)
    configure_logging("json", verbose=True, stream=second)
    assert len(ours()) == 1
    logging.getLogger("w").info("once")
    assert first.getvalue() == ""
    assert [line["msg"] for line in json_lines(second)] == ["once"]


def test_replaces_the_basicconfig_handler() -> None:
    root = logging.getLogger()
    plain = logging.StreamHandler(io.StringIO())  # what logging.basicConfig installs
    root.addHandler(plain)
    out = io.StringIO()
    configure_logging("json", verbose=True, stream=out)
    assert plain not in root.handlers
    logging.getLogger("w").info("only json")
    assert plain.stream.getvalue() == ""
    assert json_lines(out)[0]["msg"] == "only json"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text or json"):
        configure_logging("xml", verbose=True, stream=io.StringIO())


# --- the one URL redactor (fetch errors and settings use it too) ---------------------------


@pytest.mark.parametrize(("text", "kept", "hidden"), [
    ("https://u:p@h/x", "https://u:***@h/x", "https://***@h/x"),
    ("postgresql://news:p/q:r@db:5432/news", "postgresql://news:***@db:5432/news", "postgresql://***@db:5432/news"),
    ("https://u:b@c@h/x?mail=a@b", "https://u:***@h/x?mail=a@b", "https://***@h/x?mail=a@b"),
    ("https://ghp_token@github.com/feed", "https://***@github.com/feed", "https://***@github.com/feed"),
    ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0", "redis://***@cache:6379/0"),
    ("see ftp://a:b@one/ and https://c:d@two/", "see ftp://a:***@one/ and https://c:***@two/",
     "see ftp://***@one/ and https://***@two/"),
    ("https://example.org/rss?q=1", "https://example.org/rss?q=1", "https://example.org/rss?q=1"),
    ("https://medium.com/@writer/story", "https://medium.com/@writer/story", "https://medium.com/@writer/story"),
    ("http://[::1:80/x", "http://[::1:80/x", "http://[::1:80/x"),  # not a valid URL: still no exception
    # a port is not a password, and an '@' after the host is the path's or the query's
    ("https://example.com:8443/share?to=a@b.com", "https://example.com:8443/share?to=a@b.com",
     "https://example.com:8443/share?to=a@b.com"),
    ("https://example.com:8443/a@b/c", "https://example.com:8443/a@b/c", "https://example.com:8443/a@b/c"),
    ("https://[::1]:80/a@b", "https://[::1]:80/a@b", "https://[::1]:80/a@b"),
    ("postgresql://news:1234@db/news", "postgresql://news:***@db/news", "postgresql://***@db/news"),
])
def test_one_redactor_hides_every_form_of_credentials(text: str, kept: str, hidden: str) -> None:
    assert redact(text) == kept and redact_url(text) == kept
    assert redact(text, keep_user=False) == hidden and fetch_redact(text) == hidden


def _redaction_steps(text: str) -> int:
    """Work the redactor does on ``text``, counted in repeats of the call that fit a fixed time."""
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < 0.05:
        redact(text)
        calls += 1
    return calls


@pytest.mark.parametrize("unit", ["a://", "a://a:", "https://u:" + "p" * 40, "x://a@"])
def test_redaction_is_linear_on_hostile_text(unit: str) -> None:
    """Sixteen times the text may cost about sixteen times the work, not 256 times: every fetch error
    and log line passes through the redactor, and a feed can hand it a 64 kB link of any shape (a
    rescan from every scheme made a 64 kB URL cost seconds)."""
    small, large = unit * (4096 // len(unit)), unit * (65536 // len(unit))
    ratio = _redaction_steps(small) / max(1, _redaction_steps(large))
    assert ratio < 64, f"{ratio:.0f} times the work for 16 times the text"
