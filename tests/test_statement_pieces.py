"""What a statement says as pieces of the text (content_spans): split quotations and interrupted
clauses leave their attribution out; the pieces reach every output and storage, and `worker reparse`
brings rows found by the older parser up to date."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text as sql

from db import migrate, store
from db.database import Database
from db.engine import make_engine
from db.feeds import add_feed
from db.models import Statement as StatementRow
from db.records import ArticleRecord, EntryRecord, FeedPoll
from db.statements import list_statements
from db.types import UTCDateTime
from worker.cli import main
from worker.pipeline.decide import merge_article
from worker.pipeline.statements import with_statements
from worker.speakers import article_speakers
from worker.statements import PARSER_VERSION, Statement, parse_statements

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SPLIT = "Mayor Rosa Vidal spoke after the blackout. “We know the cause,” she said. “It was the grid.”"


def spans_of(text: str, *pieces: str) -> tuple[tuple[int, int], ...]:
    """Where each piece is in text, searched in order."""
    out, at = [], 0
    for piece in pieces:
        start = text.index(piece, at)
        out.append((start, start + len(piece)))
        at = start + len(piece)
    return tuple(out)


def only(text: str) -> Statement:
    found = parse_statements(text)
    assert len(found) == 1, found
    s = found[0]
    assert s.content == " ".join(text[a:b] for a, b in s.content_spans)
    assert s.content_start <= s.content_spans[0][0] and s.content_spans[-1][1] <= s.content_end
    return s


# --- the parser -----------------------------------------------------------------------------------

def test_a_quotation_split_by_its_attribution_is_two_pieces_without_it() -> None:
    s = only(SPLIT)
    assert (s.speaker, s.kind, s.cue) == ("Rosa Vidal", "direct", "said")
    assert s.content_spans == spans_of(SPLIT, "We know the cause,", "It was the grid.")
    assert s.content == "We know the cause, It was the grid."
    # the envelope still runs from the first mark to the last, for sorting and indexing
    assert (s.content_start, s.content_end) == (SPLIT.index("“We know"), len(SPLIT))


def test_three_pieces_over_a_run_of_quotation_sentences() -> None:
    text = ("Mayor Rosa Vidal spoke after the blackout. “We know the cause,” she said. "
            "“It was the grid. It failed twice.” “We will fix it by May.”")
    s = only(text)
    assert s.content_spans == spans_of(text, "We know the cause,", "It was the grid. It failed twice.",
                                       "We will fix it by May.")
    assert "she said" not in s.content and "”" not in s.content and "“" not in s.content


def test_a_quotation_resumed_after_the_attribution_in_one_sentence() -> None:
    text = "Coach Paul Smith was calm. “We are ready,” Smith said, “and we will win the cup.”"
    s = only(text)
    assert s.content_spans == spans_of(text, "We are ready,", "and we will win the cup.")


def test_a_clause_interrupted_by_its_attribution_leaves_it_out() -> None:
    text = "Mayor Ana Ortiz spoke on Monday. The plan, Ortiz notes, costs more than the last one."
    s = only(text)
    assert (s.speaker, s.kind) == ("Ana Ortiz", "indirect")
    assert s.content_spans == spans_of(text, "The plan", "costs more than the last one")
    assert s.content == "The plan costs more than the last one"

    text = "Over the long term, according to police spokesman Dan Kiely, the number of riders will rise."
    s = only(text)
    assert s.speaker == "Dan Kiely"
    assert s.content_spans == spans_of(text, "Over the long term", "the number of riders will rise")


def test_attribution_first_gives_the_inside_of_the_quotation() -> None:
    text = "Jane Doe spoke on Monday. She said: “We will rebuild the bridge by spring.”"
    s = only(text)
    assert (s.speaker, s.kind) == ("Jane Doe", "direct")
    assert s.content_spans == spans_of(text, "We will rebuild the bridge by spring.")
    assert text[s.content_start:s.content_end] == "“We will rebuild the bridge by spring.”"


def test_a_quotation_of_several_sentences_is_one_piece() -> None:
    text = "“We trained all winter. We are ready. Nobody can stop us now,” coach Paul Smith said."
    s = only(text)
    assert s.content_spans == spans_of(text, "We trained all winter. We are ready. Nobody can stop us now,")


def test_a_quoted_phrase_inside_a_paraphrase_keeps_its_marks() -> None:
    text = "Senator Maria Ruiz said the bill would \"protect every family in the state\" from rising costs."
    s = only(text)
    assert s.kind == "mixed"
    assert s.content_spans == spans_of(text, 'the bill would "protect every family in the state" from rising costs')


def test_to_dict_gives_the_pieces_as_lists() -> None:
    d = only(SPLIT).to_dict()
    assert d["content_spans"] == [list(p) for p in spans_of(SPLIT, "We know the cause,", "It was the grid.")]
    assert json.loads(json.dumps(d))["content_spans"] == d["content_spans"]


# --- storage --------------------------------------------------------------------------------------

def _record(url: str, body: str) -> ArticleRecord:
    return with_statements(ArticleRecord(
        url=url, title="T", author=None, published_at=T0, language="en", text=body, summary=None,
        source="page", source_reason=None, extracted_at=T0, extractor_version="test", page_attempts=1))


def _store(db: Database, rec: ArticleRecord) -> int:
    with db.transaction() as s:
        feed_id = add_feed(s, "https://a.test/rss")[0].id
        poll = FeedPoll(feed_id=feed_id, checked_at=T0, status="ok", next_check_at=T0 + timedelta(minutes=30),
                        entries=(EntryRecord("g1", rec.url, rec),))
        return store.record_poll(s, poll, merge_article).article_ids[0]


def test_content_spans_round_trip_through_storage(database: Database) -> None:
    rec = _record("https://x.test/a", SPLIT)
    article_id = _store(database, rec)
    pieces = spans_of(SPLIT, "We know the cause,", "It was the grid.")
    assert [s.content_spans for s in rec.statements] == [pieces]
    with database.transaction() as s:
        raw = s.execute(sql("SELECT content_spans, content FROM statements")).one()
        (row,) = list_statements(s, article_id=article_id)
    assert json.loads(raw.content_spans) == [list(p) for p in pieces]  # JSON text, as SQL sees it
    assert raw.content == "We know the cause, It was the grid."
    assert row["content_spans"] == [list(p) for p in pieces] and row["content"] == raw.content


# SPLIT's envelope is 43:92 and its pieces 44:62 and 75:91
@pytest.mark.parametrize("pieces", [
    ((60, 50),),  # reversed
    ((40, 62), (75, 91)),  # starts before the envelope
    ((44, 62), (75, 93)),  # ends after it (and after the text)
    ((44, 80), (75, 91)),  # overlapping
    ((75, 91), (44, 62)),  # out of order
    ((44, 61), (75, 91)),  # in order and in place, but not the content's text
])
def test_pieces_that_do_not_hold_are_refused_with_the_whole_poll(database: Database,
                                                                 pieces: tuple[tuple[int, int], ...]) -> None:
    rec = _record("https://x.test/a", SPLIT)
    wrong = dataclasses.replace(rec.statements[0], content_spans=pieces)
    with pytest.raises(ValueError, match="offsets"):
        _store(database, dataclasses.replace(rec, statements=(wrong,)))
    with database.transaction() as s:
        assert s.execute(sql("SELECT count(*) FROM articles")).scalar_one() == 0


def test_a_row_written_without_pieces_has_its_envelope_as_the_one_piece(database: Database) -> None:
    article_id = _store(database, _record("https://x.test/a", "Nothing said here."))
    with database.transaction() as s:
        s.add(StatementRow(article_id=article_id, speaker="X", speaker_type="unknown", cue=None,
                           content="said", kind="indirect", content_start=8, content_end=12,
                           confidence=0.5, parser_version="test"))
    with database.transaction() as s:
        assert s.execute(sql("SELECT content_spans FROM statements")).scalar_one() == "[[8,12]]"


# --- commands -------------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_parse_and_extract_print_the_pieces(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKER_PROCESSES", "0")
    pieces = [list(p) for p in spans_of(SPLIT, "We know the cause,", "It was the grid.")]
    (tmp_path / "story.txt").write_text(SPLIT, encoding="utf-8")
    code, out = run(capsys, "parse", "story.txt")
    (statement,) = json.loads(out)
    assert code == 0 and statement["content_spans"] == pieces
    assert statement["content"] == "We know the cause, It was the grid."

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": 1, "text": SPLIT}) + "\n"))
    code, out = run(capsys, "parse", "--jsonl")
    assert code == 0 and json.loads(out)["statements"][0]["content_spans"] == pieces

    html = f"<html lang='en'><body><article><h1>Blackout</h1><p>{SPLIT}</p></article></body></html>"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": 1, "url": None, "html": html}) + "\n"))
    code, out = run(capsys, "extract", "--jsonl", "--statements")
    result = json.loads(out)
    (found,) = result["statements"]
    assert code == 0 and found["content"] == "We know the cause, It was the grid."
    assert [result["text"][a:b] for a, b in found["content_spans"]] == ["We know the cause,", "It was the grid."]


def _old_database(db_url: str, body: str) -> None:
    """A database at revision 0004 holding `body` and the statement the previous parser found in it:
    one stretch from the first quotation mark to the last, the attribution inside."""
    engine = make_engine(db_url)
    migrate.upgrade(engine, to="0004")
    articles = sa.table("articles", *[sa.column(c) for c in (
        "url", "title", "text", "source", "content_hash", "extractor_version", "page_attempts",
        "statements_version")],
        *[sa.column(c, UTCDateTime) for c in ("published_at", "extracted_at", "created_at", "updated_at")])
    statements = sa.table("statements", *[sa.column(c) for c in (
        "article_id", "speaker", "speaker_type", "cue", "content", "kind", "content_start", "content_end",
        "speaker_start", "speaker_end", "confidence", "parser_version")])
    start = body.index("“We know")
    with engine.begin() as conn:
        article_id = conn.execute(articles.insert().values(
            url="https://x.test/old", title="Old", text=body, source="page", content_hash="h",
            extractor_version="old", page_attempts=1, statements_version="quotes-1", published_at=T0,
            extracted_at=T0, created_at=T0, updated_at=T0).returning(sa.column("id"))).scalar_one()
        conn.execute(statements.insert().values(
            article_id=article_id, speaker="Rosa Vidal", speaker_type="person", cue="said",
            content=body[start:], kind="direct", content_start=start, content_end=len(body),
            speaker_start=body.index("she"), speaker_end=body.index("she") + 3, confidence=0.9,
            parser_version="quotes-1"))
    engine.dispose()


def _rows(db_url: str) -> list[dict[str, Any]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sql("SELECT * FROM statements ORDER BY id"))]
    engine.dispose()
    return rows


def test_upgrade_keeps_old_rows_whole_and_reparse_splits_them(db_url: str, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _old_database(db_url, SPLIT)
    start = SPLIT.index("“We know")
    assert migrate.upgrade(make_engine(db_url), speaker_rules=article_speakers) == ("0004", migrate.head_revision())
    (old,) = _rows(db_url)
    assert json.loads(old["content_spans"]) == [[start, len(SPLIT)]] and old["content"] == SPLIT[start:]

    monkeypatch.setenv("WORKER_DATABASE_URL", db_url)
    code, out = run(capsys, "reparse", "--json")
    assert code == 0 and (json.loads(out)["articles"], json.loads(out)["parser_version"]) == (1, PARSER_VERSION)
    assert PARSER_VERSION != "quotes-1"
    (new,) = _rows(db_url)
    pieces = [list(p) for p in spans_of(SPLIT, "We know the cause,", "It was the grid.")]
    assert json.loads(new["content_spans"]) == pieces
    assert (new["content"], new["parser_version"]) == ("We know the cause, It was the grid.", PARSER_VERSION)
    assert (new["content_start"], new["content_end"]) == (start, len(SPLIT))

    code, out = run(capsys, "statements", "--json")
    (listed,) = json.loads(out)
    assert code == 0 and listed["content_spans"] == pieces
    code, out = run(capsys, "statements", "--csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert json.loads(row["content_spans"]) == pieces and row["content"] == listed["content"]
