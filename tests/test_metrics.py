"""worker.metrics: the daemon's metrics in their own prometheus-client registry, their text (0.0.4),
the scrape-time gauges read from the database (on both databases) and the daemon's metric names."""

from __future__ import annotations

import math
import re
import threading
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from db.database import Database
from db.feeds import totals
from db.models import Article, Feed, PageJob
from db.status import Backlog, backlog
from worker import metrics
from worker.metrics import Metrics

SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$')
LABEL = re.compile(r'(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"(?:,|$)')


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, dict[str, str], float]]]:
    """A tiny exposition-format parser: ({name: (type, help)}, [(sample name, labels, value)])."""
    assert text.endswith("\n")
    meta: dict[str, dict[str, str]] = {}
    samples = []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            meta.setdefault(name, {})["help"] = _unescape(help_text)
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            meta.setdefault(name, {})["type"] = kind
        else:
            m = SAMPLE.match(line)
            assert m, f"not a sample line: {line!r}"
            labels: dict[str, str] = {}
            rest = m.group("labels") or ""
            while rest:
                lm = LABEL.match(rest)
                assert lm, f"bad labels in {line!r}"
                labels[lm.group("name")] = _unescape(lm.group("value"))
                rest = rest[lm.end():]
            samples.append((m.group("name"), labels, float(m.group("value"))))
    return {n: (d["type"], d["help"]) for n, d in meta.items()}, samples


def render(registry: CollectorRegistry) -> str:
    return generate_latest(registry).decode()


