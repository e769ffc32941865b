"""Telegram's 429s counted for the /stats chart: by the dispatcher as they come, cleaned up."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.store import ChatKind, Store
from bot.operations.maintenance import HISTORY_KEEP, clean_up
from tests.adapters.test_dispatch import NOW, dispatcher, fixed_clock, publish, topic_with
from tests.conftest import USER, RunningBot


async def test_the_dispatcher_counts_each_429_and_its_wait(running_bot: RunningBot) -> None:
    fixed_clock(running_bot)
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "flood", retry_after=1)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    [hour] = await running_bot.store.throttles_by_hour(NOW - timedelta(hours=1))
    assert (hour.hour, hour.waits, hour.seconds) == (NOW, 1, 1.0)


async def test_the_cleanup_deletes_429_counts_after_the_history_kept(store: Store) -> None:
    await store.count_throttled(NOW - HISTORY_KEEP - timedelta(hours=1), 5.0)
    await store.count_throttled(NOW - HISTORY_KEEP + timedelta(hours=1), 2.0)
    await clean_up(store, NOW, timedelta(days=30))
    [kept] = await store.throttles_by_hour(NOW - timedelta(days=60))
    assert kept.hour == NOW - HISTORY_KEEP + timedelta(hours=1)
