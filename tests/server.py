"""A small threaded HTTP server on 127.0.0.1 for tests that need a real socket.

    from server import LocalServer  # the http_server fixture comes from tests/conftest.py

    def test_x(http_server: LocalServer) -> None:
        http_server.add("/feed.xml", "<rss/>", headers={"ETag": '"v1"'})
        url = http_server.url("/feed.xml")

Static routes answer GET and HEAD, add Content-Length unless given, and honour
conditional requests: 304 when If-None-Match matches the route's ETag, or (without
If-None-Match) when If-Modified-Since equals its Last-Modified. Routes match the path
without its query string; ``requests`` records the full path. Unknown paths get 404.
Handlers added with ``add_handler`` write the whole response themselves; the server
speaks HTTP/1.0, so a handler may simply write a body without Content-Length and return.

tests/conftest.py re-exports the ``http_server`` fixture. A test module that imports it
itself works too (``from server import http_server  # noqa: F401``), but ruff then reports
F811 on every test taking the fixture as a parameter.
"""

from __future__ import annotations

import http.server
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class _Static:
    body: bytes
    status: int
    headers: dict[str, str]


def _etags(value: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()]


class LocalServer:
    """Routes, recorded requests and the base URL of one running server."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, _Static | Handler] = {}
        self._lock = threading.Lock()

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200,
            headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._routes[path] = _Static(data, status, dict(headers or {}))

    def add_handler(self, path: str, fn: Handler) -> None:
        with self._lock:
            self._routes[path] = fn

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        """Requests to ``path`` (compared without query string unless ``path`` has one)."""
        with self._lock:
            if "?" in path:
                return sum(1 for r in self.requests if r.path == path)
            return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _route(self, path: str) -> _Static | Handler | None:
        with self._lock:
            return self._routes.get(path.split("?", 1)[0])


def _answer_static(handler: http.server.BaseHTTPRequestHandler, route: _Static) -> None:
    headers = {name.lower(): (name, value) for name, value in route.headers.items()}
    etag = headers.get("etag", ("", ""))[1]
    last_modified = headers.get("last-modified", ("", ""))[1]
    if_none_match = handler.headers.get("If-None-Match")
    if_modified_since = handler.headers.get("If-Modified-Since")
    not_modified = False
    if if_none_match is not None and etag:
        not_modified = "*" in _etags(if_none_match) or etag.removeprefix("W/") in _etags(if_none_match)
    elif if_modified_since is not None and last_modified:
        not_modified = if_modified_since.strip() == last_modified.strip()
    if not_modified:
        handler.send_response(304)
        for name, value in route.headers.items():
            if name.lower() in ("etag", "last-modified", "cache-control", "expires", "vary"):
                handler.send_header(name, value)
        handler.end_headers()
        return
    handler.send_response(route.status)
    for name, value in route.headers.items():
        handler.send_header(name, value)
    if "content-length" not in headers:
        handler.send_header("Content-Length", str(len(route.body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(route.body)


def _handler_class(server: LocalServer) -> type[http.server.BaseHTTPRequestHandler]:
    class RequestHandler(http.server.BaseHTTPRequestHandler):
        server_version = "LocalTestServer/1.0"

        def _dispatch(self) -> None:
            server._record(RecordedRequest(self.command, self.path,
                                           {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            route = server._route(self.path)
            if route is None:
                self.send_error(404)
            elif isinstance(route, _Static):
                _answer_static(self, route)
            else:
                route(self)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return RequestHandler


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: with more concurrent connects the kernel drops the
    # SYNs and clients retry after 1 s, which made every run with concurrency 16 take a second longer.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up early (timeouts, size caps) are part of the tests.
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[LocalServer]:
    """Run a LocalServer on an ephemeral port of ``host`` (any 127.x.y.z works on Linux: another
    host as far as per-host limits go) for the duration of the ``with``."""
    local = LocalServer(host=host)
    httpd = _QuietServer((host, 0), _handler_class(local))
    local.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"LocalServer:{local.port}", daemon=True)
    thread.start()
    try:
        yield local
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    with serve() as local:
        yield local


__all__ = ["LocalServer", "RecordedRequest", "http_server", "serve"]
