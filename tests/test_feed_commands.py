"""Managing feeds through the CLI, on SQLite and PostgreSQL: enable, disable, remove and edit by id
or URL, several at once; what `feeds add` changes on a feed already present; categories from OPML
to `--category` filters and back to OPML; autodiscovery against the local server; `worker status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cliharness import query, run, use_local_site
from server import LocalServer

from worker.parse.discover import feed_links, looks_like_feed

RSS = "application/rss+xml"
HTML = "text/html; charset=utf-8"


def feed_xml(server: LocalServer, name: str, *, items: int = 1, title: str | None = None,
             page: bool = False) -> str:
    """An RSS feed whose items carry their text; with ``page`` their links point at /p/NAME/I."""
    body = "".join(
        f"<item><guid isPermaLink='false'>{name}-{i}</guid><title>{name} story {i}</title>"
        + (f"<link>{server.url(f'/p/{name}/{i}')}</link>" if page else "")
        + f"<pubDate>Sun, 01 Mar 2026 0{i}:00:00 GMT</pubDate>"
        f"<description>The {name} story number {i} is told here at some length.</description></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title or name.title() + ' Daily'}</title><link>{server.url('/')}</link>"
            f"<description>d</description>{body}</channel></rss>")


def serve_feed(server: LocalServer, name: str, **kw: Any) -> str:
    server.add(f"/{name}.xml", feed_xml(server, name, **kw), headers={"Content-Type": RSS})
    return server.url(f"/{name}.xml")


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Any:
    """`cli("feeds", "list")` -> (exit code, stdout, stderr), on a fresh database of either kind."""
    use_local_site(monkeypatch, db_url, workdir=tmp_path, clean=True)
    capsys.readouterr()
    return lambda *args: run(capsys, *args)


def listed(cli: Any, *args: str) -> dict[str, dict[str, Any]]:
    code, out, err = cli("feeds", "list", "--json", *args)
    assert code == 0, err
    return {row["url"]: row for row in json.loads(out)}


# --- enable, disable, remove, edit --------------------------------------------------------------

def test_enable_disable_remove_several_by_id_or_url(cli: Any, http_server: LocalServer) -> None:
    urls = [serve_feed(http_server, name) for name in ("a", "b", "c")]
    for url in urls:
        assert cli("feeds", "add", url)[0] == 0
    ids = {url: row["id"] for url, row in listed(cli).items()}
    a, b, c = urls

    code, out, err = cli("feeds", "disable", str(ids[a]), b, "999", "https://nowhere.example/rss", b)
    assert code == 2
    assert out.splitlines() == [f"disabled: {a}", f"disabled: {b}"]  # b named twice, done once
    assert err.strip() == "worker: no such feed: 999, https://nowhere.example/rss (the other 2 disabled)"
    rows = listed(cli)
    assert [rows[u]["enabled"] for u in urls] == [False, False, True]
    assert rows[a]["disabled_reason"] == "disabled by hand (worker feeds disable)"

    code, out, _ = cli("ingest", "--json")  # only the enabled feed is polled
    assert code == 0 and [f["url"] for f in json.loads(out)["feeds"]] == [c]
    assert (http_server.hits("/a.xml"), http_server.hits("/b.xml"), http_server.hits("/c.xml")) == (1, 1, 2)

    code, out, _ = cli("feeds", "disable", a)
    assert code == 0 and out.strip() == f"already disabled: {a}"
    code, out, _ = cli("feeds", "enable", a, str(ids[c]))
    assert code == 0 and out.splitlines() == [f"enabled: {a} (due now)", f"already enabled: {c}"]
    rows = listed(cli)
    assert rows[a]["enabled"] is True and rows[a]["disabled_reason"] is None and rows[a]["next_check_at"] is None

    code, out, err = cli("feeds", "remove", str(ids[a]), c, "nope.xml")
    assert code == 2 and out.splitlines() == [f"removed: {a}", f"removed: {c}"]
    assert err.strip() == "worker: no such feed: nope.xml (the other 2 removed)"
    assert list(listed(cli)) == [b]
    code, out, err = cli("feeds", "remove", a)
    assert code == 2 and out == "" and err.strip() == f"worker: no such feed: {a}"
    code, _, err = cli("feeds", "enable")
    assert code == 2 and "ID_OR_URL" in err


def test_add_again_says_what_changed_and_edit(cli: Any, http_server: LocalServer) -> None:
    url = serve_feed(http_server, "a", title="Valley Post")
    code, out, _ = cli("feeds", "add", url, "--title", "Mine", "--interval", "15m", "--category", "/News/")
    assert code == 0 and out.strip() == f"added: {url}"
    code, out, _ = cli("feeds", "add", url)
    assert out.strip() == f"already present: {url} (nothing changed)"
    code, out, _ = cli("feeds", "add", url, "--title", "Mine", "--category", "news")
    assert out.strip() == f"already present: {url} (category 'News' -> 'news')"
    code, out, _ = cli("feeds", "add", url, "--title", "Ours", "--interval", "2h", "--category", "World/Europe")
    assert out.strip() == (f"already present: {url} (title 'Mine' -> 'Ours', interval 15m -> 2h, "
                           "category 'news' -> 'World/Europe')")
    assert http_server.hits("/a.xml") == 1  # a feed already present is not fetched again

    row = listed(cli)[url]
    code, out, _ = cli("feeds", "edit", str(row["id"]), "--interval", "default", "--category", "")
    assert code == 0 and out.strip() == f"edited: {url} (interval 2h -> adaptive, category 'World/Europe' -> none)"
    code, out, _ = cli("feeds", "edit", url, "--title", "Ours")
    assert out.strip() == f"edited: {url} (nothing changed)"
    code, _, err = cli("feeds", "edit", url)
    assert code == 2 and "--title, --interval or --category" in err
    code, _, err = cli("feeds", "edit", "42", "--title", "x")
    assert code == 2 and err.strip() == "worker: no such feed: 42"
    code, _, err = cli("feeds", "edit", url, "--interval", "10s")
    assert code == 2 and "at least 1m" in err

    # a title given by hand survives polls; a feed without one takes the feed's own
    other = serve_feed(http_server, "b", title="Hill Times")
    cli("feeds", "add", other)
    assert cli("ingest")[0] == 0
    rows = listed(cli)
    assert (rows[url]["title"], rows[other]["title"]) == ("Ours", "Hill Times")
    assert rows[url]["interval_seconds"] is None and rows[url]["category"] is None
    code, out, _ = cli("feeds", "edit", url, "--title", "")
    assert out.strip() == f"edited: {url} (title 'Ours' -> none)"
    cli("ingest")
    assert listed(cli)[url]["title"] == "Valley Post"


# --- categories ---------------------------------------------------------------------------------

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline text="Europe">
      <outline type="rss" text="Euro" xmlUrl="{euro}"/>
    </outline>
    <outline type="rss" text="Globe" xmlUrl="{globe}"/>
  </outline>
  <outline type="rss" text="Tech" xmlUrl="{tech}" category="/Tech/Gadgets,Science"/>
  <outline type="rss" text="Loose" xmlUrl="{loose}"/>
</body></opml>
"""


