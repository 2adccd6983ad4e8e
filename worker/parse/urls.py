"""URL normalisation: the one place that decides what a link is and whether we keep it.

``normalize_url`` is used for feed URLs, entry links (entry identity falls back to the
normalised link) and OPML import, so two spellings of the same article collapse to one
string.  It is deliberately conservative: it only rewrites what is equivalent for every
HTTP server (scheme/host case, default port, empty path, fragment) plus the query
parameters listed in ``TRACKING_PARAMS`` / ``TRACKING_PREFIXES``, which exist to tell
analytics where a click came from and never select content.

Nothing here is delegated to ``courlan`` (installed with trafilatura), on purpose: its
``normalize_url`` would change 12 of the 35 http(s) forms tests/test_parse_urls.py pins. It sorts
the query (ours keeps its order), drops valueless and generic parameters such as ``ref`` and
``source`` that select content, re-encodes ``%20`` as ``+``, keeps fragments, turns punycode hosts
into Unicode (ours stores the ASCII form), keeps ``example.com.`` and ``http://example.com``
without their trailing dot and slash, and accepts any scheme (``javascript:`` included) and
``file://localhost/`` as they come, where ours refuses or rewrites them. The parts where the two agree
(scheme and host case, default ports) are a few lines of ``urllib.parse`` here.
"""

from __future__ import annotations

import re
import urllib.parse

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "is_file_url", "is_http_url", "normalize_url"]

# Query parameters dropped from every URL (compared case-insensitively).  Each one is a
# click/campaign identifier added by an ad network, newsletter tool or social site;
# none of them changes which document a server returns.  Generic names such as "ref",
# "source" or "id" are NOT here: sites do use them to select content.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",  # Google Display / DoubleClick
        "gbraid",  # Google Ads (iOS, app -> web)
        "wbraid",  # Google Ads (iOS, web -> app)
        "msclkid",  # Microsoft Advertising
        "mc_cid",  # Mailchimp campaign
        "mc_eid",  # Mailchimp recipient
        "yclid",  # Yandex
        "_ga",  # Google Analytics cross-domain linker
        "_gl",  # Google Analytics cross-domain linker
        "igshid",  # Instagram share
        "ocid",  # Microsoft / MSN
        "cmpid",  # campaign id (many publishers)
        "ncid",  # Yahoo / Verizon Media
        "ref_src",  # Twitter/X embeds
        "ref_url",  # Twitter/X embeds
        "twclid",  # Twitter/X Ads
        "li_fat_id",  # LinkedIn
        "mkt_tok",  # Marketo
        "_hsenc",  # HubSpot
        "_hsmi",  # HubSpot
        "__hssc",  # HubSpot
        "__hstc",  # HubSpot
        "__hsfp",  # HubSpot
        "hsctatracking",  # HubSpot
        "oly_enc_id",  # Omeda
        "oly_anon_id",  # Omeda
        "vero_id",  # Vero
        "vero_conv",  # Vero
        "wt_mc",  # Webtrends
        "wt.mc_id",  # Webtrends
        "wt.mc_ev",  # Webtrends
        "spm",  # Alibaba
        "s_cid",  # Adobe Analytics campaign
        "rb_clickid",  # Rakuten
        "ttclid",  # TikTok
        "epik",  # Pinterest
        "sc_cid",  # Snapchat
        "srsltid",  # Google Merchant Center
        "__twitter_impression",  # Twitter/X
    }
)
# Whole families of campaign parameters: utm_source, utm_medium, utm_campaign, utm_term,
# utm_content, utm_id, utm_name, ... (Google Analytics / UTM convention).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

