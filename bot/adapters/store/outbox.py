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
