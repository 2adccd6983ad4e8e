"""worker.metrics: the registry, its Prometheus text (0.0.4) and the daemon's metric names."""

from __future__ import annotations

import math
import re
import threading

import pytest

from worker import metrics
from worker.metrics import Registry

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


def small_registry() -> Registry:
    reg = Registry()
    polls = reg.counter("worker_test_polls_total", "Polls by outcome.", ["outcome"])
    polls.inc(outcome="ok")
    polls.inc(2, outcome="ok")
    polls.inc(outcome="failed")
    reg.counter("worker_test_unlabelled_total", "Never touched.")
    depth = reg.gauge("worker_test_depth", "Queue depth.", ["state"])
    depth.set(7, state="pending")
    depth.set_function(lambda: 2.5, state="failed")
    hist = reg.histogram("worker_test_seconds", "Fetch time.", [0.1, 1, 10], ["kind"])
    for value in (0.05, 0.1, 0.5, 3, 42):
        hist.observe(value, kind="feed")
    return reg


def test_exposition_text_exactly() -> None:
    assert small_registry().render() == """\
# HELP worker_test_polls_total Polls by outcome.
# TYPE worker_test_polls_total counter
worker_test_polls_total{outcome="failed"} 1
worker_test_polls_total{outcome="ok"} 3
# HELP worker_test_unlabelled_total Never touched.
# TYPE worker_test_unlabelled_total counter
worker_test_unlabelled_total 0
# HELP worker_test_depth Queue depth.
# TYPE worker_test_depth gauge
worker_test_depth{state="failed"} 2.5
worker_test_depth{state="pending"} 7
# HELP worker_test_seconds Fetch time.
# TYPE worker_test_seconds histogram
worker_test_seconds_bucket{kind="feed",le="0.1"} 2
worker_test_seconds_bucket{kind="feed",le="1"} 3
worker_test_seconds_bucket{kind="feed",le="10"} 4
worker_test_seconds_bucket{kind="feed",le="+Inf"} 5
worker_test_seconds_sum{kind="feed"} 45.65
worker_test_seconds_count{kind="feed"} 5
"""


def test_histogram_buckets_are_cumulative_when_parsed_back() -> None:
    reg = Registry()
    hist = reg.histogram("worker_h_seconds", "h", metrics.FETCH_BUCKETS, ["kind"])
    values = [0.01, 0.05, 0.07, 0.2, 0.2, 0.9, 1.0, 4, 9.99, 29, 31, 120]
    for v in values:
        hist.observe(v, kind="page")
    hist.observe(0.3, kind="feed")
    types, samples = parse(reg.render())
    assert types == {"worker_h_seconds": ("histogram", "h")}
    buckets = [(lab["le"], v) for name, lab, v in samples if name == "worker_h_seconds_bucket" and lab["kind"] == "page"]
    assert [le for le, _ in buckets] == ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "+Inf"]
    for le, count in buckets:
        assert count == sum(1 for v in values if v <= float(le)), le  # le is inclusive
    counts = [c for _, c in buckets]
    assert counts == sorted(counts)
    by_name = {(name, lab.get("kind")): v for name, lab, v in samples if "le" not in lab}
    assert by_name[("worker_h_seconds_count", "page")] == len(values) == buckets[-1][1]
    assert by_name[("worker_h_seconds_sum", "page")] == pytest.approx(sum(values))
    assert by_name[("worker_h_seconds_count", "feed")] == 1


def test_label_values_and_help_are_escaped() -> None:
    reg = Registry()
    c = reg.counter("worker_esc_total", 'Help with \\ backslash\nand "quotes".', ["feed"])
    nasty = 'C:\\feeds\\"a"\nline two'
    c.inc(feed=nasty)
    text = reg.render()
    assert '# HELP worker_esc_total Help with \\\\ backslash\\nand "quotes".\n' in text
    assert 'worker_esc_total{feed="C:\\\\feeds\\\\\\"a\\"\\nline two"} 1\n' in text
    assert text.count("\n") == 3  # the newline inside the value did not break the line
    types, samples = parse(text)
    assert types["worker_esc_total"] == ("counter", 'Help with \\ backslash\nand "quotes".')
    assert samples == [("worker_esc_total", {"feed": nasty}, 1.0)]


