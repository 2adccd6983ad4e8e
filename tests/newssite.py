"""A small local news site for end-to-end tests: RSS 2.0, Atom 1.0 and RSS 1.0 feeds that share
articles (with tracking parameters and fragments on the links), pages, and a broken page."""

from __future__ import annotations

from server import LocalServer

LAST_MODIFIED = "Sun, 01 Mar 2026 10:00:00 GMT"

STORIES = {
    "harbour": ("Harbour reopens after storm repairs",
                "The city harbour reopened to cargo traffic on Monday after three weeks of repairs to the "
                "breakwater damaged in the February storm. Port director Mara Lind said the work had "
                "finished two days ahead of schedule and under budget."),
    "budget": ("Council approves school budget",
               "The council approved next year's school budget by a vote of seven to two on Tuesday "
               "evening, ending a month of debate over class sizes and building maintenance. The "
               "finance committee chair said the plan keeps class sizes below twenty-five pupils."),
    "rail": ("Night trains return to the northern line",
             "Night trains will run again on the northern line from April, the regional transport "
             "authority announced, restoring a service that was cut four years ago. Commuter groups "
             "welcomed the decision but asked for more frequent weekend services."),
    "museum": ("Museum opens a new wing for local history",
               "The city museum opened a new wing on Saturday devoted to the history of the river "
               "trade, with boats, tools and letters lent by local families. Curator Ines Paulsen "
               "said the collection had been stored in a warehouse for decades."),
}


def page(slug: str, *, canonical: str | None = None) -> str:
    title, lead = STORIES[slug]
    paragraphs = [lead] + [
        f"{title} is the subject of paragraph {n} of this report, which goes into the background, "
        f"the people involved and what happens next, in enough detail for a reader to follow the "
        f"story without having read the earlier coverage in this newspaper."
        for n in range(2, 6)
    ]
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | City Post</title>{link}
<meta name="author" content="City Desk"></head>
<body><nav><a href="/">Home</a> <a href="/city">City</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p class="byline">By City Desk</p>
{body}
</article>
<aside><h3>Related posts</h3><ul><li><a href="/x">Another story entirely</a></li></ul></aside>
<footer>Copyright City Post</footer></body></html>"""


def rss2(server: LocalServer) -> str:
    items = [
        ("rss-harbour", "harbour", "/news/harbour?utm_source=rss&utm_medium=feed"),
        ("rss-budget", "budget", "/news/budget"),
        ("rss-gone", "museum", "/news/missing-page"),
    ]
    body = "".join(
        f"<item><guid isPermaLink=\"false\">{g}</guid><title>{STORIES[s][0]}</title>"
        f"<link>{server.url(path)}</link><description>{STORIES[s][1]}</description>"
        f"<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>"
        for g, s, path in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City Post</title>'
            f"<link>{server.url('/')}</link><description>News</description><ttl>30</ttl>{body}"
            f"</channel></rss>")


def atom(server: LocalServer) -> str:
    entries = [
        ("tag:post,2026:budget", "budget", "/news/budget?fbclid=abc123"),
        ("tag:post,2026:rail", "rail", "/news/rail"),
    ]
    body = "".join(
        f"<entry><id>{i}</id><title>{STORIES[s][0]}</title><link rel=\"alternate\" href=\"{server.url(p)}\"/>"
        f"<updated>2026-03-01T09:00:00Z</updated><summary>{STORIES[s][1]}</summary></entry>"
        for i, s, p in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>City Post (Atom)</title><id>tag:post,2026:feed</id>"
            f"<updated>2026-03-01T08:00:00Z</updated>"
            f"{body}</feed>")


def rdf(server: LocalServer) -> str:
    items = [("harbour", "/news/harbour#comments"), ("rail", "/news/rail?utm_campaign=x&gclid=1")]
    about = "".join(f'<rdf:li rdf:resource="{server.url(p)}"/>' for _, p in items)
    body = "".join(
        f'<item rdf:about="{server.url(p)}"><title>{STORIES[s][0]}</title><link>{server.url(p)}</link>'
        f"<description>{STORIES[s][1]}</description></item>"
        for s, p in items
    )
    return (f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="{server.url("/rdf.xml")}">'
            f"<title>City Post (RDF)</title><link>{server.url('/')}</link><description>News</description>"
            f"<items><rdf:Seq>{about}</rdf:Seq></items></channel>{body}</rdf:RDF>")


def build(server: LocalServer) -> dict[str, str]:
    """Serve the site; returns the three feed URLs by format."""
    feeds = {"rss2": ("/rss.xml", rss2(server), "application/rss+xml"),
             "atom": ("/atom.xml", atom(server), "application/atom+xml"),
             "rss1": ("/rdf.xml", rdf(server), "application/rdf+xml")}
    for name, (path, body, ctype) in feeds.items():
        server.add(path, body, headers={"Content-Type": ctype, "ETag": f'"{name}-v1"',
                                        "Last-Modified": LAST_MODIFIED})
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.add("/news/harbour", page("harbour"), headers=html)
    server.add("/news/budget", page("budget", canonical=server.url("/2026/03/budget-approved")), headers=html)
    server.add("/news/rail", page("rail"), headers=html)
    return {name: server.url(path) for name, (path, _, _) in feeds.items()}
