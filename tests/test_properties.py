"""Property-based tests (hypothesis) where a handful of examples cannot cover the space: URL
normalisation on any text, the body decoder under any chunk split, the poll schedule's bounds
for any history and response, and statement offsets on any text."""

from __future__ import annotations

import gzip
import random
import zlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.fetch.decode import CappedDecoder
from worker.parse.urls import normalize_url
from worker.pipeline.schedule import (
    BACKOFF_CAP,
    FAILURES,
    HINT_CAP,
    JITTER,
    FeedHistory,
    Limits,
    PollResult,
    plan_next_check,
)
from worker.statements import parse_statements

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- normalize_url -----------------------------------------------------------------------------

URL_BITS = [
    "http://",
    "https://",
    "file://",
    "file:/",
    "HTTP://",
    "mailto:",
    "//",
    "[",
    "]",
    "::1",
    "@",
    ":",
    ":80",
    ":443",
    ":99999",
    "?",
    "#",
    "&",
    "=",
    "%",
    "%2",
    "%20",
    "/",
    "..",
    ".",
    "utm_source=x",
    "fbclid=1",
    "example.com",
    "EXAMPLE.com.",
    "xn--",
    "bücher.de",
    " ",
    "\t",
    "\n",
    "\x00",
    "\u3000",
    "é",
    "localhost",
    "a",
    "1",
]
url_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(URL_BITS), st.text(max_size=3)), max_size=12).map("".join),
)


@FAST
@given(url=url_text, base=st.one_of(st.none(), url_text), allow_file=st.booleans())
def test_normalize_url_never_raises_and_is_idempotent(url: str, base: str | None, allow_file: bool) -> None:
    """Its documented answer to bad input is None, never an exception; a normalised URL
    normalises to itself."""
    once = normalize_url(url, base, allow_file=allow_file)
    assert once is None or isinstance(once, str)
    if once is not None:
        assert normalize_url(once, allow_file=allow_file) == once


# --- CappedDecoder -----------------------------------------------------------------------------


def _encode(coding: str, data: bytes, flavour: int) -> bytes:
    if coding == "gzip":
        return gzip.compress(data) if flavour % 2 else gzip.compress(data[:5]) + gzip.compress(data[5:])
    if coding == "deflate":
        if flavour % 2:
            return zlib.compress(data)  # zlib-wrapped, as the RFC says
        raw = zlib.compressobj(wbits=-15)  # raw deflate, as some servers send it
        return raw.compress(data) + raw.flush()
    return data


def _decode(coding: str, cap: int, chunks: list[bytes]) -> tuple[str, bytes | str]:
    decoder = CappedDecoder(coding, cap, "https://example.com/")
    try:
        for chunk in chunks:
            decoder.feed(chunk)
        return "ok", decoder.finish()
    except Exception as exc:  # the error class is part of the output being compared
        return "error", type(exc).__name__


@FAST
@given(
    coding=st.sampled_from(["identity", "gzip", "deflate"]),
    data=st.binary(max_size=3000),
    flavour=st.integers(0, 1),
    cap=st.integers(0, 4000),
    cut=st.integers(0, 200),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_capped_decoder_ignores_chunk_boundaries(
    coding: str, data: bytes, flavour: int, cap: int, cut: int, cuts: list[int]
) -> None:
    """The same bytes split anywhere give the same body, or the same error (TooLarge past the
    cap, BadEncoding when truncated) — whole, byte by byte, or in random pieces."""
    body = _encode(coding, data, flavour)
    if cut % 3 == 0:
        body = body[: max(0, len(body) - cut)]  # sometimes cut short
    whole = _decode(coding, cap, [body])
    points = sorted({c % (len(body) + 1) for c in cuts})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    assert _decode(coding, cap, pieces) == whole
    assert _decode(coding, cap, [body[i : i + 1] for i in range(len(body))]) == whole
    if whole[0] == "ok" and cut % 3 != 0:
        assert whole[1] == data and len(data) <= cap


# --- plan_next_check ---------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
seconds = st.floats(min_value=1, max_value=90 * 86400, allow_nan=False)


@st.composite
def limits(draw: st.DrawFn) -> Limits:
    low, mid, high = sorted(draw(st.lists(seconds, min_size=3, max_size=3)))
    return Limits(default_interval=mid, min_interval=low, max_interval=high)


header_values = st.one_of(
    st.sampled_from(
        [
            "0",
            "60",
            "86400",
            "99999999",
            "-5",
            "soon",
            "",
            "Sun, 01 Mar 2026 13:00:00 GMT",
            "Tue, 01 Jan 2030 00:00:00 GMT",
            "Sat, 01 Jan 2000 00:00:00 GMT",
            "max-age=120",
            "no-cache",
            "max-age=99999999",
            "s-maxage=5, max-age=9",
        ]
    ),
    st.text(max_size=20),
)
headers = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["retry-after", "cache-control", "expires"]), header_values, max_size=3),
)