def values(m: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    return {(name, tuple(sorted(labels.items()))): value for name, labels, value in parse(render(m.registry))[1]}


def small_registry() -> CollectorRegistry:
    reg = CollectorRegistry()
    polls = Counter("worker_test_polls_total", "Polls by outcome.", ["outcome"], registry=reg)
    polls.labels(outcome="ok").inc()
    polls.labels(outcome="ok").inc(2)
    polls.labels(outcome="failed").inc()
    Counter("worker_test_unlabelled_total", "Never touched.", registry=reg)
    depth = Gauge("worker_test_depth", "Queue depth.", ["state"], registry=reg)
    depth.labels(state="pending").set(7)
    depth.labels(state="failed").set_function(lambda: 2.5)
    hist = Histogram("worker_test_seconds", "Fetch time.", ["kind"], buckets=[0.1, 1, 10], registry=reg)
    for value in (0.05, 0.1, 0.5, 3, 42):
        hist.labels(kind="feed").observe(value)
    return reg


def test_exposition_text_exactly() -> None:
    # prometheus-client writes values as floats (3.0) and series in the order they were first used;
    # with worker.metrics imported there are no `_created` series.
    assert render(small_registry()) == """\
# HELP worker_test_polls_total Polls by outcome.
# TYPE worker_test_polls_total counter
worker_test_polls_total{outcome="ok"} 3.0
worker_test_polls_total{outcome="failed"} 1.0
# HELP worker_test_unlabelled_total Never touched.
# TYPE worker_test_unlabelled_total counter
worker_test_unlabelled_total 0.0
# HELP worker_test_depth Queue depth.
# TYPE worker_test_depth gauge
worker_test_depth{state="pending"} 7.0
worker_test_depth{state="failed"} 2.5
# HELP worker_test_seconds Fetch time.
# TYPE worker_test_seconds histogram
worker_test_seconds_bucket{kind="feed",le="0.1"} 2.0
worker_test_seconds_bucket{kind="feed",le="1.0"} 3.0
worker_test_seconds_bucket{kind="feed",le="10.0"} 4.0
worker_test_seconds_bucket{kind="feed",le="+Inf"} 5.0
worker_test_seconds_count{kind="feed"} 5.0
worker_test_seconds_sum{kind="feed"} 45.65
"""


def test_histogram_buckets_are_cumulative_when_parsed_back() -> None:
    reg = CollectorRegistry()
    hist = Histogram("worker_h_seconds", "h", ["kind"], buckets=metrics.FETCH_BUCKETS, registry=reg)
    values = [0.01, 0.05, 0.07, 0.2, 0.2, 0.9, 1.0, 4, 9.99, 29, 31, 120]
    for v in values:
        hist.labels(kind="page").observe(v)
    hist.labels(kind="feed").observe(0.3)
    types, samples = parse(render(reg))
    assert types == {"worker_h_seconds": ("histogram", "h")}
    buckets = [(lab["le"], v) for name, lab, v in samples if name == "worker_h_seconds_bucket" and lab["kind"] == "page"]
    assert [le for le, _ in buckets] == ["0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "+Inf"]
    for le, count in buckets:
        assert count == sum(1 for v in values if v <= float(le)), le  # le is inclusive
    counts = [c for _, c in buckets]
    assert counts == sorted(counts)
    by_name = {(name, lab.get("kind")): v for name, lab, v in samples if "le" not in lab}
    assert by_name[("worker_h_seconds_count", "page")] == len(values) == buckets[-1][1]
    assert by_name[("worker_h_seconds_sum", "page")] == pytest.approx(sum(values))
    assert by_name[("worker_h_seconds_count", "feed")] == 1


def test_label_values_and_help_are_escaped() -> None:
    reg = CollectorRegistry()
    c = Counter("worker_esc_total", 'Help with \\ backslash\nand "quotes".', ["feed"], registry=reg)
    nasty = 'C:\\feeds\\"a"\nline two'
    c.labels(feed=nasty).inc()
    text = render(reg)
    assert '# HELP worker_esc_total Help with \\\\ backslash\\nand "quotes".\n' in text
    assert 'worker_esc_total{feed="C:\\\\feeds\\\\\\"a\\"\\nline two"} 1.0\n' in text
    assert text.count("\n") == 3  # the newline inside the value did not break the line
    types, samples = parse(text)
    assert types["worker_esc_total"] == ("counter", 'Help with \\ backslash\nand "quotes".')
    assert samples == [("worker_esc_total", {"feed": nasty}, 1.0)]


def _add_feed(session: Any, url: str, errors: int) -> Feed:
    feed = Feed(url=url, error_count=errors)
    session.add(feed)
    session.flush()
    return feed


def _add_job(session: Any, feed: Feed, n: int, state: str) -> None:
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    url = f"{feed.url}/a/{n}"
    article = Article(url=url, title=f"article {n}", published_at=now, language="en", text="Text.",
                      source="feed", content_hash=f"{n:064d}", extracted_at=now, extractor_version="test")
    session.add(article)
    session.flush()
    session.add(PageJob(article_id=article.id, feed_id=feed.id, url=url, state=state))


def fill(db: Database, *, failing: int, jobs: dict[str, int]) -> None:
    """``failing`` failing feeds and one healthy one, whose articles have page jobs by state."""
    with db.transaction() as session:
        feeds = [_add_feed(session, f"https://f{i}.example/rss", 2) for i in range(failing)]
        feeds.append(_add_feed(session, "https://ok.example/rss", 0))
        n = 0
        for state, count in jobs.items():
            for _ in range(count):
                n += 1
                _add_job(session, feeds[n % len(feeds)], n, state)


def test_backlog_counts_pending_and_failed_pages_and_failing_feeds(database: Database) -> None:
    with database.read() as session:
        assert backlog(session) == Backlog(pages_pending=0, pages_failed=0, feeds_failing=0)
    fill(database, failing=2, jobs={"pending": 3, "failed": 1, "fetched": 4})
    with database.read() as session:
        counts, total = backlog(session), totals(session)
    assert counts == Backlog(pages_pending=3, pages_failed=1, feeds_failing=2)
    # the same numbers `worker status` shows
    assert (total["pages_queued"], total["pages_failed"], total["feeds_failing"]) == (3, 1, 2)


def test_database_gauges_are_read_at_scrape_time(database: Database) -> None:
    m = Metrics()
    m.watch(database, lambda: (True, "ok"))
    scraped = values(m)
    assert scraped[("worker_page_queue_depth", (("state", "pending"),))] == 0
    assert scraped[("worker_page_queue_depth", (("state", "failed"),))] == 0
    assert scraped[("worker_feeds_failing", ())] == 0
    assert scraped[("worker_up", ())] == 1
    fill(database, failing=1, jobs={"pending": 2, "failed": 3})
    scraped = values(m)
    assert scraped[("worker_page_queue_depth", (("state", "pending"),))] == 2
    assert scraped[("worker_page_queue_depth", (("state", "failed"),))] == 3
    assert scraped[("worker_feeds_failing", ())] == 1
    depth_labels = {label for name, labels in scraped if name == "worker_page_queue_depth" for label, _ in labels}
    assert depth_labels == {"state"}


class _DownDatabase:
    def read(self) -> Any:
        raise ConnectionRefusedError("database gone")


def test_failing_callback_drops_only_its_sample(caplog: pytest.LogCaptureFixture) -> None:
    m = Metrics()
    m.polls.labels(outcome="ok").inc()
    m.watch(cast(Database, _DownDatabase()), lambda: (False, "database: ConnectionRefusedError"))
    text = render(m.registry)
    assert "worker_up 0.0\n" in text
    assert "\nworker_page_queue_depth{" not in text and "\nworker_feeds_failing " not in text
    assert "# TYPE worker_page_queue_depth gauge\n" in text  # the family stays, without samples
    assert 'worker_polls_total{outcome="ok"} 1.0\n' in text
    assert "ConnectionRefusedError" in caplog.text

    def broken() -> tuple[bool, str]:
        return 1 / 0  # type: ignore[return-value]

    m.watch(cast(Database, _DownDatabase()), broken)
    text = render(m.registry)
    assert "\nworker_up " not in text
    assert 'worker_polls_total{outcome="ok"} 1.0\n' in text
    assert "ZeroDivisionError" in caplog.text


def test_special_values() -> None:
    reg = CollectorRegistry()
    g = Gauge("worker_v", "v", ["case"], registry=reg)
    cases = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan, "3": 3.0, "-2": -2.0, "0.25": 0.25, "1e20": 1e20}
    for case, value in cases.items():
        g.labels(case=case).set(value)
    written = {line.split('"')[1]: line.rpartition(" ")[2] for line in render(reg).splitlines()
               if line.startswith("worker_v{")}
    assert written == {"inf": "+Inf", "-inf": "-Inf", "nan": "NaN", "3": "3.0", "-2": "-2.0", "0.25": "0.25",
                       "1e20": "1e+20"}


def test_gauge_goes_both_ways_and_counter_rejects_negative() -> None:
    reg = CollectorRegistry()
    g = Gauge("worker_g", "g", registry=reg)
    g.inc()
    g.inc(2)
    g.inc(-0.5)
    assert reg.get_sample_value("worker_g") == 2.5
    c = Counter("worker_c_total", "c", registry=reg)
    with pytest.raises(ValueError, match="non-negative"):
        c.inc(-1)


def test_histogram_time_observes_the_block() -> None:
    reg = CollectorRegistry()
    h = Histogram("worker_t_seconds", "t", buckets=[1.0], registry=reg)
    with pytest.raises(RuntimeError), h.time():
        raise RuntimeError("still observed")
    assert reg.get_sample_value("worker_t_seconds_count") == 1
    assert 'worker_t_seconds_bucket{le="1.0"} 1.0\n' in render(reg)


def test_misuse_is_refused() -> None:
    # Names are checked where they are ours: every metric of the daemon is a plain worker_ name.
    for family in Metrics().registry.collect():
        assert re.fullmatch(r"worker_[a-z_]+", family.name), family.name
    reg = CollectorRegistry()
    with pytest.raises(ValueError, match="Reserved label"):
        Histogram("worker_h", "h", ["le"], registry=reg)
    c = Counter("worker_once_total", "once", ["outcome"], registry=reg)
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        Gauge("worker_once_total", "twice", registry=reg)
    with pytest.raises(ValueError, match="missing label values"):
        c.inc()
    with pytest.raises(ValueError, match="Incorrect label names"):
        c.labels(outcome="ok", feed="x")


def test_concurrent_updates_are_not_lost() -> None:
    reg = CollectorRegistry()
    c = Counter("worker_race_total", "race", ["kind"], registry=reg)
    h = Histogram("worker_race_seconds", "race", buckets=[0.5], registry=reg)
    threads_n, per_thread = 8, 5000

    def work(i: int) -> None:
        for _ in range(per_thread):
            c.labels(kind=str(i % 2)).inc()
            h.observe(0.1)
            if i == 0:
                render(reg)  # scrapes while others write

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(reg.get_sample_value("worker_race_total", {"kind": k}) or 0 for k in ("0", "1"))
    assert total == threads_n * per_thread
    assert reg.get_sample_value("worker_race_seconds_count") == threads_n * per_thread


def test_default_registry_defines_the_documented_metrics() -> None:
    types, samples = parse(render(Metrics().registry))
    assert {name: kind for name, (kind, _) in types.items()} == {
        "worker_polls_total": "counter",
        "worker_articles_stored_total": "counter",
        "worker_statements_stored_total": "counter",
        "worker_fetch_seconds": "histogram",
        "worker_page_queue_depth": "gauge",
        "worker_feeds_failing": "gauge",
        "worker_up": "gauge",
    }
    for name in types:
        assert name in (metrics.__doc__ or ""), f"{name} is not documented in the module docstring"
    outcomes = {lab["outcome"] for name, lab, _ in samples if name == "worker_polls_total"}
    assert outcomes >= {"ok", "not_modified", "failed", "skipped"}
    kinds = {lab["kind"] for name, lab, _ in samples if name == "worker_articles_stored_total"}
    assert kinds >= {"new", "updated"}
    fetch = {lab["kind"] for name, lab, _ in samples if name == "worker_fetch_seconds_count"}
    assert fetch >= {"feed", "page"}
    bounds = [lab["le"] for name, lab, _ in samples if name == "worker_fetch_seconds_bucket" and lab["kind"] == "feed"]
    assert bounds[0] == "0.05"
    assert bounds[-2:] == ["30.0", "+Inf"]


def test_each_daemon_has_a_registry_of_its_own() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second set of names
    first.polls.labels(outcome="ok").inc()
    assert values(first)[("worker_polls_total", (("outcome", "ok"),))] == 1
    assert values(second)[("worker_polls_total", (("outcome", "ok"),))] == 0


def test_the_daemon_hooks_count_polls_articles_statements_and_fetch_times() -> None:
    m = Metrics()
    # plain stand-ins for the pipeline's FeedReport, PollOutcome and RunSummary
    ok = SimpleNamespace(status="ok", articles_new=2, articles_updated=1)
    m.record_poll(cast(Any, ok), cast(Any, SimpleNamespace(fetch_seconds=0.3)))
    m.record_poll(cast(Any, SimpleNamespace(status="skipped", articles_new=0, articles_updated=0)), None)
    m.record_tick(cast(Any, SimpleNamespace(feeds=[ok], articles_updated=4, statements_stored=5,
                                            page_fetch_seconds=[0.04, 12.0])))
    scraped = values(m)
    assert scraped[("worker_polls_total", (("outcome", "ok"),))] == 1
    assert scraped[("worker_polls_total", (("outcome", "skipped"),))] == 1
    assert scraped[("worker_articles_stored_total", (("kind", "new"),))] == 2
    assert scraped[("worker_articles_stored_total", (("kind", "updated"),))] == 4  # 1 by the feed, 3 by pages
    assert scraped[("worker_statements_stored_total", ())] == 5
    assert scraped[("worker_fetch_seconds_count", (("kind", "feed"),))] == 1
    assert scraped[("worker_fetch_seconds_count", (("kind", "page"),))] == 2
    assert scraped[("worker_fetch_seconds_bucket", (("kind", "page"), ("le", "0.05")))] == 1
