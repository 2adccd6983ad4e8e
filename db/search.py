"""Full-text search over articles (title and text) and statements (content), and its upkeep.

The index is the database's own: on SQLite the FTS5 tables `articles_fts` and `statements_fts`
(external content: they index the rows of `articles` and `statements` without a copy of the text),
kept in step by triggers; on PostgreSQL the generated tsvector columns `articles.search_vector` and
`statements.search_vector` with GIN indexes, and a pg_trgm index on `lower(statements.speaker)` for
speaker filters. Migration 0006 creates them; every writer (ingest, reparse, deletes) keeps them
in step in its own transaction with no code of ours; `rebuild_search_index` (`worker db reindex`)
rebuilds them and puts back any that a later table rebuild dropped.

A query comes in as a `SearchQuery` (words and phrases, alternatives, exclusions; the command line
reads the user's text into one) and goes into SQL as bound values only, never as query syntax the
user wrote: whatever was typed, it cannot be an FTS5 or tsquery syntax error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, literal, literal_column, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.articles import published_since
from db.engine import chunks
from db.models import Article, Feed, FeedEntry, Statement
from db.records import SpeakerQuery
from db.speakers import speaker_matches

# --- what is searched for -----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Words to find one after the other (one word, or a phrase); prefix: the last word may go on."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    """Any one of its terms; excluded: none of them."""

    terms: tuple[Term, ...]
    excluded: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Every clause that is not excluded, and none of those that are. At least one is not."""

    clauses: tuple[Clause, ...]

    def __post_init__(self) -> None:
        if not any(not c.excluded and c.terms for c in self.clauses):
            raise ValueError("a search needs something to find")


# --- SQLite: FTS5 -------------------------------------------------------------------------------

TOKENIZE = "porter unicode61 remove_diacritics 2"
SNIPPET_START, SNIPPET_END, SNIPPET_GAP = "**", "**", "…"
SNIPPET_WORDS = 24
TITLE_WEIGHT, TEXT_WEIGHT = 4.0, 1.0  # bm25: a word in the title counts four times one in the text


