"""The tables. Their names and columns are an interface: people query them with SQL.

The full-text search index (FTS5 tables and triggers on SQLite, `search_vector` columns and GIN /
pg_trgm indexes on PostgreSQL) is not modelled here: migration 0006 creates it, db/search.py
queries and repairs it and keeps Alembic's comparison off it (`is_search_object`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.comments import attach_comments
from db.types import Spans, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sql_text("true"))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_check_reason: Mapped[str | None] = mapped_column(Text)  # why next_check_at is what it is
    server_wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a Retry-After to honour
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))  # the worker polling it right now
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A path such as "News/Europe" (nested OPML outlines); `--category News` takes it and its subfolders.
    category: Mapped[str | None] = mapped_column(Text, index=True)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))  # 'page' or 'feed'
    source_reason: Mapped[str | None] = mapped_column(Text)  # why the feed's text was kept
    page_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    # The feed's text, standing in until the queued page is first tried (migration 0011; it was a
    # source_reason sentence before, which code compared).
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    content_hash: Mapped[str] = mapped_column(String(64))
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extractor_version: Mapped[str] = mapped_column(String(64))
    # PARSER_VERSION of the stored statements; None: never parsed. `worker reparse` looks for stale ones.
    statements_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedEntry(Base):
    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        Index(None, "link"),
        Index(None, "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Speaker(Base):
    """Someone (or some body) quoted across articles. ``name`` is the fullest form seen; a person
    has a ``surname`` key and, unless only a lone surname is known ("Trump"), a ``forename`` key.
    Rows are found by their aliases (speaker_aliases); worker/speakers decides which is which."""

    __tablename__ = "speakers"
    __table_args__ = (
        Index(None, "surname"),
        Index(None, "forename"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))  # person | organisation | group | unknown
    forename: Mapped[str | None] = mapped_column(Text)  # folded: "donald"
    surname: Mapped[str | None] = mapped_column(Text)  # folded: "trump", "von der leyen"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpeakerAlias(Base):
    """A name a speaker goes by, as first written, and its folded form (``normalised``, unique: one
    speaker per name): "Donald J. Trump" / "donald trump", "CDC" / "cdc"."""

    __tablename__ = "speaker_aliases"
    __table_args__ = (
        UniqueConstraint("normalised"),
        Index(None, "speaker_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(Text)
    normalised: Mapped[str] = mapped_column(Text)


def _envelope(context: Any) -> list[list[int]]:
    """A statement row written without its pieces has one: its envelope."""
    row = context.get_current_parameters()
    return [[row["content_start"], row["content_end"]]]


class Statement(Base):
    """Who said what in an article: offsets index into ``articles.text``; ``content`` is the text of
    the ``content_spans`` joined by one space, all inside ``content_start``..``content_end``."""

    __tablename__ = "statements"
    __table_args__ = (
        Index(None, "speaker"),
        Index(None, "article_id"),
        Index(None, "speaker_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    speaker: Mapped[str] = mapped_column(Text)
    speaker_type: Mapped[str] = mapped_column(String(16))  # person | organisation | group | unknown
    role: Mapped[str | None] = mapped_column(Text)
    cue: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # direct | indirect | mixed
    content_start: Mapped[int] = mapped_column(Integer)
    content_end: Mapped[int] = mapped_column(Integer)
    content_spans: Mapped[list[list[int]]] = mapped_column(Spans, default=_envelope)  # [[start, end], ...]
    speaker_start: Mapped[int | None] = mapped_column(Integer)
    speaker_end: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    parser_version: Mapped[str] = mapped_column(String(64))
    # The speaker row; None for a speaker that is a label, a pronoun or a description (see worker/speakers).
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))


class PageJob(Base):
    """A page to fetch for an article that holds its feed's text for now: the durable page queue."""

    __tablename__ = "page_jobs"
    __table_args__ = (
        UniqueConstraint("article_id"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | fetched | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HostPause(Base):
    """An origin (scheme://host:port) that asked us to wait (Retry-After): nothing is fetched from it
    before `until`. `reason` and `url` say which answer to which request caused the pause."""

    __tablename__ = "host_pauses"

    origin: Mapped[str] = mapped_column(String(255), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class ArticlePage(Base):
    """An article's page as it was fetched (with `keep_html` on): the response body compressed with
    zlib, and the Content-Type header it came with, so it decodes as it did (worker/pipeline/charset.py).
    `worker reprocess --extract` extracts it again. One per article: the last page its text came from."""

    __tablename__ = "article_pages"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(Text)  # the URL the page was fetched from, after redirects
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_type: Mapped[str | None] = mapped_column(Text)  # the header as sent, charset included
    encoding: Mapped[str] = mapped_column(String(16))  # how html_zlib is compressed: 'zlib'
    size: Mapped[int] = mapped_column(Integer)  # bytes before compression
    html_zlib: Mapped[bytes] = mapped_column(LargeBinary)


class ArticleTombstone(Base):
    """A URL whose article `worker prune` deleted: ingest treats it as known, so an entry still in
    its feed is not stored again. `worker prune --tombstones-older-than` forgets old ones."""

    __tablename__ = "article_tombstones"
    __table_args__ = (Index(None, "pruned_at"),)

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime)


attach_comments(Base.metadata)  # PostgreSQL keeps them (COMMENT ON); the text is in db/comments.py
