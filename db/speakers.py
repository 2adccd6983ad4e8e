"""Speaker rows: find or create the speakers worker/speakers decided on, in the caller's transaction;
list who is quoted most.

Two writers may create one speaker at once: the unique ``speaker_aliases.normalised`` decides. Each
inserts its alias with ON CONFLICT DO NOTHING; the one that finds the name taken drops its new row
and takes the speaker that holds it (on PostgreSQL the insert waits for the other transaction, so it
sees the outcome). Refs are resolved in key order, so two writers take the same names in the same
order (a deadlock PostgreSQL may still pick is retried by the caller, see worker/pipeline/dbio.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, distinct, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.articles import published_since
from db.models import Article, Speaker, SpeakerAlias, Statement
from db.records import SpeakerQuery, SpeakerRef


def _insert_alias(session: Session, speaker_id: int, alias: str, normalised: str) -> bool:
    """Give the speaker this alias unless another holds it; True when it was added."""
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = upsert(SpeakerAlias).values(speaker_id=speaker_id, alias=alias, normalised=normalised)
    stmt = stmt.on_conflict_do_nothing(index_elements=["normalised"])
    return session.execute(stmt.returning(SpeakerAlias.id)).scalar() is not None


def holders(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The speaker holding each of these alias keys, by key (keys nobody holds are left out)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = session.execute(select(SpeakerAlias.normalised, SpeakerAlias.speaker_id)
                           .where(SpeakerAlias.normalised.in_(wanted)))
    return {k: speaker_id for k, speaker_id in rows}


def _people_named(session: Session, surname: str) -> list[int]:
    """Up to two persons with a forename and this surname (two means: more than one)."""
    rows = session.execute(select(Speaker.id).where(Speaker.surname == surname, Speaker.forename.is_not(None))
                           .order_by(Speaker.id).limit(2))
    return [speaker_id for (speaker_id,) in rows]


def _create(session: Session, ref: SpeakerRef) -> int:
    """A new speaker holding ref's first alias, or the one that took that alias a moment ago."""
    new_id = session.execute(
        insert(Speaker).values(name=ref.name, type=ref.type, forename=ref.forename, surname=ref.surname)
        .returning(Speaker.id)
    ).scalar_one()
    written, first = ref.aliases[0]
    if _insert_alias(session, new_id, written, first):
        return int(new_id)
    session.execute(delete(Speaker).where(Speaker.id == new_id))
    held = holders(session, [first])
    return held[first]


def _upgrade_placeholder(session: Session, ref: SpeakerRef) -> int | None:
    """The speaker made for a lone surname ("Trump") while no person of that surname was known
    becomes this person ("Donald Trump"), if nobody else has that surname yet."""
    if ref.surname is None or ref.forename is None:
        return None
    placeholder = holders(session, [ref.surname]).get(ref.surname)
    if placeholder is None or _people_named(session, ref.surname):
        return None
    result = session.execute(
        update(Speaker).where(Speaker.id == placeholder, Speaker.forename.is_(None),
                              Speaker.surname == ref.surname, Speaker.type == "person")
        .values(forename=ref.forename, name=ref.name)
    )
    return placeholder if getattr(result, "rowcount", 0) == 1 else None


def _lone_surname(session: Session, ref: SpeakerRef) -> int | None:
    """A lone surname: the one person of that surname; else the speaker of that bare name (made
    now if new); none when the bare name belongs to a person but others share the surname."""
    assert ref.surname is not None
    people = _people_named(session, ref.surname)
    if len(people) == 1:
        return people[0]
    holder = holders(session, ref.keys).get(ref.keys[0])
    if holder is not None:
        forename = session.execute(select(Speaker.forename).where(Speaker.id == holder)).scalar()
        return holder if forename is None else None
    return _create(session, ref)


