"""Fetcher end to end against a real server on 127.0.0.1 (and httpx.MockTransport for pure logic)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import http.server
import ipaddress
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from server import LocalServer

from worker.fetch import (
    BadEncoding,
    BadScheme,
    BadStatus,
    BlockedAddress,
    ConnectFailed,
    Fetcher,
    LocalFileError,
    Response,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from worker.fetch.client import ACCEPT
from worker.pipeline.schedule import retryable
from worker.settings import Settings, settings_with

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
FEED = "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"


def local_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"allowed_networks": LOOPBACK, "per_host_delay": 0.0, "fetch_timeout": 5.0,
                              "connect_timeout": 2.0}
    return settings_with(**{**values, **overrides})


def fetch(url: str, settings: Settings | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
          kind: str = "feed", **kwargs: Any) -> Response:
    async def go() -> Response:
        async with Fetcher(settings or local_settings(), transport=transport) as fetcher:
            return await fetcher.fetch(url, kind=kind, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


# --- plain fetches and conditional GET ----------------------------------------------------


def test_ok_fetch_sends_polite_headers(http_server: LocalServer) -> None:
    http_server.add("/feed.xml", FEED, headers={"Content-Type": "application/rss+xml", "X-Two": "2"})
    response = fetch(http_server.url("/feed.xml?x=1"))
    assert (response.status, response.body) == (200, FEED.encode())
    assert response.url == http_server.url("/feed.xml?x=1")
    assert response.headers["content-type"] == "application/rss+xml" and response.headers["x-two"] == "2"
    assert response.redirects == () and response.permanent_url is None and not response.not_modified
    assert response.elapsed > 0
    sent = http_server.requests[0]
    assert sent.path == "/feed.xml?x=1" and http_server.hits("/feed.xml") == 1
    assert sent.headers["user-agent"].startswith("news-worker/")
    assert sent.headers["accept"] == ACCEPT["feed"]
    assert sent.headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in sent.headers


def test_page_accept_header(http_server: LocalServer) -> None:
    http_server.add("/a", "<html></html>")
    fetch(http_server.url("/a"), kind="page")
    assert http_server.requests[0].headers["accept"] == "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


def test_conditional_get_returns_304_without_body(http_server: LocalServer) -> None:
    lm = "Wed, 01 Jan 2025 00:00:00 GMT"
    http_server.add("/feed", FEED, headers={"ETag": '"v1"', "Last-Modified": lm})
    response = fetch(http_server.url("/feed"), etag='"v1"', last_modified=lm)
    assert response.not_modified and response.status == 304 and response.body == b""
    assert response.headers["etag"] == '"v1"'
    sent = http_server.requests[0].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == lm
    assert fetch(http_server.url("/feed"), etag='"v0"').status == 200
    assert fetch(http_server.url("/feed"), last_modified=lm).status == 304


def test_error_status_carries_status_and_headers(http_server: LocalServer) -> None:
    http_server.add("/busy", "come back later", status=503, headers={"Retry-After": "120"})
    http_server.add("/gone", "", status=404)
    with pytest.raises(BadStatus) as info:
        fetch(http_server.url("/busy"))
    err = info.value
    assert (err.status, err.headers["retry-after"], err.kind, retryable(err.kind, err.status)) == (503, "120", "status", True)
    assert http_server.url("/busy") in str(err)
    with pytest.raises(BadStatus) as info:
        fetch(http_server.url("/gone"))
    assert info.value.status == 404 and not retryable(info.value.kind, info.value.status)


def test_credentials_in_url_never_reach_error_text(http_server: LocalServer) -> None:
    url = http_server.url("/nope").replace("://", "://reader:s3cret@")
    with pytest.raises(BadStatus) as info:
        fetch(url)
    assert "s3cret" not in str(info.value) and "s3cret" not in info.value.reason
    assert "/nope" in str(info.value)


# --- redirects ---------------------------------------------------------------------------------


def _chain(server: LocalServer, hops: int, status: int = 301) -> None:
    for i in range(hops):
        target = f"/r{i + 1}" if i % 2 else server.url(f"/r{i + 1}")  # relative and absolute Locations
        server.add(f"/r{i}", "", status=status, headers={"Location": target})
    server.add(f"/r{hops}", FEED)


def test_five_redirects_are_followed(http_server: LocalServer) -> None:
    _chain(http_server, 5)
    response = fetch(http_server.url("/r0"))
    assert response.body == FEED.encode() and response.url == http_server.url("/r5")
    assert response.redirects == tuple((301, http_server.url(f"/r{i}")) for i in range(1, 6))
    assert response.permanent_url == http_server.url("/r5")


def test_sixth_redirect_is_refused(http_server: LocalServer) -> None:
    _chain(http_server, 6)
    with pytest.raises(TooManyRedirects) as info:
        fetch(http_server.url("/r0"))
    assert info.value.kind == "redirects"
    assert http_server.hits("/r6") == 0


def test_temporary_hop_means_no_permanent_url(http_server: LocalServer) -> None:
    http_server.add("/old", "", status=308, headers={"Location": "/mid"})
    http_server.add("/mid", "", status=302, headers={"Location": "/new"})
    http_server.add("/new", FEED)
    response = fetch(http_server.url("/old"))
    assert [s for s, _ in response.redirects] == [308, 302] and response.permanent_url is None


@pytest.mark.parametrize("location", ["ftp://127.0.0.1/feed", "file:///etc/passwd", "javascript:alert(1)"])
def test_redirect_to_other_scheme_is_refused(http_server: LocalServer, location: str, tmp_path: Path) -> None:
    http_server.add("/feed", "", status=302, headers={"Location": location})
    with pytest.raises(BadScheme):
        fetch(http_server.url("/feed"), local_root=tmp_path)


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/x", "http://169.254.169.254/latest/meta-data/",
                                    "http://[::ffff:10.0.0.1]/", "http://0.0.0.0:{port}/x"])
def test_redirect_from_allowed_host_to_blocked_address_is_refused(http_server: LocalServer,
                                                                  target: str) -> None:
    http_server.add("/feed", "", status=302, headers={"Location": target.format(port=http_server.port)})
    settings = local_settings(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    with pytest.raises(BlockedAddress) as info:
        fetch(http_server.url("/feed"), settings)
    assert info.value.url == target.format(port=http_server.port)


def test_loopback_is_refused_without_allowed_networks(http_server: LocalServer) -> None:
    http_server.add("/feed", FEED)
    with pytest.raises(BlockedAddress) as info:
        fetch(http_server.url("/feed"), local_settings(allowed_networks=()))
    assert "loopback" in info.value.reason and http_server.requests == []


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "gopher://x/", "http://", "mailto:a@b.c",
                                 "file:///etc/passwd", "/etc/passwd"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(BadScheme) as info:
        fetch(url)
    assert info.value.kind == "scheme"


def test_connection_refused_is_a_connect_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectFailed) as info:
        fetch(f"http://127.0.0.1:{port}/feed")
    assert info.value.kind == "connect" and retryable(info.value.kind, None)


def test_tls_failure_is_a_tls_error(http_server: LocalServer) -> None:
    http_server.add("/feed", FEED)  # plain HTTP: the TLS handshake cannot succeed
    with pytest.raises(ConnectFailed) as info:
        fetch(http_server.url("/feed").replace("http://", "https://"))
    assert info.value.kind == "tls" and not retryable(info.value.kind, None)


# --- size caps and encodings -----------------------------------------------------------------


def _raw_handler(body: bytes, headers: dict[str, str], *, declared: int | None = None):  # type: ignore[no-untyped-def]
    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        for name, value in headers.items():
            h.send_header(name, value)
        if declared is not None:
            h.send_header("Content-Length", str(declared))
        h.end_headers()
        h.wfile.write(body)

    return handler


def test_declared_length_over_cap_fails_before_reading(http_server: LocalServer) -> None:
    http_server.add_handler("/huge", _raw_handler(b"x" * 100, {}, declared=10**9))
    started = time.monotonic()
    with pytest.raises(TooLarge) as info:
        fetch(http_server.url("/huge"))
    assert time.monotonic() - started < 2 and "1000000000" in info.value.reason


def test_streamed_body_over_cap_is_refused(http_server: LocalServer) -> None:
    http_server.add_handler("/big", _raw_handler(b"x" * 5000, {}))  # no Content-Length: read to close
    http_server.add("/page", "y" * 3000)
    settings = local_settings(max_feed_bytes=4000, max_page_bytes=2000)
    with pytest.raises(TooLarge):
        fetch(http_server.url("/big"), settings)
    assert len(fetch(http_server.url("/page"), settings).body) == 3000
    with pytest.raises(TooLarge):
        fetch(http_server.url("/page"), settings, kind="page")


@functools.cache
def _bomb() -> bytes:
    return gzip.compress(bytes(50 << 20), compresslevel=9)  # 50 MiB of zeros, ~50 KiB on the wire


def test_gzip_bomb_is_refused_with_bounded_memory(http_server: LocalServer) -> None:
    http_server.add("/bomb", _bomb(), headers={"Content-Encoding": "gzip"})
    http_server.add("/small", gzip.compress(FEED.encode()), headers={"Content-Encoding": "gzip"})

    async def go() -> int:
        async with Fetcher(local_settings(max_feed_bytes=1 << 20)) as fetcher:
            await fetcher.fetch(http_server.url("/small"), kind="feed")  # warm up lazy imports
            tracemalloc.start()
            try:
                with pytest.raises(TooLarge):
                    await fetcher.fetch(http_server.url("/bomb"), kind="feed")
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    peak = asyncio.run(go())
    assert peak < 4 << 20, peak  # cap 1 MiB + one inflate step; unbounded would be 50 MiB


def test_gzip_and_deflate_bodies_are_decoded(http_server: LocalServer) -> None:
    http_server.add("/gz", gzip.compress(FEED.encode()), headers={"Content-Encoding": "gzip"})
    http_server.add("/zl", zlib.compress(FEED.encode()), headers={"Content-Encoding": "deflate"})
    assert fetch(http_server.url("/gz")).body == FEED.encode()
    assert fetch(http_server.url("/zl")).body == FEED.encode()


@pytest.mark.parametrize(("encoding", "body"), [
    ("gzip, gzip", gzip.compress(gzip.compress(FEED.encode()))),
    ("br", b"\x0b\x02\x80hello\x03"),
    ("gzip", b"this is not gzip"),
])
def test_bad_encodings_are_refused(http_server: LocalServer, encoding: str, body: bytes) -> None:
    http_server.add("/enc", body, headers={"Content-Encoding": encoding})
    with pytest.raises(BadEncoding) as info:
        fetch(http_server.url("/enc"))
    assert info.value.kind == "encoding"


# --- deadline and politeness -----------------------------------------------------------------


def _drip(h: http.server.BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    for _ in range(1000):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(0.2)


def test_total_deadline_stops_a_dripping_server(http_server: LocalServer) -> None:
    http_server.add_handler("/drip", _drip)
    started = time.monotonic()
    with pytest.raises(Timeout) as info:
        fetch(http_server.url("/drip"), local_settings(fetch_timeout=1.0))
    assert time.monotonic() - started < 2.0
    assert info.value.kind == "timeout" and retryable(info.value.kind, None) and "/drip" in str(info.value)


def _fetch_many(urls: list[str], settings: Settings) -> list[Response]:
    async def go() -> list[Response]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(u, kind="feed") for u in urls)))

    return asyncio.run(go())


def test_per_host_concurrency_is_limited(http_server: LocalServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.2)
        with lock:
            state["now"] -= 1
        _raw_handler(b"ok", {})(h)

    http_server.add_handler("/slow", slow)
    responses = _fetch_many([http_server.url(f"/slow?{i}") for i in range(6)],
                            local_settings(per_host_concurrency=2, concurrency=10))
    assert [r.body for r in responses] == [b"ok"] * 6
    assert state["peak"] == 2


def test_per_host_delay_spaces_request_starts(http_server: LocalServer) -> None:
    arrivals: list[float] = []

    def stamp(h: http.server.BaseHTTPRequestHandler) -> None:
        arrivals.append(time.monotonic())
        _raw_handler(b"ok", {})(h)

    http_server.add_handler("/t", stamp)
    _fetch_many([http_server.url(f"/t?{i}") for i in range(3)],
                local_settings(per_host_delay=0.3, per_host_concurrency=3))
    arrivals.sort()
    assert len(arrivals) == 3
    assert all(b - a >= 0.27 for a, b in itertools.pairwise(arrivals)), arrivals


# --- pure logic through httpx.MockTransport ----------------------------------------------------


def test_mock_transport_redirects_and_encodings() -> None:
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress(FEED.encode()) + raw.flush()

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/dir")
        if path == "/a":
            return httpx.Response(303, headers={"Location": "b?x=1"})
        if path == "/b":
            return httpx.Response(200, content=deflated, headers={"Content-Encoding": "deflate"})
        if path == "/loop":
            return httpx.Response(301, headers={"Location": "/loop"})
        return httpx.Response(404)

    transport = httpx.MockTransport(handler)
    response = fetch("https://feeds.example/dir/a", transport=transport)
    assert response.url == "https://feeds.example/dir/b?x=1"
    assert response.redirects == ((303, "https://feeds.example/dir/b?x=1"),)
    assert response.body == FEED.encode()
    with pytest.raises(TooManyRedirects):
        fetch("https://feeds.example/loop", transport=transport)


# --- local files ---------------------------------------------------------------------------------


def test_local_file_inside_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(FEED)
    (tmp_path / "page.html").write_text("<html/>")
    by_uri = fetch((tmp_path / "feed.rss").as_uri(), local_root=tmp_path)
    assert (by_uri.status, by_uri.body, by_uri.url) == (200, FEED.encode(), (tmp_path / "feed.rss").as_uri())
    assert by_uri.headers["content-type"] == "application/xml"
    assert fetch(str(tmp_path / "feed.rss"), local_root=tmp_path).body == FEED.encode()
    assert fetch("feed.rss", local_root=tmp_path).body == FEED.encode()  # relative to the root
    assert fetch("page.html", local_root=tmp_path, kind="page").headers["content-type"] == "text/html"


def test_local_file_outside_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.xml").write_text("<secret/>")
    (root / "link.xml").symlink_to(tmp_path / "secret.xml")
    for target in ["../secret.xml", str(root / ".." / "secret.xml"), (tmp_path / "secret.xml").as_uri(),
                   str(root / "link.xml"), (root / "link.xml").as_uri()]:
        with pytest.raises(LocalFileError) as info:
            fetch(target, local_root=root)
        assert "outside" in info.value.reason, target


def test_local_file_errors(tmp_path: Path) -> None:
    (tmp_path / "big.xml").write_bytes(b"x" * 2000)
    (tmp_path / "dir.xml").mkdir()
    with pytest.raises(LocalFileError) as info:
        fetch("missing.xml", local_root=tmp_path)
    assert info.value.kind == "local"
    with pytest.raises(LocalFileError):
        fetch("dir.xml", local_root=tmp_path)
    with pytest.raises(LocalFileError):
        fetch("file://otherhost/feed.xml", local_root=tmp_path)
    with pytest.raises(TooLarge):
        fetch("big.xml", local_settings(max_feed_bytes=1000), local_root=tmp_path)
    with pytest.raises(BadScheme):
        fetch((tmp_path / "big.xml").as_uri())
