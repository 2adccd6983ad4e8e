"""normalize_url / is_http_url, table-driven."""

from __future__ import annotations

import pytest

from worker.fetch.local import is_local_target
from worker.locations import local_path
from worker.parse.urls import TRACKING_PARAMS, is_file_url, is_http_url, normalize_url
from worker.pipeline.poll import local_root_of

CASES: list[tuple[str, str | None, str | None]] = [
    # (url, base, expected)
    ("http://example.com/a", None, "http://example.com/a"),
    ("  https://example.com/a \n", None, "https://example.com/a"),
    ("HTTP://Example.COM/Path/Case", None, "http://example.com/Path/Case"),
    ("http://example.com:80/", None, "http://example.com/"),
    ("https://example.com:443/", None, "https://example.com/"),
    ("http://example.com:443/", None, "http://example.com:443/"),
    ("https://example.com:8443/x", None, "https://example.com:8443/x"),
    ("http://example.com", None, "http://example.com/"),
    ("http://example.com?q=1", None, "http://example.com/?q=1"),
    ("http://example.com./a", None, "http://example.com/a"),
    ("http://example.com/a#section-2", None, "http://example.com/a"),
    ("http://example.com/a?#", None, "http://example.com/a"),
    # tracking parameters go, the rest stay byte-for-byte and in order
    ("https://e.com/a?utm_source=rss&id=7&utm_medium=feed", None, "https://e.com/a?id=7"),
    ("https://e.com/a?UTM_Source=x&Utm_Campaign=y", None, "https://e.com/a"),
    ("https://e.com/a?z=1&fbclid=F&a=2&gclid=G&m=3", None, "https://e.com/a?z=1&a=2&m=3"),
    ("https://e.com/a?msclkid=1&mc_cid=2&mc_eid=3&yclid=4&_ga=5&_gl=6&igshid=7", None, "https://e.com/a"),
    ("https://e.com/a?dclid=1&gbraid=2&wbraid=3&twclid=4&li_fat_id=5&mkt_tok=6", None, "https://e.com/a"),
    ("https://e.com/a?_hsenc=1&_hsmi=2&oly_enc_id=3&oly_anon_id=4&vero_id=5&spm=6", None, "https://e.com/a"),
    ("https://e.com/a?ocid=1&cmpid=2&ncid=3&ref_src=4&wt_mc=5&WT.mc_id=6", None, "https://e.com/a"),
    ("https://e.com/a?ref=home&source=rss&id=1", None, "https://e.com/a?ref=home&source=rss&id=1"),
    ("https://e.com/a?q=a%20b+c&x=%E2%9C%93", None, "https://e.com/a?q=a%20b+c&x=%E2%9C%93"),
    ("https://e.com/a?a=1&&b=2", None, "https://e.com/a?a=1&b=2"),
    ("https://e.com/a?flag&utm_x", None, "https://e.com/a?flag"),
    # resolution against a base
    ("/p/1?q=1", "https://www.example.com/feed/rss.xml", "https://www.example.com/p/1?q=1"),
    ("item.html", "https://www.example.com/feed/rss.xml", "https://www.example.com/feed/item.html"),
    ("../up.html", "https://www.example.com/a/b/feed", "https://www.example.com/a/up.html"),
    ("//cdn.example.net/x", "https://www.example.com/", "https://cdn.example.net/x"),
    ("https://other.org/x", "https://www.example.com/", "https://other.org/x"),
    ("#frag", "https://www.example.com/page", "https://www.example.com/page"),
    # IDNA, IPv6, non-ASCII paths, user info
    ("http://Bücher.example/ä ö", None, "http://xn--bcher-kva.example/%C3%A4%20%C3%B6"),
    ("http://[2001:DB8::1]:8080/a", None, "http://[2001:db8::1]:8080/a"),
    ("http://user:pw@Example.com/", None, "http://user:pw@example.com/"),
    ("http://169.254.169.254/latest/meta-data/", None, "http://169.254.169.254/latest/meta-data/"),
    ("http://exa\tmple.com/a\nb", None, "http://example.com/ab"),
    # refused
    ("javascript:alert(1)", None, None),
    ("JavaScript:alert(1)", "https://example.com/", None),
    ("mailto:someone@example.com", None, None),
    ("data:text/html;base64,PHNjcmlwdD4=", None, None),
    ("gopher://gopher.example.com/1", None, None),
    ("ftp://ftp.example.com/file", None, None),
    ("file:///etc/passwd", None, None),
    ("file:///etc/passwd", "https://example.com/", None),
    ("/relative/only", None, None),
    ("relative.html", None, None),
    ("www.example.com/no-scheme", None, None),
    ("", None, None),
    ("   ", None, None),
    ("http://", None, None),
    ("http:///path-only", None, None),
    ("http:example.com", None, None),
    ("http://example.com:99999/", None, None),
    ("http://example.com:port/", None, None),
    ("http://exa mple.com/", None, None),
    ("HTTP://\u3000", None, None),  # IDNA maps the ideographic space to a space (found by hypothesis)
    # the base is cleaned and checked as the URL is (found by hypothesis: "http://\x1b/0" came out)
    ("0", "HTTP://\x1b", None),
    ("0", "http://a.example/x\x1b", "http://a.example/0"),
    ("0", "http://a\x1bb.example/", None),
    ("http://a\u3000b.example/", None, None),
    ("http://example.com/a\x00b", None, None),
    ("\x00http://example.com/a\x1f", None, "http://example.com/a"),
    ("http://[::1/", None, None),
    ("::::", None, None),
]


