"""Plain values the pipeline hands to storage; no SQLAlchemy here, so the pipeline tests need no database."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SpeakerRef:
    """Who a statement is by, as worker/speakers decided from its article; db/speakers.py finds or
    creates the speaker row by it.

    ``aliases`` are (as written, key) pairs, the most telling first: the speaker is the one holding
    any of the keys, and gets the others. ``name`` is the fullest form the article has (a stored
    speaker takes it when it is longer than its own). A person has a ``surname`` key, and a
    ``forename`` unless ``bare``: a lone surname ("Trump"), which joins the one person of that
    surname known, else stays a speaker of its own (or none, when that name is a known person's)."""

    name: str
    type: str  # person | organisation | group | unknown
    aliases: tuple[tuple[str, str], ...]
    forename: str | None = None
    surname: str | None = None
    bare: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for _, k in self.aliases)


@dataclass(frozen=True)
class SpeakerQuery:
    """What `--speaker NAME` looks for: speakers holding one of these alias ``keys`` and, for a
    one-word name, persons with that forename or surname (``word``)."""

    keys: tuple[str, ...]
    word: str | None = None


@dataclass(frozen=True)
class StatementRecord:
    """One attribution found in an article's text: ``speaker`` said ``content``.

    The same fields as worker.statements.Statement (db/ does not import worker/), converted in one
    place, by field name: worker/pipeline/statements.py ``to_record``; the offsets index
    into the article's ``text``. ``content_spans`` are the pieces of what was said, in order,
    disjoint and inside ``content_start``..``content_end``, and ``content`` is their text joined by
    one space; left empty, the one piece is ``text[content_start:content_end]``.
    """

    speaker: str
    speaker_type: str  # person | organisation | group | unknown
    role: str | None
    speaker_start: int | None
    speaker_end: int | None
    cue: str | None
    content: str
    content_start: int
    content_end: int
    kind: str  # direct | indirect | mixed
    confidence: float
    content_spans: tuple[tuple[int, int], ...] = ()
    speaker_ref: SpeakerRef | None = None  # None: no speaker row (a label, a pronoun, a description)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The pieces, the envelope standing for them when none are given."""
        return self.content_spans or ((self.content_start, self.content_end),)


@dataclass(frozen=True)
class ArticleRecord:
    url: str
    title: str | None
    author: str | None
    published_at: datetime | None
    language: str | None
    text: str
    summary: str | None
    source: str  # 'page' or 'feed'
    source_reason: str | None
    extracted_at: datetime
    extractor_version: str
    page_attempts: int = 0
    statements: tuple[StatementRecord, ...] = ()
    statements_version: str | None = None  # the parser version of `statements`; None: not parsed
    provisional: bool = False  # the feed's text, standing in until the queued page is first tried

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def columns(self) -> dict[str, Any]:
        """The record as the articles columns it fills (its statements aside)."""
        return {
            "url": self.url, "title": self.title, "author": self.author, "published_at": self.published_at,
            "language": self.language, "text": self.text, "summary": self.summary, "source": self.source,
            "source_reason": self.source_reason, "page_attempts": self.page_attempts,
            "content_hash": self.content_hash, "extracted_at": self.extracted_at,
            "extractor_version": self.extractor_version, "statements_version": self.statements_version,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class StoredArticle:
    """A stored article as the merge rule (worker/pipeline/decide.py) sees it."""

    title: str | None
    author: str | None
    published_at: datetime | None
    language: str | None
    summary: str | None
    source: str
    content_hash: str
    statements_version: str | None


@dataclass(frozen=True)
class ArticleWrite:
    """What to write over a stored article, as the merge rule decided: db/store.py applies it as is."""

    values: Mapping[str, Any]  # column -> value to set
    changed: bool = False  # readers see another text or source: updated_at moves, counted as updated
    statements: bool = False  # write the new record's statements in place of the stored ones


class Merge(Protocol):
    """The merge rule, worker/pipeline/decide.py ``merge_article``: db/ does not import worker/, so
    storage is handed it."""

    def __call__(self, old: StoredArticle, new: Mapping[str, Any], *, own: bool) -> ArticleWrite: ...


@dataclass(frozen=True)
class EntryRecord:
    """One feed entry to link to an article: a new article, an upgraded one, or an existing one."""

    guid: str
    link: str | None
    article: ArticleRecord | None = None  # store this article (its URL may be stored already)
    article_id: int | None = None  # or link to this stored article
    page_url: str | None = None  # queue this page to replace the article's feed text
    published_at: datetime | None = None  # the entry's date, for an article stored without one


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of a feed found out: written on its row, with its entries, in one transaction.

    The one result of a poll between the pipeline and storage (worker/pipeline/poll.py makes it,
    db/store.py record_poll writes it); worker/pipeline/schedule.py's PollResult is the decider's
    view of the response, worker/pipeline/runner.py's FeedReport the line a run reports."""

    feed_id: int
    checked_at: datetime
    status: str  # 'ok', 'not_modified', 'failed'
    next_check_at: datetime
    http_status: int | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    site_url: str | None = None
    next_check_reason: str | None = None
    server_wait_until: datetime | None = None  # a Retry-After to honour before the next poll
    disabled_reason: str | None = None  # set: the feed is disabled (410 Gone)
    moved_to: str | None = None  # a permanent redirect: the feed's new URL
    release_lease_of: str | None = None  # the worker whose lease on the feed ends with this poll
    entries: tuple[EntryRecord, ...] = ()  # to store and link to the feed
    fetch_seconds: float | None = None  # how long the fetch took (for the metrics; not stored)


@dataclass
class StoreStats:
    articles_new: int = 0
    articles_updated: int = 0
    pages_queued: int = 0
    statements_written: int = 0
    article_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class FeedState:
    """What storage knows about a feed before a poll."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    error_count: int
    interval_seconds: int | None
    server_wait_until: datetime | None = None
    entry_times: tuple[datetime, ...] = ()  # publication times of its recent entries


@dataclass(frozen=True)
class QueuedPage:
    """A claimed page job, with what the article holds now (to fall back on)."""

    job_id: int
    article_id: int
    url: str
    attempts: int
    feed_url: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    summary: str | None
    text: str
    provisional: bool  # the article holds the feed text stored when the entry was first seen


@dataclass(frozen=True)
class KeptPage:
    """A fetched page to keep with its article (`keep_html`): the body compressed with zlib
    (``encoding`` says so) and the Content-Type it came with, which decoding it again needs."""

    url: str
    content_type: str | None
    body_zlib: bytes
    size: int  # bytes before compression
    encoding: str = "zlib"


@dataclass(frozen=True)
class StoredPage:
    """A stored article with its kept page (None when it has none), read to extract it again."""

    id: int
    url: str
    source: str
    content_hash: str
    language: str | None
    page: KeptPage | None


@dataclass
class PruneCounts:
    """What pruning deleted (or, for a dry run, would delete)."""

    articles: int = 0
    statements: int = 0
    feed_entries: int = 0
    page_jobs: int = 0
    kept_pages: int = 0
    tombstones: int = 0  # URLs remembered as pruned

    def add(self, other: PruneCounts) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)
