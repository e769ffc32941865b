"""Daily and catch-up digests: outbox rows sharing a batch key, sent as one message."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Final

import aiosqlite

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import Chat, DeliveryMode
from bot.adapters.store.rows import (
    chat_from_row,
    digest_from_json,
    from_text,
    to_text,
    to_text_or_none,
)
from bot.core.daily import MAX_BUNDLE_ROWS, Candidate, catch_up_since, pick_bundle
from bot.core.models import DeliveryStatus

# The digests of a chat's topics fetched in a window that it has neither had nor has queued,
# newest first.
CANDIDATES: Final = """
    SELECT a.id, d.body, t.include_keywords, t.exclude_keywords, s.thread_id
    FROM subscriptions s
    JOIN topics t ON t.id = s.topic_id
    JOIN feeds f ON f.topic_id = s.topic_id
    JOIN articles a ON a.feed_id = f.id
    JOIN digests d ON d.article_id = a.id
    WHERE s.chat_id = ? AND a.fetched_at > ? AND a.fetched_at <= ?
      AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.chat_id = s.chat_id AND r.article_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM deliveries x
                      WHERE x.chat_id = s.chat_id AND x.article_id = a.id)
    ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
"""

INSERT_ROW: Final = """
    INSERT INTO deliveries
        (chat_id, article_id, thread_id, batch_key, status, due_at, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (chat_id, article_id) DO NOTHING
"""


class Digests(StoreBase):
    """Daily digests and the catch-up on resuming, written to the deliveries table."""

    async def daily_chats(self) -> list[Chat]:
        """The active, unpaused chats that read one daily digest."""
        rows = await self._fetchall(
            "SELECT * FROM chats WHERE mode = ? AND active = 1 AND paused = 0 ORDER BY id",
            (DeliveryMode.DAILY,),
        )
        return [chat_from_row(row) for row in rows]

    async def write_daily_digest(
        self,
        chat_id: int,
        *,
        since: datetime,
        now: datetime,
        batch_key: str,
        last_digest_at: datetime | None,
        limit: int = MAX_BUNDLE_ROWS,
    ) -> int | None:
        """Queue a chat's daily digest, due `now`, and set its last_digest_at, in one transaction.

        Return the rows written (0: an empty day, nothing is sent), or None when the chat
        changed since it was read (no longer a daily reader, or its digest went out already).
        """
        async with self._transaction() as db:
            # Only if last_digest_at is still what the caller saw: one digest per day, even
            # with two processes running this at once.
            async with db.execute(
                """
                UPDATE chats SET last_digest_at = ?
                WHERE id = ? AND mode = ? AND active = 1 AND paused = 0 AND last_digest_at IS ?
                """,
                (to_text(now), chat_id, DeliveryMode.DAILY, to_text_or_none(last_digest_at)),
            ) as cursor:
                if cursor.rowcount == 0:
                    return None
            return await _queue_bundle(db, chat_id, since, now, batch_key, limit)

    async def resume_chat(
        self, chat_id: int, *, now: datetime, batch_key: str, limit: int = MAX_BUNDLE_ROWS
    ) -> int | None:
        """Resume pushes to a chat with one catch-up digest of what it missed while paused.

        In one transaction: queue, due `now`, the digests fetched since the chat was paused
        (an instant reader's; a daily reader's next digest covers its pause), then clear
        paused and paused_at. Return the rows written, or None if the chat is unknown.
        """
        async with self._transaction() as db:
            async with db.execute(
                "SELECT paused, paused_at, mode, active FROM chats WHERE id = ?", (chat_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            paused_at = from_text(row["paused_at"])
            written = 0
            if (
                row["paused"]
                and row["active"]
                and paused_at is not None
                and row["mode"] == DeliveryMode.INSTANT
            ):
                since = catch_up_since(paused_at)
                written = await _queue_bundle(db, chat_id, since, now, batch_key, limit)
            await db.execute(
                "UPDATE chats SET paused = 0, paused_at = NULL WHERE id = ?", (chat_id,)
            )
            return written


async def _queue_bundle(
    db: aiosqlite.Connection,
    chat_id: int,
    since: datetime,
    now: datetime,
    batch_key: str,
    limit: int,
) -> int:
    """Write the outbox rows of one bundle, inside the caller's transaction; return how many."""
    async with db.execute(CANDIDATES, (chat_id, to_text(since), to_text(now))) as cursor:
        rows = list(await cursor.fetchall())
    threads = {int(row[0]): row[4] for row in rows}
    candidates = [
        Candidate(int(row[0]), digest_from_json(row[1]), _words(row[2]), _words(row[3]))
        for row in rows
    ]
    queued = to_text(now)
    picked = pick_bundle(candidates, limit)
    await db.executemany(
        INSERT_ROW,
        [
            (
                chat_id,
                article_id,
                threads[article_id],
                batch_key,
                DeliveryStatus.PENDING,
                queued,
                queued,
            )
            for article_id in picked
        ],
    )
    return len(picked)


def _words(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))