def _fts5_term(term: Term) -> str:
    """An FTS5 string: its words in a row, whatever characters it holds; * makes it a prefix."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def _fts5_clause(clause: Clause) -> str:
    return "(" + " OR ".join(_fts5_term(t) for t in clause.terms) + ")"


def fts5_expression(query: SearchQuery) -> str:
    """The FTS5 MATCH expression of the query, built only of quoted strings and operators."""
    expression = " AND ".join(_fts5_clause(c) for c in query.clauses if not c.excluded and c.terms)
    for clause in query.clauses:
        if clause.excluded and clause.terms:
            expression = f"({expression}) NOT {_fts5_clause(clause)}"
    return expression


# SQLite statements that put back the search tables and triggers when missing (a later migration
# that rebuilds `articles` or `statements` drops their triggers). Migration 0006 holds the same.
SQLITE_OBJECTS = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id', "
    f"tokenize='{TOKENIZE}')",
    "CREATE VIRTUAL TABLE statements_fts USING fts5(content, content='statements', content_rowid='id', "
    f"tokenize='{TOKENIZE}')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF id, title, text ON articles "
    "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.text IS NOT new.text BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(rowid, content) VALUES (new.id, new.content); END",
    "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "CREATE TRIGGER statements_fts_update AFTER UPDATE OF id, content ON statements "
    "WHEN old.id IS NOT new.id OR old.content IS NOT new.content BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, content) VALUES ('delete', old.id, old.content); "
    "INSERT INTO statements_fts(rowid, content) VALUES (new.id, new.content); END",
)


def _sqlite_if_missing(statement: str) -> str:
    for kind in ("VIRTUAL TABLE", "TRIGGER"):
        statement = statement.replace(f"CREATE {kind} ", f"CREATE {kind} IF NOT EXISTS ", 1)
    return statement


# --- PostgreSQL: tsvector, GIN, pg_trgm ---------------------------------------------------------

TS_CONFIG = "english"
INDEXED_CHARS = 100_000  # what the generated columns index of a text (a tsvector holds 1 MB at most)
HEADLINE_OPTIONS = (
    f"StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords={SNIPPET_WORDS}, "
    f'MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=" {SNIPPET_GAP} "'
)
POSTGRESQL_INDEXES = ("ix_articles_search_vector", "ix_statements_search_vector")
TRIGRAM_INDEX = "ix_statements_speaker_trgm"
TRIGRAM_SCHEMA = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


def _ts_config() -> ColumnElement[Any]:
    return literal_column(f"'{TS_CONFIG}'::regconfig")


def _pg_term(term: Term) -> ColumnElement[Any]:
    config = _ts_config()
    if term.prefix and term.text.isalnum():  # nothing but letters and digits: no tsquery syntax
        return func.to_tsquery(config, literal(f"{term.text}:*"))
    return func.phraseto_tsquery(config, literal(term.text))


def _pg_clause(clause: Clause) -> ColumnElement[Any]:
    found = _pg_term(clause.terms[0])
    for term in clause.terms[1:]:
        found = func.tsquery_or(found, _pg_term(term))
    return found


def pg_tsquery(query: SearchQuery) -> ColumnElement[Any]:
    """The tsquery of the query, combined in SQL from phraseto_tsquery() of bound strings."""
    combined: ColumnElement[Any] | None = None
    for clause in (c for c in query.clauses if c.terms):
        part = _pg_clause(clause)
        if clause.excluded:
            part = func.tsquery_not(part)
        combined = part if combined is None else func.tsquery_and(combined, part)
    assert combined is not None
    return combined


# --- searching ----------------------------------------------------------------------------------

ARTICLE_HIT_COLUMNS = ("rank", "score", "id", "url", "title", "published_at", "feed", "snippet")
STATEMENT_HIT_COLUMNS = (
    "rank",
    "score",
    "id",
    "article_id",
    "speaker",
    "speaker_type",
    "kind",
    "content",
    "url",
    "title",
    "published_at",
    "feed",
    "snippet",
)
def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _in_feed(feed_url: str) -> ColumnElement[bool]:
    return Article.id.in_(select(FeedEntry.article_id).join(Feed).where(Feed.url == feed_url))


def _filtered(
    query: Select[Any], *, since: datetime | None, feed_url: str | None, limit: int | None
) -> Select[Any]:
    if since is not None:
        query = query.where(published_since(since))
    if feed_url is not None:
        query = query.where(_in_feed(feed_url))
    query = query.order_by(
        literal_column("score").desc(), Article.published_at.desc().nulls_last(), Article.id.desc()
    )
    return query if limit is None else query.limit(limit)


def _first_feeds(session: Session, article_ids: Iterable[int]) -> dict[int, str]:
    """Per article, the URL of the first feed (by id) that listed it."""
    feeds: dict[int, str] = {}
    for chunk in chunks(sorted(set(article_ids))):
        rows = session.execute(
            select(FeedEntry.article_id, Feed.url)
            .join(Feed)
            .where(FeedEntry.article_id.in_(chunk))
            .order_by(Feed.id)
        )
        for article_id, url in rows:
            feeds.setdefault(article_id, url)
    return feeds


def _sqlite_snippets(
    session: Session, fts: str, column: int, match: str, ids: Sequence[int]
) -> dict[int, str]:
    source = table(fts, literal_column("rowid"))
    rowid: ColumnElement[Any] = literal_column(f"{fts}.rowid")
    snippet = func.snippet(
        literal_column(fts), column, SNIPPET_START, SNIPPET_END, SNIPPET_GAP, SNIPPET_WORDS
    )
    found: dict[int, str] = {}
    for chunk in chunks(ids):
        query = (
            select(rowid, snippet)
            .select_from(source)
            .where(literal_column(fts).match(match), rowid.in_(chunk))
        )
        found.update((int(i), s) for i, s in session.execute(query))
    return found


def _pg_snippets(
    session: Session, id_column: Any, document: Any, tsquery: ColumnElement[Any], ids: Sequence[int]
) -> dict[int, str]:
    indexed = func.left(document, literal_column(str(INDEXED_CHARS)))
    headline = func.ts_headline(_ts_config(), indexed, tsquery, literal(HEADLINE_OPTIONS))
    found: dict[int, str] = {}
    for chunk in chunks(ids):
        rows = session.execute(select(id_column, headline).where(id_column.in_(chunk)))
        found.update((int(i), s) for i, s in rows)
    return found


def search_articles(
    session: Session,
    query: SearchQuery,
    *,
    since: datetime | None = None,
    feed_url: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Articles matching the query, best first (bm25 on SQLite, ts_rank on PostgreSQL; `score`:
    higher is better, comparable within one search only), each with a snippet of its text."""
    if _dialect(session) == "sqlite":
        match = fts5_expression(query)
        fts = table("articles_fts", literal_column("rowid"))
        score = -func.bm25(literal_column("articles_fts"), TITLE_WEIGHT, TEXT_WEIGHT)
        ranked = (
            select(Article.id, score.label("score"))
            .select_from(fts)
            .join(Article, Article.id == literal_column("articles_fts.rowid"))
            .where(literal_column("articles_fts").match(match))
        )
    else:
        tsquery = pg_tsquery(query)
        vector: ColumnElement[Any] = literal_column("articles.search_vector")
        ranked = select(Article.id, func.ts_rank(vector, tsquery, literal_column("1")).label("score")).where(
            vector.op("@@")(tsquery)
        )
    hits = [
        (int(i), float(s))
        for i, s in session.execute(_filtered(ranked, since=since, feed_url=feed_url, limit=limit))
    ]
    ids = [i for i, _ in hits]
    if _dialect(session) == "sqlite":
        snippets = _sqlite_snippets(session, "articles_fts", 1, match, ids)
    else:
        snippets = _pg_snippets(session, Article.id, Article.text, tsquery, ids)
    articles: dict[int, tuple[str, str | None, datetime | None]] = {}
    for chunk in chunks(ids):
        rows = session.execute(
            select(Article.id, Article.url, Article.title, Article.published_at).where(Article.id.in_(chunk))
        )
        articles.update((i, (u, t, p)) for i, u, t, p in rows)
    feeds = _first_feeds(session, ids)
    return [
        {
            "rank": n,
            "score": score_,
            "id": i,
            "url": articles[i][0],
            "title": articles[i][1],
            "published_at": articles[i][2],
            "feed": feeds.get(i),
            "snippet": snippets.get(i, ""),
        }
        for n, (i, score_) in enumerate(hits, 1)
        if i in articles
    ]


