"""The one aiosqlite connection the store's parts share, and how they take turns on it.

Another connection (the CLI, a backup) may hold the database's write lock. SQLite waits for
it up to the connection's busy_timeout; past that, a statement on its own, or the BEGIN of a
transaction, is tried again a few times with a growing pause, then StoreBusyError. A write that
finds the disk (or the page limit) full is rolled back and raises StoreFullError. Both say what
happened in one line.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Final, TypeVar

import aiosqlite

from bot.adapters.store.rows import to_text
from bot.errors import StoreBusyError, StoreError, StoreFullError

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_ATTEMPTS: Final = 4  # tries of a statement or a BEGIN while the database is locked
BUSY_BACKOFF: Final = 0.1  # seconds between the first two tries, doubling after each
BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def result_code(error: sqlite3.Error) -> int:
    """The primary SQLite result code of an error (SQLITE_BUSY for SQLITE_BUSY_SNAPSHOT …)."""
    code: int = getattr(error, "sqlite_errorcode", 0)
    return code & 0xFF


def full_error(error: sqlite3.Error) -> StoreFullError | None:
    """The StoreFullError for an SQLITE_FULL error, None for any other."""
    if result_code(error) != sqlite3.SQLITE_FULL:
        return None
    return StoreFullError(
        f"the disk or the database is full: the write was rolled back ({error}); "
        "free some space (or run the cleanup) and it will succeed"
    )


def _mid_transaction(error: sqlite3.Error) -> StoreError | None:
    """The StoreError for a full or locked database inside a transaction, None otherwise."""
    if full := full_error(error):
        return full
    if result_code(error) in BUSY_CODES:
        # The body cannot be run again from here: the caller hears of it, nothing was written.
        return StoreBusyError(f"the database was locked in the middle of a write ({error})")
    return None


class StoreBase:
    """An open connection; every use holds the lock, so no coroutine joins another's BEGIN."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        schema_version: int,
        *,
        busy_attempts: int = BUSY_ATTEMPTS,
        busy_backoff: float = BUSY_BACKOFF,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Use `db`; a locked database is tried `busy_attempts` times, `busy_backoff` s apart.

        Rows are stamped with the time `clock` gives: the services' clock, in a running bot.
        """
        if busy_attempts < 1:
            raise ValueError("busy_attempts must be at least 1")
        self._db = db
        self._clock = clock
        self._schema_version = schema_version
        self.created = False  # whether opening it created the database file
        self._closed = False
        # One connection, many coroutines: a statement run while another coroutine's
        # transaction is open would be committed or rolled back with it.
        self._lock = asyncio.Lock()
        self.busy_attempts = busy_attempts
        self.busy_backoff = busy_backoff
        self.busy_retries = 0  # how often a locked database was waited out and tried again

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._schema_version

    async def _fetchall(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        async def run() -> list[sqlite3.Row]:
            return list(await self._db.execute_fetchall(sql, params))

        async with self._lock:
            return await self._retrying(run)

    async def _fetchone(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        async def run() -> sqlite3.Row | None:
            async with self._db.execute(sql, params) as cursor:
                row: sqlite3.Row | None = await cursor.fetchone()
                return row

        async with self._lock:
            return await self._retrying(run)

    async def _write(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement on its own (SQLite makes it atomic); return the rows changed."""

        async def run() -> int:
            async with self._db.execute(sql, params) as cursor:
                return cursor.rowcount

        async with self._lock:
            return await self._retrying(run)

    async def _insert(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one INSERT on its own; return the new rowid."""

        async def run() -> int | None:
            async with self._db.execute(sql, params) as cursor:
                return cursor.lastrowid

        async with self._lock:
            rowid = await self._retrying(run)
        if rowid is None:
            raise RuntimeError(f"no row inserted by {sql!r}")
        return rowid

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Yield the connection inside BEGIN IMMEDIATE; commit, or roll back on any error."""

        async def begin() -> None:
            await self._db.execute("BEGIN IMMEDIATE")

        async with self._lock:
            # IMMEDIATE takes the write lock now, so busy_timeout (and the retries) apply here
            # and not halfway through, when another process (the CLI) writes at the same time.
            await self._retrying(begin)
            try:
                yield self._db
                await self._db.commit()
            except BaseException as error:
                # After SQLITE_FULL SQLite may have rolled back already; this is then a no-op.
                await self._db.rollback()
                if isinstance(error, sqlite3.Error) and (mapped := _mid_transaction(error)):
                    raise mapped from error
                raise

    async def _retrying(self, run: Callable[[], Awaitable[T]]) -> T:
        """Run a statement that changes nothing when it fails busy; try again while locked."""
        pause = self.busy_backoff
        attempt = 1
        while True:
            try:
                return await run()
            except sqlite3.Error as error:
                if full := full_error(error):
                    raise full from error
                if result_code(error) not in BUSY_CODES:
                    raise
                if attempt >= self.busy_attempts:
                    raise StoreBusyError(
                        f"the database is locked by another connection: gave up after "
                        f"{attempt} tries ({error})"
                    ) from error
                log.warning(
                    "the database is locked (%s); try %d of %d in %g s",
                    error,
                    attempt + 1,
                    self.busy_attempts,
                    pause,
                )
            self.busy_retries += 1
            attempt += 1
            await asyncio.sleep(pause)
            pause *= 2

    def _now(self) -> str:
        return to_text(self._clock())
