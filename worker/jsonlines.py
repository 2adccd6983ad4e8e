"""Reading JSON Lines input one object at a time, for the `--jsonl` commands."""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TextIO

from worker.pool import CpuPool, TaskFailed

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, one character for one (offsets into it
    still hold). Lone surrogates come from invalid UTF-8 bytes read with ``surrogateescape`` and from
    ``"\\ud800"`` escapes in JSON; no parser or output stream accepts them."""
    return _SURROGATE.sub("\ufffd", text)


def _clean_strings(record: dict[str, Any]) -> None:
    """clean_text on every string value in ``record``, at any depth, in place (without recursion:
    the depth is the input's)."""
    stack: list[dict[str, Any] | list[Any]] = [record]
    while stack:
        container = stack.pop()
        keys: Iterable[Any] = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            value = container[key]
            if isinstance(value, str):
                container[key] = clean_text(value)
            elif isinstance(value, dict | list):
                stack.append(value)


def json_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object on this line, or (None, why it is not one). Lone surrogates in its strings
    are replaced by U+FFFD (clean_text)."""
    line = clean_text(line).lstrip("\ufeff")
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"
    except RecursionError:  # [[[[... a hundred thousand deep
        return None, "invalid JSON: nested too deeply"
    if not isinstance(record, dict):
        return None, "expected a JSON object"
    if _SURROGATE_ESCAPE.search(line):
        _clean_strings(record)
    return record, None


def string_fields(line: str, required: str, optional: str) -> tuple[Any, str, str | None] | dict[str, Any]:
    """(its "id", its string ``required``, its string or null ``optional``) of the JSON object on
    ``line``; or, when the line has no such object, the line's answer: {"id", "error"} saying why.
    Every line task reads its input this way, so that they all answer a bad line alike."""
    record, error = json_object(line)
    if record is None:
        return {"id": None, "error": error}
    record_id, value, option = record.get("id"), record.get(required), record.get(optional)
    if not isinstance(value, str):
        return {"id": record_id, "error": f"missing or non-string {required!r}"}
    if option is not None and not isinstance(option, str):
        return {"id": record_id, "error": f"{optional!r} must be a string or null"}
    return record_id, value, option


def decoded_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines of a text stream read as UTF-8 from its bytes, invalid bytes replaced by U+FFFD
    (sys.stdin would raise on them or let them through as surrogates, depending on the locale);
    any other iterable of lines as it is."""
    buffer = getattr(lines, "buffer", None)
    if buffer is None:
        yield from lines
        return
    for raw in buffer:
        yield raw.decode("utf-8", errors="replace")


def record_id(line: str) -> Any:
    """The "id" of a JSON-lines record, or None (for reporting a line whose task failed)."""
    record, _ = json_object(line)
    return record.get("id") if record is not None else None


def run_lines(lines: Iterable[str], out: TextIO, task: Callable[[str], dict[str, Any]], pool: CpuPool,
              what: str) -> int:
    """``task(line)`` for every non-blank line, in the pool, written one JSON line each in input order
    and flushed as soon as it and every line before it are done (a caller feeding one line at a
    time gets each answer before sending the next). A line whose task runs past its budget gets
    {"id", "error"} ("<what> exceeded 20 s") and the run goes on. Returns the lines written.

    A reader thread submits lines while this thread writes answers; the queue between them holds
    a few lines per worker process, so a long input is never read whole into memory."""
    window: queue.Queue[tuple[str, Future[dict[str, Any]]] | None] = queue.Queue(
        maxsize=4 * max(pool.processes, 1))
    failure: list[BaseException] = []

    def read() -> None:
        try:
            for line in decoded_lines(lines):
                if line.strip():
                    window.put((line, pool.submit(task, line)))
        except BaseException as exc:  # handed to the writing thread, which raises it
            failure.append(exc)
        finally:
            window.put(None)

    reader = threading.Thread(target=read, name="jsonl-reader", daemon=True)
    reader.start()
    count = 0
    while (item := window.get()) is not None:
        line, future = item
        try:
            result = future.result()
        except TaskFailed as exc:
            result = {"id": record_id(line), "error": f"{what} {exc.reason}"}
        except Exception as exc:  # a bug tripped by one line must not lose the lines after it
            log.error("%s failed on the line with id %r", what, record_id(line), exc_info=exc)
            reason = " ".join(str(exc).split())[:200]
            result = {"id": record_id(line), "error": f"{what} failed: {type(exc).__name__}: {reason}"}
        out.write(clean_text(json.dumps(result, ensure_ascii=False)) + "\n")
        out.flush()
        count += 1
    reader.join()
    if failure:
        raise failure[0]
    return count
