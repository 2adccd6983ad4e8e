"""Redirect hops wait their turn at the host (per_host_delay, per_host_concurrency), off the deadline's clock."""

from __future__ import annotations

import asyncio
import http.server
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from server import LocalServer

from worker.fetch import Fetcher, Response, Timeout, TooManyRedirects
from worker.settings import Settings, settings_with


def loop_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"allowed_networks": "127.0.0.0/8", "connect_timeout": 2.0}
    return settings_with(**{**values, **overrides})


def fetch(url: str, settings: Settings) -> Response:
    async def go() -> Response:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, kind="feed")

    return asyncio.run(go())


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


def _stamped_redirect(arrivals: list[float], location: str, pause: float = 0.0) -> Handler:
    def answer(h: http.server.BaseHTTPRequestHandler) -> None:
        arrivals.append(time.monotonic())
        time.sleep(pause)
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return answer


@pytest.mark.slow
def test_a_redirect_loop_is_too_many_redirects_not_a_timeout(http_server: LocalServer) -> None:
    """A -> B -> A ... on one host with per_host_delay 1 s and fetch_timeout 5 s: six hops a second
    apart take 5 s of waiting, which is politeness, not the server being slow."""
    arrivals: list[float] = []
    http_server.add_handler("/a", _stamped_redirect(arrivals, "/b"))
    http_server.add_handler("/b", _stamped_redirect(arrivals, http_server.url("/a")))
    with pytest.raises(TooManyRedirects) as info:
        fetch(http_server.url("/a"), loop_settings(per_host_delay=1.0, fetch_timeout=5.0, max_redirects=5))
    assert "more than 5 redirects" in str(info.value) and info.value.kind == "redirects"
    assert len(arrivals) == 6  # the first request and five redirects, then no more
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(arrivals)), arrivals  # the delay is kept


@pytest.mark.slow
def test_the_deadline_counts_time_at_servers_not_waits_for_a_turn(http_server: LocalServer) -> None:
    arrivals: list[float] = []
    http_server.add_handler("/hop", _stamped_redirect(arrivals, "/feed"))
    http_server.add("/feed", "<rss/>")
    started = time.monotonic()
    response = fetch(http_server.url("/hop"), loop_settings(per_host_delay=2.0, fetch_timeout=1.5))
    assert response.body == b"<rss/>" and len(response.redirects) == 1
    assert time.monotonic() - started >= 1.95  # the second hop waited its turn ...
    assert response.elapsed < 1.5  # ... which is neither in the deadline nor in the time reported

    # Time the servers take still counts, summed over every hop.
    slow: list[float] = []
    http_server.add_handler("/slow0", _stamped_redirect(slow, "/slow1", pause=0.4))
    http_server.add_handler("/slow1", _stamped_redirect(slow, "/slow2", pause=0.4))
    http_server.add_handler("/slow2", _stamped_redirect(slow, "/feed", pause=0.4))
    with pytest.raises(Timeout, match="no complete answer within 1 s"):
        fetch(http_server.url("/slow0"), loop_settings(per_host_delay=0.5, fetch_timeout=1.0))
    assert len(slow) >= 2  # each hop (0.4 s) is within the deadline; their sum is not


def test_waits_at_another_host_are_off_the_clock_too(http_server: LocalServer) -> None:
    """127.0.0.1 -> 127.0.0.2 -> 127.0.0.1 ...: each host has its own turn to wait for."""
    arrivals: list[float] = []
    other = _OtherHost(arrivals, http_server.url("/a"))
    thread = threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        http_server.add_handler("/a", _stamped_redirect(arrivals, f"http://127.0.0.2:{other.server_address[1]}/b"))
        started = time.monotonic()
        with pytest.raises(TooManyRedirects):
            fetch(http_server.url("/a"), loop_settings(per_host_delay=0.5, fetch_timeout=0.8, max_redirects=5))
        assert len(arrivals) == 6 and time.monotonic() - started >= 0.95
    finally:
        other.shutdown()
        other.server_close()
        thread.join(timeout=5)


class _OtherHost(http.server.ThreadingHTTPServer):
    """A second host, 127.0.0.2, whose every answer redirects to ``location``."""

    daemon_threads = True

    def __init__(self, arrivals: list[float], location: str) -> None:
        self.arrivals = arrivals
        self.location = location
        super().__init__(("127.0.0.2", 0), _RedirectBack)


class _RedirectBack(http.server.BaseHTTPRequestHandler):
    server: _OtherHost

    def do_GET(self) -> None:
        self.server.arrivals.append(time.monotonic())
        self.send_response(302)
        self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_waits_for_a_per_host_slot_are_off_the_clock_and_the_limit_holds(http_server: LocalServer) -> None:
    """Two redirect loops on one host with per_host_concurrency 1: each hop waits for the other's,
    yet both end as too many redirects, and the host never sees two requests at once."""
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def busy(location: str) -> Handler:
        def answer(h: http.server.BaseHTTPRequestHandler) -> None:
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.2)
            with lock:
                state["now"] -= 1
            h.send_response(302)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        return answer

    http_server.add_handler("/x", busy("/y"))
    http_server.add_handler("/y", busy("/x"))
    settings = loop_settings(per_host_delay=0.0, per_host_concurrency=1, fetch_timeout=1.2, max_redirects=3)

    async def go() -> list[BaseException | Response]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(http_server.url(f"/x?{i}"), kind="feed")
                                               for i in range(2)), return_exceptions=True))

    outcomes = asyncio.run(go())
    assert [type(o) for o in outcomes] == [TooManyRedirects, TooManyRedirects], outcomes
    assert state["peak"] == 1 and http_server.hits("/x") + http_server.hits("/y") == 8
