"""Topics: named groups of feeds, with keyword filters."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.adapters.store.base import StoreBase
from bot.adapters.store.records import DuplicateError
from bot.adapters.store.rows import topic_from_row, words_to_json
from bot.core.models import LinkPreview, Topic


class Topics(StoreBase):
    """The topics table."""

    async def add_topic(self, slug: str, name: str, description: str = "") -> Topic:
        """Create a topic; DuplicateError if the slug is taken."""
        try:
            topic_id = await self._insert(
                "INSERT INTO topics (slug, name, description, created_at) VALUES (?, ?, ?, ?)",
                (slug, name, description, self._now()),
            )
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                raise DuplicateError(f"topic {slug} exists already") from error
            raise
        return Topic(id=topic_id, slug=slug, name=name, description=description)

    async def get_topic(self, slug: str) -> Topic | None:
        """The topic with this slug, if any."""
        row = await self._fetchone("SELECT * FROM topics WHERE slug = ?", (slug,))
        return None if row is None else topic_from_row(row)

    async def get_topic_by_id(self, topic_id: int) -> Topic | None:
        """The topic with this id, if any."""
        row = await self._fetchone("SELECT * FROM topics WHERE id = ?", (topic_id,))
        return None if row is None else topic_from_row(row)

    async def list_topics(self) -> list[Topic]:
        """Every topic, by slug."""
        rows = await self._fetchall("SELECT * FROM topics ORDER BY slug")
        return [topic_from_row(row) for row in rows]

    async def rename_topic(self, slug: str, name: str) -> bool:
        """Give a topic a new display name; False if there is no such topic."""
        return await self._write("UPDATE topics SET name = ? WHERE slug = ?", (name, slug)) > 0

    async def describe_topic(self, slug: str, description: str) -> bool:
        """Set a topic's description; False if there is no such topic."""
        changed = await self._write(
            "UPDATE topics SET description = ? WHERE slug = ?", (description, slug)
        )
        return changed > 0

    async def remove_topic(self, slug: str) -> bool:
        """Delete a topic with its feeds, articles, subscriptions and outbox rows."""
        return await self._write("DELETE FROM topics WHERE slug = ?", (slug,)) > 0

    async def set_filters(self, slug: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
        """Replace a topic's include and exclude keywords; False if there is no such topic."""
        changed = await self._write(
            "UPDATE topics SET include_keywords = ?, exclude_keywords = ? WHERE slug = ?",
            (words_to_json(include), words_to_json(exclude), slug),
        )
        return changed > 0

    async def set_link_preview(self, topic_id: int, mode: LinkPreview | None) -> bool:
        """Set what a topic's pushes preview (None: the default); False if there is no topic."""
        changed = await self._write(
            "UPDATE topics SET link_preview = ? WHERE id = ?",
            (None if mode is None else mode.value, topic_id),
        )
        return changed > 0

    async def article_link_preview(self, article_id: int) -> LinkPreview | None:
        """What the topic an article came in under previews; None for the default (or none)."""
        row = await self._fetchone(
            """
            SELECT t.link_preview FROM articles a JOIN feeds f ON f.id = a.feed_id
            JOIN topics t ON t.id = f.topic_id WHERE a.id = ?
            """,
            (article_id,),
        )
        return LinkPreview(row[0]) if row is not None and row[0] else None

    async def subscriber_counts(self) -> dict[int, int]:
        """Active subscribed chats per topic id, zero included."""
        rows = await self._fetchall(
            """
            SELECT t.id, count(c.id)
            FROM topics t
            LEFT JOIN subscriptions s ON s.topic_id = t.id
            LEFT JOIN chats c ON c.id = s.chat_id AND c.active
            GROUP BY t.id
            """
        )
        return {int(row[0]): int(row[1]) for row in rows}