@pytest.mark.parametrize(("url", "base", "expected"), CASES)
def test_normalize_url(url: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("file:///srv/feeds/a.html", None, "file:///srv/feeds/a.html"),
        ("FILE:///srv/a%20b.html#x", None, "file:///srv/a%20b.html"),
        ("file://localhost/srv/a.html", None, "file:///srv/a.html"),
        ("pages/one.html", "file:///srv/feeds/local.rss", "file:///srv/feeds/pages/one.html"),
        ("https://example.com/x?utm_source=a", "file:///srv/feeds/local.rss", "https://example.com/x"),
        ("javascript:x()", "file:///srv/feeds/local.rss", None),
    ],
)
def test_normalize_url_allow_file(url: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(url, base, allow_file=True) == expected


def test_normalisation_is_idempotent() -> None:
    for url, base, expected in CASES:
        if expected is not None:
            assert normalize_url(expected) == expected, (url, base)


def test_tracking_list_is_lower_case() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMS)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/", True),
        ("HTTP://example.com", True),
        ("ftp://example.com/", False),
        ("file:///tmp/x", False),
        ("/relative", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_is_http_url(url: str, expected: bool) -> None:
    assert is_http_url(url) is expected


# --- is_file_url: the one "is this a local file URL?" check ------------------------------------

FILE_URLS = ["file:///srv/feeds/a.xml", "FILE:///srv/feeds/a.xml", "File://localhost/srv/a.xml",
             " file:///srv/a.xml", "\x00file:/srv/a.xml", "file:a.xml"]
NOT_FILE_URLS = ["/srv/feeds/a.xml", "./a.xml", "a.xml", "https://example.com/file:///x", "filesystem:x",
                 "fil:///x", "file", "", "xfile:///x", "../file:///x"]


@pytest.mark.parametrize("url", FILE_URLS)
def test_file_urls_are_local_for_every_caller(url: str) -> None:
    assert is_file_url(url)
    assert is_local_target(url)  # the fetcher reads it (inside a local root)
    assert local_root_of(url) is not None and local_path(url) is not None


@pytest.mark.parametrize("url", NOT_FILE_URLS)
def test_other_urls_and_plain_paths_are_not_file_urls(url: str) -> None:
    assert not is_file_url(url)
    assert local_root_of(url) is None
    # plain paths are still local targets of the fetcher; URLs of other schemes are not
    assert is_local_target(url) == (url.startswith(("/", ".")) or url in ("a.xml", "file", ""))


def test_is_file_url_never_parses_so_never_raises() -> None:
    assert not is_file_url("http://[::1/") and is_file_url("file://[::1/")
