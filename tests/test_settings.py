"""Settings: defaults < config file < WORKER_* environment, units, and errors that name the setting."""

from __future__ import annotations

import ipaddress
import logging
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from config.defaults import DEFAULTS, VERSION
from worker.settings import (
    ConfigError,
    Settings,
    load_settings,
    parse_duration,
    parse_size,
    redact_url,
    settings_with,
    split_address,
)

ROOT = Path(__file__).resolve().parent.parent


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
    assert "secret" not in redact_url(s.database_url)
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


# --- database URLs are checked when the settings are read ---------------------------------------

DRIVER_FORMS = "sqlite:///FILE, sqlite+pysqlite:///FILE, postgresql://USER@HOST/DB or postgresql+psycopg://USER@HOST/DB"


@pytest.mark.parametrize(("url", "message"), [
    ("sqlite+nosuch:///news.db", "database driver 'sqlite+nosuch' is not supported"),
    ("postgresql+asyncpg://u@db/news", "database driver 'postgresql+asyncpg' is not supported"),
    ("postgresql+psycopg2://u@db/news", "database driver 'postgresql+psycopg2' is not supported"),
    ("mysql://u@db/news", "database driver 'mysql' is not supported"),
    ("news.db", "expected a database URL"),
    ("postgresql+psycopg://u@db:notaport/news", "port 'notaport' is not a number from 1 to 65535"),
    ("postgresql+psycopg://u@db:99999/news", "port 99999 is not a number from 1 to 65535"),
    ("postgresql+psycopg://u@db:0/news", "port 0 is not a number from 1 to 65535"),
    ("postgresql+psycopg://u:p@ss@db/news", "the URL has more than one '@'"),
    ("sqlite://", "SQLite needs a file"),
    ("sqlite:///", "SQLite needs a file"),
    ("sqlite:///:memory:", "SQLite needs a file"),
    ("sqlite:///file::memory:?uri=true", "SQLite needs a file"),
    ("sqlite:///news.db?mode=memory&uri=true", "SQLite needs a file"),
    ("sqlite://somehost/news.db", "a SQLite URL has no host"),
])
def test_unusable_database_urls_are_refused_at_start(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"invalid WORKER_DATABASE_URL: {message}")) as info:
        load_settings(environ={"WORKER_DATABASE_URL": url})
    if "driver" in message or "expected" in message:
        assert DRIVER_FORMS in str(info.value)


def test_good_urls_are_kept_and_a_bad_port_never_shows_the_password() -> None:
    for url, stored in [
        ("sqlite:///news.db", "sqlite:///news.db"),
        ("sqlite+pysqlite:////var/lib/worker/news.db", "sqlite+pysqlite:////var/lib/worker/news.db"),
        ("postgresql://u:p%40ss@[::1]:5432/news?options=-csearch_path%3Dx",
         "postgresql+psycopg://u:p%40ss@[::1]:5432/news?options=-csearch_path%3Dx"),
        ("postgresql+psycopg:///news", "postgresql+psycopg:///news"),
    ]:
        assert load_settings(environ={"WORKER_DATABASE_URL": url}).database_url == stored
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"WORKER_DATABASE_URL": "postgresql://u:hunter2/x@db:port/news"})
    assert "hunter2" not in str(info.value) and "'port'" in str(info.value)


