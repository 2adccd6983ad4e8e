"""Statements in storage: replace an article's statements, find articles to re-parse, query them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from db.articles import article_conditions, published_since, with_first_feed
from db.models import Article, Statement
from db.records import SpeakerQuery, StatementRecord
from db.speakers import speaker_ids, speaker_matches

STATEMENT_COLUMNS = (
    "id", "article_id", "speaker", "speaker_type", "role", "cue", "content", "kind", "content_start",
    "content_end", "content_spans", "speaker_start", "speaker_end", "confidence", "parser_version",
    "speaker_id",
)
# The article of each statement: its URL, title, dates and first feed.
ARTICLE_FIELDS = ("url", "title", "published_at", "stored_at", "feed_url", "feed_title")


def offsets_problem(text: str, statement: StatementRecord) -> str | None:
    """Why the statement's offsets do not fit `text`, or None when they do: every piece is a
    non-empty stretch inside the envelope content_start..content_end (itself inside the text), the
    pieces are in order and disjoint, and their text joined by one space is the content."""
    start, end = statement.content_start, statement.content_end
    where = f"statement offsets {start}:{end}"
    if not 0 <= start <= end <= len(text):
        return f"{where} lie outside the text ({len(text)} characters)"
    last = start
    for piece in statement.spans:
        if len(piece) != 2 or not last <= piece[0] < piece[1] <= end:
            return f"{where}: piece {list(piece)} is not a stretch of the envelope after the previous piece"
        last = piece[1]
    said = " ".join(text[a:b] for a, b in statement.spans)
    if said != statement.content:
        return f"{where}: the pieces {[list(p) for p in statement.spans]} hold {said[:40]!r}, " \
               f"not the content {statement.content[:40]!r}"
    return None


def check_offsets(text: str, statements: Sequence[StatementRecord]) -> None:
    """Raise ValueError unless every statement's content is where its offsets say in `text`."""
    for s in statements:
        problem = offsets_problem(text, s)
        if problem is not None:
            raise ValueError(problem)


def write_statements(session: Session, article_id: int, text: str, statements: Sequence[StatementRecord],
                     version: str | None, *, replace: bool = True) -> int:
    """Store these statements as the article's (deleting its old ones unless replace=False); the
    caller sets articles.statements_version. Returns how many were written."""
    check_offsets(text, statements)
    if replace:
        session.execute(delete(Statement).where(Statement.article_id == article_id))
    if not statements:
        return 0
    if version is None:
        raise ValueError("statements need the parser version that found them")
    speakers = speaker_ids(session, [s.speaker_ref for s in statements])
    session.execute(insert(Statement), [
        {"article_id": article_id, "speaker": s.speaker, "speaker_type": s.speaker_type, "role": s.role,
         "cue": s.cue, "content": s.content, "kind": s.kind, "content_start": s.content_start,
         "content_end": s.content_end, "content_spans": s.spans, "speaker_start": s.speaker_start,
         "speaker_end": s.speaker_end, "confidence": s.confidence, "parser_version": version,
         "speaker_id": speaker_id}
        for s, speaker_id in zip(statements, speakers, strict=True)
    ])
    return len(statements)


@dataclass(frozen=True)
class StoredText:
    """An article's text as read for re-parsing; content_hash tells whether it changed since."""

    id: int
    text: str
    content_hash: str
    language: str | None = None


def _reparse_conditions(version: str, since: datetime | None, everything: bool,
                        feed_url: str | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not everything:
        conditions.append(or_(Article.statements_version.is_(None), Article.statements_version != version))
    if since is not None:
        conditions.append(published_since(since))
    if feed_url is not None:
        conditions.extend(article_conditions(feed_url=feed_url))
    return conditions


def count_to_reparse(session: Session, *, version: str, since: datetime | None = None,
                     everything: bool = False, feed_url: str | None = None) -> int:
    """How many articles texts_to_reparse finds in all (for a progress display)."""
    query = select(func.count()).select_from(Article).where(
        *_reparse_conditions(version, since, everything, feed_url))
    return int(session.scalar(query) or 0)


def texts_to_reparse(session: Session, *, version: str, after_id: int = 0, since: datetime | None = None,
                     everything: bool = False, limit: int = 100,
                     feed_url: str | None = None) -> list[StoredText]:
    """The next `limit` articles (by id, after `after_id`) whose statements are not of `version`
    (never parsed included), or all of them with everything=True; of the feed `feed_url` if given."""
    query = select(Article.id, Article.text, Article.content_hash, Article.language).where(
        Article.id > after_id, *_reparse_conditions(version, since, everything, feed_url))
    rows = session.execute(query.order_by(Article.id).limit(limit))
    return [StoredText(article_id, text, digest, language) for article_id, text, digest, language in rows]


def replace_if_unchanged(session: Session, stored: StoredText, statements: Sequence[StatementRecord],
                         version: str) -> bool:
    """Replace the article's statements with these, parsed from `stored.text`, unless its text has
    changed (or it has gone) since it was read: then ingest has parsed it already; returns False."""
    result = session.execute(
        update(Article).where(Article.id == stored.id, Article.content_hash == stored.content_hash)
        .values(statements_version=version)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    write_statements(session, stored.id, stored.text, statements, version)
    return True


def list_statements(session: Session, *, speaker: SpeakerQuery | None = None, article_id: int | None = None,
                    article_url: str | None = None, since: datetime | None = None,
                    stored_after: datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Statements with their article's ARTICLE_FIELDS, as plain dicts: newest articles first, then
    in text order. `speaker`: only those of the speakers it finds (see speaker_matches)."""
    query = with_first_feed(select(
        *(getattr(Statement, c) for c in STATEMENT_COLUMNS), Article.url, Article.title,
        Article.published_at, Article.created_at.label("stored_at"),
    ).join(Article, Article.id == Statement.article_id))
    if speaker is not None:
        query = query.where(speaker_matches(speaker))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    if article_url is not None:
        query = query.where(Article.url == article_url)
    query = query.where(*article_conditions(since=since, stored_after=stored_after))
    query = query.order_by(Article.published_at.desc().nulls_last(), Article.id.desc(),
                           Statement.content_start, Statement.id)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in session.execute(query)]
