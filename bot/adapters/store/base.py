"""The one aiosqlite connection the store's parts share, and how they take turns on it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiosqlite

from bot.adapters.store.rows import to_text


class StoreBase:
    """An open connection; every use holds the lock, so no coroutine joins another's BEGIN."""

    def __init__(self, db: aiosqlite.Connection, schema_version: int) -> None:
        self._db = db
        self._schema_version = schema_version
        self._closed = False
        # One connection, many coroutines: a statement run while another coroutine's
        # transaction is open would be committed or rolled back with it.
        self._lock = asyncio.Lock()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._schema_version

    async def _fetchall(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

    async def _fetchone(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        async with self._lock, self._db.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def _write(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement on its own (SQLite makes it atomic); return the rows changed."""
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _insert(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one INSERT on its own; return the new rowid."""
        async with self._lock, self._db.execute(sql, params) as cursor:
            rowid = cursor.lastrowid
        if rowid is None:
            raise RuntimeError(f"no row inserted by {sql!r}")
        return rowid

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Yield the connection inside BEGIN IMMEDIATE; commit, or roll back on any error."""
        async with self._lock:
            # IMMEDIATE takes the write lock now, so busy_timeout applies here and not
            # halfway through, when another process (the CLI) writes at the same time.
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise

    @staticmethod
    def _now() -> str:
        return to_text(datetime.now(UTC))
