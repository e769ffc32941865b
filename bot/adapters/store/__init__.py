"""The store: digestbot's SQLite database, one aiosqlite connection, all of its SQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from bot.adapters.store.articles import Articles
from bot.adapters.store.chats import Chats
from bot.adapters.store.digests import Digests
from bot.adapters.store.feeds import Feeds
from bot.adapters.store.migrations import open_database
from bot.adapters.store.outbox import Outbox
from bot.adapters.store.records import (
    Chat,
    ChatKind,
    Delivery,
    DeliveryMode,
    DuplicateError,
    NewArticle,
    NotFoundError,
)
from bot.adapters.store.retention import Retention
from bot.adapters.store.stats import Stats
from bot.adapters.store.topics import Topics

__all__ = [
    "Chat",
    "ChatKind",
    "Delivery",
    "DeliveryMode",
    "DuplicateError",
    "NewArticle",
    "NotFoundError",
    "Store",
]


class Store(Topics, Feeds, Articles, Chats, Outbox, Stats, Digests, Retention):
    """digestbot's database: `async with await Store.open(path) as store: ...`."""

    @classmethod
    async def open(cls, path: Path | str, *, clock: Callable[[], datetime] | None = None) -> Store:
        """Open (creating it and its directory if need be) and migrate the database.

        `clock` gives the time rows are stamped with (the wall clock if None).
        """
        path = Path(path)
        created = str(path) == ":memory:" or not await asyncio.to_thread(path.exists)
        db, version = await open_database(path)
        store = cls(db, version) if clock is None else cls(db, version, clock=clock)
        store.created = created
        return store

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                # SQLite's advice for long-lived connections: refresh planner statistics.
                await self._db.execute("PRAGMA optimize")
            finally:
                await self._db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
