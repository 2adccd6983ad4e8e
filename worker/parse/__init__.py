"""Pure parsing: feed bytes, OPML and URLs in, plain values out.  No network, no database.

- ``urls``: ``normalize_url`` / ``is_http_url`` (canonical links, tracking parameters dropped),
  ``is_file_url`` (the one "is this a local file URL?" check)
- ``text``: ``html_to_text`` (feed HTML -> paragraphs of plain text)
- ``feed``: ``parse_feed`` -> ``ParsedFeed`` of ``ParsedEntry`` (identity, links, dates)
- ``xmlguard``: the entity-expansion check ``parse_feed`` runs before feedparser
- ``opml``: ``parse_opml`` / ``render_opml`` for subscription lists
"""

from worker.parse.feed import FeedParseError, ParsedEntry, ParsedFeed, parse_feed
from worker.parse.opml import OpmlFeed, parse_opml, render_opml
from worker.parse.text import html_to_text
from worker.parse.urls import is_http_url, normalize_url

__all__ = [
    "FeedParseError",
    "OpmlFeed",
    "ParsedEntry",
    "ParsedFeed",
    "html_to_text",
    "is_http_url",
    "normalize_url",
    "parse_feed",
    "parse_opml",
    "render_opml",
]
