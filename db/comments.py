"""What every table, view and column means, in one place: docs/schema.md says it at length, these
are the short forms PostgreSQL keeps (`COMMENT ON`, shown by `\\d+` in psql and by SQL clients).

db/models.py attaches them to the models (so Alembic's comparison expects them); migration 0009
writes them with `write_comments`. A migration that adds a table, view or column adds its comment
here and calls `write_comments` at its end (it writes the comments of the objects that exist)."""

from __future__ import annotations

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

TABLES: dict[str, str] = {
    "feeds": "The feeds the worker polls, with their polling state.",
    "articles": "One row per article, identified by its canonical URL.",
    "feed_entries": "Which feed listed which article: one row per feed and entry.",
    "statements": "Who said what in an article, found by the statement parser in articles.text.",
    "speakers": "Speakers as entities across articles; found through speaker_aliases.",
    "speaker_aliases": "The names a speaker goes by, one row per folded name.",
    "page_jobs": "The durable page queue: one row per article whose page is (or was) to be fetched.",
    "host_pauses": "Origins that answered Retry-After: nothing is fetched from them before until.",
    "article_pages": "Articles' pages as fetched, zlib-compressed (with keep_html on), for worker reprocess.",
    "article_tombstones": "URLs of articles worker prune deleted: ingest treats them as known.",
}

VIEWS: dict[str, str] = {
    "statement_details": "Each statement with its speaker (as written and as an entity), its article and the "
    "article's first feed.",
    "article_feeds": "Each article with every feed that listed it, and the entry.",
}

_ROW = "row bookkeeping"
_PK = "primary key"

