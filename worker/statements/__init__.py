"""Statements: who said what in an article's text.

``parse_statements(text)`` is a pure function of the text (no I/O, no model downloads); the
offsets it returns index into that same string: ``s.content`` is ``" ".join(text[a:b] for a, b in
s.content_spans)``, each piece inside ``text[s.content_start:s.content_end]``.
"""

from worker.statements.model import KINDS, PARSER_VERSION, SPEAKER_TYPES, Statement
from worker.statements.parser import parse_statements

__all__ = ["KINDS", "PARSER_VERSION", "SPEAKER_TYPES", "Statement", "parse_statements"]
