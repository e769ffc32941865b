"""Feeds: URLs in a topic, their cache validators, schedule and health."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

import aiosqlite

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import DuplicateError, NotFoundError
from bot.adapters.store.rows import feed_from_row, from_text, to_text, to_text_or_none
from bot.core.models import Feed
from bot.core.schedule import rescheduled


class Feeds(StoreBase):
    """The feeds table."""

    async def add_feed(self, topic_id: int, url: str, title: str = "") -> Feed:
        """Add a feed to a topic; DuplicateError if that topic has the URL already."""
        try:
            feed_id = await self._insert(
                "INSERT INTO feeds (topic_id, url, title, created_at) VALUES (?, ?, ?, ?)",
                (topic_id, url, title, self._now()),
            )
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                raise DuplicateError(f"topic {topic_id} has the feed {url} already") from error
            raise
        return Feed(id=feed_id, topic_id=topic_id, url=url, title=title)

    async def get_feed(self, feed_id: int) -> Feed | None:
        """The feed with this id, if any."""
        row = await self._fetchone("SELECT * FROM feeds WHERE id = ?", (feed_id,))
        return None if row is None else feed_from_row(row)

    async def find_feeds(self, url: str) -> list[Feed]:
        """Every feed with this URL, in any topic."""
        rows = await self._fetchall("SELECT * FROM feeds WHERE url = ? ORDER BY id", (url,))
        return [feed_from_row(row) for row in rows]

    async def list_feeds(self, topic_id: int | None = None) -> list[Feed]:
        """The feeds of a topic, or of every topic, in the order they were added."""
        if topic_id is None:
            rows = await self._fetchall("SELECT * FROM feeds ORDER BY id")
        else:
            rows = await self._fetchall(
                "SELECT * FROM feeds WHERE topic_id = ? ORDER BY id", (topic_id,)
            )
        return [feed_from_row(row) for row in rows]

    async def set_feed_url(self, feed_id: int, url: str) -> bool:
        """Point a feed at another URL (the feed its page named); DuplicateError if taken."""
        try:
            changed = await self._write("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                raise DuplicateError(f"the topic of feed {feed_id} has {url} already") from error
            raise
        return changed > 0

    async def apply_poll_interval(self, interval: timedelta) -> int:
        """Bring forward every feed that waits longer than `interval` since its last poll for
        no server hint or backoff (the interval was shortened); return how many."""
        rows = await self._fetchall(
            """
            SELECT id, last_polled_at, next_poll_at, poll_hint_until FROM feeds
            WHERE disabled = 0 AND last_polled_at IS NOT NULL AND next_poll_at IS NOT NULL
            """
        )
        changes = []
        for row in rows:
            sooner = rescheduled(
                last_polled_at=from_text(row["last_polled_at"]),
                next_at=from_text(row["next_poll_at"]),
                hint_until=from_text(row["poll_hint_until"]),
                interval=interval,
            )
            if sooner is not None:
                changes.append((to_text(sooner), row["id"]))
        if changes:
            async with self._transaction() as db:
                await db.executemany("UPDATE feeds SET next_poll_at = ? WHERE id = ?", changes)
        return len(changes)

    async def remove_feed(self, feed_id: int) -> bool:
        """Delete a feed with its articles and their outbox rows."""
        return await self._write("DELETE FROM feeds WHERE id = ?", (feed_id,)) > 0

    async def due_feeds(self, now: datetime, limit: int | None = None) -> list[Feed]:
        """Enabled feeds due by `now`: never scheduled first, then the longest overdue."""
        rows = await self._fetchall(
            """
            SELECT * FROM feeds
            WHERE disabled = 0 AND (next_poll_at IS NULL OR next_poll_at <= ?)
            ORDER BY next_poll_at, id
            LIMIT ?
            """,
            (to_text(now), -1 if limit is None else limit),
        )
        return [feed_from_row(row) for row in rows]

    async def record_failure(
        self,
        feed_id: int,
        *,
        error: str,
        polled_at: datetime,
        next_poll_at: datetime,
        disable_reason: str | None = None,
        poll_hint_until: datetime | None = None,
    ) -> Feed:
        """Count a failed poll; disable the feed when a reason is given. Return the feed."""
        async with self._transaction() as db:
            await update_feed(
                db,
                feed_id,
                """
                UPDATE feeds SET failures = failures + 1, last_error = ?, last_polled_at = ?,
                    next_poll_at = ?, poll_hint_until = ?,
                    disabled = disabled OR ?, disabled_reason = coalesce(?, disabled_reason)
                WHERE id = ?
                """,
                (
                    error,
                    to_text(polled_at),
                    to_text(next_poll_at),
                    to_text_or_none(poll_hint_until),
                    disable_reason is not None,
                    disable_reason,
                ),
            )
            async with db.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)) as cursor:
                row = await cursor.fetchone()
        if row is None:
            raise NotFoundError(f"feed {feed_id} is gone")
        return feed_from_row(row)

    async def enable_feed(self, feed_id: int) -> bool:
        """Re-enable a disabled feed, its failures forgotten and due at once; False if not."""
        changed = await self._write(
            """
            UPDATE feeds SET disabled = 0, disabled_reason = NULL, failures = 0,
                last_error = NULL, next_poll_at = NULL
            WHERE id = ? AND disabled = 1
            """,
            (feed_id,),
        )
        return changed > 0

    async def record_not_modified(
        self,
        feed_id: int,
        *,
        polled_at: datetime,
        next_poll_at: datetime,
        poll_hint_until: datetime | None = None,
    ) -> None:
        """Record a 304: the feed is healthy and unchanged."""
        polled = to_text(polled_at)
        hint = to_text_or_none(poll_hint_until)
        changed = await self._write(
            """
            UPDATE feeds SET failures = 0, last_error = NULL, last_polled_at = ?,
                last_success_at = ?, next_poll_at = ?, poll_hint_until = ?
            WHERE id = ?
            """,
            (polled, polled, to_text(next_poll_at), hint, feed_id),
        )
        if not changed:
            raise NotFoundError(f"feed {feed_id} is gone")


async def update_feed(
    db: aiosqlite.Connection, feed_id: int, sql: str, params: Sequence[object]
) -> None:
    """Run `sql`, an UPDATE ending in WHERE id = ?; NotFoundError if the feed is gone."""
    # A feed removed by an admin while it was being polled: the poll's result has no home.
    async with db.execute(sql, (*params, feed_id)) as cursor:
        if cursor.rowcount == 0:
            raise NotFoundError(f"feed {feed_id} is gone")
