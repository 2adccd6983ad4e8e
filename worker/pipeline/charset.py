"""Bytes of a fetched page -> str, the way browsers decide the encoding (header, BOM, meta, utf-8)."""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _known(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        codec = codecs.lookup(label.strip())
    except LookupError:
        return None
    # Pages that say latin-1 are in practice windows-1252 (as browsers treat them).
    return "cp1252" if codec.name in ("latin-1", "iso8859-1", "ascii") else codec.name


def decode_html(body: bytes, content_type: str | None) -> str:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    match = _HEADER.search(content_type or "")
    declared = _known(match.group(1)) if match else None
    if declared is None:
        meta = _META.search(body[:4096])
        declared = _known(meta.group(1)) if meta else None
    if declared is not None and declared != "utf-8":
        return body.decode(declared, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8" if declared == "utf-8" else "cp1252", "replace")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind and kind not in ("application/octet-stream", "text/plain", "binary/octet-stream"):
        return False
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<p" in head
