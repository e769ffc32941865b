"""The outbox: deliveries written by save_poll, drained by the dispatcher."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import Chat, Claimed, Delivery, claimed_ids
from bot.adapters.store.rows import chat_from_row, delivery_from_row, to_text
from bot.core.models import DeliveryStatus


@dataclass(frozen=True)
class SentMessage:
    """Rows Telegram accepted as one message: its id, when, and the article the chat now reads."""

    claims: Sequence[Claimed]
    chat_id: int
    message_id: int
    sent_at: datetime
    reading: int | None  # a single push's article; None for a combined message


# Below SQLite's historical limit of 999 bound parameters per statement.
MAX_IDS_PER_QUERY: Final = 500

# The earliest due rows, and every pending row sharing a chat and batch key with one of them:
# a batch is claimed whole, so it goes out as one message even when LIMIT cuts through it.
# The rows are found by id (and a batch's by chat, through UNIQUE (chat_id, article_id)): the
# unary + keeps SQLite from walking every pending row in deliveries_due instead, which in a
# burst of articles to many chats is most of the table, at every claim.
# PICK reads them as one JSON array, a message's rows (one row, or a batch's) in one item, and
# CLAIM marks them by id in the same transaction. One row of text rather than thousands of rows
# from UPDATE … RETURNING: sqlite3 hands the GIL back and forth for every row it returns, each
# time waiting for the event loop's thread, which a fan-out keeps busy: that alone held a
# burst's sends near 0.6 of the limit. A batch's rows come as one item, so a burst of 20
# articles is one record to build per chat rather than 20.
PICK: Final = """
    WITH picked AS MATERIALIZED (
        SELECT id, chat_id, batch_key FROM deliveries
        WHERE status = :pending AND due_at <= :now
        ORDER BY due_at, id LIMIT :limit
    ), batches AS MATERIALIZED (
        SELECT DISTINCT chat_id, batch_key FROM picked WHERE batch_key IS NOT NULL
    ), messages AS (
        SELECT chat_id, batch_key, json_group_array(json_array(id, article_id, thread_id)) AS rows,
            max(attempts) AS attempts, max(timeouts) AS timeouts, min(due_at) AS due_at,
            min(created_at) AS created_at
        FROM deliveries
        WHERE +status = :pending AND id IN (
            SELECT id FROM picked
            UNION ALL
            SELECT d.id FROM batches b JOIN deliveries d
                ON d.chat_id = b.chat_id AND d.batch_key = b.batch_key AND +d.status = :pending
        )
        GROUP BY chat_id, batch_key, CASE WHEN batch_key IS NULL THEN id END
    )
    SELECT json_group_array(json_array(chat_id, batch_key, json(rows), attempts, timeouts,
        due_at, created_at))
    FROM messages
"""
CLAIM: Final = """
    UPDATE deliveries SET status = :claimed, claimed_at = :now, claimed_by = :worker,
        attempts = attempts + 1
    WHERE id IN (SELECT value FROM json_each(:ids))
"""

# Claimed messages built into records at a time, about a millisecond's work: the sends paced
# meanwhile go out on time. Built in one go, a claim of 2,500 rows held the event loop for
# about 10 ms; each such turn past the pace's catch-up lost its sends for good, and held a
# burst of 20 articles to 10,000 chats near 0.91 of the limit instead of 0.95.
BUILD_CHUNK: Final = 250

# record_sent_many: each takes a JSON array of arrays: MARK_SENT one per message (its row ids,
# its message id, when), SET_READING one per chat.
MARK_SENT: Final = """
    UPDATE deliveries SET status = ?1, message_id = sent.message_id, sent_at = sent.sent_at,
        last_error = NULL
    FROM (
        SELECT row.value AS id, message.value ->> 1 AS message_id,
            message.value ->> 2 AS sent_at
        FROM json_each(?2) AS message, json_each(message.value -> 0) AS row
    ) AS sent
    WHERE deliveries.id = sent.id
"""
# WHERE true: SQLite's parser needs it before ON CONFLICT in an upsert over a SELECT.
SET_READING: Final = """
    INSERT INTO reading_state (chat_id, article_id, page, updated_at)
    SELECT value ->> 0, value ->> 1, 0, value ->> 2 FROM json_each(?) WHERE true
    ON CONFLICT (chat_id) DO UPDATE SET
        article_id = excluded.article_id, page = 0, updated_at = excluded.updated_at
