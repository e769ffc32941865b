"""`digestbot backup`: SQLite's online backup of a live database, checked, never overwriting."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.store import Store
from bot.adapters.store.backup import backup_database
from bot.cli import main
from bot.errors import StoreError

ROWS = 2000


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return list(db.execute(sql))


async def test_backup_while_the_store_writes(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    store = await Store.open(live)
    try:
        for n in range(ROWS):
            await store.add_topic(f"t{n}", "x" * 200)
        stop = asyncio.Event()

        async def keep_writing() -> int:
            written = 0
            while not stop.is_set():
                await store.add_topic(f"w{written}", "during the backup")
                written += 1
            return written

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(0)  # the writer has started before the copy does
        done = await asyncio.to_thread(backup_database, live, copy)
        stop.set()
        during = await writer
    finally:
        await store.close()

    assert done.path == copy
    assert done.size == copy.stat().st_size
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
    copied = rows(copy, "SELECT slug FROM topics")
    assert {f"t{n}" for n in range(ROWS)} <= {slug for (slug,) in copied}
    # A snapshot: some of the writes made meanwhile, never more than were made.
    assert ROWS <= len(copied) <= ROWS + during
    assert rows(copy, "PRAGMA user_version") == rows(live, "PRAGMA user_version")


async def test_a_directory_gets_a_file_named_after_the_time(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    await (await Store.open(live)).close()
    when = datetime(2026, 5, 1, 9, 30, 15, tzinfo=UTC)
    done = backup_database(live, tmp_path, now=when)
    assert done.path == tmp_path / "digestbot-20260501-093015.sqlite3"
    assert rows(done.path, "PRAGMA integrity_check") == [("ok",)]


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    sqlite3.connect(live).close()
    copy.write_bytes(b"precious")
    with pytest.raises(StoreError, match="exists already"):
        backup_database(live, copy)
    assert copy.read_bytes() == b"precious"


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        backup_database(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    assert sorted(tmp_path.iterdir()) == []


def test_a_corrupt_database_leaves_no_copy(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    live.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    with pytest.raises(StoreError):
        backup_database(live, tmp_path / "copy.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.sqlite3"]


def test_the_backup_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGESTBOT_DATABASE", str(tmp_path / "live.sqlite3"))
    assert main(["topic", "add", "tech", "Tech"]) == 0
    assert main(["backup", "copy.sqlite3"]) == 0
    out = capsys.readouterr().out
    assert "to copy.sqlite3" in out
    assert "integrity ok" in out
    assert rows(tmp_path / "copy.sqlite3", "SELECT slug FROM topics") == [("tech",)]

    assert main(["backup", "copy.sqlite3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("digestbot: copy.sqlite3 exists already")
    assert err.count("\n") == 1
