"""Reading JSON Lines input one object at a time, for the `--jsonl` commands."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, TextIO

from worker.pool import CpuPool, TaskFailed


def json_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object on this line, or (None, why it is not one)."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"
    if not isinstance(record, dict):
        return None, "expected a JSON object"
    return record, None


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
            for line in lines:
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
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    reader.join()
    if failure:
        raise failure[0]
    return count