_HTTP_SCHEMES = {"http": 80, "https": 443}
# A scheme is letters then letters/digits/+-. ; anything else before ":" is a relative path.
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters that may stay literal in a path; everything else (spaces, non-ASCII) is
# percent-encoded, and existing %XX escapes are left as they are.
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = _PATH_SAFE + "?"
_EDGE_JUNK_RE = re.compile(r"^[\x00-\x20\x7f]+|[\x00-\x20\x7f]+$")
_TAB_NEWLINE_RE = re.compile(r"[\t\r\n]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Leading spaces and control characters are dropped before the scheme, as urlsplit and browsers do.
_FILE_SCHEME_RE = re.compile(r"[\x00-\x20]*file:", re.IGNORECASE)


def is_file_url(url: str) -> bool:
    """True when ``url`` is a ``file:`` URL (any case): an operator-given local feed or a page of one.

    The worker's one answer to "is this a local file URL?" (fetcher, feed parser, pipeline and
    commands all ask it). Plain paths are not file URLs; :func:`worker.fetch.local.is_local_target`
    adds them for the fetcher.
    """
    return _FILE_SCHEME_RE.match(url) is not None


def is_http_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host (after normalisation)."""
    return normalize_url(url) is not None


def origin_of(url: str) -> str:
    """``scheme://host:port`` of an http(s) URL, the port always written (a server's Retry-After
    speaks for that origin, not for other ports or schemes of the same host name); "" if none."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port or _HTTP_SCHEMES.get(scheme)
    except ValueError:
        return ""
    if not host or port is None:
        return ""
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def normalize_url(url: str, base: str | None = None, *, allow_file: bool = False) -> str | None:
    """Return the canonical absolute form of ``url`` or None if it is not one we accept.

    ``url`` is resolved against ``base`` first.  Accepted schemes are http and https,
    plus file when ``allow_file`` is set (operator-supplied local feeds).  Everything
    else - javascript:, mailto:, data:, ftp:, gopher:, a relative URL with no base,
    unparseable input - gives None.  See the module docstring for what is rewritten.
    """
    if not isinstance(url, str):
        return None
    # Leading/trailing whitespace and control characters are never part of a URL, and
    # inner tabs/newlines are removed as browsers do (WHATWG URL); other inner control
    # characters make the URL invalid.
    url = _TAB_NEWLINE_RE.sub("", _EDGE_JUNK_RE.sub("", url))
    if not url:
        return None
    try:
        if base is not None and base.strip():
            # the base is a URL too: cleaned the same way, and its control characters make the
            # result invalid as the URL's own would (a normalised URL must normalise to itself)
            url = urllib.parse.urljoin(_TAB_NEWLINE_RE.sub("", _EDGE_JUNK_RE.sub("", base.strip())), url)
        if _CONTROL_RE.search(url):
            return None
        if not _SCHEME_RE.match(url):
            return None
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            return _normalize_file(parts) if allow_file else None
        if scheme not in _HTTP_SCHEMES:
            return None
        netloc = _normalize_netloc(parts, _HTTP_SCHEMES[scheme])
        if netloc is None:
            return None
        path = urllib.parse.quote(parts.path, safe=_PATH_SAFE) or "/"
        query = _strip_tracking(parts.query)
        return urllib.parse.urlunsplit((scheme, netloc, path, query, ""))
    except (ValueError, UnicodeError):
        return None


def _normalize_netloc(parts: urllib.parse.SplitResult, default_port: int) -> str | None:
    host = parts.hostname  # lower-cased by urllib, brackets removed for IPv6
    if not host:
        return None
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    if ":" in host:
        host_out = f"[{host}]"
    else:
        encoded = _idna(host.rstrip(".") or host)
        if encoded is None:
            return None
        host_out = encoded
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{userinfo}@{host_out}" if userinfo else host_out
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    return netloc


_BAD_HOST_CHARS = ' <>"{}|\\^`%'


def _idna(host: str) -> str | None:
    """ASCII (punycode) form of a host name; None if it cannot be encoded."""
    if any(c in host for c in _BAD_HOST_CHARS):  # before IDNA too: it keeps ASCII characters as they are
        return None
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            encoded = label.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        # and after: nameprep maps some characters to ASCII ones a host cannot hold (U+3000 to a space)
        if any(c in encoded for c in _BAD_HOST_CHARS):
            return None
        labels.append(encoded)
    return ".".join(labels)


def _strip_tracking(query: str) -> str:
    """Drop tracking parameters, keeping the others byte-for-byte and in their order."""
    if not query:
        return ""
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = urllib.parse.unquote_plus(piece.partition("=")[0]).strip().lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(urllib.parse.quote(piece, safe=_QUERY_SAFE))
    return "&".join(kept)


def _normalize_file(parts: urllib.parse.SplitResult) -> str | None:
    host = (parts.hostname or "").lower()
    if host == "localhost":
        host = ""
    path = urllib.parse.quote(parts.path, safe=_PATH_SAFE) or "/"
    if not path.startswith("/"):
        path = "/" + path
    return f"file://{host}{path}"