def _complete(session: Session, speaker_id: int, ref: SpeakerRef, held: dict[str, int]) -> None:
    """Give the speaker ref's aliases nobody holds, and ref's name if it is fuller than its own."""
    for written, alias_key in ref.aliases:
        if alias_key not in held:
            _insert_alias(session, speaker_id, written, alias_key)
    session.execute(update(Speaker).where(Speaker.id == speaker_id, func.length(Speaker.name) < len(ref.name))
                    .values(name=ref.name))
    if ref.type != "unknown":
        session.execute(update(Speaker).where(Speaker.id == speaker_id, Speaker.type == "unknown")
                        .values(type=ref.type))


def resolve(session: Session, ref: SpeakerRef) -> int | None:
    """The id of ref's speaker, found or created (None: an ambiguous lone surname)."""
    if ref.bare:
        return _lone_surname(session, ref)
    held = holders(session, ref.keys)
    speaker_id = next((held[k] for k in ref.keys if k in held), None)
    if speaker_id is None:
        speaker_id = _upgrade_placeholder(session, ref)
        if speaker_id is None:
            speaker_id = _create(session, ref)
            held = holders(session, ref.keys)
    _complete(session, speaker_id, ref, held)
    return speaker_id


def speaker_ids(session: Session, refs: Sequence[SpeakerRef | None]) -> list[int | None]:
    """The speaker id of each ref (None for None), found or created in the caller's transaction."""
    found: dict[SpeakerRef, int | None] = {}
    for ref in sorted({r for r in refs if r is not None}, key=lambda r: (r.keys, r.name)):
        found[ref] = resolve(session, ref)
    return [found[r] if r is not None else None for r in refs]


# --- reading ------------------------------------------------------------------------------------

def speaker_matches(query: SpeakerQuery) -> ColumnElement[bool]:
    """Statements by a speaker holding one of the query's alias keys or, for one word, by a person
    with that forename or surname; every lookup goes through an index."""
    ids = select(SpeakerAlias.speaker_id).where(SpeakerAlias.normalised.in_(query.keys))
    if query.word:
        by_name = select(Speaker.id).where(or_(Speaker.surname == query.word, Speaker.forename == query.word))
        ids = ids.union(by_name)  # type: ignore[assignment]
    return Statement.speaker_id.in_(ids)


def _aliases(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Every name each speaker goes by: its aliases and its statements' speaker as written."""
    names: dict[int, dict[str, str]] = {i: {} for i in ids}
    rows = list(session.execute(select(SpeakerAlias.speaker_id, SpeakerAlias.alias)
                                .where(SpeakerAlias.speaker_id.in_(ids)).order_by(SpeakerAlias.id)))
    rows += list(session.execute(select(Statement.speaker_id, Statement.speaker).distinct()
                                 .where(Statement.speaker_id.in_(ids)).order_by(Statement.speaker)))
    for speaker_id, alias in rows:
        names[speaker_id].setdefault(alias.casefold(), alias)
    return {i: list(found.values()) for i, found in names.items()}


def top_speakers(session: Session, *, since: datetime | None = None,
                 limit: int | None = None) -> list[dict[str, Any]]:
    """Speakers by how many statements they have (in articles published since `since`), most first:
    id, name, type, statements, articles, aliases (other names, as written), last_published."""
    statements = func.count(Statement.id)
    articles = func.count(distinct(Statement.article_id))
    last = func.max(Article.published_at)
    query = (select(Speaker.id, Speaker.name, Speaker.type, statements, articles, last)
             .join(Statement, Statement.speaker_id == Speaker.id)
             .join(Article, Article.id == Statement.article_id)
             .group_by(Speaker.id, Speaker.name, Speaker.type)
             .order_by(statements.desc(), articles.desc(), Speaker.name, Speaker.id))
    if since is not None:
        query = query.where(published_since(since))
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.execute(query))
    aliases = _aliases(session, [r[0] for r in rows])
    return [
        {"id": speaker_id, "name": name, "type": kind, "statements": n, "articles": a,
         "aliases": [x for x in aliases[speaker_id] if x.casefold() != name.casefold()],
         "last_published": newest}
        for speaker_id, name, kind, n, a, newest in rows
    ]
