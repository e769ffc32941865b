"""Counts for the admins' /stats: chats, the outbox over a recent window, feed health."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.store.base import StoreBase
from bot.adapters.store.rows import feed_from_row, from_text, to_text
from bot.core.models import BotStats, DeliveryStatus, Feed


class Stats(StoreBase):
    """Read-only queries across tables, for reports."""

    async def bot_stats(self, since: datetime) -> BotStats:
        """Counts now, with sent, failed and unconfirmed deliveries counted from `since` on."""
        after = to_text(since)
        row = await self._fetchone(
            """
            SELECT
                (SELECT count(*) FROM topics),
                (SELECT count(*) FROM feeds),
                (SELECT count(DISTINCT s.chat_id) FROM subscriptions s
                    JOIN chats c ON c.id = s.chat_id WHERE c.active = 1),
                (SELECT count(*) FROM chats WHERE active = 0),
                (SELECT count(*) FROM chats WHERE active = 1 AND paused = 1),
                (SELECT count(*) FROM deliveries WHERE status IN (?, ?)),
                (SELECT count(*) FROM deliveries WHERE status = ? AND sent_at >= ?),
                -- A failed row keeps the time of its last attempt in claimed_at.
                (SELECT count(*) FROM deliveries
                    WHERE status = ? AND coalesce(claimed_at, created_at) >= ?),
                (SELECT count(*) FROM feeds WHERE failures > 0 AND disabled = 0),
                (SELECT count(*) FROM feeds WHERE disabled = 1),
                (SELECT count(*) FROM deliveries WHERE status = ? AND sent_at >= ?)
            """,
            (
                DeliveryStatus.PENDING,
                DeliveryStatus.CLAIMED,
                DeliveryStatus.SENT,
                after,
                DeliveryStatus.FAILED,
                after,
                DeliveryStatus.UNCONFIRMED,
                after,
            ),
        )
        assert row is not None, "a SELECT of counts always returns one row"
        return BotStats(*(int(value) for value in row))

    async def unhealthy_feeds(self, limit: int) -> list[Feed]:
        """Failing or disabled feeds, the most failures first."""
        rows = await self._fetchall(
            """
            SELECT * FROM feeds WHERE failures > 0 OR disabled = 1
            ORDER BY disabled DESC, failures DESC, id
            LIMIT ?
            """,
            (limit,),
        )
        return [feed_from_row(row) for row in rows]

    async def chats_by_kind(self) -> dict[str, int]:
        """Active chats by Telegram kind (private, group, supergroup, channel)."""
        rows = await self._fetchall(
            "SELECT kind, count(*) FROM chats WHERE active = 1 GROUP BY kind"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def oldest_due(self, now: datetime) -> datetime | None:
        """When the longest-waiting pending row that is due by `now` fell due, if any."""
        row = await self._fetchone(
            "SELECT min(due_at) FROM deliveries WHERE status = ? AND due_at <= ?",
            (DeliveryStatus.PENDING, to_text(now)),
        )
        return from_text(row[0]) if row is not None else None
