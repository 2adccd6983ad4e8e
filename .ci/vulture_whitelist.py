"""Names vulture takes for dead code that are used from outside our own calls (.ci/run checks the
tree with it: `uv run vulture`, configured in pyproject.toml). Each entry says who uses it; add one
only for such a use, never to silence code that nobody calls."""

# SQLAlchemy: columns written by storage and read through SQL (views, exports, `feeds show`)
last_checked_at  # db/models.py Feed
last_status  # db/models.py Feed
last_http_status  # db/models.py Feed
updated_at  # db/models.py Article, Speaker
_.last_checked_at  # db/store.py record_poll
_.last_status  # db/store.py record_poll
_.last_http_status  # db/store.py record_poll
_.updated_at  # db/store.py

# SQLAlchemy TypeDecorator protocol (db/types.py)
impl
cache_ok
_.process_bind_param
_.process_result_value

# SQLAlchemy event listeners (db/engine.py, @event.listens_for) and the sqlite3 connection attribute
_on_connect
_on_begin
_.isolation_level

# Alembic reads these module globals and calls downgrade() (migrations/versions/*)
down_revision
branch_labels
depends_on
downgrade

# httpcore's AsyncNetworkBackend interface (worker/fetch/transport.py)
_.connect_unix_socket

# http.server / socketserver hooks (worker/health.py, tests/server.py, tests/test_fetch_redirect_loop.py)
daemon_threads
block_on_close
request_queue_size
server_version
_.address_family
_.handle_error
_.log_message
do_GET
do_HEAD
do_POST
do_PUT
do_DELETE

# prometheus-client calls a custom collector's collect() at every scrape (worker/metrics.py)
_.collect

# kept for the tests: a heartbeat counter they wait on (worker/pipeline/leases.py), the factory
# that builds Settings with a few values changed (worker/settings.py), and the one-line description
# of every setting (config/defaults.py; tests/test_settings.py checks each has one)
_.beats
_.help
settings_with

# tests: the recorded request's method (part of what the test server records), an autouse fixture,
# the isatty() of a fake terminal that the progress display calls
method
restore_logging
_.isatty

# pytest reads a test module's `pytestmark` (the slow marker on whole modules)
pytestmark