"""


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

    async def list_deliveries(self, chat_id: int | None = None) -> list[Delivery]:
        """Every outbox row (of one chat), whatever its status, the oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM deliveries WHERE ? IS NULL OR chat_id = ? ORDER BY id",
            (chat_id, chat_id),
        )
        return [delivery_from_row(row) for row in rows]

    async def count_deliveries(self) -> dict[DeliveryStatus, int]:
        """How many outbox rows are in each status, zero included."""
        rows = await self._fetchall("SELECT status, count(*) FROM deliveries GROUP BY status")
        counts = dict.fromkeys(DeliveryStatus, 0)
        for row in rows:
            counts[DeliveryStatus(row[0])] = int(row[1])
        return counts

    async def claim_deliveries(self, now: datetime, limit: int, worker: str) -> list[Claimed]:
        """Claim up to `limit` due pending rows for `worker`, the earliest due first.

        Each `Claimed` is the rows of one message: a row without a batch key on its own, or the
        rest of its batch (same chat, same batch key) with it, past `limit` if need be. A
        claimed row is never claimed again until it is released; a row left claimed by a
        process that died is handed back by `release_claims`.
        """
        now_text = to_text(now)
        params = {
            "pending": DeliveryStatus.PENDING,
            "claimed": DeliveryStatus.CLAIMED,
            "now": now_text,
            "limit": limit,
            "worker": worker,
        }
        async with self._transaction() as db:
            cursor = await db.execute(PICK, params)
            found = await cursor.fetchone()
            messages = json.loads(found[0]) if found is not None else []
            if messages:
                ids = [row[0] for message in messages for row in message[2]]
                await db.execute(CLAIM, params | {"ids": json.dumps(ids)})
        # A burst's claims share a few times: each is parsed once and shared.
        times: dict[str, datetime] = {}

        def when(text: str) -> datetime:
            if (moment := times.get(text)) is None:
                moment = times[text] = datetime.fromisoformat(text)
            return moment

        def build(chunk: Sequence[list[Any]]) -> list[Claimed]:
            built = []
            for chat_id, batch_key, rows, attempts, timeouts, due_at, created_at in chunk:
                rows.sort()  # by id: the order they were written in
                built.append(
                    Claimed(
                        ids=tuple(row[0] for row in rows),
                        article_ids=tuple(row[1] for row in rows),
                        chat_id=chat_id,
                        thread_id=rows[0][2],
                        batch_key=batch_key,
                        attempts=attempts + 1,
                        timeouts=timeouts,
                        due_at=when(due_at),
                        created_at=when(created_at),
                    )
                )
            return built

        # Cancelled between chunks (a stop), the rows stay claimed: the next start hands them back.
        claimed: list[Claimed] = []
        for start in range(0, len(messages), BUILD_CHUNK):
            if start:
                await asyncio.sleep(0)
            claimed.extend(build(messages[start : start + BUILD_CHUNK]))
        claimed.sort(key=lambda claim: (claim.due_at, claim.ids[0]))
        return claimed

    async def mark_sent(self, delivery_id: int, message_id: int, sent_at: datetime) -> None:
        """Record a delivery as sent, with Telegram's message id."""
        await self._write(
            "UPDATE deliveries SET status = ?, message_id = ?, sent_at = ?, last_error = NULL "
            "WHERE id = ?",
            (DeliveryStatus.SENT, message_id, to_text(sent_at), delivery_id),
        )

    async def record_sent(
        self,
        claims: Sequence[Claimed],
        chat_id: int,
        message_id: int,
        sent_at: datetime,
        *,
        reading: int | None,
    ) -> None:
        """Record rows sent as one message (so the chat has had their articles: `next_unread`).

        `reading` is the article the chat now reads (a single push), None for a combined one.
        One transaction: a crash leaves either all of it or none.
        """
        await self.record_sent_many([SentMessage(claims, chat_id, message_id, sent_at, reading)])

    async def record_sent_many(self, messages: Sequence[SentMessage]) -> None:
        """Record many sent messages as `record_sent` does, all in one transaction.

        A fan-out's answers arrive hundreds a second; one commit for all that came in together
        costs a few statements instead of a few per message.
        """
        sent: list[tuple[list[int], int, str]] = []  # row ids, message id, sent at
        readings: list[tuple[int, int, str]] = []  # chat id, article id, sent at
        for message in messages:
            at = to_text(message.sent_at)
            sent.append((claimed_ids(message.claims), message.message_id, at))
            if message.reading is not None:
                readings.append((message.chat_id, message.reading, at))
        # Each table's rows go in one statement over a JSON array, not executemany: sqlite3
        # hands the GIL back and forth on every row, and while a fan-out keeps the event loop
        # busy, each of those hand-overs on aiosqlite's thread can wait out a switch interval.
        statements: list[tuple[str, tuple[str, ...]]] = [
            (MARK_SENT, (DeliveryStatus.SENT, json.dumps(sent))),
        ]
        if readings:
            statements.append((SET_READING, (json.dumps(readings),)))
        async with self._transaction() as db:
            # Queued together, they run back to back on aiosqlite's thread rather than one
            # event-loop turn apart; if one fails, the transaction is rolled back after them.
            results = await asyncio.gather(
                *(db.execute(sql, params) for sql, params in statements), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result

    async def retry_delivery(
        self, delivery_id: int, error: str, due_at: datetime, *, timed_out: bool = False
    ) -> None:
        """Hand a claimed row back to pending, due again at `due_at`; the attempt counts.

        `timed_out`: the send had no answer in time (so it may have been posted); counted.
        """
        await self._write(
            "UPDATE deliveries SET status = ?, due_at = ?, last_error = ?, claimed_at = NULL, "
            "claimed_by = NULL, timeouts = timeouts + ? WHERE id = ? AND status = ?",
            (
                DeliveryStatus.PENDING,
                to_text(due_at),
                error[:500],
                int(timed_out),
                delivery_id,
                DeliveryStatus.CLAIMED,
            ),
        )

    async def count_timeout(self, ids: Collection[int]) -> None:
        """A send of these claimed rows timed out (it may have been posted); they stay claimed."""
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            await self._write(
                f"UPDATE deliveries SET timeouts = timeouts + 1 WHERE id IN ({marks})", chunk
            )

    async def mark_unconfirmed(self, ids: Collection[int], error: str, at: datetime) -> None:
        """Record rows as delivered-unconfirmed: a send timed out, the one resend failed too.

        Telegram may have posted them; they are not sent again, and `sent_at` is `at`.
        """
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            await self._write(
                f"UPDATE deliveries SET status = ?, sent_at = ?, last_error = ? "
                f"WHERE id IN ({marks})",
                (DeliveryStatus.UNCONFIRMED, to_text(at), error[:500], *chunk),
            )

    async def defer_deliveries(
        self, ids: Collection[int], reason: str | None, due_at: datetime | None
    ) -> int:
        """Hand claimed rows back to pending, due at `due_at`, without counting an attempt.

        For rows that were not sent: the chat's quiet hours, a shutdown. `reason` becomes
        last_error, and `due_at` the due time; None keeps what the row had. Returns how many.
        """
        changed = 0
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            changed += await self._write(
                "UPDATE deliveries SET status = ?, due_at = coalesce(?, due_at), "
                "last_error = coalesce(?, last_error), claimed_at = NULL, claimed_by = NULL, "
                f"attempts = max(attempts - 1, 0) WHERE status = ? AND id IN ({marks})",
                (
                    DeliveryStatus.PENDING,
                    None if due_at is None else to_text(due_at),
                    None if reason is None else reason[:500],
                    DeliveryStatus.CLAIMED,
                    *chunk,
                ),
            )
        return changed

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
        """Hand claimed rows back to pending (all, or all but `worker`'s); returns how many.

        For the claims of processes that are gone: at start-up, under the instance lock, every
        claim not the starting process's own.
        """
        return await self._write(
            "UPDATE deliveries SET status = ?, claimed_at = NULL, claimed_by = NULL "
            "WHERE status = ? AND (? IS NULL OR claimed_by IS NOT ?)",
            (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, worker, worker),
        )

    async def delivery_chats(self, chat_ids: Collection[int]) -> dict[int, Chat]:
        """The chats outbox rows go to, by id; ids no longer known are left out."""
        chats: dict[int, Chat] = {}
        for chunk in _chunks(chat_ids):
            marks = ", ".join("?" * len(chunk))
            rows = await self._fetchall(f"SELECT * FROM chats WHERE id IN ({marks})", chunk)
            chats.update((int(row["id"]), chat_from_row(row)) for row in rows)
        return chats

    async def article_topic(self, article_id: int) -> str | None:
        """The name of the topic an article came in under, if it still exists."""
        row = await self._fetchone(
            """
            SELECT t.name FROM articles a JOIN feeds f ON f.id = a.feed_id
            JOIN topics t ON t.id = f.topic_id WHERE a.id = ?
            """,
            (article_id,),
        )
        return None if row is None else str(row[0])


def _chunks(ids: Collection[int]) -> list[list[int]]:
    values = list(ids)
    return [values[i : i + MAX_IDS_PER_QUERY] for i in range(0, len(values), MAX_IDS_PER_QUERY)]
