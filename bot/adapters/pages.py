"""Article pages: fetch once, decode, find the publisher's structure and extract the main text.

The main text comes from trafilatura: maintained, typed, no network or model at run time, and
on our pages it keeps the article and drops the navigation better than the alternatives
(see bench/extract.py). Failures are values in `PageResult.error`, never raised, so a caller
falls back to the feed entry's own text and records why.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from dataclasses import dataclass, field
from typing import Final, Protocol

import trafilatura

from bot.core.images import page_image
from bot.core.models import FetchResult
from bot.core.structure import Structure, find_structure

PAGE_ACCEPT: Final = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
# Servers label HTML with these too, or with nothing: the bytes decide.
SNIFFED_TYPES: Final = frozenset({"", "text/plain", "application/octet-stream"})
# Where a <meta charset> must appear, as browsers look for it.
META_SCAN_BYTES: Final = 4096
# Tried after the declared charsets, in this order, when those do not decode the bytes.
FALLBACK_CHARSETS: Final = ("utf-8", "cp932", "euc_jp")
# Browsers read these labels as the supersets on the right (WHATWG Encoding); Python's
# codec registry lacks the x- and windows- names.
_CHARSET_SUPERSETS: Final = {
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}
# Below this share of its text in sentences, an "article" is a listing or a menu.
MIN_PROSE_SHARE: Final = 0.25
# A paragraph this long with a sentence end in it counts as prose.
MIN_PROSE_CHARS: Final = 40
_SENTENCE_END_RE: Final = re.compile(r"[。．.!?！？]")
_META_CHARSET_RE: Final = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HTML_SNIFF_RE: Final = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<!--|<\?xml)", re.I
)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class PageFetcher(Protocol):
    """What reading a page needs from HTTP: bot.adapters.http.Fetcher fits."""

    async def fetch(self, url: str, *, accept: str = ...) -> FetchResult: ...


@dataclass(frozen=True)
class PageResult:
    """One article page read: its main text and structure, or why it could not be read."""

    url: str
    text: str = ""
    structure: Structure = field(default_factory=Structure)
    image: str = ""  # the page's og:image or twitter:image
    error: str | None = None


async def fetch_article_text(fetcher: PageFetcher, url: str) -> PageResult:
    """Fetch an article page once and read its main text and structure; failures are values."""
    result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    if result.error is not None:
        return PageResult(url=result.url, error=str(result.error))
    content_type = result.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type not in HTML_TYPES and not (
        media_type in SNIFFED_TYPES and _HTML_SNIFF_RE.match(result.body[:1024])
    ):
        return PageResult(url=result.url, error=f"not an HTML page: {media_type or 'no type'}")
    html = decode_html(result.body, content_type)
    # Parsing a page of a few megabytes takes long enough to stall every other feed.
    return await asyncio.to_thread(read_page, html, result.url)


def read_page(html: str, url: str) -> PageResult:
    """The structure and main text of a decoded page."""
    structure = find_structure(html, url)
    image = page_image(html, url)
    text = extract_main_text(html, url)
    if not text:
        return PageResult(url=url, structure=structure, image=image, error="no main text found")
    if prose_share(text) < MIN_PROSE_SHARE:
        error = "no article text: mostly short lines, a listing page?"
        return PageResult(url=url, structure=structure, image=image, error=error)
    return PageResult(url=url, text=text, structure=structure, image=image)


def prose_share(text: str) -> float:
    """The share of the text in paragraphs that read as sentences rather than list lines."""
    paragraphs = [p for p in text.split("\n\n") if p]
    total = sum(map(len, paragraphs))
    prose = sum(
        len(p) for p in paragraphs if len(p) >= MIN_PROSE_CHARS and _SENTENCE_END_RE.search(p)
    )
    return prose / total if total else 0.0


def extract_main_text(html: str, url: str | None = None) -> str:
    """The article's main text by trafilatura, paragraphs split by blank lines; "" if none."""
    try:
        extracted = trafilatura.extract(html, url=url, include_comments=False)
    except Exception:  # a third-party parser on hostile input: no text is the answer
        return ""
    lines = (" ".join(line.split()) for line in (extracted or "").splitlines())
    return "\n\n".join(line for line in lines if line)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Page bytes as text: BOM, then HTTP charset, then <meta charset>, then utf-8/cp932/euc-jp."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    declared = [_charset_param(content_type)]
    if meta := _META_CHARSET_RE.search(body[:META_SCAN_BYTES]):
        declared.append(meta.group(1).decode("ascii", "replace"))
    candidates: list[str] = []
    for label in (*declared, *FALLBACK_CHARSETS):
        if (codec := _python_codec(label)) and codec not in candidates:
            candidates.append(codec)
    # A declared charset that cannot decode the bytes is passed over: servers that label every
    # page utf-8 are common in Japan. When none decodes cleanly, the first one replaces.
    for codec in candidates:
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode(candidates[0], errors="replace")


def _charset_param(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return None


def _python_codec(label: str | None) -> str | None:
    """The Python codec for a charset label, widened as browsers widen it; None if unknown."""
    if not label:
        return None
    wanted = label.strip().lower()
    if wanted in _CHARSET_SUPERSETS:
        return _CHARSET_SUPERSETS[wanted]
    try:
        name = codecs.lookup(wanted).name
    except LookupError:
        return None
    return _CHARSET_SUPERSETS.get(name, name)
