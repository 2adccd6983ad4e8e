"""Every setting of the worker, with its default and its unit, in one place.

A setting named ``fetch_timeout`` is read, lowest precedence first, from:

1. the default below;
2. the TOML config file (``--config FILE`` or ``WORKER_CONFIG``), key ``fetch_timeout``;
3. the environment variable ``WORKER_FETCH_TIMEOUT``.

Units: ``seconds`` settings accept a number or a duration such as ``90s``, ``15m``, ``2h``, ``1d``;
``bytes`` settings accept an integer or a size such as ``512KiB``, ``15MiB``, ``1GB``.
``config/example.toml`` shows every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    VERSION = version("news-worker")  # pyproject.toml's, as installed by `uv sync`
except PackageNotFoundError:  # the source tree run without installing it
    VERSION = "0+unknown"


@dataclass(frozen=True)
class Default:
    name: str
    value: Any
    unit: str  # seconds, bytes, count, url, cidr-list, text, flag
    help: str


DEFAULTS: tuple[Default, ...] = (
    Default("database_url", "sqlite:///news.db", "url",
            "SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"),
    Default("allowed_networks", "", "cidr-list",
            "comma-separated CIDRs the fetcher may reach although private or loopback"),
    Default("fetch_timeout", 30.0, "seconds", "total time one request may take, body included"),
    Default("connect_timeout", 10.0, "seconds", "time to establish one connection"),
    Default("max_feed_bytes", 15 * 1024 * 1024, "bytes", "largest feed body accepted (decoded)"),
    Default("max_page_bytes", 10 * 1024 * 1024, "bytes", "largest article page accepted (decoded)"),
    Default("max_redirects", 5, "count", "redirect hops followed per request"),
    Default("concurrency", 16, "count", "requests in flight at once, all hosts together"),
    Default("per_host_concurrency", 2, "count", "requests in flight at once to one host"),
    Default("per_host_delay", 1.0, "seconds", "pause between the starts of two requests to one host"),
    Default("user_agent", f"news-worker/{VERSION} (news-feed ingestion worker)", "text",
            "User-Agent header sent with every request"),
    Default("min_article_chars", 250, "count",
            "page text shorter than this falls back to the feed's own content"),
    Default("page_retry_limit", 3, "count",
            "page fetches tried for one article before its feed text is kept for good"),
    Default("default_interval", 30 * 60.0, "seconds", "polling interval of a new feed"),
    Default("min_interval", 5 * 60.0, "seconds", "shortest adaptive polling interval"),
    Default("max_interval", 24 * 3600.0, "seconds", "longest adaptive polling interval"),
    Default("tick", 10.0, "seconds", "how often the daemon looks for due feeds and queued pages"),
    Default("lease", 60.0, "seconds",
            "how long a claimed feed or page stays reserved for one worker; renewed every third of it "
            "while the worker runs, so also how long a worker that died on another host holds its work"),
    Default("shutdown_grace", 10.0, "seconds", "time in-flight work gets to finish after SIGTERM"),
    Default("metrics_addr", "", "address", "host:port serving /healthz and /metrics; empty: off"),
    Default("log_format", "text", "choice", "log lines as text or json"),
    Default("sqlite_busy_timeout", 30.0, "seconds", "how long SQLite waits for a lock"),
    Default("processes", "auto", "processes",
            "worker processes for CPU work (feed parsing, extraction, statements); auto: one per CPU; "
            "0: in this process, with no budget (for debugging)"),
    Default("task_timeout", 20.0, "seconds", "wall-clock time one CPU task may take before it is ended"),
    Default("task_memory", 1024**3, "bytes", "address space one worker process may use (RLIMIT_AS)"),
    Default("tasks_per_process", 500, "count", "tasks a worker process runs before it is replaced; 0: never"),
    Default("search_limit", 20, "count", "hits `worker search` shows when no --limit is given"),
    Default("speakers_top", 20, "count", "speakers `worker speakers` lists without --top"),
    Default("progress_interval", 5.0, "seconds",
            "how often ingest, reparse and export report progress on stderr when it is not a terminal"),
    Default("keep_html", False, "flag",
            "keep each article's page as fetched (zlib-compressed, in article_pages) so that "
            "`worker reprocess --extract` can extract it again after an upgrade"),
)

DEFAULTS_BY_NAME = {d.name: d for d in DEFAULTS}
