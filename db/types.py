"""Column types shared by the models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in Python; ``timestamptz`` on PostgreSQL, naive UTC on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Spans(TypeDecorator[list[list[int]]]):
    """Character spans ``[[start, end], ...]`` stored as JSON text (``text`` on both databases, so
    SQL reads it as it is and PostgreSQL can cast it: ``content_spans::jsonb``); lists in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Sequence[Sequence[int]] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        spans = [list(span) for span in value]
        if not all(len(span) == 2 and all(type(x) is int for x in span) for span in spans):
            raise ValueError(f"spans must be [start, end] pairs of integers, not {value!r}")
        return json.dumps(spans, separators=(",", ":"))

    def process_result_value(self, value: Any, dialect: Dialect) -> list[list[int]] | None:
        return None if value is None else [list(span) for span in json.loads(value)]


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond (what both databases store)."""
    return datetime.now(UTC)
