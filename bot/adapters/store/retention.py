"""Retention: deleting finished outbox rows, their 429 counts and old articles, so the database
stays bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.adapters.store.base import StoreBase
from bot.adapters.store.rows import to_text
from bot.adapters.store.stats import HOUR_CHARS, ROW_PUSHES
from bot.core.models import DeliveryStatus

# Deleted in batches, each in a statement or transaction of its own, so that chat handlers get
# the connection in between.
DELETE_BATCH: Final = 500
# An undated entry cannot be told from a new one by its age, only by its stored key: keep
# each feed's newest undated articles, as many as a feed plausibly still lists.
UNDATED_KEPT: Final = 1000
FINISHED: Final = (
    DeliveryStatus.SENT,
    DeliveryStatus.CANCELLED,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNCONFIRMED,
)
UNFINISHED: Final = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)


class Retention(StoreBase):
    """Deletes what the bot no longer needs."""

    async def delete_finished_deliveries(self, before: datetime) -> int:
        """Delete outbox rows done with (sent, unconfirmed, cancelled, failed) due before then.

        Their pushes stay counted per hour and topic in push_hours (the /stats chart), and each
        sent row's article stays had by its chat (reads), both added in the transaction that
        deletes them.
        """
        total = 0
        while True:
            async with self._transaction() as db:
                rows = await db.execute_fetchall(
                    "SELECT id FROM deliveries WHERE status IN (?, ?, ?, ?) AND due_at < ? "
                    "LIMIT ?",
                    (*FINISHED, to_text(before), DELETE_BATCH),
                )
                ids = [int(row[0]) for row in rows]
                if not ids:
                    return total
                marks = ", ".join("?" * len(ids))
                # WHERE true: SQLite's parser needs it before ON CONFLICT in an upsert.
                await db.execute(
                    f"""
                    INSERT INTO push_hours (hour, topic_id, sent, failed)
                    SELECT hour, topic_id, sum(sent), sum(failed)
                    FROM ({ROW_PUSHES} AND d.id IN ({marks})) WHERE true
                    GROUP BY hour, topic_id
                    ON CONFLICT (hour, topic_id) DO UPDATE SET
                        sent = sent + excluded.sent, failed = failed + excluded.failed
                    """,
                    ids,
                )
                # A sent row is what says the chat has had its article (next_unread): a read
                # says so from now on. Written here rather than as each push is recorded, where
                # a fan-out at 1,000 messages a second has no time to spare.
                await db.execute(
                    "INSERT OR IGNORE INTO reads (chat_id, article_id, read_at) "
                    "SELECT chat_id, article_id, sent_at FROM deliveries "
                    f"WHERE status = ? AND id IN ({marks})",
                    (DeliveryStatus.SENT, *ids),
                )
                await db.execute(f"DELETE FROM deliveries WHERE id IN ({marks})", ids)
            total += len(ids)

    async def delete_old_push_hours(self, before: datetime) -> int:
        """Delete the hourly push counts of hours that ended before then; return how many."""
        return await self._write(
            "DELETE FROM push_hours WHERE hour < ?", (to_text(before)[:HOUR_CHARS],)
        )

    async def delete_old_throttles(self, before: datetime) -> int:
        """Delete the hourly 429 counts of hours that ended before then; return how many."""
        return await self._write(
            "DELETE FROM throttles WHERE hour < ?", (to_text(before)[:HOUR_CHARS],)
        )

    async def delete_old_articles(self, before: datetime) -> int:
        """Delete articles published before `before`, with their digests, reads and rows.

        An undated article goes by its fetch time, unless it is among its feed's newest
        UNDATED_KEPT undated ones. An article still due to a chat is kept. Return how many.
        """
        return await self._delete_in_batches(
            """
            DELETE FROM articles WHERE id IN (
                SELECT a.id FROM articles a
                WHERE coalesce(a.published_at, a.fetched_at) < ?
                  AND (a.published_at IS NOT NULL OR a.id NOT IN (
                      SELECT b.id FROM articles b
                      WHERE b.feed_id = a.feed_id AND b.published_at IS NULL
                      ORDER BY b.id DESC LIMIT ?))
                  AND NOT EXISTS (SELECT 1 FROM deliveries x
                                  WHERE x.article_id = a.id AND x.status IN (?, ?))
                LIMIT ?
            )
            """,
            (to_text(before), UNDATED_KEPT, *UNFINISHED),
        )

    async def _delete_in_batches(self, sql: str, params: tuple[object, ...]) -> int:
        """Run a DELETE whose last parameter is the batch size until it deletes nothing."""
        total = 0
        while deleted := await self._write(sql, (*params, DELETE_BATCH)):
            total += deleted
        return total
