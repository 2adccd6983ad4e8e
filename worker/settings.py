"""Load the worker's settings: defaults (config/defaults.py) < TOML file < WORKER_* environment."""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from config.defaults import DEFAULTS, DEFAULTS_BY_NAME

# The one URL redactor lives with the log format; the commands import it from here by this name.
from worker.logs import redact as redact_url  # noqa: F401 - re-exported

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

log = logging.getLogger("worker.settings")

# WORKER_* variables read that are not settings: the config file, and the test suite's own
# (WORKER_TEST_POSTGRES_URL and any later WORKER_TEST_*), which tests pass down to the worker.
_OTHER_VARIABLES = ("WORKER_CONFIG",)
_OTHER_PREFIXES = ("WORKER_TEST_",)


class ConfigError(ValueError):
    """A setting has a value the worker cannot use; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    allowed_networks: tuple[IPNetwork, ...]
    fetch_timeout: float
    connect_timeout: float
    max_feed_bytes: int
    max_page_bytes: int
    max_redirects: int
    concurrency: int
    per_host_concurrency: int
    per_host_delay: float
    user_agent: str
    min_article_chars: int
    page_retry_limit: int
    default_interval: float
    min_interval: float
    max_interval: float
    tick: float
    lease: float
    shutdown_grace: float
    metrics_addr: str
    log_format: str
    sqlite_busy_timeout: float
    processes: int
    task_timeout: float
    task_memory: int
    tasks_per_process: int
    search_limit: int
    speakers_top: int
    progress_interval: float
    keep_html: bool


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.I)
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|k|m|g)?\s*$", re.I)
_SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
               "k": 1024, "kib": 1024, "m": 1024**2, "mib": 1024**2, "g": 1024**3, "gib": 1024**3}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like ``90``, ``90s``, ``15m``, ``2h``, ``1d``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise ValueError(f"expected a duration like 30, 30s, 15m, 2h or 1d, got {value!r}")
        seconds = float(m.group(1)) * _DURATION_UNITS[(m.group(2) or "s").lower()]
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds


def parse_size(value: Any) -> int:
    """Bytes from an integer or a string like ``512KiB``, ``15MiB``, ``2MB``."""
    if isinstance(value, bool):
        raise ValueError("expected a size")
    if isinstance(value, int | float):
        size = int(value)
    else:
        m = _SIZE.match(str(value))
        if not m:
            raise ValueError(f"expected a size like 1048576, 512KiB or 15MiB, got {value!r}")
        size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
    if size <= 0:
        raise ValueError("must be positive")
    return size


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None
    if n < 0:
        raise ValueError("must not be negative")
    return n


def parse_networks(value: Any) -> tuple[IPNetwork, ...]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    nets = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not a CIDR network such as 10.0.0.0/8") from None
    return tuple(nets)


def parse_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
_DRIVER_FORMS = ("sqlite:///FILE, sqlite+pysqlite:///FILE, postgresql://USER@HOST/DB or "
                 "postgresql+psycopg://USER@HOST/DB")


def parse_database_url(value: Any) -> str:
    """A SQLAlchemy URL the worker can use: SQLite on a file, or PostgreSQL through psycopg 3.

    Only the synchronous drivers the worker is built on are accepted (an installed async or other
    driver would fail later, mid-run). ``postgresql://`` means psycopg 3. SQLite needs a file: an
    in-memory database would start empty and lose everything at exit. Messages never show the URL,
    which may hold a password.
    """
    url = parse_text(value)
    try:
        parsed = make_url(url)
    except ValueError:
        # SQLAlchemy's own reading of user:password@host:port (the password runs to the first '@'),
        # so the text quoted is the port and never a piece of the password.
        port = re.match(r"[\w+]+://(?:[^:/]*(?::[^@]*)?@)?(?:\[[^/?]+\]|[^/:?]+)?:([^/?]*)", url)
        if port:
            raise ValueError(f"port {port.group(1)!r} is not a number from 1 to 65535") from None
        raise ValueError(f"expected a database URL: {_DRIVER_FORMS}") from None
    except ArgumentError:
        raise ValueError(f"expected a database URL: {_DRIVER_FORMS}") from None
    if parsed.drivername not in _DRIVERS:
        raise ValueError(f"database driver {parsed.drivername!r} is not supported (the worker uses the "
                         f"synchronous drivers pysqlite and psycopg); use {_DRIVER_FORMS}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ValueError(f"port {parsed.port} is not a number from 1 to 65535")
    if parsed.host and "@" in parsed.host:
        raise ValueError("the URL has more than one '@': write an '@' in the password as %40")
    if parsed.get_backend_name() == "sqlite":
        if parsed.host or parsed.username or parsed.port is not None:
            raise ValueError("a SQLite URL has no host: use sqlite:///relative/path.db or "
                             "sqlite:////absolute/path.db")
        database = parsed.database or ""
        if (not database or database == ":memory:" or "mode=memory" in database
                or str(parsed.query.get("mode", "")).lower() == "memory"
                or database.startswith("file::memory:")):
            raise ValueError("SQLite needs a file, as in sqlite:///news.db: an in-memory database "
                             "would start empty and lose everything at exit")
    if parsed.drivername == "postgresql":
        url = "postgresql+psycopg" + url[url.index("://"):]
    return url


def split_address(text: str) -> tuple[str, int]:
    """``"127.0.0.1:9100"`` → ``("127.0.0.1", 9100)``; ``":9100"`` → ``("", 9100)`` (all interfaces);
    ``"[::1]:9100"`` → ``("::1", 9100)``. Port 0 (any free port) is accepted: a listener may want it.

    The worker's one host:port parser (settings and the metrics server both use it).
    """
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected host:port such as 127.0.0.1:9100, got {text!r}")
    return host.removeprefix("[").removesuffix("]"), int(port)


def parse_address(value: Any) -> str:
    """``host:port`` (``:9100`` means all interfaces), or empty for off; not port 0, which would
    serve on a port nobody is told of."""
    text = str(value).strip()
    if text and split_address(text)[1] == 0:
        raise ValueError(f"expected host:port such as 127.0.0.1:9100, got {text!r}")
    return text


def parse_log_format(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in ("text", "json"):
        raise ValueError(f"expected text or json, got {value!r}")
    return text


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def parse_flag(value: Any) -> bool:
    """A TOML boolean, or in the environment one of 1/true/yes/on and 0/false/no/off."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_processes(value: Any) -> int:
    """``auto`` (one per CPU) or a whole number; 0 runs CPU work in the worker's own process."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return cpu_count()
    return parse_count(value)


_PARSERS = {
    "address": parse_address,
    "choice": parse_log_format,
    "seconds": parse_duration,
    "bytes": parse_size,
    "count": parse_count,
    "flag": parse_flag,
    "processes": parse_processes,
    "cidr-list": parse_networks,
    "text": parse_text,
    "url": parse_database_url,
}

_MINIMUM_ONE = {"concurrency", "per_host_concurrency", "min_article_chars", "search_limit", "speakers_top"}
_POSITIVE = {"fetch_timeout", "connect_timeout", "default_interval", "min_interval", "max_interval", "tick",
             "lease", "task_timeout"}


def load_settings(config_file: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from defaults, the config file (or WORKER_CONFIG) and WORKER_* variables."""
    env = os.environ if environ is None else environ
    raw: dict[str, tuple[Any, str]] = {d.name: (d.value, "default") for d in DEFAULTS}
    path = config_file or env.get("WORKER_CONFIG")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc}") from None
        for key, value in data.items():
            if key not in DEFAULTS_BY_NAME:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            raw[key] = (value, f"{key} in {path}")
    _warn_unknown_variables(env)
    for d in DEFAULTS:
        var = "WORKER_" + d.name.upper()
        if var in env and env[var] != "":
            raw[d.name] = (env[var], var)
    values: dict[str, Any] = {}
    for d in DEFAULTS:
        value, origin = raw[d.name]
        values[d.name] = _checked(d.name, value, origin if origin != "default" else d.name)
    names = {f.name for f in fields(Settings)}
    assert names == set(values), names ^ set(values)
    return Settings(**values)


