"""The store's own types: chats, outbox rows, articles to save, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Final

from bot.core.models import DeliveryStatus, Digest, Entry
from bot.errors import StoreError

DEFAULT_DAILY_TIME: Final = time(8, 0)
DEFAULT_TIMEZONE: Final = "UTC"


class DuplicateError(StoreError):
    """The row exists already (a topic slug, or a feed URL in its topic)."""


class NotFoundError(StoreError):
    """The row is gone, e.g. a feed removed while it was being polled."""


class ChatKind(StrEnum):
    """Telegram's chat type."""

    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class DeliveryMode(StrEnum):
    """How a chat gets its digests: each as it arrives, or once a day."""

    INSTANT = "instant"
    DAILY = "daily"


@dataclass(frozen=True)
class Chat:
    """A chat the bot talks to, with its reader settings."""

    id: int
    kind: ChatKind
    title: str = ""
    language: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    mode: DeliveryMode = DeliveryMode.INSTANT
    daily_time: time = DEFAULT_DAILY_TIME
    quiet_start: time | None = None
    quiet_end: time | None = None
    paused: bool = False
    active: bool = True
    paused_at: datetime | None = None
    last_digest_at: datetime | None = None


@dataclass(frozen=True)
class NewArticle:
    """A new feed entry to save, with its digest when it could be condensed.

    `push` False keeps it out of the outbox (the topic's keyword filters refused it).
    """

    entry: Entry
    digest: Digest | None
    push: bool = True
    canonical_url: str | None = None
    page_text: str | None = None  # the article page's main text, fetched once
    page_error: str | None = None  # why the page could not be used; never fetched again


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: an article due to a chat."""

    id: int
    chat_id: int
    article_id: int
    thread_id: int | None
    status: DeliveryStatus
    attempts: int
    due_at: datetime
    created_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    sent_at: datetime | None = None
    message_id: int | None = None
    last_error: str | None = None
    batch_key: str | None = None
    timeouts: int = 0  # sends that timed out without an answer (each may have been posted)
