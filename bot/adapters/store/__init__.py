"""The store: digestbot's SQLite database, one aiosqlite connection, all of its SQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from bot.adapters.store.articles import Articles
from bot.adapters.store.base import result_code
from bot.adapters.store.chats import Chats
from bot.adapters.store.digests import Digests
from bot.adapters.store.feeds import Feeds
from bot.adapters.store.migrations import open_database
from bot.adapters.store.outbox import Outbox
from bot.adapters.store.records import (
    Chat,
    ChatKind,
    Claimed,
    Delivery,
    DeliveryMode,
    DuplicateError,
    NewArticle,
    NotFoundError,
    claimed_ids,
    without_articles,
)
from bot.adapters.store.retention import Retention
from bot.adapters.store.stats import Stats
from bot.adapters.store.topics import Topics
from bot.errors import StoreError

__all__ = [
    "Chat",
    "ChatKind",
    "Claimed",
    "Delivery",
    "DeliveryMode",
    "DuplicateError",
    "NewArticle",
    "NotFoundError",
    "Store",
    "claimed_ids",
    "without_articles",
]


def open_error(path: Path, error: sqlite3.DatabaseError) -> StoreError:
    """One line for a database that cannot be opened: damaged, unwritable, or else."""
    code = result_code(error)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreError(
            f"the database {path} is damaged ({error}): check it with "
            f"sqlite3 {path} 'PRAGMA integrity_check', and see README: Backup and restore"
        )
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        return StoreError(
            f"cannot open the database {path} ({error}): the file and its directory must "
            "be writable by this user"
        )
    return StoreError(f"cannot use the database {path}: {error}")


class Store(Topics, Feeds, Articles, Chats, Outbox, Stats, Digests, Retention):
    """digestbot's database: `async with await Store.open(path) as store: ...`."""

    @classmethod
    async def open(cls, path: Path | str, *, clock: Callable[[], datetime] | None = None) -> Store:
        """Open (creating it and its directory if need be) and migrate the database.

        `clock` gives the time rows are stamped with (the wall clock if None).
        """
        path = Path(path)
        created = str(path) == ":memory:" or not await asyncio.to_thread(path.exists)
        if not created and (await asyncio.to_thread(path.stat)).st_size == 0:
            # SQLite would take it for a new, empty database: every subscriber gone, silently.
            raise StoreError(
                f"the database {path} is an empty file, not a digestbot database: restore "
                "a backup (README: Backup and restore), or delete the file to start afresh"
            )
        try:
            db, version = await open_database(path)
        except OSError as error:
            raise StoreError(f"cannot open the database {path}: {error.strerror}") from None
        except sqlite3.DatabaseError as error:
            raise open_error(path, error) from None
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