@FAST
@given(
    lim=limits(),
    explicit=st.one_of(st.none(), seconds),
    errors=st.integers(0, 10_000),
    ages=st.lists(st.floats(min_value=-86400, max_value=60 * 86400), max_size=25),
    outcome=st.sampled_from(["ok", "not_modified", "failed"]),
    status=st.one_of(st.none(), st.sampled_from([200, 304, 401, 403, 404, 410, 425, 429, 500, 503])),
    kind=st.one_of(st.none(), st.sampled_from(["status", "timeout", "dns", "parse", "antibot", "x"])),
    hdrs=headers,
    ttl=st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)),
    seed=st.integers(0, 2**32),
)
def test_plan_next_check_stays_within_its_bounds(
    lim: Limits,
    explicit: float | None,
    errors: int,
    ages: list[float],
    outcome: str,
    status: int | None,
    kind: str | None,
    hdrs: dict[str, str] | None,
    ttl: float | None,
    seed: int,
) -> None:
    """The module's documented bounds: a success waits the base interval (the explicit one, the
    default, or adaptive within [min, max]) lengthened by server hints to at most 7 days; a
    failure backs off from its class's first wait (−10 % jitter) up to 24 h, a Retry-After up to
    7 days; only 410 disables a feed."""
    history = FeedHistory(
        interval_seconds=explicit, error_count=errors, entry_times=[NOW - timedelta(seconds=a) for a in ages]
    )
    result = PollResult(
        outcome=outcome, now=NOW, http_status=status, error_kind=kind, headers=hdrs, ttl_seconds=ttl
    )
    plan = plan_next_check(history, result, lim, random.Random(seed))
    wait = (plan.next_check_at - NOW).total_seconds()
    assert plan.reason
    assert plan.disable == (outcome == "failed" and status == 410)
    if outcome != "failed":
        base = explicit if explicit else None
        low = base if base else min(lim.min_interval, lim.default_interval)
        high = base if base else max(lim.max_interval, lim.default_interval)
        assert low - 1e-6 <= wait <= max(high, HINT_CAP) + 1e-6
        assert plan.server_wait_until is None
    elif status == 410:
        assert abs(wait - lim.max_interval) < 1e-6
    elif plan.server_wait_until is not None:
        assert plan.server_wait_until == plan.next_check_at and 0 <= wait <= HINT_CAP + 1e-6
    else:
        first = min(rule.first_wait for rule in FAILURES.values() if rule.first_wait)
        assert first * (1 - JITTER) - 1e-6 <= wait <= BACKOFF_CAP + 1e-6


# --- statement offsets -------------------------------------------------------------------------

WORDS = [
    "said",
    "says",
    "told",
    "according to",
    "added",
    "warned",
    "explained",
    "claimed",
    "reported",
    "he",
    "she",
    "they",
    "It",
    "The minister",
    "Jane Holt",
    "Holt",
    "Mr. Reed",
    "NATO",
    "officials",
    "that",
    "the",
    "bridge",
    "will",
    "close",
    ",",
    ".",
    ":",
    ";",
    "\n",
    "\n\n",
    " ",
    " ",
    " ",
    '"',
    '"',
    "“",
    "”",
    "‘",
    "’",
    "'",
    "«",
    "»",
    "—",
    "(",
    ")",
    "...",
    "Dr.",
    "U.S.",
    "é",
    "\u00a0",
]
statement_text = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=50).map("".join),
)


@FAST
@given(text=statement_text)
def test_statement_offsets_point_into_the_text(text: str) -> None:
    """For every statement on any text: the content is its pieces joined by one space and each
    piece is ``text[start:end]`` (in order, disjoint, trimmed, inside the envelope); the speaker
    mention, when there is one, is a non-empty trimmed slice of the text."""
    for s in parse_statements(text):
        assert s.content_spans
        assert s.content == " ".join(text[a:b] for a, b in s.content_spans)
        assert 0 <= s.content_start <= s.content_end <= len(text)
        last = s.content_start
        for a, b in s.content_spans:
            assert last <= a < b <= s.content_end
            assert text[a:b] == text[a:b].strip()
            last = b
        assert (s.speaker_start is None) == (s.speaker_end is None)
        if s.speaker_start is not None and s.speaker_end is not None:
            assert 0 <= s.speaker_start < s.speaker_end <= len(text)
            mention = text[s.speaker_start : s.speaker_end]
            assert mention.strip() == mention
