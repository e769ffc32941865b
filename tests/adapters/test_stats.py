"""The store's report queries: /stats counts and the feeds in trouble."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.adapters.store import ChatKind, NewArticle, Store
from bot.core.models import BotStats, Digest, Entry
from bot.operations.maintenance import HISTORY_KEEP, clean_up
from tests.conftest import claim_rows

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=3)
RECENT = NOW - timedelta(hours=1)


def article(key: str) -> NewArticle:
    digest = Digest(
        title=f"Title {key}",
        url=f"https://example.com/{key}",
        source_name="Example",
        published=None,
        lang="en",
        lede="Lede.",
        key_points=("Point.",),
    )
    return NewArticle(Entry(key, digest.title, digest.url, "", None, "en"), digest)


async def poll(store: Store, feed_id: int, keys: list[str], at: datetime) -> None:
    await store.save_poll(
        feed_id,
        [article(key) for key in keys],
        polled_at=at,
        next_poll_at=at,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )


async def test_an_empty_database_counts_zero(store: Store) -> None:
    assert await store.bot_stats(NOW - timedelta(hours=24)) == BotStats(
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )
    assert await store.unhealthy_feeds(10) == []


async def test_bot_stats_and_unhealthy_feeds(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    world = await store.add_topic("world", "World")
    f1 = await store.add_feed(tech.id, "https://a.example/feed")
    f2 = await store.add_feed(tech.id, "https://b.example/feed")
    f3 = await store.add_feed(world.id, "https://c.example/feed")
    # A and F read tech; B too but paused; C blocked the bot; D has no topics; E is gone.
    for chat_id in (1, 2, 3, 4, 5, 6):
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
    await store.subscribe(1, tech.id)
    await store.subscribe(6, tech.id)
    await store.subscribe(2, tech.id)
    await store.subscribe(2, world.id)
    await store.set_paused(2, True)
    await store.subscribe(3, world.id)
    await store.set_chat_active(3, False)
    await store.set_chat_active(5, False)

    # Three days ago: one article to chats 1 and 6, one sent, one failed: too old to count.
    await poll(store, f1.id, ["old"], OLD)
    sent_old, failed_old = await claim_rows(store, OLD, 10)
    await store.mark_sent(sent_old, 1, OLD)
    await store.fail_delivery(failed_old, "gone")
    # An hour ago: three articles to two chats; two sent, one failed, one timed out twice
    # (maybe delivered), one in flight, one left.
    await poll(store, f1.id, ["a", "b", "c"], RECENT)
    first, second, third, fourth = await claim_rows(store, RECENT, 4)
    await store.mark_sent(first, 2, RECENT)
    await store.mark_sent(second, 3, RECENT)
    await store.fail_delivery(third, "bad request")
    await store.mark_unconfirmed([fourth], "Timed out", RECENT)
    await claim_rows(store, RECENT, 1)

    await store.record_failure(f2.id, error="timeout", polled_at=RECENT, next_poll_at=NOW)
    await store.record_failure(f2.id, error="timeout", polled_at=RECENT, next_poll_at=NOW)
    await store.record_failure(
        f3.id, error="404", polled_at=RECENT, next_poll_at=NOW, disable_reason="gone"
    )

    assert await store.bot_stats(NOW - timedelta(hours=24)) == BotStats(
        topics=2,
        feeds=3,
        subscribers=3,
        inactive_chats=2,
        paused_chats=1,
        pending=2,
        sent=2,
        failed=1,
        failing_feeds=1,
        disabled_feeds=1,
        unconfirmed=1,
    )
    assert [(f.id, f.failures, f.disabled) for f in await store.unhealthy_feeds(10)] == [
        (f3.id, 1, True),
        (f2.id, 2, False),
    ]
    assert [f.id for f in await store.unhealthy_feeds(1)] == [f3.id]


async def test_pushes_by_hour_count_sent_and_failed_per_topic(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    world = await store.add_topic("world", "World")
    tech_feed = await store.add_feed(tech.id, "https://a.example/feed")
    world_feed = await store.add_feed(world.id, "https://b.example/feed")
    for chat_id in (1, 2):
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
        await store.subscribe(chat_id, tech.id)
    await store.subscribe(1, world.id)
    early = NOW.replace(hour=9, minute=10)
    late = NOW.replace(hour=11, minute=59)

    await poll(store, tech_feed.id, ["old"], OLD)
    for row in await claim_rows(store, OLD, 10):
        await store.mark_sent(row, 1, OLD)
    await poll(store, tech_feed.id, ["a"], early)
    sent, failed = await claim_rows(store, early, 10)
    await store.mark_sent(sent, 2, early)
    await store.fail_delivery(failed, "bad request")
    await poll(store, world_feed.id, ["b"], late)
    await poll(store, tech_feed.id, ["c"], late)
    maybe, sent_late, pending = await claim_rows(store, late, 10)
    await store.mark_unconfirmed([maybe], "Timed out", late)
    await store.mark_sent(sent_late, 3, late)
    rows = {row.id: row for row in await store.list_deliveries()}
    assert rows[pending].status.value == "claimed"

    hours = await store.pushes_by_hour(NOW - timedelta(days=1))
    assert [(h.hour, h.topic_id, h.sent, h.failed) for h in hours] == [
        (NOW.replace(hour=9), tech.id, 1, 1),
        (NOW.replace(hour=11), tech.id, 1, 0),
        (NOW.replace(hour=11), world.id, 1, 0),
    ]
    assert sum(h.sent for h in await store.pushes_by_hour(OLD)) == 5


async def test_429s_are_counted_per_hour_with_the_seconds_waited(store: Store) -> None:
    await store.count_throttled(NOW.replace(minute=1), 3.0)
    await store.count_throttled(NOW.replace(minute=59), 4.5)
    await store.count_throttled(NOW + timedelta(hours=1), 1.0)
    await store.count_throttled(OLD, 9.0)

    hours = await store.throttles_by_hour(NOW.replace(minute=30))
    assert [(h.hour, h.waits, h.seconds) for h in hours] == [
        (NOW, 2, 7.5),
        (NOW + timedelta(hours=1), 1, 1.0),
    ]
    assert len(await store.throttles_by_hour(OLD)) == 3

    # The cleanup deletes the hours that ended before its cutoff, and only those.
    assert await store.delete_old_throttles(NOW.replace(minute=30)) == 1
    assert [h.hour for h in await store.throttles_by_hour(OLD)] == [
        NOW,
        NOW + timedelta(hours=1),
    ]


async def test_pushes_by_hour_are_the_same_after_the_cleanup_deletes_their_rows(
    store: Store,
) -> None:
    tech = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(tech.id, "https://a.example/feed")
    for chat_id in (1, 2, 3):
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
        await store.subscribe(chat_id, tech.id)
    weeks_ago = NOW - timedelta(days=10, minutes=30)
    await poll(store, feed.id, ["old"], weeks_ago)
    first, second, third = await claim_rows(store, weeks_ago, 10)
    await store.mark_sent(first, 1, weeks_ago)
    await store.mark_unconfirmed([second], "Timed out", weeks_ago)
    await store.fail_delivery(third, "bad request")
    await poll(store, feed.id, ["new"], RECENT)
    for row in await claim_rows(store, RECENT, 10):
        await store.mark_sent(row, 2, RECENT)
    since = NOW - timedelta(days=14)
    before = await store.pushes_by_hour(since)

    cleaned = await clean_up(store, NOW, timedelta(days=30))

    assert cleaned.deliveries == 3
    assert len(await store.list_deliveries()) == 3  # the recent ones
    assert await store.pushes_by_hour(since) == before
    assert [(h.hour, h.sent, h.failed) for h in before] == [
        (weeks_ago.replace(minute=0), 2, 1),
        (RECENT.replace(minute=0), 3, 0),
    ]
    # A second cleanup counts nothing twice; the counts go after HISTORY_KEEP.
    await clean_up(store, NOW, timedelta(days=30))
    assert await store.pushes_by_hour(since) == before
    await clean_up(store, weeks_ago + HISTORY_KEEP + timedelta(hours=1), timedelta(days=30))
    assert not await store.list_deliveries()
    assert [h.hour for h in await store.pushes_by_hour(since)] == [RECENT.replace(minute=0)]


async def test_a_short_retention_keeps_the_counts_of_the_sends_it_deletes(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(tech.id, "https://a.example/feed")
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)
    await store.subscribe(1, tech.id)
    undated = article("a")
    dated = NewArticle(
        replace(undated.entry, published=OLD), replace(undated.digest, published=OLD)
    )
    await store.save_poll(
        feed.id,
        [dated],
        polled_at=OLD,
        next_poll_at=OLD,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    [row] = await claim_rows(store, OLD, 10)
    await store.mark_sent(row, 1, OLD)

    # Articles go after two days here, and their outbox rows with them: counted first.
    cleaned = await clean_up(store, NOW, timedelta(days=2))

    assert (cleaned.deliveries, cleaned.articles) == (1, 1)
    [hour] = await store.pushes_by_hour(NOW - timedelta(days=14))
    assert (hour.hour, hour.topic_id, hour.sent, hour.failed) == (OLD, tech.id, 1, 0)