def search_statements(
    session: Session,
    query: SearchQuery,
    *,
    speaker: SpeakerQuery | None = None,
    since: datetime | None = None,
    feed_url: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Statements whose content matches the query, best first, with their article's url, title,
    date and first feed, and a snippet; `speaker` keeps those of that speaker (any of its names)."""
    if _dialect(session) == "sqlite":
        match = fts5_expression(query)
        fts = table("statements_fts", literal_column("rowid"))
        score = -func.bm25(literal_column("statements_fts"))
        ranked = (
            select(Statement.id, score.label("score"))
            .select_from(fts)
            .join(Statement, Statement.id == literal_column("statements_fts.rowid"))
            .where(literal_column("statements_fts").match(match))
        )
    else:
        tsquery = pg_tsquery(query)
        vector: ColumnElement[Any] = literal_column("statements.search_vector")
        ranked = select(
            Statement.id, func.ts_rank(vector, tsquery, literal_column("1")).label("score")
        ).where(vector.op("@@")(tsquery))
    ranked = ranked.join(Article, Article.id == Statement.article_id)
    if speaker is not None:
        ranked = ranked.where(speaker_matches(speaker))
    hits = [
        (int(i), float(s))
        for i, s in session.execute(_filtered(ranked, since=since, feed_url=feed_url, limit=limit))
    ]
    ids = [i for i, _ in hits]
    if _dialect(session) == "sqlite":
        snippets = _sqlite_snippets(session, "statements_fts", 0, match, ids)
    else:
        snippets = _pg_snippets(session, Statement.id, Statement.content, tsquery, ids)
    rows: dict[int, dict[str, Any]] = {}
    for chunk in chunks(ids):
        found = session.execute(
            select(
                Statement.id,
                Statement.article_id,
                Statement.speaker,
                Statement.speaker_type,
                Statement.kind,
                Statement.content,
                Article.url,
                Article.title,
                Article.published_at,
            )
            .join(Article, Article.id == Statement.article_id)
            .where(Statement.id.in_(chunk))
        )
        rows.update((r.id, dict(r._mapping)) for r in found)
    feeds = _first_feeds(session, (r["article_id"] for r in rows.values()))
    return [
        {
            "rank": n,
            "score": score_,
            **rows[i],
            "feed": feeds.get(rows[i]["article_id"]),
            "snippet": snippets.get(i, ""),
        }
        for n, (i, score_) in enumerate(hits, 1)
        if i in rows
    ]


# --- upkeep -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexReport:
    database: str
    articles: int
    statements: int
    speaker_index: bool  # the pg_trgm index on speakers exists (always True on SQLite: none needed)


def _trigram_schema(session: Session) -> str | None:
    """pg_trgm's schema, installing it in `public` if it can be (an extension is the whole
    database's: never put it in a schema that could be dropped with it)."""
    schema = session.execute(text(TRIGRAM_SCHEMA)).scalar()
    if schema is None:
        try:
            with session.begin_nested():
                session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        except DBAPIError:
            pass
        schema = session.execute(text(TRIGRAM_SCHEMA)).scalar()
    return None if schema is None else str(schema)


def _pg_index_exists(session: Session, name: str) -> bool:
    return session.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar() is True


def _rebuild_postgresql(session: Session) -> bool:
    if not _pg_index_exists(session, TRIGRAM_INDEX):
        schema = _trigram_schema(session)
        if schema is not None:
            quoted = session.get_bind().dialect.identifier_preparer.quote_identifier(schema)
            session.execute(
                text(
                    f"CREATE INDEX {TRIGRAM_INDEX} ON statements "
                    f"USING gin (lower(speaker) {quoted}.gin_trgm_ops)"
                )
            )
    have_trigrams = _pg_index_exists(session, TRIGRAM_INDEX)
    for name in (*POSTGRESQL_INDEXES, *((TRIGRAM_INDEX,) if have_trigrams else ())):
        session.execute(text(f"REINDEX INDEX {name}"))
    return have_trigrams


def restore_sqlite_objects(connection: Connection | Session) -> None:
    """Create the SQLite search tables and triggers that are missing. For a migration that rebuilds
    `articles` or `statements` (Alembic's batch mode on SQLite drops their triggers with the old
    table): call it at its end. Row ids survive such a rebuild, so the index still holds."""
    for statement in SQLITE_OBJECTS:
        connection.execute(text(_sqlite_if_missing(statement)))


def rebuild_search_index(session: Session) -> IndexReport:
    """Rebuild the search index from the rows (and put back any search trigger or index missing)."""
    dialect = _dialect(session)
    speaker_index = True
    if dialect == "sqlite":
        restore_sqlite_objects(session)
        for fts in ("articles_fts", "statements_fts"):
            session.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))
    else:
        speaker_index = _rebuild_postgresql(session)
    articles = session.execute(select(func.count()).select_from(Article)).scalar_one()
    statements = session.execute(select(func.count()).select_from(Statement)).scalar_one()
    return IndexReport(dialect, int(articles), int(statements), speaker_index)


SEARCH_TABLES = ("articles_fts", "statements_fts")


def is_search_object(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Whether a database object is part of the search index, which lives outside db/models.py
    (for Alembic's include_name: the models' comparison leaves these alone)."""
    if name is None:
        return False
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in SEARCH_TABLES)
    if type_ == "column":
        return name == "search_vector" and parent_names.get("table_name") in ("articles", "statements")
    if type_ == "index":
        return name in (*POSTGRESQL_INDEXES, TRIGRAM_INDEX)
    return False
