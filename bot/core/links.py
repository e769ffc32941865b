"""Links that lead somewhere: an entry's web address, never an id, entities decoded once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import unescape
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

MAX_LINK_CHARS: Final = 2048
WEB_SCHEMES: Final = ("http", "https")
# Only complete references (with their ";"): "&copy=2" in a query string is not "©=2".
_ENTITY_RE: Final = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
_INVISIBLE_RE: Final = re.compile(
    r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
HTML_TYPES: Final = ("text/html", "application/xhtml+xml", "")


def normalize_link(url: str) -> str:
    """A web link as a browser would follow it, or "" if it is not an http(s) address.

    Entities are decoded once (a feed that escaped its links twice gives "&#45;"), control,
    zero-width and space characters are removed, the scheme and host are lower-cased.
    """
    url = _INVISIBLE_RE.sub("", _ENTITY_RE.sub(lambda m: unescape(m.group(0)), url))
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return ""
    netloc = parts.netloc.rsplit("@", 1)
    netloc[-1] = netloc[-1].lower()
    scheme = parts.scheme.lower()
    return urlunsplit((scheme, "@".join(netloc), parts.path, parts.query, parts.fragment))


def is_linkable(url: str) -> bool:
    """Whether a reader may be given this URL as a link: http(s), and not absurdly long."""
    return bool(url) and len(url) <= MAX_LINK_CHARS and normalize_link(url) == url


def entry_link(raw: Mapping[str, Any], body: bytes) -> str:
    """An entry's web link: its alternate http(s) link, else an http(s) id, else "".

    Never an id such as urn:, tag: or at:, and never a guid that was relative: feedparser
    resolves those against the feed's address, which makes up a page that does not exist.
    """
    links: Sequence[Mapping[str, Any]] = raw.get("links") or []
    alternates = [
        link for link in links if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    # An HTML page first: podcasts list their audio as alternates too.
    alternates.sort(key=lambda link: str(link.get("type") or "") not in HTML_TYPES)
    for link in alternates:
        href = str(link["href"])
        if found := normalize_link(href) or _text_of_link(href, body):
            return _bounded(found)
    if raw.get("guidislink") is False:
        return ""
    guid = str(raw.get("id") or raw.get("link") or "")
    found = normalize_link(guid)
    # A guid resolved from a relative one does not appear as written in the document.
    if found and (guid.encode() in body or guid.replace("&", "&amp;").encode() in body):
        return _bounded(found)
    return ""


def _text_of_link(href: str, body: bytes) -> str:
    """The web address written as the text of a <link> whose attribute feedparser took.

    `<link uri="at://did:plc:…">https://example.com/item</link>`: the attribute is an id,
    the text is the page.
    """
    pattern = (
        rb"<link\b[^>]*=[\"']" + re.escape(href.encode()) + rb"[\"'][^>]*>\s*([^<\s]+)\s*</link>"
    )
    match = re.search(pattern, body)
    return normalize_link(match.group(1).decode("utf-8", "replace")) if match else ""


def _bounded(url: str) -> str:
    return url if len(url) <= MAX_LINK_CHARS else ""
