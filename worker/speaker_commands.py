"""`worker speakers`: who is quoted most (speakers across articles, see worker/speakers)."""

from __future__ import annotations

import argparse

from db.records import SpeakerQuery
from db.speakers import top_speakers
from worker.commands import UsageError, _open, _settings
from worker.output import table, to_json
from worker.speakers import speaker_query

ALIASES_SHOWN = 4  # other names listed per speaker in the table (--json has them all)


def query_for(name: str | None) -> SpeakerQuery | None:
    """`--speaker NAME` as a lookup; a NAME with no word in it is a usage error."""
    if name is None:
        return None
    query = speaker_query(name)
    if query is None:
        raise UsageError(f"--speaker needs a name, got {name!r}")
    return query


def _aliases(names: list[str]) -> str:
    shown = ", ".join(names[:ALIASES_SHOWN])
    return shown + (f" (+{len(names) - ALIASES_SHOWN})" if len(names) > ALIASES_SHOWN else "")


def speakers(args: argparse.Namespace) -> int:
    settings = _settings(args)
    limit = args.top if args.top is not None else settings.speakers_top
    db = _open(settings, reading=True)
    try:
        with db.read() as session:
            rows = top_speakers(session, since=args.since, limit=limit)
    finally:
        db.close()
    if args.json:
        print(to_json(rows))
        return 0
    table([(r["statements"], r["articles"], r["name"], r["type"], _aliases(r["aliases"])) for r in rows],
          ["statements", "articles", "speaker", "type", "also"])
    return 0
