"""The data digestbot works on: frozen dataclasses shared by the core and the adapters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.errors import FetchError


@dataclass(frozen=True)
class Source:
    """A cited or original article: where a reader can read more."""

    title: str
    url: str


@dataclass(frozen=True)
class Page:
    """One section of an article: a heading and its ✅ bullets."""

    heading: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """What the summarizer makes of one article's text."""

    lede: str
    key_points: tuple[str, ...]
    pages: tuple[Page, ...] = ()


@dataclass(frozen=True)
class Digest:
    """An article condensed: stored once, rendered per reader language."""

    title: str
    url: str
    source_name: str
    published: datetime | None
    lang: str
    lede: str
    key_points: tuple[str, ...]
    pages: tuple[Page, ...] = ()
    sources: tuple[Source, ...] = ()
    next_url: str | None = None
    next_title: str | None = None
    image: str = ""  # the lead image, shown through Telegram's link preview

    @property
    def all_sources(self) -> tuple[Source, ...]:
        """The article itself first, then each cited source once."""
        own = Source(self.source_name or self.title, self.url)
        seen, result = {own.url}, [own]
        for source in self.sources:
            if source.url not in seen:
                seen.add(source.url)
                result.append(source)
        return tuple(result)


@dataclass(frozen=True)
class Entry:
    """One feed entry as parsed, before it is condensed."""

    key: str
    title: str
    link: str
    html: str
    published: datetime | None
    lang: str
    image: str = ""  # the lead image the feed gives (media:content, an enclosure, JSON Feed)
    # The publisher's own summary (RSS description, Atom summary, JSON Feed summary) as plain
    # text, when the entry carries its content besides: a candidate dek for the lede.
    description: str = ""


@dataclass(frozen=True)
class ParsedFeed:
    """A feed document: its metadata, its entries, and the problem if it was ill-formed."""

    title: str
    link: str
    lang: str
    entries: tuple[Entry, ...]
    ttl: timedelta | None = None
    problem: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one HTTP fetch; failures are values in `error`, never raised."""

    url: str
    status: int = 0
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    modified: str | None = None
    retry_after: timedelta | None = None
    max_age: timedelta | None = None
    error: FetchError | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 to a conditional GET."""
        return self.status == 304 and self.error is None


class LinkPreview(StrEnum):
    """What Telegram's link preview above a push shows (DIGESTBOT_LINK_PREVIEW, or per topic)."""

    IMAGE = "image"  # the article's lead image, large; none when it has none
    ARTICLE = "article"  # Telegram's preview of the article page
    OFF = "off"  # no preview


@dataclass(frozen=True)
class Topic:
    """A named group of feeds that people subscribe to."""

    id: int
    slug: str
    name: str
    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    link_preview: LinkPreview | None = None  # None: DIGESTBOT_LINK_PREVIEW decides


@dataclass(frozen=True)
class Feed:
    """A feed URL in a topic, with its cache validators and health."""

    id: int
    topic_id: int
    url: str
    title: str = ""
    etag: str | None = None
    modified: str | None = None
    next_poll_at: datetime | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    problem: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None

    @property
    def never_polled(self) -> bool:
        """True until a poll has succeeded once: its entries are the backlog, not news."""
        return self.last_success_at is None


class DeliveryStatus(StrEnum):
    """Where an outbox row stands."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # A send timed out, and so did (or failed) its one resend: Telegram may have posted it.
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class BotStats:
    """How the bot is doing: subscribers, deliveries since a moment, and feed health."""

    topics: int
    feeds: int
    subscribers: int
    inactive_chats: int
    paused_chats: int
    pending: int
    sent: int
    failed: int
    failing_feeds: int
    disabled_feeds: int
    unconfirmed: int = 0  # sends that timed out, maybe delivered, since the same moment
