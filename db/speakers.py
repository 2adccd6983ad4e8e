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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, distinct, func, insert, or_, select, update
from sqlalchemy.orm import Session

from db.articles import published_since
from db.engine import upsert_insert
from db.models import Article, Speaker, SpeakerAlias, Statement
from db.records import SpeakerQuery, SpeakerRef


def _insert_alias(session: Session, speaker_id: int, alias: str, normalised: str) -> bool:
    """Give the speaker this alias unless another holds it; True when it was added."""
    values = {"speaker_id": speaker_id, "alias": alias, "normalised": normalised}
    stmt = upsert_insert(session)(SpeakerAlias).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["normalised"])
    return session.execute(stmt.returning(SpeakerAlias.id)).scalar() is not None


@dataclass
class _Row:
    id: int
    name: str
    type: str
    forename: str | None
    surname: str | None


def _rows_holding(session: Session, keys: Iterable[str]) -> dict[str, _Row]:
    """The speaker holding each of these alias keys, by key (keys nobody holds are left out)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    columns = (Speaker.id, Speaker.name, Speaker.type, Speaker.forename, Speaker.surname)
    rows = session.execute(select(SpeakerAlias.normalised, *columns)
                           .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
                           .where(SpeakerAlias.normalised.in_(wanted)))
    return {k: _Row(speaker_id, name, kind, forename, surname)
            for k, speaker_id, name, kind, forename, surname in rows}


class _Resolver:
    """Finds or creates the speakers of one batch of refs with few queries: what is known of their
    names and surnames is read once, up front, and kept up to date as rows are made."""

    def __init__(self, session: Session, refs: Sequence[SpeakerRef]):
        self.session = session
        keys = [k for ref in refs for k in ref.keys] + [r.surname for r in refs if r.surname and not r.bare]
        self.known = _rows_holding(session, keys)
        self.people: dict[str, list[int]] = {}  # surname -> a person with a forename (two: several)
        surnames = list({r.surname for r in refs if r.surname})
        if surnames:
            rows = session.execute(select(Speaker.surname, func.min(Speaker.id), func.count())
                                   .where(Speaker.surname.in_(surnames), Speaker.forename.is_not(None))
                                   .group_by(Speaker.surname))
            for surname, first_id, count in rows:
                self.people[str(surname)] = [first_id] * min(count, 2)

    def _create(self, ref: SpeakerRef) -> _Row:
        """A new speaker holding ref's first alias, or the one that took that alias a moment ago."""
        new_id = self.session.execute(
            insert(Speaker).values(name=ref.name, type=ref.type, forename=ref.forename, surname=ref.surname)
            .returning(Speaker.id)
        ).scalar_one()
        written, first = ref.aliases[0]
        if _insert_alias(self.session, new_id, written, first):
            row = _Row(int(new_id), ref.name, ref.type, ref.forename, ref.surname)
        else:  # another writer made it a moment ago
            self.session.execute(delete(Speaker).where(Speaker.id == new_id))
            row = _rows_holding(self.session, [first])[first]
        self.known[first] = row
        if row.forename is not None and row.surname is not None:
            self.people.setdefault(row.surname, []).append(row.id)
        return row

    def _upgrade_placeholder(self, ref: SpeakerRef) -> _Row | None:
        """The speaker made for a lone surname ("Trump") while no person of that surname was known
        becomes this person ("Donald Trump"), if nobody else has that surname yet."""
        if ref.surname is None or ref.forename is None or self.people.get(ref.surname):
            return None
        row = self.known.get(ref.surname)
        if row is None or row.forename is not None or row.surname != ref.surname or row.type != "person":
            return None
        result = self.session.execute(
            update(Speaker).where(Speaker.id == row.id, Speaker.forename.is_(None)).values(
                forename=ref.forename, name=ref.name))
        if getattr(result, "rowcount", 0) != 1:
            return None  # another writer upgraded it a moment ago
        row.forename, row.name = ref.forename, ref.name
        self.people[ref.surname] = [row.id]
        return row

    def _lone_surname(self, ref: SpeakerRef) -> int | None:
        """A lone surname: the one person of that surname; else the speaker of that bare name (made
        now if new); none when the bare name belongs to a person but others share the surname."""
        people = self.people.get(ref.surname or "", [])
        if len(people) == 1:
            return people[0]
        row = self.known.get(ref.keys[0])
        if row is not None:
            return row.id if row.forename is None else None
        return self._create(ref).id

    def _complete(self, row: _Row, ref: SpeakerRef) -> None:
        """Give the speaker ref's aliases nobody holds, ref's name if it is fuller than its own, and
        ref's type if its own is unknown."""
        for written, alias_key in ref.aliases:
            if alias_key not in self.known:
                _insert_alias(self.session, row.id, written, alias_key)
                self.known[alias_key] = row
        if len(ref.name) > len(row.name):
            self.session.execute(update(Speaker).where(Speaker.id == row.id,
                                                       func.length(Speaker.name) < len(ref.name))
                                 .values(name=ref.name))
            row.name = ref.name
        if ref.type != "unknown" and row.type == "unknown":
            self.session.execute(update(Speaker).where(Speaker.id == row.id, Speaker.type == "unknown")
                                 .values(type=ref.type))
            row.type = ref.type

    def resolve(self, ref: SpeakerRef) -> int | None:
        if ref.bare:
            return self._lone_surname(ref)
        row = next((self.known[k] for k in ref.keys if k in self.known), None)
        if row is None:
            row = self._upgrade_placeholder(ref) or self._create(ref)
        self._complete(row, ref)
        return row.id


def speaker_ids(session: Session, refs: Sequence[SpeakerRef | None]) -> list[int | None]:
    """The speaker id of each ref (None for None: no speaker; None too for a lone surname that is
    ambiguous), found or created in the caller's transaction. Refs are taken in key order, so
    concurrent writers claim names in the same order."""
    unique = sorted({r for r in refs if r is not None}, key=lambda r: (r.keys, r.name))
    if not unique:
        return [None] * len(refs)
    resolver = _Resolver(session, unique)
    found = {ref: resolver.resolve(ref) for ref in unique}
    return [found[r] if r is not None else None for r in refs]


def resolve(session: Session, ref: SpeakerRef) -> int | None:
    """The id of ref's speaker, found or created."""
    return speaker_ids(session, [ref])[0]


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
