"""Bytes of a fetched page -> str, the way browsers decide the encoding (header, BOM, meta, utf-8).

A charset label counts only if the WHATWG Encoding Standard lists it: each of its labels names a
text encoding, which we decode with the Python codec below. Python's codec registry is not asked
directly: it also knows codecs that are not text encodings at all (``rot13``, ``base64``, ``hex``,
``zlib``, ``uu``, ``bz2``), which ``bytes.decode`` refuses, and text codecs no page means
(``unicode_escape``, ``punycode``, ``idna``, ``utf-7``, ``undefined``), which would garble or
refuse the text. A label that is not listed is treated as if none had been given. The standard's
"replacement" and "x-user-defined" encodings have no Python codec and count as unknown too.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# Python codec: the WHATWG labels of that encoding. Pages that say latin-1 or ascii are decoded as
# windows-1252, as browsers do; GBK as its superset gb18030, Big5 with the HKSCS additions,
# Shift_JIS and EUC-KR as the Windows code pages browsers actually implement.
_LABEL_TABLE = """
utf-8: unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8
cp866: 866 cp866 csibm866 ibm866
iso8859_2: csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2
iso8859_3: csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3
iso8859_4: csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4
iso8859_5: csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5
    iso_8859-5:1988
iso8859_6: arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e
    iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987
iso8859_7: csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597
    iso_8859-7 iso_8859-7:1987 sun_eu_greek
iso8859_8: csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598
    iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical
iso8859_10: csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6
iso8859_13: iso-8859-13 iso8859-13 iso885913
iso8859_14: iso-8859-14 iso8859-14 iso885914
iso8859_15: csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9
iso8859_16: iso-8859-16
koi8_r: cskoi8r koi koi8 koi8-r koi8_r
koi8_u: koi8-ru koi8-u
mac_roman: csmacintosh mac macintosh x-mac-roman
cp874: dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874
cp1250: cp1250 windows-1250 x-cp1250
cp1251: cp1251 windows-1251 x-cp1251
cp1252: ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591
    iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252
cp1253: cp1253 windows-1253 x-cp1253
cp1254: cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5
    latin5 windows-1254 x-cp1254
cp1255: cp1255 windows-1255 x-cp1255
cp1256: cp1256 windows-1256 x-cp1256
cp1257: cp1257 windows-1257 x-cp1257
cp1258: cp1258 windows-1258 x-cp1258
mac_cyrillic: x-mac-cyrillic x-mac-ukrainian
gb18030: chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030
big5hkscs: big5 big5-hkscs cn-big5 csbig5 x-x-big5
euc_jp: cseucpkdfmtjapanese euc-jp x-euc-jp
iso2022_jp: csiso2022jp iso-2022-jp
cp932: csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis
cp949: cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601
    windows-949
utf-16-be: unicodefffe utf-16be
utf-16-le: csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le
"""


def _parse_table(table: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for group in re.split(r"\n(?=\S)", table.strip()):
        codec, _, names = group.partition(":")
        labels.update((name, codec) for name in names.split())
    return labels


LABELS: dict[str, str] = _parse_table(_LABEL_TABLE)
_UTF16 = ("utf-16-be", "utf-16-le")


def text_encoding(label: str | bytes | None) -> str | None:
    """The Python codec of a charset label (``"ISO-8859-1"`` -> ``"cp1252"``), or None when the
    label names no text encoding we know (``"rot13"``, ``"base64"``, ``"bogus"``)."""
    if not label:
        return None
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    return LABELS.get(text.strip("\t\n\f\r ").lower())


def decode_html(body: bytes, content_type: str | None) -> str:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    match = _HEADER.search(content_type or "")
    declared = text_encoding(match.group(1)) if match else None
    if declared is None:
        meta = _META.search(body[:4096])
        declared = text_encoding(meta.group(1)) if meta else None
    if declared in _UTF16 and b"\x00" not in body[:4]:
        # A page whose first characters (or a meta tag) read as ASCII is not UTF-16, whatever it
        # says; WHATWG's rule for meta tags, and for a header it is what is meant.
        declared = "utf-8"
    if declared is not None and declared != "utf-8":
        return body.decode(declared, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8" if declared == "utf-8" else "cp1252", "replace")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind and kind not in ("application/octet-stream", "text/plain", "binary/octet-stream"):
        return False
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<p" in head
