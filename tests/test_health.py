"""worker.health.MetricsServer over real HTTP on 127.0.0.1."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from worker.health import HealthCheck, ListenError, MetricsServer, parse_addr


def healthy() -> tuple[bool, str]:
    return True, "fine"


@pytest.fixture
def registry() -> CollectorRegistry:
    reg = CollectorRegistry()
    Counter("worker_polls_total", "Feed polls by outcome.", ["outcome"], registry=reg).labels(outcome="ok").inc()
    return reg


def running(registry: CollectorRegistry, check: HealthCheck = healthy) -> Iterator[MetricsServer]:
    server = MetricsServer("127.0.0.1:0", registry, check)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(registry: CollectorRegistry) -> Iterator[MetricsServer]:
    yield from running(registry)


def url(server: MetricsServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_metrics_serves_the_registry(server: MetricsServer, registry: CollectorRegistry) -> None:
    r = httpx.get(url(server, "/metrics"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert r.text == generate_latest(registry).decode()
    assert 'worker_polls_total{outcome="ok"} 1.0\n' in r.text


def test_metrics_are_rendered_per_scrape(server: MetricsServer, registry: CollectorRegistry) -> None:
    depth = Gauge("worker_depth", "depth", registry=registry)
    values = iter([3.0, 5.0])
    depth.set_function(lambda: next(values))
    assert "worker_depth 3.0\n" in httpx.get(url(server, "/metrics")).text
    assert "worker_depth 5.0\n" in httpx.get(url(server, "/metrics?x=1")).text


def test_healthz_ok(server: MetricsServer) -> None:
    r = httpx.get(url(server, "/healthz"))
    assert (r.status_code, r.text) == (200, "ok\n")
    assert r.headers["content-type"].startswith("text/plain")


def test_healthz_unhealthy_gives_the_reason(registry: CollectorRegistry) -> None:
    state = {"ok": False}

    def check() -> tuple[bool, str]:
        return (True, "ok") if state["ok"] else (False, "database: OperationalError")

    for server in running(registry, check):
        r = httpx.get(url(server, "/healthz"))
        assert (r.status_code, r.text) == (503, "database: OperationalError\n")
        state["ok"] = True
        assert httpx.get(url(server, "/healthz")).status_code == 200


def test_healthz_exception_is_503_with_class_name(registry: CollectorRegistry, capfd: pytest.CaptureFixture[str]) -> None:
    def check() -> tuple[bool, str]:
        raise ConnectionRefusedError("secret detail")

    for server in running(registry, check):
        r = httpx.get(url(server, "/healthz"))
        assert (r.status_code, r.text) == (503, "ConnectionRefusedError\n")
    assert capfd.readouterr().err == ""


def test_other_paths_are_404(server: MetricsServer) -> None:
    for path in ("/", "/metrics/", "/health", "/healthz/x"):
        assert httpx.get(url(server, path)).status_code == 404, path


def test_head_has_no_body(server: MetricsServer) -> None:
    r = httpx.head(url(server, "/healthz"))
    assert r.status_code == 200
    assert r.headers["content-length"] == "3"
    assert r.content == b""


def test_no_request_log_on_stderr(server: MetricsServer, capfd: pytest.CaptureFixture[str]) -> None:
    for path in ("/metrics", "/healthz", "/nope"):
        httpx.get(url(server, path))
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_slow_health_check_does_not_block_scrapes(registry: CollectorRegistry) -> None:
    release = threading.Event()

    def slow() -> tuple[bool, str]:
        release.wait(5)
        return True, "ok"

    for server in running(registry, slow):
        thread = threading.Thread(target=httpx.get, args=(url(server, "/healthz"),), kwargs={"timeout": 10})
        thread.start()
        time.sleep(0.1)
        started = time.monotonic()
        assert httpx.get(url(server, "/metrics"), timeout=2).status_code == 200
        assert time.monotonic() - started < 1
        release.set()
        thread.join()


def test_stop_is_prompt_and_closes_the_port(registry: CollectorRegistry) -> None:
    hang = threading.Event()

    def stuck() -> tuple[bool, str]:
        hang.wait(10)
        return True, "ok"

    server = MetricsServer("127.0.0.1:0", registry, stuck)
    server.start()
    port = server.port
    assert port > 0
    ended: list[object] = []

    def in_flight() -> None:  # cut by the stop (a reset) or answered once the check returns
        try:
            ended.append(httpx.get(url(server, "/healthz"), timeout=15).status_code)
        except httpx.TransportError as exc:
            ended.append(exc)

    client = threading.Thread(target=in_flight, daemon=True)
    client.start()
    time.sleep(0.1)  # a request is now inside the health check
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    server.stop()  # idempotent
    hang.set()
    client.join(5)
    assert ended, "the request in flight at the stop never ended"


def test_all_interfaces_address(registry: CollectorRegistry) -> None:
    with MetricsServer(":0", registry, healthy) as server:
        assert server.host == ""
        assert httpx.get(url(server, "/healthz")).status_code == 200


def test_start_twice_and_port_in_use(registry: CollectorRegistry) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            MetricsServer(f"127.0.0.1:{taken.getsockname()[1]}", registry, healthy).start()
    with MetricsServer("127.0.0.1:0", registry, healthy) as server, pytest.raises(RuntimeError):
        server.start()


def test_parse_addr() -> None:
    assert parse_addr("127.0.0.1:9100") == ("127.0.0.1", 9100)
    assert parse_addr(":9100") == ("", 9100)
    assert parse_addr("[::1]:9100") == ("::1", 9100)
    for bad in ("9100", "host:", "host:http", "host:70000"):
        with pytest.raises(ValueError):
            parse_addr(bad)


def test_an_address_in_use_is_a_listen_error_naming_it(registry: CollectorRegistry) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = MetricsServer(f" 127.0.0.1:{port} ", registry, healthy)
        with pytest.raises(ListenError) as info:
            server.start()
    assert str(info.value) == (f"cannot listen on 127.0.0.1:{port}: the address is already in use "
                               "(another process listens there)")
    assert info.value.errno == errno.EADDRINUSE and not server.running
    with pytest.raises(ListenError, match=r"cannot listen on 192\.0\.2\.1:0: the host is not an address of this"):
        MetricsServer("192.0.2.1:0", registry, healthy).start()


@pytest.mark.slow
def test_worker_run_with_the_metrics_port_in_use_is_a_configuration_error(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("worker")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PATH": str(script.parent), "HOME": str(tmp_path), "WORKER_PROCESSES": "0",
               "WORKER_DATABASE_URL": f"sqlite:///{tmp_path / 'news.db'}",
               "WORKER_METRICS_ADDR": f"127.0.0.1:{port}"}
        done = subprocess.run([str(script), "run"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"worker: configuration error: metrics_addr (WORKER_METRICS_ADDR): cannot listen on 127.0.0.1:{port}: "
        "the address is already in use (another process listens there)")
