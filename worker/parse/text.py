"""Feed HTML (content, summary, html titles) -> plain text.

Output format: paragraphs separated by one blank line ("\\n\\n"); inside a paragraph all
whitespace runs (including newlines and no-break spaces) collapse to one space.  A new
paragraph starts at every block element (p, div, li, h1-h6, blockquote, tr, ...) and at
two consecutive <br> (a single <br> is just a space).  Script, style and similar
non-content elements are dropped with their text; entities are decoded by lxml.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

__all__ = ["html_to_text", "plain_text", "to_text"]

# Elements whose start and end break the paragraph.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements dropped together with everything inside them.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object",
     "select", "textarea", "button"}
)  # fmt: skip
# XML 1.0 forbids these; lxml refuses strings containing them.
_INVALID_XML_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLANK_LINES_RE = re.compile(r"\n[ \t\r\f\v]*\n")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or document; "" for empty or unparseable input."""
    if not isinstance(html, str):
        return ""
    html = _INVALID_XML_CHARS_RE.sub("", html)
    if not html.strip():
        return ""
    root = _parse(html)
    if root is None:
        return ""
    return _Collector().run(root)


def plain_text(text: str) -> str:
    """Whitespace-normalise text that is already plain: blank lines separate paragraphs."""
    if not isinstance(text, str):
        return ""
    text = _INVALID_XML_CHARS_RE.sub("", text)
    paragraphs = (" ".join(p.split()) for p in _BLANK_LINES_RE.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def to_text(value: str | None, mime_type: str | None) -> str | None:
    """Text of a feed field given its declared type; None when nothing is left."""
    if not value:
        return None
    mime = (mime_type or "text/html").lower()
    text = html_to_text(value) if mime.startswith(_HTML_TYPES) or mime.endswith("+xml") else plain_text(value)
    return text or None


def _parse(html: str) -> lxml.etree._Element | None:
    parser = lxml.html.HTMLParser(
        recover=True, no_network=True, remove_comments=True, remove_pis=True, default_doctype=False
    )
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except ValueError:
        # A str with an XML encoding declaration is refused by lxml; give it bytes.
        try:
            return lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
        except (ValueError, lxml.etree.LxmlError):
            return None
    except lxml.etree.LxmlError:
        return None


class _Collector:
    """Walks the tree iteratively (no recursion limit on deep junk) collecting paragraphs."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.pieces: list[str] = []  # raw text of the current paragraph
        self.after_br = False  # a <br> seen with no text since

    def run(self, root: lxml.etree._Element) -> str:
        skip_depth = 0
        for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if event == "start":
                if skip_depth or tag in _SKIP_TAGS or not tag:
                    skip_depth += 1
                    continue
                if tag in _BLOCK_TAGS:
                    self.flush()
                elif tag == "br":
                    if self.after_br:
                        self.flush()
                    else:
                        self.pieces.append(" ")
                        self.after_br = True
                self.add(el.text)
            else:
                if skip_depth:
                    skip_depth -= 1
                    if skip_depth:
                        continue
                elif tag in _BLOCK_TAGS:
                    self.flush()
                if el is not root:
                    self.add(el.tail)
        self.flush()
        return "\n\n".join(self.paragraphs)

    def add(self, text: str | None) -> None:
        if text:
            self.pieces.append(text)
            if not text.isspace():
                self.after_br = False

    def flush(self) -> None:
        paragraph = " ".join("".join(self.pieces).split())
        if paragraph:
            self.paragraphs.append(paragraph)
        self.pieces = []
        self.after_br = False