def _worker(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`worker ARGS` as `uv run worker` runs it: the installed console script, a clean environment."""
    script = Path(sys.executable).with_name("worker")
    return subprocess.run([str(script), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(script.parent), "HOME": str(tmp_path), **env})


@pytest.mark.slow
@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://", "sqlite+nosuch:///news.db",
                                 "postgresql+asyncpg://u:secret@127.0.0.1/news",
                                 "postgresql+psycopg://u:secret@127.0.0.1:notaport/news"])
def test_ingest_with_an_unusable_database_url_is_a_configuration_error(tmp_path: Path, url: str) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    done = _worker(tmp_path, {"WORKER_DATABASE_URL": url}, "ingest", "--feed", "seeds/demo/feed.xml")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("worker: configuration error: invalid WORKER_DATABASE_URL: ")
    assert "Traceback" not in done.stderr and "secret" not in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == [tmp_path / "seeds"]  # nothing created


# --- unknown WORKER_* variables ------------------------------------------------------------------


def test_unknown_worker_variables_are_named_with_the_closest_setting(caplog: pytest.LogCaptureFixture) -> None:
    env = {"WORKER_CONCURENCY": "s3cret-value", "WORKER_FETCH_TIMEOUTS": "9", "WORKER_ZZZ": "x",
           "WORKER_CONFIG_FILE": "a.toml", "WORKER_CONCURRENCY": "3", "OTHER_CONCURENCY": "1",
           "WORKER_TEST_POSTGRES_URL": "postgresql+psycopg://u:p@db/test"}
    with caplog.at_level(logging.WARNING, logger="worker.settings"):
        s = load_settings(environ=env)
    assert s.concurrency == 3 and s.fetch_timeout == 30.0  # the misspelt ones change nothing
    assert [r.getMessage() for r in caplog.records] == [
        "unknown environment variable WORKER_CONCURENCY ignored (did you mean WORKER_CONCURRENCY?)",
        "unknown environment variable WORKER_CONFIG_FILE ignored (did you mean WORKER_CONFIG?)",
        "unknown environment variable WORKER_FETCH_TIMEOUTS ignored (did you mean WORKER_FETCH_TIMEOUT?)",
        "unknown environment variable WORKER_ZZZ ignored",
    ]
    assert all(r.levelno == logging.WARNING and r.name == "worker.settings" for r in caplog.records)
    assert "s3cret" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="worker.settings"):  # every name the worker reads
        load_settings(environ={**{"WORKER_" + d.name.upper(): "" for d in DEFAULTS}, "WORKER_CONFIG": ""})
        settings_with(concurrency=2)
    assert caplog.records == []


def test_a_misspelt_variable_is_one_warning_line_on_the_command_line(tmp_path: Path) -> None:
    done = _worker(tmp_path, {"WORKER_DATABASE_URL": f"sqlite:///{tmp_path / 'news.db'}",
                              "WORKER_CONCURENCY": "s3cret-value"}, "feeds", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith("WARNING worker.settings: unknown environment variable WORKER_CONCURENCY ignored "
                             "(did you mean WORKER_CONCURRENCY?)")
    assert "s3cret" not in done.stderr


def test_security_doc_is_linked_and_names_only_real_settings_with_their_defaults() -> None:
    doc = " ".join((ROOT / "docs" / "security.md").read_text(encoding="utf-8").split())
    assert "(docs/security.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    known = {"WORKER_" + d.name.upper() for d in DEFAULTS}
    assert set(re.findall(r"WORKER_[A-Z_]+", doc)) <= known
    for name, default in [("allowed_networks", "none"), ("max_redirects", "5"), ("max_feed_bytes", "15 MiB"),
                          ("max_page_bytes", "10 MiB"), ("fetch_timeout", "30 s"), ("connect_timeout", "10 s"),
                          ("task_timeout", "20 s"), ("task_memory", "1 GiB"), ("tasks_per_process", "500")]:
        assert re.search(rf"`{name}` \(`WORKER_{name.upper()}`\).{{0,160}}?default:? {default}\b", doc), name
    s = load_settings(environ={})
    assert (s.max_redirects, s.max_feed_bytes, s.max_page_bytes, s.fetch_timeout, s.connect_timeout) == (
        5, 15 * 2**20, 10 * 2**20, 30.0, 10.0)
    assert (s.task_timeout, s.task_memory, s.tasks_per_process, s.allowed_networks) == (20.0, 2**30, 500, ())


def test_the_version_is_pyprojects() -> None:
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == VERSION
    assert load_settings(environ={}).user_agent.startswith(f"news-worker/{VERSION} ")


def test_one_host_port_parser_for_settings_and_the_metrics_server() -> None:
    assert split_address("127.0.0.1:9100") == ("127.0.0.1", 9100)
    assert split_address(" :9100 ") == ("", 9100)
    assert split_address("[::1]:9100") == ("::1", 9100)
    assert split_address("127.0.0.1:0") == ("127.0.0.1", 0)  # a listener may ask for any free port
    for bad in ("9100", "host:", "host:http", "host:70000", "host:-1"):
        with pytest.raises(ValueError, match="expected host:port"):
            split_address(bad)
        with pytest.raises(ConfigError, match="expected host:port"):
            load_settings(environ={"WORKER_METRICS_ADDR": bad})
    with pytest.raises(ConfigError, match="expected host:port"):  # the operator's address names its port
        load_settings(environ={"WORKER_METRICS_ADDR": "127.0.0.1:0"})
    assert load_settings(environ={"WORKER_METRICS_ADDR": "[::1]:9100"}).metrics_addr == "[::1]:9100"
    assert load_settings(environ={"WORKER_METRICS_ADDR": ""}).metrics_addr == ""
