"""The lead image: the one its publisher chose, from the feed, the page, or the content."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import urljoin

from bot.core.links import normalize_link
from bot.core.models import Entry

IMAGE_MEDIUMS: Final = ("image",)
PAGE_IMAGE_PROPERTIES: Final = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)
# A declared size this small is a tracking pixel or a spacer, not a picture.
MAX_PIXEL_SIDE: Final = 2
# Paths and hosts of well-known tracking pixels, counters and spacers.
_PIXEL_RE: Final = re.compile(
    r"/(?:pixel|spacer|blank|1x1|transparent|clear|dot|count)\.(?:gif|png)(?:$|[?#])"
    r"|/[btp]\.gif(?:$|[?#])"
    r"|feeds\.feedburner\.com/~r/|feedsportal\.com|stats\.wordpress\.com|pixel\.wp\.com"
    r"|doubleclick\.net|/(?:pixel|beacon|track)/"
    # A site's icon is no picture of the article.
    r"|favicon|\.ico(?:$|[?#])",
    re.IGNORECASE,
)


def feed_image(raw: Mapping[str, Any], base: str) -> str:
    """An entry's image as its feed gives it: media:content or media:thumbnail that is an
    image, else an image/* enclosure, else Hatena Bookmark's hatena:imageurl."""
    media: Sequence[Mapping[str, Any]] = raw.get("media_content") or []
    for item in media:
        kind = str(item.get("type") or "")
        medium = str(item.get("medium") or "")
        is_image = medium in IMAGE_MEDIUMS or kind.startswith("image/")
        if is_image and (url := image_url(str(item.get("url") or ""), base)):
            return url
    for item in raw.get("media_thumbnail") or []:
        if url := image_url(str(item.get("url") or ""), base):
            return url
    for item in raw.get("enclosures") or []:
        is_image = str(item.get("type") or "").startswith("image/")
        if is_image and (url := image_url(str(item.get("href") or ""), base)):
            return url
    return image_url(str(raw.get("hatena_imageurl") or ""), base)


def lead_image(entry: Entry, page_image: str = "") -> str:
    """The feed's image, else the article page's og:image, else the content's first <img>."""
    return entry.image or page_image or content_image(entry.html, entry.link)


def image_url(url: str, base: str) -> str:
    """An http(s) image address resolved against `base`; "" for data: URIs and pixels."""
    url = url.strip()
    if not url or url.lower().startswith("data:"):
        return ""
    found = normalize_link(urljoin(base, url)) if base else normalize_link(url)
    return "" if not found or _PIXEL_RE.search(found) else found


class _Images(HTMLParser):
    """Collects a page's og:image / twitter:image and its <img> tags with declared sizes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.images: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key in PAGE_IMAGE_PROPERTIES and key not in self.meta:
                self.meta[key] = values.get("content", "")
        elif tag == "img":
            source = values.get("src") or values.get("data-src") or ""
            self.images.append((source, values.get("width", ""), values.get("height", "")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def page_image(html: str, url: str) -> str:
    """The image a page declares for sharing: og:image, else twitter:image."""
    parser = _scan(html)
    for key in PAGE_IMAGE_PROPERTIES:
        if found := image_url(parser.meta.get(key, ""), url):
            return found
    return ""


def content_image(html: str, base: str) -> str:
    """The first sizable <img> of an article's HTML: not a pixel, a spacer or a data: URI."""
    if "<img" not in html.lower():
        return ""
    for source, width, height in _scan(html).images:
        if _is_tiny(width) or _is_tiny(height):
            continue
        if found := image_url(source, base):
            return found
    return ""


def _scan(html: str) -> _Images:
    parser = _Images()
    parser.feed(html)
    parser.close()
    return parser


def _is_tiny(side: str) -> bool:
    digits = side.strip().lower().removesuffix("px")
    return digits.isdigit() and int(digits) <= MAX_PIXEL_SIDE
