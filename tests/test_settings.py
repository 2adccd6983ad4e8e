"""Settings: defaults < config file < WORKER_* environment, units, and errors that name the setting."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from config.defaults import DEFAULTS
from worker.settings import (
    ConfigError,
    Settings,
    load_settings,
    parse_duration,
    parse_size,
    redact_url,
    settings_with,
)


def test_defaults_match_the_documented_values() -> None:
    s = load_settings(environ={})
    assert s.database_url == "sqlite:///news.db"
    assert s.allowed_networks == ()
    assert s.fetch_timeout == 30.0
    assert s.max_feed_bytes == 15 * 1024 * 1024 and s.max_page_bytes == 10 * 1024 * 1024
    assert (s.concurrency, s.per_host_concurrency, s.per_host_delay) == (16, 2, 1.0)
    assert "news-worker/" in s.user_agent
    assert {d.name for d in DEFAULTS} == set(Settings.__dataclass_fields__)
    assert all(d.unit and d.help for d in DEFAULTS)


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "worker.toml"
    config.write_text('fetch_timeout = "2m"\nconcurrency = 4\nmax_page_bytes = "512KiB"\n', encoding="utf-8")
    s = load_settings(config, environ={"WORKER_CONCURRENCY": "8", "WORKER_PER_HOST_DELAY": ""})
    assert s.fetch_timeout == 120.0
    assert s.max_page_bytes == 512 * 1024
    assert s.concurrency == 8  # environment wins
    assert s.per_host_delay == 1.0  # an empty variable is as good as unset
    via_env = load_settings(environ={"WORKER_CONFIG": str(config)})
    assert via_env.concurrency == 4


def test_allowed_networks_and_database_url_forms() -> None:
    s = load_settings(environ={"WORKER_ALLOWED_NETWORKS": "10.0.0.0/8, fd00::/8,127.0.0.1",
                               "WORKER_DATABASE_URL": "postgresql://u:secret@db/news"})
    assert s.allowed_networks == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"),
                                  ipaddress.ip_network("127.0.0.1/32"))
    assert s.database_url == "postgresql+psycopg://u:secret@db/news"
    assert "secret" not in s.redacted_database_url()
    assert redact_url("postgresql+psycopg://u:pa:ss@db/news") == "postgresql+psycopg://u:***@db/news"


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200),
                                               ("1d", 86400), ("250ms", 0.25), (1.5, 1.5)])
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "size"), [("1024", 1024), ("15MiB", 15 * 1024**2), ("1GB", 10**9),
                                            ("512k", 512 * 1024)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(("env", "message"), [
    ({"WORKER_PER_HOST_CONCURRENCY": "0"}, "invalid WORKER_PER_HOST_CONCURRENCY: must be at least 1"),
    ({"WORKER_FETCH_TIMEOUT": "0"}, "invalid WORKER_FETCH_TIMEOUT: must be greater than 0"),
    ({"WORKER_MAX_FEED_BYTES": "lots"}, "invalid WORKER_MAX_FEED_BYTES"),
    ({"WORKER_USER_AGENT": "  "}, "invalid WORKER_USER_AGENT"),
])
def test_invalid_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_settings_with_parses_like_a_config_file() -> None:
    s = settings_with(allowed_networks="127.0.0.0/8", fetch_timeout="5s", concurrency=3)
    assert s.allowed_networks == (ipaddress.ip_network("127.0.0.0/8"),)
    assert (s.fetch_timeout, s.concurrency) == (5.0, 3)
    with pytest.raises(ConfigError, match="concurency"):
        settings_with(concurency=3)
    with pytest.raises(ConfigError, match="per_host_concurrency"):
        settings_with(per_host_concurrency=0)


def test_readme_documents_every_setting_and_the_quickstart() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for d in DEFAULTS:
        assert f"`WORKER_{d.name.upper()}`" in readme, d.name
    assert "uv run worker ingest --feed seeds/demo/feed.xml\nuv run pytest\n" in readme
    example = (Path(__file__).resolve().parent.parent / "config" / "example.toml").read_text(encoding="utf-8")
    for d in DEFAULTS:
        assert f"{d.name} =" in example, d.name


def test_daemon_settings() -> None:
    s = load_settings(environ={"WORKER_METRICS_ADDR": "127.0.0.1:9100", "WORKER_LOG_FORMAT": "JSON",
                               "WORKER_MIN_INTERVAL": "2m"})
    assert (s.metrics_addr, s.log_format, s.min_interval, s.max_interval) == ("127.0.0.1:9100", "json", 120.0,
                                                                              86400.0)
    assert load_settings(environ={}).metrics_addr == ""
    with pytest.raises(ConfigError, match="WORKER_METRICS_ADDR"):
        load_settings(environ={"WORKER_METRICS_ADDR": "localhost"})
    with pytest.raises(ConfigError, match="WORKER_LOG_FORMAT"):
        load_settings(environ={"WORKER_LOG_FORMAT": "xml"})
