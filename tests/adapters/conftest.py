from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file in a directory that does not exist yet."""
    return tmp_path / "data" / "digestbot.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """A migrated store on a fresh file, closed after the test."""
    store = await Store.open(db_path)
    yield store
    await store.close()
