"""Every article with its statements, read in batches for `worker export`.

Articles are read in id order a batch at a time (keyset pagination: ``id > last id of the batch
before``), and the statements of one batch in one query, so memory holds one batch whatever the
size of the database. All batches are read in the caller's one transaction: one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.articles import ARTICLE_COLUMNS, article_conditions, with_first_feed
from db.models import Article, Statement
from db.statements import STATEMENT_COLUMNS

EXPORT_BATCH = 500  # articles per query (their ids are bound parameters: old SQLite takes 999)
# The article columns an export carries: all but the internal bookkeeping ones.
EXPORT_ARTICLE_COLUMNS = tuple(c for c in ARTICLE_COLUMNS if c not in ("content_hash",))
EXPORT_STATEMENT_COLUMNS = tuple(c for c in STATEMENT_COLUMNS if c != "article_id")


def count_export(session: Session, *, since: datetime | None = None, stored_after: datetime | None = None,
                 feed_url: str | None = None) -> int:
    """How many articles export_articles yields with these filters."""
    conditions = article_conditions(feed_url=feed_url, since=since, stored_after=stored_after)
    return int(session.scalar(select(func.count()).select_from(Article).where(*conditions)) or 0)


def export_articles(session: Session, *, since: datetime | None = None, stored_after: datetime | None = None,
                    feed_url: str | None = None, batch: int | None = None) -> Iterator[dict[str, Any]]:
    """Each article (EXPORT_ARTICLE_COLUMNS and FEED_FIELDS) with its ``statements`` (a list of
    dicts in text order), in id order, ``batch`` (default EXPORT_BATCH) articles per query."""
    batch = batch or EXPORT_BATCH
    conditions = article_conditions(feed_url=feed_url, since=since, stored_after=stored_after)
    base = with_first_feed(select(*(getattr(Article, c) for c in EXPORT_ARTICLE_COLUMNS))).where(*conditions)
    statement_columns = [getattr(Statement, c) for c in EXPORT_STATEMENT_COLUMNS]
    after = 0
    while True:
        articles = [dict(row._mapping) for row in session.execute(
            base.where(Article.id > after).order_by(Article.id).limit(batch))]
        if not articles:
            return
        after = articles[-1]["id"]
        said: dict[int, list[dict[str, Any]]] = {a["id"]: [] for a in articles}
        rows = session.execute(
            select(Statement.article_id, *statement_columns)
            .where(Statement.article_id.in_(list(said)))
            .order_by(Statement.article_id, Statement.content_start, Statement.id))
        for row in rows:
            mapping = dict(row._mapping)
            said[mapping.pop("article_id")].append(mapping)
        for article in articles:
            article["statements"] = said[article["id"]]
            yield article
        session.expunge_all()
