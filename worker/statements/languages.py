"""The languages the statement parser reads: those it has a cue lexicon for (lexicon.py).

Text in any other language gets no statements: its quotation marks would be found, but without
cue words only colon patterns are left, and those are labels ("Länge: 3:28:15"), not statements.
Adding a language is adding its lexicon and its code here.
"""

from __future__ import annotations

from worker.statements.model import Statement
from worker.statements.parser import parse_statements

LANGUAGES = frozenset({"en"})


def parses(language: str | None) -> bool:
    """Whether text in ``language`` (ISO 639-1; None when unknown) is parsed for statements. Text
    whose language could not be told is tried: the parser finds nothing without its cue words."""
    return language is None or language.lower() in LANGUAGES


def statements_in(text: str, language: str | None) -> list[Statement]:
    """parse_statements(text), or none when the parser does not read ``language``."""
    return parse_statements(text) if parses(language) else []