def test_gauge_callback_is_read_at_scrape_time() -> None:
    reg = Registry()
    g = reg.gauge("worker_cb", "callback")
    state = {"n": 1.0}
    g.set_function(lambda: state["n"])
    assert "worker_cb 1\n" in reg.render()
    state["n"] = 4.0
    assert "worker_cb 4\n" in reg.render()
    g.set(9)  # a stored value replaces the callback
    state["n"] = 5.0
    assert "worker_cb 9\n" in reg.render()


def test_failing_callback_drops_only_its_sample(caplog: pytest.LogCaptureFixture) -> None:
    reg = Registry()
    g = reg.gauge("worker_q", "queue", ["state"])
    g.set_function(lambda: 1 / 0, state="pending")
    g.set_function(lambda: 3, state="failed")
    reg.counter("worker_after_total", "after").inc()
    text = reg.render()
    assert 'worker_q{state="failed"} 3\n' in text
    assert "pending" not in text
    assert "worker_after_total 1\n" in text
    assert "ZeroDivisionError" in caplog.text


def test_special_values() -> None:
    assert metrics.format_value(math.inf) == "+Inf"
    assert metrics.format_value(-math.inf) == "-Inf"
    assert metrics.format_value(math.nan) == "NaN"
    assert metrics.format_value(3.0) == "3"
    assert metrics.format_value(-2.0) == "-2"
    assert metrics.format_value(0.25) == "0.25"
    assert metrics.format_value(1e20) == "1e+20"


def test_gauge_goes_both_ways_and_counter_rejects_negative() -> None:
    reg = Registry()
    g = reg.gauge("worker_g", "g")
    g.inc()
    g.inc(2)
    g.inc(-0.5)
    assert g.value() == 2.5
    c = reg.counter("worker_c_total", "c")
    with pytest.raises(ValueError, match="cannot go down"):
        c.inc(-1)


def test_histogram_time_observes_the_block() -> None:
    reg = Registry()
    h = reg.histogram("worker_t_seconds", "t", [1.0])
    with pytest.raises(RuntimeError), h.time():
        raise RuntimeError("still observed")
    assert h.count() == 1
    assert 'worker_t_seconds_bucket{le="1"} 1\n' in reg.render()


def test_misuse_is_refused() -> None:
    reg = Registry()
    with pytest.raises(ValueError, match="must start with 'worker_'"):
        reg.counter("polls_total", "no prefix")
    with pytest.raises(ValueError, match="invalid metric name"):
        reg.counter("worker-polls", "dash")
    with pytest.raises(ValueError, match="invalid label name"):
        reg.counter("worker_a_total", "a", ["bad-label"])
    with pytest.raises(ValueError, match="reserved"):
        reg.histogram("worker_h", "h", [1], ["le"])
    with pytest.raises(ValueError, match="increasing"):
        reg.histogram("worker_h", "h", [1, 1])
    reg.counter("worker_once_total", "once", ["outcome"])
    with pytest.raises(ValueError, match="already registered"):
        reg.gauge("worker_once_total", "twice")
    c = reg.get("worker_once_total")
    assert isinstance(c, metrics.Counter)
    with pytest.raises(ValueError, match="takes outcome"):
        c.inc()
    with pytest.raises(ValueError, match="takes outcome"):
        c.inc(outcome="ok", feed="x")


def test_concurrent_updates_are_not_lost() -> None:
    reg = Registry()
    c = reg.counter("worker_race_total", "race", ["kind"])
    h = reg.histogram("worker_race_seconds", "race", [0.5])
    threads_n, per_thread = 8, 5000

    def work(i: int) -> None:
        for _ in range(per_thread):
            c.inc(kind=str(i % 2))
            h.observe(0.1)
            if i == 0:
                reg.render()  # scrapes while others write

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.value(kind="0") + c.value(kind="1") == threads_n * per_thread
    assert h.count() == threads_n * per_thread


def test_default_registry_defines_the_documented_metrics() -> None:
    types, samples = parse(metrics.REGISTRY.render())
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
    assert metrics.FETCH_SECONDS.buckets[0] == 0.05
    assert metrics.FETCH_SECONDS.buckets[-1] == 30
    assert metrics.PAGE_QUEUE_DEPTH.label_names == ("state",)
