"""Imported once by the worker processes' forkserver (worker/pool.py), so that every worker it
forks starts with the task modules imported and the language model loaded, instead of paying for
both (about a second) on its first task and again after every recycling."""

from __future__ import annotations

import worker.extract.jsonl
import worker.parse.feed
import worker.pipeline.article  # noqa: F401  (pages: trafilatura, statements)
from worker.extract.language import detect_language

detect_language("Loading the language model once, before any worker is forked from this process.")
