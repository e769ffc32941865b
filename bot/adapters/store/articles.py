"""Articles and their digests, and saving a poll's result together with its outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.adapters.store.base import StoreBase
from bot.adapters.store.feeds import update_feed
from bot.adapters.store.records import DeliveryMode, NewArticle
from bot.adapters.store.rows import (
    digest_from_json,
    digest_to_json,
    required_time,
    to_text,
    to_text_or_none,
)
from bot.core.models import DeliveryStatus, Digest
from bot.core.stories import Story

# Below SQLite's historical limit of 999 bound parameters per statement.
MAX_KEYS_PER_QUERY: Final = 500

# What a reader reads from, with its chat id bound three times (NULL: every topic): the topics
# it subscribes to, or every topic while it has none. /latest and /next share it, so they agree.
_READER_SCOPE: Final = """(
    ? IS NULL
    OR NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = ?)
    OR f.topic_id IN (SELECT s.topic_id FROM subscriptions s WHERE s.chat_id = ?)
)"""

# More new pushed articles than this in one poll of a feed are a burst: each chat gets them
# as one combined message.
MAX_SINGLE_PUSHES: Final = 3

# One outbox row per active, unpaused, instant chat subscribed to the feed's topic. Daily
# readers get the article in their daily digest instead. WHERE before ON CONFLICT is what
# SQLite needs to parse an upsert over a SELECT with joins.
FAN_OUT: Final = """
    INSERT INTO deliveries
        (chat_id, article_id, thread_id, batch_key, status, due_at, created_at)
    SELECT s.chat_id, ?, s.thread_id, ?, ?, ?, ?
    FROM feeds f
    JOIN subscriptions s ON s.topic_id = f.topic_id
    JOIN chats c ON c.id = s.chat_id
    WHERE f.id = ? AND c.active = 1 AND c.paused = 0 AND c.mode = ?
    ON CONFLICT (chat_id, article_id) DO NOTHING
