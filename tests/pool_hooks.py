"""Faults injected into worker processes for tests: imported and run in each worker at its start
(CpuPool's initializer), so the pool's own budgets are what end them.

A page whose HTML holds ``<!--slow-->`` extracts for a minute; ``<!--hungry-->`` allocates more
memory than any ceiling a test sets; ``<!--bug-->`` raises as a bug would; a feed whose body holds ``<!--slow-->`` parses for a minute."""

from __future__ import annotations

import os
import time
from typing import Any

import worker.parse.feed
import worker.pipeline.article

HUNGRY_BYTES = 4 * 1024**3


def install() -> None:
    extract = worker.pipeline.article.extract_article
    parse = worker.parse.feed.parse_feed

    def faulty_extract(html: str, url: str | None = None) -> Any:
        if "<!--slow-->" in html:
            time.sleep(60)
        if "<!--bug-->" in html:
            raise RuntimeError("an injected bug")
        if "<!--hungry-->" in html:
            hoard = bytearray(HUNGRY_BYTES)
            hoard[-1] = 1
        return extract(html, url)

    def faulty_parse(body: bytes, *args: Any, **kwargs: Any) -> Any:
        if b"<!--slow-->" in body:
            time.sleep(60)
        return parse(body, *args, **kwargs)

    worker.pipeline.article.extract_article = faulty_extract  # type: ignore[assignment]
    worker.parse.feed.parse_feed = faulty_parse  # type: ignore[assignment]


# --- plain tasks -------------------------------------------------------------------------------

def pid(_: object = None) -> int:
    return os.getpid()


def sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def sleep_noting(path: str, seconds: float) -> None:
    """Write this worker's pid on a line of ``path``, then sleep."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n")
    time.sleep(seconds)


def hoard(size: int) -> int:
    block = bytearray(size)
    block[-1] = 1
    return len(block)


def fail(message: str) -> None:
    raise ValueError(message)
