"""Data steps of an upgrade: work on stored rows that needs today's code, done by db/migrate.py
`upgrade` after Alembic has brought the schema to head, in the same transaction.

A migration must go on doing what it did whatever the code around it becomes, so it changes the
schema only: today's models would write columns an old revision lacks, and today's rules are not
the rules of its day. Filling in data by today's rules is what a data step is for; it runs against
the schema those rules were written for (head), once, when the upgrade started before the
revision whose columns it fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Article, Statement
from db.records import SpeakerRef
from db.speakers import speaker_ids

# For each (speaker, speaker_type) of one article's statements, in order, and the article's text:
# its SpeakerRef or None. worker/speakers `article_speakers`; passed in, since db/ does not import
# the worker's rules (new statements get their refs from the worker the same way).
SpeakerRules = Callable[[Sequence[tuple[str, str]], str], Sequence[SpeakerRef | None]]

SPEAKERS_REVISION = "0007"  # added statements.speaker_id, empty for the statements stored before it
SPEAKERS_BATCH = 500  # articles whose statements are matched to speakers per round


def fill_speaker_ids(session: Session, rules: SpeakerRules, *, batch: int = SPEAKERS_BATCH) -> int:
    """Match the statements stored before migration 0007 to speakers, by the rules new statements
    are stored with, an article's statements together; returns how many got a speaker."""
    filled = 0
    after = 0
    while True:
        articles = session.execute(
            select(Article.id, Article.text)
            .where(Article.id > after, Article.id.in_(select(Statement.article_id)))
            .order_by(Article.id).limit(batch)).all()
        if not articles:
            return filled
        after = articles[-1][0]
        for article_id, text in articles:
            rows = session.execute(
                select(Statement.id, Statement.speaker, Statement.speaker_type)
                .where(Statement.article_id == article_id)
                .order_by(Statement.content_start, Statement.id)).all()
            refs = rules([(speaker, kind) for _, speaker, kind in rows], text or "")
            for (statement_id, _, _), speaker_id in zip(rows, speaker_ids(session, refs), strict=True):
                if speaker_id is not None:
                    session.execute(update(Statement).where(Statement.id == statement_id)
                                    .values(speaker_id=speaker_id))
                    filled += 1
