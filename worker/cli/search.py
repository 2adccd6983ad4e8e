"""`worker search` and `worker db reindex`: full-text search from the command line.

What the user types is read here into a `SearchQuery` (db/search.py), never handed to the database
as query syntax: words (all of them must occur), "quoted phrases", `OR` between two of them,
`-word` or `NOT word` to exclude, `word*` for a prefix. Anything else is text: an unbalanced quote
runs to the end, stray operators and punctuation are ignored, so no query is a syntax error.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from typing import Any

from db.search import (
    ARTICLE_HIT_COLUMNS,
    STATEMENT_HIT_COLUMNS,
    Clause,
    SearchQuery,
    Term,
    rebuild_search_index,
    search_articles,
    search_statements,
)
from worker.cli.arguments import UsageError, feed_url, settings_for, speaker_filter
from worker.cli.database import open_db
from worker.output import to_json
from worker.settings import redact_url

MAX_TERMS = 32  # words and phrases in one query
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_KEYWORDS = ("OR", "AND", "NOT")


def _clean(text: str) -> str:
    """Control, format and unpaired surrogate characters (undecodable bytes of argv) are spaces."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _term(phrase: str | None, word: str | None) -> Term | None:
    """None for a term with no letter or digit in it (punctuation, operators of other syntaxes)."""
    if phrase is not None:
        text, prefix = phrase, False
    else:
        assert word is not None
        text = word.rstrip("*")
        prefix = word.endswith("*") and text.isalnum()
    if not any(ch.isalnum() for ch in text):
        return None
    return Term(" ".join(text.split()), prefix)


def parse_query(text: str) -> SearchQuery:
    """The query the user typed; UsageError when it has nothing to find or too much."""
    clauses: list[Clause] = []
    join_next = negate_next = False
    for match in _TOKEN.finditer(_clean(text)):
        minus, phrase, word = match.groups()
        if phrase is None and not minus and word in _KEYWORDS:
            if word == "OR":
                join_next = bool(clauses) and not clauses[-1].excluded
            negate_next = word == "NOT"
            continue
        term = _term(phrase, word)
        excluded, negate_next = bool(minus) or negate_next, False
        if term is not None and join_next and not excluded:
            clauses[-1] = Clause((*clauses[-1].terms, term))
        elif term is not None:
            clauses.append(Clause((term,), excluded))
        join_next = False
    if sum(len(c.terms) for c in clauses) > MAX_TERMS:
        raise UsageError(f"a search takes at most {MAX_TERMS} words and phrases")
    try:
        return SearchQuery(tuple(clauses))
    except ValueError:
        raise UsageError(
            'nothing to search for: give a word or a "phrase" to find (excluded -words alone match nothing)'
        ) from None


# --- search -------------------------------------------------------------------------------------


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else "undated"


def _print_hits(rows: list[dict[str, Any]], statements: bool) -> None:
    if not rows:
        print("no matches")
        return
    for row in rows:
        if statements:
            print(
                f"{row['rank']}. {row['speaker']} ({row['kind']}), {_date(row['published_at'])}: "
                f"{row['title'] or '(untitled)'}"
            )
        else:
            print(f"{row['rank']}. {_date(row['published_at'])}  {row['title'] or '(untitled)'}")
        print(f"   {row['snippet']}")
        print(f"   {row['url']}  (article {row['article_id'] if statements else row['id']})")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _write(rows: list[dict[str, Any]], args: argparse.Namespace, statements: bool) -> None:
    if args.json:
        print(to_json(rows))
    elif args.jsonl:
        for row in rows:
            print(to_json(row, indent=None))
    elif args.csv:
        columns = STATEMENT_HIT_COLUMNS if statements else ARTICLE_HIT_COLUMNS
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_value(row[c]) for c in columns] for row in rows)
    else:
        _print_hits(rows, statements)


def search(args: argparse.Namespace) -> int:
    query = parse_query(args.query)
    speaker = speaker_filter(_clean(args.speaker)) if args.speaker is not None else None
    feed = feed_url(_clean(args.feed)) if args.feed else None
    settings = settings_for(args)
    limit = args.limit if args.limit is not None else settings.search_limit
    statements = args.statements or speaker is not None
    with open_db(settings, reading=True) as db, db.read() as session:
        if statements:
            rows = search_statements(session, query, speaker=speaker, since=args.since, feed_url=feed,
                                     limit=limit)
        else:
            rows = search_articles(session, query, since=args.since, feed_url=feed, limit=limit)
    for row in rows:
        row["feed"] = redact_url(row["feed"]) if row["feed"] else None
        row["snippet"] = " ".join(row["snippet"].split())
    _write(rows, args, statements)
    return 0


# --- db reindex ---------------------------------------------------------------------------------


def reindex(args: argparse.Namespace) -> int:
    with open_db(settings_for(args)) as db, db.transaction() as session:
        report = rebuild_search_index(session)
    print(
        f"search index rebuilt: {report.articles} articles, {report.statements} statements "
        f"({report.database})"
    )
    if not report.speaker_index:
        print(
            "no speaker index: the pg_trgm extension cannot be installed here, so speaker filters "
            "read every statement; install it (CREATE EXTENSION pg_trgm) and run this again"
        )
    return 0
