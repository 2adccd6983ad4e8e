"""A small local news site for the output, progress and export tests: one feed of old stories
(published in 2019, so `--since 7d` finds none of them the day they are ingested), whose pages
hold statements with commas, quotation marks, line breaks and non-ASCII letters; some pages fail
(404, 500, not HTML) and a second feed is broken, so a run summary has failures to list."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cliharness
import pytest
from cliharness import use_local_site
from server import LocalServer

FILLER = (
    "The valley road was resurfaced over the summer and reopened to traffic in early September.",
    "Shops along the high street have extended their opening hours for the winter season.",
    "The next meeting takes place in the town hall on the first Monday of the month, at seven.",
)
# (slug, title, statement paragraph, day of March 2019); None: the page fails
STORIES = (
    ("sefcovic", 'Šefčovič: "no deal, no vote"',
     "“We will not sign, not today, not tomorrow,” Maroš Šefčovič said.", 1),
    ("mueller", "Müller on rates, taxes and the budget",
     "“Rates will stay low, and taxes will fall,” Anna Müller said.", 2),
    ("jane", "Jane Doe is confident", "“We will win,” Jane Doe said.", 3),
    ("gone", "A page that is gone", "“Nothing here,” Nobody Known said.", 4),
    ("broken", "A page whose server fails", "“Try later,” Somebody Else said.", 5),
    ("plain", "A page that is not HTML", "“Plain text,” Text Person said.", 6),
)
FAILING = {"gone": 404, "broken": 500, "plain": 200}


def page(title: str, statement: str) -> str:
    paragraphs = (FILLER[0], statement, FILLER[1], FILLER[2])
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def feed_xml(server: LocalServer) -> str:
    items = "".join(
        f"<item><guid isPermaLink=\"false\">{slug}</guid><title>{_xml(title)}</title>"
        f"<link>{server.url('/news/' + slug)}</link>"
        f"<pubDate>{day:02d} Mar 2019 09:00:00 GMT</pubDate>"
        f"<description>{_xml(statement)} {FILLER[0]}</description></item>"
        for slug, title, statement, day in STORIES
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valley Post, "Daily"'
            f"</title><link>{server.url('/')}</link><description>News</description>{items}</channel></rss>")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def serve_site(server: LocalServer) -> tuple[str, str]:
    """Serve the site; returns the URLs of its good feed and of a broken one (HTTP 500)."""
    server.add("/rss.xml", feed_xml(server), headers={"Content-Type": "application/rss+xml"})
    server.add("/broken.xml", "down", status=503)
    for slug, title, statement, _ in STORIES:
        if slug == "plain":
            server.add("/news/plain", statement, headers={"Content-Type": "text/plain"})
        elif slug in FAILING:
            server.add(f"/news/{slug}", "no", status=FAILING[slug])
        else:
            server.add(f"/news/{slug}", page(title, statement),
                       headers={"Content-Type": "text/html; charset=utf-8"})
    return server.url("/rss.xml"), server.url("/broken.xml")


Run = Callable[..., tuple[int, str, str]]


def site_cli(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> Run:
    """`worker ARGS` -> (exit code, stdout, stderr), with WORKER_* for the site and the database
    and a fresh working directory."""
    use_local_site(monkeypatch, db_url, workdir=tmp_path, clean=True)
    capsys.readouterr()
    return lambda *args: cliharness.run(capsys, *args)


def ingest_site(run: Run, server: LocalServer, *extra: str) -> dict[str, object]:
    good, broken = serve_site(server)
    code, out, err = run("ingest", "--feed", good, "--feed", broken, "--json", *extra)
    assert code == 0, err
    summary: dict[str, object] = json.loads(out)
    return summary
