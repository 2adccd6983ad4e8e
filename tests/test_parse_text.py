"""html_to_text: paragraphs, whitespace, dropped elements, entities, junk."""

from __future__ import annotations

import pytest

from worker.parse.text import html_to_text, plain_text, to_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<p>Hello <b>bold</b> <i>world</i>.</p>", "Hello bold world."),
        ('<p>With <a href="/x">a link</a>, then text.</p>', "With a link, then text."),
        ("x<b>y</b>z", "xyz"),
        ("<p>  lots \n of \t   space  </p>", "lots of space"),
        ("line one<br>line two", "line one line two"),
        ("para one<br><br>para two", "para one\n\npara two"),
        ("para one<br/>\n  <br />para two", "para one\n\npara two"),
        ("<div>a</div><div>b</div>", "a\n\nb"),
        ("<h2>Title</h2>Body text", "Title\n\nBody text"),
        ("<ul><li>one</li><li>two</li></ul>after", "one\n\ntwo\n\nafter"),
        ("<blockquote>quoted</blockquote>said", "quoted\n\nsaid"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a\n\nb"),
        ("before<p>inside</p>after", "before\n\ninside\n\nafter"),
        ("<script>alert(1)</script>Visible<style>p{color:red}</style> text", "Visible text"),
        ("<noscript>enable js</noscript><template><p>t</p></template>Shown", "Shown"),
        ("<p>a<!-- comment -->b</p>", "ab"),
        ("AT&amp;T &lt;tag&gt; &quot;q&quot; &#8220;curly&#8221; &eacute;", 'AT&T <tag> "q" “curly” é'),
        ("caf&eacute;&nbsp;&nbsp;au&nbsp;lait", "café au lait"),
        ("<html><head><title>T</title></head><body><p>B</p></body></html>", "B"),
        ('<?xml version="1.0" encoding="utf-8"?><p>declared</p>', "declared"),
        ("plain text, no markup", "plain text, no markup"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("AT&T and 1 < 2", "AT&T and 1 < 2"),
        ("", ""),
        ("   \n ", ""),
        ("<p></p><div> </div>", ""),
        ("\x00\x01\x02", ""),
        ("ok\x00\x0b text", "ok text"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "<" * 10_000,
        "<div>" * 5_000 + "deep",
        "</p></div></body></html>",
        "<![CDATA[x",
        "&#xFFFFFFFF;&#0;",
        "\ud800",
    ],
)
def test_junk_never_raises(junk: str) -> None:
    assert isinstance(html_to_text(junk), str)


def test_non_string_gives_empty() -> None:
    assert html_to_text(None) == ""  # type: ignore[arg-type]


def test_plain_text_keeps_paragraphs() -> None:
    assert plain_text("  a  b \n c\n\n\n d  ") == "a b c\n\nd"


@pytest.mark.parametrize(
    ("value", "mime", "expected"),
    [
        ("<b>x</b>", "text/html", "x"),
        ("<b>x</b>", "application/xhtml+xml", "x"),
        ("<b>x</b>", "text/plain", "<b>x</b>"),
        ("<b>x</b>", None, "x"),
        ("", "text/html", None),
        ("<p> </p>", "text/html", None),
        (None, "text/plain", None),
    ],
)
def test_to_text_respects_declared_type(value: str | None, mime: str | None, expected: str | None) -> None:
    assert to_text(value, mime) == expected
