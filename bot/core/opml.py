"""OPML: read the feed list of an OPML document safely, plan its import, and write one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Final
from urllib.parse import urlsplit

from bot.errors import DigestbotError

MAX_OPML_BYTES: Final = 1024 * 1024
MAX_IMPORT_FEEDS: Final = 200
MAX_URL_CHARS: Final = 2048
FEED_SCHEMES: Final = ("http", "https")
DECLARED_ENCODING: Final = re.compile(
    rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']"
)


class OpmlError(DigestbotError):
    """The document is not an OPML file we will read."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline: its URL, its title and the category outline it sits in."""

    url: str
    title: str = ""
    category: str = ""


@dataclass(frozen=True)
class Opml:
    """What an OPML document lists."""

    title: str
    feeds: tuple[OpmlFeed, ...]


@dataclass(frozen=True)
class OpmlGroup:
    """A category outline to write: a topic and its feeds."""

    title: str
    feeds: tuple[OpmlFeed, ...]


@dataclass(frozen=True)
class Refused:
    """A feed an import will not try, and why (a technical reason, in English)."""

    url: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """What an import does with each listed feed."""

    to_add: tuple[OpmlFeed, ...]
    duplicates: tuple[OpmlFeed, ...]
    refused: tuple[Refused, ...]


class _DoctypeRefused(Exception):
    """Raised from the tree builder to stop the parser at a DOCTYPE."""


class _NoDoctypeBuilder(ET.TreeBuilder):
    """A TreeBuilder that stops at any DOCTYPE: no entity declarations, so no expansion."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        """Called by the parser at a DOCTYPE declaration, before its internal subset."""
        raise _DoctypeRefused(name)


def parse_opml(data: bytes) -> Opml:
    """The feeds an OPML document lists, nested categories included; OpmlError if it is not."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the document is over {MAX_OPML_BYTES // 1024} KiB")
    root = _parse_xml(data)
    if _local(root.tag) != "opml":
        raise OpmlError(f"the root element is <{_local(root.tag)}>, not <opml>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("there is no <body> element")
    head = next((child for child in root if _local(child.tag) == "head"), None)
    title = ""
    if head is not None:
        title_element = next((c for c in head if _local(c.tag) == "title"), None)
        title = (title_element.text or "").strip() if title_element is not None else ""
    return Opml(title=title, feeds=tuple(_feeds(body, "")))


def plan_import(feeds: Sequence[OpmlFeed], known_urls: Iterable[str]) -> ImportPlan:
    """Split listed feeds into new ones to add, duplicates, and URLs refused outright."""
    seen = set(known_urls)
    to_add: list[OpmlFeed] = []
    duplicates: list[OpmlFeed] = []
    refused: list[Refused] = []
    for feed in feeds:
        if not is_http_url(feed.url):
            refused.append(Refused(feed.url, "not an http(s) URL"))
        elif len(feed.url) > MAX_URL_CHARS:
            refused.append(Refused(feed.url, f"URL over {MAX_URL_CHARS} characters"))
        elif feed.url in seen:
            duplicates.append(feed)
        else:
            seen.add(feed.url)
            to_add.append(feed)
    return ImportPlan(tuple(to_add), tuple(duplicates), tuple(refused))


def is_http_url(url: str) -> bool:
    """Whether a feed URL is http or https with a host (its length is checked apart)."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in FEED_SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def build_opml(title: str, groups: Sequence[OpmlGroup], now: datetime) -> bytes:
    """An OPML 2.0 document: one category outline per group holding its feed outlines."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for group in groups:
        name = _clean(group.title)
        category = ET.SubElement(body, "outline", text=name, title=name)
        for feed in group.feeds:
            label = _clean(feed.title) or _clean(feed.url)
            ET.SubElement(
                category, "outline", type="rss", text=label, title=label, xmlUrl=_clean(feed.url)
            )
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _parse_xml(data: bytes) -> ET.Element:
    """The root element; OpmlError for ill-formed XML or any DOCTYPE."""
    try:
        try:
            return _feed_parser(data)
        except (ValueError, LookupError):
            # Expat reads no multi-byte legacy encoding (Shift_JIS, EUC-JP): Python decodes.
            return _feed_parser(_decode_declared(data))
    except _DoctypeRefused:
        raise OpmlError("DOCTYPE and ENTITY declarations are not allowed") from None
    except ET.ParseError as error:
        raise OpmlError(f"not well-formed XML ({error})") from None


def _feed_parser(document: bytes | str) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctypeBuilder())
    parser.feed(document)
    root: ET.Element = parser.close()
    return root


def _decode_declared(data: bytes) -> str:
    """The document as text, decoded with the encoding its XML declaration names."""
    match = DECLARED_ENCODING.match(data)
    codec = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        raise OpmlError(f"cannot read the document as {codec}") from None


def _feeds(parent: ET.Element, category: str) -> Iterator[OpmlFeed]:
    """Feed outlines under parent, depth first; a non-feed outline names a category."""
    for outline in parent:
        if _local(outline.tag) != "outline":
            continue
        attributes = {key.lower(): value for key, value in outline.attrib.items()}
        label = (attributes.get("title") or attributes.get("text") or "").strip()
        url = (attributes.get("xmlurl") or "").strip()
        if url:
            yield OpmlFeed(url=url, title=label, category=category)
        else:
            yield from _feeds(outline, label or category)


def _local(tag: object) -> str:
    """A tag without its {namespace}; comments and processing instructions have none."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return (
        "".join(
            char
            for char in text
            if char in "\t\n\r"
            or ("\x20" <= char <= "\ud7ff")
            or ("\ue000" <= char <= "\U0010ffff")
        )
        .replace("\ufffe", "")
        .replace("\uffff", "")
    )
