"""Undo Content-Encoding while counting decoded bytes against a cap.

Only one layer of ``gzip`` (``x-gzip``) or ``deflate`` (zlib-wrapped or raw, as
servers disagree) is accepted; ``identity`` is no layer. Inflating uses
``max_length`` so a decompression bomb never produces more than the cap plus one
zlib call's output before it is refused.
"""

from __future__ import annotations

import zlib

from worker.fetch.errors import BadEncoding, TooLarge

ACCEPT_ENCODING = "gzip, deflate"
_GZIP_MAGIC = b"\x1f\x8b"


def content_coding(header: str | None, url: str = "") -> str:
    """``"identity"``, ``"gzip"`` or ``"deflate"`` from a Content-Encoding value, else BadEncoding."""
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return "identity"
    if len(codings) > 1:
        raise BadEncoding(url, f"stacked content encodings are not accepted: {header}")
    coding = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}.get(codings[0])
    if coding is None:
        raise BadEncoding(url, f"unsupported content encoding: {codings[0][:40]}")
    return coding


def _is_zlib_header(head: bytes) -> bool:
    return head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and ((head[0] << 8) | head[1]) % 31 == 0


class CappedDecoder:
    """Feed raw body chunks in, get the decoded body out; TooLarge past ``cap`` decoded bytes."""

    def __init__(self, coding: str, cap: int, url: str = "") -> None:
        if coding not in ("identity", "gzip", "deflate"):
            raise ValueError(f"unknown coding {coding!r}")
        self.coding = coding
        self.cap = cap
        self.url = url
        self.size = 0
        self._parts: list[bytes] = []
        self._raw_seen = False
        self._pending = b""  # deflate: bytes held until the zlib-or-raw question can be answered
        self._inflater: zlib._Decompress | None = None
        if coding == "gzip":
            self._inflater = zlib.decompressobj(wbits=31)
        self._done = False

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.cap:
            raise TooLarge(self.url, f"body is larger than the {self.cap}-byte limit")
        self._parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._raw_seen = True
        if self.coding == "identity":
            self._keep(chunk)
            return
        if self._inflater is None:  # deflate, flavour not known yet
            self._pending += chunk
            if len(self._pending) < 2:
                return
            wbits = 15 if _is_zlib_header(self._pending[:2]) else -15
            self._inflater = zlib.decompressobj(wbits=wbits)
            chunk, self._pending = self._pending, b""
        self._inflate(chunk)

    def _inflate(self, data: bytes) -> None:
        try:
            while data and not self._done:
                assert self._inflater is not None
                if self._inflater.eof:
                    if self.coding == "gzip" and len(self._pending + data) < 2:
                        self._pending += data  # may be the start of another member
                        break
                    data, self._pending = self._pending + data, b""
                    if self.coding == "gzip" and data.startswith(_GZIP_MAGIC):
                        self._inflater = zlib.decompressobj(wbits=31)  # another gzip member
                    else:
                        self._done = True  # trailing bytes after the stream are ignored, as browsers do
                        break
                self._keep(self._inflater.decompress(data, self.cap - self.size + 1))
                data = self._inflater.unused_data if self._inflater.eof else self._inflater.unconsumed_tail
        except zlib.error as exc:
            raise BadEncoding(self.url, f"corrupt {self.coding} body ({exc})") from None

    def finish(self) -> bytes:
        """The decoded body; BadEncoding if a compressed body was cut short."""
        finished = self._done or (self._inflater is not None and self._inflater.eof)
        if self.coding != "identity" and self._raw_seen and not finished:
            raise BadEncoding(self.url, f"{self.coding} body is truncated")
        return b"".join(self._parts)


__all__ = ["ACCEPT_ENCODING", "CappedDecoder", "content_coding"]
