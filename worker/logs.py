"""Log lines on stderr, as text for people or as JSON for log collectors (``settings.log_format``).

``configure_logging("json", verbose=True)`` writes one JSON object per line::

    {"ts": "2026-03-01T09:00:00.123Z", "level": "INFO", "logger": "worker.ingest", "msg": "feed polled",
     "feed": "https://example.org/rss.xml", "status": "ok", "articles_new": 3}

``ts`` is UTC (ISO 8601, ``Z``), ``level``, ``logger`` and ``msg`` (the formatted message) come first,
then every field passed with ``extra=`` (and only those: the LogRecord's own attributes are left
out), then ``exc``, the formatted traceback, when there is one. A value JSON cannot hold is written
as ``str(value)``; an extra field named like one of the four keys is written as ``extra_<name>``.

``"text"`` keeps the human format ``%(asctime)s %(levelname)s %(name)s: %(message)s`` and appends the
extra fields as ``key=value`` (``None`` left out).

Either way no secret reaches the log: a URL with a password (``scheme://user:pass@host``) anywhere
in the message, a field or a traceback is written as ``scheme://user:***@host`` (see :func:`redact`).

``verbose`` logs INFO and above, else WARNING and above. Calling it again replaces the handler
it installed (and one ``logging.basicConfig`` installed), so handlers are never duplicated.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
from datetime import UTC, date, datetime
from typing import IO, Any

HANDLER_NAME = "worker.logs"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# One line per feed poll is the promise; a line per HTTP request from the client library is noise.
QUIET_LOGGERS = ("httpx", "httpcore")

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
_BASE_KEYS = ("ts", "level", "logger", "msg", "exc")
# scheme://user:password@ — the user name stops at ':', '/', '?', '#', '@', '[' or whitespace; the
# password may hold '/' and ':' (a database password often does) but never '?', '#' or whitespace; either
# may hold a raw '@', the user-info then running to the last '@' before the host (RFC 3986), so no piece
# leaks. Digits after the ':' up to '/', '?', '#' or the end are a port, not a password: in
# ``https://example.com:8443/share?to=a@b`` the '@' belongs to the query.
# Linear on any text (a 64 kB hostile URL must not cost seconds; fetch errors and every log line pass
# through here): a scheme starts only where no scheme character precedes it, the pieces are possessive
# (each stops at a character the next piece needs, so giving some back cannot help) and bounded
# (credentials are short: 256 characters a piece are hidden whole, a longer password shows its tail).
_USERINFO = re.compile(
    r"(?<![a-zA-Z0-9+.\-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]{0,31}+://)"
    r"(?P<userinfo>[^\s:/?#@\[]{0,256}+(?::(?!\d++(?:[/?#]|$))[^\s?#@]{0,256}+)?(?:@[^\s@/?#]{0,256}+){0,8})@")


def redact(text: str, *, keep_user: bool = True) -> str:
    """``text`` with the credentials of every ``scheme://user:pass@host`` URL in it hidden.

    The one redactor of the worker (fetch errors, settings and log lines all use it): the password
    becomes ``***``; a user-info without a password (``https://token@host``) is taken for a secret
    itself and becomes ``***``. ``keep_user=False`` hides the user name too (``scheme://***@host``),
    as fetch errors do for the URLs of feeds and pages; the operator's own database URL keeps it, so
    ``database postgresql://news:***@db/news`` still says who connects.
    """
    def hide(match: re.Match[str]) -> str:
        user, colon, _password = match["userinfo"].partition(":")
        shown = f"{user}:***" if colon and keep_user else "***"
        return f"{match['scheme']}{shown}@"

    return _USERINFO.sub(hide, text)


def _clean(value: Any) -> Any:
    """A JSON-serialisable, redacted copy of ``value``."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {redact(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return redact(str(value))


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with ``extra=``, in the order given."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in extra_fields(record).items():
            line[f"extra_{key}" if key in _BASE_KEYS else key] = _clean(value)
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exc"] = redact(record.exc_text)
        if record.stack_info:
            line["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        fields = [f"{k}={_text_value(v)}" for k, v in extra_fields(record).items() if v is not None]
        return " ".join([text, *fields])

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(_clean(value), ensure_ascii=False, default=str)
    if not text or any(c.isspace() or c in "\"=" for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def configure_logging(fmt: str, verbose: bool, *, stream: IO[str] | None = None) -> None:
    """Log to ``stream`` (default stderr) as ``fmt`` ("text" or "json"); INFO and up if ``verbose``."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {fmt!r}")
    root = logging.getLogger()
    for old in list(root.handlers):
        # ours from an earlier call, or the plain stderr handler of logging.basicConfig
        if old.get_name() == HANDLER_NAME or type(old) is logging.StreamHandler:
            root.removeHandler(old)
            old.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
