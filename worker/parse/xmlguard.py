"""Entity-expansion guard run on feed bytes before feedparser sees them.

feedparser strips *nested* entity declarations itself (so the classic "billion laughs"
is defused), but it keeps every declaration whose value is plain text and lets expat
expand it.  One 10 kB entity referenced 20,000 times ("quadratic blowup") therefore
turns a 70 kB feed into hundreds of MB of strings.

Choice: **measure, and reject only what would blow up** - rather than stripping every
DTD.  Legitimate feeds do declare small entities (feedparser's own corpus has
``<!ENTITY id "tag:example.com,">`` used in a guid, and RDF feeds pulling in the XHTML
Latin-1 entity set); stripping would turn those into undefined-entity errors and lose
text, while a feed whose declared entities would add more than ``EXPANSION_LIMIT``
characters has no legitimate reason to exist.  The estimate counts every declaration
anywhere in the document (not just the prolog), follows references between entities,
and is an upper bound of what any XML parser could produce from them.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["EXPANSION_LIMIT", "decode_for_scan", "entity_expansion"]

# Total characters the declared internal entities may add to the document.
EXPANSION_LIMIT = 1_000_000

_DECL_RE = re.compile(
    r"""<!ENTITY\s+(%\s+)?([^\s%;&<>"']+)\s+(?:"([^"]*)"|'([^']*)'|(?:SYSTEM|PUBLIC)\b[^>]*)""",
)
_REF_RE = re.compile(r"[&%]([^\s%;&<>\"'#]+);")

# (byte prefix, codec) for documents that are not ASCII-compatible (XML 1.0 Appendix F).
_WIDE_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def decode_for_scan(body: bytes) -> str:
    """Text good enough to find XML markup in: wide encodings decoded, else latin-1.

    Latin-1 maps every byte to one character, so ASCII markup in UTF-8 and all other
    ASCII-compatible encodings is found exactly; non-ASCII text is garbled but only
    markup is searched for.
    """
    for prefix, codec in _WIDE_ENCODINGS:
        if body.startswith(prefix):
            return body.decode(codec, errors="replace")
    return body.decode("latin-1")


def entity_expansion(text: str) -> int:
    """Upper bound of characters that expanding the declared entities would add."""
    if "<!ENTITY" not in text:
        return 0
    values: dict[str, str] = {}
    for match in _DECL_RE.finditer(text):
        name = ("%" if match.group(1) else "") + match.group(2)
        value = match.group(3) if match.group(3) is not None else (match.group(4) or "")
        values.setdefault(name, value)  # XML: the first declaration binds
    if not values:
        return 0

    sizes: dict[str, int] = {}

    def size(name: str, depth: int = 0) -> int:
        """Expanded length of one entity, following references (cycles count as huge)."""
        if name in sizes:
            return sizes[name]
        if depth > 32:
            return EXPANSION_LIMIT + 1
        value = values[name]
        total = len(value)
        for ref in _REF_RE.finditer(value):
            key = ("%" if ref.group(0)[0] == "%" else "") + ref.group(1)
            if key in values:
                total += size(key, depth + 1)
            if total > EXPANSION_LIMIT:
                break
        sizes[name] = min(total, EXPANSION_LIMIT + 1)
        return sizes[name]

    total = 0
    for ref in _REF_RE.finditer(text):
        key = ("%" if ref.group(0)[0] == "%" else "") + ref.group(1)
        if key in values:
            total += size(key)
            if total > EXPANSION_LIMIT:
                break
    return total
