"""Feeds that do not say their encoding: read in the one their bytes show, not as windows-1252.

A feed says its encoding with a byte order mark, the XML declaration, or the charset of its
Content-Type. Without any of them XML means UTF-8, and feedparser, finding invalid UTF-8, falls
back to windows-1252: an old EUC-JP or Shift_JIS feed comes out as mojibake. For such a body,
and only then, the encoding is guessed from the bytes (charset-normalizer) and the body
re-encoded as UTF-8, unless windows-1252 reads it plausibly too.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from charset_normalizer import from_bytes

BOMS: Final = (
    codecs.BOM_UTF8,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)
XML_ENCODING: Final = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']\s*[\w.:-]""")
HEADER_CHARSET: Final = re.compile(r"""charset\s*=\s*["']?\s*[\w.:-]""", re.IGNORECASE)
DECLARATION_BYTES: Final = 512  # the XML declaration is looked for in this many leading bytes
FALLBACK: Final = "cp1252"  # what feedparser reads an undeclared, non-UTF-8 body as


def declares_encoding(body: bytes, content_type: str | None) -> bool:
    """Whether the body, or its Content-Type header, says which encoding it is in."""
    if content_type and HEADER_CHARSET.search(content_type):
        return True
    head = body[:DECLARATION_BYTES]
    return head.startswith(BOMS) or XML_ENCODING.match(head) is not None


def guess_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The encoding of a body that declares none and is not UTF-8, from its bytes; else None."""
    if declares_encoding(body, content_type):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    matches = from_bytes(body)
    best = matches.best()
    if best is None or codecs.lookup(best.encoding).name == "utf-8":
        return None
    if any(FALLBACK in match.could_be_from_charset for match in matches):
        # Windows-1252 reads it plausibly: Latin text, which reads as plausibly in several
        # single-byte code pages (cp1257, cp775 …) whose accents differ. feedparser's fallback
        # is the likeliest of them, and keeps the feed's problem recorded.
        return None
    return best.encoding


def as_utf8(body: bytes, encoding: str) -> bytes:
    """The body re-encoded from `encoding` to UTF-8; undecodable bytes become U+FFFD."""
    return body.decode(encoding, errors="replace").encode("utf-8")
