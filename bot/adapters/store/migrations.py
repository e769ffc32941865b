"""Numbered SQL migrations in sql/, each applied in one transaction with PRAGMA user_version.

Files are named NNNN_what.sql, numbered from 0001 without gaps. Migration N runs when the
database's user_version is below N and sets user_version to N in the same transaction, so a
crash leaves the database at N - 1 or at N, never in between. Foreign keys are off while
migrating, so a migration may rebuild a table (create, copy, drop, rename) without cascading
deletes; PRAGMA foreign_key_check must pass before each one commits.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

import aiosqlite

from bot.errors import SchemaTooNewError, StoreError

BUSY_TIMEOUT_MS: Final = 5000
MIGRATION_NAME: Final = re.compile(r"(\d{4})_\w+\.sql")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def load_migrations(directory: Traversable | None = None) -> list[Migration]:
    """The migrations in `directory` (the packaged sql/ by default), checked and in order."""
    # importlib.resources finds sql/ in a source tree, an editable install or a wheel,
    # whatever the working directory.
    directory = directory or files(__package__).joinpath("sql")
    found: list[Migration] = []
    for item in directory.iterdir():
        if not item.name.endswith(".sql"):
            continue
        match = MIGRATION_NAME.fullmatch(item.name)
        if match is None:
            raise StoreError(f"migration file {item.name} is not named like 0001_init.sql")
        found.append(Migration(int(match[1]), item.name, item.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        names = ", ".join(migration.name for migration in found) or "none"
        raise StoreError(f"migration files must be numbered 0001, 0002, … without gaps: {names}")
    return found


def split_statements(script: str) -> list[str]:
    """Split a SQL script into statements, keeping trigger bodies and quoted ';' whole."""
    statements: list[str] = []
    pending = ""
    *pieces, tail = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if _has_code(pending):
                statements.append(pending.strip())
            pending = ""
    # What follows the last complete statement is comments, or a statement without its ';'.
    if _has_code(pending + tail):
        statements.append((pending + tail).strip())
    return statements


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


async def open_database(
    path: Path,
    migrations: Sequence[Migration] | None = None,
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> tuple[aiosqlite.Connection, int]:
    """Connect to the database at `path`, set the pragmas, migrate; return it and its version.

    `busy_timeout_ms`: how long SQLite itself waits for another connection's lock.
    """
    if str(path) != ":memory:":
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    # isolation_level=None: the store issues BEGIN and COMMIT itself.
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        await db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms:d}")
        version = await migrate(db, load_migrations() if migrations is None else migrations, path)
    except BaseException:
        await db.close()
        raise
    return db, version


async def migrate(db: aiosqlite.Connection, migrations: Sequence[Migration], path: Path) -> int:
    """Apply the migrations newer than the database, each with its record; return the version."""
    newest = len(migrations)
    version = await user_version(db)
    # Refuse before touching the file: an older digestbot must not alter a newer schema.
    _refuse_newer(version, newest, path)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    # Off while migrating (it cannot change inside a transaction): rebuilding a table the
    # SQLite way drops the old one, which would cascade-delete its children. Each
    # migration is checked with foreign_key_check before it commits instead.
    await db.execute("PRAGMA foreign_keys = OFF")
    try:
        for migration in migrations:
            if migration.version > version:
                await _apply(db, migration)
                version = migration.version
    finally:
        await db.execute("PRAGMA foreign_keys = ON")
    version = await user_version(db)
    _refuse_newer(version, newest, path)
    return version


async def _apply(db: aiosqlite.Connection, migration: Migration) -> None:
    # IMMEDIATE takes the write lock first, so two processes starting together apply
    # each migration once: the second sees the new user_version and skips it.
    await db.execute("BEGIN IMMEDIATE")
    try:
        if await user_version(db) < migration.version:
            for statement in split_statements(migration.sql):
                await db.execute(statement)
            async with db.execute("PRAGMA foreign_key_check") as cursor:
                broken = await cursor.fetchone()
            if broken is not None:
                raise StoreError(
                    f"migration {migration.name} breaks a foreign key in table {broken[0]}"
                )
            await db.execute(f"PRAGMA user_version = {migration.version:d}")
        await db.commit()
    except BaseException:
        await db.rollback()
        raise


async def user_version(db: aiosqlite.Connection) -> int:
    """The schema version recorded in the database file (0 when empty)."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


def _refuse_newer(version: int, newest: int, path: Path) -> None:
    if version > newest:
        raise SchemaTooNewError(
            f"the database {path} was written by a newer digestbot (schema {version}, this "
            f"version knows {newest}); upgrade digestbot or use another DIGESTBOT_DATABASE"
        )
