"""`worker db upgrade` and `worker db current`: the database schema's revision, migrated or shown."""

from __future__ import annotations

import argparse

from db.migrate import current_revision, head_revision, upgrade
from worker.cli.arguments import settings_for
from worker.cli.database import open_db
from worker.settings import redact_url
from worker.speakers import article_speakers


def db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    with open_db(settings, check_schema=False) as db:
        before, after = upgrade(db.engine, speaker_rules=article_speakers)
    print(f"database {redact_url(settings.database_url)}: schema {before or 'empty'} -> {after}")
    return 0


def db_current(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    with open_db(settings, reading=True, check_schema=False) as db:
        current = current_revision(db.engine)
    print(f"current: {current or 'none'}  (this worker's newest: {head_revision()})")
    return 0
