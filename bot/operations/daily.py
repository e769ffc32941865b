"""Daily digests and the catch-up on resuming: queued in the outbox, one message per batch key."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.adapters.store import Store
from bot.core.daily import catch_up_batch_key, daily_batch_key, daily_due, daily_since

log = logging.getLogger(__name__)


async def queue_daily_digests(store: Store, now: datetime) -> int:
    """Queue the digest of every daily reader whose time has come today; the rows written."""
    queued = 0
    for chat in await store.daily_chats():
        last = chat.last_digest_at
        day = daily_due(
            now, zone=chat_zone(chat.timezone), at=chat.daily_time, last_digest_at=last
        )
        if day is None:
            continue
        written = await store.write_daily_digest(
            chat.id,
            since=daily_since(now, last),
            now=now,
            batch_key=daily_batch_key(chat.id, day),
            last_digest_at=last,
        )
        log.info("daily digest for chat %s on %s: %s articles", chat.id, day, written)
        queued += written or 0
    return queued


async def resume(store: Store, chat_id: int, now: datetime) -> bool:
    """Resume pushes to a chat with one catch-up digest of what it missed; False if unknown."""
    written = await store.resume_chat(chat_id, now=now, batch_key=catch_up_batch_key(chat_id, now))
    if written:
        log.info("chat %s resumed: %d articles to catch up on", chat_id, written)
    return written is not None


def chat_zone(name: str) -> tzinfo:
    """The chat's timezone; UTC if the stored name is not one this system knows."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
