"""A consistent copy of the live database with SQLite's online backup API, safe while it runs.

Independent of `Store`: it opens its own connections, so the CLI can back up the database of a
bot running in another process. In WAL mode the copy is one read transaction: the bot's writes
go on meanwhile and land in the next backup.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from bot.errors import StoreError

BUSY_TIMEOUT_MS: Final = 10_000


@dataclass(frozen=True)
class Backup:
    """A finished backup: where it is and how big."""

    path: Path
    size: int


def backup_database(source: Path, target: Path, *, now: datetime | None = None) -> Backup:
    """Copy the database at `source` to `target`, checked with PRAGMA integrity_check.

    A directory `target` gets a file named after the time. An existing file is never
    overwritten, and the copy appears under its name only once it is complete and checked.
    Raises StoreError, with one line saying why, when no good copy could be made.
    """
    if target.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = target / f"digestbot-{stamp}.sqlite3"
    if target.exists():
        raise StoreError(f"{target} exists already: choose a new file name")
    if not source.is_file():
        raise StoreError(f"no database at {source}")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _copy(source, partial)
        _check(partial)
        # A hard link fails, where a rename would replace, if the name was taken meanwhile.
        target.hardlink_to(partial)
    except FileExistsError:
        raise StoreError(f"{target} exists already: choose a new file name") from None
    except (sqlite3.Error, OSError) as error:
        raise StoreError(f"cannot back up {source} to {target}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    """The online backup, from a connection of our own that never creates the source."""
    uri = f"{source.resolve().as_uri()}?mode=rw"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as live:
        live.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        with contextlib.closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
            # One self-contained file: no -wal or -shm beside it.
            copy.execute("PRAGMA journal_mode = DELETE")


def _check(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as copy:
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    if verdict != ["ok"]:
        raise StoreError(f"the copy failed PRAGMA integrity_check: {'; '.join(verdict)[:200]}")
