"""JSON Feed 1.0 and 1.1 (jsonfeed.org) into the same entries as RSS and Atom."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any, Final
from urllib.parse import urljoin

from bot.core.images import image_url
from bot.core.links import MAX_LINK_CHARS, normalize_link
from bot.core.models import Entry, ParsedFeed
from bot.core.text import clean_text, guess_lang, html_to_text, primary_lang, valid_unicode
from bot.errors import ParseError

VERSION_PREFIX: Final = "https://jsonfeed.org/version/"
MAX_KEY_CHARS: Final = 512


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """Whether a fetched body is JSON rather than XML: its media type, or its first byte."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media.endswith(("/json", "+json")):
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def parse_json_feed(
    body: bytes, url: str, *, default_lang: str = "en", max_entries: int
) -> ParsedFeed:
    """A JSON Feed's entries; ParseError when the body is not one."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ParseError(f"not a feed (it is not valid JSON: {_first_line(error)})") from None
    if not isinstance(document, dict) or not _is_json_feed(document):
        raise ParseError("not a feed (it is JSON, but not a JSON Feed)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("not a feed (a JSON Feed without items)")
    base = _string(document.get("home_page_url")) or url
    feed_lang = primary_lang(document.get("language"))
    entries = tuple(
        _entry(item, base, feed_lang=feed_lang, default_lang=default_lang)
        for item in items[:max_entries]
        if isinstance(item, dict)
    )
    sample = " ".join(e.title for e in entries[:20])
    return ParsedFeed(
        title=clean_text(_string(document.get("title"))),
        link=normalize_link(_string(document.get("home_page_url"))) or url,
        lang=feed_lang or guess_lang(sample) or default_lang,
        entries=entries,
    )


def _is_json_feed(document: Mapping[str, Any]) -> bool:
    return _string(document.get("version")).startswith(VERSION_PREFIX)


def _entry(
    item: Mapping[str, Any], base: str, *, feed_lang: str | None, default_lang: str
) -> Entry:
    title = clean_text(_string(item.get("title")))
    html = _body_html(item)
    summary = _string(item.get("summary"))
    link = _link(item, base)
    lang = (
        primary_lang(item.get("language"))
        or guess_lang(f"{title} {html_to_text(html)[:400]}")
        or feed_lang
        or default_lang
    )
    return Entry(
        key=_key(item, link, title),
        title=title,
        link=link,
        html=html,
        published=_date(item.get("date_published")) or _date(item.get("date_modified")),
        lang=lang,
        image=_image(item, link or base),
        # JSON Feed's summary is "a plain text sentence or two describing the item": a dek.
        description=clean_text(summary) if html != _as_html(summary) else "",
    )


def _body_html(item: Mapping[str, Any]) -> str:
    """The richest text as HTML: content_html, else content_text, else the summary."""
    bodies = [
        _string(item.get("content_html")),
        _as_html(_string(item.get("content_text"))),
        _as_html(_string(item.get("summary"))),
    ]
    return max(bodies, key=len)


def _as_html(text: str) -> str:
    return escape(text, quote=False).replace("\n", "<br>")


def _link(item: Mapping[str, Any], base: str) -> str:
    """The item's own page (`url`), else the page it is about (`external_url`)."""
    for field in ("url", "external_url"):
        value = _string(item.get(field)).strip()
        if value and (link := normalize_link(urljoin(base, value))):
            return link if len(link) <= MAX_LINK_CHARS else ""
    return ""


def _image(item: Mapping[str, Any], base: str) -> str:
    """The item's `image`, else its `banner_image`."""
    for field in ("image", "banner_image"):
        if found := image_url(_string(item.get(field)), base):
            return found
    return ""


def _key(item: Mapping[str, Any], link: str, title: str) -> str:
    """The item's id (a number in some 1.0 feeds), else its link, else a hash."""
    raw_id = item.get("id")
    key = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
    if key or link:
        return (key or link)[:MAX_KEY_CHARS]
    seed = f"{title}\x00{_string(item.get('date_published'))}"
    return "sha1:" + hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()


def _date(value: object) -> datetime | None:
    """An RFC 3339 date; one without a zone is taken as UTC."""
    text = _string(value).strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _string(value: object) -> str:
    # Lone surrogates (from "\ud800" escapes) become U+FFFD.
    return valid_unicode(value) if isinstance(value, str) else ""


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
