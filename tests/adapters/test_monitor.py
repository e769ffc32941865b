"""/healthz's reasons, from a real store and the event loop's tasks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from bot.adapters.monitor import DISPATCHER_TASK, Health
from bot.adapters.outage import Outage
from bot.adapters.store import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def health(store: Store, outage: object = None, limit: float = 60.0) -> Health:
    return Health(store, lambda: cast(Outage | None, outage), lambda: NOW, limit)


async def test_healthy_while_the_dispatcher_runs(store: Store) -> None:
    dispatcher = asyncio.create_task(asyncio.Event().wait(), name=DISPATCHER_TASK)
    try:
        assert await health(store).problems(0.0) == []
    finally:
        dispatcher.cancel()


async def test_an_unreadable_database_and_no_dispatcher(db_path: Path) -> None:
    store = await Store.open(db_path)
    await store.close()
    problems = await health(store).problems(0.0)
    assert len(problems) == 2
    assert problems[0].startswith("database cannot be read: ")
    assert problems[1] == "dispatcher is not running"


async def test_a_bot_api_outage_counts_from_when_it_was_seen(store: Store) -> None:
    outage: Any = SimpleNamespace(down=False)
    watched = health(store, outage, limit=60.0)
    dispatcher = asyncio.create_task(asyncio.Event().wait(), name=DISPATCHER_TASK)
    try:
        watched.watch(100.0)
        outage.down = True
        watched.watch(110.0)
        assert await watched.problems(170.0) == []
        assert await watched.problems(171.0) == ["Bot API unreachable for 61 s"]
        outage.down = False
        assert await watched.problems(172.0) == []
    finally:
        dispatcher.cancel()
