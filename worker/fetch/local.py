"""Read an operator-supplied local feed file, confined to one directory.

A target is local when it is a ``file:`` URI or has no URL scheme at all (a plain
path; relative paths are taken relative to the root). It is read only if its real
path, symlinks resolved, lies inside the real path of ``local_root``; the file is
then opened with ``O_NOFOLLOW`` and must be a regular file, so a last-moment swap
of the file for a symlink, or a FIFO that would block, is refused too.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from worker.fetch.errors import LocalFileError, TooLarge
from worker.parse.urls import is_file_url

_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/xml",
    ".atom": "application/xml",
    ".rdf": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".txt": "text/plain",
}


def is_local_target(url: str) -> bool:
    """True for ``file:`` URIs and plain paths (no scheme); False for http(s) and other URLs."""
    if url.startswith(("/", "./", "../", "~")) or is_file_url(url):
        return True
    try:
        return urlsplit(url).scheme == ""
    except ValueError:
        return False


def content_type_for(path: Path) -> str:
    return _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _target_path(url: str, root: Path) -> Path:
    if is_file_url(url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise LocalFileError(url, f"file URL names another machine ({parts.netloc})")
        return Path(url2pathname(unquote(parts.path)))
    path = Path(url).expanduser()
    return path if path.is_absolute() else root / path


def _read(url: str, root: Path, cap: int) -> tuple[Path, bytes]:
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise LocalFileError(url, f"local root {root} is not accessible ({exc.strerror})") from None
    try:
        real = _target_path(url, root).resolve(strict=True)
    except OSError as exc:
        raise LocalFileError(url, f"local file cannot be found ({exc.strerror or exc})") from None
    if not real.is_relative_to(real_root):
        raise LocalFileError(url, f"local file lies outside the allowed directory {real_root}")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LocalFileError(url, f"local file cannot be opened ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise LocalFileError(url, "local path is not a regular file")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > cap:
            raise TooLarge(url, f"local file is larger than the {cap}-byte limit")
        try:
            data = f.read(cap + 1)
        except OSError as exc:
            raise LocalFileError(url, f"local file cannot be read ({exc.strerror})") from None
    if len(data) > cap:
        raise TooLarge(url, f"local file is larger than the {cap}-byte limit")
    return real, data


async def read_local(url: str, root: Path, cap: int) -> tuple[str, dict[str, str], bytes, float]:
    """``(file URI, headers, body, elapsed)`` for a local target inside ``root``; LocalFileError else."""
    started = time.monotonic()
    real, data = await asyncio.to_thread(_read, url, root, cap)
    headers = {"content-type": content_type_for(real), "content-length": str(len(data))}
    return real.as_uri(), headers, data, time.monotonic() - started


__all__ = ["content_type_for", "is_local_target", "read_local"]
