"""Chats and their settings, subscriptions to topics, and what each chat is reading."""

from __future__ import annotations

from datetime import datetime, time

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import Chat, ChatKind, DeliveryMode
from bot.adapters.store.rows import chat_from_row, clock_to_text, to_text, topic_from_row
from bot.core.models import Topic


class Chats(StoreBase):
    """The chats, subscriptions and reading_state tables."""

    async def upsert_chat(
        self, chat_id: int, *, kind: ChatKind, title: str = "", language: str | None = None
    ) -> None:
        """Record a chat, or update its kind and title; a language set before is kept."""
        # `active` is left alone: an update from a chat that blocked the bot must not
        # bring it back (set_chat_active does that deliberately).
        await self._write(
            """
            INSERT INTO chats (id, kind, title, language, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                kind = excluded.kind, title = excluded.title,
                language = coalesce(chats.language, excluded.language)
            """,
            (chat_id, kind, title, language, self._now()),
        )

    async def get_chat(self, chat_id: int) -> Chat | None:
        """The chat with this id, if known."""
        row = await self._fetchone("SELECT * FROM chats WHERE id = ?", (chat_id,))
        return None if row is None else chat_from_row(row)

    async def set_chat_language(self, chat_id: int, language: str | None) -> bool:
        """Set the language a chat reads in (None: follow Telegram's); False if unknown."""
        return await self._set(chat_id, "language = ?", (language,))

    async def set_chat_timezone(self, chat_id: int, timezone: str) -> bool:
        """Set the IANA timezone of a chat's daily time and quiet hours; False if unknown."""
        return await self._set(chat_id, "timezone = ?", (timezone,))

    async def set_delivery_mode(
        self, chat_id: int, mode: DeliveryMode, daily_time: time | None = None
    ) -> bool:
        """Switch between instant pushes and one daily digest (at `daily_time` if given)."""
        return await self._set(
            chat_id,
            "mode = ?, daily_time = coalesce(?, daily_time)",
            (mode, clock_to_text(daily_time)),
        )

    async def set_quiet_hours(self, chat_id: int, start: time | None, end: time | None) -> bool:
        """Set the quiet hours of a chat (None and None: none); False if unknown."""
        if (start is None) != (end is None):
            raise ValueError("quiet hours need both a start and an end, or neither")
        return await self._set(
            chat_id, "quiet_start = ?, quiet_end = ?", (clock_to_text(start), clock_to_text(end))
        )

    async def set_paused(self, chat_id: int, paused: bool, *, at: datetime | None = None) -> bool:
        """Pause (since `at`, now by default) or resume pushes to a chat; False if unknown.

        Pausing again keeps the first pause time; resuming forgets it (`resume_chat` also
        writes the catch-up digest).
        """
        if not paused:
            return await self._set(chat_id, "paused = 0, paused_at = NULL", ())
        since = self._now() if at is None else to_text(at)
        return await self._set(
            chat_id,
            "paused_at = CASE WHEN paused THEN coalesce(paused_at, ?) ELSE ? END, paused = 1",
            (since, since),
        )

    async def set_chat_active(self, chat_id: int, active: bool) -> bool:
        """Mark a chat reachable or not (blocked, kicked, gone); False if unknown."""
        return await self._set(chat_id, "active = ?", (active,))

    async def _set(self, chat_id: int, assignments: str, params: tuple[object, ...]) -> bool:
        # `assignments` is always a literal from the methods above, never user input.
        changed = await self._write(
            f"UPDATE chats SET {assignments} WHERE id = ?", (*params, chat_id)
        )
        return changed > 0

    async def subscribe(self, chat_id: int, topic_id: int, thread_id: int | None = None) -> bool:
        """Subscribe a known chat to a topic; False if subscribed already or the topic is gone."""
        # The topic may be deleted between a handler finding it and this insert.
        changed = await self._write(
            """
            INSERT INTO subscriptions (chat_id, topic_id, thread_id, created_at)
            SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM topics WHERE id = ?)
            ON CONFLICT (chat_id, topic_id) DO NOTHING
            """,
            (chat_id, topic_id, thread_id, self._now(), topic_id),
        )
        return changed > 0

    async def unsubscribe(self, chat_id: int, topic_id: int) -> bool:
        """Unsubscribe a chat from a topic; False if it was not subscribed."""
        changed = await self._write(
            "DELETE FROM subscriptions WHERE chat_id = ? AND topic_id = ?", (chat_id, topic_id)
        )
        return changed > 0

    async def subscriptions(self, chat_id: int) -> list[Topic]:
        """The topics a chat is subscribed to, by slug."""
        rows = await self._fetchall(
            """
            SELECT t.* FROM subscriptions s JOIN topics t ON t.id = s.topic_id
            WHERE s.chat_id = ? ORDER BY t.slug
            """,
            (chat_id,),
        )
        return [topic_from_row(row) for row in rows]

    async def subscribers(self, topic_id: int) -> list[int]:
        """The ids of the active chats subscribed to a topic, paused ones included."""
        rows = await self._fetchall(
            """
            SELECT s.chat_id FROM subscriptions s JOIN chats c ON c.id = s.chat_id
            WHERE s.topic_id = ? AND c.active = 1 ORDER BY s.chat_id
            """,
            (topic_id,),
        )
        return [int(row[0]) for row in rows]

    async def set_reading(self, chat_id: int, article_id: int, page: int = 0) -> None:
        """Remember the article (and page of it) a chat last got or opened, if it still exists."""
        # The article may be deleted (its topic removed, or too old) while a chat reads it.
        await self._write(
            """
            INSERT INTO reading_state (chat_id, article_id, page, updated_at)
            SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)
            ON CONFLICT (chat_id) DO UPDATE SET
                article_id = excluded.article_id, page = excluded.page,
                updated_at = excluded.updated_at
            """,
            (chat_id, article_id, page, self._now(), article_id),
        )

    async def get_reading(self, chat_id: int) -> tuple[int, int] | None:
        """The (article id, page) a chat is reading, if any."""
        row = await self._fetchone(
            "SELECT article_id, page FROM reading_state WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None else (int(row[0]), int(row[1]))

    async def move_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its rows follow the new id (ON UPDATE CASCADE)."""
        async with self._transaction() as db:
            cursor = await db.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,))
            if await cursor.fetchone() is None:
                await db.execute(
                    "UPDATE chats SET id = ?, kind = ? WHERE id = ?",
                    (new_id, ChatKind.SUPERGROUP, old_id),
                )
            else:
                # The new id is known already (seen before the migration): keep it, and
                # move over only what the old chat had.
                await db.execute(
                    "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                    (new_id, old_id),
                )
                await db.execute(
                    "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?",
                    (new_id, old_id),
                )
                await db.execute("DELETE FROM chats WHERE id = ?", (old_id,))
