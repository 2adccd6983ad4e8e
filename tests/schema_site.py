"""A small ingested database for the schema examples (docs/schema.md) and the Datasette canned
queries (config/datasette.yml): two feeds in categories sharing a story, quotes by named speakers,
an article whose page is gone (stored from the feed's text) and a feed that fails. Also the reader
of the examples in docs/schema.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from cliharness import use_local_site
from server import LocalServer

from worker.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DOC = ROOT / "docs" / "schema.md"
DATASETTE_YML = ROOT / "config" / "datasette.yml"

FILLER = (
    "Shops along the high street have extended their opening hours for the winter season.",
    "The next meeting takes place in the town hall on the first Monday of the month, at seven.",
    "Residents were invited to comment on the plans at the library until the end of October.",
)
STORIES = {
    "/news/bridge": (
        "Harbour bridge reopens three weeks early",
        "The swing bridge over the inner harbour reopened on Monday. Engineers replaced the bridge deck.",
        "“The bridge will carry buses again from Tuesday,” Jane Doe said.",
        *FILLER,
    ),
    "/news/budget": (
        "Council approves the budget",
        "The city council approved next year's budget by 31 votes to 14 after a four-hour debate.",
        "“Taxes will fall for most households,” John Smith said.",
        "“The bridge repairs are paid for,” Jane Doe said.",
        *FILLER,
    ),
    "/news/festival": (
        "Wine festival draws a record crowd",
        "More than forty thousand visitors came to the wine festival in the old town this weekend.",
        "“The festival will grow again next year,” Maria Pop said.",
        *FILLER,
    ),
}
GONE = "/news/gone"  # listed with a summary; its page answers 404


def _page(title: str, *paragraphs: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article><footer>Valley Post</footer></body></html>"
    )


def _rss(server: LocalServer, title: str, paths: list[str]) -> str:
    now = datetime.now(UTC)
    items = []
    for days, path in enumerate(paths, start=1):
        name = STORIES[path][0] if path in STORIES else "Ferry timetable changes"
        summary = (
            "<description>The ferry to the islands leaves half an hour earlier from Monday, the operator "
            "said in a statement on its website.</description>"
            if path == GONE
            else ""
        )
        items.append(
            f"<item><guid>{server.url(path)}</guid><title>{name}</title><link>{server.url(path)}</link>"
            f"<pubDate>{format_datetime(now - timedelta(days=days))}</pubDate>{summary}</item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{server.url('/')}</link><description>News</description>{''.join(items)}</channel></rss>"
    )


def build_news(server: LocalServer, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest the site into the database at db_url through the CLI."""
    use_local_site(monkeypatch, db_url)
    for path, story in STORIES.items():
        server.add(path, _page(*story), headers={"Content-Type": "text/html; charset=utf-8"})
    server.add(GONE, "not here", status=404)
    rss = {"Content-Type": "application/rss+xml"}
    server.add(
        "/local.xml", _rss(server, "Valley Post: Local", ["/news/bridge", "/news/budget", GONE]), headers=rss
    )
    server.add(
        "/culture.xml", _rss(server, "Valley Post: Culture", ["/news/festival", "/news/bridge"]), headers=rss
    )
    server.add("/broken.xml", "gone", status=404)
    assert main(["feeds", "add", server.url("/local.xml"), "--category", "News/Local"]) == 0
    assert main(["feeds", "add", server.url("/culture.xml"), "--category", "Culture"]) == 0
    assert main(["feeds", "add", server.url("/broken.xml"), "--no-check"]) == 0
    assert main(["ingest", "-q"]) == 0


@dataclass(frozen=True)
class Example:
    title: str
    sql: dict[str, str]  # dialect ("sqlite", "postgresql") -> the query as written, title line included

    def query(self, dialect: str) -> str:
        return self.sql[dialect]


_BLOCK = re.compile(r"^```sql(?: (sqlite|postgresql))?\n(.*?)^```$", re.M | re.S)


def doc_examples() -> list[Example]:
    """The examples under "## Example queries" in docs/schema.md: a ```sql block runs on both
    databases; a ```sql sqlite block followed by a ```sql postgresql one is one example in two
    variants. The first line of each block is `-- title`."""
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    section = doc.split("\n## Example queries\n", 1)[1].split("\n## ", 1)[0]
    examples: list[Example] = []
    pending: tuple[str, str] | None = None
    for dialect, body in _BLOCK.findall(section):
        first = body.splitlines()[0]
        assert first.startswith("-- "), f"an example starts with `-- title`: {first!r}"
        title = first[3:].strip()
        if dialect == "":
            assert pending is None, f"a ```sql sqlite block without its postgresql variant: {pending}"
            examples.append(Example(title, {"sqlite": body, "postgresql": body}))
        elif dialect == "sqlite":
            assert pending is None
            pending = (title, body)
        else:
            assert pending is not None and pending[0] == title, f"postgresql variant without sqlite: {title}"
            examples.append(Example(title, {"sqlite": pending[1], "postgresql": body}))
            pending = None
    assert pending is None
    return examples
