"""The daemon's HTTP endpoints for monitoring, on ``settings.metrics_addr``:

- ``GET /metrics``: the registry in Prometheus text format 0.0.4 (``generate_latest``);
- ``GET /healthz``: ``200 ok`` while ``health_check()`` returns ``(True, ...)``, else ``503`` with the
  reason it gave (or the class name of the exception it raised);
- anything else: 404. ``HEAD`` answers like ``GET`` without a body.

The server runs on daemon threads beside the asyncio loop (a scrape never waits for a tick, and a
tick never waits for a scrape), writes no request log, and :meth:`MetricsServer.stop` returns
promptly. ``addr`` is ``host:port``; ``:9100`` listens on every IPv4 interface, ``[::1]:9100`` on an
IPv6 address, and port 0 picks a free port (see :attr:`MetricsServer.port`).

This is a small server of ours around prometheus-client's ``generate_latest`` rather than the
library's ``start_http_server``: that one answers every path with the metrics (no ``/healthz``, no
404), refuses ``HEAD`` (405) and reports a port in use as a bare OSError. Ours keeps the paths,
status codes and bodies the daemon has always served, and says why an address cannot be listened on.
"""

from __future__ import annotations

import errno
import http.server
import logging
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.registry import Collector

from worker.metrics import CONTENT_TYPE
from worker.settings import split_address as parse_addr

log = logging.getLogger("worker.health")

HealthCheck = Callable[[], tuple[bool, str]]
TEXT = "text/plain; charset=utf-8"


class ListenError(OSError):
    """``addr`` cannot be listened on; the message names the address and says why in words."""


def _why(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    if exc.errno == errno.EADDRINUSE:
        return "the address is already in use (another process listens there)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "the host is not an address of this machine"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges)"
    return exc.strerror or str(exc)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a slow client or health check

    def __init__(self, address: tuple[str, int], handler: type[http.server.BaseHTTPRequestHandler],
                 registry: Collector, health_check: HealthCheck) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.registry = registry
        self.health_check = health_check
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            log.warning("metrics endpoint: request from %s failed", client_address[0], exc_info=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "news-worker"
    timeout = 10  # a client that stalls mid-request gives its thread back

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            try:
                body = generate_latest(self.server.registry)
            except Exception as exc:
                log.exception("rendering metrics failed")
                self._send(500, f"metrics failed: {exc.__class__.__name__}\n".encode(), TEXT)
            else:
                self._send(200, body, CONTENT_TYPE)
        elif path == "/healthz":
            status, text = self._health()
            self._send(status, text.encode(), TEXT)
        else:
            self._send(404, b"not found\n", TEXT)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _health(self) -> tuple[int, str]:
        try:
            healthy, reason = self.server.health_check()
        except Exception as exc:
            return 503, f"{exc.__class__.__name__}\n"
        if healthy:
            return 200, "ok\n"
        return 503, f"{reason or 'unhealthy'}\n"

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every 15 s is not news


class MetricsServer:
    """``/metrics`` and ``/healthz`` on ``addr``; ``start()`` binds and serves, ``stop()`` ends it.

    Also a context manager: ``with MetricsServer("127.0.0.1:0", metrics.registry, check) as server: ...``.
    """

    def __init__(self, addr: str, registry: Collector, health_check: HealthCheck) -> None:
        self.addr = addr.strip()
        self.host, self._port = parse_addr(addr)
        self.registry = registry
        self.health_check = health_check
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0); the configured one before ``start()``."""
        return self._port

    def start(self) -> None:
        """Bind and serve on a daemon thread; :class:`ListenError` (an OSError) if the address is in
        use, not one of this machine's or otherwise cannot be bound."""
        if self._httpd is not None:
            raise RuntimeError("the metrics server is already running")
        try:
            httpd = _Server((self.host, self._port), _Handler, self.registry, self.health_check)
        except OSError as exc:
            error = ListenError(f"cannot listen on {self.addr}: {_why(exc)}")
            error.errno = exc.errno
            raise error from exc
        self._port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"metrics:{self._port}", daemon=True)
        self._thread.start()
        log.info("serving /metrics and /healthz", extra={"addr": f"{self.host or '*'}:{self._port}"})

    def stop(self) -> None:
        """Stop serving and close the socket; returns within a fraction of a second. Idempotent."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def __enter__(self) -> MetricsServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
