"""What the operations chat and CLI share return: one frozen dataclass per outcome.

The operations (`bot.operations`) decide; the front ends render these, with `core` renderers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.discovery import FoundFeed
from bot.core.models import Feed, Topic
from bot.core.opml import MAX_IMPORT_FEEDS, Refused
from bot.core.polls import PollReport
from bot.core.topics import MAX_NAME_CHARS


@dataclass(frozen=True)
class NoSuchTopic:
    """No topic has that slug; the closest one, and whether there are topics at all."""

    name: str
    guess: str | None
    any_topics: bool


@dataclass(frozen=True)
class BadSlug:
    """A slug that breaks the slug rule (`core.topics.is_valid_slug`)."""

    slug: str


@dataclass(frozen=True)
class BadName:
    """A topic name that is empty or longer than MAX_NAME_CHARS."""

    max_chars: int = MAX_NAME_CHARS


@dataclass(frozen=True)
class TopicExists:
    """The slug is taken."""

    slug: str


@dataclass(frozen=True)
class TopicAdded:
    """A new topic."""

    topic: Topic


@dataclass(frozen=True)
class TopicRenamed:
    """A topic with a new name; `old` is how it was."""

    old: Topic
    topic: Topic


@dataclass(frozen=True)
class TopicRemoved:
    """A topic removed with its feeds, and the chats that were subscribed to it."""

    topic: Topic
    chat_ids: tuple[int, ...]


@dataclass(frozen=True)
class NoSuchFeed:
    """No feed has that id or URL."""

    ref: str


@dataclass(frozen=True)
class AmbiguousFeed:
    """The URL is a feed of several topics: the caller must name one by its id."""

    feeds: tuple[Feed, ...]


@dataclass(frozen=True)
class FeedAdded:
    """A feed checked and stored, its backlog marked as seen."""

    topic: Topic
    report: PollReport
    found_on: str | None = None  # the web page that named the feed, when one was given


@dataclass(frozen=True)
class FeedAlreadyThere:
    """The topic has this feed already."""

    topic: Topic
    url: str


@dataclass(frozen=True)
class FeedRefused:
    """The URL gave no usable feed; nothing was stored."""

    url: str
    reason: str


@dataclass(frozen=True)
class FeedChoices:
    """The URL is a web page that names several feeds: the caller must pick one."""

    topic: Topic
    page_url: str
    feeds: tuple[FoundFeed, ...]


@dataclass(frozen=True)
class FeedRemoved:
    """A feed removed with its articles; the topic it was in."""

    feed: Feed
    topic: Topic | None


@dataclass(frozen=True)
class FeedEnabled:
    """A feed polled again; `was_disabled` is False when it had not been disabled."""

    feed: Feed
    was_disabled: bool


@dataclass(frozen=True)
class SubscriptionChanged:
    """Where a chat stands with a topic now; `changed` is False when it already stood there."""

    topic: Topic
    subscribed: bool
    changed: bool


@dataclass(frozen=True)
class NotOpml:
    """The document is not an OPML file we will read."""

    reason: str


@dataclass(frozen=True)
class TooManyFeeds:
    """The document lists more new feeds than one import takes."""

    count: int
    limit: int = MAX_IMPORT_FEEDS


@dataclass(frozen=True)
class Imported:
    """How an import ended for each feed it listed."""

    topic: Topic
    added: int
    duplicates: int
    refused: tuple[Refused, ...]


@dataclass(frozen=True)
class Exported:
    """An OPML document of every topic and its feeds."""

    body: bytes
    topics: int
    feeds: int


FeedLookup = Feed | NoSuchFeed | AmbiguousFeed
AddOutcome = FeedAdded | FeedAlreadyThere | FeedRefused | FeedChoices
ImportOutcome = Imported | NotOpml | TooManyFeeds
