"""Feed discovery: the feeds a web page names with <link rel="alternate">."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urljoin

from bot.core.links import normalize_link
from bot.core.text import clean_text
from bot.errors import ParseError

FEED_TYPES: Final = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS",
}
MAX_FOUND: Final = 10
# Page furniture rather than the site's articles: dropped when the page names another feed.
_SIDE_FEED_WORDS: Final = ("comments", "コメント")


class FeedsOnPage(ParseError):
    """The URL is a web page, which names these feeds."""

    def __init__(self, page_url: str, feeds: tuple[FoundFeed, ...]) -> None:
        """A page and the feeds it names (at least one)."""
        names = ", ".join(feed.url for feed in feeds)
        super().__init__(f"not a feed but a web page, which names feeds: {names}")
        self.page_url = page_url
        self.feeds = feeds


@dataclass(frozen=True)
class FoundFeed:
    """A feed a page names: its address, its title, and its format (RSS, Atom, JSON Feed)."""

    url: str
    title: str
    kind: str


class _AlternateLinks(HTMLParser):
    """Collects <base href> and the <link rel="alternate"> tags of feed types."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag != "link" or "alternate" not in values.get("rel", "").lower().split():
            return
        kind = FEED_TYPES.get(values.get("type", "").split(";")[0].strip().lower())
        if kind and values.get("href"):
            self.links.append((values["href"], values.get("title", ""), kind))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def discover_feeds(html: str, page_url: str) -> tuple[FoundFeed, ...]:
    """The feeds a page names, resolved against it, each once, comment feeds last or gone."""
    parser = _AlternateLinks()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found: dict[str, FoundFeed] = {}
    for href, title, kind in parser.links:
        url = normalize_link(urljoin(base, href.strip()))
        if url and url not in found:
            found[url] = FoundFeed(url, clean_text(title), kind)
    feeds = list(found.values())[:MAX_FOUND]
    main = [f for f in feeds if not _is_side_feed(f)]
    return tuple(main or feeds)


def _is_side_feed(feed: FoundFeed) -> bool:
    text = f"{feed.title} {feed.url}".lower()
    return any(word in text for word in _SIDE_FEED_WORDS)