def test_categories_from_opml_filter_and_export(cli: Any, http_server: LocalServer, tmp_path: Path,
                                                db_url: str) -> None:
    urls = {name: serve_feed(http_server, name, items=2) for name in ("euro", "globe", "tech", "loose")}
    (tmp_path / "mine.opml").write_text(OPML.format(**urls), encoding="utf-8")
    code, out, _ = cli("feeds", "import", "mine.opml")
    assert code == 0 and out.strip() == "imported 4 feeds (4 new) from mine.opml, in 3 categories"
    rows = listed(cli)
    assert {rows[u]["category"] for u in urls.values()} == {"World/Europe", "World", "Tech/Gadgets", None}

    # a category takes its subfolders, in any case; a deeper path only itself
    assert set(listed(cli, "--category", "world")) == {urls["euro"], urls["globe"]}
    assert set(listed(cli, "--category", "/World/Europe/")) == {urls["euro"]}
    assert set(listed(cli, "--category", "Wor")) == set()
    code, out, _ = cli("feeds", "list", "--category", "tech")
    assert code == 0 and "Tech/Gadgets" in out and "category" in out.splitlines()[0]

    cli("feeds", "disable", urls["globe"])
    code, out, _ = cli("ingest", "--category", "World", "--json")
    assert code == 0 and [f["url"] for f in json.loads(out)["feeds"]] == [urls["euro"]]  # enabled ones only
    assert http_server.hits("/euro.xml") == 1 and http_server.hits("/tech.xml") == 0
    code, _, err = cli("ingest", "--category", "Nope")
    assert code == 2 and "no feeds in category 'Nope'" in err
    code, _, err = cli("ingest", "--category", "World", "--feed", urls["tech"])
    assert code == 2 and "not both" in err
    code, _, err = cli("ingest", "--category", " / ")
    assert code == 2 and "category name" in err
    cli("ingest")
    code, out, _ = cli("articles", "--category", "world", "--json")
    assert code == 0 and sorted(a["title"] for a in json.loads(out)) == ["euro story 0", "euro story 1"]
    code, out, _ = cli("articles", "--category", "Tech", "--json")
    assert sorted(a["title"] for a in json.loads(out)) == ["tech story 0", "tech story 1"]

    # the export nests the categories; imported elsewhere, every feed lands in its folder again
    code, exported, _ = cli("feeds", "export")
    assert code == 0 and exported.count('<outline text="World"') == 1
    assert exported.index('text="Europe"') < exported.index(urls["euro"])
    (tmp_path / "out.opml").write_text(exported, encoding="utf-8")
    query(db_url, "DELETE FROM feeds")
    code, out, _ = cli("feeds", "import", "out.opml")
    assert out.strip() == "imported 4 feeds (4 new) from out.opml, in 3 categories"
    again = listed(cli)
    assert {u: again[u]["category"] for u in urls.values()} == {u: rows[u]["category"] for u in urls.values()}
    # an import fills a missing category but never overwrites one
    cli("feeds", "edit", urls["loose"], "--category", "Mine")
    cli("feeds", "edit", urls["euro"], "--category", "")
    cli("feeds", "import", "mine.opml")
    again = listed(cli)
    assert (again[urls["loose"]]["category"], again[urls["euro"]]["category"]) == ("Mine", "World/Europe")


