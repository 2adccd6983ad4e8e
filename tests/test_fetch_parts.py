"""Pure pieces of worker.fetch: decoding under a cap, the politeness limiter, the error tree."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
import zlib

import pytest

from worker.fetch import (
    BadEncoding,
    BadStatus,
    ConnectFailed,
    FetchError,
    HostLimiter,
    Timeout,
    TooLarge,
)
from worker.fetch.decode import CappedDecoder, content_coding
from worker.fetch.errors import redact
from worker.pipeline.schedule import retryable

TEXT = b"<rss><channel><title>hello</title></channel></rss>" * 50


def _decode(coding: str, data: bytes, cap: int = 1 << 20, chunk: int = 7) -> bytes:
    decoder = CappedDecoder(coding, cap)
    for i in range(0, len(data), chunk):
        decoder.feed(data[i:i + chunk])
    return decoder.finish()


@pytest.mark.parametrize(("header", "coding"), [
    (None, "identity"), ("", "identity"), ("identity", "identity"), ("GZIP", "gzip"),
    ("x-gzip", "gzip"), ("deflate", "deflate"), ("identity, gzip", "gzip"),
])
def test_content_coding_accepts_one_known_layer(header: str | None, coding: str) -> None:
    assert content_coding(header) == coding


@pytest.mark.parametrize("header", ["gzip, gzip", "gzip, deflate", "br", "zstd", "compress"])
def test_content_coding_refuses_stacked_or_unknown(header: str) -> None:
    with pytest.raises(BadEncoding):
        content_coding(header, "http://x.test/")


def test_decoders_round_trip() -> None:
    raw_deflate = zlib.compressobj(wbits=-15)
    raw = raw_deflate.compress(TEXT) + raw_deflate.flush()
    assert _decode("identity", TEXT) == TEXT
    assert _decode("gzip", gzip.compress(TEXT)) == TEXT
    assert _decode("gzip", gzip.compress(TEXT[:100]) + gzip.compress(TEXT[100:]), chunk=1) == TEXT
    assert _decode("deflate", zlib.compress(TEXT), chunk=1) == TEXT
    assert _decode("deflate", raw) == TEXT
    assert _decode("gzip", b"") == b""


def test_corrupt_or_truncated_compressed_bodies_are_refused() -> None:
    with pytest.raises(BadEncoding):
        _decode("gzip", b"not gzip at all")
    with pytest.raises(BadEncoding, match="truncated"):
        _decode("gzip", gzip.compress(TEXT)[:-20])


def test_cap_counts_decoded_bytes() -> None:
    assert _decode("gzip", gzip.compress(TEXT), cap=len(TEXT)) == TEXT
    with pytest.raises(TooLarge):
        _decode("gzip", gzip.compress(TEXT), cap=len(TEXT) - 1)
    with pytest.raises(TooLarge):
        _decode("identity", TEXT, cap=len(TEXT) - 1)


def test_gzip_bomb_never_inflates_much_past_the_cap() -> None:
    bomb = gzip.compress(bytes(20 << 20), compresslevel=9)
    decoder = CappedDecoder("gzip", 1 << 20)
    with pytest.raises(TooLarge):
        decoder.feed(bomb)  # one chunk holding the whole bomb
    assert decoder.size <= (1 << 20) + 1


# --- limiter ---------------------------------------------------------------------------------


def test_limiter_caps_total_and_per_host_concurrency() -> None:
    async def go() -> tuple[int, dict[str, int]]:
        limiter = HostLimiter(total=3, per_host=2, delay=0.0)
        running: dict[str, int] = {}
        peak_host: dict[str, int] = {}
        peak_total = 0

        async def one(host: str) -> None:
            nonlocal peak_total
            async with limiter.slot(host):
                host = host.lower()
                running[host] = running.get(host, 0) + 1
                peak_host[host] = max(peak_host.get(host, 0), running[host])
                peak_total = max(peak_total, sum(running.values()))
                await asyncio.sleep(0.02)
                running[host] -= 1

        await asyncio.gather(*(one(h) for h in ["a", "A", "a", "b", "b", "b", "c", "c"]))
        return peak_total, peak_host

    peak_total, peak_host = asyncio.run(go())
    assert peak_total == 3
    assert peak_host["a"] == 2 and max(peak_host.values()) == 2 and set(peak_host) == {"a", "b", "c"}


def test_limiter_spaces_starts_per_host() -> None:
    async def go() -> tuple[list[float], list[float]]:
        limiter = HostLimiter(total=10, per_host=10, delay=0.1)
        starts: list[float] = []
        other: list[float] = []

        async def one(host: str, log: list[float]) -> None:
            async with limiter.slot(host):
                log.append(time.monotonic())

        await asyncio.gather(*(one("slow.example", starts) for _ in range(4)),
                             *(one("other.example", other) for _ in range(1)))
        return starts, other

    starts, other = asyncio.run(go())
    gaps = [b - a for a, b in itertools.pairwise(starts[:4])]
    assert all(gap >= 0.095 for gap in gaps), gaps
    assert other[0] - starts[0] < 0.05  # another host is not held up


# --- errors ----------------------------------------------------------------------------------


def test_errors_carry_url_reason_kind_and_retryability() -> None:
    err = BadStatus("https://user:secret@x.test/feed", 503, {"retry-after": "120"})
    assert isinstance(err, FetchError)
    assert (err.kind, err.status, err.headers["retry-after"], retryable(err.kind, err.status)) == ("status", 503, "120", True)
    assert "secret" not in str(err) and "x.test/feed" in str(err) and "503" in str(err)
    assert not retryable("status", BadStatus("http://x.test/", 404, {}).status)
    assert retryable("status", BadStatus("http://x.test/", 429, {}).status)
    assert retryable(Timeout("http://x.test/", "slow").kind, None)
    assert retryable(ConnectFailed("http://x.test/", "refused").kind, None)
    assert not retryable(ConnectFailed("http://x.test/", "bad cert", kind="tls").kind, None)
    assert not retryable(TooLarge("http://x.test/", "big").kind, None)
    assert redact("http://a:b@h.test/p?q=1") == "http://***@h.test/p?q=1"
    assert redact("http://h.test/p") == "http://h.test/p"
