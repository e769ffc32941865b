"""The store's own types: chats, outbox rows and claims, articles to save, and its errors."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
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


@dataclass(frozen=True, slots=True)
class Claimed:
    """Outbox rows of one chat, claimed together to go out as one message: a single push's row,
    or every row of a batch (a burst of articles, a daily digest).

    A burst of 20 articles to 10,000 chats is 10,000 of these, not 200,000 rows to build,
    queue and record one by one.
    """

    ids: tuple[int, ...]  # the rows, oldest first
    article_ids: tuple[int, ...]  # their articles, in the same order
    chat_id: int
    thread_id: int | None  # the first row's forum topic, if any
    batch_key: str | None
    attempts: int  # sends tried so far, this claim's included (the most of its rows')
    timeouts: int  # of those, sends that timed out without an answer (the most of its rows')
    due_at: datetime  # its earliest row's
    created_at: datetime  # its earliest row's: when the poll that brought it wrote it


def claimed_ids(claims: Collection[Claimed]) -> list[int]:
    """The row ids of claims, in order."""
    return [row for claim in claims for row in claim.ids]


def without_articles(
    claims: Collection[Claimed], articles: Collection[int]
) -> tuple[list[Claimed], list[int]]:
    """The claims but the rows of `articles` (a claim left with none is dropped), and their ids."""
    kept: list[Claimed] = []
    left_out: list[int] = []
    for claim in claims:
        rows = list(zip(claim.ids, claim.article_ids, strict=True))
        gone = [row for row, article in rows if article in articles]
        left_out.extend(gone)
        if not gone:
            kept.append(claim)
        elif len(gone) < len(rows):
            staying = [(row, article) for row, article in rows if article not in articles]
            ids, article_ids = zip(*staying, strict=True)
            kept.append(replace(claim, ids=ids, article_ids=article_ids))
    return kept, left_out
