"""`worker speakers`: who is quoted most (speakers across articles, see worker/speakers)."""

from __future__ import annotations

import argparse

from db.speakers import top_speakers
from worker.cli.arguments import settings_for
from worker.cli.database import open_db
from worker.output import table, to_json

ALIASES_SHOWN = 4  # other names listed per speaker in the table (--json has them all)


def _aliases(names: list[str]) -> str:
    shown = ", ".join(names[:ALIASES_SHOWN])
    return shown + (f" (+{len(names) - ALIASES_SHOWN})" if len(names) > ALIASES_SHOWN else "")


def speakers(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    limit = args.top if args.top is not None else settings.speakers_top
    with open_db(settings, reading=True) as db, db.read() as session:
        rows = top_speakers(session, since=args.since, limit=limit)
    if args.json:
        print(to_json(rows))
        return 0
    table([(r["statements"], r["articles"], r["name"], r["type"], _aliases(r["aliases"])) for r in rows],
          ["statements", "articles", "speaker", "type", "also"])
    return 0
