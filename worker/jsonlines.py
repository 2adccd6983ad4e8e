"""Reading JSON Lines input one object at a time, for the `--jsonl` commands."""

from __future__ import annotations

import json
from typing import Any


def json_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object on this line, or (None, why it is not one)."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"
    if not isinstance(record, dict):
        return None, "expected a JSON object"
    return record, None
