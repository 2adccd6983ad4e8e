"""Statements for articles: parse a text into StatementRecords (ingest) and re-parse stored ones."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.records import ArticleRecord, StatementRecord
from db.statements import (
    StoredText,
    count_to_reparse,
    offsets_problem,
    replace_if_unchanged,
    texts_to_reparse,
)
from worker.pipeline.progress import NO_PROGRESS, Progress
from worker.pool import CpuPool, TaskFailed
from worker.speakers import article_speakers
from worker.statements import PARSER_VERSION, Statement, parse_statements
from worker.statements.languages import parses

log = logging.getLogger("worker.statements")

REPARSE_BATCH = 100  # articles read, parsed and written per transaction


_FIELDS = tuple(f.name for f in dataclasses.fields(StatementRecord) if f.name != "speaker_ref")


def to_record(statement: Statement) -> StatementRecord:
    return StatementRecord(**{name: getattr(statement, name) for name in _FIELDS})


def statement_records(text: str,
                      language: str | None = None) -> tuple[tuple[StatementRecord, ...], str | None]:
    """The statements of `text` (none when the parser does not read its `language`) and the
    parser version that found them.

    Never raises: when the parser fails the article is stored without statements and with no
    version, so `worker reparse` tries it again; a statement whose offsets do not hold is dropped.
    MemoryError is let through: in a worker process it ends the task (see worker/pool.py)."""
    if not text or not parses(language):
        return (), PARSER_VERSION
    try:
        found = parse_statements(text)
    except MemoryError:
        raise
    except Exception:
        log.exception("the statement parser failed on a text of %d characters", len(text))
        return (), None
    records = []
    for statement in found:
        record = to_record(statement)
        problem = offsets_problem(text, record)
        if problem is not None:
            log.warning("dropped a statement: %s", problem)
            continue
        records.append(record)
    return with_speakers(text, records), PARSER_VERSION


def with_speakers(text: str, records: list[StatementRecord]) -> tuple[StatementRecord, ...]:
    """The records with the speaker each is by, as worker/speakers decides from the article."""
    refs = article_speakers([(r.speaker, r.speaker_type) for r in records], text)
    return tuple(dataclasses.replace(r, speaker_ref=ref) for r, ref in zip(records, refs, strict=True))


def with_statements(record: ArticleRecord) -> ArticleRecord:
    """The record with the statements of its text. CPU work: call it off the event loop."""
    statements, version = statement_records(record.text, record.language)
    return dataclasses.replace(record, statements=statements, statements_version=version)


@dataclass
class ReparseSummary:
    articles: int = 0  # articles whose statements were replaced
    statements: int = 0  # statements they now have
    failed: int = 0  # the parser failed: left as they were
    skipped: int = 0  # their text changed while we parsed: ingest parsed it already
    parser_version: str = PARSER_VERSION


def reparse(db: Database, pool: CpuPool | None = None, *, since: datetime | None = None,
            everything: bool = False, batch: int = REPARSE_BATCH,
            progress: Progress = NO_PROGRESS, feed_url: str | None = None) -> ReparseSummary:
    """Re-parse the stored articles whose statements are not of this parser version (all of them
    with everything=True; of one feed with feed_url), a batch per transaction. Parsing happens
    between transactions, in ``pool``'s worker processes (in this process without one), so ingest
    is not held up; an article
    whose text changed meanwhile is left to ingest, one whose parse fails or runs past its budget
    keeps what it had."""
    pool = pool or CpuPool.in_process()
    summary = ReparseSummary()
    after = 0
    with db.read() as session:
        progress.expect("articles", count_to_reparse(session, version=PARSER_VERSION, since=since,
                                                     everything=everything, feed_url=feed_url))
    while True:
        with db.transaction() as session:
            texts = texts_to_reparse(session, version=PARSER_VERSION, after_id=after, since=since,
                                     everything=everything, limit=batch, feed_url=feed_url)
        if not texts:
            return summary
        after = texts[-1].id
        parsed: list[tuple[StoredText, tuple[StatementRecord, ...]]] = []
        futures = [pool.submit(statement_records, stored.text, stored.language) for stored in texts]
        for stored, future in zip(texts, futures, strict=True):
            try:
                statements, version = future.result()
            except TaskFailed as exc:
                log.warning("statements of article %d: parsing %s", stored.id, exc.reason)
                version = None
            if version is None:
                summary.failed += 1
            else:
                parsed.append((stored, statements))
        with db.transaction() as session:
            for stored, statements in parsed:
                if replace_if_unchanged(session, stored, statements, PARSER_VERSION):
                    summary.articles += 1
                    summary.statements += len(statements)
                else:
                    summary.skipped += 1
        progress.advance("articles", len(texts))
