"""Feed documents to entries: feedparser on fetched bytes, entry keys, languages, the backlog."""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any, Final

import feedparser

from bot.core.charset import as_utf8, guess_encoding
from bot.core.entry_cap import cap_entries
from bot.core.images import feed_image
from bot.core.jsonfeed import looks_like_json, parse_json_feed
from bot.core.links import entry_link
from bot.core.models import Entry, ParsedFeed
from bot.core.text import (
    PLAIN_TEXT_TYPES,
    feed_text,
    guess_lang,
    html_to_text,
    primary_lang,
    valid_unicode,
)
from bot.errors import ParseError

MAX_ENTRIES_PER_POLL: Final = 200
BACKLOG_DIGESTS: Final = 3
MAX_KEY_CHARS: Final = 512
BENIGN_PROBLEMS: Final = frozenset({"NonXMLContentType"})


def parse_feed(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    default_lang: str = "en",
    max_entries: int = MAX_ENTRIES_PER_POLL,
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed; an ill-formed feed with entries is kept, its problem noted."""
    # A file object, never raw bytes: feedparser treats a bytes/str argument as a path or URL
    # to open first, and a feed body must never make us read a local file.
    # feedparser reads header names in lower case.
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if looks_like_json(body, lowered.get("content-type")):
        return parse_json_feed(body, url, default_lang=default_lang, max_entries=max_entries)
    if (encoding := guess_encoding(body, lowered.get("content-type"))) is not None:
        body = as_utf8(body, encoding)
        media_type = lowered.get("content-type", "application/xml").split(";")[0]
        lowered["content-type"] = f"{media_type}; charset=utf-8"
    parsed = feedparser.parse(
        # Entries past the cap are cut first: feedparser's time grows with every entry.
        io.BytesIO(cap_entries(body, max_entries)),
        response_headers=lowered | {"content-location": url},
        # Relative links in content are resolved where they are used (the entry's link is
        # the base), and feedparser's resolver drops an escaped CDATA section's text.
        resolve_relative_uris=False,
    )
    problem = _problem(parsed)
    if not parsed.entries and (problem or not parsed.get("version")):
        raise ParseError(f"not an RSS or Atom feed ({_not_a_feed_reason(body, lowered, problem)})")
    channel = parsed.get("feed", {})
    feed_lang = primary_lang(channel.get("language"))
    entries = tuple(
        _entry(raw, body, feed_lang=feed_lang, default_lang=default_lang)
        for raw in parsed.entries[:max_entries]
    )
    sample = " ".join(e.title for e in entries[:20])
    return ParsedFeed(
        title=_text(channel, "title"),
        link=channel.get("link", "") or url,
        lang=feed_lang or guess_lang(sample) or default_lang,
        entries=entries,
        ttl=_ttl(channel.get("ttl")),
        problem=problem,
    )


def entry_key(raw: Mapping[str, Any]) -> str:
    """A stable identity for an entry: its guid, else its link, else a hash of title and date."""
    for field in ("id", "link"):
        value = str(raw.get(field) or "").strip()
        if value:
            return value[:MAX_KEY_CHARS]
    seed = f"{raw.get('title', '')}\x00{raw.get('published', raw.get('updated', ''))}"
    return "sha1:" + hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()


def new_entries(entries: Sequence[Entry], known: Iterable[str]) -> list[Entry]:
    """The entries whose keys are not known yet, each key once, in feed order."""
    seen = set(known)
    fresh: list[Entry] = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            fresh.append(entry)
    return fresh


def backlog_to_digest(entries: Sequence[Entry], count: int = BACKLOG_DIGESTS) -> set[str]:
    """Keys of the newest `count` entries of a first poll: the rest are only marked as seen."""
    undated = datetime.min.replace(tzinfo=UTC)
    # Feeds list newest first; the stable sort keeps that order among undated entries.
    newest = sorted(entries, key=lambda e: e.published or undated, reverse=True)
    return {e.key for e in newest[:count]}


def _entry(
    raw: Mapping[str, Any], body: bytes, *, feed_lang: str | None, default_lang: str
) -> Entry:
    title = _text(raw, "title")
    html = _body_html(raw)
    lang = (
        primary_lang(_detail_lang(raw))
        or guess_lang(f"{title} {html_to_text(html)[:400]}")
        or feed_lang
        or default_lang
    )
    return Entry(
        key=valid_unicode(entry_key(raw)),
        title=title,
        link=(link := entry_link(raw, body)),
        html=valid_unicode(html),
        published=_published(raw),
        lang=lang,
        image=feed_image(raw, link),
        description=_description(raw, html),
    )


def _description(raw: Mapping[str, Any], body: str) -> str:
    """The entry's summary as plain text when its body is other content: a dek, maybe."""
    summary = raw.get("summary_detail") or {}
    value = str(summary.get("value") or "")
    if not value or not raw.get("content") or _as_html(value, summary.get("type")) == body:
        return ""
    return valid_unicode(feed_text(value, summary.get("type")))


def _body_html(raw: Mapping[str, Any]) -> str:
    """The richest text the entry carries, as HTML: the longest content, else the summary."""
    details = [*(raw.get("content") or []), raw.get("summary_detail") or {}]
    bodies = [_as_html(str(d.get("value") or ""), d.get("type")) for d in details]
    return max(bodies, key=len, default="")


def _as_html(value: str, content_type: str | None) -> str:
    """Plain text is escaped, so that its "<" stays a character when read as HTML."""
    if (content_type or "").lower() in PLAIN_TEXT_TYPES:
        return escape(value, quote=False).replace("\n", "<br>")
    return value


def _text(raw: Mapping[str, Any], field: str) -> str:
    """A title or name as plain text, read once by its declared type."""
    detail = raw.get(f"{field}_detail") or {}
    return feed_text(valid_unicode(str(raw.get(field) or "")), detail.get("type"))


def _detail_lang(raw: Mapping[str, Any]) -> str | None:
    details = [*(raw.get("content") or []), raw.get("summary_detail"), raw.get("title_detail")]
    for detail in details:
        if detail and detail.get("language"):
            return str(detail["language"])
    return None


def _published(raw: Mapping[str, Any]) -> datetime | None:
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps updated to published with a DeprecationWarning.
        value = dict.get(raw, field) if isinstance(raw, dict) else raw.get(field)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _ttl(value: object) -> timedelta | None:
    """RSS <ttl> is in minutes; absurd values are ignored."""
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return timedelta(minutes=minutes) if 0 < minutes <= 7 * 24 * 60 else None


def _problem(parsed: Mapping[str, Any]) -> str | None:
    """What was wrong with the document, ignoring what is harmless to a reader."""
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if error is None:
        return "ill-formed"
    name = type(error).__name__
    # A missing or generic Content-Type (a feed read from a file, say) changes nothing.
    if name in BENIGN_PROBLEMS:
        return None
    return _clean(f"{name}: {error}")[:300]


def _not_a_feed_reason(body: bytes, headers: Mapping[str, str], problem: str | None) -> str:
    head = body[:512].lstrip().lower()
    content_type = headers.get("content-type", "")
    if not head:
        return "the body is empty"
    if head.startswith((b"<!doctype html", b"<html")) or "html" in content_type:
        return "it is an HTML page"
    if head.startswith((b"{", b"[")) or "json" in content_type:
        return "it is JSON"
    if content_type.startswith(("image/", "audio/", "video/")):
        return f"it is {content_type.split(';')[0]}"
    return problem or "no entries found"


def _clean(text: object) -> str:
    return " ".join(valid_unicode(str(text or "")).split())