def _warn_unknown_variables(env: Mapping[str, str]) -> None:
    """One warning per WORKER_* variable the worker does not read, naming the closest known one
    (a typo such as WORKER_CONCURENCY would otherwise be ignored in silence). Names only: values
    may be secrets."""
    known = [*("WORKER_" + d.name.upper() for d in DEFAULTS), *_OTHER_VARIABLES]
    for var in sorted(env):
        if not var.startswith("WORKER_") or var in known or var.startswith(_OTHER_PREFIXES):
            continue
        close = difflib.get_close_matches(var, known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        log.warning("unknown environment variable %s ignored%s", var, hint)


def _checked(name: str, value: Any, label: str) -> Any:
    """``value`` parsed by the unit of setting ``name``; ConfigError naming ``label`` if it is invalid."""
    try:
        parsed: Any = _PARSERS[DEFAULTS_BY_NAME[name].unit](value)
    except ValueError as exc:
        raise ConfigError(f"invalid {label}: {exc}") from None
    if name in _MINIMUM_ONE and parsed < 1:
        raise ConfigError(f"invalid {label}: must be at least 1")
    if name in _POSITIVE and parsed <= 0:
        raise ConfigError(f"invalid {label}: must be greater than 0")
    return parsed


def settings_with(**overrides: Any) -> Settings:
    """Defaults with overrides, for tests and embedding (no file, no environment). Overrides are
    parsed and checked like config file values, so ``allowed_networks="127.0.0.0/8"`` works."""
    base = load_settings(environ={})
    checked = {}
    for name, value in overrides.items():
        if name not in DEFAULTS_BY_NAME:
            raise ConfigError(f"unknown setting {name!r}")
        checked[name] = _checked(name, value, name)
    return Settings(**{**base.__dict__, **checked})
