"""The outbox: deliveries written by save_poll, drained by the dispatcher."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import Delivery
from bot.adapters.store.rows import delivery_from_row, to_text
from bot.core.models import DeliveryStatus


class Outbox(StoreBase):
    """The deliveries table."""

    async def pending_deliveries(
        self, limit: int, *, now: datetime | None = None
    ) -> list[Delivery]:
        """Pending rows, the earliest due first; only those due by `now` when given."""
        due = None if now is None else to_text(now)
        rows = await self._fetchall(
            """
            SELECT * FROM deliveries
            WHERE status = ? AND (? IS NULL OR due_at <= ?)
            ORDER BY due_at, id
            LIMIT ?
            """,
            (DeliveryStatus.PENDING, due, due, limit),
        )
        return [delivery_from_row(row) for row in rows]

    async def count_deliveries(self) -> dict[DeliveryStatus, int]:
        """How many outbox rows are in each status, zero included."""
        rows = await self._fetchall("SELECT status, count(*) FROM deliveries GROUP BY status")
        counts = dict.fromkeys(DeliveryStatus, 0)
        for row in rows:
            counts[DeliveryStatus(row[0])] = int(row[1])
        return counts

    async def claim_deliveries(self, now: datetime, limit: int, worker: str) -> list[Delivery]:
        """Claim up to `limit` due pending rows for `worker`, the earliest due first.

        A claimed row is never claimed again until it is released; a row left claimed by a
        process that died is handed back by `release_claims`.
        """
        async with self._transaction() as db:
            cursor = await db.execute(
                """
                UPDATE deliveries SET status = ?, claimed_at = ?, claimed_by = ?,
                    attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM deliveries WHERE status = ? AND due_at <= ?
                    ORDER BY due_at, id LIMIT ?
                )
                RETURNING *
                """,
                (
                    DeliveryStatus.CLAIMED,
                    to_text(now),
                    worker,
                    DeliveryStatus.PENDING,
                    to_text(now),
                    limit,
                ),
            )
            rows = await cursor.fetchall()
        return sorted((delivery_from_row(row) for row in rows), key=lambda d: (d.due_at, d.id))

    async def mark_sent(self, delivery_id: int, message_id: int, sent_at: datetime) -> None:
        """Record a delivery as sent, with Telegram's message id."""
        await self._write(
            "UPDATE deliveries SET status = ?, message_id = ?, sent_at = ?, last_error = NULL "
            "WHERE id = ?",
            (DeliveryStatus.SENT, message_id, to_text(sent_at), delivery_id),
        )

    async def retry_delivery(self, delivery_id: int, error: str, due_at: datetime) -> None:
        """Hand a claimed row back to pending, due again at `due_at`."""
        await self._write(
            "UPDATE deliveries SET status = ?, due_at = ?, last_error = ?, claimed_at = NULL, "
            "claimed_by = NULL WHERE id = ?",
            (DeliveryStatus.PENDING, to_text(due_at), error[:500], delivery_id),
        )

    async def fail_delivery(self, delivery_id: int, error: str) -> None:
        """Give up on a delivery; it is counted as failed."""
        await self._write(
            "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
            (DeliveryStatus.FAILED, error[:500], delivery_id),
        )

    async def cancel_chat_deliveries(self, chat_id: int, reason: str) -> int:
        """Cancel every pending or claimed row of a chat; returns how many."""
        return await self._write(
            "UPDATE deliveries SET status = ?, last_error = ? WHERE chat_id = ? "
            "AND status IN (?, ?)",
            (
                DeliveryStatus.CANCELLED,
                reason[:500],
                chat_id,
                DeliveryStatus.PENDING,
                DeliveryStatus.CLAIMED,
            ),
        )

    async def release_claims(self, worker: str | None = None) -> int:
        """Hand claimed rows back to pending (all, or all but `worker`'s); returns how many."""
        return await self._write(
            "UPDATE deliveries SET status = ?, claimed_at = NULL, claimed_by = NULL "
            "WHERE status = ? AND (? IS NULL OR claimed_by IS NOT ?)",
            (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, worker, worker),
        )