# --- autodiscovery ------------------------------------------------------------------------------

def page_with(*links: str, base: str | None = None) -> str:
    head = "".join(links) + (f'<base href="{base}">' if base else "")
    return f"<!DOCTYPE html><html><head><title>Site</title>{head}</head><body><p>Hello</p></body></html>"


def test_autodiscovery_follows_the_pages_feed_links(cli: Any, http_server: LocalServer) -> None:
    rss = serve_feed(http_server, "news")
    atom = http_server.url("/atom.xml")
    http_server.add("/atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title></feed>',
                    headers={"Content-Type": "application/atom+xml"})
    http_server.add("/", page_with(
        '<link rel="stylesheet" href="/style.css">',
        '<link rel="alternate" type="text/html" href="/en/">',
        '<link rel="alternate" type="application/rss+xml" title="All news" href="news.xml?utm_source=x">',
        '<link rel="Alternate" type="application/atom+xml" href="/atom.xml">',
        '<link rel="alternate" type="application/rss+xml" href="/news.xml">',  # the same feed again
    ), headers={"Content-Type": HTML})

    code, out, err = cli("feeds", "add", http_server.url("/"), "--category", "Local")
    assert code == 0, err
    assert out.splitlines() == [f"page: {http_server.url('/')} names 2 feed(s)", f"added: {rss}",
                                f"not added: {atom} (--all adds every feed the page names)"]
    assert set(listed(cli)) == {rss}
    code, out, _ = cli("feeds", "add", http_server.url("/"), "--all")
    assert code == 0 and out.splitlines()[1:] == [f"already present: {rss} (nothing changed)", f"added: {atom}"]
    rows = listed(cli)
    assert set(rows) == {rss, atom} and rows[rss]["category"] == "Local" and rows[atom]["category"] is None

    # relative to <base href>, and on a page reached through a redirect, relative to where it ended
    http_server.add("/blog/", page_with('<link rel="alternate feed" type="application/rss+xml" href="feed">',
                                        base="/b/"), headers={"Content-Type": HTML})
    serve_feed(http_server, "b/feed")
    http_server.add("/old", "", status=301, headers={"Location": "/blog/"})
    code, out, _ = cli("feeds", "add", http_server.url("/old"))
    assert code == 0 and out.splitlines()[-1] == f"added: {http_server.url('/b/feed')}"

    # a page naming no feed fails with one line and adds nothing
    http_server.add("/plain", page_with('<link rel="alternate" type="text/html" href="/x">'),
                    headers={"Content-Type": HTML})
    code, out, err = cli("feeds", "add", http_server.url("/plain"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "is an HTML page naming no feed" in err and "rss+xml" in err
    assert http_server.url("/plain") not in listed(cli)
    code, _, err = cli("feeds", "add", http_server.url("/"), "--all", "--title", "x")
    assert code == 2 and "--title" in err


def test_add_checks_a_feed_and_keeps_what_it_cannot_check(cli: Any, http_server: LocalServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a feed served as text/html is still a feed
    http_server.add("/mislabelled", feed_xml(http_server, "m"), headers={"Content-Type": "text/html"})
    code, out, err = cli("feeds", "add", http_server.url("/mislabelled"))
    assert (code, out.strip(), err) == (0, f"added: {http_server.url('/mislabelled')}", "")
    # what cannot be fetched now is added as given, with a note saying why
    code, out, err = cli("feeds", "add", http_server.url("/gone.xml"))
    assert code == 0 and out.strip() == f"added: {http_server.url('/gone.xml')}"
    assert err.startswith(f"worker: note: {http_server.url('/gone.xml')}: not checked: ") and "404" in err
    http_server.add("/data.json", "{}", headers={"Content-Type": "application/json"})
    code, out, err = cli("feeds", "add", http_server.url("/data.json"))
    assert code == 0 and "does not look like a feed (application/json)" in err
    # --no-check stores it without a request
    before = len(http_server.requests)
    code, out, _ = cli("feeds", "add", http_server.url("/later.xml"), "--no-check")
    assert code == 0 and len(http_server.requests) == before
    # the fetcher's address policy holds: without the loopback allowance nothing is fetched
    monkeypatch.delenv("WORKER_ALLOWED_NETWORKS")
    http_server.add("/page", page_with(), headers={"Content-Type": HTML})
    code, out, err = cli("feeds", "add", http_server.url("/page"))
    assert code == 0 and "not checked" in err and len(http_server.requests) == before
    assert len(listed(cli)) == 5


# --- status -------------------------------------------------------------------------------------

ARTICLE = ("<!DOCTYPE html><html lang='en'><head><title>{t}</title></head><body><article><h1>{t}</h1>"
           + "<p>The council met on Tuesday and agreed the budget for the coming year after a long debate.</p>"
           * 4 + "</article></body></html>")


def test_status_per_feed_and_totals(cli: Any, http_server: LocalServer, db_url: str) -> None:
    busy = serve_feed(http_server, "busy", items=3, page=True)
    quiet = serve_feed(http_server, "quiet")
    idle = serve_feed(http_server, "idle")
    http_server.add("/p/busy/0", ARTICLE.format(t="busy story 0"), headers={"Content-Type": HTML})
    http_server.add("/p/busy/1", "gone", status=404)  # failed for good: the feed's text is kept
    http_server.add("/p/busy/2", "later", status=503)  # queued for a retry
    for url in (busy, quiet, idle):
        cli("feeds", "add", url, "--no-check")
    cli("feeds", "disable", idle)
    assert cli("ingest")[0] == 0

    code, out, _ = cli("status", "--json")
    assert code == 0
    status = json.loads(out)
    rows = {row["url"]: row for row in status["feeds"]}
    assert {"last_checked_at", "last_status", "error_count", "next_check_at", "next_check_reason",
            "disabled_reason", "enabled"} <= set(rows[busy])  # what status showed before stays
    got = {u: (r["articles"], r["pages_queued"], r["pages_failed"]) for u, r in rows.items()}
    assert got == {busy: (3, 1, 1), quiet: (1, 0, 0), idle: (0, 0, 0)}
    first_seen = query(db_url, "SELECT max(first_seen_at) AS m FROM feed_entries e JOIN feeds f "
                               "ON f.id = e.feed_id WHERE f.url = :u", u=busy)[0]["m"]
    assert rows[busy]["last_new_article_at"][:19] == str(first_seen).replace(" ", "T")[:19]
    assert rows[idle]["last_new_article_at"] is None
    assert status["totals"] == {"feeds": 3, "feeds_enabled": 2, "feeds_failing": 0, "articles": 4,
                                "pages_queued": 1, "pages_failed": 1}

    code, out, _ = cli("status")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[-4:] == ["articles", "last", "new", "queued", "failed"][-4:]
    assert lines[-1] == "total: 3 feeds (2 enabled, 0 failing), 4 articles, pages 1 queued, 1 failed"
    busy_line = next(line for line in lines if busy in line)
    assert busy_line.split()[-2:] == ["1", "1"]


# --- the pieces of autodiscovery, without a server ------------------------------------------------

@pytest.mark.parametrize(("body", "feed"), [
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi --><?xml-stylesheet href="s.xsl"?><rss version="2.0">', True),
    ('\ufeff<feed xmlns="http://www.w3.org/2005/Atom">'.encode("utf-16-le"), True),
    (b'<!DOCTYPE rss PUBLIC "x" "y"><rss>', True),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
    (b"<!DOCTYPE html><html><head><link rel=alternate type=application/rss+xml href=/f></head>", False),
    (b"<feedback>no</feedback>", False),
    (b"", False),
])
def test_looks_like_feed(body: bytes, feed: bool) -> None:
    assert looks_like_feed(body) is feed


def test_feed_links_resolve_and_filter() -> None:
    html = page_with(
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        '<link rel="alternate" type="application/rdf+xml" href="//cdn.example/rdf">',
        '<link rel="alternate" type="APPLICATION/ATOM+XML; charset=utf-8" href="../atom?fbclid=1">',
        '<link rel="feed" type="application/rss+xml" href="/not-alternate">',
        '<link type="application/rss+xml" href="/no-rel">',
    )
    assert [(link.url, link.type) for link in feed_links(html, "https://site.example/a/b/")] == [
        ("https://cdn.example/rdf", "application/rdf+xml"),
        ("https://site.example/a/atom", "application/atom+xml"),
    ]
    assert feed_links("", "https://site.example/") == [] and feed_links(" \n", "https://site.example/") == []
