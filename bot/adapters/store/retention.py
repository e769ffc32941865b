"""Retention: deleting finished outbox rows, their 429 counts and old articles, so the database
stays bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.adapters.store.base import StoreBase
from bot.adapters.store.rows import to_text
from bot.adapters.store.stats import HOUR_CHARS
from bot.core.models import DeliveryStatus

# Deleted in batches, each one statement, so chat handlers get the connection in between.
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
        """Delete outbox rows done with (sent, unconfirmed, cancelled, failed) due before then."""
        return await self._delete_in_batches(
            """
            DELETE FROM deliveries WHERE id IN (
                SELECT id FROM deliveries WHERE status IN (?, ?, ?, ?) AND due_at < ? LIMIT ?
            )
            """,
            (*FINISHED, to_text(before)),
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
