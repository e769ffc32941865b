"""Counts for the admins' /stats: chats, the outbox over a recent window, feed health, and the
hourly counts its chart is drawn from (pushes per topic, failures, Telegram's 429s)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from bot.adapters.store.base import StoreBase
from bot.adapters.store.rows import feed_from_row, from_text, to_text
from bot.core.chart import ThrottleHour, TopicHour
from bot.core.models import BotStats, DeliveryStatus, Feed

HOUR_CHARS: Final = 13  # "2025-01-31T08" of a stored time: its UTC hour
FAILED: Final = DeliveryStatus.FAILED.value
COUNTED: Final = ", ".join(
    f"'{status.value}'"
    for status in (DeliveryStatus.SENT, DeliveryStatus.UNCONFIRMED, DeliveryStatus.FAILED)
)
# Each outbox row the /stats chart counts, as (hour, topic_id, sent, failed): sent or maybe sent
# (unconfirmed) at its send, failed at its last attempt (a failed row keeps it in claimed_at).
ROW_PUSHES: Final = f"""
    SELECT substr(CASE WHEN d.status = '{FAILED}' THEN coalesce(d.claimed_at, d.created_at)
                       ELSE d.sent_at END, 1, {HOUR_CHARS}) AS hour,
           f.topic_id AS topic_id, d.status != '{FAILED}' AS sent, d.status = '{FAILED}' AS failed
    FROM deliveries d
    JOIN articles a ON a.id = d.article_id
    JOIN feeds f ON f.id = a.feed_id
    WHERE d.status IN ({COUNTED})
"""


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

    async def pushes_by_hour(self, since: datetime) -> list[TopicHour]:
        """Pushes per UTC hour and topic from `since`'s hour on: sent (or maybe sent), and
        failed. The outbox rows still kept, and push_hours for those deleted (see Retention)."""
        rows = await self._fetchall(
            f"""
            SELECT hour, topic_id, sum(sent), sum(failed) FROM (
                {ROW_PUSHES}
                UNION ALL
                SELECT hour, topic_id, sent, failed FROM push_hours
            )
            WHERE hour >= ?
            GROUP BY hour, topic_id
            ORDER BY hour, topic_id
            """,
            (to_text(since)[:HOUR_CHARS],),
        )
        return [TopicHour(_hour(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]

    async def count_throttled(self, at: datetime, seconds: float) -> None:
        """Count one 429 from Telegram at `at`, which asked to wait `seconds`."""
        await self._write(
            """
            INSERT INTO throttles (hour, waits, seconds) VALUES (?, 1, ?)
            ON CONFLICT (hour) DO UPDATE SET
                waits = waits + 1, seconds = seconds + excluded.seconds
            """,
            (to_text(at)[:HOUR_CHARS], seconds),
        )

    async def throttles_by_hour(self, since: datetime) -> list[ThrottleHour]:
        """Telegram's 429s per UTC hour from the hour of `since` on, and the seconds waited."""
        rows = await self._fetchall(
            "SELECT hour, waits, seconds FROM throttles WHERE hour >= ? ORDER BY hour",
            (to_text(since)[:HOUR_CHARS],),
        )
        return [ThrottleHour(_hour(row[0]), int(row[1]), float(row[2])) for row in rows]


def _hour(text: str) -> datetime:
    """The UTC hour stored as "2025-01-31T08"."""
    return datetime.strptime(text, "%Y-%m-%dT%H").replace(tzinfo=UTC)