COLUMNS: dict[str, dict[str, str]] = {
    "article_pages": {
        "article_id": "articles.id (primary key: one kept page per article, the last its text came from)",
        "url": "the URL the page was fetched from, after redirects",
        "fetched_at": "when the page was fetched",
        "content_type": "the Content-Type header as sent, charset included",
        "encoding": "how html_zlib is compressed: 'zlib'",
        "size": "bytes of the page before compression",
        "html_zlib": "the response body, compressed",
    },
    "article_tombstones": {
        "url": "the deleted article's URL, or a feed entry's link to it",
        "pruned_at": "when worker prune deleted it; --tombstones-older-than forgets old ones",
    },
    "feeds": {
        "id": _PK,
        "url": "the feed's URL (tracking parameters and fragment removed); local feeds are file:// URLs",
        "title": "from feeds add/edit --title or the OPML outline, else the feed's own",
        "site_url": "the feed's <link> to its website",
        "enabled": "disabled feeds are not polled",
        "interval_seconds": "polling interval set with --interval; null: the default",
        "etag": "ETag of the last response, sent back as If-None-Match",
        "last_modified": "Last-Modified of the last response, sent back as If-Modified-Since",
        "last_checked_at": "when the feed was last polled",
        "next_check_at": "when worker ingest --due polls it next",
        "last_status": "ok, not_modified or failed",
        "last_http_status": "HTTP status of the last poll (null when no response came)",
        "last_error": "why the last poll failed, or a syntax error the feed was parsed despite",
        "error_count": "failures in a row; reset by a successful poll",
        "created_at": "when the feed was added",
        "next_check_reason": "why next_check_at is what it is",
        "server_wait_until": "a Retry-After to honour: ingest skips the feed before then unless --force",
        "disabled_reason": "why the feed is disabled; cleared by feeds enable",
        "lease_owner": "the worker polling it right now",
        "lease_until": "until when that worker's claim holds",
        "category": "the feed's folder, a path of names joined by / (World/Europe); null: none",
    },
    "articles": {
        "id": _PK,
        "url": "canonical URL: the page's rel=canonical, else the entry link normalised",
        "title": "from the page's metadata, else from the feed entry",
        "author": "from the page's metadata, else from the feed entry",
        "published_at": "from the feed entry, else from the page (future dates are dropped)",
        "language": "BCP 47 code as the page declares it, else detected from the text",
        "text": "the article body: paragraphs separated by one blank line, boilerplate removed",
        "summary": "the feed entry's summary",
        "source": "page (extracted from the fetched page) or feed (the feed's own content or summary)",
        "source_reason": "for source = feed: why the page was not used",
        "page_attempts": "page fetches tried for this article",
        "provisional": "true until the queued page is first tried: the feed's text stands in for it",
        "content_hash": "SHA-256 (hex) of text",
        "extracted_at": "when text was produced",
        "extractor_version": "the extractor release that produced the row",
        "statements_version": "the parser version whose rows are in statements; null: never parsed",
        "created_at": "when the article was stored; row bookkeeping",
        "updated_at": _ROW,
        "search_vector": "full-text search: title (weight A) and text (weight B), english configuration",
    },
    "feed_entries": {
        "id": _PK,
        "feed_id": "feeds.id (rows go when the feed is removed)",
        "article_id": "articles.id",
        "guid": "the entry's identity in its feed (guid/id, else link, else a hash); unique per feed",
        "link": "the entry's link, normalised (before canonicalisation)",
        "first_seen_at": "when the worker first saw the entry",
    },
    "statements": {
        "id": _PK,
        "article_id": "articles.id (rows go with the article)",
        "speaker": "who made the statement, as the parser resolved it",
        "speaker_type": "person, organisation, group or unknown",
        "role": "the speaker's title or role when the text gives one",
        "cue": "the reporting expression (said, told, according to, :); null when there is none",
        "content": "what was said: the text of its pieces (content_spans) joined by one space",
        "kind": "direct, indirect or mixed",
        "content_start": "start of the statement's envelope in articles.text (code points, 0-based)",
        "content_end": "end of the statement's envelope in articles.text (exclusive)",
        "content_spans": "the pieces of content, [[start, end], ...] into articles.text (JSON)",
        "speaker_start": "where the speaker is mentioned in articles.text; null when implicit",
        "speaker_end": "end of the speaker's mention (exclusive); null when implicit",
        "confidence": "the parser's confidence in the statement, 0 to 1",
        "parser_version": "the parser version that found it",
        "speaker_id": "speakers.id: the speaker across articles; null when the speaker is no name",
        "search_vector": "full-text search: content, english configuration",
    },
    "speakers": {
        "id": _PK,
        "name": "the canonical name: the fullest form seen, without titles",
        "type": "person, organisation, group or unknown, as the parser typed the first mention",
        "forename": "a person's forename, folded; null for an organisation or a lone surname",
        "surname": "a person's surname, folded; null for an organisation",
        "created_at": "when the row was made",
    },
    "speaker_aliases": {
        "id": _PK,
        "speaker_id": "speakers.id (aliases go with their speaker)",
        "alias": "the name as first written",
        "normalised": "the name folded (case, accents, punctuation, titles, middle names away); unique",
    },
    "page_jobs": {
        "id": _PK,
        "article_id": "articles.id (the job goes with its article); unique",
        "feed_id": "the feed that queued it (null once that feed is removed)",
        "url": "the page to fetch",
        "state": "pending, fetched or failed",
        "attempts": "fetches tried",
        "next_attempt_at": "not fetched before this",
        "last_error": "why the last attempt failed",
        "lease_owner": "the worker fetching it right now",
        "lease_until": "until when that worker's claim holds",
        "created_at": _ROW,
        "updated_at": _ROW,
    },
    "host_pauses": {
        "origin": "scheme://host:port that asked us to wait; primary key",
        "until": "nothing is fetched from the origin before this",
        "reason": "which answer caused the pause",
        "url": "the request that got that answer",
    },
    "statement_details": {
        "statement_id": "statements.id",
        "article_id": "articles.id",
        "speaker": "the speaker as the article names them (statements.speaker)",
        "speaker_type": "statements.speaker_type",
        "speaker_id": "speakers.id; null when the speaker is no name",
        "speaker_name": "the canonical name (speakers.name); null when the speaker is no name",
        "speaker_entity_type": "speakers.type",
        "role": "statements.role",
        "cue": "statements.cue",
        "kind": "statements.kind",
        "content": "statements.content",
        "confidence": "statements.confidence",
        "article_title": "articles.title",
        "article_url": "articles.url",
        "published_at": "articles.published_at",
        "stored_at": "articles.created_at: when the article was stored",
        "feed_url": "the article's first feed (lowest feed_entries.id): feeds.url",
        "feed_title": "the article's first feed: feeds.title",
    },
    "article_feeds": {
        "article_id": "articles.id",
        "article_url": "articles.url",
        "article_title": "articles.title",
        "published_at": "articles.published_at",
        "feed_id": "feeds.id",
        "feed_url": "feeds.url",
        "feed_title": "feeds.title",
        "feed_category": "feeds.category",
        "guid": "feed_entries.guid",
        "link": "feed_entries.link",
        "first_seen_at": "feed_entries.first_seen_at",
    },
}


def attach_comments(metadata: MetaData) -> None:
    """Put the comments on the models' tables and columns (what the migrations create)."""
    for table in metadata.tables.values():
        table.comment = TABLES[table.name]
        for column in table.columns:
            column.comment = COLUMNS[table.name][column.name]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_comments(connection: Connection) -> None:
    """PostgreSQL: COMMENT ON every table, view and column there is (in the connection's schema) that
    has a comment here. Other databases keep no comments: nothing to do."""
    if connection.dialect.name != "postgresql":
        return
    objects: dict[str, str] = dict(
        connection.execute(
            text(
                "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v')"
            )
        ).all()
    )
    for name, kind in objects.items():
        comment = (TABLES if kind == "r" else VIEWS).get(name)
        if comment is None:
            continue
        connection.execute(
            text(f"COMMENT ON {'TABLE' if kind == 'r' else 'VIEW'} {name} IS {_literal(comment)}")
        )
        present = connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = :t"
            ),
            {"t": name},
        ).scalars()
        for column in present:
            described = COLUMNS[name].get(column)
            if described is not None:
                connection.execute(text(f"COMMENT ON COLUMN {name}.{column} IS {_literal(described)}"))
