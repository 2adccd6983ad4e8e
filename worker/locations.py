"""What the operator typed as a feed (URL or path) -> the feed URL stored for it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from worker.parse.urls import is_file_url, normalize_url


class BadLocation(ValueError):
    """Not an http(s) URL and not a readable local file."""


def feed_location(text: str) -> str:
    """http(s) URLs are normalised; local paths and file:// URLs become absolute file:// URLs."""
    text = text.strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        url = normalize_url(text)
        if url is None:
            raise BadLocation(f"{text!r} is not a valid URL")
        return url
    if scheme == "file":
        path = Path(url2pathname(urlsplit(text).path))
    elif len(scheme) > 1:  # one letter is a Windows drive
        raise BadLocation(f"{text!r}: unsupported URL scheme {scheme!r} (use http, https or a local file)")
    else:
        path = Path(text).expanduser()
    try:
        found = path.is_file()
    except OSError:  # a name too long for the file system
        found = False
    if not found:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise BadLocation(f"{shown!r}: no such file")
    return path.resolve().as_uri()


def local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(url2pathname(parts.path)) if is_file_url(url) else None
