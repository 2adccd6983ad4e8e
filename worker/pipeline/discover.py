"""What `worker feeds add URL` adds: the URL itself when it is a feed, or the feeds an HTML page
links to (autodiscovery). One request through the worker's fetcher, so its address policy, size
caps and timeouts hold as for any poll."""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.fetch import Fetcher, FetchError
from worker.parse.discover import FeedLink, feed_links, looks_like_feed
from worker.pipeline.charset import decode_html, looks_like_html
from worker.settings import Settings


@dataclass(frozen=True)
class Discovery:
    """``page`` False: ``url`` is to be added as it is, with ``note`` saying why if it was not seen
    to be a feed. ``page`` True: ``url`` is an HTML page and ``links`` are the feeds it announces
    (none: nothing to add)."""

    url: str
    page: bool = False
    links: list[FeedLink] = field(default_factory=list)
    note: str | None = None


def classify(url: str, final_url: str, body: bytes, content_type: str | None) -> Discovery:
    """The decision, from one response: a feed's root element wins over any Content-Type (feeds
    are served as text/html too); an HTML page is searched for feed links; anything else is
    added as given and left to the first poll to judge."""
    if looks_like_feed(body):
        return Discovery(url)
    if looks_like_html(body, content_type):
        return Discovery(url, page=True, links=feed_links(decode_html(body, content_type), final_url))
    shown = (content_type or "no Content-Type").split(";")[0].strip()
    return Discovery(url, note=f"it does not look like a feed ({shown}); the first poll will tell")


async def discover(settings: Settings, url: str) -> Discovery:
    """Fetch ``url`` once and classify it; a failed fetch adds it unchecked, with the reason."""
    async with Fetcher(settings) as fetcher:
        try:
            response = await fetcher.fetch(url, kind="feed")
        except FetchError as exc:
            return Discovery(url, note=f"not checked: {exc.reason}")
    return classify(url, response.url, response.body, response.headers.get("content-type"))