"""


class Articles(StoreBase):
    """The articles and digests tables."""

    async def known_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these entry keys this feed has stored already."""
        known: set[str] = set()
        for start in range(0, len(keys), MAX_KEYS_PER_QUERY):
            chunk = keys[start : start + MAX_KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT entry_key FROM articles WHERE feed_id = ? AND entry_key IN ({marks})",
                (feed_id, *chunk),
            )
            known.update(str(row[0]) for row in rows)
        return known

    async def save_poll(
        self,
        feed_id: int,
        articles: Sequence[NewArticle],
        *,
        polled_at: datetime,
        next_poll_at: datetime,
        poll_hint_until: datetime | None = None,
        etag: str | None,
        modified: str | None,
        title: str,
        problem: str | None,
        push: bool,
    ) -> list[int]:
        """Store a successful poll and, if `push`, its outbox rows, all in one transaction.

        Return the ids of the articles inserted; a key stored already is skipped.
        """
        polled = to_text(polled_at)
        # Convert everything first, so a bad value fails before the transaction opens.
        rows = [
            (
                feed_id,
                new.entry.key,
                new.entry.link,
                new.entry.title,
                new.entry.lang,
                to_text_or_none(new.entry.published),
                polled,
                new.canonical_url,
                new.page_text,
                new.page_error,
                polled if new.page_text is not None or new.page_error is not None else None,
                (new.digest.image or None) if new.digest else (new.entry.image or None),
            )
            for new in articles
        ]
        bodies = [None if new.digest is None else digest_to_json(new.digest) for new in articles]
        inserted: list[int] = []
        to_push: list[int] = []
        async with self._transaction() as db:
            await update_feed(
                db,
                feed_id,
                """
                UPDATE feeds SET etag = ?, modified = ?, title = coalesce(nullif(?, ''), title),
                    problem = ?, failures = 0, last_error = NULL, last_polled_at = ?,
                    last_success_at = ?, next_poll_at = ?, poll_hint_until = ?
                WHERE id = ?
                """,
                (
                    etag,
                    modified,
                    title,
                    problem,
                    polled,
                    polled,
                    to_text(next_poll_at),
                    to_text_or_none(poll_hint_until),
                ),
            )
            for new, row, body in zip(articles, rows, bodies, strict=True):
                async with db.execute(
                    """
                    INSERT INTO articles
                        (feed_id, entry_key, url, title, lang, published_at, fetched_at,
                         canonical_url, page_text, page_error, page_fetched_at, image_url)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (feed_id, entry_key) DO NOTHING
                    """,
                    row,
                ) as cursor:
                    # Another poll of this feed stored the key first: not new after all.
                    if cursor.rowcount == 0 or cursor.lastrowid is None:
                        continue
                    article_id = cursor.lastrowid
                inserted.append(article_id)
                if body is not None:
                    await db.execute(
                        "INSERT INTO digests (article_id, body, created_at) VALUES (?, ?, ?)",
                        (article_id, body, polled),
                    )
                    if new.push:
                        to_push.append(article_id)
            if push and to_push:
                burst = f"burst:{feed_id}:{polled}" if len(to_push) > MAX_SINGLE_PUSHES else None
                await db.executemany(
                    FAN_OUT,
                    [
                        (
                            article_id,
                            burst,
                            DeliveryStatus.PENDING,
                            polled,
                            polled,
                            feed_id,
                            DeliveryMode.INSTANT,
                        )
                        for article_id in to_push
                    ],
                )
        return inserted

    async def recent_stories(self, topic_id: int, since: datetime) -> list[Story]:
        """Digested articles of a topic since a time, the newest first (at most 1,000)."""
        rows = await self._fetchall(
            """
            SELECT a.id, a.canonical_url, a.title, a.lang,
                   coalesce(a.published_at, a.fetched_at) AS at
            FROM articles a JOIN feeds f ON f.id = a.feed_id
            JOIN digests d ON d.article_id = a.id
            WHERE f.topic_id = ? AND coalesce(a.published_at, a.fetched_at) >= ?
            ORDER BY at DESC LIMIT 1000
            """,
            (topic_id, to_text(since)),
        )
        return [Story(int(r[0]), r[1], str(r[2]), str(r[3]), required_time(r[4])) for r in rows]

    async def update_digest(self, article_id: int, digest: Digest) -> None:
        """Replace an article's digest (a source added, a next page appended)."""
        await self._write(
            "UPDATE digests SET body = ? WHERE article_id = ?",
            (digest_to_json(digest), article_id),
        )

    async def get_digest(self, article_id: int) -> Digest | None:
        """The digest of an article, if it has one."""
        row = await self._fetchone("SELECT body FROM digests WHERE article_id = ?", (article_id,))
        return None if row is None else digest_from_json(row["body"])

    async def latest_digests(
        self, topic_id: int | None = None, limit: int = 5, *, chat_id: int | None = None
    ) -> list[tuple[int, Digest]]:
        """The newest digests (by published time, else fetch time) as (article id, digest):
        of one topic, else of chat_id's topics (every topic while it has none), else of all."""
        rows = await self._fetchall(
            f"""
            SELECT a.id, d.body FROM articles a
            JOIN digests d ON d.article_id = a.id
            JOIN feeds f ON f.id = a.feed_id
            WHERE (? IS NULL OR f.topic_id = ?) AND {_READER_SCOPE}
            ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
            LIMIT ?
            """,
            (topic_id, topic_id, chat_id, chat_id, chat_id, limit),
        )
        return [(int(row[0]), digest_from_json(row[1])) for row in rows]

    async def mark_read(self, chat_id: int, article_id: int) -> None:
        """Remember that a chat has had an article (pushed or opened), if it still exists."""
        await self._write(
            """
            INSERT OR IGNORE INTO reads (chat_id, article_id, read_at)
            SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)
            """,
            (chat_id, article_id, self._now(), article_id),
        )

    async def next_unread(self, chat_id: int) -> tuple[int, Digest] | None:
        """The newest digest the chat has not had yet, of the topics /latest shows it: its
        own, or every topic while it has none.

        Had: opened (`reads`) or pushed (a sent outbox row; its read once the row is deleted).
        """
        row = await self._fetchone(
            f"""
            SELECT a.id, d.body FROM articles a
            JOIN digests d ON d.article_id = a.id
            JOIN feeds f ON f.id = a.feed_id
            WHERE {_READER_SCOPE}
              AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.chat_id = ? AND r.article_id = a.id)
              AND NOT EXISTS (SELECT 1 FROM deliveries x
                              WHERE x.chat_id = ? AND x.article_id = a.id AND x.status = ?)
            ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
            LIMIT 1
            """,
            (chat_id, chat_id, chat_id, chat_id, chat_id, DeliveryStatus.SENT),
        )
        return None if row is None else (int(row[0]), digest_from_json(row[1]))
